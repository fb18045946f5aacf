import { LogError, Simulator, canonicalJson, firstApart, foldLog, replicaView, runEvents, unmadeCollision, type DerivedEvent, type InputEvent, type Note, type Summary } from '@replstorm/core';
import { behaviourFactory, type DesignRegistry } from './design.js';
import { EXPLORE_CLAIMS, confirmExploreStorm, isExploreClaim, recheckExploreClaim } from './explore/explore.js';
import { simulatorLimits, type RunLimits } from './runLimits.js';
import { INVARIANT_NAMES, recheckVerifyClaim, type InvariantName } from './verify/verifyDesign.js';

/**
 * What a counterexample log's header claims (`recordedBy` replstorm verify or explore, the `invariant` it violates,
 * the `violation` message), checked again on the log's input events: `reproduced` when the invariant's check fails on
 * them now, with the message it gives (`message`); `unchecked` when they could not be judged (why).
 */
export interface ClaimCheck {
  readonly recordedBy: string;
  readonly invariant: string;
  /** The header's message for the violation. */
  readonly claimed: string | undefined;
  readonly reproduced: boolean;
  /** The check's message now, when reproduced. */
  readonly message?: string;
  /** Why the claim could not be judged (then `reproduced` is false). */
  readonly unchecked?: string;
  /**
   * Set by a caller that ran the log's inputs twice, each time with its design modules loaded anew, and got two
   * different final states (runDigest): the design is not a function of its inputs, so the run a replay summarises
   * and the check's run may differ. Says so, with the two digests.
   */
  readonly notDeterministic?: string;
  /**
   * How many times the check ran, when more than once: a claim that runs differ (NONDETERMINISM_CLAIMS), which a
   * nondeterministic fault may not show every time, is checked until reproduced, at most CLAIM_TRIES times.
   */
  readonly tries?: number;
}

/**
 * The properties whose claim is that runs of the same inputs differ (a run twice, snapshotted, advanced otherwise,
 * cut): a fault that makes them differ may do so on some runs only (a determinism QA pass: a tie-break planted to
 * draw at random read "reproduced NO", the "fixed" exit, in 8 of 12 replays of sim-deterministic's log).
 */
const NONDETERMINISM_CLAIMS: ReadonlySet<string> = new Set(['sim-deterministic', 'sim-snapshot-restore', 'sim-advance-independent', 'sim-cut-independent']);

/** [choice] How many times replay checks a NONDETERMINISM_CLAIMS claim before it says it holds. */
export const CLAIM_TRIES = 20;

/** The run's limits (replay's `--max-run` and `--max-work`), so that the check judges the run the replay showed. */
export type ClaimLimits = RunLimits;

/** The most input events a claim is checked on (replay keeps no more: SimulateOptions.keepInputs). */
export const MAX_CLAIM_INPUTS = 10_000;

/** A claim that cannot be judged (the design's code threw on a run only design-runs judges). */
class Uncheckable extends Error {}

/** Whether recheckClaim runs this header's log again: a claim that `replstorm verify` or `replstorm explore` wrote. */
export function claimRunsLog(meta: Readonly<Record<string, unknown>>): boolean {
  return ((meta['recordedBy'] === 'replstorm verify' || meta['recordedBy'] === 'replstorm explore') && typeof meta['invariant'] === 'string') || isStormClaim(meta) || propertyCheckOf(meta) !== undefined;
}

/**
 * The engine's own property tests whose claim replay judges on the log's run (their logs' `recordedBy` is
 * `property <name>`): replicas that must have converged by the log's end did not, and no OID collision (R3) keeps them
 * apart; or, for the model-based tests of R1-R7, the replicas at the log's end are not the reference model's, which
 * the header carries (`expected`); the log's inputs run twice give different runs (sim-deterministic); a replica's
 * live documents are not the fold of its change log (sim-replay-equals-live); the inputs driven another way than fed
 * (finished from a snapshot and restored, advanced to more times, advanced in slices with a cut: the header carries
 * where) run otherwise (sim-snapshot-restore, sim-advance-independent, sim-cut-independent); a daily purge check
 * takes other stubs than R10's (sim-purge-exact). Other properties compare the engine
 * with what the test computes, which replay does not have: not checked, their command quoted. [choice] Checked where
 * replay can (a developer's review: a convergence counterexample replayed as "not checked", exit 0, while the replay
 * itself showed the replicas apart; another: a model-based one read "not checked" in the bugged engine and the fixed
 * one alike).
 */
type PropertyCheck = (events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits, meta: Readonly<Record<string, unknown>>) => string | undefined;
const PROPERTY_CHECKS: Readonly<Record<string, PropertyCheck>> = {
  'sim-converges': notConverged,
  'sim-cluster-converges': notConverged,
  'sim-cluster-relays': membersNotConverged,
  'model-uncapped': notAsModelled,
  'model-limitRevisions-2': notAsModelled,
  'model-replay-uncapped': notAsModelled,
  'model-replay-limitRevisions-2': notAsModelled,
  'replicate-winner': notTheWinner,
  'replicate-converges': oneRunNotConverged,
  'replicate-converges-capped': replicasNotConverged,
  'sim-deterministic': notDeterministic,
  'sim-replay-equals-live': notTheFoldOfItsLog,
  'sim-replay-equals-live-purged': notTheFoldOfItsLog,
  'sim-snapshot-restore': notRestorable,
  'sim-advance-independent': advanceDependent,
  'sim-cut-independent': cutDependent,
  'sim-purge-exact': notPurgedExactly,
};

const DAY_MS = 86_400_000;

