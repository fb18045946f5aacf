// vitest setupFiles (every project): the property seed, see propertySeed.ts; deep equality of revision lists.
import { expect } from 'vitest';
import { Revisions } from '@replstorm/core';
import { reproduceCommand } from './counterexample.js';
import { configureFastCheck } from './propertySeed.js';

// The command as printed (pnpm's -C and the root: it runs from any directory, as the suites' own properties print it; a
// developer's QA pass found this one ran only from the root).
configureFastCheck(undefined, () => expect.getState().currentTestName, (seed) => reproduceCommand(seed, true));

// A note's `revisions` is a Revisions list (its entries in private fields: see revisions.ts), which toEqual and
// toMatchObject would otherwise find equal to any other list. Compared by entries, against another list or an array
// of pairs (what tests write: `revisions: [[1, 10]]`).
expect.addEqualityTesters([
  function revisionsEquality(a: unknown, b: unknown, testers) {
    const ra = a instanceof Revisions;
    const rb = b instanceof Revisions;
    if (!ra && !rb) return undefined;
    return this.equals(ra ? a.toArray() : a, rb ? b.toArray() : b, testers);
  },
]);
