// Test support (not a test file): runs input events through the simulator, builds events tersely, writes v1 logs for
// counterexamples, and generates random replication histories (used by the property suite and by the cross-process
// determinism check, which imports this file from a child process).
import fc from 'fast-check';
import { encodeLog } from '../src/log/encodeLog.js';
import { foldLog, type Replica } from '../src/replica/replica.js';
import { Simulator, type SimulatorOptions } from '../src/simulate/simulator.js';
import type { Summary } from '../src/simulate/summary.js';
import type {
  DerivedEvent,
  InputEvent,
  ItemValue,
  LocatedEvent,
  ReplicatedEvent,
  ReplicationMode,
  SessionEvent,
} from '../src/log/events.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface SimRun {
  readonly summary: Summary;
  readonly derived: DerivedEvent[];
  readonly sim: Simulator;
}

export interface SimulateOptions extends Omit<SimulatorOptions, 'onDerived'> {
  /** Keep the derived events (default true); the scale test turns it off to save memory. */
  readonly collect?: boolean;
}

/** Line numbers as a log file would give them: line 1 is the header, event i (from 0) is line i + 2. */
export function locate(events: readonly InputEvent[]): LocatedEvent<InputEvent>[] {
  return events.map((event, i) => ({ line: i + 2, event }));
}

/** Feeds the events in order (line = index + 2) and finishes the run. */
export function simulate(events: Iterable<InputEvent>, options: SimulateOptions = {}): SimRun {
  const derived: DerivedEvent[] = [];
  const { collect = true, ...rest } = options;
  const sim = new Simulator({ ...rest, ...(collect ? { onDerived: (e: DerivedEvent) => derived.push(e) } : {}) });
  let line = 2;
  for (const event of events) sim.feed({ line: line++, event });
  return { summary: sim.finish(), derived, sim };
}

/** The n-th test UNID: 32 upper-case hex digits. */
export function unid(n: number): string {
  return n.toString(16).toUpperCase().padStart(32, '0');
}

export function items(obj: Readonly<Record<string, ItemValue>>): Map<string, ItemValue> {
  return new Map(Object.entries(obj));
}

export function sessions(derived: readonly DerivedEvent[]): SessionEvent[] {
  return derived.filter((e): e is SessionEvent => e.type === 'session');
}

export function replicated(derived: readonly DerivedEvent[]): ReplicatedEvent[] {
  return derived.filter((e): e is ReplicatedEvent => e.type === 'replicated');
}

// ---------------------------------------------------------------- v1 log text

/** A whole v1 log (header, then one line per event), for counterexample files. */
export function encodeLogText(events: readonly InputEvent[], meta: Readonly<Record<string, unknown>> = {}): string {
  return encodeLog({ replog: 1, meta }, events);
}

// ---------------------------------------------------------------- laws

/** Replay equals live: every replica's live state is the fold of its change log (purges included). */
export function assertReplayEqualsLive(sim: Simulator): void {
  for (const server of sim.serverNames()) {
    for (const db of sim.databaseNames()) {
      const r: Replica | undefined = sim.replica(server, db);
      if (r === undefined) continue;
      const replayed = JSON.stringify(foldLog(r.log()));
      const live = JSON.stringify(r.notes());
      if (replayed !== live) throw new Error(`replay differs from live state on ${server}/${db}:\nreplayed ${replayed}\nlive     ${live}`);
    }
  }
}

/**
 * Where the replicas of a database first differ, for a failure message: the first document (by database, then UNID)
 * missing somewhere or at another version somewhere, with its version on each replica. A convergence property said
 * only "not converged" and the summary (a developer's QA pass).
 */
export function firstDivergence(sim: Simulator): string {
  const version = (n: { seq: number; seqTime: number; deleted: boolean } | undefined) => (n === undefined ? 'missing' : `seq ${n.seq}, seqTime ${n.seqTime}${n.deleted ? ' (stub)' : ''}`);
  for (const db of sim.databaseNames()) {
    const reps = sim.replicaServers(db).map((s) => [s, sim.replica(s, db)!] as const);
    const unids = new Set<string>();
    for (const [, r] of reps) for (const n of r.notes()) unids.add(n.unid);
    for (const u of [...unids].sort()) {
      const versions = reps.map(([, r]) => version(r.get(u)));
      if (new Set(versions).size > 1) return `${db} ${u}: ${reps.map(([s], i) => `${versions[i]} on ${s}`).join('; ')}`;
    }
  }
  return 'every document is at the same version everywhere (the contents of a version differ)';
}

