import {
  LogError,
  Simulator,
  HashTable64,
  hash64Words,
  encodeLog,
  runEvents,
  isScannerRevision,
  describeInput,
  explainDerived,
  type BehaviourFactory,
  type DerivedEvent,
  type Discarded,
  type InputEvent,
  type SimSnapshot,
} from '@replstorm/core';
import { behaviourFactory, installsDesignOfYours, thrownText, type DesignRegistry } from '../design.js';
import { builtinRegistry } from '../designs/registry.js';
import { simulatorLimits, type RunLimits } from '../runLimits.js';
import { cleanOnlyShaped } from '../verify/cleanOnly.js';

// Bounded exhaustive exploration (what TLC gives a TLA+ spec, on the real engine): from a scenario's initial state,
// every enabled action at every step, breadth first, states de-duplicated by a canonical digest of the abstract state
// (not of the path). Each action is an input event of the log format, so a path is a log `replstorm replay` runs.
// Actions are spaced STEP_MS apart and each runs to completion (its transfers and the scans it triggers) before the
// next: interleavings are between actions, which is where storms race (a scan here, a push there, a scan over there).

/**
 * Virtual time between two actions, at least: longer than any action's own work, and than twice any clock skew.
 * [limitation] So steps are ordered by time whatever the servers' skews: a save in a later step has the later
 * `seqTime`, and the orders in which a skewed clock makes the earlier step's save win a tie of `seq` (R5) are not
 * searched (a researcher's QA pass, clockSkewsMs=0,-100000). The conflict itself is made in either order; which version
 * wins it, and what follows, is what is left out. (A late save, at its step's last millisecond, and a save of the
 * next step are 1 ms apart: skews order those two either way, and a skew 1 ms apart gives them one OID, R3; a
 * review.) verify's random cases draw skews and times within them.
 * A model whose actions take longer (a slow `scanMsPerDoc`, a push of many documents) is searched again with the
 * step doubled until every action's work ends within half a step (`ExploreResult.stepMs`): the log of a path places
 * each action a step after the one before, and only then does replaying it run what the search ran.
 */
export const STEP_MS = 60_000;

/** One step of exploration: an input event without its time. */
export type Action = DistributiveOmit<InputEvent, 'at'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What an invariant sees after one action: the action's derived events and the simulator. */
export interface StepContext {
  readonly derived: readonly DerivedEvent[];
  readonly sim: Simulator;
  /**
   * The documents (UNIDs) that got a replication conflict on the same path, run as its log with every scanner only
   * cleaning (its shape kept: what it watches, its schedule; verify's baseline); undefined when that run fails.
   * Computed when called: a run of the path.
   */
  readonly cleanOnlyConflicted?: () => ReadonlySet<string> | undefined;
}

/** A safety invariant, checked at every new state (on the step that reached it). Returns why it is violated. */
export interface ExploreInvariant {
  readonly name: string;
  readonly description: string;
  check(step: StepContext): string | undefined;
}

export interface ExploreModel {
  readonly name: string;
  /** Input events that build the initial state (run to completion). */
  readonly setup: readonly InputEvent[];
  /** The enabled actions in a state (in a fixed order, so the search is deterministic). */
  actions(sim: Simulator, userActionsLeft: number): Action[];
  /** User actions (saves) allowed on a path: a bound, so the space is finite. */
  readonly userActions: number;
  /** Servers whose configuration is identical, so renaming them maps states to equivalent states. */
  readonly symmetricServers: readonly string[];
  /** Why there is no symmetry to use, when that is not plain (for the report). */
  readonly noSymmetry?: string;
  /** Why the model declares no independence (`independent` absent), when it could have (for the report). */
  readonly noPartialOrder?: string;
  /**
   * Partial-order reduction: true when `a` and `b` commute in every state where both are enabled (either order gives
   * the same abstract state, and neither enables or disables the other). Must be symmetric. `actions` must then list
   * actions in one fixed global order (the relative order of two actions never depends on the state).
   */
  independent?(a: Action, b: Action): boolean;
  readonly registry?: DesignRegistry;
}

export interface ExploreOptions {
  readonly depth: number;
  readonly invariants?: readonly ExploreInvariant[];
  /** Look for storms: cycles of abstract states through a scanner revision (liveness). Default true. */
  readonly storms?: boolean;
  /**
   * Claim a storm only once its path storms when run (confirmExploreStorm). Default true; false gives the loop as the
   * search closed it, for tests of replay's own check of such a log.
   */
  readonly confirmStorms?: boolean;
  readonly maxStates?: number;
  /** Stop at the first violated invariant instead of exploring on (for storms) to the depth. */
  readonly stopAtFirstViolation?: boolean;
  /** Identify states that differ only by a renaming of identically configured servers. Default true. */
  readonly symmetry?: boolean;
  /** Partial-order reduction, where the model declares independent actions (see `ExploreModel.independent`). Default true. */
  readonly partialOrder?: boolean;
  /**
   * De-duplicate by the 64-bit hash of the abstract state's canonical text (`Simulator.abstractKeys`, several times
   * slower) instead of hashing its fields directly (`abstractHash`): the readable reference the fast key must agree
   * with (tested). Default false.
   */
  readonly textKeys?: boolean;
  /**
   * Called once per distinct state, when it is first reached (for tests and statistics). A search run again with a
   * longer step (see STEP_MS) calls it again from the initial state.
   */
  readonly onNewState?: (sim: Simulator, depth: number) => void;
  /**
   * Called at every transition, after the step, with the state it reached (for tests of the abstraction: a state
   * reached again must have the same successors as the one stored for it). `state` is the stored state's number (0
   * the initial state, then in the order found), `fresh` whether this transition found it, `nextAt` the time the next
   * step's action would run at. The hook may run the simulator from there (`snapshot`, then `restore` it before
   * returning); what that derives is not the step's. A search run again with a longer step (see STEP_MS) calls it
   * again from the initial state, its numbers starting over.
   */
  readonly onTransition?: (sim: Simulator, t: { readonly depth: number; readonly state: number; readonly fresh: boolean; readonly nextAt: number }) => void;
  /** Called at the end of each depth, and every 1,024 new states within one (`depth`: the one being searched). */
  readonly onProgress?: (p: { depth: number; distinct: number; generated: number }) => void;
  /**
   * Called with each invariant's first violation as it is found (the CLI says them when the search is interrupted),
   * and the step of the search that found it: a search whose actions outlast half a step starts again with the step
   * doubled, and what the abandoned one found is then not its result.
   */
  readonly onViolation?: (v: ExplorePath & { readonly invariant: string; readonly message: string }, stepMs: number) => void;
  /**
   * How full memory is, from 0 to 1 (the CLI passes the V8 heap's use over its limit); polled every 1,024 new states.
   * At `memoryStopAt` (default 0.8) the search stops as it does at `maxStates`, with `hitMemoryLimit`, rather than
   * let the process die. Scenarios read no memory gauge themselves.
   */
  readonly memoryUse?: () => number;
  readonly memoryStopAt?: number;
  /** A clock in milliseconds (`performance.now`), for the report's time and rate; scenarios never read one itself. */
  readonly clock?: () => number;
}

/** A path from the initial state, as the input events of a log. */
export interface ExplorePath {
  /** Actions on the path (0: the initial state itself). */
  readonly steps: number;
  readonly events: readonly InputEvent[];
  /** The log: setup, then one event per step. */
  readonly log: string;
  /** What happened at each step, in words. */
  readonly explanation: readonly string[];
  /**
   * What the scanners did in the setup, before step 1, in words (their revisions and any conflict), when they did
   * anything: a later step's conflict may be with a version the setup made (`seq 2@61011`, an on-write stamp of the
   * spread's arrival), which no step explains.
   */
  readonly setup?: string;
  /** Revisions by a scanner on the path, the setup's included: 0 when the designs took no part in what it shows. */
  readonly scannerRevisions: number;
  /**
   * Of those, the ones that wrote `$FILE` (cleaning an infected attachment, as every scanner here must, R13): equal to
   * `scannerRevisions` when the path's scanner writes were cleanings alone, no stamp.
   */
  readonly scannerCleanings: number;
  /**
   * For a no-conflict violation: the conflicts the same path makes, on it or in replication after it (as
   * no-scanner-conflicts' baseline: cleanOnlyConflicted), when each scanner keeps its shape (what it watches, its
   * schedule) but only cleans, never stamps (verify's counterfactual). More than 0: the conflict is not the design's
   * own doing (users' concurrent saves, members each cleaning one document).
   */
  readonly cleanOnlyConflicts?: number;
}

export interface ExploreResult {
  readonly model: string;
  readonly depth: number;
  readonly depthReached: number;
  readonly statesGenerated: number;
  readonly distinctStates: number;
  readonly transitions: number;
  /** Transitions not tried because partial-order reduction showed their target is reached another way. */
  readonly prunedByPartialOrder: number;
  /** Whether partial-order reduction was applied (the model declares independence and has no periodic work). */
  readonly partialOrder: boolean;
  /** No new state at the last depth: every reachable state was seen. */
  readonly exhausted: boolean;
  readonly hitMaxStates: boolean;
  /**
   * Actions on which the design's code threw (design-runs). What such an action leaves is not a state, so its path
   * ends there: an exhausted search with failures covers the states reached without one, not what the design would
   * have done next ([choice] said beside "exhausted", which read as a full check of a design that failed on every
   * action: 0 transitions, "every reachable state was checked").
   */
  readonly designFailures: number;
  /** Stopped because memory was nearly full (see `ExploreOptions.memoryUse`). */
  readonly hitMemoryLimit: boolean;
  /** Wall time, when a clock was given (else 0). */
  readonly seconds: number;
  /**
   * Of `seconds`, the checks after the search (paths run again, under renamings and at other times, for a design of
   * yours; the storm loop's search): the search's own rate is its states over the rest. (For a design of yours they are
   * most of a small search's time, and the rate over the whole read 44 states/s where the search ran thousands: a
   * researcher's QA pass.)
   */
  readonly checkSeconds: number;
  /** The shortest path to the first violated invariant (breadth first). */
  readonly violation?: ExplorePath & { readonly invariant: string; readonly message: string };
  /**
   * The shortest path to each violated invariant, in the order they were found (the first is `violation`): the search
   * goes on after a violation (for storms), so an invariant violated later on is reported too, not passed over as if
   * it held.
   */
  readonly violations: readonly (ExplorePath & { readonly invariant: string; readonly message: string })[];
  /**
   * Set when no storm loop was found, but at the last depth searched a path still ended in two or more replication
   * steps in a row, each stamping a document on the arrival of that document as the step before stamped it (a ping-pong): the search cannot tell a storm whose states never repeat (a
   * tag holding a time or a counter) from one that would settle a step later. [choice] Said rather than "no storm
   * found" (a time-stamping design read as storm-free here, where verify's quiescence and compare show its storm: a
   * researcher's review). Two in a row: one stamp of an arrival after a user's save is how a sound design tags it.
   */
  readonly stormUndecided?: string;
  /**
   * Set with `stormUndecided` when its reason is a loop the search closed that a run does not repeat (a design acting
   * on a seq or a time, which the search identifies): a deeper search does not decide it, verify's quiescence does.
   */
  readonly stormNotConfirmed?: true;
  /** A cycle through a scanner revision: the prefix reaching it, then the loop's events. */
  readonly storm?: ExplorePath & { readonly loopStart: number; readonly loopEvents: readonly InputEvent[] };
  /** Scanner revisions seen on any transition, the setup's included (0 proves "no scanner revisions on any path" to the depth). */
  readonly scannerRevisions: number;
  /** Virtual time between two steps of a path (STEP_MS, or more when the model's actions take longer). */
  readonly stepMs: number;
  /**
   * Set when paths run again from the initial state after the search reached other states than they did in it: the
   * design carries something from one scan to the next outside the simulation (the check after the search in searchWithStep), so the search did
   * not explore its real behaviour and its verdict cannot be trusted.
   */
  readonly notReproducible?: string;
  /**
   * Set when, under symmetry reduction, a path run again with identically configured servers renamed reached a state
   * that is not the renaming of the one it reached: a design acts on server names though it declares itself
   * name-blind (ScannerDesign.symmetric), so the reduced search may have missed states.
   */
  readonly notSymmetric?: string;
  /**
   * Set when symmetry reduction was used but its check could not be made (the initial state is not its own renaming):
   * the reduction rests on the designs' declarations alone, and the result says so (a review: nothing did).
   */
  readonly symmetryUnchecked?: string;
  /**
   * Set when a path run again with every time shifted (TIME_SHIFTS_MS), or with its steps further apart, or with every
   * document saved more times before the search (SEQ_EXTRA_SAVES), made other decisions: a design acts on a time's
   * value, or on a document's seq or revisions' count, while the search identifies states that differ only in those
   * (an order-preserving renumbering), so it may have merged states that behave differently and missed paths.
   */
  readonly timeDependent?: string;
  /**
   * Set when a design of yours may act on the time or on a document's seq but a check behind `timeDependent` could not
   * be made: the time's, with periodic work between steps; the seq's, where seqCheckSkipped says why (each reason,
   * joined with "; ").
   */
  readonly timeUnchecked?: string;
}

