import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InputEvent } from '../log/events.js';
import { WorkHeap } from '../util/heap.js';
import { items, simulate, unid } from '../../test/simHarness.js';

// fastForwardIdle (moving idle cluster ticks and purge checks past occurrences that would be no-ops) scanned the whole
// work heap at every input line: a log declaring a few thousand clustered servers (one tick each) took a heap scan per
// line, quadratic in servers (20,000 servers: 20 s; hostile-input QA). It now scans only when an item can move.

const SERVERS = 3000;

function* manyClusteredServers(spacingMs: number): Generator<InputEvent> {
  for (let i = 0; i < SERVERS; i++) yield { at: i * spacingMs, type: 'server', name: `S${i}`, cluster: 'C' };
  yield { at: SERVERS * spacingMs, type: 'database', name: 'd', replicas: ['S0', 'S1'] };
  yield { at: SERVERS * spacingMs + 1, type: 'save', server: 'S0', db: 'd', unid: unid(1), by: 'user/u', set: items({ A: 1 }) };
}

/** Heap items visited by scans (WorkHeap.items) while `f` runs. */
function itemsVisited(f: () => void): number {
  let visited = 0;
  const original = WorkHeap.prototype.items;
  vi.spyOn(WorkHeap.prototype, 'items').mockImplementation(function (this: WorkHeap<never>) {
    const all = original.call(this);
    visited += all.length;
    return all;
  });
  f();
  return visited;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fastForwardIdle on a log of many servers', () => {
  it('declaring thousands of clustered servers at one instant scans the work heap a bounded number of times', () => {
    let summary: ReturnType<typeof simulate>['summary'] | undefined;
    const visited = itemsVisited(() => {
      summary = simulate(manyClusteredServers(0), { collect: false }).summary;
    });
    expect(summary!.replicatedChanges).toBe(1);
    expect(summary!.stopped).toBe('idle');
    // Before: one scan of every tick per line (about SERVERS^2 / 2 = 4.5 million items).
    expect(visited).toBeLessThan(20 * SERVERS);
  });

  it('servers declared a tick interval apart: each line moves the ticks once, not once per slice of work', () => {
    let summary: ReturnType<typeof simulate>['summary'] | undefined;
    const visited = itemsVisited(() => {
      summary = simulate(manyClusteredServers(16_000), { collect: false }).summary;
    });
    expect(summary!.replicatedChanges).toBe(1);
    // Moving every tick at every line is SERVERS^2 / 2 visits per scan: at most a few scans per line.
    expect(visited).toBeLessThan(4 * SERVERS * SERVERS);
  });
});