/**
 * sim-purge-exact's claim (R10): a daily purge check that leaves a stub older than its database's `purgeDays` at its
 * server's clock (time + the server's `clockSkewMs`) on a server that is up, takes one that is not (or on a server that
 * is down), or forgets the UNID it purged. Replay runs the log as the property does: the inputs up to each multiple of
 * 24 hours before the last input's time, the engine advanced to just before that instant, each replica's stubs read,
 * then the instant's work (its purge check) run, and each stub no other work of that instant changed judged. [choice]
 * Judging stops where the run stops (an `end`): a purge check after it never runs, and is not the claim.
 */
function notPurgedExactly(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits): string | undefined {
  const skew = new Map<string, number>();
  for (const e of events) if (e.type === 'server') skew.set(e.name, e.clockSkewMs ?? 0);
  const sim = simulatorFor(registry, limits, () => {});
  const last = events.length > 0 ? events[events.length - 1]!.at : 0;
  let i = 0;
  for (let t = 0; t < last; t += DAY_MS) {
    for (; i < events.length && events[i]!.at <= t; i++) sim.feed({ line: i + 2, event: events[i]! });
    if (!sim.advance(t)) return undefined;
    const before: { server: string; up: boolean; clock: number; db: string; note: Note }[] = [];
    for (const srv of sim.serverStates()) {
      for (const replica of srv.replicas) for (const note of replica.notes()) if (note.deleted) before.push({ server: srv.name, up: srv.up, clock: t + (skew.get(srv.name) ?? 0), db: replica.db, note });
    }
    if (!sim.advance(t + 1)) return undefined;
    for (const b of before) {
      const rep = sim.replica(b.server, b.db)!;
      const now = rep.get(b.note.unid);
      if (now !== undefined && now !== b.note) continue;
      const due = b.up && b.note.seqTime < b.clock - rep.purgeDays * DAY_MS;
      const what = `the stub of ${b.note.unid} on ${b.server}/${b.db} (seqTime ${b.note.seqTime}) at the purge check of ${t} ms (the server's clock ${b.clock}, purgeDays ${rep.purgeDays}, the server ${b.up ? 'up' : 'down'})`;
      if (due && now !== undefined) return `R10: ${what} is older than purgeDays, and was not purged`;
      if (due && !rep.wasPurged(b.note.unid)) return `R10: ${what} was purged, and its UNID is not remembered as purged`;
      if (!due && now === undefined) return `R10: ${what} was purged, where it ${b.up ? 'is not older than purgeDays' : 'is on a server that is down'}`;
    }
  }
  return undefined;
}

/** A run's derived events and summary, as the driving judges below compare them. */
interface DrivenRun {
  readonly derived: readonly DerivedEvent[];
  readonly summary: Summary;
}

/**
 * Where run `b` first differs from run `a` (`as`: how `b` was driven, `than`: how `a` was): the first derived event
 * that differs (numbered in the whole run, whose first `skipped` are not in the lists), else the final state's
 * digest, else the first field of the summary that differs. Undefined when they are the same.
 */
function drivenDifference(a: DrivenRun, b: DrivenRun, as: string, than: string, skipped = 0): string | undefined {
  const d = firstDerivedDifference(a.derived, b.derived);
  if (d !== undefined) {
    const nth = ordinal(skipped + d.index + 1);
    if (d.b === undefined) return `${as}, the run makes no ${nth} derived event, where ${than} it is ${said(d.a)}`;
    if (d.a === undefined) return `${as}, the ${nth} derived event is ${said(d.b)}, where ${than} there is none`;
    return `${as}, the ${nth} derived event is ${said(d.b)}, where ${than} it is ${said(d.a)}`;
  }
  if (a.summary.digest !== b.summary.digest) return `${as}, the run ends in another state (digest ${b.summary.digest}, where ${than} it is ${a.summary.digest})`;
  // The field that differs, named (the whole summary, cut at SAID_CHARS, stopped before it: a QA pass).
  const sa = a.summary as unknown as Record<string, unknown>;
  const sb = b.summary as unknown as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(sa), ...Object.keys(sb)])].sort()) {
    const x = sa[k] === undefined ? undefined : canonicalJson(sa[k]);
    const y = sb[k] === undefined ? undefined : canonicalJson(sb[k]);
    if (x !== y) return `${as}, the run's summary has ${k} ${said(y)}, where ${than} it has ${said(x)}`;
  }
  return undefined;
}

/**
 * Runs `drive`, a way of driving the log other than feeding it (the log fed has run: runLog). An input it refuses that
 * the fed run did not (it ran or ignored it) is the claim itself, said with `as` and where. [choice] Reproduced, not
 * "not checked": a snapshot that brought a crashed server back up made the restored run refuse the log's `restart` (a
 * planted bug read "not checked"). But two refusals are not about the engine's driving, and are not checked: replay's
 * `--max-work`, whose budget counts the work between inputs, which more advances split otherwise (a run advanced to
 * more times runs each idle daily purge check that a run fed skips in one jump; a QA pass had a correct engine read
 * "yes" at --max-work 5); and a design's code that throws, which only design-runs judges (as sim-deterministic's
 * second run and verify's judge leave it).
 */
function drivenRun<T>(as: string, drive: () => T, budgetCountsAlike = false): T | string {
  try {
    return drive();
  } catch (err) {
    if (!(err instanceof LogError)) throw err;
    // (`budgetCountsAlike`: a run restored from a snapshot taken between inputs counts its work as the run fed does,
    // the snapshot keeping the count; its refusal there is a difference like any other: a review.)
    if (err.code === 'RUN_TOO_LONG' && !budgetCountsAlike) throw new Uncheckable(`${as}, the run reaches replay's work limit (--max-work), which the run fed does not: the limit counts the work between inputs, which a run driven otherwise may count otherwise; replay without --max-work, or with a larger one, to judge it (${err.message})`);
    if (err.code === 'DESIGN_FAILED') throw new Uncheckable(`${as}, a design's code throws, where the run fed it did not: only design-runs judges a design's failure (${err.message})`);
    return `${as}, the run refuses ${err.line > 0 ? `line ${err.line}` : 'to go on'}, where the run fed did not: ${err.message}`;
  }
}

