import type { Revision } from './note.js';

/**
 * A note's earlier versions, oldest first (Domino's `$Revisions`, as (`seq`, `seqTime`) pairs): an immutable list
 * whose append costs O(1), not a copy of the list.
 *
 * Why not an array: every save appends one entry to a copy of the previous version's list (notes are immutable and
 * share their parts), so a document saved n times cost O(n) a save and O(n^2) in all. A replication storm saves the
 * same documents without end: a 10-hour single-document storm (482,470 revisions) took 37.5 s, half of it in garbage
 * collection of the copies, and a day of it did not finish. Here the versions of one history share one buffer, as Go's
 * slices do: a list is a window (`start`, `length`) on a buffer of pairs, and appending to the list that ends where its
 * buffer ends pushes onto the buffer, which no other list can see (each reads its own window). Appending to a list
 * whose buffer has grown past it (a second save of the same version: a conflict in the making, or exploration trying
 * another step from a saved state) copies the window first. The database's cap (`limitRevisions`, S2) moves `start`;
 * a buffer whose dropped prefix outgrows its window is copied, so a capped history holds O(cap) entries.
 *
 * [trade-off] A list keeps its whole buffer alive: a copy left behind (a replica cut off by a partition, holding an
 * early version) keeps the entries later versions pushed, after those versions are gone (purged, merged away). The
 * buffer is history the engine held anyway; it is freed with the last list on it.
 *
 * Invariant (checked by `append`, `from` and `merge`): entries are strictly increasing by `seq`, then `seqTime`.
 * Every list the engine makes is: a save appends the current version, whose `seq` is above every earlier one (R1), and
 * a merge sorts the union (R5). R4's descent test and R5's last common version read the list from its newest end.
 *
 * Reading: `length`, `seqAt(i)` and `timeAt(i)` (no allocation), `at(i)`, iteration and `toArray()` (pairs),
 * `toJSON()` (the array of pairs, so `--state` and the digest are what they were when this was an array).
 */
export class Revisions implements Iterable<Revision> {
  /** Pairs: seq at 2k, seqTime at 2k + 1. Shared by the lists of one history; written only at its end. */
  readonly #buf: number[];
  /** Index of this list's first entry in the buffer (entries, not numbers). */
  readonly #start: number;
  readonly #length: number;
  /**
   * The newest entry, beside the buffer (0, 0 when empty): R4's test of an arrival is almost always answered by it
   * (the copy it replaces is one save behind), and reading it here spares two reads of memory shared with the rest
   * of the history (the buffer array and its storage), each a cache miss at the seed's scale.
   */
  readonly #lastSeq: number;
  readonly #lastTime: number;

  private constructor(buf: number[], start: number, length: number) {
    this.#buf = buf;
    this.#start = start;
    this.#length = length;
    const end = 2 * (start + length);
    this.#lastSeq = length > 0 ? buf[end - 2]! : 0;
    this.#lastTime = length > 0 ? buf[end - 1]! : 0;
  }

  // Private fields, read through methods: a design is handed the engine's own notes (deeply frozen for an untrusted
  // one, but immer freezes plain objects and arrays only), and a list shares its buffer with every version of its
  // history. (Deep equality in tests: the tester in scripts/vitestSetup.ts compares entries.)
  get length(): number {
    return this.#length;
  }

  /** The empty list, shared by every first version (frozen: see `freeze`). */
  static readonly EMPTY: Revisions = Revisions.freeze(new Revisions([], 0, 0));

  /**
   * The list, made read-only to code handed it (a researcher's design: simulator.ts and design.ts freeze what they
   * hand out with immer, which leaves class instances alone). A list is shared by every replica holding its versions:
   * a design that set its own `includes` on one changed R4 for all of them, and on EMPTY for every later run in the
   * process. The private fields are not properties: frozen or not, `append` works. The engine's own lists are not
   * frozen (a freeze per save costs); the class's methods are, once.
   */
  static freeze(list: Revisions): Revisions {
    Object.freeze(list);
    return list;
  }

