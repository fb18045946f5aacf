import { LogError } from '@replstorm/core';
import { builtinRegistry } from '@replstorm/scenarios';
import { describe, expect, it } from 'vitest';
import { simulateStream } from '../src/simulateStream.js';

// The summary counts conflict documents made (event-log.md). With three replicas, one may resolve a conflict whose
// conflict document it already received from another (R5: it keeps that copy, writes the `conflict` event, makes no
// document). The report's timeline and the blame tables must count as the summary does, or an operator reads two
// different numbers for the same run.

const X = '0000000000000000000000000000000A';
const LOG = [
  { replog: 1, meta: { case: 'three replicas: C resolves a conflict whose conflict document A already sent it' } },
  ...['A', 'B', 'C'].map((name) => ({ at: 0, type: 'server', name })),
  { at: 0, type: 'database', name: 'd', replicas: ['A', 'B', 'C'] },
  { at: 1, type: 'save', server: 'A', db: 'd', unid: X, by: 'user/ann', set: { S: 'a' } },
  { at: 2, type: 'replicate', server: 'A', partner: 'B', db: 'd', mode: 'push' },
  { at: 3, type: 'replicate', server: 'A', partner: 'C', db: 'd', mode: 'push' },
  { at: 10, type: 'save', server: 'A', db: 'd', unid: X, by: 'user/ann', set: { S: 'loser' } },
  { at: 20, type: 'save', server: 'B', db: 'd', unid: X, by: 'user/bob', set: { S: 'winner' } },
  { at: 30, type: 'replicate', server: 'A', partner: 'C', db: 'd', mode: 'push' },
  { at: 40, type: 'replicate', server: 'B', partner: 'A', db: 'd', mode: 'push' },
  { at: 50, type: 'replicate', server: 'A', partner: 'C', db: 'd', mode: 'push' },
]
  .map((o) => JSON.stringify(o))
  .join('\n');

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);

/** Three cluster members, cluster intervals 0 (pushes by input): A and B edit X concurrently, A makes the conflict document K at 201 and pushes it to C. */
const THREE = (extra: readonly object[], purgeDays = 90) =>
  [
    { replog: 1, meta: {} },
    ...['A', 'B', 'C'].map((name) => ({ at: 0, type: 'server', name, cluster: 'H', clusterIntervalMs: 0 })),
    { at: 0, type: 'database', name: 'd', replicas: ['A', 'B', 'C'], purgeDays },
    { at: 10, type: 'save', server: 'A', db: 'd', unid: X, by: 'user/ann', set: { S: 'v1' } },
    { at: 20, type: 'push', server: 'A', partner: 'B' },
    { at: 30, type: 'push', server: 'A', partner: 'C' },
    { at: 100, type: 'save', server: 'A', db: 'd', unid: X, by: 'user/ann', set: { S: 'a2' } },
    { at: 105, type: 'push', server: 'A', partner: 'C' },
    { at: 110, type: 'save', server: 'B', db: 'd', unid: X, by: 'user/bob', set: { S: 'b2' } },
    { at: 200, type: 'push', server: 'B', partner: 'A' },
    ...extra,
  ]
    .map((o) => JSON.stringify(o))
    .join('\n');
const K = '8B41E71B355272198603BE3E087BBDE4';

async function counts(log: string) {
  const r = await simulateStream({ chunks: [`${log}\n`] as unknown as AsyncIterable<string> }, { registry: builtinRegistry(), blame: true, timeline: true });
  return {
    summary: r.summary.conflicts,
    timeline: Object.fromEntries(r.timeline!.series.map((s) => [s.server, sum(s.conflicts)])),
    blame: Object.fromEntries(r.blame!.byActor.filter((a) => a.conflicts > 0).map((a) => [a.actor, a.conflicts])),
  };
}

