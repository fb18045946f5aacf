import type { DerivedEvent } from '@replstorm/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTimeline } from './timeline.js';

// fast-check prints the seed and the shrunk counterexample of a failure; pass them back as { seed, path } to replay.

const UNID = '0123456789ABCDEF0123456789ABCDEF';
const SERVERS = ['A', 'B', 'C'] as const;

const arbEvent = (at: number): fc.Arbitrary<DerivedEvent> =>
  fc.oneof(
    fc.constantFrom(...SERVERS).map((server): DerivedEvent => ({ type: 'revised', at, server, db: 'd', unid: UNID, seq: 1, seqTime: at, items: [], by: 'user/a', cause: 2 })),
    fc.record({ to: fc.constantFrom(...SERVERS), collision: fc.boolean() }).map(({ to, collision }): DerivedEvent =>
      ({ type: 'replicated', at, from: 'A', to, db: 'd', unid: UNID, seq: 1, seqTime: at, outcome: collision ? 'collision' : 'created' })),
    fc.constantFrom(...SERVERS).map((server): DerivedEvent =>
      ({ type: 'conflict', at, server, db: 'd', unid: UNID, conflictUnid: UNID, winner: { seq: 1, seqTime: at }, loser: { seq: 1, seqTime: at } })),
  );

// Non-decreasing times, as a log has them, over spans from a few ms to years.
const arbEvents = fc
  .tuple(fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 40 }))
  .map(([ats, shift]) => ats.map((at) => Math.floor(at / 2 ** shift)).sort((a, b) => a - b))
  .chain((ats) => fc.tuple(...ats.map(arbEvent)));

describe('createTimeline (properties)', () => {
  it('equals counting every event again into the final buckets, within maxBuckets', () => {
    fc.assert(
      fc.property(arbEvents, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 2, max: 64 }), (events, bucketMs, maxBuckets) => {
        const t = createTimeline({ bucketMs, maxBuckets });
        for (const e of events) t.add(e);
        const r = t.result();
        const n = (r.end - r.start) / r.bucketMs;
        expect(n).toBeLessThanOrEqual(maxBuckets);
        expect(r.start % r.bucketMs).toBe(0);
        expect(r.bucketMs % bucketMs).toBe(0);
        for (const s of r.series) {
          const expected = { revisions: new Array<number>(n).fill(0), replicated: new Array<number>(n).fill(0), conflicts: new Array<number>(n).fill(0) };
          for (const e of events) {
            const i = Math.floor((e.at - r.start) / r.bucketMs);
            if (e.type === 'revised' && e.server === s.server) expected.revisions[i]! += 1;
            if (e.type === 'replicated' && e.to === s.server && e.outcome !== 'collision') expected.replicated[i]! += 1;
            if (e.type === 'conflict' && e.server === s.server) expected.conflicts[i]! += 1;
          }
          expect(s).toEqual({ server: s.server, ...expected });
        }
      }),
    );
  });
});
