import type { DerivedEvent } from '@replstorm/core';
import { describe, expect, it } from 'vitest';
import { createTimeline } from './timeline.js';

const UNID = '0123456789ABCDEF0123456789ABCDEF';
const revised = (at: number, server: string): DerivedEvent =>
  ({ type: 'revised', at, server, db: 'a.nsf', unid: UNID, seq: 1, seqTime: at, items: [], by: 'user/a', cause: 2 });
const replicated = (at: number, from: string, to: string, outcome: 'updated' | 'collision' = 'updated'): DerivedEvent =>
  ({ type: 'replicated', at, from, to, db: 'a.nsf', unid: UNID, seq: 1, seqTime: at, outcome });
const conflict = (at: number, server: string): DerivedEvent =>
  ({ type: 'conflict', at, server, db: 'a.nsf', unid: UNID, conflictUnid: UNID, winner: { seq: 2, seqTime: at }, loser: { seq: 2, seqTime: at - 1 } });

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);

describe('createTimeline', () => {
  it('counts revised for its server, replicated (not collisions) for its to, conflict for its server', () => {
    const t = createTimeline({ bucketMs: 10 });
    for (const e of [revised(0, 'A'), revised(5, 'A'), replicated(12, 'A', 'B'), replicated(13, 'A', 'B', 'collision'), conflict(25, 'B')]) t.add(e);
    t.add({ type: 'session', at: 29, server: 'C', partner: 'A', db: 'a.nsf', direction: 'pull', sent: 0, changed: 0, interrupted: false });
    expect(t.result()).toEqual({
      bucketMs: 10,
      start: 0,
      end: 30,
      servers: ['A', 'B', 'C'],
      series: [
        { server: 'A', revisions: [2, 0, 0], replicated: [0, 0, 0], conflicts: [0, 0, 0] },
        { server: 'B', revisions: [0, 0, 0], replicated: [0, 1, 0], conflicts: [0, 0, 1] },
        { server: 'C', revisions: [0, 0, 0], replicated: [0, 0, 0], conflicts: [0, 0, 0] },
      ],
    });
  });

  it('has a row, zeros included, for every server an event names (a replicated from, a session partner), sorted by name', () => {
    const t = createTimeline({ bucketMs: 10 });
    t.add(replicated(0, 'Z', 'M'));
    t.add({ type: 'session', at: 1, server: 'M', partner: 'B', db: 'a.nsf', direction: 'push', sent: 0, changed: 0, interrupted: false });
    expect(t.result()).toEqual({
      bucketMs: 10,
      start: 0,
      end: 10,
      servers: ['B', 'M', 'Z'],
      series: [
        { server: 'B', revisions: [0], replicated: [0], conflicts: [0] },
        { server: 'M', revisions: [0], replicated: [1], conflicts: [0] },
        { server: 'Z', revisions: [0], replicated: [0], conflicts: [0] },
      ],
    });
  });

  it('refuses fewer than two buckets', () => {
    expect(() => createTimeline({ maxBuckets: 1 })).toThrow(RangeError);
    expect(() => createTimeline({ maxBuckets: 2 })).not.toThrow();
  });

  it('starts at the bucket of the first event, on a grid from virtual time 0', () => {
    const t = createTimeline({ bucketMs: 1000 });
    t.add(revised(61_234, 'A'));
    t.add(revised(63_000, 'A'));
    expect(t.result()).toMatchObject({ bucketMs: 1000, start: 61_000, end: 64_000, series: [{ revisions: [1, 0, 1] }] });
  });

  it('widens the buckets through 10, 50, 100 ms, ... when the span outgrows maxBuckets, summing the buckets each covers', () => {
    const t = createTimeline({ bucketMs: 10, maxBuckets: 4 });
    for (const at of [0, 15, 35]) t.add(revised(at, 'A'));
    expect(t.result()).toMatchObject({ bucketMs: 10, start: 0, end: 40, series: [{ revisions: [1, 1, 0, 1] }] });
    t.add(revised(45, 'A'));
    // [0,10) ... [40,50) would be five: the next width is 50 ms, one bucket [0,50).
    expect(t.result()).toMatchObject({ bucketMs: 50, start: 0, end: 50, series: [{ revisions: [4] }] });
    t.add(revised(170, 'A'));
    expect(t.result()).toMatchObject({ bucketMs: 50, start: 0, end: 200, series: [{ revisions: [4, 0, 0, 1] }] });
    t.add(revised(260, 'A'));
    expect(t.result()).toMatchObject({ bucketMs: 100, start: 0, end: 300, series: [{ revisions: [4, 1, 1] }] });
  });

  it('keeps the grid when the first bucket index is odd: doubling from a width off the ladder, and a factor of 3 (5 s to 15 s)', () => {
    const t = createTimeline({ bucketMs: 20, maxBuckets: 2 });
    t.add(revised(25, 'A'));
    t.add(revised(45, 'A'));
    t.add(revised(65, 'A'));
    expect(t.result()).toMatchObject({ bucketMs: 40, start: 0, end: 80, series: [{ revisions: [1, 2] }] });
    const u = createTimeline({ bucketMs: 5_000, maxBuckets: 2 });
    for (const at of [5_000, 10_000, 15_000]) u.add(revised(at, 'A'));
    expect(u.result()).toMatchObject({ bucketMs: 15_000, start: 0, end: 30_000, series: [{ revisions: [2, 1] }] });
  });

  it('R12: a cluster push every 15 s over two hours draws flat, one push per bucket (power-of-two buckets of 16.384 s held one or two by turns: a comb)', () => {
    const t = createTimeline();
    for (let at = 7_000; at < 7_200_000; at += 15_000) t.add(revised(at, 'A'));
    const r = t.result();
    expect(r.bucketMs).toBe(15_000);
    expect(new Set(r.series[0]!.revisions)).toEqual(new Set([1]));
  });

  it('chooses the width itself: at most 600 buckets whatever the span', () => {
    const t = createTimeline();
    for (let at = 0; at <= 7 * 86_400_000; at += 60_000) t.add(revised(at, 'A'));
    const r = t.result();
    const buckets = (r.end - r.start) / r.bucketMs;
    expect(buckets).toBeLessThanOrEqual(600);
    expect(buckets).toBeGreaterThan(300);
    expect(r.series[0]!.revisions).toHaveLength(buckets);
    expect(sum(r.series[0]!.revisions)).toBe(7 * 24 * 60 + 1);
  });

  it('keeps memory bounded over a million events (counts only, no per-event data)', () => {
    const t = createTimeline({ bucketMs: 1 });
    const n = 1_000_000;
    for (let i = 0; i < n; i++) t.add(i % 3 === 0 ? replicated(i * 7, 'A', 'B') : revised(i * 7, 'A'));
    const r = t.result();
    for (const s of r.series) expect(s.revisions.length).toBeLessThanOrEqual(600);
    expect(sum(r.series[0]!.revisions) + sum(r.series[1]!.replicated)).toBe(n);
  });

  it('accepts times up to 2^53 - 1 without losing events to rounding', () => {
    const t = createTimeline({ bucketMs: 1000 });
    const top = Number.MAX_SAFE_INTEGER;
    for (const at of [top - 1999, top - 1000, top]) t.add(revised(at, 'A'));
    const r = t.result();
    expect(sum(r.series[0]!.revisions)).toBe(3);
    expect(r.start).toBeLessThanOrEqual(top - 1999);
    expect(r.end).toBeGreaterThan(top);
  });

  it('returns a copy: adding after result() does not change an earlier result', () => {
    const t = createTimeline({ bucketMs: 10 });
    t.add(revised(0, 'A'));
    const before = t.result();
    t.add(revised(1, 'A'));
    expect(before.series[0]!.revisions).toEqual([1]);
  });

  it('refuses a width that is not a positive integer', () => {
    expect(() => createTimeline({ bucketMs: 0 })).toThrow(RangeError);
    expect(() => createTimeline({ bucketMs: 1.5 })).toThrow(RangeError);
  });
});
