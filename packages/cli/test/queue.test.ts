import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Queue } from '../src/simulateStream.js';
import { propertyRuns } from '../../../scripts/propertySeed.js';

// The queues a replay matches a recording's derived lines through (Conformance: the file's lines and the engine's
// events, in order). A ring that doubles when full: against a plain array as the model, over runs long enough to wrap
// and grow it several times.

const op = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('shift' as const), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('peek' as const) }),
  fc.record({ kind: fc.constant('truncate' as const), n: fc.nat(50) }),
);

describe('Queue', () => {
  it('gives its items back in the order they came (FIFO), whatever the pushes, shifts and cuts between', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const q = new Queue<number>();
        const model: number[] = [];
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            for (let i = 0; i < o.n; i++) {
              q.push(next);
              model.push(next++);
            }
          } else if (o.kind === 'shift') {
            for (let i = 0; i < o.n; i++) expect(q.shift()).toBe(model.shift());
          } else if (o.kind === 'peek') expect(q.peek()).toBe(model[0]);
          else {
            q.truncate(o.n);
            model.length = Math.min(model.length, o.n);
          }
          expect(q.length).toBe(model.length);
        }
        const rest: (number | undefined)[] = [];
        while (q.length > 0) rest.push(q.shift());
        expect(rest).toEqual(model);
        expect(q.shift()).toBeUndefined();
      }),
      { numRuns: propertyRuns(500) },
    );
  });
});
