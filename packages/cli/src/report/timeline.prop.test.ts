import type { DerivedEvent } from '@replstorm/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTimeline } from './timeline.js';

// fast-check prints the seed and the shrunk counterexample of a failure; pass them back as { seed, path } to replay.

const UNID = '0123456789ABCDEF0123456789ABCDEF';
// Two conflict documents, in two databases: a conflict document replicated to a server before that server resolves
// the same conflict is kept there, and that conflict made no document (R5; the summary's count).
const UNIDS = [UNID, 'FEDCBA9876543210FEDCBA9876543210'] as const;
const DBS = ['d', 'e'] as const;
const SERVERS = ['A', 'B', 'C'] as const;

const arbEvent = (at: number): fc.Arbitrary<DerivedEvent> =>
  fc.oneof(
    fc.constantFrom(...SERVERS).map((server): DerivedEvent => ({ type: 'revised', at, server, db: 'd', unid: UNID, seq: 1, seqTime: at, items: [], by: 'user/a', cause: 2 })),
    fc.record({ to: fc.constantFrom(...SERVERS), collision: fc.boolean(), unid: fc.constantFrom(...UNIDS), db: fc.constantFrom(...DBS) }).map(({ to, collision, unid, db }): DerivedEvent =>
      ({ type: 'replicated', at, from: 'A', to, db, unid, seq: 1, seqTime: at, outcome: collision ? 'collision' : 'created' })),
    fc.record({ server: fc.constantFrom(...SERVERS), conflictUnid: fc.constantFrom(...UNIDS), db: fc.constantFrom(...DBS) }).map(({ server, conflictUnid, db }): DerivedEvent =>
      ({ type: 'conflict', at, server, db, unid: UNID, conflictUnid, winner: { seq: 1, seqTime: at }, loser: { seq: 1, seqTime: at } })),
  );

/** Whether each event is a conflict that made a document: the server did not hold it (made or received) before. */
function madeFlags(events: readonly DerivedEvent[]): boolean[] {
  const made = new Set<string>(); // db/unid of conflict documents made anywhere so far
  const holds = new Set<string>(); // server/db/unid
  return events.map((e) => {
    if (e.type === 'replicated' && e.outcome !== 'collision' && made.has(`${e.db}/${e.unid}`)) holds.add(`${e.to}/${e.db}/${e.unid}`);
    if (e.type !== 'conflict') return false;
    made.add(`${e.db}/${e.conflictUnid}`);
    const k = `${e.server}/${e.db}/${e.conflictUnid}`;
    if (holds.has(k)) return false;
    holds.add(k);
    return true;
  });
}

// Non-decreasing times, as a log has them, over spans from a few ms to years.
const arbEvents = fc
  .tuple(fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 40 }))
  .map(([ats, shift]) => ats.map((at) => Math.floor(at / 2 ** shift)).sort((a, b) => a - b))
  .chain((ats) => fc.tuple(...ats.map(arbEvent)));

describe('createTimeline (properties)', () => {
  it('equals counting every event again into the final buckets, within maxBuckets (conflicts: those that made a document, R5)', () => {
    fc.assert(
      fc.property(arbEvents, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 2, max: 64 }), (events, bucketMs, maxBuckets) => {
        const t = createTimeline({ bucketMs, maxBuckets });
        for (const e of events) t.add(e);
        const r = t.result();
        const n = (r.end - r.start) / r.bucketMs;
        expect(n).toBeLessThanOrEqual(maxBuckets);
        expect(r.start % r.bucketMs).toBe(0);
        expect(r.bucketMs % bucketMs).toBe(0);
        const made = madeFlags(events);
        for (const s of r.series) {
          const expected = { revisions: new Array<number>(n).fill(0), replicated: new Array<number>(n).fill(0), conflicts: new Array<number>(n).fill(0) };
          for (const [k, e] of events.entries()) {
            const i = Math.floor((e.at - r.start) / r.bucketMs);
            if (e.type === 'revised' && e.server === s.server) expected.revisions[i]! += 1;
            if (e.type === 'replicated' && e.to === s.server && e.outcome !== 'collision') expected.replicated[i]! += 1;
            if (e.type === 'conflict' && e.server === s.server && made[k]!) expected.conflicts[i]! += 1;
          }
          expect(s).toEqual({ server: s.server, ...expected });
        }
      }),
    );
  });
});