describe('conflict counts in the report and blame', () => {
  it('R5, R10: a conflict document deleted and purged on C is made again when C resolves the same conflict: counted again, everywhere', async () => {
    // C receives K at 301, deletes it at 350; the stub is purged at the day's check (purgeDays 0); B's push then
    // makes C resolve the conflict itself, and nothing holds K there: a document is made.
    const log = THREE([{ at: 300, type: 'push', server: 'A', partner: 'C' }, { at: 350, type: 'delete', server: 'C', db: 'd', unid: K, by: 'user/admin' }, { at: 90_000_000, type: 'push', server: 'B', partner: 'C' }, { at: 90_000_600, type: 'end' }], 0);
    expect(await counts(log)).toEqual({ summary: 2, timeline: { A: 1, B: 0, C: 1 }, blame: { 'user/ann': 2, 'user/bob': 2 } });
  });

  it('R5: a replica holding the conflict document, edited there by a user (its $REF kept), makes none: not counted, everywhere', async () => {
    const log = THREE([
      { at: 300, type: 'push', server: 'A', partner: 'C' },
      { at: 350, type: 'save', server: 'C', db: 'd', unid: K, by: 'user/zed', set: { T: 'annotated' } },
      { at: 400, type: 'push', server: 'B', partner: 'C' },
      { at: 600, type: 'end' },
    ]);
    expect(await counts(log)).toEqual({ summary: 1, timeline: { A: 1, B: 0, C: 0 }, blame: { 'user/ann': 1, 'user/bob': 1 } });
  });

  it('R5: a conflict document made an ordinary one on A (its $Conflict and $REF removed) and pushed to C first is kept when C resolves the same conflict: a later version of it, not the log\'s own document', async () => {
    // K (the loser a2, made on A at 201) is promoted by a user at 250 and reaches C at 300; B's push at 400 makes C
    // resolve the same divergence: C keeps the promoted K, the winner b2 replaces X, and nothing is refused.
    const log = THREE([
      { at: 250, type: 'save', server: 'A', db: 'd', unid: K, by: 'user/ann', remove: ['$Conflict', '$REF'] },
      { at: 300, type: 'push', server: 'A', partner: 'C' },
      { at: 400, type: 'push', server: 'B', partner: 'C' },
      { at: 600, type: 'end' },
    ]);
    expect(await counts(log)).toEqual({ summary: 1, timeline: { A: 1, B: 0, C: 0 }, blame: { 'user/ann': 1, 'user/bob': 1 } });
    const r = await simulateStream({ chunks: [`${log}\n`] as unknown as AsyncIterable<string> }, { registry: builtinRegistry() });
    const c = r.sim.replica('C', 'd')!;
    expect(c.get(K)?.items.map((i) => i.name)).toEqual(['S']);
    expect(c.get(X)?.items.find((i) => i.key === 's')?.value).toBe('b2');
  });

  it('R5 [choice]: a promoted conflict document under a revisions cap is kept while its history still holds the conflict document\'s version; once the cap drops it, refused ([limitation]: nothing shows where the copy came from)', async () => {
    const capped = (extra: readonly object[]) => THREE([{ at: 250, type: 'save', server: 'A', db: 'd', unid: K, by: 'user/ann', remove: ['$Conflict', '$REF'] }, ...extra, { at: 300, type: 'push', server: 'A', partner: 'C' }, { at: 400, type: 'push', server: 'B', partner: 'C' }, { at: 600, type: 'end' }]).replace('"purgeDays":90', '"purgeDays":90,"limitRevisions":1');
    expect((await counts(capped([]))).summary).toBe(1);
    const err = await counts(capped([{ at: 260, type: 'save', server: 'A', db: 'd', unid: K, by: 'user/ann', set: { T: 'x' } }])).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'UNKNOWN_REFERENCE' });
  });

  it('R5 [choice]: a document saved on its own under the conflict document\'s UNID, whose history happens to hold the conflict document\'s version (its second save at the same millisecond), is still refused: its earlier history is not the conflict document\'s', async () => {
    // K is the loser a2's conflict document: version (2, 100), after (1, 10). Zed's document under K's UNID on C has
    // versions (1, 50), (2, 100), (3, 150): it shares (2, 100) but not what came before it.
    const [header, ...events] = THREE([]).split('\n').map((l) => JSON.parse(l) as { at: number });
    const zed = [50, 100, 150].map((at, i) => ({ at, type: 'save', server: 'C', db: 'd', unid: K, by: 'user/zed', set: { T: `u${i + 1}` } }));
    // In time order; at 100, A's save first (a stable sort).
    const log = [header, ...[...events, ...zed].sort((a, b) => a.at - b.at), { at: 400, type: 'push', server: 'B', partner: 'C' }, { at: 600, type: 'end' }].map((o) => JSON.stringify(o)).join('\n');
    const err = await counts(log).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'UNKNOWN_REFERENCE' });
  });

  it('R5 [choice]: an unrelated document saved under the UNID the conflict document takes: refused at the input that led to the conflict (the loser would be lost without a word)', async () => {
    const log = THREE([{ at: 250, type: 'save', server: 'C', db: 'd', unid: K, by: 'user/zed', set: { T: 'unrelated' } }, { at: 400, type: 'push', server: 'B', partner: 'C' }, { at: 600, type: 'end' }]);
    const err = await counts(log).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LogError);
    // Line 14: the push at 400 (the header, 3 servers, the database, 7 events, then the save at 250 on line 13).
    expect(err).toMatchObject({ code: 'UNKNOWN_REFERENCE', line: 14 });
    expect((err as LogError).message).toContain(`makes its conflict document ${K}, but the log already holds another document under that UNID`);
  });

  it('R5: a replica keeping a conflict document it already holds made none: timeline and blame count as the summary; blame credits both versions\' writers (same sequence number)', async () => {
    const r = await simulateStream({ chunks: [`${LOG}\n`] as unknown as AsyncIterable<string> }, { registry: builtinRegistry(), blame: true, timeline: true });
    // A makes the conflict document at 41; C receives it at 51, then resolves the same conflict at 52 and keeps it.
    expect(r.summary.conflicts).toBe(1);
    const byServer = Object.fromEntries(r.timeline!.series.map((s) => [s.server, sum(s.conflicts)]));
    expect(byServer).toEqual({ A: 1, B: 0, C: 0 });
    // The conflict's two versions were written by ann (loser) and bob (winner): one conflict each.
    expect(Object.fromEntries(r.blame!.byActor.map((a) => [a.actor, a.conflicts]))).toEqual({ 'user/ann': 1, 'user/bob': 1 });
  });
});

