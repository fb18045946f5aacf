import { LogError, Prng, type InputEvent, type ItemValue } from '@replstorm/core';
import { resolveConfig, scheduleGap, selfSchedule, type DesignRegistry, type ScannerDesign } from '../design.js';
import { BUILTIN_DESIGNS } from '../designs/registry.js';
import { parseConfigList, perServerNumbers, resolveParams, type ParamSpecs, type ParamValues } from './params.js';

const HOUR = 3_600_000;
const SERVER_NAMES = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta', 'Eta', 'Theta'];

/** The parameters of `smsdom-storm`, with defaults at the seed's scale. */
export const SMSDOM_STORM_PARAMS = {
  servers: { default: 2, min: 1, max: 8, integer: true, help: 'servers holding a replica of every database' },
  replication: { default: 'cluster', choices: ['cluster', 'scheduled'], help: 'cluster replication (R12) or scheduled connections (R11)' },
  connectionEveryMs: { default: 30 * 60_000, min: 1, integer: true, help: 'with scheduled replication: a pull-push session from the first server to each other this often' },
  clusterIntervalMs: { default: 15_000, min: 0, integer: true, help: 'with cluster replication: the cluster replicator\'s interval (R12); 0 pushes only on explicit push events' },
  databases: { default: 100, min: 1, max: 100_000, integer: true, help: 'databases (mail files), each replicated on every server' },
  docs: { default: 100, min: 0, max: 10_000_000, integer: true, help: 'documents per database' },
  attachmentShare: { default: 1, min: 0, max: 1, help: 'share of documents with an attachment ($FILE)' },
  infectedShare: { default: 0, min: 0, max: 1, help: 'share of the attachments that are infected' },
  design: { default: 'smsdom', help: 'scanner design installed on every server' },
  config: { default: '', help: 'design configuration for every server, as key=value,key=value' },
  keys: { default: 'shared', choices: ['shared', 'per-server'], help: 'SSO key: one for the cluster, or one per server' },
  scanServers: { default: 'all', choices: ['all', 'first', 'none'], help: 'which servers run scheduled scans' },
  scanEveryMs: { default: HOUR, min: 1, integer: true, help: 'scheduled scan interval' },
  scanOffsetsMs: { default: '0,7000', help: 'per server, at most one value each (the last repeats): when its scanner is installed and its first scheduled scan starts, after setup (a few seconds apart: servers are never in lockstep)' },
  clockSkewsMs: { default: '0,350', help: 'per server, at most one value each (the last repeats): clock offset in ms' },
  horizonMs: { default: 2 * HOUR, min: 1, integer: true, help: 'the run ends this long after the scanners are installed (an end event)' },
  userEditsPerHour: { default: 0, min: 0, help: 'random user edits per hour across all documents and servers (each writes a new Body, no attachment: infections are the initial documents\' only, infectedShare)' },
  definitionsEveryMs: { default: 0, min: 0, integer: true, help: 'virus definitions update on every server this often (0: never)' },
  forwards: { default: 0, min: 0, integer: true, help: 'documents forwarded by users into a database drawn at random, their own included, as new documents (a forward loses the tag: rescans)' },
  userDeletes: { default: 0, min: 0, integer: true, help: 'documents deleted by users (each once, none forwarded), at random times and servers over the horizon; no user edits one after its deletion (R6: a deletion loses to a copy saved more than once since they parted, or saved after it; a stamp is a save)' },
  seed: { default: 1, integer: true, min: 0, max: 2 ** 32 - 1, help: 'seed of the scenario\'s PRNG (which documents get edits, forwards, infections), 0..2^32-1' },
} as const satisfies ParamSpecs;

export type SmsdomStormParams = ParamValues<typeof SMSDOM_STORM_PARAMS>;