// ---------------------------------------------------------------- random histories

/** One step of a random history, in abstract form; `buildHistory` turns it into valid input events. */
export type PlanOp =
  | { readonly k: 'save'; readonly dt: number; readonly s: number; readonly db: number; readonly doc: number; readonly item: number; readonly value: number; readonly action: string | null }
  | { readonly k: 'delete'; readonly dt: number; readonly s: number; readonly db: number; readonly doc: number }
  | { readonly k: 'partition'; readonly dt: number; readonly groupOf: readonly number[] }
  /** `alignMs`: the wait then runs on to the next multiple of it (purgingPlanArb: a deletion at a purge limit's edge). */
  | { readonly k: 'heal'; readonly dt: number; readonly alignMs?: number }
  | { readonly k: 'crash'; readonly dt: number; readonly s: number }
  | { readonly k: 'restart'; readonly dt: number; readonly s: number }
  | { readonly k: 'replicate'; readonly dt: number; readonly s: number; readonly p: number; readonly mode: ReplicationMode; readonly db: number | null }
  | { readonly k: 'push'; readonly dt: number; readonly s: number; readonly p: number }
  | { readonly k: 'connection'; readonly dt: number; readonly s: number; readonly p: number; readonly everyMs: number; readonly mode: ReplicationMode }
  /** One agent run on two servers at once: the same save on both in one millisecond, or saves then deletions. */
  | { readonly k: 'twin'; readonly dt: number; readonly s: number; readonly p: number; readonly db: number; readonly doc: number; readonly del: boolean; readonly item: number; readonly value: number };

export interface HistoryPlan {
  readonly servers: readonly { readonly skew: number; readonly msPerDoc: number; readonly inCluster: boolean }[];
  /** Cluster replication among the servers marked `inCluster` (when at least two are). */
  readonly clusterIntervalMs: number | null;
  /** Each database's replicas, as server indexes (at least two). */
  readonly dbs: readonly (readonly number[])[];
  readonly ops: readonly PlanOp[];
  /**
   * R10: the databases' `purgeDays` (default 90: no run here lasts that long, so no stub is purged). A plan that sets
   * it gets its deletions checked against a running engine as the log is built (buildPrefix): a server's own stub may
   * be purged before it deletes the document again, and a delete of a document it no longer holds is refused.
   */
  readonly purgeDays?: number;
}

const DOCS_PER_DB = 4;

export function serverName(i: number): string {
  return `S${i}`;
}

export function dbName(i: number): string {
  return `db${i}.nsf`;
}

function docUnid(db: number, doc: number): string {
  return unid(0xd0c0 + db * 16 + doc);
}

export const historyPlanArb: fc.Arbitrary<HistoryPlan> = fc
  .record({
    n: fc.integer({ min: 2, max: 3 }),
    skewed: fc.boolean(),
    clustered: fc.boolean(),
    clusterIntervalMs: fc.constantFrom(1000, 15_000, 0),
    nDbs: fc.integer({ min: 1, max: 2 }),
  })
  .chain(({ n, skewed, clustered, clusterIntervalMs, nDbs }) => {
    const server = fc.integer({ min: 0, max: n - 1 });
    const dt = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 60_000 }));
    const db = fc.integer({ min: 0, max: nDbs - 1 });
    const op: fc.Arbitrary<PlanOp> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ k: fc.constant('save' as const), dt, s: server, db, doc: fc.integer({ min: 0, max: DOCS_PER_DB - 1 }), item: fc.integer({ min: 0, max: 2 }), value: fc.integer({ min: 0, max: 3 }), action: fc.option(fc.constantFrom('1', '2', '3'), { freq: 6, nil: null }) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant('delete' as const), dt, s: server, db, doc: fc.integer({ min: 0, max: DOCS_PER_DB - 1 }) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('partition' as const), dt, groupOf: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('heal' as const), dt }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('crash' as const), dt, s: server }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('restart' as const), dt, s: server }) },
      { weight: 4, arbitrary: fc.record({ k: fc.constant('replicate' as const), dt, s: server, p: server, mode: fc.constantFrom<ReplicationMode>('pull-push', 'pull', 'push', 'pull-pull'), db: fc.option(db, { nil: null }) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('push' as const), dt, s: server, p: server }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('connection' as const), dt, s: server, p: server, everyMs: fc.constantFrom(10 * MINUTE, HOUR), mode: fc.constantFrom<ReplicationMode>('pull-push', 'pull', 'push', 'pull-pull') }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant('twin' as const), dt, s: server, p: server, db, doc: fc.integer({ min: 0, max: DOCS_PER_DB - 1 }), del: fc.boolean(), item: fc.integer({ min: 0, max: 2 }), value: fc.integer({ min: 0, max: 3 }) }) },
    );
    return fc.record({
      servers: fc.array(
        fc.record({
          skew: skewed ? fc.integer({ min: -5000, max: 5000 }) : fc.constant(0),
          msPerDoc: fc.constantFrom(1, 7, 20),
          inCluster: fc.constant(clustered),
        }),
        { minLength: n, maxLength: n },
      ),
      clusterIntervalMs: fc.constant(clustered ? clusterIntervalMs : null),
      dbs: fc.array(fc.subarray([...Array(n).keys()], { minLength: 2 }), { minLength: nDbs, maxLength: nDbs }),
      ops: fc.array(op, { minLength: 5, maxLength: 60, size: 'max' }),
    });
  });

