import { describe, expect, it, vi } from 'vitest';
import type { InputEvent, Note } from '@replstorm/core';

// R7: replay judges sim-replay-equals-live's claim by folding each replica's change log (recheck.ts). Here the fold is
// broken on purpose (a planted bug: it drops the last document of a log), so the claim must read as reproduced, with
// the replica and the first difference named. recheck.test.ts checks the correct fold: not reproduced.
vi.mock('@replstorm/core', async (importOriginal) => {
  const core = await importOriginal<typeof import('@replstorm/core')>();
  return { ...core, foldLog: (log: Parameters<typeof core.foldLog>[0]): Note[] => core.foldLog(log).slice(0, -1) };
});

const { builtinRegistry, recheckClaim } = await import('./index.js');

describe('recheckClaim: sim-replay-equals-live, with a fold that loses a document', () => {
  it.each(['sim-replay-equals-live', 'sim-replay-equals-live-purged'])('R7: %s: a replica that is not the fold of its change log reproduces the claim, naming the replica and where they first differ', (name) => {
    const U = '0123456789ABCDEF0123456789ABCDEF';
    const events: InputEvent[] = [
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
      { at: 1, type: 'save', server: 'A', db: 'd.nsf', unid: U, by: 'user/a', set: new Map([['F', 1]]) },
      { at: 10, type: 'end' },
    ];
    const meta = { recordedBy: `property ${name}`, invariant: name, violation: 'replay differs', reproduce: 'REPLSTORM_SEED=1 npx vitest run x' };
    expect(recheckClaim(meta, events, builtinRegistry())).toEqual({
      recordedBy: `property ${name}`,
      invariant: name,
      claimed: 'replay differs',
      reproduced: true,
      message: 'the replica of d.nsf on A is not the fold of its change log (R7): documents has 1 entries where its change log folded has 0',
    });
  });
});
