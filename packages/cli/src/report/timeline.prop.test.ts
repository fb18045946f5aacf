import type { DerivedEvent } from '@replstorm/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTimeline } from './timeline.js';

// fast-check prints the seed and the shrunk counterexample of a failure; pass them back as { seed, path } to replay.

const UNID = '0123456789ABCDEF0123456789ABCDEF';
const SERVERS = ['A', 'B', 'C'] as const;

/** An event, and for a conflict the engine's word on whether it made a conflict document (R5: false when the replica held one). */
type Fed = readonly [DerivedEvent, boolean | undefined];

const arbEvent = (at: number): fc.Arbitrary<Fed> =>
  fc.oneof(
    fc.constantFrom(...SERVERS).map((server): Fed => [{ type: 'revised', at, server, db: 'd', unid: UNID, seq: 1, seqTime: at, items: [], by: 'user/a', cause: 2 }, undefined]),
    fc.record({ to: fc.constantFrom(...SERVERS), collision: fc.boolean() }).map(({ to, collision }): Fed =>
      [{ type: 'replicated', at, from: 'A', to, db: 'd', unid: UNID, seq: 1, seqTime: at, outcome: collision ? 'collision' : 'created' }, undefined]),
    fc.record({ server: fc.constantFrom(...SERVERS), made: fc.constantFrom(true, false, undefined) }).map(({ server, made }): Fed =>
      [{ type: 'conflict', at, server, db: 'd', unid: UNID, conflictUnid: UNID, winner: { seq: 1, seqTime: at }, loser: { seq: 1, seqTime: at } }, made]),
  );

// Non-decreasing times, as a log has them, over spans from a few ms to years.
const arbEvents = fc
  .tuple(fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 40 }))
  .map(([ats, shift]) => ats.map((at) => Math.floor(at / 2 ** shift)).sort((a, b) => a - b))
  .chain((ats) => fc.tuple(...ats.map(arbEvent)));

describe('createTimeline (properties)', () => {
  it('equals counting every event again into the final buckets, within maxBuckets (conflicts: all but those the engine says made no document, R5)', () => {
    fc.assert(
      fc.property(arbEvents, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 2, max: 64 }), (events, bucketMs, maxBuckets) => {
        const t = createTimeline({ bucketMs, maxBuckets });
        for (const [e, made] of events) t.add(e, made);
        const r = t.result();
        const n = (r.end - r.start) / r.bucketMs;
        expect(n).toBeLessThanOrEqual(maxBuckets);
        expect(r.start % r.bucketMs).toBe(0);
        expect(r.bucketMs % bucketMs).toBe(0);
        for (const s of r.series) {
          const expected = { revisions: new Array<number>(n).fill(0), replicated: new Array<number>(n).fill(0), conflicts: new Array<number>(n).fill(0) };
          for (const [e, made] of events) {
            const i = Math.floor((e.at - r.start) / r.bucketMs);
            if (e.type === 'revised' && e.server === s.server) expected.revisions[i]! += 1;
            if (e.type === 'replicated' && e.to === s.server && e.outcome !== 'collision') expected.replicated[i]! += 1;
            if (e.type === 'conflict' && e.server === s.server && made !== false) expected.conflicts[i]! += 1;
          }
          expect(s).toEqual({ server: s.server, ...expected });
        }
      }),
    );
  });
});