/**
 * R10: histories whose stubs are purged. historyPlanArb's plans, with `purgeDays` from 0 to 2 and waits of half a day to
 * two days (`heal` steps: they end a partition, nothing more) put among the steps and after the last, so that the
 * daily purge checks run while stubs are older than `purgeDays`.
 */
export const purgingPlanArb: fc.Arbitrary<HistoryPlan> = fc
  .record({
    plan: historyPlanArb,
    purgeDays: fc.constantFrom(0, 0.5, 1, 2),
    waits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: DAY / 2, max: 2 * DAY })), { minLength: 1, maxLength: 4 }),
    // Deletions at the edge of a purge limit: a save and a deletion at a multiple of half a day, so that a daily check
    // comes exactly purgeDays after the stub on the server that made it (purgeDays 0, 1 or 2 on a whole day; 0.5 on a
    // half). Such a stub is not older than purgeDays and stays (R10's "older than"): a purge of it at `<=` passed 3,300
    // cases without them, where the stubs' times almost never met a check's limit (a developer's QA pass).
    edges: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 * DAY })), { maxLength: 2 }),
  })
  .map(({ plan, purgeDays, waits, edges }) => {
    const ops = [...plan.ops];
    for (const [pos, dt] of waits) ops.splice(pos % (ops.length + 1), 0, { k: 'heal', dt });
    for (const [pos, dbPick, serverPick, doc, dt] of edges) {
      const db = dbPick % plan.dbs.length;
      const replicas = plan.dbs[db]!;
      const s = replicas[serverPick % replicas.length]!;
      const d = doc % DOCS_PER_DB;
      ops.splice(pos % (ops.length + 1), 0, { k: 'heal', dt, alignMs: DAY / 2 }, { k: 'save', dt: 0, s, db, doc: d, item: 0, value: 0, action: null }, { k: 'delete', dt: 0, s, db, doc: d });
    }
    // And one after the last step: the stubs it leaves are purged before the final rounds of sessions.
    ops.push({ k: 'heal', dt: 2 * DAY + 1 });
    return { ...plan, ops, purgeDays };
  });

