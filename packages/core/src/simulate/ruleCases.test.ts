import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeLogText } from '../log/decodeLog.js';
import { isInputEvent, type DerivedEvent } from '../log/events.js';
import { LogError } from '../util/logError.js';
import { applyDelete, applySave } from '../note/applySave.js';
import { runEvents } from './runEvents.js';

// Cases a mutation review found no test for (2026-12-06: a one-line change to each rule below left every test
// green). Each is a small log run by the engine, its outcome stated as the rule states it.

const U1 = '0123456789ABCDEF0123456789ABCDEF';
const U2 = '1123456789ABCDEF0123456789ABCDEF';

function run(lines: readonly object[]): { derived: DerivedEvent[]; sim: ReturnType<typeof runEvents>['sim'] } {
  const text = `${[{ replog: 1 }, ...lines].map((l) => JSON.stringify(l)).join('\n')}\n`;
  const { sim, derived } = runEvents(decodeLogText(text).events.flatMap((e) => (isInputEvent(e.event) ? [e.event] : [])), { collect: true });
  return { derived, sim };
}
const arrivals = (d: readonly DerivedEvent[]) => d.flatMap((e) => (e.type === 'replicated' ? [`${e.at} ${e.from}->${e.to} ${e.db} ${e.unid.slice(0, 2)} ${e.outcome}`] : []));

