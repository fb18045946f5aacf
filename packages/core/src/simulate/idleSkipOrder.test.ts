// replication.md "Time and order": skipping idle periodic work (fastForwardIdle: cluster ticks and purge checks moved
// past occurrences that would have run as no-ops) must leave every later piece of work in the order running them would
// have, however the run is driven: fed its inputs alone, advanced to more times between them (as a replay advances to
// each recorded line), or in slices of one piece of work (as `run --max-scanner-revisions` drives it). These are the
// cases a mutation review (2026-12-06) built for the skip's rules that no test killed: re-stamping moved items' order
// (the historical bug: pushes at one millisecond in another order when a replay advanced to every recorded line), the
// step count (floor), the strict horizon, the order's tie-breaks, the horizon's other work, the heap's re-sort; and
// the cap's and the periodic budget's edges. Each fails with its mutant; the review judged the others it tried
// equivalent (the floor's `>=`, the tie-breaks on `last` and on the period, asking cutWhen once it said yes).
import { describe, expect, it } from 'vitest';
import type { DerivedEvent, InputEvent } from '../log/events.js';
import { Simulator } from './simulator.js';

const U1 = '0123456789ABCDEF0123456789ABCDEF';
const U2 = '1123456789ABCDEF0123456789ABCDEF';
const U3 = '2123456789ABCDEF0123456789ABCDEF';
const items = (o: Record<string, string>) => new Map(Object.entries(o));

type Drive = { sliced?: boolean; extra?: readonly number[] };
function run(events: readonly InputEvent[], drive: Drive = {}, opts: { maxPeriodicWorkBetweenInputs?: number } = {}): { derived: DerivedEvent[]; summary: unknown } {
  const derived: DerivedEvent[] = [];
  const sim = new Simulator({ onDerived: (e) => derived.push(e), ...opts });
  let k = 0;
  const extra = drive.extra ?? [];
  events.forEach((event, i) => {
    for (; k < extra.length && extra[k]! <= event.at; k++) sim.advance(extra[k]!, i + 2);
    if (drive.sliced) while (sim.advanceSome(event.at, i + 2, 1) === 'more');
    sim.feed({ line: i + 2, event });
  });
  return { derived, summary: sim.finish() };
}
const pushes = (d: readonly DerivedEvent[]) => d.flatMap((e) => (e.type === 'session' && e.direction === 'cluster' ? [`${e.at} ${e.server}->${e.partner}`] : []));

/**
 * Cluster mates A and B tick every second, in step (A first: its tick was scheduled first). At 1000 a one-document
 * push X -> Y (replicationMsPerDoc 0: its transfer is due at 1000 itself) is scheduled between A's tick and B's, so
 * the work at 1000 runs A's tick, the transfer (the run is idle after it), then B's tick. Whoever skips idle ticks
 * after the transfer (the mid-run skip after 256 pieces of work, or a slice boundary) finds A's tick one period ahead
 * of B's. Saves on A and B at `saveAt`: the next tick pushes A -> B first, then B -> A, however the run is driven.
 */
function lockstep(saveAt: number): InputEvent[] {
  return [
    { at: 0, type: 'server', name: 'A', cluster: 'c', clusterIntervalMs: 1000 },
    { at: 0, type: 'server', name: 'X', replicationMsPerDoc: 0 },
    { at: 0, type: 'server', name: 'Y' },
    { at: 0, type: 'database', name: 'x', replicas: ['X', 'Y'] },
    { at: 0, type: 'save', server: 'X', db: 'x', unid: U1, by: 'user/u', set: items({ S: '1' }) },
    { at: 1000, type: 'replicate', server: 'X', partner: 'Y', mode: 'push' },
    { at: 1000, type: 'server', name: 'B', cluster: 'c', clusterIntervalMs: 1000 },
    { at: 1000, type: 'database', name: 'd', replicas: ['A', 'B'] },
    { at: saveAt, type: 'save', server: 'A', db: 'd', unid: U2, by: 'user/u', set: items({ S: 'a' }) },
    { at: saveAt, type: 'save', server: 'B', db: 'd', unid: U3, by: 'user/u', set: items({ S: 'b' }) },
  ];
}

