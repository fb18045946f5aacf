import { FILE_KEY, filesIn, itemKey, type FilesHeld, type Item, type ItemValue, type Note, type Revision } from './note.js';
import { Revisions } from './revisions.js';

/** What one save writes: items to set (name -> value) and items to remove (names, any case). */
export interface SaveChange {
  readonly set?: Iterable<readonly [string, ItemValue]>;
  readonly remove?: Iterable<string>;
}

/**
 * Appends the current version to `revisions`, applying the database's cap (`limitRevisions`, 0 = no cap): at the cap
 * the oldest entries are dropped (S2). Returns a new list; the old one is never changed (notes share it), and is not
 * copied either (Revisions.append).
 */
export function appendRevision(revisions: Revisions, current: Revision, limitRevisions: number): Revisions {
  return revisions.append(current[0], current[1], limitRevisions);
}

/** Where `key` is or would go in items sorted by key (binary search). */
function findItem(items: readonly Item[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The items after a save: removals, then settings, on a copy of the sorted list (binary search: a save usually writes
 * one or two items of a few). Returns the names written, each once, as the document spells them. [choice] R1 gives no
 * order within one save: removals first, so an item a save both removes and sets is set (`--strict` says so).
 */
function writeItems(base: readonly Item[], change: SaveChange, seq: number): { items: Item[]; written: string[] } {
  if (countOf(change.set) + countOf(change.remove) > MANY_WRITES) return writeMany(base, change, seq);
  if (base.length === 0) return trimmed(writeKeyed([], change, seq));
  return writeKeyed(base.slice(), change, seq);
}

/**
 * A first version's items (a new document, or one revived over its stub) at their size. They are pushed onto an
 * empty list, and V8 grows a list's storage at its first push to room for 17 (14 empty slots, 112 bytes, for three
 * items), kept for as long as the version lives. A copy at its size lets the grown one die young. [measured]
 * bench/NOTES.md, the PouchDB paragraph (2026-12-08). (A later save that adds an item grows its copy of the list the
 * same way; trimming that too cost the seed 3.3% more instructions in an earlier session, and is not done:
 * revisions.ts.)
 */
function trimmed(r: { items: Item[]; written: string[] }): { items: Item[]; written: string[] } {
  if (r.items.length > 0) r.items = r.items.slice();
  return r;
}

/** writeItems on `items`, the list it may change (a copy of the previous version's). */
function writeKeyed(items: Item[], change: SaveChange, seq: number): { items: Item[]; written: string[] } {
  // The names written, each once (by key), as the document spells them. A save writes one or two items: `written` is
  // made by its first write at its exact size, and the keys written so far live in a scratch list, where a Map or two
  // growing arrays cost a few hundred bytes a save. (A change whose iterable saves another document while it is read
  // gets a list of its own.) The scratch list is reused as it is, its length in `n`: emptying an array frees its
  // storage, and the next push allocated it again, a fifth of a seed-scale run's garbage.
  const keys = scratchBusy ? { list: [], n: 0 } : writtenKeys;
  const took = !scratchBusy;
  keys.n = 0;
  scratchBusy = true;
  try {
    return writeInto(items, keys, change, seq);
  } finally {
    if (took) scratchBusy = false;
  }
}

function writeInto(items: Item[], keys: WrittenKeys, change: SaveChange, seq: number): { items: Item[]; written: string[] } {
  let written: string[] | undefined;
  const remove = change.remove;
  if (remove !== undefined) {
    for (const name of remove) {
      const key = itemKey(name);
      const i = findItem(items, key);
      if (i < items.length && items[i]!.key === key) {
        written = addWritten(keys, written, key, items[i]!.name);
        removeAt(items, i);
      }
    }
  }
  const set = change.set;
  if (set !== undefined) {
    if (Array.isArray(set)) {
      // Lists (what designs return) by index: no iterator, no destructuring.
      const list = set as readonly (readonly [string, ItemValue])[];
      for (let k = 0; k < list.length; k++) written = setItem(items, keys, written, list[k]![0], list[k]![1], seq);
    } else {
      for (const [name, value] of set) written = setItem(items, keys, written, name, value, seq);
    }
  }
  return { items, written: written ?? [] };
}

/**
 * Past this many names in a save, writeMany: the list edits below cost a scan of the names written so far and a shift
 * of the items after each new one, quadratic in the save's size (a 2.5 MB log line saving 100,000 items took 7 s, a
 * 64 MB one hours).
 */
const MANY_WRITES = 64;

/** How many entries a change's list or Map holds; 0 for another iterable (read once, lazily, by writeInto). */
function countOf(names: Iterable<unknown> | undefined): number {
  if (Array.isArray(names)) return names.length;
  if (names instanceof Map || names instanceof Set) return names.size;
  return 0;
}

/** writeInto's result for a large save, by key in Maps, the items sorted once at the end. */
function writeMany(base: readonly Item[], change: SaveChange, seq: number): { items: Item[]; written: string[] } {
  const byKey = new Map<string, Item>();
  for (const item of base) byKey.set(item.key, item);
  const written: string[] = [];
  const writtenAt = new Map<string, number>();
  const wrote = (key: string, spelled: string) => {
    const j = writtenAt.get(key);
    if (j === undefined) {
      writtenAt.set(key, written.length);
      written.push(spelled);
    } else written[j] = spelled;
  };
  for (const name of change.remove ?? []) {
    const key = itemKey(name);
    const had = byKey.get(key);
    if (had === undefined) continue;
    wrote(key, had.name);
    byKey.delete(key);
  }
  for (const [name, value] of change.set ?? []) {
    const key = itemKey(name);
    // A document keeps the spelling its item first had (R1); a removed and re-added item takes the new spelling.
    const spelled = byKey.get(key)?.name ?? name;
    byKey.set(key, { name: spelled, key, value, seq });
    wrote(key, spelled);
  }
  return { items: [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), written };
}

/** The keys one save has written so far, in the order of its `written`: the first `n` of `list`. */
interface WrittenKeys {
  readonly list: string[];
  n: number;
}

const writtenKeys: WrittenKeys = { list: [], n: 0 };
let scratchBusy = false;

function addWritten(keys: WrittenKeys, written: string[] | undefined, key: string, spelled: string): string[] {
  if (written === undefined) {
    keys.list[0] = key;
    keys.n = 1;
    return [spelled];
  }
  let j = 0;
  while (j < keys.n && keys.list[j] !== key) j++;
  if (j === keys.n) {
    keys.list[keys.n++] = key;
    written.push(spelled);
  } else written[j] = spelled;
  return written;
}

function setItem(items: Item[], keys: WrittenKeys, written: string[] | undefined, name: string, value: ItemValue, seq: number): string[] {
  const key = itemKey(name);
  const i = findItem(items, key);
  if (i < items.length && items[i]!.key === key) {
    // A document keeps the spelling its item first had (R1); a removed and re-added item takes the new spelling.
    const spelled = items[i]!.name;
    items[i] = { name: spelled, key, value, seq };
    return addWritten(keys, written, key, spelled);
  }
  insertAt(items, i, { name, key, value, seq });
  return addWritten(keys, written, key, name);
}

// Array.prototype.splice is a generic builtin; these lists hold a few items.
function insertAt(items: Item[], i: number, item: Item): void {
  let j = items.length;
  items.push(item);
  for (; j > i; j--) items[j] = items[j - 1]!;
  items[i] = item;
}

function removeAt(items: Item[], i: number): void {
  for (let j = i + 1; j < items.length; j++) items[j - 1] = items[j]!;
  items.pop();
}

// Why not immer's `produce` for the next version: measured here, produce per document runs 26k–64k updates/s, and the
// seed's scale makes half a million versions that must fit in about a second. A note is built by hand instead, sharing
// its unchanged items, and never changed afterwards; what is handed outside the engine is frozen (simulator.ts).

/**
 * R1: a save. Any write through the API is a save, even one that writes nothing or writes the value the item already
 * had: the current (`seq`, `seqTime`) joins `revisions`, `seq` grows by one, `seqTime` is the saving server's clock,
 * and every item written gets `itemSeq = seq`. R1a: saving a document that does not exist creates it with `seq = 1`.
 *
 * [choice] Saving over a deletion stub revives the document: R1 applies to the stub (its history is kept) and the new
 * items are the save's alone. Domino's API cannot open a stub for editing; a log that saves a deleted UNID most likely
 * recorded a re-creation, and keeping the history makes the revived copy win against the stub by R4, as it would.
 */
export function applySave(prev: Note | undefined, unid: string, change: SaveChange, time: number, limitRevisions: number): { note: Note; written: string[] } {
  if (prev === undefined) {
    const { items, written } = writeItems([], change, 1);
    return { note: { unid, seq: 1, seqTime: time, revisions: Revisions.EMPTY, deleted: false, items, files: filesIn(items), memo: undefined }, written };
  }
  const seq = prev.seq + 1;
  const { items, written } = writeItems(prev.deleted ? [] : prev.items, change, seq);
  return {
    note: {
      unid: prev.unid,
      seq,
      seqTime: time,
      revisions: prev.revisions.append(prev.seq, prev.seqTime, limitRevisions),
      deleted: false,
      items,
      files: filesAfter(prev, items, written),
      memo: undefined,
    },
    written,
  };
}

/**
 * `Note.files` after a save of `prev`: carried when the save left `$FILE` alone (the new items hold the same `$FILE`
 * object), read from the new items otherwise, without touching `$FILE`'s value when it was not written.
 */
function filesAfter(prev: Note, items: readonly Item[], written: readonly string[]): FilesHeld {
  const was = prev.files;
  if (was === undefined || prev.deleted) return filesIn(items);
  for (const name of written) if (name.length === FILE_KEY.length && itemKey(name) === FILE_KEY) return filesIn(items);
  return was;
}

/**
 * R1b: a deletion is a save that removes every item and marks the copy as a stub (`seq += 1`). Deleting a stub again
 * is still a save. Given no previous copy, it makes a stub with `seq = 1`: a caller of this function may want that;
 * the simulator never asks for it, because a log's `delete` of a document the replica does not hold is refused as a
 * reference to an unknown document (exit 2, issue 7's hostile inputs; test/hostile/delete-unknown-document.jsonl).
 */
export function applyDelete(prev: Note | undefined, unid: string, time: number, limitRevisions: number): Note {
  if (prev === undefined) return { unid, seq: 1, seqTime: time, revisions: Revisions.EMPTY, deleted: true, items: [], files: 0, memo: undefined };
  return {
    unid: prev.unid,
    seq: prev.seq + 1,
    seqTime: time,
    revisions: prev.revisions.append(prev.seq, prev.seqTime, limitRevisions),
    deleted: true,
    items: [],
    files: 0,
    memo: undefined,
  };
}
