import type { DerivedEvent } from '@replstorm/core';

/** Counts per time bucket for one server; every array has one entry per bucket. */
export interface TimelineSeries {
  readonly server: string;
  /** `revised` events on this server. */
  readonly revisions: number[];
  /** `replicated` events whose `to` is this server, `collision` excluded (as the summary's `replicatedChanges`). */
  readonly replicated: number[];
  /** Conflict documents made on this server: `conflict` events, but not one the engine says made none (R5), as the summary counts. */
  readonly conflicts: number[];
}

/** Bucket `i` covers virtual times `[start + i * bucketMs, start + (i + 1) * bucketMs)`; `end` is the last bucket's end. */
export interface Timeline {
  readonly bucketMs: number;
  readonly start: number;
  readonly end: number;
  /** Every server named by an event, sorted. */
  readonly servers: string[];
  /** One entry per server, in the order of `servers`. */
  readonly series: TimelineSeries[];
}

/**
 * [choice] The widths a bucket grows through, in virtual ms: 1, 5, 10, 50, 100, 500 ms, 1 s, 5 s, 15 s, 30 s, 1 min,
 * 5 min, 15 min, 30 min, 1 h, 3 h, 6 h, 12 h, 1 day, 7 days, then doubling. Each divides the next, so buckets merge
 * exactly. Powers of two (8.192 s, 16.384 s, ...) beat against Domino's own periods (the cluster replicator's 15 s,
 * hourly scans): a bucket held one push or two by turns, and a steady storm drew as a comb. On these widths a
 * periodic action falls the same number of times into every bucket.
 */
const NICE_WIDTHS: readonly number[] = [1, 5, 10, 50, 100, 500, 1_000, 5_000, 15_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000];

/** The bucket width after `w`: the next of NICE_WIDTHS, or twice `w` past them or off them (a starting width of 3 ms). */
function nextWidth(w: number): number {
  const i = NICE_WIDTHS.indexOf(w);
  return i >= 0 && i + 1 < NICE_WIDTHS.length ? NICE_WIDTHS[i + 1]! : w * 2;
}

export interface TimelineOptions {
  /**
   * Starting bucket width in virtual ms (default 1). Widened as often as needed to keep at most `maxBuckets` buckets:
   * through NICE_WIDTHS from a width among them, else by doubling.
   */
  readonly bucketMs?: number;
  /** At most this many buckets (default 600, at least 2). */
  readonly maxBuckets?: number;
}

export interface TimelineBuilder {
  /** `madeDocument`: the engine's word on a `conflict` event (Simulator's onDerived); false: not counted. */
  add(e: DerivedEvent, madeDocument?: boolean): void;
  result(): Timeline;
}

export const DEFAULT_MAX_BUCKETS = 600;

interface Counts {
  revisions: number[];
  replicated: number[];
  conflicts: number[];
}

/**
 * Streams derived events into per-server counts. Memory is O(servers × maxBuckets) whatever the number of events:
 * buckets sit on an absolute grid (bucket k covers [k·w, (k+1)·w)), so when the span outgrows `maxBuckets` the width
 * grows (nextWidth) and neighbours merge, and no event is kept.
 */
export function createTimeline(options: TimelineOptions = {}): TimelineBuilder {
  let bucketMs = options.bucketMs ?? 1;
  const maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  if (!Number.isSafeInteger(bucketMs) || bucketMs < 1) throw new RangeError(`bucketMs must be a positive integer, got ${bucketMs}`);
  if (!Number.isSafeInteger(maxBuckets) || maxBuckets < 2) throw new RangeError(`maxBuckets must be an integer >= 2, got ${maxBuckets}`);

  const byServer = new Map<string, Counts>();
  // Absolute index of the first bucket and number of buckets; `first` is undefined until the first event.
  let first: number | undefined;
  let count = 0;

  // `at - at % w` is exact in floating point, so the quotient is exact even near 2^53 (Math.floor(at / w) is not).
  const indexOf = (at: number): number => (at - (at % bucketMs)) / bucketMs;

  const countsOf = (server: string): Counts => {
    let c = byServer.get(server);
    if (c === undefined) {
      c = { revisions: new Array<number>(count).fill(0), replicated: new Array<number>(count).fill(0), conflicts: new Array<number>(count).fill(0) };
      byServer.set(server, c);
    }
    return c;
  };

  /** Widens the buckets to the next width (nextWidth): each new bucket is the sum of the `factor` it covers. */
  const widen = (f: number): void => {
    const wider = nextWidth(bucketMs);
    const factor = wider / bucketMs;
    const newFirst = Math.floor(f / factor);
    const newCount = Math.floor((f + count - 1) / factor) - newFirst + 1;
    const merge = (a: number[]): number[] => {
      const m = new Array<number>(newCount).fill(0);
      for (let i = 0; i < a.length; i++) m[Math.floor((f + i) / factor) - newFirst]! += a[i]!;
      return m;
    };
    for (const c of byServer.values()) {
      c.revisions = merge(c.revisions);
      c.replicated = merge(c.replicated);
      c.conflicts = merge(c.conflicts);
    }
    bucketMs = wider;
    first = newFirst;
    count = newCount;
  };

  // Makes the bucket of `at` exist and returns its position in the arrays.
  const slotOf = (at: number): number => {
    if (!Number.isFinite(at) || at < 0) throw new RangeError(`event at must be a non-negative number, got ${at}`);
    if (first === undefined) {
      first = indexOf(at);
      count = 1;
      for (const c of byServer.values()) c.revisions.push(0), c.replicated.push(0), c.conflicts.push(0);
      return 0;
    }
    let k = indexOf(at);
    while (Math.max(first + count - 1, k) - Math.min(first, k) + 1 > maxBuckets) {
      widen(first);
      k = indexOf(at);
    }
    if (k < first) {
      // Only reached when events arrive out of order; logs never decrease `at`, but a builder should not care.
      const pad = new Array<number>(first - k).fill(0);
      for (const c of byServer.values()) {
        c.revisions = pad.concat(c.revisions);
        c.replicated = pad.concat(c.replicated);
        c.conflicts = pad.concat(c.conflicts);
      }
      count += first - k;
      first = k;
    } else if (k >= first + count) {
      const grow = k - first - count + 1;
      for (const c of byServer.values()) {
        for (let i = 0; i < grow; i++) c.revisions.push(0), c.replicated.push(0), c.conflicts.push(0);
      }
      count += grow;
    }
    return k - first;
  };

  return {
    add(e, madeDocument) {
      const slot = slotOf(e.at);
      switch (e.type) {
        case 'revised':
          countsOf(e.server).revisions[slot]! += 1;
          break;
        case 'replicated':
          countsOf(e.from);
          if (e.outcome !== 'collision') countsOf(e.to).replicated[slot]! += 1;
          else countsOf(e.to);
          break;
        case 'conflict':
          if (madeDocument !== false) countsOf(e.server).conflicts[slot]! += 1;
          else countsOf(e.server);
          break;
        case 'session':
          countsOf(e.server);
          countsOf(e.partner);
          break;
        case 'scanned':
          countsOf(e.server);
          break;
      }
    },
    result() {
      const servers = [...byServer.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const start = first === undefined ? 0 : first * bucketMs;
      return {
        bucketMs,
        start,
        end: start + count * bucketMs,
        servers,
        series: servers.map((server) => {
          const c = byServer.get(server)!;
          return { server, revisions: [...c.revisions], replicated: [...c.replicated], conflicts: [...c.conflicts] };
        }),
      };
    },
  };
}
