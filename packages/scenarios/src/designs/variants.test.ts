import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getItemValue, isScannerRevision, runEvents, type Attachment, type DerivedEvent, type InputEvent, type ItemValue, type RevisedEvent, type ScannedEvent } from '@replstorm/core';
import { behaviourFactory, promisesOf } from '../design.js';
import { verifyDesign } from '../verify/verifyDesign.js';
import { builtinRegistry } from './registry.js';

// The other built-in designs (event-log.md, "Built-in scanner design smsdom", last paragraph; R16): cluster-aware,
// sso-mail-only, scan-cache, noop, each driven through the real simulator with small hand-written logs.

const KEY = 'SSOKEY0000000001';
const U1 = '0000000000000000000000000000000A';
const U2 = '0000000000000000000000000000000B';
const U9 = '000000000000000000000000000000F9';
const CLEAN: Attachment[] = [{ name: 'q1.xlsx', bytes: 100 }];
const INFECTED: Attachment[] = [{ name: 'q1.xlsx', bytes: 100 }, { name: 'bad.exe', bytes: 6, infected: true }];

const hmacHex = (key: string, message: string) => createHmac('sha256', key).update(message, 'utf8').digest('hex');
const C_FIGURES = '{"$FILE":[{"bytes":100,"name":"q1.xlsx"}],"Subject":"figures"}';

const server = (name: string, extra: { cluster?: string; clusterIntervalMs?: number } = {}): InputEvent => ({ at: 0, type: 'server', name, ...extra });
const database = (name: string, replicas: string[]): InputEvent => ({ at: 0, type: 'database', name, replicas });
const scanner = (srv: string, design: string, config: Record<string, unknown> = {}, at = 0): InputEvent => ({ at, type: 'scanner', server: srv, design, config });
const save = (at: number, srv: string, db: string, unid: string, files: Attachment[] = CLEAN, subject = 'figures'): InputEvent => ({
  at,
  type: 'save',
  server: srv,
  db,
  unid,
  by: 'user/ann',
  set: new Map<string, ItemValue>([['Subject', subject], ['$FILE', files]]),
});
const scan = (at: number, srv: string, kind: 'scheduled' | 'manual'): InputEvent => ({ at, type: 'scan', server: srv, kind });
const end = (at: number): InputEvent => ({ at, type: 'end' });

function run(events: InputEvent[]) {
  const r = runEvents(events, { behaviours: behaviourFactory(builtinRegistry()), collect: true });
  const scanned = r.derived.filter((e): e is ScannedEvent => e.type === 'scanned');
  const revised = r.derived.filter((e): e is RevisedEvent => e.type === 'revised');
  return { ...r, scanned, revised, note: (srv: string, db: string, unid: string) => r.sim.replica(srv, db)?.get(unid) };
}

const scans = (events: ScannedEvent[]) => events.map((e) => [e.at, e.server, e.db, e.unid, e.kind, e.verdict, e.saved] as const);
const byScanner = (revised: RevisedEvent[]) => revised.filter(isScannerRevision);
const types = (derived: DerivedEvent[]) => new Set(derived.map((e) => e.type));