interface Node {
  readonly parent: number;
  readonly action: Action | undefined;
  readonly depth: number;
  snapshot: SimSnapshot | undefined;
  /** User saves on the path that first reached this state (the path's budget, `ExploreModel.userActions`). */
  readonly userActionsUsed: number;
  /**
   * What the last step of the paths of its depth that reach it stamped, if a replication step (push, session):
   * database, UNID and server, in this state's own server names, each with the longest run ending in that stamp of
   * replication steps one after another, each stamping a document on the arrival of that document as the step before
   * stamped it.
   */
  stamped: Map<string, number> | undefined;
  /** Reached by a late action (lateAction): work it set off (an on-write scan) is due within the next step. */
  readonly pending: boolean;
}

interface Edge {
  readonly from: number;
  readonly to: number;
  readonly action: Action;
  readonly scanner: boolean;
}

/**
 * The action as an input event at `at`. Object.assign, not a spread: actions come in several shapes, and a spread of
 * objects of many shapes takes V8's slow path (about 600 ns against 60, measured: a twentieth of a transition).
 */
function atTime(a: Action, at: number): InputEvent {
  // (Tried again on 2026-12-06 as a literal with the spread after `at`: the line kept its 1.2-1.3% of a search in V8's
  // line profile. Kept as it was.)
  return Object.assign({ at }, a) as InputEvent;
}

/**
 * Late actions. A step is an action and the work it sets off, run to the end before the next step: a user's save and
 * the on-write scan of it (scanMsPerDoc later, R13) were one step, so no cluster push could come between them, as one
 * does in a cluster whenever the replicator's tick falls inside the scan's milliseconds (a researcher's QA pass:
 * sso-mail-only, and a design stamping only local saves, passed an exhausted search and verify, and a 6-event log made
 * a conflict: Ann's save pushed to Beta before Alpha's stamp of it, Bob's save on Beta descending from the unstamped
 * version, R5). [choice] So a user's save that sets off an on-write scan (one a scanner watches) is tried a second
 * time, late: at the last millisecond of its step, its scan left due within the next step, which runs the next action
 * first (scanMsPerDoc of 2 ms or more; at 1 ms the scan is due with the next action, and runs first: the late save's
 * state, with its scan due, then goes where the save's own goes). Its log has the save at that millisecond, and replay
 * runs it so. One action comes between (a late save is not tried where work is already due: the scan of a save is a
 * few milliseconds, not a step), and a late action is never in a storm's loop (storms are searched among whole
 * steps). The state keeps which scan is due (AbstractSource.scans: by kind alone, two late states whose scans differ
 * were one, and states were lost: a review). Not a push: fed late, its transfers (replicationMsPerDoc, 1 ms a document
 * by default) come after the next action, not its arrivals' scans, another interleaving than this one, and its steps
 * read "no change" (a review); a push's arrivals and their on-write scans stay one step (README, explore).
 * A late action is the same action object but marked (a WeakSet: it holds no field an input event could carry).
 */
const LATE = new WeakSet<object>();

/** The late twin of an action (LATE). */
function lateAction(a: Action): Action {
  const late = { ...a } as Action;
  LATE.add(late);
  return late;
}

/** What a late step says after its action. */
const LATE_WORDS = ', late in its step (its last millisecond): the next step\'s action comes before the on-write scan it sets off';

/** describeInput of an action, with `late` after a late one. */
function describeAction(a: Action): string {
  return LATE.has(a) ? `${describeInput(a)}, late` : describeInput(a);
}

/**
 * Whether an on-write scan left due will scan something, as the simulator's scanDoc decides (Simulator.wouldScan: a
 * scanner, a version with attachments), were it to run now.
 */
function leavesScanDue(sim: Simulator): boolean {
  for (const w of sim.pendingWork()) if (w.scan !== undefined && sim.wouldScan(w.scan.server, w.scan.db, w.scan.unid)) return true;
  return false;
}

/** Whether a step's events hold an on-write scan (a loop at module level: a closure per transition cost 1% of a search). */
function setsOffOnWriteScan(derived: readonly DerivedEvent[]): boolean {
  for (let i = 0; i < derived.length; i++) {
    const e = derived[i]!;
    if (e.type === 'scanned' && e.kind === 'on-write') return true;
  }
  return false;
}

/** The time of step `d`'s action: `timeOf(d)`, or, late, the millisecond before the next step's (LATE). */
function stepTime(late: boolean, timeOf: (d: number) => number, d: number): number {
  return late ? timeOf(d + 1) - 1 : timeOf(d);
}

/** The action of step `d` as its input event, at stepTime. */
function stepAt(a: Action, timeOf: (d: number) => number, d: number): InputEvent {
  return atTime(a, stepTime(LATE.has(a), timeOf, d));
}

/**
 * Same action (type and fields; a save's items compared as entries). Field by field, the fields an input event may
 * have named: partial-order reduction asks it of the actions listed in each state expanded until it finds the one
 * that reached the state, and writing both as JSON cost more instructions than the reduction saved (cachegrind, the
 * bench's case: +11%); a loop over their keys (for...in), most of what it saved.
 */
export function sameAction(a: Action, b: Action): boolean {
  if (a === b) return true;
  const x = a as Partial<Record<ActionField, unknown>> & { readonly type: string };
  const y = b as Partial<Record<ActionField, unknown>> & { readonly type: string };
  if (x.type !== y.type || x.server !== y.server || x.partner !== y.partner || x.unid !== y.unid || x.db !== y.db || x.kind !== y.kind || x.by !== y.by || x.mode !== y.mode) return false;
  // A save's items (a Map) and a partition's groups (arrays), rare: compared as JSON. Every other field of an input
  // event (a fault's, a definition's) is compared too, so that no two different actions read as the same.
  for (const f of OTHER_FIELDS) if (x[f] !== y[f] && actionValueId(x[f]) !== actionValueId(y[f])) return false;
  // (Last: a WeakSet lookup, asked only of actions alike in every field.)
  return LATE.has(a) === LATE.has(b);
}

/** Every field of an input event but `type` and `at` (an action has no time). */
type ActionField = Exclude<KeysOf<InputEvent>, 'type' | 'at'>;
type KeysOf<T> = T extends unknown ? keyof T : never;
// Every field, listed so that the compiler asks for a field a later input event adds (it is then compared too).
const ACTION_FIELDS: Record<ActionField, true> = {
  server: true, partner: true, unid: true, db: true, kind: true, by: true, mode: true, set: true, remove: true, groups: true, to: true, newUnid: true,
  design: true, config: true, version: true, name: true, replicas: true, everyMs: true, cluster: true, clockSkewMs: true, clusterIntervalMs: true,
  replicationMsPerDoc: true, limitRevisions: true, purgeDays: true,
};
/**
 * The fields sameAction compares after its first, cheap ones (named there one by one, for speed: explore.test.ts holds
 * the two lists together, two actions differing in any one field of ACTION_FIELDS being told apart).
 */
const CHEAP_FIELDS: readonly ActionField[] = ['server', 'partner', 'unid', 'db', 'kind', 'by', 'mode'];
const OTHER_FIELDS = (Object.keys(ACTION_FIELDS) as ActionField[]).filter((f) => !CHEAP_FIELDS.includes(f));
/** Every field an action may have but `type` (for tests). */
export const ACTION_FIELD_NAMES: readonly string[] = Object.keys(ACTION_FIELDS);

function actionValueId(v: unknown): string {
  return JSON.stringify(v, (_k, w: unknown) => (w instanceof Map ? [...(w as Map<unknown, unknown>)] : w)) ?? 'undefined';
}

/** Permutations of a small list (servers: at most a handful). */
function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const p of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...p]);
  });
  return out;
}

/**
 * Breadth-first exploration to `depth` actions. De-duplicates states by a 64-bit digest of the abstract state (under
 * symmetry, the least over renamings of identically configured servers), checks the invariants at every new state,
 * and looks for storm cycles among the explored transitions.
 */
export function explore(model: ExploreModel, options: ExploreOptions): ExploreResult {
  const clock = options.clock ?? (() => 0);
  const t0 = clock();
  // [choice] The step starts at STEP_MS, or four times the largest clock skew if that is more, and doubles while an
  // action's work outlasts half a step (see STEP_MS): the search is run again from the start, so its result is the
  // same as if the step had been chosen right at once.
  let stepMs = STEP_MS;
  for (const e of model.setup) if (e.type === 'server' && e.clockSkewMs !== undefined) stepMs = Math.max(stepMs, Math.ceil((4 * Math.abs(e.clockSkewMs)) / 1000) * 1000);
  for (;;) {
    const r = searchWithStep(model, options, stepMs, clock);
    if (r !== undefined) return { ...r, seconds: (clock() - t0) / 1000 };
    // Work that has not ended after hours of virtual time does not end: pushes on a timer (clusterIntervalMs > 0)
    // that keep finding something to send, say. A path could not be written as steps, so the model is refused.
    if (stepMs >= MAX_STEP_MS) {
      throw new LogError('BAD_CONFIG', `an action's work (its transfers, and the scans and pushes it sets off) did not end within ${(MAX_STEP_MS / 2 / 3_600_000).toFixed(1)} virtual hours; explore needs every action's consequences to end before the next step (is a cluster replicator on a timer, clusterIntervalMs > 0, pushing a storm?)`);
    }
    stepMs *= 2;
  }
}

/** The longest step tried (STEP_MS doubled ten times, about 17 hours). */
const MAX_STEP_MS = STEP_MS * 1024;