/** Where two lists of derived events first differ: the index, and each side's event there as canonical JSON (none past its end). */
function firstDerivedDifference(a: readonly DerivedEvent[], b: readonly DerivedEvent[]): { index: number; a: string | undefined; b: string | undefined } | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] === undefined ? undefined : canonicalJson(a[i]);
    const y = b[i] === undefined ? undefined : canonicalJson(b[i]);
    if (x !== y) return { index: i, a: x, b: y };
  }
  return undefined;
}

/** A simulator for the log's run as replay runs it (runLog), its derived events handed to `sink`. */
function simulatorFor(registry: DesignRegistry, limits: RunLimits, sink: (e: DerivedEvent) => void, cutWhen?: () => boolean): Simulator {
  return new Simulator({ ...replayOptions(registry, limits), onDerived: sink, ...(cutWhen !== undefined ? { cutWhen } : {}) });
}

/**
 * sim-snapshot-restore's claim (replication.md, "Time and order"): the run snapshotted after the header's
 * `snapshotAfterLine` (1: before the first event), finished, restored and finished again, is not the run straight
 * through, or not the same both times. Replay drives the log's inputs as the property does, with the log's designs
 * and within replay's limits. [choice] Judged, not "not checked": the property's check is three runs of the log and
 * the line, which the header carries. A design that keeps something between runs (a module-level variable) shows here
 * as it does in the property.
 */
function notRestorable(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits, meta: Readonly<Record<string, unknown>>): string | undefined {
  const after = meta['snapshotAfterLine'];
  if (typeof after !== 'number' || !Number.isSafeInteger(after) || after < 1 || after > events.length + 1) {
    throw new Uncheckable(`the header does not say where the snapshot is taken (its "snapshotAfterLine": the line after which, from 1, the header, to ${events.length + 1}, the last event)`);
  }
  const straight = runLog(events, registry, limits, true);
  let sink: DerivedEvent[] = [];
  const sim = simulatorFor(registry, limits, (e) => sink.push(e));
  const k = after - 1;
  // (The inputs up to the snapshot are fed as runLog feeds them: a refusal there is the log's, not the claim.)
  for (let i = 0; i < k; i++) sim.feed({ line: i + 2, event: events[i]! });
  // The derived events made up to the snapshot: the straight run's after them are those the run from the snapshot
  // must make. [choice] Compared from there, not as the property's tail of the same length: a run from the snapshot
  // that lost an event would have matched that tail and passed.
  const made = sink.length;
  const snap = sim.snapshot();
  const finishFromSnapshot = (): DrivenRun => {
    sink = [];
    for (let i = k; i < events.length; i++) sim.feed({ line: i + 2, event: events[i]! });
    const summary = sim.finish();
    const derived = sink;
    sim.restore(snap);
    return { derived, summary };
  };
  const fromSnapshot = `finished from a snapshot taken after line ${after}`;
  const first = drivenRun(fromSnapshot, finishFromSnapshot, true);
  if (typeof first === 'string') return first;
  const whole = drivenDifference({ derived: straight.derived.slice(made), summary: straight.summary }, first, fromSnapshot, 'in the run straight through', made);
  if (whole !== undefined) return whole;
  const again = `restored to the snapshot taken after line ${after} and finished again`;
  const second = drivenRun(again, finishFromSnapshot, true);
  if (typeof second === 'string') return second;
  return drivenDifference(first, second, again, 'the first time', made);
}

/**
 * sim-advance-independent's claim (replication.md, "Time and order"): the log's inputs fed with the engine advanced
 * to more times between them (as a replay advances to each recorded line: every time a derived event happened at,
 * and the times the header's `advanceFractions` give, each a fraction of the last input's time) make other derived
 * events or another summary than fed alone.
 */
