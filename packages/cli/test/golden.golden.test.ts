import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN_DIR, runCli } from './cliHarness.js';

// Golden logs: one small hand-written v1 log per rule family, replayed with `--json --state` and compared with the
// pinned output in golden/<name>.expected.json. UPDATE_GOLDEN=1 rewrites the pinned files instead; the hand-checked
// facts below (worked out from replication.md, and written in each log's "expect" note) are asserted either way, so a
// regeneration cannot silently pin a different behaviour.

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const LOGS = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .map((f) => f.slice(0, -'.jsonl'.length))
  .sort();

interface StateDoc {
  unid: string;
  seq: number;
  seqTime: number;
  revisions: [number, number][];
  deleted: boolean;
  conflict: boolean;
  ref: string | null;
  items: Record<string, unknown>;
  itemSeq: Record<string, number>;
}
type Output = Record<string, unknown> & { digest: string; state: Record<string, Record<string, StateDoc[]>> };

function doc(out: Output, server: string, db: string, unid: string): StateDoc {
  const d = out.state[server]?.[db]?.find((x) => x.unid === unid);
  if (d === undefined) throw new Error(`${server} ${db} holds no ${unid}`);
  return d;
}

const U = (tail: string) => tail.padStart(32, '0');
const quiet = { performed: 0, skipped: 0, infected: 0, missed: 0 };
const noReplication = { conflicts: 0, merges: 0, discarded: 0, collisions: 0 };

