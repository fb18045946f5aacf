// A document copy ("note") as one replica holds it. Notes are immutable values: every save or replication makes a
// new Note and shares the unchanged parts (items, attachment arrays) with the old one, so replicas that hold the
// same version can hold the very same object.

import type { Revisions } from './revisions.js';

/** A scalar item value. `null` is not a value (the log format refuses it). */
export type Scalar = string | number | boolean;

/** One entry of the `$FILE` item: an attachment. `infected` is what the model knows, not what a scanner found. */
export interface Attachment {
  readonly name: string;
  readonly bytes?: number;
  readonly infected?: boolean;
}

/** An item value: a scalar, a list of scalars, or (for `$FILE`) a list of attachments. */
export type ItemValue = Scalar | readonly Scalar[] | readonly Attachment[];

/**
 * One item of a note. `key` is the ASCII-lower-cased name (names compare case-insensitively); `name` keeps the spelling
 * the item first had on this document, and replication carries it. `seq` is Domino's item sequence number (`itemSeq`):
 * the `seq` of the save in which the item last changed (R1, S3).
 */
export interface Item {
  readonly name: string;
  readonly key: string;
  readonly value: ItemValue;
  readonly seq: number;
}

/** A (`seq`, `seqTime`) pair: one entry of `revisions`, or the current version of a note. */
export type Revision = readonly [seq: number, seqTime: number];

/**
 * A version of a document on one replica. Its OID is (`unid`, `seq`, `seqTime`). `revisions` lists the earlier
 * versions oldest first (Domino's `$Revisions`, as pairs; an immutable list whose append does not copy it:
 * `revisions.ts`). `items` is sorted by `key`,
 * so two notes with the same items have them in the same order. A deletion stub has `deleted: true` and no items.
 */
export interface Note {
  readonly unid: string;
  readonly seq: number;
  readonly seqTime: number;
  readonly revisions: Revisions;
  readonly deleted: boolean;
  readonly items: readonly Item[];
  /**
   * What `$FILE` holds, as `filesOf` reads it: 0 no attachment (or a deletion stub), 1 attachments and none infected,
   * 2 an infected one among them. Derived from `items` when the engine makes the note, carried from the version before
   * when the save left `$FILE` alone (the item is the same object then), so that a scheduled pass, which asks every
   * document whether it has attachments (R13) and whether one is infected (the `missed` count), reads the note alone,
   * not its `$FILE` item, that item's list and its first attachment: three objects a document-hour that are seldom in
   * the cache at the seed's scale. [measured] (cachegrind under V8's `--predictable`; interleaved runs, medians) The
   * seed in 0.6% fewer instructions, 2.4% fewer first-level and 18% fewer last-level data read misses, 0.974x, 0.982x
   * and 0.925x the time (three sets of ten runs, the machine noisy). The price is 8 bytes a note: the PouchDB row's
   * engine side in 0.1% fewer instructions and 1.1% more first-level read misses (the first version); exploration in
   * 0.1% more instructions and 17% more last-level read misses (of few: 1.37 against 1.17 million in two searches),
   * 1.008x and 1.063x the warm rate (eight pairs each: noise). Not part of the note's value: absent on notes made
   * elsewhere (tests, designs), where `filesOf` reads the items; compared and digested never (JSON.stringify of a note
   * writes it: `--state` and the digest read the fields they name). The engine reads it through `filesOf`; the
   * exported readers of attachments read the items, which a copy made with other items has (see filesOf).
   */
  readonly files?: FilesHeld | undefined;
  /**
   * Exploration's cache of what the abstraction derives from this note (abstractState.ts), filled on first use: not
   * part of the note's value (never compared, written, digested; JSON.stringify leaves it out). The engine makes every
   * note with it, undefined, so that all notes have one shape; a WeakMap keyed by note cost a tenth of exploration.
   */
  memo?: NoteMemo | undefined;
}

/** `Note.files`: 0 no attachment, 1 attachments none infected, 2 an infected attachment among them. */
export type FilesHeld = 0 | 1 | 2;

/** What a `Note.memo` holds: opaque outside abstractState.ts. */
export interface NoteMemo {
  toJSON(): undefined;
}