function advanceDependent(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits, meta: Readonly<Record<string, unknown>>): string | undefined {
  const given = meta['advanceFractions'];
  // [choice] A header without it (a log written before replay judged this claim) is not checked: judged at the
  // derived events' times alone, a failure that needed one of the property's other times would read "NO", fixed.
  if (given === undefined) throw new Uncheckable('the header does not say which times the property advanced to (its "advanceFractions", written since replay judges this claim): the property\'s own command checks it');
  if (!Array.isArray(given) || !given.every((f) => typeof f === 'number' && f >= 0 && f <= 1)) {
    throw new Uncheckable('the header\'s "advanceFractions" is not a list of numbers from 0 to 1 (each a fraction of the last input\'s time to advance to)');
  }
  const fractions = given as readonly number[];
  const straight = runLog(events, registry, limits, true);
  const lastAt = events.length > 0 ? events[events.length - 1]!.at : 0;
  const stops = [...straight.derived.map((e) => e.at), ...fractions.map((f) => Math.floor(f * lastAt))].sort((x, y) => x - y);
  const as = `advanced between the inputs to every derived event's time${fractions.length > 0 ? ` and to ${fractions.length} more (the header's advanceFractions)` : ''}`;
  const advanced = drivenRun(as, (): DrivenRun => {
    const derived: DerivedEvent[] = [];
    const sim = simulatorFor(registry, limits, (e) => derived.push(e));
    let k = 0;
    events.forEach((event, i) => {
      for (; k < stops.length && stops[k]! <= event.at; k++) sim.advance(stops[k]!, i + 2);
      sim.feed({ line: i + 2, event });
    });
    return { derived, summary: sim.finish() };
  });
  return typeof advanced === 'string' ? advanced : drivenDifference(straight, advanced, as, 'fed its inputs alone');
}

/**
 * sim-cut-independent's claim (event-log.md, "When a run stops"): the run cut after the header's `cutAfterDerived`
 * derived events (SimulatorOptions.cutWhen) stops elsewhere, or runs otherwise, when advanced in slices of one piece
 * of work (as `run --max-scanner-revisions` drives it) than when fed; or is not the run of its inputs with an `end`
 * at the cut. Replay does what the property does.
 */
function cutDependent(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits, meta: Readonly<Record<string, unknown>>): string | undefined {
  const k = meta['cutAfterDerived'];
  if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1) throw new Uncheckable('the header does not say where the run is cut (its "cutAfterDerived": after how many derived events, from 1)');
  const run = (sliced: boolean): DrivenRun & { cutAt: number | undefined } => {
    const derived: DerivedEvent[] = [];
    const sim = simulatorFor(registry, limits, (e) => derived.push(e), () => derived.length >= k);
    events.forEach((event, i) => {
      if (sliced) while (sim.advanceSome(event.at, i + 2, 1) === 'more');
      sim.feed({ line: i + 2, event });
    });
    if (sliced) while (!sim.finishSome(1));
    return { derived, summary: sim.finish(), cutAt: sim.cutAt };
  };
  // The run fed and cut is the property's reference: a refusal there is not checked (the log does not run so).
  const fed = run(false);
  const sliced = drivenRun('advanced in slices of one piece of work', () => run(true));
  if (typeof sliced === 'string') return sliced;
  const where = (at: number | undefined) => (at === undefined ? 'is not cut' : `is cut at ${at} ms`);
  if (sliced.cutAt !== fed.cutAt) return `advanced in slices of one piece of work, the run ${where(sliced.cutAt)}, where fed it ${where(fed.cutAt)} (cut after ${k} derived event${k === 1 ? '' : 's'})`;
  const d = drivenDifference(fed, sliced, 'advanced in slices of one piece of work', 'fed');
  if (d !== undefined) return d;
  if (fed.cutAt === undefined) return undefined;
  const at = fed.cutAt;
  const firstAfter = events.findIndex((e) => e.at >= at);
  const endLine = firstAfter === -1 ? Number.POSITIVE_INFINITY : firstAfter + 2;
  const withEnd: InputEvent[] = firstAfter === -1 ? [...events, { at, type: 'end' }] : [...events.slice(0, firstAfter), { at, type: 'end' }, ...events.slice(firstAfter)];
  const withEndAs = `run with an \`end\` at the cut (${at} ms)`;
  const ended = drivenRun(withEndAs, () => runLog(withEnd, registry, limits, true));
  if (typeof ended === 'string') return ended;
  // The `end` takes a line: the causes after it are one line later than in the cut run.
  const shifted = ended.derived.map((e) => ('cause' in e && e.cause > endLine ? { ...e, cause: e.cause - 1 } : e));
  return drivenDifference(fed, { derived: shifted, summary: ended.summary }, withEndAs, 'cut');
}

/**
 * sim-deterministic's claim: the same inputs, run twice, give different derived events, summaries or final PRNG
 * states. Replay runs the log twice in its own process, as the property does: a design or an engine that keeps
 * something from one run to the next (a module-level variable) shows it. [choice] Judged, not "not checked" (the
 * property's check is two runs of the log, which replay has).
 */
function notDeterministic(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits): string | undefined {
  const run = () => runLog(events, registry, limits, true);
  const a = run();
  const b = run();
  const d = firstDerivedDifference(a.derived, b.derived);
  if (d !== undefined) return `run twice, the log's inputs give different derived events: the ${ordinal(d.index + 1)} is ${said(d.a)} in the first run and ${said(d.b)} in the second`;
  if (a.summary.digest !== b.summary.digest) return `run twice, the log's inputs end in different states (digests ${a.summary.digest} and ${b.summary.digest})`;
  // The rest of the summary too (where it stopped, quiescence, the counts), as the property compares it whole.
  const sa = canonicalJson(a.summary);
  const sb = canonicalJson(b.summary);
  if (sa !== sb) return `run twice, the log's inputs give different summaries: ${said(sa)} and ${said(sb)}`;
  if (a.sim.prngState() !== b.sim.prngState()) return 'run twice, the log\'s inputs leave the run\'s random generator in different states';
  // No rule draws from the run's generator (snapshots share it), as the property also checks.
  if (a.sim.prngState() !== new Simulator({}).prngState()) return 'the run drew from its random generator, which no rule may do (snapshots share it: SimState.prng)';
  return undefined;
}

/**
 * sim-replay-equals-live's claim (R7, and R10 with stubs purged): a replica's live documents are not the fold of its
 * change log. Replay runs the log and folds each replica's change log (foldLog), as the property does. [limitation]
 * The property compares the two as JSON text, this as values: a fold that gave the same values with its fields in
 * another order fails the property and is "not reproduced" here (a difference no reader of a document sees).
 */
function notTheFoldOfItsLog(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits): string | undefined {
  const { sim } = runLog(events, registry, limits);
  for (const server of sim.serverNames()) {
    for (const db of sim.databaseNames()) {
      const r = sim.replica(server, db);
      if (r === undefined) continue;
      const diff = firstDifference(JSON.parse(JSON.stringify(r.notes())) as unknown, JSON.parse(JSON.stringify(foldLog(r.log()))) as unknown, 'documents', 'its change log folded');
      if (diff !== undefined) return `the replica of ${db} on ${server} is not the fold of its change log (R7): ${diff}`;
    }
  }
  return undefined;
}