/** What a scenario may need from its caller besides the settings. */
export interface ScenarioContext {
  /** The designs the run knows (built-in and the researcher's own, `--design`), to read a design's settings. */
  readonly designs?: DesignRegistry;
  /**
   * Set when the caller runs no scheduled scans and says why (explore: EXPLORE_REFUSED.scanServers). A design's
   * `scheduleEveryMs` in `config` is then refused with this reason, not pointed at scanEveryMs and scanServers, which
   * the same caller refuses as well.
   */
  readonly noSchedule?: string;
  /**
   * The most documents (databases x docs) the caller can take, and why: past it the settings are refused by name before
   * a document is made (explore: each document is held in every state of the search).
   */
  readonly maxDocuments?: { readonly limit: number; readonly why: string };
  /**
   * Set when this run is one row of several on the same settings (compare): a setting that does not reach this row's
   * design (scanServers for a design that schedules itself, keys=per-server for one without a key) is passed over,
   * and the caller says so beside the row, rather than refusing every row for one.
   */
  readonly oneOfSeveral?: boolean;
}

/**
 * [choice] Most user edits, definitions updates (one per server each time), forwards and user deletions a run of the scenario may ask
 * for: they are made and sorted in memory before the run (a million take about 500 MB and 8 s to make), so past this
 * the parameter asking for the most is refused by name rather than the run dying of memory before its guard starts.
 */
export const MAX_TIMED_EVENTS = 1_000_000;

/** Setup happens before this time; scanners are installed here (event-log.md's example does the same). */
export const SETUP_MS = 60_000;

/**
 * When the scanners are installed: after every document is created and has reached every member. Up to 40,000
 * documents are created within 41 s and pushed by 56 s: SETUP_MS. Beyond, documents are created 1 ms apart; the
 * cluster tick after the last one pushes at most the last 15 s of them (1 ms each), then a margin.
 */
export function setupEndMs(documents: number): number {
  if (documents <= 40_000) return SETUP_MS;
  return Math.ceil((1_000 + documents + 15_000 + 15_000 + 5_000) / 1_000) * 1_000;
}

export function unidFor(n: number): string {
  return n.toString(16).toUpperCase().padStart(32, '0');
}

export function dbName(i: number, count: number): string {
  return `mail/user${String(i).padStart(Math.max(3, String(count - 1).length), '0')}.nsf`;
}

/**
 * The seed scenario as input events of the log format: servers, databases full of documents with attachments,
 * scanners on every server, scheduled scans a few seconds apart, optional user edits, definitions updates, forwards and user deletions,
 * and an `end` at the horizon. Same parameters, same events.
 */
export function smsdomStormEvents(settings: Readonly<Record<string, string | number | boolean>> = {}, context: ScenarioContext = {}): InputEvent[] {
  return [...smsdomStormEventStream(settings, context)];
}

/**
 * The same events as `smsdomStormEvents`, made one at a time in `at` order: a million-document run never holds its
 * input. (The few events after setup — scanners, edits, definitions, forwards, deletions, end — are made together and sorted.)
 */