/** What each log must give, worked out by hand from the rules (see the log's meta.expect). */
const HAND_CHECKED: Record<string, { summary: Record<string, unknown>; state?: (out: Output) => void }> = {
  'r1-saves': {
    summary: { revisions: { total: 5, byActorKind: { agent: 2, user: 3 } }, replicatedChanges: 0, ...noReplication, scans: quiet, quiescent: true, converged: true, stopped: 'idle', endAt: 5000 },
    state: (out) => {
      const a = doc(out, 'Alpha', 'notes.nsf', U('A001'));
      expect([a.seq, a.seqTime, a.revisions]).toEqual([4, 4000, [[1, 1000], [2, 2000], [3, 3000]]]);
      expect(Object.keys(a.items)).toEqual(['__proto__', 'constructor', 'Subject']);
      expect(a.itemSeq).toEqual(JSON.parse('{"__proto__":4,"constructor":4,"Subject":3}'));
      const b = doc(out, 'Alpha', 'notes.nsf', U('A002'));
      expect([b.seq, b.seqTime, b.revisions, b.items]).toEqual([1, 5000, [], {}]);
    },
  },
  'r2-r4-create-same-oid-descent': {
    summary: { revisions: { total: 7, byActorKind: { user: 7 } }, replicatedChanges: 5, ...noReplication, collisions: 1, quiescent: true, converged: false, stopped: 'idle', endAt: 8003 },
    state: (out) => {
      expect(doc(out, 'Beta', 'db.nsf', U('B001'))).toMatchObject({ seq: 3, seqTime: 6000, revisions: [[1, 1000], [2, 4000]] });
      expect(doc(out, 'Gamma', 'db.nsf', U('B001'))).toMatchObject({ seq: 2, seqTime: 4000 });
      expect(doc(out, 'Beta', 'db.nsf', U('B002')).items).toEqual({ Subject: "Beta's text" });
      expect(doc(out, 'Alpha', 'db.nsf', U('B002')).items).toEqual({ Subject: "Alpha's text" });
    },
  },
  'r5-conflict-winner-skew': {
    summary: { revisions: { total: 7, byActorKind: { user: 7 } }, replicatedChanges: 6, ...noReplication, conflicts: 2, quiescent: true, converged: true, stopped: 'idle', endAt: 3003 },
    state: (out) => {
      for (const server of ['Alpha', 'Beta']) {
        expect(doc(out, server, 'db.nsf', U('C001'))).toMatchObject({ seq: 2, seqTime: 1350, items: { Body: "Beta's edit", Subject: 'original' } });
        expect(doc(out, server, 'db.nsf', '1555C455F43B4306DE8A23F70806D354')).toMatchObject({
          seq: 2,
          seqTime: 1200,
          revisions: [[1, 1000]],
          conflict: true,
          ref: U('C001'),
          itemSeq: { $Conflict: 2, $REF: 2, Body: 1, Subject: 2 },
        });
        expect(doc(out, server, 'db.nsf', U('C002'))).toMatchObject({ seq: 3, seqTime: 1310 });
        expect(doc(out, server, 'db.nsf', 'C88755F1E834101C03112F7E0DDF3C1D')).toMatchObject({ seq: 2, seqTime: 1600, conflict: true, ref: U('C002') });
      }
    },
  },
  'r5-merge': {
    summary: { revisions: { total: 6, byActorKind: { user: 6 } }, replicatedChanges: 6, ...noReplication, conflicts: 1, merges: 1, quiescent: true, converged: true, stopped: 'idle', endAt: 2005 },
    state: (out) => {
      expect(doc(out, 'Beta', 'db.nsf', U('E001'))).toMatchObject({
        seq: 3,
        seqTime: 1301,
        revisions: [[1, 1000], [2, 1200], [2, 1300]],
        items: { Body: "Beta's body", Subject: "Alpha's subject" },
        itemSeq: { Body: 2, Subject: 3 },
      });
    },
  },
  'r5-merge-no-conflicts': {
    summary: { revisions: { total: 7, byActorKind: { user: 7 } }, replicatedChanges: 6, ...noReplication, merges: 2, discarded: 2, quiescent: true, converged: true, stopped: 'idle', endAt: 2004 },
    state: (out) => {
      expect(doc(out, 'Beta', 'db.nsf', U('F001'))).toMatchObject({ seq: 3, seqTime: 1301, items: { Subject: "Beta's subject", Note: "Alpha's note" }, itemSeq: { Subject: 2, Note: 3 } });
      expect(doc(out, 'Beta', 'db.nsf', U('F002'))).toMatchObject({
        seq: 4,
        seqTime: 1301,
        revisions: [[1, 1000], [2, 1200], [2, 1300], [3, 1210]],
        items: { Subject: "Alpha's second subject", Body: "Beta's body" },
        itemSeq: { Subject: 3, Body: 4 },
      });
    },
  },
  'r5-none': {
    summary: { revisions: { total: 10, byActorKind: { user: 10 } }, replicatedChanges: 7, ...noReplication, conflicts: 1, discarded: 2, quiescent: true, converged: true, stopped: 'idle', endAt: 2007 },
    state: (out) => {
      expect(doc(out, 'Alpha', 'db.nsf', U('D001'))).toMatchObject({ seq: 2, seqTime: 1300 });
      expect(doc(out, 'Beta', 'db.nsf', U('D002'))).toMatchObject({ seq: 3, seqTime: 1210 });
      expect(out.state['Alpha']!['db.nsf']!.filter((d) => d.conflict).map((d) => d.ref)).toEqual([U('D003')]);
    },
  },
  'r5-limit-revisions': {
    summary: { revisions: { total: 6, byActorKind: { user: 6 } }, replicatedChanges: 5, ...noReplication, conflicts: 1, quiescent: true, converged: true, stopped: 'idle', endAt: 3003 },
    state: (out) => {
      expect(doc(out, 'Beta', 'capped.nsf', U('1101'))).toMatchObject({ seq: 3, seqTime: 1300, revisions: [[2, 1200]] });
      expect(doc(out, 'Beta', 'capped.nsf', 'C4B8A6F7DC84E830837635612AA1C726')).toMatchObject({ seq: 1, seqTime: 1000, revisions: [], conflict: true, ref: U('1101') });
      expect(out.state['Beta']!['full.nsf']!.map((d) => [d.unid, d.seq, d.revisions])).toEqual([[U('1102'), 3, [[1, 1000], [2, 1200]]]]);
    },
  },
  'r6-delete-vs-edit': {
    // deletionsUndone: 3 deleted on Alpha; 1002 (edited twice) and 1003 (edited after) are back there (R6).
    summary: { revisions: { total: 10, byActorKind: { user: 10 } }, replicatedChanges: 6, ...noReplication, discarded: 3, quiescent: true, converged: true, stopped: 'idle', endAt: 2006, deletionsUndone: { deleted: 3, undone: 2, first: { unid: U('1002'), deletedOn: 'Alpha', deletedAt: 1200, seq: 3, liveOn: ['Alpha', 'Beta'] } } },
    state: (out) => {
      for (const server of ['Alpha', 'Beta']) {
        expect(doc(out, server, 'db.nsf', U('1001'))).toMatchObject({ seq: 2, seqTime: 1200, deleted: true, items: {}, itemSeq: {} });
        expect(doc(out, server, 'db.nsf', U('1002'))).toMatchObject({ seq: 3, seqTime: 1110, deleted: false });
        expect(doc(out, server, 'db.nsf', U('1003'))).toMatchObject({ seq: 2, seqTime: 1300, deleted: false });
        expect(out.state[server]!['db.nsf']!.some((d) => d.conflict)).toBe(false);
      }
    },
  },
  'r8-modes': {
    summary: { revisions: { total: 8, byActorKind: { user: 8 } }, replicatedChanges: 6, ...noReplication, quiescent: true, converged: false, stopped: 'idle', endAt: 5003 },
    state: (out) => {
      const unids = (server: string, db: string) => out.state[server]![db]!.map((d) => d.unid.slice(-3));
      expect([unids('Alpha', 'pp.nsf'), unids('Beta', 'pp.nsf')]).toEqual([['20A', '20B'], ['20A', '20B']]);
      expect([unids('Alpha', 'pull.nsf'), unids('Beta', 'pull.nsf')]).toEqual([['30A', '30B'], ['30B']]);
      expect([unids('Alpha', 'push.nsf'), unids('Beta', 'push.nsf')]).toEqual([['40A'], ['40A', '40B']]);
      expect([unids('Alpha', 'pullpull.nsf'), unids('Beta', 'pullpull.nsf')]).toEqual([['50A', '50B'], ['50A', '50B']]);
    },
  },
  'r9-history-interrupted': {
    summary: { revisions: { total: 6, byActorKind: { user: 6 } }, replicatedChanges: 5, ...noReplication, quiescent: true, converged: true, stopped: 'idle', endAt: 13300 },
    state: (out) => {
      expect(doc(out, 'Beta', 'db.nsf', U('9003'))).toMatchObject({ seq: 2, seqTime: 12250 });
      expect(doc(out, 'Beta', 'db.nsf', U('9001'))).toMatchObject({ seq: 2, seqTime: 12150 });
    },
  },
  'r10-purge-resurrection': {
    // deletionsUndone: F0D1 (deleted on Alpha, resurrected after its stub's purge, R10) and F0D2: 1 of 2 back.
    summary: { revisions: { total: 5, byActorKind: { user: 5 } }, replicatedChanges: 3, ...noReplication, quiescent: true, converged: true, stopped: 'idle', endAt: 259_200_001, deletionsUndone: { deleted: 2, undone: 1, first: { unid: U('F0D1'), deletedOn: 'Alpha', seq: 1 } } },
    state: (out) => {
      for (const server of ['Alpha', 'Beta']) {
        expect(out.state[server]!['db.nsf']!.map((d) => [d.unid, d.seq, d.seqTime, d.deleted])).toEqual([[U('F0D1'), 1, 1000, false]]);
      }
    },
  },
  'r11-connection': {
    summary: { revisions: { total: 3, byActorKind: { user: 3 } }, replicatedChanges: 2, ...noReplication, quiescent: true, converged: false, stopped: 'end', endAt: 200_000 },
    state: (out) => {
      expect(out.state['Beta']!['a.nsf']!.map((d) => d.unid)).toEqual([U('1A01'), U('1B01')]);
      expect(out.state['Beta']!['other.nsf']).toEqual([]);
    },
  },
  'r12-cluster-retry': {
    summary: { revisions: { total: 3, byActorKind: { user: 3 } }, replicatedChanges: 3, ...noReplication, quiescent: true, converged: true, stopped: 'idle', endAt: 10_830_002 },
  },
  'r12-crash-loses-queue': {
    summary: { revisions: { total: 2, byActorKind: { user: 2 } }, replicatedChanges: 1, ...noReplication, quiescent: true, converged: false, stopped: 'idle', endAt: 30_001 },
    state: (out) => expect(out.state['Beta']!['db.nsf']!.map((d) => d.unid)).toEqual([U('C202')]),
  },
  'r12-explicit-push': {
    summary: { revisions: { total: 2, byActorKind: { user: 2 } }, replicatedChanges: 1, ...noReplication, quiescent: false, converged: false, stopped: 'cap', endAt: 6000 + 7 * 86_400_000 },
    state: (out) => expect(out.state['Beta']!['db.nsf']!.map((d) => d.unid)).toEqual([U('C301')]),
  },
  'r13-mail-deliver-forward': {
    summary: { revisions: { total: 8, byActorKind: { router: 3, scanner: 5, user: 0 } }, replicatedChanges: 0, ...noReplication, scans: { performed: 7, skipped: 1, infected: 1, missed: 0 }, quiescent: true, converged: true, stopped: 'idle', endAt: 4030 },
    state: (out) => {
      expect(doc(out, 'Alpha', 'a.nsf', U('E001'))).toMatchObject({ seq: 3, seqTime: 4010, items: { $FILE: [{ name: 'x.doc', bytes: 2048 }] }, itemSeq: { 'X-SSOTag': 3 } });
      expect(doc(out, 'Alpha', 'b.nsf', U('F001'))).toMatchObject({ seq: 2, seqTime: 4030, revisions: [[1, 2000]], itemSeq: { 'X-SSOTag': 2 } });
    },
  },
  'seed-one-scan-one-member': {
    summary: { revisions: { total: 7, byActorKind: { router: 0, scanner: 3, user: 4 } }, replicatedChanges: 7, ...noReplication, scans: { ...quiet, performed: 3 }, quiescent: true, converged: true, stopped: 'idle', endAt: 3_615_003 },
    state: (out) => {
      const stamped = out.state['Beta']!['mail/ann.nsf']!.filter((d) => 'X-SSOTag' in d.items).map((d) => [d.seq, d.seqTime, d.itemSeq['X-SSOTag']]);
      expect(stamped).toEqual([[2, 3_600_010, 2], [2, 3_600_020, 2], [2, 3_600_030, 2]]);
    },
  },
  'seed-both-members-conflicts': {
    summary: { revisions: { total: 6, byActorKind: { router: 0, scanner: 4, user: 2 } }, replicatedChanges: 6, ...noReplication, conflicts: 2, scans: { ...quiet, performed: 4 }, quiescent: true, converged: true, stopped: 'idle', endAt: 3_630_002 },
    state: (out) => {
      const docs = out.state['Beta']!['mail/ann.nsf']!;
      expect(docs.filter((d) => !d.conflict).map((d) => d.seqTime)).toEqual([3_607_360, 3_607_370]);
      expect(docs.filter((d) => d.conflict).map((d) => [d.ref, d.seqTime]).sort()).toEqual([[U('5E7D001'), 3_600_010], [U('5E7D002'), 3_600_020]]);
    },
  },
  'seed-same-ms-same-key': {
    summary: { revisions: { total: 6, byActorKind: { router: 0, scanner: 4, user: 2 } }, replicatedChanges: 2, ...noReplication, scans: { ...quiet, performed: 4 }, quiescent: true, converged: true, stopped: 'idle', endAt: 3_615_002 },
  },
  'seed-per-server-keys-storm': {
    summary: { revisions: { total: 8, byActorKind: { router: 0, scanner: 7, user: 1 } }, replicatedChanges: 6, ...noReplication, scans: { ...quiet, performed: 7 }, quiescent: false, converged: false, stopped: 'end', endAt: 100_000 },
    state: (out) => {
      expect(doc(out, 'Alpha', 'mail/ann.nsf', U('5001'))).toMatchObject({ seq: 8, seqTime: 90_011 });
      expect(doc(out, 'Beta', 'mail/ann.nsf', U('5001'))).toMatchObject({ seq: 7, seqTime: 75_011 });
    },
  },
  'seed-ignore-sso': {
    summary: { revisions: { total: 3, byActorKind: { router: 0, scanner: 0, user: 3 } }, replicatedChanges: 3, ...noReplication, scans: { ...quiet, performed: 6 }, quiescent: true, converged: true, stopped: 'idle', endAt: 3_607_030 },
  },
};
HAND_CHECKED['r1-saves-crlf'] = { summary: HAND_CHECKED['r1-saves']!.summary };
HAND_CHECKED['r1-saves-bom'] = { summary: HAND_CHECKED['r1-saves']!.summary };

