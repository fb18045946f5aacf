import { LogError, type InputEvent } from '@replstorm/core';
import type { DesignRegistry } from './design.js';
import { EXPLORE_INVARIANTS, recheckExploreClaim } from './explore/explore.js';
import { INVARIANT_NAMES, recheckVerifyClaim, type InvariantName } from './verify/verifyDesign.js';

/**
 * What a counterexample log's header claims (`recordedBy` replstorm verify or explore, the `invariant` it violates,
 * the `violation` message), checked again on the log's input events: `reproduced` when the invariant's check fails on
 * them now, with the message it gives (`message`); `unchecked` when they could not be judged (why).
 */
export interface ClaimCheck {
  readonly recordedBy: string;
  readonly invariant: string;
  /** The header's message for the violation. */
  readonly claimed: string | undefined;
  readonly reproduced: boolean;
  /** The check's message now, when reproduced. */
  readonly message?: string;
  /** Why the claim could not be judged (then `reproduced` is false). */
  readonly unchecked?: string;
}

/**
 * Checks a counterexample log's claim again (replay's `claim`), with the checker that wrote it: verify's check of the
 * invariant on the whole run, with its clean-only baseline and the design's read-only kinds; explore's check on the
 * path. Undefined when the header claims nothing replstorm can check: not written by `replstorm verify` or `replstorm
 * explore`, no `invariant` (explore's storm logs: a loop shown twice, which replay's `--blame` shows), or an invariant
 * neither knows (a log of another tool's). Pure: `events` and `registry` are its inputs.
 *
 * [choice] design-runs is reproduced when the design's code throws on the events again; a replay that got this far ran
 * the design without an error, so from replay it reads "not reproduced".
 */
export function recheckClaim(meta: Readonly<Record<string, unknown>>, events: readonly InputEvent[], registry: DesignRegistry): ClaimCheck | undefined {
  const recordedBy = meta['recordedBy'];
  const invariant = meta['invariant'];
  if (typeof invariant !== 'string') return undefined;
  const claimed = typeof meta['violation'] === 'string' ? meta['violation'] : undefined;
  const base = { recordedBy: recordedBy as string, invariant, claimed };
  let check: () => string | undefined;
  if (recordedBy === 'replstorm verify') {
    if (!(INVARIANT_NAMES as readonly string[]).includes(invariant)) return undefined;
    const name = meta['design'];
    if (typeof name !== 'string') return { ...base, reproduced: false, unchecked: 'the header names no design (its "design" field): the suite\'s check needs it' };
    const design = registry.get(name);
    if (design === undefined) return { ...base, reproduced: false, unchecked: `the design "${name}" the log was written for is not loaded (a module of yours: --design ${name}=path/to/it.ts)` };
    check = () => {
      const r = recheckVerifyClaim(invariant as InvariantName, events, registry, design);
      if (r.crashed !== undefined) throw new Uncheckable(`the design's code threw, and only design-runs judges such a run: ${r.crashed}`);
      return r.violated;
    };
  } else if (recordedBy === 'replstorm explore') {
    // (Own keys only: a header's invariant may be any text, `toString` included.)
    if (!Object.hasOwn(EXPLORE_INVARIANTS, invariant) && invariant !== 'design-runs') return undefined;
    check = () => recheckExploreClaim(invariant, events, registry);
  } else {
    return undefined;
  }
  try {
    const message = check();
    return message === undefined ? { ...base, reproduced: false } : { ...base, reproduced: true, message };
  } catch (err) {
    // A log that does not run (a design's code that throws, an event the engine refuses) cannot be judged; anything
    // else is replstorm's own error.
    if (err instanceof Uncheckable || err instanceof LogError) return { ...base, reproduced: false, unchecked: err.message };
    throw err;
  }
}

class Uncheckable extends Error {}
