// The public API of @replstorm/core: documents as event logs, Domino replication (R1–R12), the v1 log codec, the
// simulator, the summary, the final state and its digest. Test helpers live in the `./testing` entry point.

export type { Attachment, Item, ItemValue, Note, Revision, Scalar } from './note/note.js';
export { attachmentsOf, filesOf, getItem, getItemValue, hasAttachments, itemKey, sameContents, sameNote, sameOid, valuesEqual } from './note/note.js';
export type { SaveChange } from './note/applySave.js';
export { appendRevision, applyDelete, applySave } from './note/applySave.js';
export { Revisions } from './note/revisions.js';

export type { ChangeEntry, PurgeEntry, ReplicaDoc } from './replica/replica.js';
export { Replica, foldLog } from './replica/replica.js';

export type { ConflictAction, NoteTransferOptions, NoteTransferResult } from './replicate/replicateNote.js';
export {
  conflictActionOf,
  conflictUnidOf,
  descendsFrom,
  lastCommonVersion,
  makeConflictDocument,
  replicateNote,
  winsOver,
} from './replicate/replicateNote.js';

export type * from './log/events.js';
export { DERIVED_EVENT_TYPES, INPUT_EVENT_TYPES, columnOfField, isInputEvent, isScannerRevision } from './log/events.js';
export type { LogErrorCode } from './util/logError.js';
export { LogError } from './util/logError.js';

export type { FinalState, StateDoc, StateSource } from './state/finalState.js';
export { LAZY_VALUES, buildFinalState, digestState, lazyFinalState, toStateDoc } from './state/finalState.js';
export { canonicalJson } from './state/canonicalJson.js';
export type { DocView, ReplicaView } from './state/replicaView.js';
export { replicaView } from './state/replicaView.js';
export { createSha256, hmacSha256Hex, sha256Hex } from './util/hash.js';
export { Prng } from './util/prng.js';
export { nearestName } from './util/nearestName.js';
export { formatVirtualTime } from './util/virtualTime.js';

export type { Behaviour, BehaviourFactory, InstallContext, ScanDecision, ScanInput, WriteNotice } from './simulate/behaviour.js';
export { behaviourTimingProblem } from './simulate/behaviour.js';
export type { Discarded, SimSnapshot, SimulatorOptions, SimView, WorkInfo } from './simulate/simulator.js';
export { DEFAULT_MAX_RUN_MS, Simulator } from './simulate/simulator.js';
export type { StopReason, Summary } from './simulate/summary.js';
export { runEvents } from './simulate/runEvents.js';
export { firstApart, unmadeCollision, type ReplicasApart } from './simulate/collisions.js';
export type { LazyLogDecoder, LogDecoder, LogDecoderOptions, LogWarning, RawDerivedLine } from './log/decodeLog.js';
export { DEFAULT_MAX_LINE_BYTES, createLazyLogDecoder, createLogDecoder, decodeLogText } from './log/decodeLog.js';
export { encodeEvent, encodeHeader, encodeLog, isEncodingAt, isEncodingOf, isRawEncodingOf } from './log/encodeLog.js';
export { abstractStateHash, abstractStateKeys, type AbstractReplica, type AbstractServer, type AbstractSource } from './simulate/abstractState.js';
export { HashTable64, hash64, hash64Words } from './util/fastHash.js';
export { derivedEventsEqual, eventsEqual } from './log/eventsEqual.js';
export { describeInput, explainDerived, explainsEvent } from './log/explain.js';