export function* smsdomStormEventStream(settings: Readonly<Record<string, string | number | boolean>> = {}, context: ScenarioContext = {}): Generator<InputEvent> {
  const p = resolveParams(SMSDOM_STORM_PARAMS, settings);
  const rng = new Prng(Number(p.seed) | 0);
  const servers = SERVER_NAMES.slice(0, p.servers);
  // Each server gets its own offset and skew, the scanning ones or not (every server has a scanner installed at its
  // offset; scanServers only decides which run scheduled passes): a list longer than the servers is refused.
  const given = (k: string) => Object.prototype.hasOwnProperty.call(settings, k);
  const skews = perServerNumbers(p.clockSkewsMs, p.servers, 'clockSkewsMs', given('clockSkewsMs'));
  const offsets = perServerNumbers(p.scanOffsetsMs, p.servers, 'scanOffsetsMs', given('scanOffsetsMs'));
  // Offsets count from the end of setup: a negative one put a scanner among the setup's saves, after them in this
  // stream, and the engine refused the run by its time ("before the time already reached"), not by this parameter.
  if (offsets.some((o) => o < 0)) throw new LogError('BAD_CONFIG', `parameter "scanOffsetsMs": expected whole numbers >= 0 (milliseconds after setup), got "${p.scanOffsetsMs}"`, { field: 'scanOffsetsMs' });
  if (context.maxDocuments !== undefined && p.databases * p.docs > context.maxDocuments.limit) {
    throw new LogError('BAD_CONFIG', `parameters "databases" x "docs": ${p.databases.toLocaleString('en-US')} x ${p.docs.toLocaleString('en-US')} = ${(p.databases * p.docs).toLocaleString('en-US')} documents, more than ${context.maxDocuments.limit.toLocaleString('en-US')}: ${context.maxDocuments.why}`, { field: 'docs' });
  }
  // Every time the scenario writes must be inside virtual time (0..2^53-1, event-log.md): the scanners come at setup +
  // offset, the end at the first scanner + max(horizonMs, the offsets' spread + 1). Past it, the run was refused by a generated event's field
  // "at", not by the parameter that put it there.
  const setup = setupEndMs(p.databases * p.docs);
  const lastTime = Number.MAX_SAFE_INTEGER;
  if (setup + Math.max(0, ...offsets) + 1 > lastTime) throw new LogError('BAD_CONFIG', `parameter "scanOffsetsMs": ${Math.max(...offsets)} puts a scanner past the end of virtual time (2^53-1 ms; setup ends at ${setup} ms): at most ${lastTime - setup - 1}`, { field: 'scanOffsetsMs' });
  // (The horizon counts from the first scanner's installation: `start` below.)
  const firstScanner = setup + Math.min(...offsets);
  if (firstScanner + p.horizonMs > lastTime) throw new LogError('BAD_CONFIG', `parameter "horizonMs": ${p.horizonMs} ends the run past the end of virtual time (2^53-1 ms; the first scanner comes at ${firstScanner} ms): at most ${lastTime - firstScanner}`, { field: 'horizonMs' });
  // The timed events after setup (user edits, definitions updates, forwards) are made together and sorted, in memory:
  // unbounded, userEditsPerHour=1e30 (or forwards, or definitionsEveryMs=1 on a long horizon) ran out of memory while
  // making them (V8's abort, exit 134, after minutes), before the run and its memory guard began. Refused, naming the
  // parameter that asks for the most.
  {
    const docsTotal = p.databases * p.docs;
    const span = Math.max(p.horizonMs, Math.max(0, ...offsets) + 1);
    const timed: [string, number][] = [
      ['userEditsPerHour', docsTotal > 0 ? Math.round((p.userEditsPerHour * p.horizonMs) / HOUR) : 0],
      ['definitionsEveryMs', p.definitionsEveryMs > 0 ? Math.floor((span - 1) / p.definitionsEveryMs) * p.servers : 0],
      ['forwards', docsTotal > 0 ? p.forwards : 0],
      // (At most every document: a larger userDeletes makes no more events.)
      ['userDeletes', Math.min(p.userDeletes, docsTotal)],
    ];
    const sum = timed.reduce((a, [, n]) => a + n, 0);
    if (sum > MAX_TIMED_EVENTS) {
      const [name] = timed.reduce((a, b) => (b[1] > a[1] ? b : a));
      const what = timed.filter(([, n]) => n > 0).map(([k, n]) => `${Number.isSafeInteger(n) ? n.toLocaleString('en-US') : n.toExponential(2)} ${k === 'userEditsPerHour' ? 'user edits' : k === 'forwards' ? 'forwards' : k === 'userDeletes' ? 'user deletions' : 'definitions updates'}`).join(', ');
      throw new LogError('BAD_CONFIG', `parameter "${name}": ${String(p[name as keyof typeof p])} asks for ${what} over the horizon (horizonMs=${p.horizonMs}); the scenario makes at most ${MAX_TIMED_EVENTS.toLocaleString('en-US')} such timed events (held in memory to be sorted)`, { field: name });
    }
  }
  // The design's own settings decide what the scenario may set: a schedule (scanEveryMs, scanServers), a key. A
  // researcher's design is looked up in the registry the caller passes: one that declares `scheduleEveryMs` is
  // scheduled like the built-in ones (without the lookup it was installed with no schedule and ran no scan at all).
  const design = context.designs?.get(p.design) ?? BUILTIN_DESIGNS.find((d) => d.name === p.design);
  const defaults = design?.defaults ?? {};
  const hasSetting = (k: string) => Object.prototype.hasOwnProperty.call(defaults, k);
  const extra = parseConfigList(p.config, 'config', defaults);
  // `config` is what a user types (--set config=, a compare row, explore's settings), not a log: a setting the design
  // does not have is refused here, as resolveConfig refuses it, before it becomes a scanner event whose unknown
  // settings the engine passes over (event-log.md; design.ts behaviourFactory). A typo must not run the default.
  if (design !== undefined) resolveConfig(design, extra);
  // The scenario sets a design's schedule on every server (scanEveryMs on the servers scanServers names, 0 on the
  // others) and, with keys=per-server, its key: the same setting given in the design's configuration (a compare row
  // `smsdom:scheduleEveryMs=600000`, --set config=key=...) would be overwritten without a word. Refused, naming the
  // scenario parameter that sets it.
  if (hasSetting('scheduleEveryMs') && Object.prototype.hasOwnProperty.call(extra, 'scheduleEveryMs')) {
    const why = context.noSchedule ?? 'scheduleEveryMs is set by the scenario on every server: use its parameters scanEveryMs and scanServers';
    throw new LogError('BAD_CONFIG', `parameter "config": ${context.noSchedule === undefined ? why : `scheduleEveryMs: ${why}`}`, { field: 'config' });
  }
  // A design that schedules itself (selfSchedule) scans on every server at its own interval: the scenario's schedule
  // parameters do not reach it. Given, they are refused, naming why; explore refuses the design (its reason).
  const own = design !== undefined ? selfSchedule(design as ScannerDesign<object>, extra) : undefined;
  if (own !== undefined) {
    const what = `the design "${p.design}" schedules its own scans (every ${own.toLocaleString('en-US')} ms on every server: its scheduleEveryMs)`;
    if (context.noSchedule !== undefined) throw new LogError('BAD_CONFIG', `parameter "design": ${what}; ${context.noSchedule}`, { field: 'design' });
    for (const k of ['scanServers', 'scanEveryMs'] as const) {
      if (given(k) && context.oneOfSeveral !== true) throw new LogError('BAD_CONFIG', `parameter "${k}": ${what}, so scanEveryMs and scanServers do not apply to it`, { field: k });
    }
  }
  // Nor do they reach a design that has no schedule to set: no `scheduleEveryMs` setting, or one no
  // scheduleEveryMs(config) reads. Given, they are refused as keys=per-server is below (`run` ran such a design with
  // `scans 0 performed` and no word, which read as a cheap design: a researcher's QA pass; compare says it in a note).
  // (Explore sets scanServers=none itself and refuses both: context.noSchedule. scanServers=none asks for no schedule.)
  const gap = design !== undefined && own === undefined ? scheduleGap(design as ScannerDesign<object>) : undefined;
  if (gap !== undefined && context.oneOfSeveral !== true && context.noSchedule === undefined) {
    for (const k of ['scanEveryMs', 'scanServers'] as const) {
      if (given(k) && !(k === 'scanServers' && p.scanServers === 'none')) throw new LogError('BAD_CONFIG', `parameter "${k}": the design "${p.design}" ${gap}, so the scenario's scheduled scans (scanEveryMs, scanServers) do not apply to it: it scans only what its watches() takes on writes`, { field: k });
    }
  }
  // keys=per-server gives each server's scanner its own `key`: a design without that setting would run as with one key,
  // and `run` said nothing (a QA pass).
  if (p.keys === 'per-server' && given('keys') && design !== undefined && !hasSetting('key') && context.oneOfSeveral !== true) {
    throw new LogError('BAD_CONFIG', `parameter "keys": the design "${p.design}" has no key setting, so keys=per-server would change nothing`, { field: 'keys' });
  }
  if (p.keys === 'per-server' && hasSetting('key') && Object.prototype.hasOwnProperty.call(extra, 'key')) {
    throw new LogError('BAD_CONFIG', 'parameter "config": with keys=per-server the scenario gives each server its own key: use keys=shared to set one', { field: 'config' });
  }
  const cluster = p.replication === 'cluster';
  // [choice] A replication parameter of the other mode is refused, as keys=per-server for a design without a key is:
  // given, it changed nothing and `run` said nothing (a QA pass, 2026-12-08: the same digest with and without it).
  // With one server, its own mode's parameter is kept though it changes nothing there either (a cluster of one has no
  // mate to push to, a connection no partner): a sweep over `servers` with one replication setting must not be
  // refused at its first row.
  if (!cluster && given('clusterIntervalMs')) {
    throw new LogError('BAD_CONFIG', 'parameter "clusterIntervalMs": with replication=scheduled the servers are in no cluster, so the cluster replicator\'s interval would change nothing (connectionEveryMs sets how often they replicate)', { field: 'clusterIntervalMs' });
  }
  if (cluster && given('connectionEveryMs')) {
    throw new LogError('BAD_CONFIG', 'parameter "connectionEveryMs": with replication=cluster (the default) the servers replicate by cluster pushes, with no scheduled connections, so it would change nothing (replication=scheduled uses it; clusterIntervalMs sets the cluster replicator\'s interval)', { field: 'connectionEveryMs' });
  }
  for (let i = 0; i < servers.length; i++) {
    const e: { -readonly [K in keyof Extract<InputEvent, { type: 'server' }>]: Extract<InputEvent, { type: 'server' }>[K] } = { at: 0, type: 'server', name: servers[i]! };
    if (cluster) {
      e.cluster = 'Hub';
      e.clusterIntervalMs = p.clusterIntervalMs;
    }
    if (skews[i] !== 0) e.clockSkewMs = skews[i]!;
    yield e;
  }
  const dbs = Array.from({ length: p.databases }, (_, i) => dbName(i, p.databases));
  for (const name of dbs) yield { at: 0, type: 'database', name, replicas: servers };

  // Documents are created on the first server in the first seconds; replication spreads them before the scanners come.
  const total = p.databases * p.docs;
  const step = total > 0 ? Math.max(1, Math.floor(40_000 / total)) : 1;
  let n = 0;
  for (const db of dbs) {
    for (let d = 0; d < p.docs; d++) {
      n++;
      const set = new Map<string, ItemValue>([
        ['Subject', `quarterly figures ${d}`],
        ['From', 'CN=Carol/O=Acme'],
      ]);
      if (rng.next() < p.attachmentShare) set.set('$FILE', [rng.next() < p.infectedShare ? { name: `q${d}.xlsx`, bytes: 48_213, infected: true } : { name: `q${d}.xlsx`, bytes: 48_213 }]);
      yield { at: 1000 + n * step, type: 'save', server: servers[0]!, db, unid: unidFor(0x5e7d000 + n), by: 'user/carol', set };
    }
  }
  // Document i (from 0): its database and UNID, without keeping a list of a million.
  const docAt = (i: number) => ({ db: dbs[Math.floor(i / p.docs)]!, unid: unidFor(0x5e7d000 + i + 1) });
  const later: InputEvent[] = [];
  // With scheduled replication, the first server's first session with each other one: it spreads the documents.
  const firstSessionAt = setup - 15_000;
  if (!cluster) {
    for (const other of servers.slice(1)) {
      later.push({ at: firstSessionAt, type: 'replicate', server: servers[0]!, partner: other });
      later.push({ at: firstSessionAt, type: 'connection', server: servers[0]!, partner: other, everyMs: p.connectionEveryMs });
    }
  }
  servers.forEach((server, i) => {
    const scans = p.scanServers === 'all' || (p.scanServers === 'first' && i === 0);
    const config: Record<string, unknown> = { ...extra };
    // [choice] A server that does not scan gets no `scheduleEveryMs` when the design's default is already no schedule
    // (event-log.md gives smsdom's default as "none", no field), and 0, the engine's "none" (`designs` says so), only
    // when the design's own default would schedule. It was 0 on every such server, and every explore log carried
    // `"scheduleEveryMs":0`, which a reader of the spec alone could take for "every 0 ms" (a conformance review).
    if (hasSetting('scheduleEveryMs')) {
      if (scans) config['scheduleEveryMs'] = p.scanEveryMs;
      else if ((defaults as Record<string, unknown>)['scheduleEveryMs'] !== 0) config['scheduleEveryMs'] = 0;
    }
    if (p.keys === 'per-server' && hasSetting('key')) {
      config['key'] = `SSOKEY${server.toUpperCase().padEnd(10, '0').slice(0, 10)}`;
    }
    later.push({ at: setup + offsets[i]!, type: 'scanner', server, design: p.design, ...(Object.keys(config).length > 0 ? { config } : {}) });
  });

  // The horizon counts from the first scanner's installation (horizonMs' help: "this long after the scanners are
  // installed"); the run lasts at least until every server has its scanner (a short horizon must not end the run
  // before a later scanner comes). It counted from the end of setup, which is the first installation only while the
  // least offset is 0 (the default): scanOffsetsMs=3600000 left one hour of a two-hour horizon (an operator's QA pass).
  const start = firstScanner;
  const horizon = start + Math.max(p.horizonMs, setup + Math.max(...offsets) - start + 1);
  const edits = Math.round((p.userEditsPerHour * p.horizonMs) / HOUR);
  for (let k = 0; k < edits && total > 0; k++) {
    const doc = docAt(rng.int(0, total - 1));
    later.push({
      at: start + rng.int(0, p.horizonMs - 1),
      type: 'save',
      server: servers[rng.int(0, servers.length - 1)]!,
      db: doc.db,
      unid: doc.unid,
      by: 'user/ann',
      set: new Map([['Body', `edit ${k}`]]),
    });
  }
  if (p.definitionsEveryMs > 0) {
    let v = 1;
    for (let t = start + p.definitionsEveryMs; t < horizon; t += p.definitionsEveryMs, v++) {
      for (const server of servers) later.push({ at: t, type: 'definitions', server, version: `defs-${v}` });
    }
  }
  const forwarded = new Set<string>();
  for (let k = 0; k < p.forwards && total > 0; k++) {
    const doc = docAt(rng.int(0, total - 1));
    const to = dbs[rng.int(0, dbs.length - 1)]!;
    forwarded.add(doc.unid);
    later.push({ at: start + rng.int(0, p.horizonMs - 1), type: 'forward', server: servers[0]!, db: doc.db, unid: doc.unid, newUnid: unidFor(0xf0f0000 + k), to: [to], by: 'user/bob' });
  }
  // Users' deletions, drawn after everything else (a seed's other events are as they were without them). [choice] A
  // forwarded document is not deleted (a forward of a document deleted where it is forwarded is refused, and whether
  // the deletion has reached the first server by then is the run's to say). A document is deleted once. [choice] No user edits a
  // deleted document from the deletion on, on any server: an edit on another server after the deletion reached it is
  // an edit of the stub, which the engine makes a document again, and one before is a race with the cluster replicator
  // of at most its interval, too rare in a random draw to keep apart. With them kept, 87 of 390 deleted documents came
  // back under noop (10 x 100 documents, 500 deletions, 500 edits an hour): the users' doing drowned the designs'. The
  // race R6 describes is still drawn, from before the deletion: a user's edit on another server that the replicator
  // has not carried when the document is deleted. [limitation] With replication=scheduled the window is a session's
  // interval (connectionEveryMs, 30 minutes by default), not seconds, and a user there may well edit the document
  // after the deletion and before the session carries it (R6's "saved after it"): those edits are dropped too, so the
  // scheduled mode undercounts the documents users bring back (the designs' part, passes stamping after a deletion,
  // is kept).
  // (Each deleted document's deletion time, by UNID: the edits from then on are dropped below.)
  const deleted = new Map<string, number>();
  // [choice] A document is deleted only where it is held: every server holds it once the setup's spread is done
  // (`spreadBy`: the last document made, then the replicator's first push or session after it, one document a
  // millisecond, the engine's default replicationMsPerDoc). Cluster pushes run side by side, one per mate and
  // database, so the last push ends `docs` ms after its tick; a scheduled session runs side by side with the others,
  // one per mate, its databases in turn (the pull from a partner holding nothing takes no time), so it ends `total` ms
  // after it starts. A deletion drawn on another server before then is made on the first server, which made every
  // document; with clusterIntervalMs=0 nothing spreads them (only push events would): every deletion is the first
  // server's. (Drawn anywhere, a deletion on Beta before the documents reached it was refused by the engine, naming a
  // document that "does not exist": a QA pass, with clusterIntervalMs=0 or an hour. The bound was an upper one of
  // each mate in turn, up to 8 times too late, and moved deletions to the first server at the seed's scale with 8
  // servers, where the spread is done before the scanners come: a review.)
  const lastMade = 1000 + total * step;
  const spreadBy =
    servers.length === 1 ? 0 : !cluster ? firstSessionAt + total + 1 : p.clusterIntervalMs === 0 ? Infinity : Math.ceil(lastMade / p.clusterIntervalMs) * p.clusterIntervalMs + p.docs + 1;
  // Documents drawn again until one that is neither forwarded nor deleted comes, so that `userDeletes` documents are
  // deleted, or every such document where there are fewer (the run's scenario settings say how many were asked; the
  // recording holds the deletions made). (The draws stopped after 20 misses per deletion asked: 0 of 3 deletions were
  // made with 8 documents left among 1,000 forwarded ones, a QA pass. Drawing until a hit takes about
  // documents x ln(deletions) draws at worst, 14 million for a million of each.)
  const deletable = total - forwarded.size;
  while (deleted.size < p.userDeletes && deleted.size < deletable) {
    const doc = docAt(rng.int(0, total - 1));
    if (forwarded.has(doc.unid) || deleted.has(doc.unid)) continue;
    let server = servers[rng.int(0, servers.length - 1)]!;
    const at = start + rng.int(0, p.horizonMs - 1);
    if (at < spreadBy) server = servers[0]!;
    deleted.set(doc.unid, at);
    later.push({ at, type: 'delete', server, db: doc.db, unid: doc.unid, by: 'user/ann' });
  }
  if (deleted.size > 0) {
    // (In place: a million edits are past the arguments push(...) can take.)
    let w = 0;
    for (const e of later) {
      const deletedAt = e.type === 'save' && e.by === 'user/ann' ? deleted.get(e.unid) : undefined;
      if (deletedAt === undefined || e.at < deletedAt) later[w++] = e;
    }
    later.length = w;
  }
  later.push({ at: horizon, type: 'end' });
  // Stable sort by time: events at the same `at` keep the order they were made in.
  yield* later.map((e, i) => [e, i] as const).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map(([e]) => e);
}
