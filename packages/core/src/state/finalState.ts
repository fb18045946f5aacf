import { getItem, type Item, type ItemValue, type Note } from '../note/note.js';
import type { Revisions } from '../note/revisions.js';
import { canonicalJson } from './canonicalJson.js';
import { createSha256, type IncrementalSha256 } from '../util/hash.js';

/** One document in the `--state` output (event-log.md, "Final state"). */
export interface StateDoc {
  readonly unid: string;
  readonly seq: number;
  readonly seqTime: number;
  readonly revisions: readonly (readonly [number, number])[];
  readonly deleted: boolean;
  /** The document has a `$Conflict` item. */
  readonly conflict: boolean;
  /**
   * `$REF` as it is (the winner's UNID for a conflict document), or null (event-log.md: "ref" ($REF or null)). A
   * `$REF` a log saved as a number or a list stays one: it was written as text, so `["a","b"]` and `["a,b"]` read
   * alike and `5` as `"5"` (a spec audit).
   */
  readonly ref: ItemValue | null;
  /** name -> value; a null-prototype object, so `__proto__` is an ordinary key. */
  readonly items: Readonly<Record<string, ItemValue>>;
  readonly itemSeq: Readonly<Record<string, number>>;
}

/** `{ server: { database: [document, ...] } }`, documents sorted by UNID. */
export type FinalState = Readonly<Record<string, Readonly<Record<string, readonly StateDoc[]>>>>;

/** The `--state` form of a note. Stubs have `deleted: true` and empty `items` and `itemSeq`. */
export function toStateDoc(note: Note): StateDoc {
  const items: Record<string, ItemValue> = Object.create(null) as Record<string, ItemValue>;
  const itemSeq: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const i of note.items) {
    items[i.name] = i.value;
    itemSeq[i.name] = i.seq;
  }
  const ref = getItem(note, '$REF')?.value;
  return {
    unid: note.unid,
    seq: note.seq,
    seqTime: note.seqTime,
    revisions: note.revisions.toArray(),
    deleted: note.deleted,
    conflict: getItem(note, '$Conflict') !== undefined,
    ref: ref === undefined ? null : ref,
    items,
    itemSeq,
  };
}

/** A source of the final state: servers by name, each with its databases' notes in UNID order. */
export interface StateSource {
  servers(): readonly string[];
  databases(server: string): readonly string[];
  notes(server: string, db: string): readonly Note[];
}

export function buildFinalState(src: StateSource): FinalState {
  return byServerAndDatabase(src, (dbs, s, d) => {
    dbs[d] = src.notes(s, d).map(toStateDoc);
  });
}

/** Servers by name, each with its databases by name (sorted), each database's value put by `put`. */
function byServerAndDatabase(src: StateSource, put: (dbs: Record<string, StateDoc[]>, server: string, db: string) => void, seal: <T extends object>(dbs: T) => T = (dbs) => dbs): Record<string, Record<string, StateDoc[]>> {
  const out: Record<string, Record<string, StateDoc[]>> = Object.create(null) as Record<string, Record<string, StateDoc[]>>;
  for (const s of [...src.servers()].sort()) {
    const dbs: Record<string, StateDoc[]> = Object.create(null) as Record<string, StateDoc[]>;
    for (const d of [...src.databases(s)].sort()) put(dbs, s, d);
    out[s] = seal(dbs);
  }
  return out;
}

/** Marks an object whose values are made when read (lazyFinalState's databases): not enumerable, not in its JSON. */
export const LAZY_VALUES: unique symbol = Symbol('replstorm.lazyValues');

/**
 * The final state of buildFinalState, with each database's documents made when read (a getter) and not kept: the same
 * keys in the same order, and the same documents, as `JSON.stringify` and any reader of it see (tested). For writing a
 * state too large to hold twice: `--state` held a copy of every document beside the run's own, and a run that fitted
 * its heap ended in V8's out-of-memory abort after its outputs were written (exit 134: an interruption QA pass). A
 * reader takes each database's list as it writes it; each read makes the list again.
 */
export function lazyFinalState(src: StateSource, freezeDocs: <T>(docs: T) => T = (docs) => docs): FinalState {
  const out = byServerAndDatabase(
    src,
    (dbs, s, d) => {
      Object.defineProperty(dbs, d, { enumerable: true, get: () => freezeDocs(src.notes(s, d).map(toStateDoc)) });
    },
    (dbs) => {
      // The mark a writer looks for (the CLI's writeJsonPieces): values made when read, written one at a time.
      Object.defineProperty(dbs, LAZY_VALUES, { value: true });
      return Object.freeze(dbs);
    },
  );
  return Object.freeze(out);
}