/** explore with steps `stepMs` apart; undefined when some action's work ran past half a step (the caller retries). */
function searchWithStep(model: ExploreModel, options: ExploreOptions, stepMs: number, clock: () => number): ExploreResult | undefined {
  const registry = model.registry ?? builtinRegistry();
  const factory = behaviourFactory(registry);
  let derived: DerivedEvent[] = [];
  const sim = new Simulator({ behaviours: factory, maxRunMs: 1, onDerived: (e) => derived.push(e) });
  runSetup(sim, model.setup);
  const setupEnd = model.setup.length > 0 ? model.setup[model.setup.length - 1]!.at : 0;
  if (sim.now > setupEnd + stepMs / 2) return undefined;
  const timeOf = (depth: number) => setupEnd + depth * stepMs;
  settle(sim, timeOf(1) - 1);
  const setupDerived = derived;
  const invariants = options.invariants ?? [];
  const maxStates = options.maxStates ?? 1_000_000;
  const symmetric = options.symmetry !== false ? model.symmetricServers : [];
  const names = sim.serverNames();
  const orders: string[][] =
    symmetric.length > 1
      ? permutations(symmetric).map((perm) => {
          const m = new Map(symmetric.map((s, i) => [s, perm[i]!]));
          return names.map((n) => m.get(n) ?? n);
        })
      : [names];

  // The state's 64-bit hash, into `key` (a collision among a million states has odds of about 1 in 3 x 10^7).
  const key = new Uint32Array(2);
  const textKeys = options.textKeys === true;
  // The user saves a path has spent are part of its state: they decide which actions are enabled (the budget,
  // ExploreModel.userActions). Two paths reaching the same abstract state with different saves left have different
  // futures; keyed by the abstract state alone, the one found second was dropped as seen, and with it every state its
  // remaining saves reach (2 states of 631, 2 servers x 1 document, 2 saves, depth 5). Mixed in only when saves are
  // allowed (with none, every key is the abstract state's hash, as before).
  const keyOf = (savesUsed: number): Uint32Array => {
    if (textKeys) {
      let best: string | undefined;
      for (const k of sim.abstractKeys(orders)) if (best === undefined || k < best) best = k;
      hash64Words(model.userActions > 0 ? `${best!}\nU ${savesUsed}` : best!, key);
    } else {
      sim.abstractHash(orders, key);
      if (savesUsed > 0) {
        key[0] = (key[0]! ^ Math.imul(savesUsed, 0x9e3779b1)) >>> 0;
        key[1] = (key[1]! ^ Math.imul(savesUsed, 0x85ebca77)) >>> 0;
      }
    }
    return key;
  };

  // Partial-order reduction needs actions whose effects do not depend on when they run: no periodic work (cluster
  // ticks, scheduled scans or sessions) may run between steps. Purge checks (daily; stubs older than 90 days) never
  // find anything within an exploration's minutes.
  // It is combined with symmetry reduction (off with it until 2026-12-06, for want of the argument; tried then on ten
  // cases, 2 or 3 servers x 1 to 3 documents, 0 or 2 user saves, depths 6 to 11: the same states at every depth, the
  // same violations, 5.2% fewer transitions on the bench's case, 11.7% on 2 servers x 3 documents). The argument, as
  // the one below without symmetry: a node's snapshot is the concrete state its first path reached, and the action
  // that reached it (`node.action`) and the actions listed from it are that state's own, in its servers' names. Order
  // paths lexicographically by their concrete actions (the global order). Breadth first, each orbit is first reached
  // by the least of the shortest paths to any of its members: if that path's prefix were not the stored path of its
  // own orbit, the stored one, less than the prefix, followed by the renamed last action (enabled in the renamed state:
  // the designs are name-blind, which symmetry rests on), would reach the orbit by a lesser path. That least path
  // has no adjacent independent pair out of order (swapped, they reach the same abstract state by a lesser path), so
  // none of its steps is pruned; and the pruned search, still trying parents in the order they were found and actions
  // in the global order, finds each orbit by it first, at its depth, with the same stored representative (tested
  // against the symmetric search without it: the same states by their own names).
  // No periodic work (cluster ticks, scheduled scans or sessions) runs between steps: partial-order reduction and the
  // check of a design that may act on the time both need it.
  const periodicFree = !sim.pendingWork().some((w) => !w.pending && w.kind !== 'purge');
  const por = options.partialOrder !== false && model.independent !== undefined && periodicFree;
  let pruned = 0;
  const initial = sim.snapshot();
  const nodes: Node[] = [{ parent: -1, action: undefined, depth: 0, snapshot: initial, userActionsUsed: 0, stamped: undefined, pending: false }];
  // The longest run of stamps (Node.stamped) among the states of the last depth: see ExploreResult.stormUndecided.
  let lastDepthStampingRun = 0;
  options.onNewState?.(sim, 0);
  const visited = new HashTable64();
  visited.set(keyOf(0), 0);
  // Only what storm detection reads is kept: transitions by the replicator's own actions (see findStorm).
  const storms = options.storms !== false;
  const edges: Edge[] = [];
  let transitions = 0;
  let hitMemoryLimit = false;
  const memoryStopAt = options.memoryStopAt ?? 0.8;
  let generated = 1;
  let designFailures = 0;
  let frontier = [0];
  let depthReached = 0;
  let hitMaxStates = false;
  let scannerRevisions = 0;
  let violation: ExploreResult['violation'];
  // [choice] The first violation of each invariant (breadth first: a shortest path to it), not only the first of all:
  // with `--invariant no-conflict --invariant no-scanner-revision`, a scanner revision at step 1 hid a conflict at
  // step 3 of an exhausted search, which then read as "no-conflict held".
  const violations = new Map<string, NonNullable<ExploreResult['violation']>>();
  // no-scanner-conflicts' baseline designs (each scanner only cleaning): made once, when first needed.
  let baselineFactory: ReturnType<typeof behaviourFactory> | undefined;
  const baseline = () => (baselineFactory ??= cleanOnlyFactory(model));
  const noteViolation = (v: NonNullable<ExploreResult['violation']>): void => {
    if (violations.has(v.invariant)) return;
    const counted = v.invariant === 'no-conflict' ? withCleanOnlyConflicts(model, v) : v;
    violations.set(v.invariant, counted);
    violation ??= counted;
    options.onViolation?.(counted, stepMs);
  };
  // The initial state is a state like any other: the setup's own work (an on-write scan of a document as it is
  // created or arrives, a conflict between the first copies) is checked and counted as a step's is. A violation
  // there is a path of no step: the setup's log.
  for (const e of setupDerived) if (isScannerRevision(e)) scannerRevisions++;
  for (const inv of invariants) {
    const why = inv.check({ derived: setupDerived, sim, cleanOnlyConflicted: () => cleanOnlyConflicted(baseline(), pathEvents(model, [], timeOf, stepMs, true)) });
    if (why !== undefined && !violations.has(inv.name)) {
      noteViolation({ invariant: inv.name, message: why, ...makePath(model, [], timeOf, stepMs, factory, { invariant: inv.name, violation: why }), explanation: [`step 0, the initial state (the scenario's setup, lines 2-${model.setup.length + 1}): ${why}`] });
    }
  }
  // Stopping at the first violation, a violating initial state ends the search before its first step.
  const stopAtSetup = violation !== undefined && options.stopAtFirstViolation === true;
  if (stopAtSetup) frontier = [];

  const pathTo = (idx: number): Action[] => {
    const acts: Action[] = [];
    for (let i = idx; i > 0; i = nodes[i]!.parent) acts.push(nodes[i]!.action!);
    return acts.reverse();
  };

  // A run of stamps reaching a state found before at the same depth (see Node.stamped), merged into it in its own
  // server names: under symmetry the simulator holds a renamed image of the stored state, and the renaming is the
  // order under which its hash is the stored state's under the servers' own names.
  const ownHash = new Uint32Array(2);
  const imageHash = new Uint32Array(2);
  // [choice] With more than MERGE_ORDERS_MOST orders (5 or 6 servers alike), the renaming is not looked for: one
  // state per order is hashed to find it (a review measured a search of 6 servers at 1.7x its time), and the run of
  // the path found first stands alone, as it did before runs were merged.
  const mergeStamps = (into: Node, stamped: ReadonlyMap<string, number>): void => {
    let rename: ReadonlyMap<string, string> | undefined;
    if (orders.length > MERGE_ORDERS_MOST) return;
    if (orders.length > 1) {
      const image: string[] = [];
      for (const o of orders) {
        sim.abstractHash([o], imageHash);
        image.push(`${imageHash[0]}:${imageHash[1]}`);
      }
      // (The next action restores its parent's state first: the simulator is free here.)
      sim.restore(into.snapshot!);
      sim.abstractHash([names], ownHash);
      const k = image.indexOf(`${ownHash[0]}:${ownHash[1]}`);
      if (k < 0) return; // (not an image of it: a 64-bit collision; nothing merged)
      rename = new Map(orders[k]!.map((n, i) => [n, names[i]!]));
    }
    const mine = (into.stamped ??= new Map());
    for (const [key, r] of stamped) {
      let k = key;
      if (rename !== undefined) {
        const cut = key.lastIndexOf('\u0000');
        k = `${key.slice(0, cut)}\u0000${rename.get(key.slice(cut + 1)) ?? key.slice(cut + 1)}`;
      }
      if ((mine.get(k) ?? 0) < r) mine.set(k, r);
    }
  };

  outer: for (let depth = 1; depth <= options.depth && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const idx of frontier) {
      const node = nodes[idx]!;
      const snap = node.snapshot!;
      sim.restore(snap);
      const acts = model.actions(sim, model.userActions - node.userActionsUsed);
      // Partial-order reduction (sleep sets on the last step): an action b that commutes with the action a that reached
      // this state, and comes before it in the global action order, is not tried: a then b reaches what b then a
      // reaches, and b then a is tried from the parent. Breadth first with actions in that global order, every state
      // is first reached by the lexicographically least of its shortest paths, and no such path has an independent
      // pair out of order; so every state is still reached, at its depth, by the same first path (tested against the
      // unreduced search).
      // Not where the step that reached this state ran work a late action left due (LATE): that work ran inside it,
      // and would run inside the other action's step in the other order, so the two orders need not meet.
      let lastIdx = por && node.action !== undefined && nodes[node.parent]?.pending !== true ? acts.findIndex((x) => sameAction(x, node.action!)) : -1;
      // The first action runs on the state restored for listing the actions; each later one restores it again.
      let fresh = true;
      for (let ai = 0; ai < acts.length; ai++) {
        const action = acts[ai]!;
        const late = LATE.has(action);
        if (ai < lastIdx && !late && model.independent!(node.action!, action)) {
          pruned++;
          // Its late twin is tried all the same (it commutes with nothing): whether there is one is known only by
          // running it (a save no scanner watches leaves nothing due, and is dropped below).
          if (action.type === 'save') {
            acts.splice(ai + 1, 0, lateAction(action));
            lastIdx++;
          }
          continue;
        }
        if (!fresh) sim.restore(snap);
        fresh = false;
        derived = [];
        try {
          runStep(sim, model.setup.length + 1 + depth, atTime(action, stepTime(late, timeOf, depth)), late);
          if (!late && sim.now > timeOf(depth) + stepMs / 2) return undefined; // the step is too short for this action: retry
          settle(sim, timeOf(depth + 1) - 1);
        } catch (err) {
          // A design's code that throws on this path is a finding, as in verify's design-runs: the first found is on a
          // shortest path (breadth first), written as a log whose replay fails at its last step the same way. The
          // state it left is not a state (the next action restores the parent's).
          if (!(err instanceof LogError) || err.code !== 'DESIGN_FAILED') throw err;
          generated++;
          designFailures++;
          if (!violations.has('design-runs')) {
            const message = err.message;
            noteViolation({ invariant: 'design-runs', message, ...makePath(model, [...pathTo(idx), action], timeOf, stepMs, factory, { invariant: 'design-runs', violation: message }) });
            if (options.stopAtFirstViolation === true) break outer;
          }
          continue;
        }
        if (late) {
          // A late save that left no scan to make is its whole step (nothing can come between): no state of its own.
          // The same test as the twin's own branch below, which asks whether its save's step scanned: an on-write scan
          // is offered for a document without attachments too and scans nothing (scanDoc), and kept for being due, a
          // pruned save's twin reached states the unreduced search never made (a review).
          if (!leavesScanDue(sim)) continue;
        } else if (!node.pending && action.type === 'save' && setsOffOnWriteScan(derived)) {
          // It set off an on-write scan: tried late too, next (LATE).
          acts.splice(ai + 1, 0, lateAction(action));
          if (lastIdx > ai) lastIdx++;
        }
        generated++;
        // Each revision counts, as the setup's do: a push that brings two documents, each stamped on arrival, is 2
        // (it counted 1, so the total mixed revisions with transitions; only its 0 was exact).
        let made = 0;
        for (const e of derived) if (isScannerRevision(e)) made++;
        const scanner = made > 0;
        const used = node.userActionsUsed + (action.type === 'save' ? 1 : 0);
        const key = keyOf(used);
        const found = visited.get(key);
        const seen = found === -1 ? undefined : found;
        // [choice] `maxStates` states are kept: the search stops at the first new state past them, so a space of
        // exactly that many states is exhausted under it (an explore QA pass: noop's one state under --max-states 1
        // read "NOT exhausted", the limit checked once it was reached). The initial state counts: 1 keeps it alone.
        if (seen === undefined && visited.size >= maxStates) {
          hitMaxStates = true;
          // The depth it was cut in (its first new state may be the cut: "depth 5 of 6 (cut within it)", a review).
          depthReached = depth;
          break outer;
        }
        // (Counted once the transition is: the state past the limit is generated, not explored, and its revisions read
        // as "on explored transitions" beside "0 transitions": an explore QA pass.)
        scannerRevisions += made;
        const target = seen ?? nodes.length;
        if (options.onTransition !== undefined) {
          // The step's derived events are set aside: a hook that runs the simulator (a test's successors) adds its own
          // to `derived`, which the invariants and storm detection read below (a review: a false shortest violation).
          const own = derived;
          derived = [];
          options.onTransition(sim, { depth, state: target, fresh: seen === undefined, nextAt: timeOf(depth + 1) });
          derived = own;
        }
        transitions++;
        // (A late action is a save: never an edge, and storms are searched among whole steps, LATE.)
        if (storms && (action.type === 'push' || action.type === 'replicate')) edges.push({ from: idx, to: target, action, scanner });
        // States at the last depth are never expanded, so none is kept (below).
        const expandable = depth < options.depth;
        // [choice] A run goes on only where this step stamped a document on the arrival of that same document as the
        // step before stamped it (its `via`: that server, that document): a ping-pong. One stamp each of several
        // documents or mates (a fan-out of arrivals; one divergence's conflict document made and stamped on two mates;
        // a conflict document stamped where the arrival of another made it) settles, and counted as a run it said
        // "storms NOT decided" for smsdom on 3 servers scanning arrivals (a review).
        let stampingRun = 0;
        let stamped: Map<string, number> | undefined;
        // (Only where they count: a new state, or one found before at this depth, below.)
        if (scanner && (action.type === 'push' || action.type === 'replicate') && (seen === undefined || nodes[seen]!.depth === depth)) {
          let before = 0;
          for (const e of derived) {
            if (!isScannerRevision(e) || e.via === undefined || e.via.unid !== e.unid) continue;
            const r = node.stamped?.get(`${e.db}\u0000${e.unid}\u0000${e.via.server}`);
            if (r !== undefined && r > before) before = r;
          }
          stampingRun = before + 1;
          stamped = new Map();
          for (const e of derived) if (isScannerRevision(e)) stamped.set(`${e.db}\u0000${e.unid}\u0000${e.server}`, stampingRun);
        }
        if (seen !== undefined) {
          // [choice] Another path of the same depth to a state already found: its run counts too. Kept for the first
          // path alone, whether storms were decided depended on which path came first, and so on symmetry reduction
          // (an explore QA pass: "no storm found", exit 0, with it; "storms NOT decided", exit 3, without).
          if (stamped !== undefined) {
            if (!expandable) lastDepthStampingRun = Math.max(lastDepthStampingRun, stampingRun);
            else mergeStamps(nodes[seen]!, stamped);
          }
          continue;
        }
        visited.set(key, target);
        options.onNewState?.(sim, depth);
        // The state after the action is handed over, not copied: the next action restores its parent first. States at
        // the last depth are never expanded, so none is kept: they are most of a search (three in four here), and
        // keeping them was most of its memory and of its garbage collection.
        if (!expandable && stampingRun > lastDepthStampingRun) lastDepthStampingRun = stampingRun;
        nodes.push({ parent: idx, action, depth, snapshot: expandable ? sim.snapshotOwned() : undefined, userActionsUsed: used, stamped, pending: late });
        next.push(target);
        for (const inv of invariants) {
          // (Only its first violation is reported: checks after it, a baseline run each for no-scanner-conflicts, are not made.)
          if (violations.has(inv.name)) continue;
          // The baseline runs the path as its log does: to an `end` a step after the last action (makePath).
          const why = inv.check({ derived, sim, cleanOnlyConflicted: () => cleanOnlyConflicted(baseline(), pathEvents(model, pathTo(target), timeOf, stepMs, true)) });
          // The first violation found is a shortest one (breadth first); the search goes on, for storms.
          if (why !== undefined && !violations.has(inv.name)) {
            // The log's header names what it shows, as verify's do (replay prints it: "written by").
            noteViolation({ invariant: inv.name, message: why, ...makePath(model, pathTo(target), timeOf, stepMs, factory, { invariant: inv.name, violation: why }) });
            if (options.stopAtFirstViolation === true) break outer;
          }
        }
        if ((visited.size & 1023) === 0) {
          if (options.memoryUse !== undefined && options.memoryUse() >= memoryStopAt) {
            hitMemoryLimit = true;
            depthReached = depth;
            break outer;
          }
          // Within a depth too: one depth of a large search takes minutes, and progress was said only at its end.
          options.onProgress?.({ depth, distinct: visited.size, generated });
        }
      }
      node.snapshot = undefined; // expanded: its snapshot is no longer needed
    }
    depthReached = depth;
    options.onProgress?.({ depth, distinct: visited.size, generated });
    frontier = next;
  }
  if (hitMaxStates || hitMemoryLimit || options.stopAtFirstViolation === true) depthReached = Math.max(depthReached, nodes[nodes.length - 1]!.depth);
  const searchEnd = clock();

  // A loop of the abstract graph, as actions a replay runs: under symmetry reduction each state is stored as whichever
  // renaming reached it first, so an edge's action names the servers as its source node's stored state does, not as
  // the concrete state the loop's previous step reached. Replayed as they stand, the second of a loop's pushes could
  // name the wrong sender (push Alpha -> Beta twice, the second sending nothing: no storm in the log). So the loop is
  // run from its start's concrete state, each edge's action taken under the renaming that reaches the edge's target
  // with its scanner revision, and laps are added until the concrete state comes back under the servers' own names.
  const concreteLoop = (start: number, loop: readonly Edge[]): Action[] | undefined => {
    const plain = loop.map((e) => e.action);
    if (orders.length === 1) return plain;
    const prefix = pathTo(start);
    const used = nodes[start]!.userActionsUsed;
    const run = (a: Action, d: number) => {
      derived = [];
      runStep(sim, model.setup.length + 1 + d, stepAt(a, timeOf, d), LATE.has(a));
      settle(sim, timeOf(d + 1) - 1);
    };
    sim.restore(initial);
    prefix.forEach((a, d) => run(a, d + 1));
    const own = new Uint32Array(2);
    const ownKey = (): string => {
      sim.abstractHash([names], own);
      return `${own[0]}:${own[1]}`;
    };
    const home = ownKey();
    const renamings = permutations(symmetric).map((perm) => new Map(symmetric.map((s, k) => [s, perm[k]!])));
    const out: Action[] = [];
    for (let lap = 0; lap < renamings.length; lap++) {
      for (const e of loop) {
        const here = sim.snapshot();
        const d = prefix.length + out.length + 1;
        const chosen = renamings.map((m) => renameServers(e.action, m)).find((a, i) => {
          if (i > 0) sim.restore(here);
          run(a, d);
          const scanner = derived.some(isScannerRevision);
          return scanner === e.scanner && visited.get(keyOf(used)) === e.to;
        });
        // (None: the run does not follow the loop the search closed, as for a design of yours acting on a seq or a
        // time, which the abstraction identifies: the loop is refused, findStorm. It was an internal error, met once
        // loops past the first were tried.)
        if (chosen === undefined) return undefined;
        out.push(chosen);
      }
      if (ownKey() === home) return out;
    }
    return out;
  };
  // A loop of abstract states is a storm only if the path it was found on storms when run: from the initial state,
  // its loop's laps coming back and stamping each time, as replay checks the log (confirmExploreStorm). A design of
  // yours that acts on what the abstraction identifies (a document's seq, a time) closes loops that a run does not: an
  // explore QA pass found "STORM" for a design stamping until a document's seq 6, where the printed path's own sixth
  // step saved nothing, and replay of its log said "reproduced NO". [choice] Such a loop is not claimed (the next is
  // tried: findStorm); with none confirmed, storms are not decided (exit 3), with the reason, and no log is written.
  // [choice] Built-in designs act on the order of events, which the abstraction keeps (explore's own assumption), and
  // their loops are claimed as the search closes them. (Confirmed, a real storm of per-server keys at clusterIntervalMs
  // 7000 was refused while the laps' check wanted each lap back where the loop started: with a cluster timer between
  // steps, the laps come back only after its period, which recheckExploreStorm now waits for; a review.)
  const confirmStorms = options.confirmStorms !== false && installsDesignOfYours(model.setup, registry);
  const accept = (candidate: NonNullable<ExploreResult['storm']>): true | string => {
    if (!confirmStorms) return true;
    let confirmed: boolean | string;
    try {
      confirmed = confirmExploreStorm(candidate.events, candidate.loopEvents.length, candidate.loopStart, registry, {}, model.setup.length);
    } catch (err) {
      if (!(err instanceof LogError)) throw err;
      confirmed = err.message;
    }
    if (confirmed === true) return true;
    const loop = `${closedLoop(candidate.loopEvents.length, candidate.loopStart)} and makes scanner revisions every time round`;
    if (confirmed !== false) return `${loop}, but it could not be confirmed by running its path (${confirmed})`;
    const why = periodicFree
      ? 'a design of yours acts on what the search identifies (a document\'s seq, its revisions\' count, a time)'
      : 'work on a timer (the cluster replicator\'s) runs between steps at another moment each lap, or a design of yours acts on what the search identifies (a document\'s seq, its revisions\' count, a time)';
    return `${loop}, but its path, run from the initial state, does not come back stamping to where the loop started in every lap: ${why}, so whether it storms cannot be told from the loop`;
  };
  const foundStorm = storms ? findStorm(nodes, edges, model, timeOf, stepMs, factory, pathTo, concreteLoop, accept) : {};
  const storm = foundStorm.storm;
  const stormUnconfirmed = storm === undefined ? foundStorm.refused : undefined;
  // Paths run again from the initial state must reach the states they reached in the search: a design is a function
  // of its inputs (what it remembers goes through `remember`, into the state). One that keeps a module-level variable
  // acts otherwise once the search has run it (a researcher's QA pass: a design that stamps each document once per
  // process, in a module-level Set, was "exhausted" without its conflict, as every path after the first skipped). The
  // first states found (the initial state's successors, found before the design had run much) and a spread of the
  // rest, at most RERUN_SAMPLES paths of at most `depth` actions each: a few hundred transitions, whatever the search.
  let notReproducible: string | undefined;
  const sample = rerunSample(nodes.length);
  /** The node a path reaches from the initial state (-1: a state not seen; -2: the design failed on the way). */
  const reach = (path: readonly Action[]): number => {
    sim.restore(initial);
    try {
      path.forEach((a, d) => {
        runStep(sim, model.setup.length + 2 + d, stepAt(a, timeOf, d + 1), LATE.has(a));
        settle(sim, timeOf(d + 2) - 1);
      });
      return visited.get(keyOf(path.filter((a) => a.type === 'save').length));
    } catch {
      return -2;
    }
  };
  for (const i of sample) {
    const path = pathTo(i);
    const reached = reach(path);
    if (reached !== i) {
      notReproducible = `${path.map(describeAction).join(', then ')} ${reached === -2 ? 'failed' : 'reached another state'} when run again from the initial state after the search (checked ${sample.length} paths)`;
      break;
    }
  }
  // Symmetry reduction is sound for designs that ignore server names, which a design declares (`symmetric`) and the
  // search cannot see: the same sample of paths, run with the servers renamed, must reach the renamed state, which
  // has the same key (the least over renamings). A researcher's QA pass: a design choosing by server name that
  // declared itself symmetric was searched to 26 states, where the unreduced search finds 27.
  // The renamed path starts from the same initial state, so the check holds only where that state is its own renaming
  // (each server's setup alike): a setup whose first server creates the documents that the others then receive and
  // stamp on arrival is not, and is not checked (the reduction there rests on the declaration alone).
  let notSymmetric: string | undefined;
  const initialIsSymmetric = (): boolean => {
    sim.restore(initial);
    const first = new Uint32Array(2);
    const other = new Uint32Array(2);
    sim.abstractHash([orders[0]!], first);
    return orders.every((o) => {
      sim.abstractHash([o], other);
      return other[0] === first[0] && other[1] === first[1];
    });
  };
  let symmetryUnchecked: string | undefined;
  const checkable = notReproducible === undefined && symmetric.length > 1 && initialIsSymmetric();
  if (notReproducible === undefined && symmetric.length > 1 && !checkable) {
    symmetryUnchecked = 'the initial state is not the same under renaming the servers (the setup treats them differently), so renamed paths cannot be compared: the reduction rests on the designs\' declarations';
  }
  if (checkable) {
    const renamings = permutations(symmetric)
      .slice(1) // (the first is the identity)
      .map((perm) => new Map(symmetric.map((s, k) => [s, perm[k]!])));
    check: for (const i of sample) {
      const path = pathTo(i);
      for (const m of renamings) {
        const renamed = path.map((a) => renameServers(a, m));
        const reached = reach(renamed);
        if (reached !== i) {
          notSymmetric = `${path.map(describeAction).join(', then ')} and the same with the servers renamed (${renamed.map(describeAction).join(', then ')}) reached states that are not renamings of each other (checked ${sample.length} paths under ${renamings.length} renaming${renamings.length > 1 ? 's' : ''})`;
          break check;
        }
      }
    }
  }
  // States are identified modulo an order-preserving renumbering of times (and of seq and change numbers): sound for
  // designs that act on the order of events, not on a time's value. One that reads the clock's value (stamps only in
  // odd minutes, say) acts differently in states the search took for one: a researcher's review found such a design
  // "exhausted" at depth 1 with no violation, where a 5-step path of the search's own actions conflicts. Every
  // design's time-blindness cannot be proved, but it can be tried: the initial state and the paths sampled above,
  // each with the actions enabled at its end, run again with every time shifted (TIME_SHIFTS_MS) and with the steps
  // further apart (STRETCH: a design acting on the time between events, a debounce) must make the same decisions
  // (derived events with their times, sequence numbers and the UNIDs made from them set aside). A design that writes
  // the time into an item (a tag holding it) makes the same decisions: the value is in the state, compared exactly.
  // Only a design that may act on the time is tried (installsDesignOfYours: a researcher's; built-in designs act on
  // the order of events). [choice] Where periodic work runs between steps (a cluster replicator on a timer),
  // a shifted path meets the timer at other times, and an order-only design then decides otherwise too (a review):
  // the check is not made, and the result says so.
  let timeDependent: string | undefined;
  let timeUnchecked: string | undefined;
  if (notReproducible === undefined && installsDesignOfYours(model.setup, registry)) {
    const unchecked: string[] = [];
    if (!periodicFree) {
      unchecked.push('periodic work (a cluster replicator on a timer, scheduled scans or sessions) runs between steps, so paths run again at other times would meet it at other moments: whether a design of yours acts on the time\'s value was not checked');
    }
    const seqWhy = seqCheckSkipped(model);
    if (seqWhy !== undefined) unchecked.push(`${seqWhy}: whether a design of yours acts on a document's seq or its number of revisions was not checked`);
    if (unchecked.length > 0) timeUnchecked = unchecked.join('; ');
    // (With periodic work, only the documents saved more times: their times do not move.)
    const found = timeDependence(model, [0, ...sample], pathTo, (i) => {
      reach(pathTo(i));
      return model.actions(sim, model.userActions - nodes[i]!.userActionsUsed);
    }, timeOf, stepMs, factory, periodicFree);
    if (found?.kind === 'not-reproducible') notReproducible = found.message;
    else timeDependent = found?.message;
  }
  return {
    model: model.name,
    depth: options.depth,
    depthReached,
    statesGenerated: generated,
    designFailures,
    distinctStates: visited.size,
    transitions,
    prunedByPartialOrder: pruned,
    partialOrder: por,
    exhausted: frontier.length === 0 && !hitMaxStates && !hitMemoryLimit && !stopAtSetup,
    hitMaxStates,
    hitMemoryLimit,
    seconds: 0, // the caller's clock
    checkSeconds: (clock() - searchEnd) / 1000,
    ...(violation !== undefined ? { violation } : {}),
    violations: [...violations.values()],
    ...(storm !== undefined ? { storm } : {}),
    ...(stormUnconfirmed !== undefined ? { stormUndecided: stormUnconfirmed, stormNotConfirmed: true as const } : {}),
    ...(storms && storm === undefined && stormUnconfirmed === undefined && lastDepthStampingRun >= 2
      // ("At least": runs are counted over the paths that reach a state at the depth it was first found at, not over
      // longer paths to it, which the search does not follow; an explore QA pass found paths of more, as a replay of
      // one shows.)
      ? { stormUndecided: `replication steps alone still stamped a document on the arrival of its last stamp at least ${lastDepthStampingRun} times in a row at depth ${options.depth}, the last searched, without closing a loop: a design whose writes never repeat a state (a tag holding a time or a counter) storms without one` }
      : {}),
    scannerRevisions,
    stepMs,
    ...(notReproducible !== undefined ? { notReproducible } : {}),
    ...(notSymmetric !== undefined ? { notSymmetric } : {}),
    ...(symmetryUnchecked !== undefined ? { symmetryUnchecked } : {}),
    ...(timeDependent !== undefined ? { timeDependent } : {}),
    ...(timeUnchecked !== undefined ? { timeUnchecked } : {}),
  };
}

