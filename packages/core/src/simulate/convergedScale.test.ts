import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InputEvent } from '../log/events.js';
import { Replica } from '../replica/replica.js';
import { items, simulate, unid } from '../../test/simHarness.js';

// converged() compared every pair of a database's replicas for collisions: quadratic in replicas (a database on
// 20,000 servers took 50 s to summarise; hostile-input QA). Each copy is now compared with the first copy of its OID.

const REPLICAS = 2000;

/** Every server saves the same OID (seq 1, time 1) with one of two contents; with `firstSavesAgain`, the first listed then saves again (seq 2). */
function* oneDatabaseOnManyServers(firstSavesAgain = false): Generator<InputEvent> {
  const names = Array.from({ length: REPLICAS }, (_, i) => `S${i}`);
  for (const name of names) yield { at: 0, type: 'server', name };
  yield { at: 0, type: 'database', name: 'd', replicas: names };
  for (let i = 0; i < REPLICAS; i++) yield { at: 1, type: 'save', server: names[i]!, db: 'd', unid: unid(1), by: 'user/u', set: items({ A: i % 2 }) };
  if (firstSavesAgain) yield { at: 2, type: 'save', server: names[0]!, db: 'd', unid: unid(1), by: 'user/u', set: items({ A: 2 }) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('converged on a database with many replicas', () => {
  it('looks up each copy a bounded number of times, and still finds the collision', () => {
    const { sim } = simulate(oneDatabaseOnManyServers(), { collect: false });
    const get = vi.spyOn(Replica.prototype, 'get');
    const summary = sim.summary();
    // Every replica saved the same OID (seq 1, time 1) with one of two contents: one collision.
    expect(summary.collisions).toBe(1);
    expect(summary.converged).toBe(false);
    // Before: every pair of replicas (about REPLICAS^2 = 4 million lookups).
    expect(get.mock.calls.length).toBeLessThan(20 * REPLICAS);
  });

  it('R3: finds the collision among the other replicas when the first listed holds another version of the document', () => {
    // The first replica's copy is seq 2: the others' copies of seq 1 are compared with one another, not with it.
    const { sim } = simulate(oneDatabaseOnManyServers(true), { collect: false });
    const get = vi.spyOn(Replica.prototype, 'get');
    const summary = sim.summary();
    expect(summary.collisions).toBe(1);
    expect(summary.converged).toBe(false);
    expect(get.mock.calls.length).toBeLessThan(20 * REPLICAS);
  });
});
