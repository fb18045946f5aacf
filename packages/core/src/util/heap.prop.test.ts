import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { propertySeed } from '../../test/property.js';
import { WorkHeap } from './heap.js';
import { propertyRuns } from '../../../../scripts/propertySeed.js';

// "Time and order" (replication.md): engine work due at the same `at` runs in the order it was scheduled. The heap
// keeps `at` and `order` in arrays beside the items; this holds it to a sorted list, through pushes, pops, in-place
// time changes followed by reheap, removals and clones.

interface W {
  at: number;
  order: number;
  id: number;
}

type Op = { op: 'push'; at: number } | { op: 'pop' } | { op: 'shift'; by: number } | { op: 'remove'; pick: number } | { op: 'clone' } | { op: 'trim' };

const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('push' as const), at: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(2 ** 53 - 1)) }),
    fc.record({ op: fc.constant('pop' as const) }),
    fc.record({ op: fc.constant('shift' as const), by: fc.integer({ min: 0, max: 30 }) }),
    fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('clone' as const) }),
    // What a snapshot kept by exploration does (snapshotOwned).
    fc.record({ op: fc.constant('trim' as const) }),
  ),
  { maxLength: 200 },
);

const byDue = (a: W, b: W) => a.at - b.at || a.order - b.order;

describe('WorkHeap', () => {
  it('Time and order: pops by (at, order) like a sorted list, through reheap, remove, clone and trim', () => {
    const seed = propertySeed();
    console.log(`[heap] seed=${seed}`);
    fc.assert(
      fc.property(ops, (list: Op[]) => {
        let heap = new WorkHeap<W>();
        let model: W[] = [];
        let order = 0;
        for (const o of list) {
          if (o.op === 'push') {
            const w = { at: o.at, order: order++, id: order };
            heap.push(w);
            model.push(w);
          } else if (o.op === 'pop') {
            model.sort(byDue);
            expect(heap.peekAt()).toBe(model[0]?.at ?? Number.POSITIVE_INFINITY);
            expect(heap.pop()).toBe(model.shift());
          } else if (o.op === 'shift') {
            // What fastForwardIdle does: times changed in place (some items), then reheap.
            for (const w of heap.items()) if (w.id % 2 === 0) w.at += o.by;
            heap.reheap();
          } else if (o.op === 'remove') {
            if (model.length === 0) continue;
            const w = model[o.pick % model.length]!;
            expect(heap.remove(w)).toBe(true);
            model = model.filter((x) => x !== w);
          } else if (o.op === 'trim') {
            heap.trim();
          } else {
            const copies = new Map<W, W>();
            heap = heap.clone((w) => {
              const c = { ...w };
              copies.set(w, c);
              return c;
            });
            model = model.map((w) => copies.get(w)!);
          }
          expect(heap.size).toBe(model.length);
        }
        model.sort(byDue);
        expect(heap.toArray()).toEqual(model);
        // sortedInto (exploration's allocation-free listing): the kept items in the same order, into a reused list.
        const scratch: W[] = [{ at: -1, order: -1, id: -1 }];
        const n = heap.sortedInto(scratch, (w) => w.id % 3 !== 0);
        expect(scratch.slice(0, n)).toEqual(model.filter((w) => w.id % 3 !== 0));
        const drained: W[] = [];
        for (let w = heap.pop(); w !== undefined; w = heap.pop()) drained.push(w);
        expect(drained).toEqual(model);
      }),
      { seed, numRuns: propertyRuns(300) },
    );
  });

  it('Time and order: items pushed in any order of `order` (as reheap pushes them) pop by (at, order), equal times the common case', () => {
    // The property above pushes orders in increasing order, as scheduling does, and only its reheaps and removals
    // reorder them: items of equal time whose orders are out of place met too rarely there (a sift-down that ignored
    // the order between equal children was caught in 3 runs of 11: a QA pass). Here every push is out of place.
    const seed = propertySeed();
    console.log(`[heap-ties] seed=${seed}`);
    const items = fc.uniqueArray(fc.record({ at: fc.integer({ min: 0, max: 2 }), order: fc.nat({ max: 1000 }) }), { selector: (w) => w.order, maxLength: 60 });
    fc.assert(
      fc.property(items, fc.array(fc.nat(), { maxLength: 20 }), (list, pops) => {
        const heap = new WorkHeap<W>();
        const model: W[] = [];
        // Pushes interleaved with pops, each pop checked against the sorted model.
        let k = 0;
        for (const [i, x] of list.entries()) {
          const w = { ...x, id: i };
          heap.push(w);
          model.push(w);
          if (pops[k] !== undefined && pops[k]! % 3 === 0) {
            model.sort(byDue);
            expect(heap.pop()).toBe(model.shift());
          }
          k++;
        }
        model.sort(byDue);
        const drained: W[] = [];
        for (let w = heap.pop(); w !== undefined; w = heap.pop()) drained.push(w);
        expect(drained).toEqual(model);
      }),
      { seed, numRuns: propertyRuns(300) },
    );
  });
});
