import { itemKey, type Item, type ItemValue, type Note, type Revision } from './note.js';

/** What one save writes: items to set (name -> value) and items to remove (names, any case). */
export interface SaveChange {
  readonly set?: Iterable<readonly [string, ItemValue]>;
  readonly remove?: Iterable<string>;
}

/**
 * Appends the current version to `revisions`, applying the database's cap (`limitRevisions`, 0 = no cap): at the cap
 * the oldest entries are dropped (S2). Returns a new array; the old one is never changed (notes share it).
 */
export function appendRevision(revisions: readonly Revision[], current: Revision, limitRevisions: number): Revision[] {
  const next = revisions.concat([current]);
  return limitRevisions > 0 && next.length > limitRevisions ? next.slice(next.length - limitRevisions) : next;
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
 * one or two items of a few). Returns the names written, each once, as the document spells them.
 */
function addWritten(keys: string[], names: string[], key: string, spelled: string): void {
  const j = keys.indexOf(key);
  if (j < 0) {
    keys.push(key);
    names.push(spelled);
  } else names[j] = spelled;
}

function writeItems(base: readonly Item[], change: SaveChange, seq: number): { items: Item[]; written: string[] } {
  const items = base.slice();
  // The names written, each once (by key), as the document spells them: a save writes one or two items, so a list
  // searched linearly beats a Map here.
  const writtenKeys: string[] = [];
  const written: string[] = [];
  if (change.remove !== undefined) {
    for (const name of change.remove) {
      const key = itemKey(name);
      const i = findItem(items, key);
      if (i < items.length && items[i]!.key === key) {
        addWritten(writtenKeys, written, key, items[i]!.name);
        items.splice(i, 1);
      }
    }
  }
  if (change.set !== undefined) {
    for (const [name, value] of change.set) {
      const key = itemKey(name);
      const i = findItem(items, key);
      if (i < items.length && items[i]!.key === key) {
        // A document keeps the spelling its item first had (R1); a removed and re-added item takes the new spelling.
        const spelled = items[i]!.name;
        items[i] = { name: spelled, key, value, seq };
        addWritten(writtenKeys, written, key, spelled);
      } else {
        items.splice(i, 0, { name, key, value, seq });
        addWritten(writtenKeys, written, key, name);
      }
    }
  }
  return { items, written };
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
    return { note: { unid, seq: 1, seqTime: time, revisions: [], deleted: false, items }, written };
  }
  const seq = prev.seq + 1;
  const { items, written } = writeItems(prev.deleted ? [] : prev.items, change, seq);
  return {
    note: {
      unid: prev.unid,
      seq,
      seqTime: time,
      revisions: appendRevision(prev.revisions, [prev.seq, prev.seqTime], limitRevisions),
      deleted: false,
      items,
    },
    written,
  };
}

/**
 * R1b: a deletion is a save that removes every item and marks the copy as a stub (`seq += 1`). Deleting a document
 * this replica has never held makes a stub with `seq = 1` [choice: the log says a deletion happened; the stub is what
 * carries it to the other replicas]. Deleting a stub again is still a save.
 */
export function applyDelete(prev: Note | undefined, unid: string, time: number, limitRevisions: number): Note {
  if (prev === undefined) return { unid, seq: 1, seqTime: time, revisions: [], deleted: true, items: [] };
  return {
    unid: prev.unid,
    seq: prev.seq + 1,
    seqTime: time,
    revisions: appendRevision(prev.revisions, [prev.seq, prev.seqTime], limitRevisions),
    deleted: true,
    items: [],
  };
}