/** 1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * replicate-converges writes the run that did not converge (judged as sim-converges' are, but for OID collisions:
 * replicasNotConverged), or, when both starting sides converged to different states, both runs with a `compare` note:
 * one log alone cannot show that, so it is not checked.
 */
function oneRunNotConverged(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits, meta: Readonly<Record<string, unknown>>): string | undefined {
  // (With the header's command to check it again, as another checker's claim has: a developer's QA pass missed it here.)
  const how = typeof meta['reproduce'] === 'string' ? `; the header's command to check it again, from the repository's root: ${meta['reproduce']}` : '';
  if (meta['compare'] !== undefined) throw new Uncheckable(`this log is one of two to compare (${String(meta['compare'])}): one run alone cannot show it${how}`);
  return replicasNotConverged(events, registry, limits, meta);
}

/**
 * replicate-converges' and replicate-converges-capped's log of a run that did not converge: replicas apart at the
 * end. Unlike sim-converges, these properties exempt no OID collision: they compare the copies' contents, and their
 * cases make no collision of their own, where the engine's summary counts copies of one version with different
 * contents as an OID collision (R3), not as failing to converge. A collision that no two servers made is a transfer
 * that changed a version (unmadeCollision): reproduced (a planted bug that dropped an item from a copy as it arrived,
 * keeping its version, read "NO" in the bugged engine). [choice] One that two servers made is "not checked", never
 * "NO": the property compares contents, which such a collision keeps apart, and the end of the run cannot say whether
 * the property's own check, which also starts from the other side, fails on it.
 */
function replicasNotConverged(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits, meta: Readonly<Record<string, unknown>>): string | undefined {
  const { summary, sim, derived } = runLog(events, registry, limits, true);
  if (summary.collisions > 0) {
    // One that no two servers made is a transfer that changed a version: the claim, reproduced.
    const unmade = unmadeCollision(sim, derived);
    if (unmade !== undefined) return `the replicas differ at the end: ${unmade}`;
    throw new Uncheckable(`the run ends with ${summary.collisions} OID collision${summary.collisions === 1 ? '' : 's'} (R3: copies of one version whose contents differ), which the engine does not count as failing to converge, where the property compares contents; the property's own command checks it, from the repository's root${reproduceCommand(meta)}`);
  }
  return summary.converged ? undefined : 'the replicas differ at the end, and no OID collision keeps them apart';
}

/**
 * Where the log's run ends with a copy of the document that is neither the version R5 makes the winner (the header's
 * `expected`: `db`, `unid`, `winner` as [seq, seqTime], as the property computes it from the rule) nor a later version
 * of it (a merge holds it in its revisions). [choice] This sees one of the property's assertions: the winner. The
 * property also checks the merged items, the conflict's fields and that the loser sent back changes nothing, which
 * the end of a run does not show; so a run whose copies end as the winner is "not checked" (with the property's
 * command), never "not reproduced": it said "NO" of an engine that merged the loser's value (a review).
 */
function notTheWinner(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits, meta: Readonly<Record<string, unknown>>): string | undefined {
  const x = meta['expected'] as { db?: unknown; unid?: unknown; winner?: unknown } | undefined;
  const w = x?.winner;
  if (typeof x?.db !== 'string' || typeof x.unid !== 'string' || !Array.isArray(w) || w.length !== 2 || !w.every((v) => Number.isSafeInteger(v))) {
    throw new Uncheckable('the header carries no winner to judge the run by (its "expected": db, unid, and winner as [seq, seqTime])');
  }
  const [seq, seqTime] = w as [number, number];
  const { sim } = runLog(events, registry, limits);
  let copies = 0;
  for (const server of sim.serverNames()) {
    const n = sim.replica(server, x.db)?.get(x.unid);
    if (n === undefined) continue;
    copies++;
    if ((n.seq === seq && n.seqTime === seqTime) || n.revisions.includes(seq, seqTime)) continue;
    return `on ${server}, ${x.unid} ends as seq ${n.seq}@${n.seqTime}, which is neither the version R5 makes the winner (seq ${seq}@${seqTime}) nor a later version of it`;
  }
  if (copies === 0) throw new Uncheckable(`the run holds no copy of ${x.unid} in ${x.db}, the document the header names`);
  throw new Uncheckable(`every copy of ${x.unid} ends as the version R5 makes the winner or a later one; the rest of what the property checks (the merged items, the conflict's fields, the loser sent back) is not in the run's end, so the property's own command checks it, from the repository's root${reproduceCommand(meta)}`);
}

/**
 * Where the log's run ends otherwise than the model it was written with (`meta.expected`: the database and each
 * replica's replicaView). [limitation] The test compares after every command; replay compares at the end, so a
 * difference the later commands undo is not seen (the claim then reads "not reproduced": the header's `reproduce`
 * command runs the property itself).
 */
function notAsModelled(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits, meta: Readonly<Record<string, unknown>>): string | undefined {
  const expected = meta['expected'];
  const db = (expected as { db?: unknown } | undefined)?.db;
  const replicas = (expected as { replicas?: unknown } | undefined)?.replicas;
  if (typeof db !== 'string' || typeof replicas !== 'object' || replicas === null || Array.isArray(replicas)) {
    throw new Uncheckable('the header carries no model expectation to judge the run by (its "expected": the database and each replica as the model left it)');
  }
  const { sim } = runLog(events, registry, limits);
  const servers = sim.serverNames();
  for (const [server, want] of Object.entries(replicas as Record<string, unknown>)) {
    // A server the log does not define is the header's mistake, not the engine's (a review: `"__proto__": {}` read
    // "reproduced yes").
    if (!servers.includes(server)) throw new Uncheckable(`the header's expectation names a server the log does not define, "${server}"`);
    const rep = sim.replica(server, db);
    if (rep === undefined) return `the model has a replica of ${db} on ${server}, the log's run none`;
    // The documents first, each by its version: a change number that differs follows from a document that does, which
    // says more (the property's own message named `.changes` first, a developer's QA pass).
    const diff = firstDifference(replicaView(rep), want, '');
    if (diff !== undefined) return `the replica of ${db} on ${server} is not the model's: ${diff}`;
  }
  return undefined;
}