describe('R16: cluster-aware', () => {
  // Zulu is defined before Alpha, so "first by name" (Alpha) is not "first defined". Each holds its own database
  // (no cluster queues), and clusterIntervalMs 0 means no cluster ticks.
  function cluster(config: Record<string, unknown>, more: InputEvent[]): InputEvent[] {
    return [
      server('Zulu', { cluster: 'Hub', clusterIntervalMs: 0 }),
      server('Alpha', { cluster: 'Hub', clusterIntervalMs: 0 }),
      database('z.nsf', ['Zulu']),
      database('a.nsf', ['Alpha']),
      scanner('Zulu', 'cluster-aware', { onWrite: false, ...config }),
      scanner('Alpha', 'cluster-aware', { onWrite: false, ...config }),
      save(100, 'Zulu', 'z.nsf', U1),
      save(100, 'Alpha', 'a.nsf', U2),
      ...more,
    ];
  }

  it('R16: only the first cluster member by name runs periodic scheduled passes', () => {
    const r = run(cluster({ scheduleEveryMs: 1000 }, [end(2500)]));
    expect(scans(r.scanned)).toEqual([
      [1010, 'Alpha', 'a.nsf', U2, 'scheduled', 'clean', true],
      [2010, 'Alpha', 'a.nsf', U2, 'scheduled', 'skipped', true],
    ]);
    expect(r.note('Zulu', 'z.nsf', U1)?.seq).toBe(1);
  });

  it('R16: an explicit scheduled scan on the other member does nothing; on the first member it runs', () => {
    const r = run(cluster({}, [scan(1000, 'Zulu', 'scheduled'), scan(1000, 'Alpha', 'scheduled')]));
    expect(scans(r.scanned)).toEqual([[1010, 'Alpha', 'a.nsf', U2, 'scheduled', 'clean', true]]);
  });

  it('R16: manual scans run on every member', () => {
    const r = run(cluster({}, [scan(1000, 'Zulu', 'manual'), scan(1000, 'Alpha', 'manual')]));
    expect(scans(r.scanned)).toEqual([
      [1010, 'Zulu', 'z.nsf', U1, 'manual', 'clean', true],
      [1010, 'Alpha', 'a.nsf', U2, 'manual', 'clean', true],
    ]);
  });

  it('R16: on-write scans run on every member (only scheduled passes are restricted)', () => {
    const r = run(cluster({ onWrite: true }, []));
    expect(scans(r.scanned)).toEqual([
      [110, 'Zulu', 'z.nsf', U1, 'on-write', 'clean', true],
      [110, 'Alpha', 'a.nsf', U2, 'on-write', 'clean', true],
    ]);
  });

  it('R16: a server outside any cluster runs its scheduled passes', () => {
    const r = run([server('Solo'), database('db', ['Solo']), scanner('Solo', 'cluster-aware', { onWrite: false }), save(100, 'Solo', 'db', U1), scan(1000, 'Solo', 'scheduled')]);
    expect(scans(r.scanned)).toEqual([[1010, 'Solo', 'db', U1, 'scheduled', 'clean', true]]);
  });

  it('R16: cluster-aware saves are made by scanner/cluster-aware', () => {
    const r = run(cluster({}, [scan(1000, 'Alpha', 'manual')]));
    expect(byScanner(r.revised).map((e) => e.by)).toEqual(['scanner/cluster-aware']);
    expect(r.summary.revisions.byActorKind).toEqual({ router: 0, scanner: 1, user: 2 });
  });
});

describe('R16: cluster-aware promises', () => {
  it('R1/R14: with Ignore SSO its scheduled and manual scans are promised read-only, as smsdom\'s are, and with SSO off every kind (nothing is ever stamped); with SSO on none', () => {
    // event-log.md: ignoreSsoOnScheduled: "scheduled and manual scans neither honour nor write tags"; R1: read-only
    // means no save. cluster-aware is smsdom with passes on one member: the same settings make the same promise, or
    // verify reports its read-only invariant as not applicable and never checks it.
    const reg = builtinRegistry();
    for (const name of ['smsdom', 'cluster-aware']) {
      const d = reg.get(name)!;
      expect(promisesOf(d).readOnlyKinds).toEqual([]);
      expect(promisesOf(d, { ignoreSsoOnScheduled: true }).readOnlyKinds).toEqual(['scheduled', 'manual']);
      expect(promisesOf(d, { sso: false }).readOnlyKinds).toEqual(['mail', 'on-write', 'scheduled', 'manual']);
    }
    const r = verifyDesign(reg.get('cluster-aware')!, { config: { ignoreSsoOnScheduled: true }, only: ['read-only'], runs: 10 });
    expect(r.invariants.map((i) => [i.name, i.status])).toEqual([['read-only', 'held']]);
  });
});