describe('blame: the actors of a merged version and of a chain', () => {
  const D1 = '000000000000000000000000000000D1';
  const D2 = '000000000000000000000000000000D2';
  const log = (events: readonly object[]) => [{ replog: 1, meta: {} }, ...events].map((o) => JSON.stringify(o)).join('\n');
  const pair = [
    { at: 0, type: 'server', name: 'Alpha', cluster: 'Hub', clusterIntervalMs: 0 },
    { at: 0, type: 'server', name: 'Beta', cluster: 'Hub', clusterIntervalMs: 0, clockSkewMs: 350 },
    { at: 0, type: 'database', name: 'db.nsf', replicas: ['Alpha', 'Beta'] },
  ];
  const blameOf = async (text: string) => (await simulateStream({ chunks: [`${text}\n`] as unknown as AsyncIterable<string> }, { registry: builtinRegistry(), blame: true })).blame!;

  it('event-log.md ("merged versions are the replicator\'s", `replicator/<server>`): a conflict with a merged version counts for the replicator that merged it, not for "unknown"', async () => {
    // Beta merges Ann's and Bob's edits ($ConflictAction 1, R5) at 20,001; Carl's later edit on Alpha then conflicts
    // with that merged version on Beta at 40,001.
    const b = await blameOf(
      log([
        ...pair,
        { at: 1000, type: 'save', server: 'Alpha', db: 'db.nsf', unid: D2, by: 'user/ann', set: { Subject: 'm', $ConflictAction: '1' } },
        { at: 2000, type: 'push', server: 'Alpha', partner: 'Beta' },
        { at: 10000, type: 'save', server: 'Alpha', db: 'db.nsf', unid: D2, by: 'user/ann', set: { A: '1' } },
        { at: 10000, type: 'save', server: 'Beta', db: 'db.nsf', unid: D2, by: 'user/bob', set: { B: '1' } },
        { at: 20000, type: 'push', server: 'Alpha', partner: 'Beta' },
        { at: 25000, type: 'save', server: 'Alpha', db: 'db.nsf', unid: D2, by: 'user/carl', set: { A: '2' } },
        { at: 40000, type: 'push', server: 'Alpha', partner: 'Beta' },
        { at: 50000, type: 'end' },
      ]),
    );
    expect(b.byActor.filter((a) => a.conflicts > 0).map((a) => [a.actor, a.conflicts, a.revisions])).toEqual([
      ['user/carl', 1, 1],
      ['replicator/Beta', 1, 0],
    ]);
  });

  it('R13 (`via` chains): an actor\'s longest chain is that of the chains it took part in: the user\'s save that a stamp of its arrival follows is in a chain of 2', async () => {
    const b = await blameOf(
      log([
        ...pair,
        { at: 1000, type: 'scanner', server: 'Beta', design: 'smsdom', config: { scanReplicatedWrites: true } },
        { at: 5000, type: 'save', server: 'Alpha', db: 'db.nsf', unid: D1, by: 'user/ann', set: { Subject: 's', $FILE: [{ name: 'a.doc' }] } },
        { at: 6000, type: 'push', server: 'Alpha', partner: 'Beta' },
        { at: 7000, type: 'push', server: 'Beta', partner: 'Alpha' },
        { at: 8000, type: 'end' },
      ]),
    );
    expect(b.chains.map((c) => [c.length, c.servers])).toEqual([[2, ['Alpha', 'Beta']]]);
    expect(Object.fromEntries(b.byActor.map((a) => [a.actor, a.longestChain]))).toEqual({ 'user/ann': 2, 'scanner/smsdom': 2 });
  });
});
