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

describe('conflict counts in the report and blame', () => {
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