/** Item names compare case-insensitively, ASCII only (so `İ` and `i` stay different, as in Domino's LMBCS compare). */
export function itemKey(name: string): string {
  let lower = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      lower = false;
      break;
    }
  }
  if (lower) return name;
  // Item names repeat endlessly (Subject, $FILE, X-SSOTag): remember the last few hundred conversions.
  let key = keyCache.get(name);
  if (key === undefined) {
    key = name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
    // One string object per key: keys are compared often ($file in every attachment check), and two different
    // objects with the same text compare character by character. Literals are interned by the engine, and so is a
    // key used as a property name: an object's key is interned.
    key = Object.keys({ [key]: 0 })[0]!;
    if (keyCache.size >= 512) keyCache.clear();
    keyCache.set(name, key);
  }
  return key;
}
const keyCache = new Map<string, string>();

/** The item with this name (any case), if the note has it. */
export function getItem(note: Note, name: string): Item | undefined {
  const key = itemKey(name);
  for (const item of note.items) if (item.key === key) return item;
  return undefined;
}

/** The value of the item with this name (any case), if the note has it. */
export function getItemValue(note: Note, name: string): ItemValue | undefined {
  return getItem(note, name)?.value;
}

export function isAttachmentList(value: ItemValue | undefined): value is readonly Attachment[] {
  return Array.isArray(value) && value.length > 0 && typeof value[0] === 'object';
}

/** The key of `$FILE`. */
export const FILE_KEY = '$file';

/** The note's attachments (`$FILE`), or an empty list. */
export function attachmentsOf(note: Note): readonly Attachment[] {
  for (const item of note.items) {
    if (item.key === FILE_KEY) return isAttachmentList(item.value) ? item.value : [];
  }
  return [];
}

/** True when the note is live and has a `$FILE` item with at least one attachment: what scanners scan (R13). */
export function hasAttachments(note: Note): boolean {
  return !note.deleted && attachmentsOf(note).length > 0;
}

/**
 * `Note.files` of a note as the engine made it (one its replicas hold, or handed to a design's scan), read from the
 * items when the note does not carry it. Not for a copy made with other items (`{ ...note, items }`): it carries the
 * `files` of the note it was copied from. The exported readers of attachments (hasAttachments, attachmentsOf,
 * virusScanOf) read the items, so that a design wrapping another may hand them such a copy (a review: a copy's stale
 * `files` called an infected copy clean).
 */
export function filesOf(note: Note): FilesHeld {
  if (note.deleted) return 0;
  const f = note.files;
  return f !== undefined ? f : filesIn(note.items);
}

/** What the items' `$FILE` holds (`Note.files`) for a live note. */
export function filesIn(items: readonly Item[]): FilesHeld {
  for (const item of items) {
    if (item.key !== FILE_KEY) continue;
    const value = item.value;
    if (!isAttachmentList(value)) return 0;
    for (const a of value) if (a.infected === true) return 2;
    return 1;
  }
  return 0;
}

/** True when the two notes hold the same version: equal `seq` and `seqTime` (the UNID is assumed equal). */
export function sameOid(a: Note, b: Note): boolean {
  return a.seq === b.seq && a.seqTime === b.seqTime;
}

/** Deep equality of item values (scalars, scalar lists, attachment lists). */
export function valuesEqual(a: ItemValue, b: ItemValue): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x: unknown = a[i];
    const y: unknown = b[i];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    const ax = x as Attachment;
    const ay = y as Attachment;
    if (ax.name !== ay.name || ax.bytes !== ay.bytes || ax.infected !== ay.infected) return false;
  }
  return true;
}

/**
 * Same contents: the stub flag, and every item's name, value and `itemSeq`. Used to tell an OID collision (R3) from
 * the same version, and for convergence. `revisions` are not contents. [choice] An item's name is compared as spelled
 * (`Subject` and `SUBJECT` differ here, though names compare without case for lookup): replication carries the
 * spelling (R1: a document keeps the spelling its item first had), so two copies that spell a name differently hold
 * different documents, and the same OID over them is a collision (a spec review asked which).
 */
export function sameContents(a: Note, b: Note): boolean {
  if (a === b) return true;
  if (a.deleted !== b.deleted || a.items.length !== b.items.length) return false;
  for (let i = 0; i < a.items.length; i++) {
    const x = a.items[i]!;
    const y = b.items[i]!;
    if (x === y) continue;
    if (x.name !== y.name || x.seq !== y.seq || !valuesEqual(x.value, y.value)) return false;
  }
  return true;
}

/** Same version and contents and history: what "holds the same document" means for convergence. */
export function sameNote(a: Note, b: Note): boolean {
  if (a === b) return true;
  if (a.unid !== b.unid || !sameOid(a, b) || !sameContents(a, b)) return false;
  return a.revisions.equals(b.revisions);
}