/**
 * `sha256:` + hex SHA-256 of the canonical JSON of the final state (keys sorted, no white space). Equal to
 * `sha256(canonicalJson(buildFinalState(src)))` (tested, and a property over hostile values), but the text is never
 * made: DigestWriter writes it as UTF-8 into one reused buffer that is hashed each time it fills.
 *
 * Why: building each document's text as strings allocated about 2.8 KB per document copy, and at a million documents
 * (3 million copies, a 2 GB heap, where each scavenge costs more) the digest took 9.6 s of a 26 s run, 15x its time at
 * 100,000 documents: it was what made the scale row grow faster than the documents (bench/results, 2026-12-05).
 * Replicas that agree hold the very same Note objects: a document's bytes are kept for the next server's copy, up to
 * `cacheBytes` (a cache only: the digest does not depend on it, tested). At the seed's scale that is every second copy
 * (its digest: 51 ms, against 63 ms for the string version's cache of texts, medians of 15); at a million documents,
 * the first 40,000 or so of each later server.
 */
export function digestState(src: StateSource, cacheBytes: number = DIGEST_CACHE_BYTES): string {
  const w = new DigestWriter(createSha256(), cacheBytes);
  const servers = [...src.servers()].sort(cmp);
  w.ascii('{');
  for (let si = 0; si < servers.length; si++) {
    const s = servers[si]!;
    if (si > 0) w.ascii(',');
    w.str(s);
    w.ascii(':{');
    const dbs = [...src.databases(s)].sort(cmp);
    for (let di = 0; di < dbs.length; di++) {
      const d = dbs[di]!;
      if (di > 0) w.ascii(',');
      w.str(d);
      w.ascii(':[');
      const notes = src.notes(s, d);
      for (let i = 0; i < notes.length; i++) {
        if (i > 0) w.ascii(',');
        w.cachedDoc(notes[i]!);
      }
      w.ascii(']');
    }
    w.ascii('}');
  }
  w.ascii('}');
  return `sha256:${w.end()}`;
}

/**
 * Canonical JSON written as UTF-8 bytes into a reused buffer, handed to the hash whenever it fills. ASCII text is
 * copied a character at a time; anything else (a string JSON escapes or that is not ASCII, a number that is not a safe
 * integer, a value of an unusual shape) goes through JSON.stringify or canonicalJson and the hash's own UTF-8
 * encoding, so the bytes are those of the text, whatever the value.
 */
class DigestWriter {
  private readonly buf = new Uint8Array(1 << 16);
  private pos = 0;

  constructor(
    private readonly h: IncrementalSha256,
    private readonly cacheBytes: number,
  ) {}

  end(): string {
    this.flush();
    return this.h.hex();
  }

  private flush(): void {
    if (this.pos > 0) this.h.bytes(this.buf.subarray(0, this.pos));
    this.pos = 0;
    this.flushes++;
  }

  private flushes = 0;
  /**
   * Documents' bytes kept for the next server's copy of the same Note (see digestState), within `cacheBytes`: each
   * document's entry number, its bytes at `kept[2 * entry]` (start) and `kept[2 * entry + 1]` (end) in one arena that
   * grows by doubling. [measured] A Uint8Array per document (a slice of the buffer, with an ArrayBuffer of its own)
   * made 10,000 buffers outside the heap per replica, which the collector sweeps on another thread while the next
   * work runs: the PouchDB row's engine (10,000 documents, runs back to back, each followed by a digest) took 44.7 ms a
   * run with the slices, 42.0 ms with the arena (medians of five interleaved processes of 35 runs each). The
   * instructions are the same (cachegrind, 11.94 billion for 8 runs either way): the difference is the sweeping,
   * which competes with the run for this 2-core machine.
   */
  private readonly docEntry = new Map<Note, number>();
  private readonly kept: number[] = [];
  private arena = new Uint8Array(0);
  private cachedBytes = 0;

  /** `doc(note)`, or its bytes as written for an earlier server holding the very same Note. */
  cachedDoc(note: Note): void {
    const hit = this.docEntry.get(note);
    if (hit !== undefined) {
      this.bytesOf(this.arena, this.kept[2 * hit]!, this.kept[2 * hit + 1]!);
      return;
    }
    const start = this.pos;
    const flushes = this.flushes;
    this.doc(note);
    // Kept when the document's bytes are still all in the buffer (no flush while writing it) and the bound allows.
    const n = this.pos - start;
    if (flushes === this.flushes && this.cachedBytes + n <= this.cacheBytes) {
      if (this.cachedBytes + n > this.arena.length) {
        const grown = new Uint8Array(Math.min(this.cacheBytes, Math.max(2 * this.arena.length, this.cachedBytes + n, 1 << 16)));
        grown.set(this.arena.subarray(0, this.cachedBytes));
        this.arena = grown;
      }
      this.arena.set(this.buf.subarray(start, this.pos), this.cachedBytes);
      this.docEntry.set(note, this.kept.length >> 1);
      this.kept.push(this.cachedBytes, this.cachedBytes + n);
      this.cachedBytes += n;
    }
  }