describe('R16: sso-mail-only', () => {
  it('R16: scheduled and manual scans never write a tag on an untagged document', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', 'sso-mail-only', { onWrite: false }),
      save(100, 'A', 'db', U1),
      scan(1000, 'A', 'scheduled'),
      scan(2000, 'A', 'manual'),
    ]);
    expect(scans(r.scanned)).toEqual([
      [1010, 'A', 'db', U1, 'scheduled', 'clean', false],
      [2010, 'A', 'db', U1, 'manual', 'clean', false],
    ]);
    expect(getItemValue(r.note('A', 'db', U1)!, 'X-SSOTag')).toBeUndefined();
  });

  it('R16: on-write scans stamp; later scheduled and manual scans neither honour nor rewrite the tag', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', 'sso-mail-only', {}),
      save(100, 'A', 'db', U1),
      scan(1000, 'A', 'scheduled'),
      scan(2000, 'A', 'manual'),
    ]);
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', true],
      [1010, 'A', 'db', U1, 'scheduled', 'clean', false],
      [2010, 'A', 'db', U1, 'manual', 'clean', false],
    ]);
    expect(byScanner(r.revised).map((e) => [e.at, e.seq, e.by])).toEqual([[110, 2, 'scanner/sso-mail-only']]);
    expect(getItemValue(r.note('A', 'db', U1)!, 'X-SSOTag')).toBe(hmacHex(KEY, C_FIGURES));
  });

  it('R16: even with ignoreSsoOnScheduled=false in its config, scheduled scans do not write tags', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', 'sso-mail-only', { onWrite: false, ignoreSsoOnScheduled: false }),
      save(100, 'A', 'db', U1),
      scan(1000, 'A', 'scheduled'),
    ]);
    expect(scans(r.scanned)).toEqual([[1010, 'A', 'db', U1, 'scheduled', 'clean', false]]);
  });

  it('R16: ignoreSsoOnScheduled and rewriteValidTags change nothing in sso-mail-only (its `designs` help says "no effect"): the same run, the same digest, with each value', () => {
    const events = (config: Record<string, unknown>) => [
      server('A'),
      database('db', ['A']),
      scanner('A', 'sso-mail-only', config),
      save(100, 'A', 'db', U1),
      save(200, 'A', 'db', U2, INFECTED),
      scan(1000, 'A', 'scheduled'),
      scan(2000, 'A', 'manual'),
    ];
    const base = run(events({}));
    expect(byScanner(base.revised).length).toBeGreaterThan(0);
    for (const config of [{ ignoreSsoOnScheduled: true }, { rewriteValidTags: false }, { ignoreSsoOnScheduled: true, rewriteValidTags: false }]) {
      expect(run(events(config)).summary.digest, JSON.stringify(config)).toBe(base.summary.digest);
    }
    // The same two settings do change smsdom's run: the test can tell.
    const smsdomEvents = (config: Record<string, unknown>) => events(config).map((e) => (e.type === 'scanner' ? { ...e, design: 'smsdom' } : e));
    expect(run(smsdomEvents({ rewriteValidTags: false })).summary.digest).not.toBe(run(smsdomEvents({})).summary.digest);
    expect(run(smsdomEvents({ ignoreSsoOnScheduled: true })).summary.digest).not.toBe(run(smsdomEvents({})).summary.digest);
    const help = builtinRegistry().get('sso-mail-only')!.configHelp as Readonly<Record<string, string>>;
    expect(help['ignoreSsoOnScheduled']).toMatch(/^no effect in this design/);
    expect(help['rewriteValidTags']).toMatch(/^no effect in this design/);
  });

  it('R16: mail scans stamp the message; the delivered copies carry the tag', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', 'sso-mail-only', {}),
      { at: 100, type: 'deliver', server: 'A', unid: U1, to: ['db'], set: new Map<string, ItemValue>([['Subject', 'figures'], ['$FILE', CLEAN]]) },
    ]);
    expect(scans(r.scanned)).toEqual([
      [100, 'A', 'mail.box', U1, 'mail', 'clean', true],
      [110, 'A', 'db', U1, 'on-write', 'skipped', false],
    ]);
    expect(getItemValue(r.note('A', 'db', U1)!, 'X-SSOTag')).toBe(hmacHex(KEY, C_FIGURES));
  });

  it('R16: scheduled passes still clean infected documents', () => {
    const r = run([server('A'), database('db', ['A']), scanner('A', 'sso-mail-only', { onWrite: false }), save(100, 'A', 'db', U1, INFECTED), scan(1000, 'A', 'scheduled')]);
    expect(scans(r.scanned)).toEqual([[1010, 'A', 'db', U1, 'scheduled', 'infected', true]]);
    expect(getItemValue(r.note('A', 'db', U1)!, '$FILE')).toEqual(CLEAN);
  });

  it('R16: quiescence is promised only without scanReplicatedWrites: scanning arrivals with per-server keys, each member restamps the other\'s stamp forever', () => {
    // R16's storm: "when each server's stamp fails the other's check and arrivals are scanned, revisions never stop".
    // sso-mail-only's on-write scans still stamp, so it storms the same way; its promise must say so.
    const r = run([
      server('A', { cluster: 'Hub', clusterIntervalMs: 1000 }),
      server('B', { cluster: 'Hub', clusterIntervalMs: 1000 }),
      database('db', ['A', 'B']),
      scanner('A', 'sso-mail-only', { scanReplicatedWrites: true, key: 'SSOKEYAAAAAAAAAA' }),
      scanner('B', 'sso-mail-only', { scanReplicatedWrites: true, key: 'SSOKEYBBBBBBBBBB' }),
      save(100, 'A', 'db', U1),
      end(60_000),
    ]);
    expect(r.summary.quiescent).toBe(false);
    expect(byScanner(r.revised).length).toBeGreaterThan(50);
    const design = builtinRegistry().get('sso-mail-only')!;
    expect(promisesOf(design).quiescent).toBe(true);
    expect(promisesOf(design, { scanReplicatedWrites: true }).quiescent).not.toBe(true);
  });
});