/** The prefix of a history: definitions and the random steps, every one valid (nothing acts on a crashed server). */
export function buildPrefix(plan: HistoryPlan): { events: InputEvent[]; at: number } {
  const events: InputEvent[] = [];
  const names = plan.servers.map((_, i) => serverName(i));
  plan.servers.forEach((s, i) => {
    const cluster = plan.clusterIntervalMs !== null && s.inCluster ? { cluster: 'C1', clusterIntervalMs: plan.clusterIntervalMs } : {};
    events.push({ at: 0, type: 'server', name: names[i]!, clockSkewMs: s.skew, replicationMsPerDoc: s.msPerDoc, ...cluster });
  });
  plan.dbs.forEach((reps, i) => events.push({ at: 0, type: 'database', name: dbName(i), replicas: reps.map(serverName), ...(plan.purgeDays !== undefined ? { purgeDays: plan.purgeDays } : {}) }));
  const holds = (s: number, db: number) => plan.dbs[db]!.includes(s);
  // With purging (plan.purgeDays), whether a server still holds a document when it deletes it is asked of an engine
  // run on the events so far: purges happen at the engine's daily checks, and the plan cannot foresee them.
  const probe = plan.purgeDays !== undefined ? new Simulator() : undefined;
  let fed = 0;
  const holdsNow = (s: number, db: number, doc: number, at: number): boolean => {
    if (probe === undefined) return true;
    for (; fed < events.length; fed++) probe.feed({ line: fed + 2, event: events[fed]! });
    probe.advance(at);
    return probe.replica(names[s]!, dbName(db))?.get(docUnid(db, doc)) !== undefined;
  };
  const up = plan.servers.map(() => true);
  // Documents a server has saved or deleted stay in its replica (stubs are purged only after 90 days; with
  // plan.purgeDays, holdsNow asks the engine).
  const present = new Set<string>();
  let at = 1000;
  for (const op of plan.ops) {
    at += op.dt;
    switch (op.k) {
      case 'save': {
        if (!up[op.s] || !holds(op.s, op.db)) break;
        const set = new Map<string, ItemValue>([[`F${op.item}`, op.value]]);
        if (op.action !== null) set.set('$ConflictAction', op.action);
        events.push({ at, type: 'save', server: names[op.s]!, db: dbName(op.db), unid: docUnid(op.db, op.doc), by: `user/u${op.s}`, set });
        present.add(`${op.s}:${op.db}:${op.doc}`);
        break;
      }
      case 'delete':
        if (!up[op.s] || !present.has(`${op.s}:${op.db}:${op.doc}`) || !holdsNow(op.s, op.db, op.doc, at)) break;
        events.push({ at, type: 'delete', server: names[op.s]!, db: dbName(op.db), unid: docUnid(op.db, op.doc), by: `agent/a${op.s}` });
        break;
      case 'partition': {
        const groups: string[][] = [];
        op.groupOf.forEach((g, s) => (groups[g] ??= []).push(names[s]!));
        events.push({ at, type: 'partition', groups: groups.filter((g) => g !== undefined) });
        break;
      }
      case 'heal':
        if (op.alignMs !== undefined) at = Math.ceil(at / op.alignMs) * op.alignMs;
        events.push({ at, type: 'heal' });
        break;
      case 'crash':
        if (!up[op.s]) break; // only a running server crashes (a crash of a down one is refused: SERVER_DOWN)
        up[op.s] = false;
        events.push({ at, type: 'crash', server: names[op.s]! });
        break;
      case 'restart':
        if (up[op.s]) break; // only a crashed server restarts (a restart of a running one is refused: SERVER_UP)
        up[op.s] = true;
        events.push({ at, type: 'restart', server: names[op.s]! });
        break;
      case 'replicate': {
        if (!up[op.s] || op.s === op.p) break;
        const db = op.db !== null && holds(op.s, op.db) && holds(op.p, op.db) ? { db: dbName(op.db) } : {};
        events.push({ at, type: 'replicate', server: names[op.s]!, partner: names[op.p]!, mode: op.mode, ...db });
        break;
      }
      case 'push':
        if (!up[op.s] || op.s === op.p || plan.clusterIntervalMs === null) break;
        events.push({ at, type: 'push', server: names[op.s]!, partner: names[op.p]! });
        break;
      case 'connection':
        if (op.s === op.p) break;
        events.push({ at, type: 'connection', server: names[op.s]!, partner: names[op.p]!, everyMs: op.everyMs, mode: op.mode });
        break;
      case 'twin': {
        // An agent running on two servers at once: both save the document (in the same millisecond, or a
        // millisecond apart before both delete it). Equal seq and seqTime on both sides is R3's territory.
        const both = [op.s, op.p].filter((s) => op.s !== op.p && up[s] && holds(s, op.db));
        both.forEach((s, i) => {
          const set = new Map<string, ItemValue>([[`F${op.item}`, op.value]]);
          events.push({ at: at + (op.del ? i : 0), type: 'save', server: names[s]!, db: dbName(op.db), unid: docUnid(op.db, op.doc), by: `agent/a${s}`, set });
          present.add(`${s}:${op.db}:${op.doc}`);
        });
        if (op.del) {
          at += 2;
          // (Saved on both 2 ms before: live there, so no purge can have taken it.)
          for (const s of both) events.push({ at, type: 'delete', server: names[s]!, db: dbName(op.db), unid: docUnid(op.db, op.doc), by: `agent/a${s}` });
        }
        break;
      }
    }
  }
  at += 1000;
  events.push({ at, type: 'heal' });
  plan.servers.forEach((_, i) => {
    if (!up[i]) events.push({ at, type: 'restart', server: names[i]! });
  });
  return { events, at };
}