/**
 * [choice] The shifts a path is run again under (timeDependence): 1 d 1 h 1 min 1 s, which moves the day, hour, minute
 * and second of every time by one (their parity: a design acting in odd minutes); 3 d 12 h 30 min 30 s, about half a
 * week, a day, an hour and a minute (a design acting in office hours); and two more that put the search's first hour
 * (near midnight of day 0) at 03:17 and at 19:07 of other days (a nightly window: a review found 02:00-05:00 missed).
 * Together they sample the hours near 01, 03, 12 and 19 o'clock; a design keyed to another window or period may pass
 * them all, and the result then rests on the design acting on the order of events (README, "Writing a design").
 */
export const TIME_SHIFTS_MS: readonly number[] = [90_061_000, 304_230_000, 184_620_000, 500_820_000];

/** [choice] The steps of a path run again further apart (timeDependence): half as far again (a minute: 90 s). */
const STRETCH = 1.5;

/**
 * [choice] And far apart: an hour, then a day (each and a minute and a second) between steps, so that a design acting
 * on an age (stamp what was left alone an hour) meets ages past its threshold: a researcher's QA pass found thresholds
 * of 130 s to 3,600 s "exhausted" with no violation, the stretch to 90 s being the only one. Used where the steps are
 * shorter, for each path whose span stays under FAR_SPAN_MS (stubs are purged after 90 days by default: a purge is a
 * decision of its own). A threshold longer than the path's span at a day a step is still missed.
 */