  /** A list of these pairs; throws if they are not strictly increasing (by `seq`, then `seqTime`). */
  static from(pairs: Iterable<Revision>): Revisions {
    const buf: number[] = [];
    for (const [seq, seqTime] of pairs) {
      const n = buf.length;
      if (n > 0 && !after(seq, seqTime, buf[n - 2]!, buf[n - 1]!)) {
        throw new RangeError(`revisions must be strictly increasing by seq, then seqTime: [${seq},${seqTime}] follows [${buf[n - 2]},${buf[n - 1]}]`);
      }
      buf.push(seq, seqTime);
    }
    return buf.length === 0 ? Revisions.EMPTY : new Revisions(buf, 0, buf.length / 2);
  }

  seqAt(i: number): number {
    return this.#buf[2 * (this.#start + i)]!;
  }

  timeAt(i: number): number {
    return this.#buf[2 * (this.#start + i) + 1]!;
  }

  /** The entry at `i` (from the oldest; negative counts from the newest), or undefined. */
  at(i: number): Revision | undefined {
    const k = i < 0 ? this.length + i : i;
    return k >= 0 && k < this.length ? [this.seqAt(k), this.timeAt(k)] : undefined;
  }

  *[Symbol.iterator](): IterableIterator<Revision> {
    for (let i = 0; i < this.length; i++) yield [this.seqAt(i), this.timeAt(i)];
  }

  toArray(): Revision[] {
    const out: Revision[] = new Array<Revision>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = [this.seqAt(i), this.timeAt(i)];
    return out;
  }

  toJSON(): Revision[] {
    return this.toArray();
  }