  /** `bytes(k.subarray(start, end))`, without the view unless it must pass the buffer (a kept document's bytes). */
  private bytesOf(k: Uint8Array, start: number, end: number): void {
    const n = end - start;
    const part = start === 0 && end === k.length ? k : undefined;
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) {
        this.h.bytes(part ?? k.subarray(start, end));
        return;
      }
    }
    this.buf.set(part ?? k.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** Bytes made once (the constant parts of a document's JSON, a document's bytes kept). */
  bytes(k: Uint8Array): void {
    this.bytesOf(k, 0, k.length);
  }

  /** Text as it is (JSON already: punctuation, keys, a value's JSON). */
  ascii(t: string): void {
    const n = t.length;
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) {
        this.h.update(t);
        return;
      }
    }
    const b = this.buf;
    const start = this.pos;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = t.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: the hash encodes it (UTF-8), after what the buffer holds before it.
        this.pos = start;
        this.flush();
        this.h.update(t);
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** JSON.stringify(s), unwritten when `s` is ASCII and needs no escape (the usual case). */
  str(s: string): void {
    const n = s.length;
    if (this.pos + n + 2 > this.buf.length) {
      this.flush();
      if (n + 2 > this.buf.length) {
        this.h.update(JSON.stringify(s));
        return;
      }
    }
    const b = this.buf;
    const start = this.pos;
    let p = start;
    b[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
        this.pos = start;
        this.ascii(JSON.stringify(s));
        return;
      }
      b[p++] = c;
    }
    b[p++] = 0x22;
    this.pos = p;
  }

  /**
   * A number as JSON.stringify writes it: digits written directly for a safe integer (-0 is "0"), in 32-bit arithmetic
   * (times are 13-digit numbers: written as two halves of at most 9 digits), anything else by canonicalJson.
   */
  num(v: number): void {
    if (!Number.isSafeInteger(v)) {
      this.ascii(canonicalJson(v));
      return;
    }
    if (this.pos + 17 > this.buf.length) this.flush();
    const b = this.buf;
    let p = this.pos;
    let x = v;
    if (x < 0) {
      b[p++] = 0x2d;
      x = -x;
    }
    if (x < 1e9) {
      this.pos = writeDigits(b, p, x);
      return;
    }
    // x < 2^53, so hi < 1e7. The floor is exact: x / 1e9 is rounded correctly, and for x a little below a multiple of
    // 1e9 the quotient is at least 1e-9 below an integer, more than half its unit in the last place there (checked
    // for every x within 3 of a multiple of 1e9 below 2^53; the property draws such values).
    const hi = Math.floor(x / 1e9);
    let lo = x - hi * 1e9;
    p = writeDigits(b, p, hi);
    for (let i = 8; i >= 0; i--) {
      const q = (lo / 10) | 0;
      b[p + i] = 0x30 + lo - q * 10;
      lo = q;
    }
    this.pos = p + 9;
  }

  /** An item value's canonical JSON (valueJson). */
  value(v: unknown): void {
    if (typeof v === 'string') this.str(v);
    else if (typeof v === 'number') this.num(v);
    else if (typeof v === 'boolean') this.ascii(v ? 'true' : 'false');
    else if (Array.isArray(v)) {
      this.ascii('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.ascii(',');
        const x: unknown = v[i];
        if (typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Map)) this.attachment(x as Record<string, unknown>);
        else this.value(x);
      }
      this.ascii(']');
    } else this.ascii(canonicalJson(v));
  }

  /**
   * An attachment `{name, bytes?, infected?}` with its keys in canonical order; any other object by canonicalJson.
   * Keys are read as canonicalJson reads them: own and enumerable (Object.keys), each value once, in that order (a
   * getter with a side effect, a review: values read in sorted order gave other bytes), and written sorted.
   */
  private attachment(o: Record<string, unknown>): void {
    const own = Object.prototype.propertyIsEnumerable;
    for (const k in o) {
      if (own.call(o, k) && k !== 'name' && k !== 'bytes' && k !== 'infected') {
        this.ascii(canonicalJson(o));
        return;
      }
    }
    let bytes: unknown;
    let infected: unknown;
    let name: unknown;
    for (const k in o) {
      if (!own.call(o, k)) continue;
      if (k === 'bytes') bytes = o[k];
      else if (k === 'infected') infected = o[k];
      else name = o[k];
    }
    let first = true;
    if (bytes !== undefined) {
      this.ascii('{"bytes":');
      first = false;
      this.value(bytes);
    }
    if (infected !== undefined) {
      this.ascii(first ? '{"infected":' : ',"infected":');
      first = false;
      this.value(infected);
    }
    if (name !== undefined) {
      this.ascii(first ? '{"name":' : ',"name":');
      first = false;
      this.value(name);
    }
    this.ascii(first ? '{}' : '}');
  }

  /**
   * `canonicalJson(toStateDoc(note))`, written directly: the digest of a large state is mostly this. Keys in canonical
   * order: conflict, deleted, itemSeq, items, ref, revisions, seq, seqTime, unid.
   */
  doc(note: Note): void {
    // Items are kept sorted by lower-cased name; canonical JSON sorts by name as spelled, which is usually the same order.
    const items = note.items.length > 1 && !sortedByName(note.items) ? note.items.slice().sort((a, b) => cmp(a.name, b.name)) : note.items;
    let conflict = false;
    let ref: Item | undefined;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (it.key === '$conflict') conflict = true;
      else if (it.key === '$ref') ref = it;
    }
    this.bytes(conflict ? K_CONFLICT : K_NO_CONFLICT);
    this.bytes(note.deleted ? K_DELETED : K_NOT_DELETED);
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (i > 0) this.ascii(',');
      this.str(it.name);
      this.ascii(':');
      this.num(it.seq);
    }
    this.bytes(K_ITEMS);
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (i > 0) this.ascii(',');
      this.str(it.name);
      this.ascii(':');
      this.value(it.value);
    }
    this.bytes(K_REF);
    if (ref === undefined) this.bytes(K_NULL);
    else this.value(ref.value);
    // The revisions' canonical JSON, `[[seq,seqTime],...]`, read from the list's numbers (JSON.stringify of the list
    // made an array per pair first, its toJSON).
    this.bytes(K_REVISIONS);
    const r: Revisions = note.revisions;
    for (let i = 0; i < r.length; i++) {
      this.ascii(i > 0 ? ',[' : '[');
      this.num(r.seqAt(i));
      this.ascii(',');
      this.num(r.timeAt(i));
      this.ascii(']');
    }
    this.bytes(K_SEQ);
    this.num(note.seq);
    this.bytes(K_SEQ_TIME);
    this.num(note.seqTime);
    this.bytes(K_UNID);
    this.str(note.unid);
    this.ascii('}');
  }
}