/** The most of each value a difference quotes (a whole replica of 10,000 inputs' documents was written out). */
const SAID_CHARS = 200;

/**
 * A replica view's fields in the order a difference is best said in: which document, its version, then what follows
 * from it (its change number; the replica's). Others after them, by name.
 */
const FIELD_ORDER = ['unid', 'seq', 'seqTime', 'deleted', 'revisions', 'items', 'no', 'docs', 'changes'];
const rank = (k: string): number => {
  const i = FIELD_ORDER.indexOf(k);
  return i < 0 ? FIELD_ORDER.length : i;
};

/**
 * Where two JSON values first differ (a path as `.docs[0].seqTime`, and the two values, each cut at SAID_CHARS), or
 * undefined if equal. Own properties only: a key from an untrusted header (`constructor`, `__proto__`) is not looked
 * up through a prototype (a review: `{"constructor": 1}` ended replay with an internal error, exit 70).
 */
function firstDifference(got: unknown, want: unknown, path: string, other = 'the model'): string | undefined {
  const own = (o: object, k: string): unknown => (Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined);
  if (Array.isArray(got) && Array.isArray(want)) {
    for (let i = 0; i < Math.min(got.length, want.length); i++) {
      const d = firstDifference(got[i], want[i], `${path}[${i}]`, other);
      if (d !== undefined) return d;
    }
    return got.length === want.length ? undefined : `${path || 'the value'} has ${got.length} entries where ${other} has ${want.length}`;
  }
  if (typeof got === 'object' && got !== null && typeof want === 'object' && want !== null && !Array.isArray(got) && !Array.isArray(want)) {
    const keys = [...new Set([...Object.keys(got), ...Object.keys(want)])].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const k of keys) {
      const d = firstDifference(own(got, k), own(want, k), `${path}.${k}`, other);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return Object.is(got, want) ? undefined : `at ${path || 'the top'}, the run has ${got === undefined ? 'nothing' : said(canonicalJson(got))} where ${other} has ${want === undefined ? 'nothing' : said(canonicalJson(want))}`;
}

/** A value's JSON text as a difference quotes it: cut at SAID_CHARS; `nothing` for none. */
function said(text: string | undefined): string {
  if (text === undefined) return 'nothing';
  return text.length > SAID_CHARS ? `${text.slice(0, SAID_CHARS)}...` : text;
}

/**
 * The log's run as replay runs it: its designs from `registry`, within replay's --max-run and --max-work; with
 * `collect`, its derived events kept (`derived`).
 */
function runLog(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits, collect = false): ReturnType<typeof runEvents> {
  return runEvents(events, { ...replayOptions(registry, limits), collect });
}

/** The simulator's options for a log's run as replay runs it: its designs from `registry`, within replay's limits. */
function replayOptions(registry: DesignRegistry, limits: RunLimits) {
  return { behaviours: behaviourFactory(registry), ...simulatorLimits(limits) };
}

/** `: <command>`, the header's `reproduce` (the property's own command), to end a sentence that names it; else nothing. */
function reproduceCommand(meta: Readonly<Record<string, unknown>>): string {
  return typeof meta['reproduce'] === 'string' ? `: ${meta['reproduce']}` : '';
}

/**
 * sim-converges' and sim-cluster-converges' claim: replicas apart at the end, with no OID collision to keep them apart,
 * or with one that no two servers made (unmadeCollision: a transfer changed a version, which the properties check too).
 */
function notConverged(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits): string | undefined {
  const { summary, sim, derived } = runLog(events, registry, limits, true);
  if (summary.collisions === 0) return summary.converged ? undefined : 'the replicas differ at the end, and no OID collision keeps them apart';
  const unmade = unmadeCollision(sim, derived);
  return unmade === undefined ? undefined : `the replicas differ at the end: ${unmade}`;
}

/**
 * sim-cluster-relays' claim (R12): the cluster's members (the servers whose `server` event names a cluster) apart at the
 * end, as the property judges them (its membersApart): each database's members holding other OIDs or contents (the
 * summary's meaning of converged; the server outside the cluster, whose saves sessions brought to members, is not
 * judged), but for an OID collision between members (R3) that two servers made. (A review: a collision no two servers
 * made, between a member and the outsider, read "reproduced yes" with the members alike.)
 */
function membersNotConverged(events: readonly InputEvent[], registry: DesignRegistry, limits: RunLimits): string | undefined {
  const { summary, sim, derived } = runLog(events, registry, limits, true);
  const unmade = summary.collisions > 0 ? unmadeCollision(sim, derived) : undefined;
  const members = new Set<string>();
  for (const e of events) if (e.type === 'server' && e.cluster !== undefined) members.add(e.name);
  const apart = firstApart(sim, (x) => members.has(x));
  if (apart === undefined) return undefined;
  const [x, y] = apart.servers;
  if (apart.kind === 'apart') return `the cluster's members ${x} and ${y} hold other documents in ${apart.db} at the end (${apart.unid}), and no OID collision keeps them apart`;
  return unmade === undefined ? undefined : `the cluster's members ${x} and ${y} hold ${apart.unid} in ${apart.db} at one OID with other contents, a collision no two servers made: ${unmade}`;
}

function propertyCheckOf(meta: Readonly<Record<string, unknown>>): PropertyCheck | undefined {
  const name = meta['invariant'];
  return typeof name === 'string' && meta['recordedBy'] === `property ${name}` && Object.hasOwn(PROPERTY_CHECKS, name) ? PROPERTY_CHECKS[name] : undefined;
}

/**
 * An explore storm log's header: no invariant, its `storm` the loop's place ("a loop of L steps from step S, shown
 * twice": the log's last 2L inputs before its `end`). Checked as the claim "no-storm" is violated.
 */
function isStormClaim(meta: Readonly<Record<string, unknown>>): boolean {
  return meta['recordedBy'] === 'replstorm explore' && meta['invariant'] === undefined && typeof meta['storm'] === 'string';
}

const STORM_TEXT = /^a loop of (\d+) steps? from step (\d+), shown twice$/;

/**
 * An explore storm log's loop length L, from its header's `storm` ("a loop of L steps from step S, shown twice"): its
 * last 2L inputs before the `end` are the loop, run twice. Undefined for any other log.
 */
export function stormLoopLength(meta: Readonly<Record<string, unknown>>): number | undefined {
  if (!isStormClaim(meta)) return undefined;
  const m = STORM_TEXT.exec(meta['storm'] as string);
  return m === null ? undefined : Number(m[1]);
}

/**
 * Checks a counterexample log's claim again (replay's `claim`), with the checker that wrote it: verify's check of the
 * invariant on the whole run, with its clean-only baseline, its storm bound and 2-hour cap, and the design's read-only
 * kinds; explore's check on the path, or, for a storm log (no `invariant`, its `storm` the loop's place), that the
 * loop comes back to where it started with scanner revisions (claimed as "no-storm" violated). Undefined when the
 * header claims nothing: from another checker, no `violation`. `unchecked`: another
 * checker's claim (its events are not run), an invariant the checker does not know (a log of a later version), or
 * events not kept (`events` undefined). Pure: `meta`, `events`, `registry` and `limits` are its inputs.
 *
 * [choice] design-runs is reproduced when the design's code throws on the events again; replay, whose own run then
 * fails first (exit 2, at the line), says so in that refusal (main.ts), so from replay it reads here only when the
 * design ran: "not reproduced".
 */
export function recheckClaim(
  meta: Readonly<Record<string, unknown>>,
  events: readonly InputEvent[] | undefined,
  registry: DesignRegistry,
  limits: ClaimLimits = {},
  /** Called before each try of a claim checked more than once (NONDETERMINISM_CLAIMS): for a progress line. */
  onTry?: (t: number, of: number) => void,
): ClaimCheck | undefined {
  const recordedBy = meta['recordedBy'];
  const invariant = meta['invariant'];
  // [choice] A storm log is checked too (it was not, nor said "not checked": a storm log replayed with a sound design
  // in its place read as nothing claimed, a researcher's review): its loop must come back to where it started, with
  // scanner revisions, when run again.
  if (isStormClaim(meta)) {
    const setup = meta['setupInputs'];
    const other = exploreDesignMismatch(meta, events);
    if (other !== undefined) return { recordedBy: 'replstorm explore', invariant: 'no-storm', claimed: meta['storm'] as string, reproduced: false, unchecked: other };
    return recheckStorm(meta['storm'] as string, typeof setup === 'number' && Number.isSafeInteger(setup) && setup >= 0 ? setup : undefined, events, registry, limits);
  }
  if (typeof invariant !== 'string') {
    // A header that claims a violation but names its invariant with something other than text (a number, an object)
    // is said not checked, as an unknown name is (it showed no claim at all, and --json no \`claim\`: a hardening QA pass).
    if (invariant === undefined || typeof meta['violation'] !== 'string') return undefined;
    const by = typeof recordedBy === 'string' ? recordedBy : JSON.stringify(recordedBy) ?? 'an unnamed checker';
    const written = JSON.stringify(invariant) ?? String(invariant);
    return { recordedBy: by, invariant: written, claimed: meta['violation'], reproduced: false, unchecked: `the header's invariant is ${written}, not a name: nothing to check it with` };
  }
  const claimed = typeof meta['violation'] === 'string' ? meta['violation'] : undefined;
  const property = propertyCheckOf(meta);
  if (property !== undefined && claimed !== undefined) {
    const base = { recordedBy: recordedBy as string, invariant, claimed };
    if (events === undefined) return { ...base, reproduced: false, unchecked: `the log's input events were not kept (replay keeps at most ${MAX_CLAIM_INPUTS.toLocaleString('en-US')})` };
    try {
      const tries = NONDETERMINISM_CLAIMS.has(invariant) ? CLAIM_TRIES : 1;
      for (let t = 1; t <= tries; t++) {
        if (tries > 1) onTry?.(t, tries);
        const message = property(events, registry, limits, meta);
        if (message !== undefined) return { ...base, reproduced: true, message, ...(t > 1 ? { tries: t } : {}) };
      }
      return { ...base, reproduced: false, ...(tries > 1 ? { tries } : {}) };
    } catch (err) {
      if (err instanceof LogError || err instanceof Uncheckable) return { ...base, reproduced: false, unchecked: err.message };
      throw err;
    }
  }
  if (recordedBy !== 'replstorm verify' && recordedBy !== 'replstorm explore') {
    // Another checker's claim (a property test's: its assertion failed on this run): said not checked, with the
    // command the header gives to check it (`reproduce`), rather than nothing, which read as if nothing was claimed.
    if (claimed === undefined) return undefined;
    const by = typeof recordedBy === 'string' ? recordedBy : JSON.stringify(recordedBy) ?? 'an unnamed checker';
    // (The header's command is written as run from the repository's root, with no path of the machine that wrote it:
    // from elsewhere it finds no test file, a developer's QA pass.)
    const how = typeof meta['reproduce'] === 'string' ? `; the header's command to check it again, from the repository's root: ${meta['reproduce']}` : '';
    return { recordedBy: by, invariant, claimed, reproduced: false, unchecked: `written by ${by}, whose check replay does not have${how}` };
  }
  const base = { recordedBy, invariant, claimed };
  const unchecked = (why: string): ClaimCheck => ({ ...base, reproduced: false, unchecked: why });
  if (events === undefined) return unchecked(`the log's input events were not kept (replay keeps at most ${MAX_CLAIM_INPUTS.toLocaleString('en-US')}; a counterexample has tens)`);
  let check: () => string | undefined;
  if (recordedBy === 'replstorm verify') {
    if (!(INVARIANT_NAMES as readonly string[]).includes(invariant)) return unchecked(`"${invariant}" is not one of verify's invariants (${INVARIANT_NAMES.join(', ')})`);
    const name = meta['design'];
    if (typeof name !== 'string') return unchecked('the header names no design (its "design" field): the suite\'s check needs it');
    // The design whose promises and baseline the check uses is the one the log runs: a header naming another (edited
    // by hand) had noop's promises judge smsdom's run (a review). Verify's cases install one design, with one set of
    // settings, on every server.
    const scanners = events.filter((e) => e.type === 'scanner');
    const other = scanners.find((e) => e.design !== name);
    if (other !== undefined) return unchecked(`the header names the design "${name}", but the log installs "${other.design}": verify's cases run one design`);
    const configs = new Set(scanners.map((e) => canonicalJson(e.config ?? {})));
    if (configs.size > 1) return unchecked(`the log installs "${name}" with different settings on different servers: verify's cases give every server the same`);
    const design = registry.get(name);
    if (design === undefined) return unchecked(`the design "${name}" the log was written for is not loaded (a module of yours: --design ${name}=path/to/it.ts)`);
    check = () => {
      const r = recheckVerifyClaim(invariant as InvariantName, events, registry, design, limits);
      if (r.crashed !== undefined) throw new Uncheckable(`the design's code threw, and only design-runs judges such a run: ${r.crashed}`);
      return r.violated;
    };
  } else {
    if (!isExploreClaim(invariant)) return unchecked(`"${invariant}" is not one of explore's invariants (${EXPLORE_CLAIMS.join(', ')})`);
    const other = exploreDesignMismatch(meta, events);
    if (other !== undefined) return unchecked(other);
    check = () => recheckExploreClaim(invariant, events, registry, limits);
  }
  try {
    const message = check();
    return message === undefined ? { ...base, reproduced: false } : { ...base, reproduced: true, message };
  } catch (err) {
    // A log that does not run (a design's code that throws, an event the engine refuses, a run over its work limit)
    // cannot be judged; anything else is replstorm's own error.
    if (err instanceof Uncheckable || err instanceof LogError) return unchecked(err.message);
    throw err;
  }
}

/**
 * The digest of the final state of the log's inputs run with these designs, within the limits; undefined when the
 * run does not finish (a design's code throws, an event is refused, a budget is exceeded): a caller comparing runs
 * then has nothing to compare.
 */
export function runDigest(events: readonly InputEvent[], registry: DesignRegistry, limits: ClaimLimits = {}): string | undefined {
  try {
    return runLog(events, registry, limits).summary.digest;
  } catch (err) {
    if (err instanceof LogError) return undefined;
    throw err;
  }
}

/**
 * Why an explore log's claim is not about the log's run: its header's `designs` (the designs explore installed) do
 * not name one the log installs (edited by hand: a QA pass had a log edited to run noop read "reproduced NO", where
 * a verify log edited alike reads "not checked"). undefined when they agree, or for a header without the field (logs
 * written before it, checked as they were).
 */
function exploreDesignMismatch(meta: Readonly<Record<string, unknown>>, events: readonly InputEvent[] | undefined): string | undefined {
  const named = meta['designs'];
  if (events === undefined || !Array.isArray(named) || !named.every((d) => typeof d === 'string')) return undefined;
  const other = events.find((e) => e.type === 'scanner' && !named.includes(e.design));
  if (other === undefined || other.type !== 'scanner') return undefined;
  const names = named.length === 0 ? 'no design' : `the design${named.length === 1 ? '' : 's'} ${named.map((d) => `"${d}"`).join(', ')}`;
  return `the header names ${names}, but the log installs "${other.design}": explore's claim is about the run it wrote`;
}

/** An explore storm log's claim (isStormClaim), checked again: confirmExploreStorm on the log's inputs. */
function recheckStorm(storm: string, setupInputs: number | undefined, events: readonly InputEvent[] | undefined, registry: DesignRegistry, limits: ClaimLimits): ClaimCheck {
  const base = { recordedBy: 'replstorm explore', invariant: 'no-storm', claimed: storm };
  if (events === undefined) return { ...base, reproduced: false, unchecked: `the log's input events were not kept (replay keeps at most ${MAX_CLAIM_INPUTS.toLocaleString('en-US')})` };
  const m = STORM_TEXT.exec(storm);
  if (m === null) return { ...base, reproduced: false, unchecked: `the header's storm does not say where its loop is ("a loop of L steps from step S, shown twice")` };
  // (A design of the user's may act on what the abstraction renumbers, or on the time: confirmExploreStorm.)
  try {
    const r = confirmExploreStorm(events, Number(m[1]), Number(m[2]), registry, limits, setupInputs);
    if (typeof r === 'string') return { ...base, reproduced: false, unchecked: r };
    if (!r) return { ...base, reproduced: false };
    return { ...base, reproduced: true, message: storm };
  } catch (err) {
    if (err instanceof LogError) return { ...base, reproduced: false, unchecked: err.message };
    throw err;
  }
}