const FAR_STEPS_MS: readonly number[] = [3_661_000, 90_061_000];

/**
 * [choice] How many more times each document is saved before the search when paths are run again (timeDependence): 1
 * (a design acting on seq's parity, or on a document's first save), and 25 (thresholds up to about 25 saves or
 * revisions). A design acting on a value the paths reach neither way (seq exactly 7) is not caught.
 */
const SEQ_EXTRA_SAVES: readonly number[] = [1, 25];
const FAR_SPAN_MS = 80 * 86_400_000;

/** [choice] At most this many paths (a sampled state and one action after it) are run again: each under every variant. */
const TIME_CHECK_PATHS = 48;

/** A derived event without what depends on when it happened: times, sequence numbers, and the OIDs of conflicts. */
const TIMED_FIELDS = new Set(['at', 'seq', 'seqTime', 'via', 'winner', 'loser']);
const UNID_TEXT = /^[0-9A-F]{32}$/;

/**
 * One way of running paths again (timeDependence): `setup` (the model's, its times moved or not), then a path's actions
 * at `timeOf(d)` (a late save at `timeOf(d + 1) - 1`: LATE). The setup is run once and snapshotted; each path
 * restores it.
 */
class TimedRuns {
  private readonly sim: Simulator;
  private readonly snap: SimSnapshot;
  private sink: string[] = [];
  private conflicts: string[] = [];
  private names = new Map<string, string>();
  private readonly setupNames: ReadonlyMap<string, string>;
  private readonly setupConflicts: readonly string[];
  /** The setup's decisions. */
  readonly setupText: readonly string[];

  /** While the setup's extra saves are fed (`extraSaves`): their events are not decisions. */
  private muted = false;

  constructor(
    setup: readonly InputEvent[],
    factory: BehaviourFactory,
    private readonly timeOf: (d: number) => number,
    private readonly stepMs: number,
    extraSaves = 0,
  ) {
    this.sim = new Simulator({
      behaviours: factory,
      onDerived: (e) => {
        if (this.muted) return;
        if (e.type === 'conflict') this.conflicts.push(e.conflictUnid);
        this.sink.push(JSON.stringify(e, this.replacer));
      },
    });
    setup.forEach((e, k) => {
      this.sim.feed({ line: k + 2, event: e });
      // Each of the setup's saves followed by `extraSaves` more of the same save (R1: seq and the revisions grow by one
      // each, and the items it writes take the new seq, as they had the old: the abstract state is the same but for
      // the counters), at its time and under its line, so no other event moves. (Saves that wrote nothing left the
      // items older than the version, a state the search tells apart: a design asking whether an item changed in the
      // current version was flagged: a review.)
      if (e.type !== 'save' || extraSaves === 0) return;
      this.muted = true;
      for (let n = 0; n < extraSaves; n++) this.sim.feed({ line: k + 2, event: e });
      this.muted = false;
    });
    if (this.timeOf(1) - 1 > this.sim.now) this.sim.advance(this.timeOf(1) - 1);
    this.setupText = this.sink;
    this.setupNames = new Map(this.names);
    this.setupConflicts = this.conflicts;
    this.snap = this.sim.snapshot();
  }

  /** Names UNIDs by their first appearance (a conflict document's UNID is a hash of its OID, so of a time). */
  private readonly replacer = (k: string, v: unknown): unknown => {
    if (TIMED_FIELDS.has(k)) return undefined;
    if (typeof v === 'string' && UNID_TEXT.test(v)) {
      let n = this.names.get(v);
      if (n === undefined) this.names.set(v, (n = `#${this.names.size}`));
      return n;
    }
    return v;
  };

  /**
   * The decisions `actions` make after the setup, and the conflict UNIDs of the run. Given `renamed`, the unshifted
   * run's conflict UNIDs in their order: an action naming the k-th (a scan of a conflict document) names this run's.
   */
  run(actions: readonly Action[], line: number, renamed?: readonly string[]): { text: string[]; conflicts: string[] } {
    this.sim.restore(this.snap);
    this.sink = [];
    this.conflicts = [...this.setupConflicts];
    this.names = new Map(this.setupNames);
    actions.forEach((a, i) => {
      // (A late action at its step's last millisecond in this run's steps: asked of `a`, as the copy below is unmarked.)
      const at = stepTime(LATE.has(a), this.timeOf, i + 1);
      if (at - 1 > this.sim.now) this.sim.advance(at - 1);
      const k = renamed !== undefined && 'unid' in a && typeof a.unid === 'string' ? renamed.indexOf(a.unid) : -1;
      const event = atTime(k !== -1 && k < this.conflicts.length ? ({ ...a, unid: this.conflicts[k]! } as Action) : a, at);
      // (Its time says whether it is late; the copy naming this run's conflict document needs no mark.)
      this.sim.feed({ line: line + i, event });
    });
    this.sim.feed({ line: line + actions.length, event: { at: this.timeOf(actions.length) + this.stepMs - 1, type: 'end' } });
    this.sim.finish();
    return { text: this.sink, conflicts: this.conflicts };
  }
}

/**
 * Why the check that documents saved more times before the search (SEQ_EXTRA_SAVES) make the same decisions cannot be
 * made, or undefined. [choice] Not where a database caps its revisions (limitRevisions, S2): the engine's own R4 test
 * then reads the longer histories otherwise. Nor where a scanner is installed before a save of the setup: the extra
 * saves' on-write scans would run as later work, not muted, and read as other decisions (a review). The storm
 * scenario installs its scanners last. (The result says so, `timeUnchecked`: it was skipped in silence, a review.)
 */
function seqCheckSkipped(model: ExploreModel): string | undefined {
  const capped = model.setup.find((e): e is Extract<InputEvent, { type: 'database' }> => e.type === 'database' && (e.limitRevisions ?? 0) > 0);
  if (capped !== undefined) return `a database caps its revisions (${capped.name}: limitRevisions ${capped.limitRevisions}), which R4 reads`;
  const firstScanner = model.setup.findIndex((e) => e.type === 'scanner');
  if (firstScanner >= 0 && firstScanner < model.setup.findLastIndex((e) => e.type === 'save')) return 'a scanner is installed before a save of the setup, whose scans of the extra saves would run later';
  return undefined;
}

/**
 * Why the design acts on a time's value (see the call in searchWithStep), or undefined: the first of `nodes` whose path,
 * followed by one of the actions enabled at its end, makes other decisions with every time shifted or with the steps
 * further apart (at most TIME_CHECK_PATHS such paths); `not-reproducible` when that path decides otherwise at its own
 * times too.
 */
