import { getItem, type Item, type ItemValue, type Note } from '../note/note.js';
import type { Revisions } from '../note/revisions.js';
import { canonicalJson } from './canonicalJson.js';
import { createSha256 } from '../util/hash.js';

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
  const out: Record<string, Record<string, StateDoc[]>> = Object.create(null) as Record<string, Record<string, StateDoc[]>>;
  for (const s of [...src.servers()].sort()) {
    const dbs: Record<string, StateDoc[]> = Object.create(null) as Record<string, StateDoc[]>;
    for (const d of [...src.databases(s)].sort()) dbs[d] = src.notes(s, d).map(toStateDoc);
    out[s] = dbs;
  }
  return out;
}

/**
 * `sha256:` + hex SHA-256 of the canonical JSON of the final state (keys sorted, no white space). Written document by
 * document into the hash, so a million-document state never becomes one string. Equal to
 * `sha256(canonicalJson(buildFinalState(src)))` (tested). `cacheChars` bounds the text remembered for documents that
 * several replicas share (a cache only: the digest does not depend on it, tested).
 */
export function digestState(src: StateSource, cacheChars: number = DIGEST_CACHE_CHARS): string {
  const h = createSha256();
  // Replicas that agree hold the very same Note objects (replication shares an arriving version), so a converged
  // cluster would write each document's text once per server. Texts are remembered for the later servers, up to a
  // bound: at the seed's scale (20,000 copies, 13 MB of text) every second copy is a hit; at a million documents only
  // the first DIGEST_CACHE_CHARS of text are kept, so memory stays bounded (an unbounded cache cost the 100k-document
  // scale row 280 MB; 32 M chars of unflattened text, 100 MB).
  const texts = new Map<Note, string>();
  let cachedChars = 0;
  const docJson = (n: Note): string => {
    let t = texts.get(n);
    if (t === undefined) {
      t = stateDocJson(n);
      if (cachedChars < cacheChars) {
        // Kept flat: the text is built as a tree of concatenations, several times its own size.
        flatten(t);
        texts.set(n, t);
        cachedChars += t.length;
      }
    }
    return t;
  };
  const servers = [...src.servers()].sort(cmp);
  h.update('{');
  servers.forEach((s, si) => {
    if (si > 0) h.update(',');
    h.update(JSON.stringify(s) + ':{');
    [...src.databases(s)].sort(cmp).forEach((d, di) => {
      if (di > 0) h.update(',');
      h.update(JSON.stringify(d) + ':[');
      const notes = src.notes(s, d);
      let chunk = '';
      for (let i = 0; i < notes.length; i++) {
        chunk += (i > 0 ? ',' : '') + docJson(notes[i]!);
        if (chunk.length > 1 << 16) {
          h.update(chunk);
          chunk = '';
        }
      }
      h.update(chunk + ']');
    });
    h.update('}');
  });
  h.update('}');
  return `sha256:${h.hex()}`;
}

const DIGEST_CACHE_CHARS = 8 << 20;

/** V8 flattens a concatenated string in place when a character is read from it. */
function flatten(s: string): void {
  if (s.length > 0) s.charCodeAt(0);
}

/**
 * `canonicalJson(toStateDoc(note))`, written directly: the digest of a large state is mostly this. Keys in canonical
 * order: conflict, deleted, itemSeq, items, ref, revisions, seq, seqTime, unid (tested equal to the generic path).
 */
export function stateDocJson(note: Note): string {
  // Items are kept sorted by lower-cased name; canonical JSON sorts by name as spelled, which is usually the same order.
  const items = note.items.length > 1 && !sortedByName(note.items) ? note.items.slice().sort((a, b) => cmp(a.name, b.name)) : note.items;
  let conflict = false;
  let ref = 'null';
  let itemSeq = '';
  let values = '';
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.key === '$conflict') conflict = true;
    else if (it.key === '$ref') ref = valueJson(it.value);
    const name = JSON.stringify(it.name);
    const sep = i > 0 ? ',' : '';
    itemSeq += `${sep}${name}:${it.seq}`;
    values += `${sep}${name}:${valueJson(it.value)}`;
  }
  const revisions = revisionsJson(note.revisions);
  return `{"conflict":${conflict},"deleted":${note.deleted},"itemSeq":{${itemSeq}},"items":{${values}},"ref":${ref},"revisions":${revisions},"seq":${note.seq},"seqTime":${note.seqTime},"unid":${JSON.stringify(note.unid)}}`;
}

/**
 * The revisions' canonical JSON, `[[seq,seqTime],...]`, read from the list's numbers (integers: written as
 * JSON.stringify writes them). JSON.stringify of the list made an array per pair first (its toJSON), a third of the
 * digest's time and most of its garbage at the seed's scale (25 versions a document).
 */
function revisionsJson(r: Revisions): string {
  let out = '[';
  for (let i = 0; i < r.length; i++) out += `${i > 0 ? ',' : ''}[${r.seqAt(i)},${r.timeAt(i)}]`;
  return `${out}]`;
}

function sortedByName(items: readonly Item[]): boolean {
  for (let i = 1; i < items.length; i++) if (items[i - 1]!.name >= items[i]!.name) return false;
  return true;
}

// A list value (an attachment list above all) is shared by every version that did not change it: its canonical JSON
// is remembered per list. Pure: a cache of a pure function of an immutable value.
const listJson = new WeakMap<object, string>();

function valueJson(v: ItemValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return canonicalJson(v);
  let t = listJson.get(v);
  if (t === undefined) {
    t = canonicalJson(v);
    listJson.set(v, t);
  }
  return t;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
