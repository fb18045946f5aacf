import { filesOf, type InputEvent, type Simulator } from '@replstorm/core';
import { TRUSTED_DESIGNS, type DesignRegistry } from '../design.js';
import { builtinRegistry } from '../designs/registry.js';
import { smsdomStormEvents } from '../scenarios/smsdomStorm.js';
import type { Action, ExploreModel } from './explore.js';

export interface StormModelOptions {
  /** Scenario settings (`--set`); exploration changes some defaults: one database, one document, no schedule. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /** User saves allowed on a path (default 0: only the machines act). */
  readonly userActions?: number;
  /** Also partitions, heals, crashes and restarts. */
  readonly faults?: boolean;
  readonly registry?: DesignRegistry;
}

/**
 * [choice] Symmetry reduction keys each state under the renamings of the symmetric servers that list them by their
 * signatures (abstractStateHash), up to n! of them where servers are alike (the first states of a search). Up to 6
 * (720) it pays from a search's sixth step: 6 servers to depth 6 took 3.8 s with it and 15.8 s without, depth 5 2.9 s
 * and 1.7 s (2026-12-06; every renaming was hashed until then, and 6 servers ran 10 times slower with the reduction
 * than without it at every depth tried, an explore QA pass). With 8, the parameter's most (40,320), a search of depth
 * 1 did not end in minutes (hostile-input QA), and it is not used, as for a design that reads server names.
 */
const MAX_SYMMETRIC_SERVERS = 6;

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/**
 * [choice] The most documents (databases x docs) a search takes. Every state holds every copy of every document and
 * every step may scan any of them: 100,000 took 16 s and 1.7 GB to key its first 10 states (hostile-input QA), and
 * docs=10000000 (the scenario's most) ran out of memory making the initial state, before the search's memory guard
 * began (V8's abort). Exhaustive search is for a handful of documents; past this the setting is refused by name.
 */
const MAX_EXPLORE_DOCUMENTS = 100_000;
const MAX_EXPLORE_DOCUMENTS_WHY = 'explore holds every document in every state it keeps and may scan each at every step; it is for a handful of documents (run and compare take the seed\'s scale)';

/** Exploration defaults over the scenario's: the smallest interesting cluster, pushed only by explicit actions. */
export const EXPLORE_DEFAULTS = { databases: 1, docs: 1, clusterIntervalMs: 0, scanServers: 'none', clockSkewsMs: '0', scanOffsetsMs: '0' } as const;

/**
 * Scenario parameters exploration refuses, and why: the scenario's activity on a clock. Its events would be fixed
 * parts of the initial state, not actions the search interleaves (user edits, forwards, definitions updates), or
 * nothing would read them (no scheduled scans run, and the depth, not a horizon, bounds a path).
 */
export const EXPLORE_REFUSED: Readonly<Record<string, string>> = {
  scanServers: 'explore chooses scans itself (a scan of one document on any server is one of its actions); scheduled scans cannot be set',
  scanEveryMs: 'explore runs no scheduled scans (a scan of one document on any server is one of its actions)',
  scanOffsetsMs: 'explore runs no scheduled scans (a scan of one document on any server is one of its actions)',
  horizonMs: 'a path is bounded by --depth (actions), not by time',
  userEditsPerHour: 'user edits at fixed times would be part of the initial state; explore interleaves user saves as actions: --user-actions N',
  forwards: 'forwards at fixed times would be part of the initial state, not actions the search interleaves',
  userDeletes: 'user deletions at fixed times would be part of the initial state, not actions the search interleaves (explore has no deletion action: verify judges no-scanner-reappearances)',
  definitionsEveryMs: 'definitions updates at fixed times would be part of the initial state, not actions the search interleaves',
  // [choice] Refused, not passed over: the model drops the scenario's connection events (a push session between two
  // servers is one of its actions), so a value given here changed nothing, and a search ran as if it were unset.
  connectionEveryMs: 'explore runs no scheduled connections (with replication=scheduled, a push session between two servers is one of its actions)',
};

/**
 * The `smsdom-storm` scenario as an exploration model: its servers, databases, documents and scanners are the initial
 * state (documents pushed to every member before the scanners are installed, as the scenario does); the actions are a
 * scan of one document on one server, a cluster push (or, with scheduled replication, a push session) between two
 * servers, optionally user saves and faults.
 */