describe('rule cases a mutation review found untested', () => {
  it('R5 merge/R1: an item the loser re-spelled (removed Subject, set SUBJECT in one save) is merged under the spelling the document has (the winner\'s), with the loser\'s value', () => {
    const { sim, derived } = run([
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'] },
      { at: 1, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: { Subject: 'x', $ConflictAction: '1' } },
      { at: 10, type: 'replicate', server: 'A', partner: 'B', mode: 'push' },
      { at: 100, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: { Other: '1' } },
      { at: 110, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: { Other: '2' } },
      { at: 120, type: 'save', server: 'B', db: 'd', unid: U1, by: 'user/v', remove: ['Subject'], set: { SUBJECT: 'y' } },
      { at: 200, type: 'replicate', server: 'A', partner: 'B' },
    ]);
    expect(arrivals(derived)).toContain(`201 B->A d 01 merged`);
    for (const side of ['A', 'B']) {
      const items = sim.replica(side, 'd')!.get(U1)!.items.map((i) => [i.name, i.value]);
      expect(items, side).toEqual([['$ConflictAction', '1'], ['Other', '2'], ['Subject', 'y']]);
    }
  });

  it('R12: a queue waiting for its retry is not pushed by the timer, though another queue of the same server is (B, cut off, gets both documents at the retry, an hour after the failure; C gets each at the next tick)', () => {
    const { derived } = run([
      { at: 0, type: 'server', name: 'A', cluster: 'c' },
      { at: 0, type: 'server', name: 'B', cluster: 'c' },
      { at: 0, type: 'server', name: 'C', cluster: 'c' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B', 'C'] },
      { at: 1, type: 'partition', groups: [['A', 'C'], ['B']] },
      { at: 2, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: { Subject: 'x' } },
      { at: 60_000, type: 'heal' },
      { at: 60_000, type: 'save', server: 'A', db: 'd', unid: U2, by: 'user/u', set: { Subject: 'y' } },
    ]);
    expect(arrivals(derived)).toEqual(['15001 A->C d 01 created', '60001 A->C d 11 created', '3615001 A->B d 01 created', '3615002 A->B d 11 created']);
  });

  it('R8: a session without a database replicates the databases by name (alpha before zeta, defined the other way round)', () => {
    const { derived } = run([
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'zeta', replicas: ['A', 'B'] },
      { at: 0, type: 'database', name: 'alpha', replicas: ['A', 'B'] },
      { at: 1, type: 'save', server: 'A', db: 'zeta', unid: U1, by: 'user/u', set: { Subject: 'x' } },
      { at: 1, type: 'save', server: 'A', db: 'alpha', unid: U2, by: 'user/u', set: { Subject: 'x' } },
      { at: 10, type: 'replicate', server: 'B', partner: 'A' },
    ]);
    expect(arrivals(derived)).toEqual(['11 A->B alpha 11 created', '13 A->B zeta 01 created']);
  });

  it('R12: a crash loses the queues and their retry wait: after the restart, the first failed push is retried an hour later, not after the wait the lost queue had grown to', () => {
    const { derived } = run([
      { at: 0, type: 'server', name: 'A', cluster: 'c' },
      { at: 0, type: 'server', name: 'B', cluster: 'c' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'] },
      { at: 1, type: 'partition', groups: [['A'], ['B']] },
      // Fails at the first tick and at its retry an hour later: the wait has grown to 2 hours when A crashes.
      { at: 2, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: { Subject: 'x' } },
      { at: 4_000_000, type: 'crash', server: 'A' },
      { at: 4_000_001, type: 'restart', server: 'A' },
      { at: 4_000_002, type: 'save', server: 'A', db: 'd', unid: U2, by: 'user/u', set: { Subject: 'y' } },
      { at: 4_010_000, type: 'heal' },
    ]);
    // U1 was lost with A's queue (the replicas differ: the cluster alone never repairs it).
    expect(arrivals(derived)).toEqual(['7605001 A->B d 11 created']);
  });

  it('event-log.md: an attachment\'s "bytes" beyond the numbers JSON gives (1e999, Infinity) is refused where it is written, not taken in to fail later', () => {
    const text = `${[
      { replog: 1 },
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'database', name: 'd', replicas: ['A'] },
    ].map((l) => JSON.stringify(l)).join('\n')}\n{"at":1,"type":"save","server":"A","db":"d","unid":"${U1}","by":"user/u","set":{"$FILE":[{"name":"a.pdf","bytes":1e999}]}}\n`;
    expect(() => decodeLogText(text)).toThrow(LogError);
    expect(() => decodeLogText(text)).toThrow(expect.objectContaining({ line: 4, message: expect.stringMatching(/finite number/) }));
  });
});

// A second review (80 mutants, 2026-12-06) found these paths untested: large saves, a conflict document deleted before
// the same divergence is resolved elsewhere, a forward of a conflict document, a crash of a transfer's receiver, and
// a failed push in a cluster without a timer. Each case below was checked to fail with its mutant.
/** A conflict document's UNID: the hash of the losing version (replicateNote's makeConflictDocument). */
const conflictUnid = (unid: string, seq: number, seqTime: number) => createHash('sha256').update(`${unid}:${seq}:${seqTime}`).digest('hex').slice(0, 32).toUpperCase();

/**
 * U1 saved on `loser` and pushed to `winner`, then saved twice there and once more on `loser` (Subject "lost"): the
 * copies diverged (R5), `winner`'s with more saves, and the conflict document made of `loser`'s is
 * conflictUnid(U1, 2, 120).
 */
const diverged = (loser: string, winner: string): object[] => [
  { at: 1, type: 'save', server: loser, db: 'd', unid: U1, by: 'user/u', set: { Subject: 'first' } },
  { at: 10, type: 'replicate', server: loser, partner: winner, mode: 'push' },
  { at: 100, type: 'save', server: winner, db: 'd', unid: U1, by: 'user/w', set: { Subject: 'won 1' } },
  { at: 110, type: 'save', server: winner, db: 'd', unid: U1, by: 'user/w', set: { Subject: 'won 2' } },
  { at: 120, type: 'save', server: loser, db: 'd', unid: U1, by: 'user/l', set: { Subject: 'lost' } },
];

describe('rule cases a second mutation review found untested', () => {
  it('R1: a save of more than 64 items gives every item it writes itemSeq = the new seq', () => {
    const names = Array.from({ length: 65 }, (_, i) => `F${i}`);
    const first = applySave(undefined, U1, { set: names.map((n) => [n, 'a'] as [string, string]) }, 1, 0).note;
    const second = applySave(first, U1, { set: names.map((n) => [n, 'b'] as [string, string]) }, 2, 0).note;
    expect(second.items.filter((i) => i.seq !== 2).map((i) => i.name)).toEqual([]);
  });

  it('R1, limitRevisions [S2]: a save over a deletion stub applies the cap (limitRevisions 2) like any save', () => {
    let n = applySave(undefined, U1, { set: [['a', '1']] }, 1, 2).note;
    n = applySave(n, U1, { set: [['a', '2']] }, 2, 2).note;
    n = applySave(n, U1, { set: [['a', '3']] }, 3, 2).note;
    const stub = applyDelete(n, U1, 4, 2);
    const revived = applySave(stub, U1, { set: [['a', '4']] }, 5, 2).note;
    expect(revived.revisions.toArray()).toEqual([[3, 3], [4, 4]]);
  });

  it('R5 [choice]: a conflict document deleted elsewhere whose stub arrived first is not made again when the same divergence is resolved here', () => {
    const C = conflictUnid(U1, 2, 120);
    const { sim, derived } = run([
      { at: 0, type: 'server', name: 'X' },
      { at: 0, type: 'server', name: 'Y' },
      { at: 0, type: 'server', name: 'Z' },
      { at: 0, type: 'database', name: 'd', replicas: ['X', 'Y', 'Z'] },
      ...diverged('X', 'Z'),
      { at: 130, type: 'replicate', server: 'X', partner: 'Y', mode: 'push' },
      { at: 200, type: 'replicate', server: 'Z', partner: 'X', mode: 'push' },
      { at: 300, type: 'delete', server: 'X', db: 'd', unid: C, by: 'user/x' },
      { at: 310, type: 'save', server: 'X', db: 'd', unid: U1, by: 'user/x', set: { Other: '1' } },
      { at: 400, type: 'replicate', server: 'X', partner: 'Y', mode: 'push' },
      { at: 500, type: 'replicate', server: 'X', partner: 'Y' },
    ]);
    expect(derived.filter((e) => e.type === 'conflict').map((e) => `${e.at} ${(e as { server: string }).server}`)).toEqual(['201 X', '402 Y']);
    expect(sim.replica('X', 'd')!.get(C)!.deleted).toBe(true);
    expect(sim.replica('Y', 'd')!.get(C)!.deleted).toBe(true);
  });

  it('forward [choice] (simulator.ts): a forwarded conflict document carries neither $Conflict nor $REF (an orphan response in another database otherwise)', () => {
    const C = conflictUnid(U1, 2, 120);
    const { sim } = run([
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'] },
      { at: 0, type: 'database', name: 'm', replicas: ['A'] },
      ...diverged('A', 'B'),
      { at: 200, type: 'replicate', server: 'B', partner: 'A', mode: 'push' },
      { at: 300, type: 'forward', server: 'A', db: 'd', unid: C, newUnid: U2, to: ['m'], by: 'user/a' },
    ]);
    expect(sim.replica('A', 'd')!.get(C)!.items.map((i) => i.name)).toContain('$REF');
    expect(sim.replica('A', 'm')!.get(U2)!.items.map((i) => [i.name, i.value])).toEqual([['Subject', 'lost']]);
  });

  it('R9 [choice]: a crash of the receiving server stops the transfer at the crash; a restart before its next step does not resume it', () => {
    const { sim, derived } = run([
      { at: 0, type: 'server', name: 'A', replicationMsPerDoc: 100 },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'] },
      { at: 1, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: { Subject: 'x' } },
      { at: 2, type: 'save', server: 'A', db: 'd', unid: U2, by: 'user/u', set: { Subject: 'y' } },
      { at: 10, type: 'replicate', server: 'A', partner: 'B', mode: 'push' },
      { at: 150, type: 'crash', server: 'B' },
      { at: 160, type: 'restart', server: 'B' },
      { at: 1000, type: 'end' },
    ]);
    expect(derived.filter((e) => e.type === 'session').map((e) => [e.at, (e as { sent: number }).sent, (e as { interrupted: boolean }).interrupted])).toEqual([[150, 1, true]]);
    expect(sim.replica('B', 'd')!.get(U2)).toBeUndefined();
  });

  it('R12: with clusterIntervalMs 0 a failed explicit push is not retried by itself: nothing is pushed until the next push event', () => {
    const { sim, derived } = run([
      { at: 0, type: 'server', name: 'A', cluster: 'c', clusterIntervalMs: 0 },
      { at: 0, type: 'server', name: 'B', cluster: 'c', clusterIntervalMs: 0 },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'] },
      { at: 1, type: 'partition', groups: [['A'], ['B']] },
      { at: 2, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: { Subject: 'x' } },
      { at: 10, type: 'push', server: 'A', partner: 'B' },
      { at: 20, type: 'heal' },
      { at: 7_200_000, type: 'end' },
    ]);
    expect(derived.filter((e) => e.type === 'replicated')).toEqual([]);
    expect(sim.replica('B', 'd')!.get(U1)).toBeUndefined();
  });
});