describe('R16: scan-cache', () => {
  it('R16: a clean version is scanned once on a server, then skipped; a clean document is never saved', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', 'scan-cache', {}),
      save(100, 'A', 'db', U1),
      scan(1000, 'A', 'manual'),
      scan(2000, 'A', 'scheduled'),
    ]);
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', false],
      [1010, 'A', 'db', U1, 'manual', 'skipped', false],
      [2010, 'A', 'db', U1, 'scheduled', 'skipped', false],
    ]);
    expect(r.summary.revisions.byActorKind['scanner']).toBe(0);
    expect(r.summary.scans).toEqual({ performed: 1, skipped: 2, infected: 0, missed: 0 });
    expect(getItemValue(r.note('A', 'db', U1)!, 'X-SSOTag')).toBeUndefined();
  });

  it('R16: the cache is per server: a replica that receives the same version scans it once itself', () => {
    const r = run([
      server('A'),
      server('B'),
      database('db', ['A', 'B']),
      scanner('A', 'scan-cache', {}),
      scanner('B', 'scan-cache', {}),
      save(100, 'A', 'db', U1),
      { at: 500, type: 'replicate', server: 'B', partner: 'A', mode: 'pull' },
      scan(1000, 'B', 'manual'),
      scan(2000, 'B', 'manual'),
    ]);
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', false],
      [1010, 'B', 'db', U1, 'manual', 'clean', false],
      [2010, 'B', 'db', U1, 'manual', 'skipped', false],
    ]);
  });

  it('R16: a new version (a user edit) is a new OID: scanned again', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', 'scan-cache', { scanReplicatedWrites: false }),
      save(100, 'A', 'db', U1),
      save(500, 'A', 'db', U1, CLEAN, 'figures v2'),
      scan(1000, 'A', 'manual'),
    ]);
    expect(scans(r.scanned).map((s) => [s[0], s[4], s[5]])).toEqual([
      [110, 'on-write', 'clean'],
      [510, 'on-write', 'clean'],
      [1010, 'manual', 'skipped'],
    ]);
  });

  it('R16: an infected document is cleaned (a scanner save); the cleaned version is a new OID, scanned once by the next pass', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', 'scan-cache', { scanMsPerDoc: 5 }),
      save(100, 'A', 'db', U1, INFECTED),
      scan(1000, 'A', 'manual'),
      scan(2000, 'A', 'manual'),
    ]);
    expect(scans(r.scanned)).toEqual([
      [105, 'A', 'db', U1, 'on-write', 'infected', true],
      [1005, 'A', 'db', U1, 'manual', 'clean', false],
      [2005, 'A', 'db', U1, 'manual', 'skipped', false],
    ]);
    expect(byScanner(r.revised).map((e) => [e.at, e.seq, e.by, e.items])).toEqual([[105, 2, 'scanner/scan-cache', ['$FILE']]]);
    expect(getItemValue(r.note('A', 'db', U1)!, '$FILE')).toEqual(CLEAN);
    expect(r.summary.scans).toEqual({ performed: 2, skipped: 1, infected: 1, missed: 0 });
  });

  it('R13/R16: the cache key is the whole OID: a version with the same seq but another seqTime (saved on the other cluster member) is scanned, not taken for the cached one', () => {
    // Alpha scans its own edit (seq 2, seqTime 20000) clean; Beta's concurrent edit adds an infected attachment (seq 2,
    // seqTime 20005), wins at the cluster push (R5: equal seq, later seqTime) and replaces Alpha's copy. A key without
    // seqTime would find Alpha's clean entry and skip the infected version.
    const body = (at: number, srv: string, files?: Attachment[]): InputEvent => ({
      at,
      type: 'save',
      server: srv,
      db: 'db',
      unid: U1,
      by: `user/${srv.toLowerCase()}`,
      set: new Map<string, ItemValue>([['Body', `edit on ${srv}`], ...(files !== undefined ? [['$FILE', files] as [string, ItemValue]] : [])]),
    });
    const r = run([
      server('Alpha', { cluster: 'Hub' }),
      server('Beta', { cluster: 'Hub' }),
      database('db', ['Alpha', 'Beta']),
      save(100, 'Alpha', 'db', U1),
      scanner('Alpha', 'scan-cache', {}, 1000),
      body(20_000, 'Alpha'),
      body(20_005, 'Beta', INFECTED),
      scan(60_000, 'Alpha', 'scheduled'),
    ]);
    // The premise: one seq, two seqTimes, Beta's the winner on Alpha.
    expect(r.derived.filter((e) => e.type === 'conflict').map((e) => [e.server, e.winner, e.loser])).toEqual([['Alpha', { seq: 2, seqTime: 20_005 }, { seq: 2, seqTime: 20_000 }]]);
    expect(scans(r.scanned).filter((s) => s[3] === U1)).toEqual([
      [20_010, 'Alpha', 'db', U1, 'on-write', 'clean', false],
      [60_010, 'Alpha', 'db', U1, 'scheduled', 'infected', true],
    ]);
    expect(r.summary.scans.missed).toBe(0);
    expect(getItemValue(r.note('Alpha', 'db', U1)!, '$FILE')).toEqual(CLEAN);
  });

  it('R13/R16: the cache is keyed by database too: one UNID with the same seq and seqTime in two databases on a server is two documents, each scanned', () => {
    // Two databases on A each get a document U1 saved at the same instant (seq 1, seqTime 100): equal OIDs, different
    // documents (a UNID is unique within one database's replicas). The pass lists a.nsf first; its clean verdict must
    // not be taken for b.nsf's infected copy.
    const r = run([
      server('A'),
      database('a.nsf', ['A']),
      database('b.nsf', ['A']),
      save(100, 'A', 'a.nsf', U1),
      save(100, 'A', 'b.nsf', U1, INFECTED),
      scanner('A', 'scan-cache', {}, 500),
      scan(1000, 'A', 'manual'),
    ]);
    expect(scans(r.scanned)).toEqual([
      [1010, 'A', 'a.nsf', U1, 'manual', 'clean', false],
      [1020, 'A', 'b.nsf', U1, 'manual', 'infected', true],
    ]);
    expect(r.summary.scans.missed).toBe(0);
    expect(getItemValue(r.note('A', 'b.nsf', U1)!, '$FILE')).toEqual(CLEAN);
  });

  it('R13/R16: without scanReplicatedWrites, documents the replicator makes (a conflict document) are not scanned on write either', () => {
    // R13: on-write covers documents "saved on the server by anyone but the scanner itself; documents that arrive by
    // replication — including conflict and merged documents the replicator makes — only where the design says so".
    // Both edits happen before the scanners come, so every write after 1000 is the replicator's.
    const events = (scanReplicatedWrites: boolean): InputEvent[] => [
      server('A'),
      server('B'),
      database('db', ['A', 'B']),
      save(100, 'A', 'db', U1),
      { at: 200, type: 'replicate', server: 'B', partner: 'A', mode: 'pull' },
      save(300, 'A', 'db', U1, CLEAN, 'edit on A'),
      save(400, 'B', 'db', U1, CLEAN, 'edit on B'),
      scanner('A', 'scan-cache', { scanReplicatedWrites }, 1000),
      scanner('B', 'scan-cache', { scanReplicatedWrites }, 1000),
      { at: 2000, type: 'replicate', server: 'B', partner: 'A' },
    ];
    const off = run(events(false));
    // The premise: the session made a conflict document.
    expect(off.summary.conflicts).toBe(1);
    expect(off.scanned).toEqual([]);
    // With the setting, the replicator's writes (arrival and conflict document) are scanned.
    expect(run(events(true)).scanned.length).toBeGreaterThan(0);
  });

  it('R16: scan-cache does not scan arrivals unless scanReplicatedWrites', () => {
    const events = (scanReplicatedWrites: boolean): InputEvent[] => [
      server('A'),
      server('B'),
      database('db', ['A', 'B']),
      scanner('B', 'scan-cache', { scanReplicatedWrites }),
      save(100, 'A', 'db', U1),
      { at: 500, type: 'replicate', server: 'B', partner: 'A', mode: 'pull' },
    ];
    expect(run(events(false)).scanned).toEqual([]);
    expect(scans(run(events(true)).scanned)).toEqual([[511, 'B', 'db', U1, 'on-write', 'clean', false]]);
  });

  it('R5/R16: scanning arrivals, two members clean one infected document into two diverged versions (a conflict); so "no conflicts" is promised only without scanReplicatedWrites', () => {
    // The infected version reaches B (2001) before A's pass cleans it (2010); B cleans the arrival too (2011): seq 2
    // on both sides, diverged (R5).
    const events = (scanReplicatedWrites: boolean): InputEvent[] => [
      server('A', { cluster: 'Hub', clusterIntervalMs: 0 }),
      server('B', { cluster: 'Hub', clusterIntervalMs: 0 }),
      database('db', ['A', 'B']),
      save(100, 'A', 'db', U1, INFECTED),
      scanner('A', 'scan-cache', { scanReplicatedWrites }, 1000),
      scanner('B', 'scan-cache', { scanReplicatedWrites }, 1000),
      { at: 2000, type: 'push', server: 'A', partner: 'B' },
      scan(2000, 'A', 'manual'),
      { at: 3000, type: 'push', server: 'A', partner: 'B' },
      { at: 3000, type: 'push', server: 'B', partner: 'A' },
    ];
    const arrivals = run(events(true));
    expect(byScanner(arrivals.revised).map((e) => [e.server, e.seq])).toEqual([['A', 2], ['B', 2]]);
    expect(arrivals.summary.conflicts).toBeGreaterThan(0);
    // The same inputs without arrival scanning (only A cleans, as a clean-only scanner would): no conflict.
    expect(run(events(false)).summary.conflicts).toBe(0);
    const scanCache = builtinRegistry().get('scan-cache')!;
    expect(promisesOf(scanCache).noConflicts).toBe(true);
    expect(promisesOf(scanCache, { scanReplicatedWrites: false }).noConflicts).toBe(true);
    expect(promisesOf(scanCache, { scanReplicatedWrites: true }).noConflicts).not.toBe(true);
  });
});

