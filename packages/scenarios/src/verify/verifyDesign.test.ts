import { describe, expect, it } from 'vitest';
import { runEvents, type Summary } from '@replstorm/core';
import { CHECKS, type Outcome } from './verifyDesign.js';

// verifyDesign's checks on constructed outcomes, for what no design makes happen: replication converges whatever a
// scanner writes, so a convergence check that never fails would pass every random case of the suite.

const IDLE: Summary = runEvents([]).summary;

function outcome(summary: Partial<Pick<Summary, 'quiescent' | 'converged' | 'collisions'>>): Outcome {
  return { summary: { ...IDLE, ...summary }, readOnlySaves: 0, firstReadOnlySave: undefined, stampings: 0, uncleaned: 0, firstUncleaned: undefined, firstMissed: undefined, infectedScans: 0, conflictUnids: new Set(), stormCut: false, lastScannerRevisionAt: undefined, scannerRevisions: 0, arrivalStamps: 0, arrivalsSeen: 0, crash: undefined };
}

const noBaseline = (): Outcome => {
  throw new Error('convergence needs no baseline run');
};

describe('verifyDesign: the convergence check (R3, R12)', () => {
  it('R12: quiet (nothing pending) with replicas that differ and no OID collision is a violation', () => {
    expect(CHECKS.convergence(outcome({ quiescent: true, converged: false, collisions: 0 }), noBaseline)).toBe('replicas differ although nothing is pending');
  });

  it('R12: replicas that differ while work is still pending are not judged (the quiescence invariant is about that)', () => {
    expect(CHECKS.convergence(outcome({ quiescent: false, converged: false, collisions: 0 }), noBaseline)).toBeUndefined();
  });

  it('R3: replicas kept apart by an OID collision are excepted (an equal OID is the same version to Domino)', () => {
    expect(CHECKS.convergence(outcome({ quiescent: true, converged: false, collisions: 1 }), noBaseline)).toBeUndefined();
  });

  it('quiet and converged holds', () => {
    expect(CHECKS.convergence(outcome({ quiescent: true, converged: true, collisions: 0 }), noBaseline)).toBeUndefined();
  });
});