describe('Time and order, R12: idle cluster ticks skipped keep the order their last occurrences ran in', () => {
  // Fed only, the mid-run skip (every 256 pieces of work) finds B's tick at 128000 and A's at 129000.
  for (const saveAt of [130_000, 130_500, 131_500, 200_000]) {
    it(`fed only, or also advanced to 1500: the same pushes in the same order (saves at ${saveAt})`, () => {
      const fed = run(lockstep(saveAt));
      const advanced = run(lockstep(saveAt), { extra: [1500] });
      const next = Math.ceil(saveAt / 1000) * 1000 + 1; // the first tick at or after the saves (work at an instant runs after its inputs); a push of one document ends 1 ms after it
      expect(pushes(fed.derived)).toEqual([`${next} A->B`, `${next} B->A`]);
      expect(fed.derived).toEqual(advanced.derived);
      expect(fed.summary).toEqual(advanced.summary);
    });
  }

  // Sliced one piece of work at a time, the skip after the transfer finds B's tick at 1000 and A's at 2000.
  for (const saveAt of [3000, 3500, 4500, 10_000]) {
    it(`fed only, or sliced one piece of work at a time: the same pushes in the same order (saves at ${saveAt})`, () => {
      const fed = run(lockstep(saveAt));
      const sliced = run(lockstep(saveAt), { sliced: true });
      const next = Math.ceil(saveAt / 1000) * 1000 + 1; // the first tick at or after the saves (work at an instant runs after its inputs); a push of one document ends 1 ms after it
      expect(pushes(sliced.derived)).toEqual([`${next} A->B`, `${next} B->A`]);
      expect(sliced.derived).toEqual(fed.derived);
      expect(sliced.summary).toEqual(fed.summary);
    });
  }

  it('ticks of different periods skipped to 5000: the one whose previous tick ran first pushes first (U at 3000 before A at 4000)', () => {
    const events: InputEvent[] = [
      { at: 1, type: 'server', name: 'U', cluster: 'c', clusterIntervalMs: 3000 },
      { at: 1, type: 'server', name: 'A', cluster: 'c', clusterIntervalMs: 2000 },
      { at: 1, type: 'database', name: 'd', replicas: ['U', 'A'] },
      { at: 5000, type: 'save', server: 'A', db: 'd', unid: U2, by: 'user/u', set: items({ S: 'a' }) },
      { at: 5000, type: 'save', server: 'U', db: 'd', unid: U3, by: 'user/u', set: items({ S: 'u' }) },
    ];
    const fed = run(events);
    const advanced = run(events, { extra: [2001] });
    expect(pushes(fed.derived)).toEqual(['6001 U->A', '6001 A->U']);
    expect(fed.derived).toEqual(advanced.derived);
  });

  it('two mates declared together, idle for seconds: the one declared first pushes first', () => {
    for (const saveAt of [1500, 5000]) {
      const events: InputEvent[] = [
        { at: 0, type: 'server', name: 'A', cluster: 'c', clusterIntervalMs: 1000 },
        { at: 0, type: 'server', name: 'B', cluster: 'c', clusterIntervalMs: 1000 },
        { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'] },
        { at: saveAt, type: 'save', server: 'B', db: 'd', unid: U3, by: 'user/u', set: items({ S: 'b' }) },
        { at: saveAt, type: 'save', server: 'A', db: 'd', unid: U2, by: 'user/u', set: items({ S: 'a' }) },
      ];
      const next = Math.ceil(saveAt / 1000) * 1000 + 1; // the first tick at or after the saves (work at an instant runs after its inputs); a push of one document ends 1 ms after it
      expect(pushes(run(events).derived), `${saveAt}`).toEqual([`${next} A->B`, `${next} B->A`]);
      expect(pushes(run(events, { sliced: true }).derived), `${saveAt}`).toEqual([`${next} A->B`, `${next} B->A`]);
    }
  });
});

describe('Time and order, R10, R12: the skip\'s horizon, the cap and the periodic budget', () => {
  it('fastForwardIdle skips no tick past other due work: a scheduled session at 0 brings A a document, A\'s next tick (1000) pushes it to its mate', () => {
    const events: InputEvent[] = [
      { at: 0, type: 'server', name: 'A', cluster: 'c', clusterIntervalMs: 1000 },
      { at: 0, type: 'server', name: 'B', cluster: 'c', clusterIntervalMs: 1000 },
      { at: 0, type: 'server', name: 'C' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B', 'C'] },
      { at: 0, type: 'save', server: 'C', db: 'd', unid: U1, by: 'user/u', set: items({ S: '1' }) },
      { at: 0, type: 'connection', server: 'C', partner: 'A', everyMs: 1_000_000, mode: 'push' },
      { at: 50_000, type: 'save', server: 'C', db: 'd', unid: U2, by: 'user/u', set: items({ S: '2' }) },
    ];
    const { derived } = run(events);
    expect(pushes(derived)[0]).toBe('1001 A->B');
  });

  it('a run with work pending for ever stops at its cap without running the work due at the cap itself', () => {
    const events: InputEvent[] = [
      { at: 0, type: 'server', name: 'K', cluster: 'k', clusterIntervalMs: 0 },
      { at: 0, type: 'server', name: 'L', cluster: 'k', clusterIntervalMs: 0 },
      { at: 0, type: 'database', name: 'k', replicas: ['K', 'L'] },
      { at: 0, type: 'save', server: 'K', db: 'k', unid: U1, by: 'user/u', set: items({ S: '1' }) },
      { at: 0, type: 'server', name: 'P' },
      { at: 0, type: 'server', name: 'Q' },
      { at: 0, type: 'database', name: 'e', replicas: ['P', 'Q'] },
      { at: 0, type: 'connection', server: 'P', partner: 'Q', everyMs: 1000, mode: 'push' },
    ];
    const derived: DerivedEvent[] = [];
    const sim = new Simulator({ onDerived: (e) => derived.push(e), maxRunMs: 5000 });
    events.forEach((event, i) => sim.feed({ line: i + 2, event }));
    const summary = sim.finish();
    expect(summary.stopped).toBe('cap');
    expect(derived.filter((e) => e.type === 'session').map((e) => e.at)).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('R10: a purge check skipped over while idle still purges at its time: a stub due at 2 days is gone when a pull at 2 days + 500 ms comes', () => {
    const DAY = 86_400_000;
    const events: InputEvent[] = [
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'], purgeDays: 1 },
      { at: 1, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: items({ S: '1' }) },
      { at: 2, type: 'replicate', server: 'A', partner: 'B', mode: 'push' },
      { at: 10, type: 'delete', server: 'A', db: 'd', unid: U1, by: 'user/u' },
      { at: 2 * DAY + 500, type: 'replicate', server: 'A', partner: 'B', mode: 'pull' },
    ];
    const fed = run(events);
    const advanced = run(events, { extra: [2 * DAY + 1] });
    // A's stub (seqTime 10) is older than 1 day at the check of 2 days: purged, so B's copy comes back.
    expect(fed.derived.filter((e) => e.at > 2 * DAY).map((e) => (e.type === 'replicated' ? `${e.from}->${e.to} ${e.outcome}` : e.type))).toEqual(['B->A resurrected', 'session']);
    expect(fed.derived).toEqual(advanced.derived);
    expect(fed.summary).toEqual(advanced.summary);
  });

  it('idle ticks skipped by advanceThroughSome count once against the periodic budget', () => {
    const sim = new Simulator({ maxPeriodicWorkBetweenInputs: 1 });
    sim.feed({ line: 2, event: { at: 0, type: 'server', name: 'A', cluster: 'c', clusterIntervalMs: 1000 } });
    while (sim.advanceThroughSome(10_000, undefined, Number.POSITIVE_INFINITY) === 'more');
    expect(sim.now).toBe(10_000);
  });

  it('idle ticks are skipped when the next input is 1 ms past a tick: one tick runs, within a periodic budget of 1', () => {
    const sim = new Simulator({ maxPeriodicWorkBetweenInputs: 1 });
    sim.feed({ line: 2, event: { at: 0, type: 'server', name: 'A', cluster: 'c', clusterIntervalMs: 1000 } });
    sim.feed({ line: 3, event: { at: 1001, type: 'server', name: 'B' } });
    expect(sim.finish().stopped).toBe('idle');
  });
});