function timeDependence(
  model: ExploreModel,
  nodes: readonly number[],
  pathTo: (i: number) => Action[],
  actionsAt: (i: number) => Action[],
  timeOf: (d: number) => number,
  stepMs: number,
  factory: BehaviourFactory,
  withTimes = true,
): { readonly kind: 'time' | 'not-reproducible'; readonly message: string } | undefined {
  const time = (message: string) => ({ kind: 'time' as const, message });
  const line = model.setup.length + 2;
  let base: TimedRuns;
  try {
    base = new TimedRuns(model.setup, factory, timeOf, stepMs);
  } catch {
    return undefined; // the setup itself fails: design-runs reports it
  }
  const stretched = Math.round(stepMs * STRETCH);
  const apart = (ms: number, far?: number) => ({ name: `its steps ${formatShift(ms)} apart instead of ${formatShift(stepMs)}`, far, make: () => new TimedRuns(model.setup, factory, (d) => timeOf(0) + d * ms, ms) });
  // Seq and revisions: the abstraction keeps a document's seq relative to its lowest copy's and few of its revisions,
  // so a design acting on their values (fails at seq 6, stamps until 4 revisions: an explore QA pass found both
  // "exhausted" with no violation, and the second a storm that stops) is as unsound to search as one acting on a
  // time's. Its documents saved more times before the search (each setup save made again) must not change its
  // decisions.
  // The times do not move: made with periodic work too; not always (seqCheckSkipped).
  const seqSkipped = seqCheckSkipped(model) !== undefined;
  const ways: { readonly name: string; readonly far?: number | undefined; readonly make: () => TimedRuns }[] = [
    ...(withTimes
      ? [
          ...TIME_SHIFTS_MS.map((shift) => ({ name: `every time ${formatShift(shift)} later`, make: () => new TimedRuns(model.setup.map((e) => ({ ...e, at: e.at + shift })), factory, (d) => timeOf(d) + shift, stepMs) })),
          apart(stretched),
          ...FAR_STEPS_MS.filter((ms) => ms > stretched).map((ms) => apart(ms, ms)),
        ]
      : []),
    ...(seqSkipped ? [] : SEQ_EXTRA_SAVES.map((n) => ({ name: `every document saved ${n} more time${n === 1 ? '' : 's'} before the search (its seq and its revisions ${n} more)`, make: () => new TimedRuns(model.setup, factory, timeOf, stepMs, n) }))),
  ];
  if (ways.length === 0) return undefined;
  const variants: { readonly name: string; readonly far?: number | undefined; readonly runs: TimedRuns }[] = [];
  for (const w of ways) {
    // A setup that fails only at other times is a decision that differs (a review: one throw skipped every check).
    let runs: TimedRuns;
    try {
      runs = w.make();
    } catch (err) {
      return time(`the setup made other decisions with ${w.name} (the design failed: ${thrownText(err)}; checked the setup)`);
    }
    const at = firstDifference(base.setupText, runs.setupText);
    if (at !== undefined) return time(`the setup made other decisions with ${w.name} (${at}; checked the setup)`);
    variants.push({ name: w.name, far: w.far, runs });
  }
  let checked = 0;
  for (const i of nodes) {
    const path = pathTo(i);
    for (const a of actionsAt(i)) {
      if (checked >= TIME_CHECK_PATHS) return undefined;
      const actions = [...path, a];
      let b: { text: string[]; conflicts: string[] };
      try {
        b = base.run(actions, line);
      } catch {
        continue; // the design fails on this path: design-runs reports it
      }
      checked++;
      for (const v of variants) {
        // A path run far apart spans its actions, and the step to the `end` after them (TimedRuns.run).
        if (v.far !== undefined && (actions.length + 2) * v.far >= FAR_SPAN_MS) continue;
        let moved: string[];
        try {
          moved = v.runs.run(actions, line, b.conflicts).text;
        } catch (err) {
          moved = [`the design failed: ${thrownText(err)}`];
        }
        const at = firstDifference(b.text, moved);
        if (at === undefined) continue;
        // The same path at its own times, run once more: if it decides otherwise too, the design carried something
        // over from the runs before (a module-level counter), and time is not the cause (an explore QA pass: a design
        // stamping every third scan was said to act on the time).
        // Up to RERUNS_AT_SAME_TIMES times: a counter that comes round with a period of 4 matched on the first rerun
        // (a review). [limitation] One with a longer period can still be taken for acting on the time.
        let again: string | undefined;
        for (let r = 0; r < RERUNS_AT_SAME_TIMES && again === undefined; r++) {
          try {
            again = firstDifference(b.text, base.run(actions, line, b.conflicts).text);
          } catch (err) {
            again = `the design failed: ${thrownText(err)}`;
          }
        }
        if (again !== undefined) return { kind: 'not-reproducible', message: `${actions.map(describeAction).join(', then ')} made other decisions when run again at the same times (${again})` };
        // And the shifted run once more at its own times: a module-level cache keyed by a version (its seq and time, as
        // scan-cache keys its memory) answers the same path alike at its own times, where the search filled it, and
        // anew at the shifted ones, then alike there too. It was said to act on the time's value, which sent the
        // researcher to `at` and `clock` (a researcher's QA pass).
        let shiftedAgain: string | undefined;
        for (let r = 0; r < RERUNS_AT_SAME_TIMES && shiftedAgain === undefined; r++) {
          let rerun: string[];
          try {
            rerun = v.runs.run(actions, line, b.conflicts).text;
          } catch (err) {
            rerun = [`the design failed: ${thrownText(err)}`];
          }
          shiftedAgain = firstDifference(moved, rerun);
        }
        if (shiftedAgain !== undefined) return { kind: 'not-reproducible', message: `${actions.map(describeAction).join(', then ')} with ${v.name} made other decisions when run again at those times (${shiftedAgain})` };
        return time(`${actions.map(describeAction).join(', then ')} made other decisions with ${v.name} (${at}; checked ${checked} path${checked > 1 ? 's' : ''} under ${variants.length} variations)`);
      }
    }
  }
  return undefined;
}

/** How many times a path that decided otherwise under a variation is run again at its own times (timeDependence). */
const RERUNS_AT_SAME_TIMES = 6;

/** Where two runs' decisions first differ, in words, or undefined. */
function firstDifference(a: readonly string[], b: readonly string[]): string | undefined {
  const k = a.findIndex((x, j) => x !== b[j]);
  if (k === -1 && a.length === b.length) return undefined;
  const at = k === -1 ? Math.min(a.length, b.length) : k;
  return `${a[at] ?? 'nothing'} became ${b[at] ?? 'nothing'}`;
}

/** "1 d 1 h 1 min 1 s". */
export function formatShift(ms: number): string {
  const parts = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1_000, 's']] as const;
  const out: string[] = [];
  for (const [unit, name] of parts) {
    if (ms >= unit) out.push(`${Math.floor(ms / unit)} ${name}`);
    ms %= unit;
  }
  return out.join(' ');
}

/**
 * `a` with its servers renamed by `m` (symmetry's check: a name-blind design acts the same under any renaming).
 * [limitation] The fields the storm model's actions name servers in: `server`, `partner`, partition `groups`; not an
 * actor naming one (`by: "router/<server>"`) nor delivery lists, which its actions do not have.
 */
function renameServers(a: Action, m: ReadonlyMap<string, string>): Action {
  const r = (s: string) => m.get(s) ?? s;
  const x: Record<string, unknown> = Object.assign({}, a);
  if (typeof x['server'] === 'string') x['server'] = r(x['server']);
  if (typeof x['partner'] === 'string') x['partner'] = r(x['partner']);
  if (Array.isArray(x['groups'])) x['groups'] = (x['groups'] as string[][]).map((g) => g.map(r));
  // (A late action's renaming is late too: LATE.)
  if (LATE.has(a)) LATE.add(x);
  return x as unknown as Action;
}

/**
 * Runs the setup as replay runs its log (line 1 is the header): before each event the work due before its `at`, then
 * the event, so events at one `at` happen in file order and then their work (the pushes that spread the documents to
 * every member run side by side); after the last, the work it set off. (Running each event's work to its end before
 * the next started the push to a third member after the second's on-write scan: the two stamped at different times
 * and conflicted in the search, where the log replays to one version, R3.)
 */
function runSetup(sim: Simulator, setup: readonly InputEvent[]): void {
  setup.forEach((e, i) => sim.feed({ line: i + 2, event: e }));
  sim.runPendingWork();
}

/**
 * Runs one step as replay runs its line: the work due before its `at` first (a cluster replicator on a timer pushes
 * what the last step queued at its ticks in between), then the action, then the work it sets off. (Jumping to the
 * action's time put a user's save before the tick that would have brought the other member's stamp: a conflict the
 * log does not replay to.) A late save (`late`, LATE) leaves its work due: the next step's input comes first.
 */
function runStep(sim: Simulator, line: number, event: InputEvent, late = false): void {
  sim.feed({ line, event });
  // (A late action's work is left due: the next step's input comes first, LATE.)
  if (!late) sim.runPendingWork();
}

/**
 * Runs the periodic work due before `until` (the next step's time, less 1 ms: where a log of a path that ends here has
 * its `end`). A cluster replicator on a timer pushes between two steps: that is part of the step before, in the state
 * the invariants check and in its explanation, as the log replays it. [choice] It was run by the next action's
 * `feed`: a conflict one tick after the last step went unchecked at that depth, and the next step's explanation
 * ("scheduled scan on Alpha: CONFLICT on Alpha") named an action that came after it. Without periodic work (pushes
 * as actions, the default) nothing is due: no change.
 */
function settle(sim: Simulator, until: number): void {
  sim.advance(until);
}

/**
 * no-conflict's counterfactual, as verify's no-scanner-conflicts has it (cleanOnly.ts): the path run again with every
 * design keeping its shape but only cleaning. [choice] Said beside the violation, not excused: no-conflict counts every
 * conflict (README); a conflict that a scanner writing nothing but cleanings makes on the same path too (two users
 * saving one document on two members, each stamped by an on-write scan, with sso-mail-only) read as the design's.
 */
function withCleanOnlyConflicts<V extends ExplorePath>(model: ExploreModel, v: V): V {
  // Drained as no-scanner-conflicts' baseline is (cleanOnlyConflicted): counted on the path alone, a conflict that one
  // excuses read here as "0: the design's doing" (a review).
  const run = runCleanOnly(cleanOnlyFactory(model), v.events);
  return run === undefined ? v : { ...v, cleanOnlyConflicts: run.conflicts }; // (a path the baseline cannot run: nothing to say)
}

/** Every design of the model keeping its shape but only cleaning (verify's baseline, cleanOnly.ts). */
function cleanOnlyFactory(model: Pick<ExploreModel, 'registry'>): ReturnType<typeof behaviourFactory> {
  return behaviourFactory(new Map([...(model.registry ?? builtinRegistry())].map(([name, d]) => [name, cleanOnlyShaped(d, name)] as const)));
}

/**
 * The documents that got a conflict when `events` run with `baseline` (StepContext.cleanOnlyConflicted), on the path
 * or once replication has carried every change to every member after it (`drainReplication`).
 * [choice] Drained, as verify's cases are by their quiet phase (the cluster replicator's ticks deliver everything):
 * judged on the path alone, two users' concurrent saves of one document on two members read as the design's
 * conflict wherever its stamp moved the conflict onto the path (sso-mail-only: Ann's stamped save on Alpha pushed
 * onto her later one on Beta wins by the stamp's seq, a conflict there at step 3, where with scanners only cleaning
 * the two seq-2 versions conflict a push later). Divergent versions conflict in any order of the drain's pushes and
 * sessions (R5; a review tried the reverse order on 15,255 states: the same), so one order tells whether the
 * document ever conflicts without the scanners' writes (a QA pass of verify's race, 2026-12-07: explore's shortest
 * no-scanner-conflicts path for sso-mail-only was that 3-step one, not the race its stamp makes, 4 steps).
 * [limitation] Judged per document, as verify's no-scanner-conflicts is: any conflict of the document in the drained
 * baseline excuses every conflict of it on the path, so a design's own extra conflict on a document that users'
 * saves make diverge anyway is excused (a review: 3 servers, cluster-aware's stamped copy on Alpha losing to Gamma's
 * save, where the baseline's only conflict is Beta's save against Gamma's, made in the drain; no search's verdict
 * changed on 144 searches, shorter paths of the design's own being found first). Telling those apart needs each
 * conflict's versions traced to the users' saves behind them.
 * A baseline whose design throws in the drain (not on the path: the search reports that as design-runs) is judged
 * on the path alone, as before the drain (a review: a design throwing on a replicated conflict document read as a
 * no-scanner-conflicts violation "could not be run to compare").
 */
export function cleanOnlyConflicted(baseline: ReturnType<typeof behaviourFactory>, events: readonly InputEvent[], options: ReturnType<typeof simulatorLimits> = {}): ReadonlySet<string> | undefined {
  return runCleanOnly(baseline, events, options)?.docs;
}

/** cleanOnlyConflicted's run: the documents conflicted, and the conflict documents made (the summary's `conflicts`). */
function runCleanOnly(baseline: ReturnType<typeof behaviourFactory>, events: readonly InputEvent[], options: ReturnType<typeof simulatorLimits> = {}): { docs: Set<string>; conflicts: number } | undefined {
  const out = { docs: new Set<string>(), conflicts: 0 };
  const moved = { changes: 0 };
  try {
    const onDerived = (e: DerivedEvent, madeDocument?: boolean) => {
      if (e.type === 'conflict') {
        out.docs.add(e.unid);
        if (madeDocument !== false) out.conflicts++;
      } else if (e.type === 'session') moved.changes += e.changed;
    };
    const sim = new Simulator({ behaviours: baseline, onDerived, ...options });
    const end = events.at(-1)?.type === 'end' ? events.length - 1 : events.length;
    let line = 1;
    for (let i = 0; i < end; i++) sim.feed({ line: ++line, event: events[i]! });
    const snap = sim.snapshot();
    const onPath = { docs: new Set(out.docs), conflicts: out.conflicts };
    try {
      drainReplication(sim, line, events[end - 1]?.at ?? 0, moved);
      sim.finish();
    } catch (err) {
      // (Only a design's failure: a budget refused or an engine error leaves the baseline not run, below.)
      if (!(err instanceof LogError) || err.code !== 'DESIGN_FAILED') throw err;
      // The path alone, as before the drain: its own end (what it leaves due runs before it), from where it paused.
      sim.restore(snap);
      out.docs = onPath.docs;
      out.conflicts = onPath.conflicts;
      if (end < events.length) sim.feed({ line: line + 1, event: events[end]! });
      sim.finish();
    }
  } catch {
    return undefined;
  }
  return out;
}