async function replayJsonState(name: string): Promise<{ stdout: string; out: Output }> {
  const res = await runCli(['replay', join(GOLDEN_DIR, `${name}.jsonl`), '--json', '--state']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return { stdout: res.stdout, out: JSON.parse(res.stdout) as Output };
}

const tmp = mkdtempSync(join(tmpdir(), 'replstorm-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('golden logs', () => {
  it('has the rule families and seed cases the issue asks for, each with a pinned expectation and a hand-checked one', () => {
    expect(LOGS.length).toBeGreaterThanOrEqual(20);
    expect(LOGS.sort()).toEqual(Object.keys(HAND_CHECKED).sort());
    const pinned = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.expected.json'));
    if (!UPDATE) expect(pinned.map((f) => f.slice(0, -'.expected.json'.length)).sort()).toEqual(LOGS);
  });

  it.each(LOGS)('%s: its header says what a reader should see', (name) => {
    const first = readFileSync(join(GOLDEN_DIR, `${name}.jsonl`), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0]!;
    const header = JSON.parse(first) as { replog: number; meta: { about?: unknown; expect?: unknown } };
    expect(header.replog).toBe(1);
    expect(typeof header.meta.about).toBe('string');
    expect(typeof header.meta.expect).toBe('string');
  });

  it.each(LOGS)('%s: replay --json --state equals the pinned output and the hand-checked facts', async (name) => {
    const { stdout, out } = await replayJsonState(name);
    const pinnedFile = join(GOLDEN_DIR, `${name}.expected.json`);
    if (UPDATE) writeFileSync(pinnedFile, stdout);
    else {
      expect(existsSync(pinnedFile), `${pinnedFile} is missing: regenerate with UPDATE_GOLDEN=1 and read the diff`).toBe(true);
      expect(out).toEqual(JSON.parse(readFileSync(pinnedFile, 'utf8')));
    }
    const hand = HAND_CHECKED[name]!;
    expect(out).toMatchObject(hand.summary);
    hand.state?.(out);
  });

  it.each(LOGS)('%s: recording it and replaying the recording reproduces the digest, derived events checked', async (name) => {
    const { out } = await replayJsonState(name);
    const recorded = join(tmp, `${name}.recorded.jsonl`);
    const rec = await runCli(['replay', join(GOLDEN_DIR, `${name}.jsonl`), '--record', recorded]);
    expect(rec.code).toBe(0);
    const again = await runCli(['replay', recorded]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(out.digest);
    expect(again.stdout).toMatch(/derived events checked: the engine agrees/);
  });

  it('the \\r\\n and byte-order-mark variants hold the events of r1-saves.jsonl and replay to its digest', async () => {
    const eventsOf = (text: string) => text.replace(/^\uFEFF/, '').split('\n').slice(1).join('\n');
    const base = readFileSync(join(GOLDEN_DIR, 'r1-saves.jsonl'), 'utf8');
    const crlf = readFileSync(join(GOLDEN_DIR, 'r1-saves-crlf.jsonl'), 'utf8');
    const bom = readFileSync(join(GOLDEN_DIR, 'r1-saves-bom.jsonl'), 'utf8');
    expect(crlf.split('\n').every((l, i, all) => i === all.length - 1 || l.endsWith('\r'))).toBe(true);
    expect(eventsOf(crlf.replace(/\r\n/g, '\n'))).toBe(eventsOf(base));
    expect(bom.startsWith('\uFEFF{')).toBe(true);
    expect(eventsOf(bom)).toBe(eventsOf(base));
    const digests: string[] = [];
    for (const n of ['r1-saves', 'r1-saves-crlf', 'r1-saves-bom']) digests.push((await replayJsonState(n)).out.digest);
    expect(new Set(digests).size).toBe(1);
  });
});