export function stormExploreModel(o: StormModelOptions = {}): ExploreModel {
  const settings: Record<string, string | number | boolean> = { ...EXPLORE_DEFAULTS, ...(o.settings ?? {}) };
  const cluster = (settings['replication'] ?? 'cluster') === 'cluster';
  // (The default interval is for a cluster: the scenario refuses it with scheduled replication, where it changes nothing.)
  if (!cluster && !Object.prototype.hasOwnProperty.call(o.settings ?? {}, 'clusterIntervalMs')) delete settings['clusterIntervalMs'];
  // [choice] A design's own schedule (`config=scheduleEveryMs=...`) is refused for the reason scanServers is: the scenario's
  // advice (use scanEveryMs and scanServers) would send the user to two parameters explore refuses.
  const context = { noSchedule: EXPLORE_REFUSED['scanServers']!, maxDocuments: { limit: MAX_EXPLORE_DOCUMENTS, why: MAX_EXPLORE_DOCUMENTS_WHY }, ...(o.registry !== undefined ? { designs: o.registry } : {}) };
  const generated = smsdomStormEvents(settings, context).filter((e) => e.type !== 'end' && e.type !== 'connection' && e.type !== 'replicate');
  const servers = generated.filter((e): e is Extract<InputEvent, { type: 'server' }> => e.type === 'server').map((e) => e.name);
  // Spread the documents to every member before exploring, so every action starts from the same copies, and before
  // the scanners are installed, as the scenario does (run's cluster pushes, or its first replication 15 s before the
  // end of setup, spread them first). [choice] Spread after the installation (as it was until a QA pass), an
  // on-write scanner (scanReplicatedWrites=true) stamped every arrival in explore's setup: a scanner revision and a
  // storm "from step 2" that an idle run of the same settings never makes.
  const firstInstall = generated.findIndex((e) => e.type === 'scanner');
  const cut = firstInstall === -1 ? generated.length : firstInstall;
  const before = generated.slice(0, cut);
  // (A loop, not Math.max(...): 100,000 databases are 200,000 events, past the arguments a call can take.)
  const lastBefore = before.reduce((m, e) => Math.max(m, e.at), 0);
  const at = firstInstall === -1 ? lastBefore + 1_000 : Math.max(lastBefore, generated[firstInstall]!.at - 15_000);
  const spread: InputEvent[] = servers.slice(1).map((p) =>
    cluster ? { at, type: 'push', server: servers[0]!, partner: p } : { at, type: 'replicate', server: servers[0]!, partner: p, mode: 'push' },
  );
  const setup = [...before, ...spread, ...generated.slice(cut)];
  const docs = generated.filter((e): e is Extract<InputEvent, { type: 'save' }> => e.type === 'save').map((e) => ({ db: e.db, unid: e.unid }));
  // The scenario's documents by database (a nested lookup: partial-order reduction asks per pair of actions, and a
  // joined key was a string made each time).
  const baseDocs = new Map<string, Set<string>>();
  for (const d of docs) {
    let unids = baseDocs.get(d.db);
    if (unids === undefined) baseDocs.set(d.db, (unids = new Set()));
    unids.add(d.unid);
  }
  // Servers are symmetric when their definitions and scanner configurations agree apart from the name.
  const strip = (e: InputEvent) => JSON.stringify({ ...e, name: '', server: '' });
  const serverSig = new Map(servers.map((n) => [n, generated.filter((e) => (e.type === 'server' && e.name === n) || (e.type === 'scanner' && e.server === n)).map(strip).join('|')]));
  const symmetric = servers.filter((n) => serverSig.get(n) === serverSig.get(servers[0]!));
  // Identical configuration is not enough: a design that reads servers' names (cluster-aware's "first member by name")
  // behaves differently on two servers configured alike. Only designs that declare themselves name-blind are reduced.
  const registry = o.registry ?? builtinRegistry();
  const nameBlind = generated.every((e) => e.type !== 'scanner' || registry.get(e.design)?.symmetric === true);
  // Designs whose writes and memory may hold a time: partial-order reduction is not sound with them (below).
  const timeHolding = new Map<string, TimeWriting>();
  for (const e of generated) if (e.type === 'scanner' && timeWriting(registry, e) !== 'none') timeHolding.set(e.design, timeWriting(registry, e));
  // [choice] Partial-order reduction's independence: a scan or a user save acts on one server alone (its replica, its
  // scanner's memory, its cluster queues; an on-write scan it triggers runs there too), and reads nothing of another
  // server. Two such actions on different servers and different documents commute: the abstract state keeps no
  // order between documents across servers, and each document's versions keep their order by time either way
  // (steps are further apart than twice any clock skew). On the same server they do not commute (the replica's
  // change order is state, R9), nor on the same document (which copy is newer decides R5). Pushes, sessions and
  // faults touch two or all servers: never independent.
  // Only where every design's writes and memory hold no time (timeWriting): a tag holding its scan time, or
  // scan-cache's memory keyed by OID (a seq and a time), is a value the abstraction keeps as it is, and a scan at one
  // step or the next writes a different one, so two scans on different servers in either order leave different states.
  // Reduced with them, the search lost states: 8,973 of 13,715 (smsdom with tagIncludesScanTime, 2 servers x 2
  // documents, depth 6, no symmetry), 3,098 of 3,434 (scan-cache, two user saves, depth 5): found by a differential
  // run once the reduction ran under symmetry too (it had run without symmetry so since it was written).
  const independent = (a: Action, b: Action): boolean => {
    const x = localAction(a);
    const y = localAction(b);
    if (x === undefined || y === undefined || x.server === y.server) return false;
    // A scan without a database or UNID scans several documents: it shares documents with anything.
    if (x.db === undefined || x.unid === undefined || y.db === undefined || y.unid === undefined) return false;
    // [choice] Only the scenario's own documents. Reduced with conflict documents too, the search at depth 11 on 2
    // servers x 1 document, no symmetry, found 8 states fewer than the full one (an acceptance QA pass). It was put
    // down to their UNIDs, made of concrete times, having no fixed place in the order of actions; but the order is
    // fixed (by kind first: scans, then pushes, then saves; then server, database, and UNID, which never changes once
    // made), and the lost states traced on 2026-12-06 were the abstraction's: the first, two states named alike that
    // one more step tells apart (a conflict document's name kept its seq against the referred document for one copy
    // alone: fixed then, see abstractState.ts); with that fixed, 6 of 37,333 are still lost (6 of 37,376 once documents
    // of one name carry their sharing, abstractState.ts), and the one traced is the limitation there on smsdom's tag
    // (a rescan of a conflict of a conflict document writes a tag that hashes its `$REF`, a UNID, so two states the
    // abstraction identifies part one step later). The reduction with them would save 7.4% of the bench's transitions
    // (95,439 against 103,070), and its test compares states.
    if (baseDocs.get(x.db)?.has(x.unid) !== true || baseDocs.get(y.db)?.has(y.unid) !== true) return false;
    return x.db !== y.db || x.unid !== y.unid;
  };
  return {
    name: [
      'smsdom-storm',
      ...Object.entries(o.settings ?? {}).map(([k, v]) => `${k}=${v}`),
      ...((o.userActions ?? 0) > 0 ? [`user-actions=${o.userActions}`] : []),
      ...(o.faults === true ? ['faults'] : []),
    ].join(' '),
    setup,
    userActions: o.userActions ?? 0,
    symmetricServers: symmetric.length === servers.length && nameBlind && servers.length <= MAX_SYMMETRIC_SERVERS ? servers : [],
    ...(nameBlind ? {} : { noSymmetry: `a design here (${[...new Set(generated.flatMap((e) => (e.type === 'scanner' && registry.get(e.design)?.symmetric !== true ? [e.design] : [])))].join(', ')}) does not declare that it ignores server names (ScannerDesign.symmetric)` }),
    ...(nameBlind && symmetric.length === servers.length && servers.length > MAX_SYMMETRIC_SERVERS
      ? { noSymmetry: `${servers.length} servers: each state would be checked under all ${factorial(servers.length).toLocaleString('en-US')} renamings of them, and hashed under every one where the servers are alike, more work than the states it saves (up to ${MAX_SYMMETRIC_SERVERS} servers it is used)` }
      : {}),
    ...(o.registry !== undefined ? { registry: o.registry } : {}),
    ...(timeHolding.size > 0 ? { noPartialOrder: noPartialOrderBecause(timeHolding) } : {}),
    ...(timeHolding.size > 0 ? {} : { independent }),
    actions(sim: Simulator, userLeft: number): Action[] {
      const acts: Action[] = [];
      // Servers by name, replicas by database, documents by UNID: the order actions are tried in (BFS ties).
      const view = { servers: sim.serverStates() };
      for (const srv of view.servers) {
        if (!srv.up) continue;
        for (const r of srv.replicas) {
          for (const note of r.notes()) if (filesOf(note) !== 0) acts.push({ type: 'scan', server: srv.name, kind: 'scheduled', db: r.db, unid: note.unid });
        }
      }
      for (const srv of view.servers) {
        if (!srv.up) continue;
        for (const p of servers) {
          if (p === srv.name) continue;
          if (cluster) {
            if (srv.queuedFor.includes(p)) acts.push({ type: 'push', server: srv.name, partner: p });
          } else acts.push({ type: 'replicate', server: srv.name, partner: p, mode: 'push' });
        }
      }
      if (userLeft > 0) {
        for (const srv of view.servers) {
          if (!srv.up) continue;
          for (const d of docs) acts.push({ type: 'save', server: srv.name, db: d.db, unid: d.unid, by: 'user/ann', set: new Map([['Body', 'edited']]) });
        }
      }
      if (o.faults === true) {
        const partitioned = view.servers.some((s) => s.group !== -1);
        if (partitioned) acts.push({ type: 'heal' });
        else for (const s of servers) acts.push({ type: 'partition', groups: [[s]] });
        for (const srv of view.servers) {
          if (srv.up && view.servers.filter((x) => x.up).length > 1) acts.push({ type: 'crash', server: srv.name });
          if (!srv.up) acts.push({ type: 'restart', server: srv.name });
        }
      }
      return acts;
    },
  };
}