const SESSION_GAP_MS = 20_000;
export const MAX_FINAL_ROUNDS = 6;

/**
 * A whole history: the prefix, then rounds of pull-push sessions between every pair (one every 20 s, each started by
 * the lower-numbered server, or the higher one with `swap`) until a round changes nothing (at most 6), then `end`.
 */
export function buildHistory(plan: HistoryPlan, options: { swap?: boolean } = {}): { events: InputEvent[]; rounds: number } {
  const { events, at: prefixEnd } = buildPrefix(plan);
  const n = plan.servers.length;
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push(options.swap === true ? [j, i] : [i, j]);
  const roundMs = (pairs.length + 1) * SESSION_GAP_MS;
  let t = prefixEnd + SESSION_GAP_MS;
  let rounds = 0;
  while (rounds < MAX_FINAL_ROUNDS) {
    const start = t;
    pairs.forEach(([a, b], idx) => events.push({ at: start + idx * SESSION_GAP_MS, type: 'replicate', server: serverName(a), partner: serverName(b) }));
    t += roundMs;
    rounds++;
    const { derived } = simulate([...events, { at: t, type: 'end' }]);
    const changed = replicated(derived).some((e) => e.at >= start && e.outcome !== 'collision');
    if (!changed) break;
  }
  events.push({ at: t, type: 'end' });
  return { events, rounds };
}

/** The history the cross-process determinism check runs: fixed by `seed`. */
export function sampleHistory(seed: number): InputEvent[] {
  const [plan] = fc.sample(historyPlanArb, { seed, numRuns: 1 });
  return buildHistory(plan!).events;
}

// ---------------------------------------------------------------- terse input events (database "d" unless told)

type Opts<E> = Partial<Omit<E, 'at' | 'type'>>;
type ServerOpts = Opts<Extract<InputEvent, { type: 'server' }>>;
type DatabaseOpts = Opts<Extract<InputEvent, { type: 'database' }>>;

export const ev = {
  server: (name: string, opts: ServerOpts = {}, at = 0): InputEvent => ({ at, type: 'server', name, ...opts }),
  database: (replicas: readonly string[], opts: DatabaseOpts = {}, at = 0): InputEvent => ({ at, type: 'database', name: 'd', replicas, ...opts }),
  save: (at: number, server: string, id: string, set: Readonly<Record<string, ItemValue>> = { Subject: id }, by = 'user/jdoe', db = 'd'): InputEvent =>
    ({ at, type: 'save', server, db, unid: id, by, set: items(set) }),
  delete: (at: number, server: string, id: string, by = 'user/jdoe', db = 'd'): InputEvent => ({ at, type: 'delete', server, db, unid: id, by }),
  replicate: (at: number, server: string, partner: string, mode?: ReplicationMode, db?: string): InputEvent =>
    ({ at, type: 'replicate', server, partner, ...(mode !== undefined ? { mode } : {}), ...(db !== undefined ? { db } : {}) }),
  push: (at: number, server: string, partner: string): InputEvent => ({ at, type: 'push', server, partner }),
  connection: (at: number, server: string, partner: string, everyMs: number, mode?: ReplicationMode): InputEvent =>
    ({ at, type: 'connection', server, partner, everyMs, ...(mode !== undefined ? { mode } : {}) }),
  partition: (at: number, ...groups: string[][]): InputEvent => ({ at, type: 'partition', groups }),
  heal: (at: number): InputEvent => ({ at, type: 'heal' }),
  crash: (at: number, server: string): InputEvent => ({ at, type: 'crash', server }),
  restart: (at: number, server: string): InputEvent => ({ at, type: 'restart', server }),
  end: (at: number): InputEvent => ({ at, type: 'end' }),
};