/** Writes `x` (an integer, 0 <= x < 1e9) in decimal at `p`; returns the position after it. */
function writeDigits(b: Uint8Array, p: number, x: number): number {
  let n = 1;
  for (let y = 10; y <= x && n < 9; y *= 10) n++;
  for (let i = n - 1; i >= 0; i--) {
    const q = (x / 10) | 0;
    b[p + i] = 0x30 + x - q * 10;
    x = q;
  }
  return p + n;
}

// At the seed's scale (20,000 copies of 1.4 KB: 25 revisions each) every second copy is found; at a million documents,
// the first 40,000 or so of each server after the first.
const DIGEST_CACHE_BYTES = 16 << 20;

// The constant parts of a document's JSON, as bytes. (Copying text a character at a time costs about 3 ns each here;
// TextEncoder.encodeInto after a regular expression's test was tried for strings of 16 characters and more: 13%
// slower over 300,000 documents, a view and a result object made per string.)
const encoder = new TextEncoder();
const K_CONFLICT = encoder.encode('{"conflict":true,"deleted":');
const K_NO_CONFLICT = encoder.encode('{"conflict":false,"deleted":');
const K_DELETED = encoder.encode('true,"itemSeq":{');
const K_NOT_DELETED = encoder.encode('false,"itemSeq":{');
const K_ITEMS = encoder.encode('},"items":{');
const K_REF = encoder.encode('},"ref":');
const K_NULL = encoder.encode('null');
const K_REVISIONS = encoder.encode(',"revisions":[');
const K_SEQ = encoder.encode('],"seq":');
const K_SEQ_TIME = encoder.encode(',"seqTime":');
const K_UNID = encoder.encode(',"unid":');


function sortedByName(items: readonly Item[]): boolean {
  for (let i = 1; i < items.length; i++) if (items[i - 1]!.name >= items[i]!.name) return false;
  return true;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
