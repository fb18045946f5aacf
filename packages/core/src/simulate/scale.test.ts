import { describe, expect, it } from 'vitest';
import type { InputEvent } from '../log/events.js';
import { HOUR, items, simulate, unid } from '../../test/simHarness.js';

// The seed's scale: 10,000 documents on two cluster servers, each saved once an hour for 24 virtual hours. Only counts
// are checked; how long it takes is measured elsewhere, never asserted.

const DOCS = 10_000;
const HOURS = 24;

/** Document i is saved at hour h, i x 360 ms into the hour, alternately on A and B (so each save builds on the mate's). */
function* seedScaleEvents(): Generator<InputEvent> {
  yield { at: 0, type: 'server', name: 'A', cluster: 'C1' };
  yield { at: 0, type: 'server', name: 'B', cluster: 'C1' };
  yield { at: 0, type: 'database', name: 'mail.nsf', replicas: ['A', 'B'] };
  const spacing = HOUR / DOCS;
  for (let h = 0; h < HOURS; h++) {
    for (let i = 0; i < DOCS; i++) {
      yield { at: h * HOUR + i * spacing, type: 'save', server: (i + h) % 2 === 0 ? 'A' : 'B', db: 'mail.nsf', unid: unid(i + 1), by: 'user/u', set: items({ Hour: h }) };
    }
  }
}

describe('seed scale', () => {
  it('R12: 10,000 documents saved hourly for 24 hours on two cluster servers: every save reaches the mate once', () => {
    const { summary } = simulate(seedScaleEvents(), { collect: false });
    expect(summary.revisions.total).toBe(DOCS * HOURS);
    // Each save is pushed to the mate once; the mate does not push it back (R12, no echo).
    expect(summary.replicatedChanges).toBe(DOCS * HOURS);
    expect(summary.conflicts).toBe(0);
    expect(summary.converged).toBe(true);
    expect(summary.stopped).toBe('idle');
  }, 600_000);
});
