// The public API of @replstorm/scenarios: scanner designs, the seed scenario, the invariant suite and the comparison.
// Built on @replstorm/core's public API only.

export type { DesignPromises, DesignRegistry, DesignScanContext, ScannerDesign, VirusScanResult } from './design.js';
export { behaviourFactory, checkDesignInstall, cleaningWrites, defineDesign, promisesOf, promisesProblem, resolveConfig, scheduleGap, scheduleOf, selfSchedule, thrownText, toBehaviour, unknownDesignFields, virusScanOf } from './design.js';
export { SSO_TAG, computeTag, tagContent, verifyTag } from './tag.js';
export type { SmsdomConfig } from './designs/smsdom.js';
export { SMSDOM_DEFAULTS, clusterAware, smsdom, smsdomLike, smsdomScan, ssoMailOnly } from './designs/smsdom.js';
export { noop, scanCache } from './designs/simple.js';
export { BUILTIN_DESIGNS, builtinRegistry } from './designs/registry.js';
export type { ParamSpec, ParamSpecs } from './scenarios/params.js';
export { parseConfigList, resolveParams } from './scenarios/params.js';
export type { ScenarioContext, SmsdomStormParams } from './scenarios/smsdomStorm.js';
export { SETUP_MS, SMSDOM_STORM_PARAMS, dbName, setupEndMs, smsdomStormEventStream, smsdomStormEvents, unidFor } from './scenarios/smsdomStorm.js';
export type { Scenario } from './scenarios/registry.js';
export { SCENARIOS, findScenario } from './scenarios/registry.js';
export type { Coverage, InvariantName, InvariantResult, VerifyCase, VerifyOptions, VerifyResult } from './verify/verifyDesign.js';
export { INVARIANT_NAMES, caseEvents, verifyDesign } from './verify/verifyDesign.js';
export type { ComparisonRow, DesignChoice, UserDeletion } from './verify/compareDesigns.js';
export { DEFAULT_MAX_SCANNER_REVISIONS, SEED_COMPARISON, UserDeletions, compareDesigns, conflictDocumentsHeld, deletionsBack, infectedCopies, isScannerActor } from './verify/compareDesigns.js';
export type { Action, ExploreInvariant, ExploreModel, ExploreOptions, ExplorePath, ExploreResult, StepContext } from './explore/explore.js';
export { EXPLORE_INVARIANTS, STEP_MS, explore } from './explore/explore.js';
export type { StormModelOptions } from './explore/stormModel.js';
export { EXPLORE_DEFAULTS, EXPLORE_REFUSED, stormExploreModel } from './explore/stormModel.js';
export { SEEDED_EVENT_BOUND, advanceIndependence, runSeeded, seededSettings } from './determinism.js';
export type { ClaimCheck, ClaimLimits } from './recheck.js';
export { MAX_CLAIM_INPUTS, claimRunsLog, recheckClaim, runDigest, stormLoopLength } from './recheck.js';
export { nearestName } from '@replstorm/core';
