import { describe, expect, it } from 'vitest';
import { BUILTIN_DESIGNS, builtinRegistry } from './registry.js';
import { TRUSTED_DESIGNS, type ScannerDesign } from '../design.js';
import { verifyDesign } from '../verify/verifyDesign.js';
import { explore } from '../explore/explore.js';
import { stormExploreModel } from '../explore/stormModel.js';

// Built-in designs are trusted (TRUSTED_DESIGNS): what `scan` returns is not checked, the note they are handed is not
// frozen, and explore does not ask whether they act on a time's value or carry state outside the run. So each is run
// here as a module of a researcher's would be, a copy the trusted set does not hold, through the checks they skip: a
// built-in that broke one (returned "skipped" after scanning, acted on the time) passed every other test (a
// contributor's QA pass, adding one). A new built-in is held to them by being in BUILTIN_DESIGNS.

/** The design as a researcher's module would be: the same code, not trusted. */
function untrusted(d: ScannerDesign<object>): ScannerDesign<object> {
  const copy = { ...d };
  expect(TRUSTED_DESIGNS.has(copy)).toBe(false);
  return copy;
}

describe('built-in designs pass the checks a design module gets', () => {
  it.each(BUILTIN_DESIGNS.map((d) => [d.name, d] as const))('%s: its decisions are checked as a module\'s are (design-runs holds: no unknown field, no "skipped" after virusScan(), nothing written to the frozen note)', (_name, d) => {
    const copy = untrusted(d);
    const r = verifyDesign(copy, { runs: 30, seed: 7, only: ['design-runs'], registry: new Map([...builtinRegistry(), [d.name, copy]]) });
    expect(r.invariants.map((i) => [i.name, i.status, i.counterexample?.message])).toEqual([['design-runs', 'held', undefined]]);
  });

  it.each(BUILTIN_DESIGNS.map((d) => [d.name, d] as const))('%s: explore checks it as a module\'s: a function of its inputs, acting on the order of events, not a time\'s value, name-blind as it declares', (_name, d) => {
    const copy = untrusted(d);
    const model = stormExploreModel({ settings: { servers: 2, docs: 1, design: d.name }, userActions: 1, registry: new Map([...builtinRegistry(), [d.name, copy]]) });
    const r = explore(model, { depth: 4, storms: false });
    expect([r.timeDependent, r.timeUnchecked, r.notReproducible, r.notSymmetric]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
