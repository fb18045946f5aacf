import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Prng, Simulator, encodeLog, type DerivedEvent, type Summary } from '@replstorm/core';
import { behaviourFactory } from './design.js';
import { builtinRegistry } from './designs/registry.js';
import { seededSettings } from './determinism.js';
import { smsdomStormEvents } from './scenarios/smsdomStorm.js';

// Snapshots share replicas, cluster queues, scanner memories and counters with the state that goes on, copy-on-write
// (simulator.ts: writable, ownReplicas, ownQueues, ownStore, ownCounters). Here the seeded scenarios of the
// determinism check (every built-in design, on-write scans of arrivals, scheduled connections, definitions updates,
// forwards, infections) run straight, and again with two nested snapshots: run on to the end, restore the later
// snapshot and finish, restore the earlier and finish. Every one of the three ends must be the straight run's: the same summary (digest included) and the same
// derived events after its snapshot. A state that wrote through something it shared would leak into a snapshot.
// Deterministic: seed i gives the scenario and both cut points; a failure writes the scenario's log (the cuts in its
// meta) to counterexamples/, and `replstorm replay` runs it straight.

const SEEDS = 40;
const repoRoot = join(import.meta.dirname, '..', '..', '..');

interface RunEnd {
  summary: Summary;
  derived: DerivedEvent[];
}

function check(i: number): void {
  const settings = seededSettings(i);
  const events = smsdomStormEvents(settings);
  const r = new Prng(i * 7919);
  const k1 = r.int(1, events.length - 1);
  const k2 = r.int(k1, events.length - 1);
  let sink: DerivedEvent[] = [];
  const sim = new Simulator({ behaviours: behaviourFactory(builtinRegistry()), seed: i, onDerived: (e) => sink.push(e) });
  // The straight run, noting how many derived events came before each input.
  const marks: number[] = [];
  const feed = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      marks[k] = sink.length;
      sim.feed({ line: k + 2, event: events[k]! });
    }
  };
  feed(0, events.length);
  const straight: RunEnd = { summary: sim.finish(), derived: sink };
  const tail = (k: number) => straight.derived.slice(marks[k]);

  const fresh = new Simulator({ behaviours: behaviourFactory(builtinRegistry()), seed: i, onDerived: (e) => sink.push(e) });
  sink = [];
  const run = (from: number, to: number) => {
    for (let k = from; k < to; k++) fresh.feed({ line: k + 2, event: events[k]! });
  };
  run(0, k1);
  const s1 = fresh.snapshot();
  sink = [];
  run(k1, k2);
  const s2 = fresh.snapshot();
  run(k2, events.length);
  const ends: [string, RunEnd, DerivedEvent[]][] = [];
  ends.push(['on to the end', { summary: fresh.finish(), derived: sink }, tail(k1)]);
  fresh.restore(s2);
  sink = [];
  run(k2, events.length);
  ends.push(['from the later snapshot', { summary: fresh.finish(), derived: sink }, tail(k2)]);
  fresh.restore(s1);
  sink = [];
  run(k1, events.length);
  ends.push(['from the earlier snapshot', { summary: fresh.finish(), derived: sink }, tail(k1)]);
  for (const [label, end, want] of ends) {
    const same = JSON.stringify(end.summary) === JSON.stringify(straight.summary) && JSON.stringify(end.derived) === JSON.stringify(want);
    if (!same) {
      const file = join(repoRoot, 'counterexamples', `snapshot-restore-seed-${i}.jsonl`);
      mkdirSync(join(repoRoot, 'counterexamples'), { recursive: true });
      writeFileSync(file, encodeLog({ replog: 1, meta: { test: 'snapshot-restore', seed: i, settings, snapshotsBeforeLines: [k1 + 2, k2 + 2] } }, events));
      expect.fail(`seed ${i}: the run ${label} differs from the straight run (snapshots before lines ${k1 + 2} and ${k2 + 2}); log: ${file}`);
    }
    expect(end.summary).toEqual(straight.summary);
    expect(end.derived).toEqual(want);
  }
}

describe('snapshots: copy-on-write never leaks between a snapshot and the state that goes on', () => {
  it(`R1-R16: ${SEEDS} seeded scenarios, two nested snapshots each: every end equals the straight run`, () => {
    for (let i = 1; i <= SEEDS; i++) check(i);
  });
});
