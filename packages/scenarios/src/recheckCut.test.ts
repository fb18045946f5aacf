import { describe, expect, it, vi } from 'vitest';
import type { InputEvent } from '@replstorm/core';

// event-log.md "When a run stops": replay judges sim-cut-independent's claim by cutting the log's run fed and advanced
// in slices (recheck.ts). Here the engine is broken on purpose (a planted bug: advancing in slices forgets a cut
// already asked for, so a sliced run runs past it), so the claim must read as reproduced, saying where each run
// stopped. recheckDriven.test.ts checks the correct engine: not reproduced.
vi.mock('@replstorm/core', async (importOriginal) => {
  const core = await importOriginal<typeof import('@replstorm/core')>();
  class ForgetsCut extends core.Simulator {
    override advanceSome(at: number, line: number | undefined, slice: number): 'done' | 'more' | 'stopped' {
      if (slice === 1) (this as unknown as { s: { cutRequested: boolean } }).s.cutRequested = false;
      return super.advanceSome(at, line, slice);
    }
  }
  return { ...core, Simulator: ForgetsCut };
});

const { builtinRegistry, recheckClaim } = await import('./index.js');

describe('recheckClaim: sim-cut-independent, with slicing that forgets the cut', () => {
  it('event-log.md "When a run stops": a sliced run that runs past the cut reproduces the claim, saying where each run stopped', () => {
    const U = '0123456789ABCDEF0123456789ABCDEF';
    const events: InputEvent[] = [
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
      { at: 1, type: 'save', server: 'A', db: 'd.nsf', unid: U, by: 'user/a', set: new Map([['F', 1]]) },
      { at: 2, type: 'replicate', server: 'A', partner: 'B' },
      { at: 3_600_000, type: 'end' },
    ];
    const name = 'sim-cut-independent';
    const meta = { recordedBy: `property ${name}`, invariant: name, violation: 'cut elsewhere', reproduce: 'REPLSTORM_SEED=1 npx vitest run x', cutAfterDerived: 1 };
    expect(recheckClaim(meta, events, builtinRegistry())).toEqual({
      recordedBy: `property ${name}`,
      invariant: name,
      claimed: 'cut elsewhere',
      reproduced: true,
      message: 'advanced in slices of one piece of work, the run is not cut, where fed it is cut at 2 ms (cut after 1 derived event)',
    });
  });
});