/** A minute between the drain's inputs: a push or session of explore's few documents ends well within it. */
const DRAIN_STEP_MS = 60_000;
/**
 * Rounds of the drain at most (each moves what the last made: a conflict document made on arrival, pushed on): a
 * safeguard, the baseline's scanners writing nothing but cleanings (a review saw 3 at most).
 */
const DRAIN_ROUNDS = 8;

/**
 * Replication after a path until it moves nothing (cleanOnlyConflicted): partitions healed and crashed servers
 * restarted, then rounds of a push of every cluster queue holding something and a pull-push session between every
 * two up servers, until a round changes no document (at most DRAIN_ROUNDS). The sessions carry what no queue holds:
 * a crashed server's queues are lost (R12), and servers of no cluster have none (scheduled replication); R9's
 * history sends each session exactly what the other side has not received. `moved` counts the changes sessions and
 * pushes applied (their session events, counted by the caller).
 */
function drainReplication(sim: Simulator, line: number, after: number, moved: { changes: number }): void {
  let at = after;
  const feed = (event: InputEvent) => {
    at += DRAIN_STEP_MS;
    sim.feed({ line: ++line, event: { ...event, at } as InputEvent });
  };
  const servers = sim.serverStates();
  if (servers.some((x) => x.group !== -1)) feed({ at, type: 'heal' });
  for (const x of servers) if (!x.up) feed({ at, type: 'restart', server: x.name });
  for (let round = 0; round < DRAIN_ROUNDS; round++) {
    const before = moved.changes;
    const now = sim.serverStates().filter((x) => x.up);
    for (const x of now) for (const p of x.queuedFor) feed({ at, type: 'push', server: x.name, partner: p });
    for (let i = 0; i < now.length; i++) {
      for (let j = i + 1; j < now.length; j++) feed({ at, type: 'replicate', server: now[i]!.name, partner: now[j]!.name, mode: 'pull-push' });
    }
    sim.advance(at + DRAIN_STEP_MS);
    if (moved.changes === before) break;
  }
}

/** At most this many paths are run again after a search (the checks at the end of searchWithStep). */
const RERUN_SAMPLES = 32;

/** Which states' paths are run again: the first found (by node index, breadth first), then an even spread of the rest. */
function rerunSample(nodes: number): number[] {
  const out: number[] = [];
  const first = Math.min(nodes - 1, RERUN_SAMPLES / 2);
  for (let i = 1; i <= first; i++) out.push(i);
  const rest = nodes - 1 - first;
  const spread = Math.min(rest, RERUN_SAMPLES - first);
  for (let k = 1; k <= spread; k++) out.push(first + Math.ceil((k * rest) / spread));
  return out;
}

/**
 * A path's input events: the setup, one event per action a step apart (a late save at the millisecond before the next
 * step's: LATE), and (`withEnd`) an `end` a step after the last.
 */
function pathEvents(model: ExploreModel, actions: readonly Action[], timeOf: (d: number) => number, stepMs: number, withEnd: boolean): InputEvent[] {
  const events: InputEvent[] = [...model.setup, ...actions.map((a, i) => stepAt(a, timeOf, i + 1))];
  // The log ends where the path ends: an `end` right after the last step, so replay stops there too.
  if (withEnd) events.push({ at: timeOf(actions.length) + stepMs - 1, type: 'end' });
  return events;
}

/** Replays a path from the initial state, explaining each step in words, and writes it as a log. */
function makePath(model: ExploreModel, actions: readonly Action[], timeOf: (d: number) => number, stepMs: number, factory: ReturnType<typeof behaviourFactory>, meta: Record<string, unknown> = {}): ExplorePath {
  const events = pathEvents(model, actions, timeOf, stepMs, false);
  const explanation: string[] = [];
  let derived: DerivedEvent[] = [];
  // What each arrival discarded (the Simulator's word, said with it: explainDerived), and which input's transfer made
  // each transfer's event (onDerived's `startedBy`: the timer's pushes are labelled by it).
  let discarded: (Discarded | undefined)[] = [];
  let started: (number | undefined)[] = [];
  let scannerRevisions = 0;
  let scannerCleanings = 0;
  const sim = new Simulator({
    behaviours: factory,
    maxRunMs: 1,
    onDerived: (e, _made, x, by) => {
      derived.push(e);
      discarded.push(x);
      started.push(by);
      if (isScannerRevision(e)) {
        scannerRevisions++;
        if (e.items.some((i) => i.toLowerCase() === '$file')) scannerCleanings++;
      }
    },
  });
  runSetup(sim, model.setup);
  settle(sim, timeOf(1) - 1);
  const caps = new Map(model.setup.flatMap((e) => (e.type === 'database' ? [[e.name, e.limitRevisions ?? 0] as const] : [])));
  const bySetup = derived.filter((e) => isScannerRevision(e) || e.type === 'conflict');
  const setup = bySetup.length > 0 ? `setup (lines 2-${model.setup.length + 1}): ${explainDerived(bySetup, undefined, undefined, undefined, caps)}` : undefined;
  let line = model.setup.length + 1;
  for (let i = model.setup.length; i < events.length; i++) {
    const e = events[i]!;
    derived = [];
    discarded = [];
    started = [];
    const k = i - model.setup.length + 1;
    const action = actions[k - 1]!;
    const step = `step ${k} (line ${line + 1}, at ${e.at} ms): ${describeInput(action)}${LATE.has(action) ? LATE_WORDS : ''}`;
    // What a crash loses (its server's cluster queues), before it: in no derived event.
    const lost = e.type === 'crash' ? sim.queuedOn(e.server) : undefined;
    try {
      runStep(sim, ++line, e, LATE.has(action));
      // (To the next step's time: a late action's own time is its step's last millisecond.)
      settle(sim, timeOf(k + 1) - 1);
    } catch (err) {
      // A path to a design's failure (design-runs) ends at the step where its code threw.
      if (!(err instanceof LogError) || err.code !== 'DESIGN_FAILED' || i !== events.length - 1) throw err;
      explanation.push(`${step}: ${explainDerived(derived, actions[i - model.setup.length], discarded, lost, caps, { lines: started, line })}; then ${err.message}`);
      break;
    }
    explanation.push(`${step}: ${explainDerived(derived, actions[i - model.setup.length], discarded, lost, caps, { lines: started, line })}`);
  }
  const all = pathEvents(model, actions, timeOf, stepMs, true);
  // The designs the log installs, by name: replay's check of the claim says "not checked" for a log that installs
  // another (recheck.ts; a log edited to run noop read "reproduced NO", a QA pass).
  const designs = [...new Set(all.flatMap((e) => (e.type === 'scanner' ? [e.design] : [])))];
  const log = encodeLog({ replog: 1, meta: { recordedBy: 'replstorm explore', model: model.name, designs, ...meta } }, all);
  return { steps: actions.length, events: all, log, explanation, ...(setup !== undefined ? { setup } : {}), scannerRevisions, scannerCleanings };
}

/**
 * A storm is a cycle in the abstract state graph, made of replication actions alone, that contains a scanner
 * revision: the counters run on, the state comes back, and nobody had to scan or save for it. Finds one (Tarjan's strongly connected components, then a shortest loop through a scanner edge), and
 * returns the shortest path to its start followed by the loop, twice, so the replayed log shows the repetition.
 */
function findStorm(
  nodes: readonly Node[],
  edges: readonly Edge[],
  model: ExploreModel,
  timeOf: (d: number) => number,
  stepMs: number,
  factory: ReturnType<typeof behaviourFactory>,
  pathTo: (idx: number) => Action[],
  concreteLoop: (start: number, loop: readonly Edge[]) => Action[] | undefined,
  accept: (storm: NonNullable<ExploreResult['storm']>) => true | string = () => true,
): { readonly storm?: ExploreResult['storm']; readonly refused?: string } {
  // Only the replicator's own actions may close the loop: a cycle that needs a new scan or a user's save each time
  // round is a cost per scan, not a storm. A storm goes on with nobody doing anything.
  const machine = edges.filter((e) => e.action.type === 'push' || e.action.type === 'replicate');
  const out = new Map<number, Edge[]>();
  for (const e of machine) {
    let l = out.get(e.from);
    if (l === undefined) out.set(e.from, (l = []));
    l.push(e);
  }
  const comp = stronglyConnected(nodes.length, out);
  const candidates: { start: number; loop: Edge[] }[] = [];
  for (const e of machine) {
    if (!e.scanner || comp[e.from] !== comp[e.to]) continue;
    if (e.from === e.to) {
      candidates.push({ start: e.from, loop: [e] });
      continue;
    }
    // Shortest path back from e.to to e.from inside the component.
    const prev = new Map<number, Edge>();
    const q = [e.to];
    const seen = new Set([e.to]);
    while (q.length > 0 && !seen.has(e.from)) {
      const n = q.shift()!;
      for (const x of out.get(n) ?? []) {
        if (comp[x.to] !== comp[e.from] || seen.has(x.to)) continue;
        seen.add(x.to);
        prev.set(x.to, x);
        q.push(x.to);
      }
    }
    if (!seen.has(e.from)) continue;
    const back: Edge[] = [];
    for (let n = e.from; n !== e.to; n = prev.get(n)!.from) back.push(prev.get(n)!);
    candidates.push({ start: e.from, loop: [e, ...back.reverse()] });
  }
  // The shortest first (prefix and loop), then in the order found (stable: the first of equals, as before).
  const size = (c: { start: number; loop: Edge[] }) => nodes[c.start]!.depth + c.loop.length;
  const order = candidates.map((c, i) => ({ c, i })).sort((a, b) => size(a.c) - size(b.c) || a.i - b.i);
  // [choice] A loop refused by `accept` (a run does not repeat it: explore's confirmation) gives way to the next, up
  // to STORM_CANDIDATES_TRIED: a review found one refused loop of one document hiding the real storm of another. The
  // reason the first refused one gives is kept, for when none is accepted.
  let refused: string | undefined;
  for (let k = 0; k < order.length && k < STORM_CANDIDATES_TRIED; k++) {
    const best = order[k]!.c;
    const prefix = pathTo(best.start);
    const loopActions = concreteLoop(best.start, best.loop);
    if (loopActions === undefined) {
      refused ??= `${closedLoop(best.loop.length, prefix.length + 1)}, but its path, run from the initial state, does not follow it (no renaming of the servers takes each step to the state the search found): a design acts on what the search identifies (a document's seq, its revisions' count, a time), so whether it storms cannot be told from the loop`;
      continue;
    }
    // `setupInputs`: where step 1 is, so that replay can tell a log cut short (to one lap, say) from a loop that does
    // not come back: the setup's last event may be a step's time before step 1, and the steps' spacing alone did not
    // show it (a review found a log cut to one lap that read "NO").
    const path = makePath(model, [...prefix, ...loopActions, ...loopActions], timeOf, stepMs, factory, { storm: `a loop of ${loopActions.length} step${loopActions.length === 1 ? '' : 's'} from step ${prefix.length + 1}, shown twice`, setupInputs: model.setup.length });
    const storm = { ...path, loopStart: prefix.length + 1, loopEvents: loopActions.map((a, i) => stepAt(a, timeOf, prefix.length + 1 + i)) };
    const ok = accept(storm);
    if (ok === true) return { storm };
    refused ??= ok;
  }
  return refused === undefined ? {} : { refused };
}

/** A storm loop's words when it is not claimed (findStorm's refusals). */
function closedLoop(steps: number, from: number): string {
  return `a loop of ${steps} replication step${steps === 1 ? '' : 's'} from step ${from} closes among the states the search identifies`;
}

/** The most server orders mergeStamps hashes a state under to find a renaming (4 servers alike: 24). */
const MERGE_ORDERS_MOST = 24;

/** The most storm loops explore tries to confirm before it says storms are not decided (findStorm's `accept`). */
const STORM_CANDIDATES_TRIED = 8;

/** Tarjan's algorithm, iterative: component index per node. */
function stronglyConnected(n: number, out: ReadonlyMap<number, readonly Edge[]>): Int32Array {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  let counter = 0;
  let comps = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      if (i === 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = 1;
      }
      const succ = out.get(v) ?? [];
      if (i < succ.length) {
        top[1] = i + 1;
        const w = succ[i]!.to;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = comps;
          if (w === v) break;
        }
        comps++;
      }
    }
  }
  return comp;
}

