// Test helpers of @replstorm/core, a second entry point (`@replstorm/core/testing`), as Yjs exports its test
// connector: fast-check arbitraries of log events. Imports fast-check, so it is not part of the main entry point.
export {
  arbActor,
  arbAttachment,
  arbDerivedEvent,
  arbInputEvent,
  arbItemName,
  arbItemValue,
  arbItems,
  arbLog,
  arbLogEvent,
  arbLogHeader,
  arbName,
  arbUnid,
} from '../log/logArbitraries.js';