describe('R16: noop', () => {
  it('R16: noop never scans on write, and an explicit scheduled scan does nothing', () => {
    const r = run([server('A'), database('db', ['A']), scanner('A', 'noop'), save(100, 'A', 'db', U1, INFECTED), scan(1000, 'A', 'scheduled')]);
    expect(r.scanned).toEqual([]);
    expect(r.summary.scans).toEqual({ performed: 0, skipped: 0, infected: 0, missed: 0 });
    expect(getItemValue(r.note('A', 'db', U1)!, '$FILE')).toEqual(INFECTED);
  });

  it('R16: a manual pass by noop skips every document: an infected one counts as missed, nothing is cleaned or saved', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', 'noop'),
      save(100, 'A', 'db', U1, INFECTED),
      save(100, 'A', 'db', U2, CLEAN),
      scan(1000, 'A', 'manual'),
    ]);
    expect(scans(r.scanned)).toEqual([
      [1010, 'A', 'db', U1, 'manual', 'skipped', false],
      [1020, 'A', 'db', U2, 'manual', 'skipped', false],
    ]);
    expect(r.summary.scans).toEqual({ performed: 0, skipped: 2, infected: 0, missed: 1 });
    expect(r.summary.revisions).toEqual({ total: 2, byActorKind: { router: 0, scanner: 0, user: 2 } });
    expect(getItemValue(r.note('A', 'db', U1)!, '$FILE')).toEqual(INFECTED);
  });


  it('summary scans.missed counts documents (each copy once), not the scans that passed them (event-log.md)', () => {
    const r = run([
      server('A'),
      server('B'),
      database('db', ['A', 'B']),
      scanner('A', 'noop'),
      scanner('B', 'noop'),
      save(100, 'A', 'db', U1, INFECTED),
      // The same copy passed twice on A; the copy replicated to B passed once there.
      scan(1000, 'A', 'manual'),
      scan(2000, 'A', 'manual'),
      { at: 3000, type: 'replicate', server: 'A', partner: 'B', db: 'db', mode: 'push' },
      scan(4000, 'B', 'manual'),
    ]);
    expect(scans(r.scanned).map((s) => s.slice(1, 3))).toEqual([['A', 'db'], ['A', 'db'], ['B', 'db']]);
    expect(r.summary.scans).toEqual({ performed: 0, skipped: 3, infected: 0, missed: 2 });
  });
  it('R16: an infected message delivered past noop reaches the mail file: counted as missed', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', 'noop'),
      { at: 100, type: 'deliver', server: 'A', unid: U9, to: ['db'], set: new Map<string, ItemValue>([['Subject', 'x'], ['$FILE', INFECTED]]) },
    ]);
    expect(r.summary.scans.performed).toBe(0);
    expect(r.summary.scans.infected).toBe(0);
    expect(r.summary.scans.missed).toBe(1);
    expect(getItemValue(r.note('A', 'db', U9)!, '$FILE')).toEqual(INFECTED);
    expect(types(r.derived).has('revised')).toBe(true);
    expect(byScanner(r.revised)).toEqual([]);
  });
});