  /**
   * This list with (`seq`, `seqTime`) after its newest entry, capped to the newest `limit` entries (0: no cap).
   * Throws if the entry is not after the newest one (the lists' invariant: see the class).
   */
  append(seq: number, seqTime: number, limit: number): Revisions {
    const buf = this.#buf;
    const start = this.#start;
    const end = start + this.length;
    if (this.length > 0 && !after(seq, seqTime, this.#lastSeq, this.#lastTime)) {
      throw new RangeError(`revisions must be strictly increasing by seq, then seqTime: [${seq},${seqTime}] follows [${this.#lastSeq},${this.#lastTime}]`);
    }
    const length = limit > 0 && this.length >= limit ? limit : this.length + 1;
    const first = end + 1 - length;
    // The buffer ends with this list (nothing appended after it yet) and the prefix it would drop is no larger than
    // the list: push. Otherwise a buffer of its own, holding only this list's window.
    if (buf.length === 2 * end && first <= length && this !== Revisions.EMPTY) {
      buf.push(seq, seqTime);
      return new Revisions(buf, first, length);
    }
    // A buffer of its own is made at its size: `push` on a copy grew it to room for 16 more numbers, kept as long as
    // the version lived (152 bytes of numbers for a list of one entry). A first save's list (appended to EMPTY) is a
    // literal (11 ns in a microbenchmark, against 67 for slice and push and 78 for concat); a copied window is
    // concatenated. [measured] A search keeps 2.2% less per state (3,279 against 3,206 bytes at 100,000 states of the
    // bench's case; 3,408 against 3,332 for 2 servers x 3 documents, no symmetry) for 0.4% more instructions (V8's
    // --predictable under cachegrind, depth 7); the seed runs 2.4% fewer instructions (8.89 against 8.68 billion, the
    // same digest), the PouchDB row's engine side 2.9% fewer (1,038 against 1,008 million a run). Trimming a save's
    // items array the same way (grown by `push` when a save adds an item) kept 1.5% less again, but its copy per such
    // save cost the seed 3.3% more instructions: not kept.
    if (this === Revisions.EMPTY) return new Revisions([seq, seqTime], 0, length);
    // Where the buffer goes on past this list (another list was appended to it: every branch of an exploration), one
    // slice of the window and the next entry's room, overwritten, at its size: slice then concat made two arrays per
    // such save (2.4% of a search's time, V8's line profile).
    if (buf.length >= 2 * end + 2) {
      const own = buf.slice(2 * first, 2 * end + 2);
      own[own.length - 2] = seq;
      own[own.length - 1] = seqTime;
      return new Revisions(own, 0, length);
    }
    const own = buf.slice(2 * first, 2 * end).concat(seq, seqTime);
    return new Revisions(own, 0, length);
  }

  /** Whether the two lists share one buffer, and how many entries that buffer holds: for tests of the sharing. */
  storage(other?: Revisions): { readonly shared: boolean; readonly entries: number } {
    return { shared: other !== undefined && other.#buf === this.#buf, entries: this.#buf.length / 2 };
  }

  /** True when (`seq`, `seqTime`) is an entry (newest first: the common case, one or two saves behind, ends at once). */
  includes(seq: number, seqTime: number): boolean {
    if (this.#length === 0) return false;
    if (this.#lastSeq === seq && this.#lastTime === seqTime) return true;
    if (this.#lastSeq < seq) return false;
    for (let i = this.length - 2; i >= 0; i--) {
      const s = this.seqAt(i);
      if (s === seq && this.timeAt(i) === seqTime) return true;
      if (s < seq) return false; // increasing by seq: nothing older can match
    }
    return false;
  }

  /** Same entries. */
  equals(other: Revisions): boolean {
    if (this === other) return true;
    if (this.length !== other.length) return false;
    for (let i = this.length - 1; i >= 0; i--) {
      if (this.seqAt(i) !== other.seqAt(i) || this.timeAt(i) !== other.timeAt(i)) return false;
    }
    return true;
  }

  /** The newest entry in both lists (R5's last common version), if any: both are walked from their newest end. */
  lastCommon(other: Revisions): Revision | undefined {
    let i = this.length - 1;
    let j = other.length - 1;
    while (i >= 0 && j >= 0) {
      const s = this.seqAt(i);
      const t = this.timeAt(i);
      const os = other.seqAt(j);
      const ot = other.timeAt(j);
      if (s === os && t === ot) return [s, t];
      if (after(s, t, os, ot)) i--;
      else j--;
    }
    return undefined;
  }

  /**
   * Both lists and the extra pairs, each entry once, in order, capped to the newest `limit` (0: no cap): R5's merged
   * history. The extra pairs are the two copies' current versions, which follow every entry of their own list.
   */
  static merge(a: Revisions, b: Revisions, extra: readonly Revision[], limit: number): Revisions {
    // A merge of sorted lists, written straight into the new buffer: both lists are strictly increasing (the class's
    // invariant), so one pass takes the smaller head each time. Sorting the union as pairs made two short-lived arrays
    // per entry, O(n log n), for histories of thousands of entries in a storm. (Not the cause of the 64 MB abort in CI:
    // that was the live growth between memory checks, fixed in simulateStream's `sliced`.)
    const x = [...extra].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    const buf: number[] = [];
    let i = 0;
    let j = 0;
    let k = 0;
    for (;;) {
      // The smallest head of the three (a, b, the sorted extra pairs); Infinity marks an exhausted source.
      const as = i < a.length ? a.seqAt(i) : Infinity;
      const at = i < a.length ? a.timeAt(i) : Infinity;
      const bs = j < b.length ? b.seqAt(j) : Infinity;
      const bt = j < b.length ? b.timeAt(j) : Infinity;
      const xs = k < x.length ? x[k]![0] : Infinity;
      const xt = k < x.length ? x[k]![1] : Infinity;
      let s = as;
      let t = at;
      if (after(s, t, bs, bt)) (s = bs), (t = bt);
      if (after(s, t, xs, xt)) (s = xs), (t = xt);
      if (s === Infinity) break;
      // Each source's entries equal to the smallest are taken once (a list holds an entry once; extra may repeat one).
      if (as === s && at === t) i++;
      if (bs === s && bt === t) j++;
      while (k < x.length && x[k]![0] === s && x[k]![1] === t) k++;
      buf.push(s, t);
    }
    const length = buf.length / 2;
    if (length === 0) return Revisions.EMPTY;
    return limit > 0 && length > limit ? new Revisions(buf.slice(2 * (length - limit)), 0, limit) : new Revisions(buf, 0, length);
  }
}

Object.freeze(Revisions.prototype);
Object.freeze(Revisions);

/** (s, t) comes after (s0, t0): by seq, then seqTime. */
function after(s: number, t: number, s0: number, t0: number): boolean {
  return s > s0 || (s === s0 && t > t0);
}
