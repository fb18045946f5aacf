import { describe, expect, it } from 'vitest';
import type { DerivedEvent, InputEvent } from '../log/events.js';
import { runEvents } from './runEvents.js';
import { unmadeCollision } from './collisions.js';

// R3: an OID collision is two servers making one version with different contents; replication never makes one.
// unmadeCollision tells the convergence properties (and replay's judge of their logs) one from the other.

const U = '0123456789ABCDEF0123456789ABCDEF';
const setup: InputEvent[] = [
  { at: 0, type: 'server', name: 'A' },
  { at: 0, type: 'server', name: 'B' },
  { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
];
/** A and B both save U in the same millisecond with different values (seq 1 at 1 on both), then replicate. */
const twins: InputEvent[] = [
  ...setup,
  { at: 1, type: 'save', server: 'A', db: 'd.nsf', unid: U, by: 'user/a', set: new Map([['F', 1]]) },
  { at: 1, type: 'save', server: 'B', db: 'd.nsf', unid: U, by: 'user/b', set: new Map([['F', 2]]) },
  { at: 2, type: 'replicate', server: 'A', partner: 'B' },
  { at: 10, type: 'end' },
];

describe('unmadeCollision (R3)', () => {
  it('R3: a collision both servers made (the same millisecond\'s saves) is explained: undefined', () => {
    const { summary, sim, derived } = runEvents(twins, { collect: true });
    expect(summary.collisions).toBe(1);
    expect(unmadeCollision(sim, derived)).toBeUndefined();
  });

  it('R3/R4: the same end state, with only one server having made that version by the run\'s events: a transfer changed it, said with the document, its version and the two servers', () => {
    const { sim, derived } = runEvents(twins, { collect: true });
    const onlyA = derived.filter((e: DerivedEvent) => !(e.type === 'revised' && e.server === 'B'));
    expect(unmadeCollision(sim, onlyA)).toBe(`${U} in d.nsf is at seq 1, seqTime 1 on A and B with different contents, but no two servers made that version: a transfer changed it (R3/R4)`);
  });

  it('R3: a run with no collision (saves, a replication, an edit, a deletion): undefined, whatever the events', () => {
    const { summary, sim, derived } = runEvents(
      [
        ...setup,
        { at: 1, type: 'save', server: 'A', db: 'd.nsf', unid: U, by: 'user/a', set: new Map([['F', 1]]) },
        { at: 2, type: 'replicate', server: 'A', partner: 'B' },
        { at: 3, type: 'save', server: 'B', db: 'd.nsf', unid: U, by: 'user/b', set: new Map([['F', 3]]) },
        { at: 4, type: 'delete', server: 'A', db: 'd.nsf', unid: U, by: 'user/a' },
        { at: 10, type: 'end' },
      ],
      { collect: true },
    );
    expect(summary.collisions).toBe(0);
    expect(unmadeCollision(sim, derived)).toBeUndefined();
    expect(unmadeCollision(sim, [])).toBeUndefined();
  });
});