/** Built-in invariants for exploration. */
export const EXPLORE_INVARIANTS: Readonly<Record<string, ExploreInvariant>> = {
  'no-conflict': {
    name: 'no-conflict',
    description: 'no replication conflict is ever made',
    check: ({ derived }) => {
      const c = derived.find((e) => e.type === 'conflict');
      return c === undefined || c.type !== 'conflict' ? undefined : `a conflict document ${c.conflictUnid} was made on ${c.server} for ${c.unid}`;
    },
  },
  // [choice] verify's no-scanner-conflicts on a path: no-conflict counts every conflict, so users' concurrent saves
  // (--user-actions) or two members each cleaning one infected document failed noop and scan-cache, exit 1, where
  // verify passes them (a researcher's review). Judged per document as verify does: a document this step conflicts
  // that the same path with clean-only scanners never conflicts, on the path or once replication has carried every
  // change after it (cleanOnlyConflicted). Checked, as every invariant, on the step that first reaches a state: a
  // path to an already-seen state is not judged again.
  'no-scanner-conflicts': {
    name: 'no-scanner-conflicts',
    description: 'no replication conflict that the same path with scanners that only clean would not make, on it or in replication after it (verify\'s no-scanner-conflicts)',
    check: ({ derived, cleanOnlyConflicted }) => {
      let base: ReadonlySet<string> | undefined | null = null;
      for (const c of derived) {
        if (c.type !== 'conflict') continue;
        if (base === null) base = cleanOnlyConflicted?.();
        // A path the baseline cannot run excuses nothing.
        if (base === undefined || !base.has(c.unid)) return `a conflict document ${c.conflictUnid} was made on ${c.server} for ${c.unid}; ${base === undefined ? 'the same path with scanners that only clean could not be run to compare' : 'the same path with scanners that only clean conflicts no copy of that document, on it or in replication after it'}`;
      }
      return undefined;
    },
  },
  'no-scanner-revision': {
    name: 'no-scanner-revision',
    description: 'no scanner ever saves a document (read-only scanning)',
    check: ({ derived }) => {
      const r = derived.find(isScannerRevision);
      return r === undefined ? undefined : `${r.by} saved ${r.unid} on ${r.server}`;
    },
  },
};

/**
 * Checks explore's invariant `name` (one of EXPLORE_INVARIANTS, or design-runs) again on the input events of a log that
 * `explore` wrote (replay's check of the log's claim, `recheckClaim`): the message its check gives now, or undefined
 * when it holds. The log is one path ending a step after its violating action, so the check sees every event the path
 * derives at once, as the search saw the last step's (an earlier step's violation would have been found first, on a
 * shorter path). design-runs: the design's code throws on the path. Throws when the events cannot be run.
 */
export function recheckExploreClaim(name: string, events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits = {}): string | undefined {
  if (!isExploreClaim(name)) throw new Error(`"${name}" is not one of explore's invariants (${EXPLORE_CLAIMS.join(', ')})`);
  const invariant = name === 'design-runs' ? undefined : EXPLORE_INVARIANTS[name]!;
  // Run as replay ran it (its --max-run and --max-work). Of the derived events, only what explore's invariants read
  // is kept: conflicts, and the first scanner revision. (Every event, kept, took a hand-edited storm log past the
  // heap: V8's abort, exit 134, where replay itself had finished within its limits.)
  const kept: DerivedEvent[] = [];
  let scannerRevision = false;
  const onDerived = (e: DerivedEvent) => {
    if (e.type === 'conflict') kept.push(e);
    else if (!scannerRevision && isScannerRevision(e)) {
      scannerRevision = true;
      kept.push(e);
    }
  };
  const options = simulatorLimits(limits);
  let ran: ReturnType<typeof runEvents>;
  try {
    ran = runEvents(events, { behaviours: behaviourFactory(registry), onDerived, ...options });
  } catch (err) {
    if (name === 'design-runs' && err instanceof LogError && err.code === 'DESIGN_FAILED') return err.message;
    throw err;
  }
  if (invariant === undefined) return undefined;
  return invariant.check({ derived: kept, sim: ran.sim, cleanOnlyConflicted: () => cleanOnlyConflicted(cleanOnlyFactory({ registry }), events, options) });
}

/**
 * Checks again a storm log that `explore` wrote (replay's claim "no-storm", recheckClaim): its inputs end with the
 * loop of `loopLength` steps from step `loopStart` shown twice, then the `end`. True when each lap makes scanner
 * revisions and the laps come back to an abstract state one of them ended in (the servers under their own names, as
 * the search's loop is written; below), so the loop goes on for ever; a reason when the log is not such a path (not checked).
 * `laps` (at least the 2 the log shows) runs the loop's inputs again past the log's end, each lap a loop later: for a
 * design of the user's, which may act on what the abstraction renumbers (a document's seq or its revisions' count),
 * so that a lap's coming back does not prove the next one stamps (an explore QA pass: a design stamping arrivals until
 * a document has 4 revisions settled in its second lap, and read "reproduced yes" from its first). Run within
 * replay's limits; throws LogError when the events cannot be run.
 */
export function recheckExploreStorm(events: readonly InputEvent[], loopLength: number, loopStart: number, registry: DesignRegistry, limits: RunLimits = {}, setupInputs?: number, laps = 2): boolean | string {
  const body = events.at(-1)?.type === 'end' ? events.slice(0, -1) : events;
  const start = body.length - 2 * loopLength;
  // The log must be the path the header describes: its last (loopStart - 1) + 2 x loopLength inputs are steps, a
  // step apart, and the loop's are replication steps (a push or a session), as explore's storms are (a review: a loop
  // of user saves, edited in, read as a storm, and "from step 77" in a log of 7 steps was not looked at).
  const first = start - (loopStart - 1);
  if (loopLength < 1 || loopStart < 1 || first < 0) return `the log has fewer inputs than a loop of ${loopLength} steps from step ${loopStart}, shown twice`;
  // The header's `setupInputs` (logs written since it was added) places step 1 exactly.
  if (setupInputs !== undefined && body.length - setupInputs !== loopStart - 1 + 2 * loopLength) {
    return `after its setup's ${setupInputs} inputs it has ${body.length - setupInputs} steps, and a loop of ${loopLength} steps from step ${loopStart} shown twice is ${loopStart - 1 + 2 * loopLength}: the log was cut or lines were added`;
  }
  const steps = body.slice(first);
  // The gap from the loop's last two steps (replication steps: never late); each step at its place, or, late (LATE),
  // at the millisecond before the next step's.
  const last = steps[steps.length - 1]!.at;
  const gap = steps.length > 1 ? last - steps[steps.length - 2]!.at : 1;
  const placed = (at: number, k: number) => {
    const own = last - (steps.length - 1 - k) * gap;
    return at === own || (k < steps.length - 2 * loopLength && at === own + gap - 1);
  };
  if (gap <= 0 || steps.some((e, k) => !placed(e.at, k))) return `its last inputs are not steps a fixed time apart, as explore writes a path`;
  const notReplication = body.slice(start).find((e) => e.type !== 'push' && e.type !== 'replicate');
  if (notReplication !== undefined) return `its loop holds a ${notReplication.type} event: a storm's loop is replication steps alone (pushes, sessions)`;
  // Shown twice: the second lap is the first again (a review: a log whose laps differ read "yes").
  const lap = (e: InputEvent) => JSON.stringify({ ...e, at: 0 });
  for (let k = 0; k < loopLength; k++) {
    if (lap(body[start + k]!) !== lap(body[start + loopLength + k]!)) return `its loop's second lap is not its first again (step ${loopStart + loopLength + k} differs from step ${loopStart + k})`;
  }
  let revisions = 0;
  const sim = new Simulator({
    behaviours: behaviourFactory(registry),
    onDerived: (e) => {
      if (isScannerRevision(e)) revisions++;
    },
    ...simulatorLimits(limits),
  });
  // The log's inputs, then its loop again for the laps past the log, each a loop's span later.
  const span = loopLength * gap;
  const run: InputEvent[] = [...body];
  // Lap l (from 0) of the loop's inputs, past the log's two: each a loop's span later.
  const addLap = (l: number) => {
    for (let k = 0; k < loopLength; k++) run.push({ ...body[start + k]!, at: body[start + k]!.at + l * span });
  };
  // The events up to `to`, each in turn, then the work due before the next (a step after the last): where the search
  // keyed the loop's states (settle).
  let ran = 0;
  const runUpTo = (to: number) => {
    for (; ran < to; ran++) sim.feed({ line: ran + 2, event: run[ran]! });
    const next = to < run.length ? run[to]!.at : run[run.length - 1]!.at + gap;
    if (next - 1 > sim.now) sim.advance(next - 1);
  };
  const key = () => {
    const out = new Uint32Array(2);
    sim.abstractHash([sim.serverNames()], out);
    return `${out[0]}:${out[1]}`;
  };
  // [choice] Each lap must make scanner revisions, and the states the laps end in must come round again: after at
  // least `laps` laps, a lap ends in a state an earlier lap ended in (the first, where the search's loop closes there).
  // With a cluster timer between steps the laps meet its ticks at other moments, and the state comes back only after
  // as many laps as its period takes (a review: a storm of per-server keys at clusterIntervalMs 7000, whose log read
  // "reproduced NO", comes back to where its loop started after 3 laps of a minute); at most STORM_LAPS_MOST laps run.
  runUpTo(start);
  const ends = [key()];
  for (let l = 0; l < STORM_LAPS_MOST; l++) {
    if (start + (l + 1) * loopLength > run.length) addLap(l);
    revisions = 0;
    runUpTo(start + (l + 1) * loopLength);
    if (revisions === 0) return false;
    const k = key();
    if (l + 1 >= Math.max(2, laps) && ends.includes(k)) return true;
    ends.push(k);
  }
  return false;
}

/** The most laps recheckExploreStorm runs for the laps' end states to come round again (a timer's period, in laps). */
const STORM_LAPS_MOST = 64;

/**
 * [choice] How many laps replay runs of a storm log whose design is the user's (recheckExploreStorm): the 2 the log
 * shows and 6 more. A design that stops stamping after more laps than these still reads "reproduced yes".
 */
export const STORM_RECHECK_LAPS = 8;

/**
 * Whether a storm log's loop storms when run (replay's check of explore's claim, and explore's own before it claims
 * one): recheckExploreStorm for the laps the log shows, or STORM_RECHECK_LAPS for a design of the user's, which may act
 * on what the abstraction renumbers; and for such a design, the same with every time shifted (TIME_SHIFTS_MS), as it
 * may act on the time. True: it storms; false: a lap does not come back stamping; a reason: the log is not such a
 * path, or its loop comes back only at its own times (not checked). Throws LogError when the events cannot be run.
 */
export function confirmExploreStorm(events: readonly InputEvent[], loopLength: number, loopStart: number, registry: DesignRegistry, limits: RunLimits = {}, setupInputs?: number): boolean | string {
  const yours = installsDesignOfYours(events, registry);
  const laps = yours ? STORM_RECHECK_LAPS : 2;
  const r = recheckExploreStorm(events, loopLength, loopStart, registry, limits, setupInputs, laps);
  if (r !== true) return typeof r === 'string' ? `the log is not the path its header describes: ${r}` : false;
  // A lap that comes back to its abstract state goes on for ever only for a design that acts on the order of events
  // (explore's own assumption). A design of the user's may act on the time (a review: one flipping its tag in hour 0
  // of the day read "yes", and stopped 80 laps on): the same log at other times must storm too.
  for (const shift of yours ? TIME_SHIFTS_MS : []) {
    const moved = recheckExploreStorm(events.map((e) => ({ ...e, at: e.at + shift })), loopLength, loopStart, registry, limits, setupInputs, laps);
    if (moved !== true) return `the loop comes back as the header says, but not with every time ${formatShift(shift)} later: the design acts on the time, so whether the storm goes on cannot be told from its laps`;
  }
  return true;
}

/** What an explore log's header may claim: one of EXPLORE_INVARIANTS, or design-runs (a design whose code throws). */
export const EXPLORE_CLAIMS: readonly string[] = [...Object.keys(EXPLORE_INVARIANTS), 'design-runs'];

/** Whether `name` is one of EXPLORE_CLAIMS (own names only: a header's invariant may be any text, `toString` too). */
export function isExploreClaim(name: string): boolean {
  return name === 'design-runs' || Object.hasOwn(EXPLORE_INVARIANTS, name);
}