/**
 * What a `scanner` event's design may write of the time, into a document or its memory: `none`, a built-in whose code
 * is known to write nothing (noop) or a tag of its items alone (smsdom's family, without tagIncludesScanTime);
 * `writes`, a built-in known to (scan-cache keeps results by OID, a seq and a time; the family's tag with
 * tagIncludesScanTime); `unknown`, another built-in, not yet known here; `yours`, a design of yours, which may write
 * anything and which the search cannot read.
 */
type TimeWriting = 'none' | 'writes' | 'unknown' | 'yours';
function timeWriting(registry: DesignRegistry, e: Extract<InputEvent, { type: 'scanner' }>): TimeWriting {
  const d = registry.get(e.design);
  if (d === undefined || !TRUSTED_DESIGNS.has(d)) return 'yours';
  if (d.name === 'noop') return 'none';
  if (SMSDOM_FAMILY.has(d.name)) return e.config?.['tagIncludesScanTime'] === true ? 'writes' : 'none';
  return d.name === 'scan-cache' ? 'writes' : 'unknown';
}

/**
 * Why partial-order reduction is off, by design (timeWriting). (It said "may write a time" of a module's design that
 * wrote none, as of a built-in that does: a researcher's QA pass.)
 */
function noPartialOrderBecause(designs: ReadonlyMap<string, TimeWriting>): string {
  const named = (kind: TimeWriting) => [...designs].flatMap(([d, k]) => (k === kind ? [d] : [])).join(', ');
  const why: string[] = [];
  if (named('writes') !== '') why.push(`a design here (${named('writes')}) writes a time into a document or its memory`);
  if (named('unknown') !== '') why.push(`a built-in design here (${named('unknown')}) is not known to the search to write no time`);
  if (named('yours') !== '') why.push(`a design of yours (${named('yours')}) may write a time into a document or its memory, which the search cannot tell`);
  return `${why.join('; ')}, so two actions in either order can leave different states`;
}
// (A built-in added to the registry gets no partial-order reduction until it is known here: README, "Adding a built-in".)
const SMSDOM_FAMILY = new Set(['smsdom', 'sso-mail-only', 'cluster-aware']);

/** A scan or a user save (an action on one server alone), else undefined. At module level: see design.ts's `scalar`. */
function localAction(x: Action): Extract<Action, { type: 'scan' | 'save' }> | undefined {
  return x.type === 'scan' || x.type === 'save' ? x : undefined;
}
