import { filesIn, getItemValue, itemKey, sameContents, sameOid, type Item, type Note, type Revision } from '../note/note.js';
import { Revisions } from '../note/revisions.js';
import { sha256Hex } from '../util/hash.js';

/** What the winner's `$ConflictAction` item asks for (S6). */
export type ConflictAction = 'create' | 'merge' | 'none' | 'merge-no-conflicts';

/** What replicating one document S -> D did to D, as data. `null` outcome: nothing happened. */
export type NoteTransferResult =
  | { readonly outcome: null }
  | { readonly outcome: 'collision' }
  | {
      readonly outcome: 'created' | 'updated' | 'deleted' | 'resurrected' | 'merged';
      /** The version D holds afterwards. */
      readonly put: Note;
      /** True when a copy's changes were dropped (R5 none / merge-no-conflicts overlap, R6). */
      readonly discarded: boolean;
    }
  | {
      readonly outcome: 'conflict';
      readonly put: Note;
      /** The conflict document made from D's losing copy (R5 create). */
      readonly conflictDoc: Note;
      readonly winner: Revision;
      readonly loser: Revision;
      readonly discarded: false;
    };

export interface NoteTransferOptions {
  /** D's database cap on `revisions` (0 = none), applied to a merged version made in D. */
  readonly limitRevisions: number;
  /** D once held this UNID and purged its stub (R10): a live copy arriving is a resurrection. */
  readonly purgedAtDestination?: boolean;
}

/** True when `note` descends from the version `rev`: its `revisions` contain that (`seq`, `seqTime`) pair (R4). */
export function descendsFrom(note: Note, rev: Revision): boolean {
  return descendsFromVersion(note, rev[0], rev[1]);
}

/**
 * True when `later`'s history runs through `earlier`'s version with `earlier`'s own history before it, as far as
 * `later`'s list keeps it (a capped list drops the oldest entries): a later version of that very document. Sharing
 * one (`seq`, `seqTime`) pair is not enough: a document saved on its own under the same UNID may have one by
 * coincidence (its second save at the same millisecond), and its earlier entries then differ. [limitation] When a cap
 * dropped `earlier`'s version itself, the history cannot tell: false, as R4's descent test would say too.
 */
export function continuesHistoryOf(later: Note, earlier: Note): boolean {
  const revs = later.revisions;
  const mine = earlier.revisions;
  for (let i = 0; i < revs.length; i++) {
    if (revs.seqAt(i) !== earlier.seq || revs.timeAt(i) !== earlier.seqTime) continue;
    // The i entries before it must be the last i of `earlier`'s own (fewer when the cap dropped some).
    if (i > mine.length) return false;
    for (let j = 1; j <= i; j++) {
      if (revs.seqAt(i - j) !== mine.seqAt(mine.length - j) || revs.timeAt(i - j) !== mine.timeAt(mine.length - j)) return false;
    }
    return true;
  }
  return false;
}

/** descendsFrom, the version given as its two numbers (every arrival asks: no pair made for it). */
function descendsFromVersion(note: Note, seq: number, seqTime: number): boolean {
  // Newest first: the common case (the partner is one or two saves behind) ends at once.
  return note.revisions.includes(seq, seqTime);
}

/** R5's winner rule: more saves wins; equal `seq`, the later `seqTime` (S5). Returns true when `a` wins over `b`. */
export function winsOver(a: Note, b: Note): boolean {
  return a.seq !== b.seq ? a.seq > b.seq : a.seqTime > b.seqTime;
}

/**
 * The winner's `$ConflictAction` (S6): the text "1" merge, "2" do not create conflicts, "3" merge/no conflicts;
 * anything else, or no item, means create. The item is text (the form property writes the text "1"; the sources set
 * it with `FIELD $ConflictAction := "1"`), and R5 lists the values as text: the number 1 is another value, so it
 * means create, like "0" or a list (a spec-conformance review found the number read as "1").
 */
export function conflictActionOf(note: Note): ConflictAction {
  const v = getItemValue(note, '$ConflictAction');
  return v === '1' ? 'merge' : v === '2' ? 'none' : v === '3' ? 'merge-no-conflicts' : 'create';
}

/**
 * The UNID of the conflict document made from `loser` [choice, R5]: the first 32 hex digits of SHA-256 of
 * `UNID:seq:seqTime`, upper case, so the same divergence makes the same document wherever and whenever it is resolved.
 */
export function conflictUnidOf(loser: Note): string {
  return conflictUnidFor(loser.unid, loser.seq, loser.seqTime);
}

/** conflictUnidOf of the version (`seq`, `seqTime`) of document `unid`. */
export function conflictUnidFor(unid: string, seq: number, seqTime: number): string {
  // Looked up by the UNID, then the two numbers: no key text made per call (`UNID:seq:seqTime` made and hashed at each
  // lookup was 3% of an exploration, which asks per new version of a conflict document, for each of its revisions).
  const made = conflictUnids.get(unid)?.get(seqTime)?.get(seq);
  if (made !== undefined) return made;
  if (conflictUnidCount >= 4096) {
    conflictUnids.clear();
    conflictUnidCount = 0;
  }
  let byTime = conflictUnids.get(unid);
  if (byTime === undefined) conflictUnids.set(unid, (byTime = new Map()));
  let bySeq = byTime.get(seqTime);
  if (bySeq === undefined) byTime.set(seqTime, (bySeq = new Map()));
  const unidMade = sha256Hex(`${unid}:${seq}:${seqTime}`).slice(0, 32).toUpperCase();
  bySeq.set(seq, unidMade);
  conflictUnidCount++;
  return unidMade;
}

// The same divergences are resolved again and again in exploration (every path that reaches one): their conflict
// UNIDs are remembered (a bounded cache of a pure function, cleared past 4,096 of them; a SHA-256 per conflict was a
// twentieth of a transition).
const conflictUnids = new Map<string, Map<number, Map<number, string>>>();
let conflictUnidCount = 0;

/**
 * R5 create: the conflict document keeps the loser's `seq`, `seqTime`, `revisions` and items, and adds an empty
 * `$Conflict` and `$REF` = the winner's UNID, both with `itemSeq` = its `seq`.
 */
export function makeConflictDocument(loser: Note, winnerUnid: string): Note {
  const extra: Item[] = [
    { name: '$Conflict', key: itemKey('$Conflict'), value: '', seq: loser.seq },
    { name: '$REF', key: itemKey('$REF'), value: winnerUnid, seq: loser.seq },
  ];
  const keys = new Set(extra.map((i) => i.key));
  const items = loser.items.filter((i) => !keys.has(i.key)).concat(extra);
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { unid: conflictUnidOf(loser), seq: loser.seq, seqTime: loser.seqTime, revisions: loser.revisions, deleted: false, items, files: loser.deleted ? 0 : loser.files, memo: undefined };
}

/**
 * The last common version (R5): the entry present in both `revisions` with the highest `seq` (then `seqTime`), if
 * any. Both lists are in that order (Revisions), so they are walked from their newest end.
 */
export function lastCommonVersion(a: Note, b: Note): Revision | undefined {
  return a.revisions.lastCommon(b.revisions);
}

/**
 * R5 [choice]: the merged version is a function of the two copies alone, so replicas that merge the same pair
 * independently make the same version: `seq = max + 1`, `seqTime = max + 1`, `revisions` = both lists and both current
 * pairs, ordered by `seq` then `seqTime`; items = the winner's plus the loser's changed, non-overlapping items, which
 * get `itemSeq` = the merged `seq`. The database's cap applies to the merged list as to any other.
 * [limitation] R5 as written, kept (a rules audit, 2026-12-05): two merges of different pairs sharing the newer copy
 * make one OID with different contents (an R3 collision no session repairs); `itemSeq` is a bare number, so after a
 * merge of branches whose saves share a number an item changed on one of them can read as unchanged since a later
 * common version (its edit merged away, nothing discarded), and a removed item, having none, never reads as changed.
 * README, "Choices the specification leaves open".
 */
function makeMergedVersion(winner: Note, loser: Note, loserChanged: readonly Item[], limitRevisions: number): Note {
  const seq = Math.max(winner.seq, loser.seq) + 1;
  const seqTime = Math.max(winner.seqTime, loser.seqTime) + 1;
  const revisions = Revisions.merge(winner.revisions, loser.revisions, [[winner.seq, winner.seqTime], [loser.seq, loser.seqTime]], limitRevisions);
  const byKey = new Map<string, Item>();
  for (const i of winner.items) byKey.set(i.key, i);
  for (const i of loserChanged) byKey.set(i.key, { name: byKey.get(i.key)?.name ?? i.name, key: i.key, value: i.value, seq });
  const items = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { unid: winner.unid, seq, seqTime, revisions, deleted: false, items, files: filesIn(items), memo: undefined };
}

const NOTHING: NoteTransferResult = { outcome: null };

/** D takes a copy it did not have or that the copy descends from: the outcome names what D now holds. */
function take(src: Note, dstHad: boolean, purged: boolean, discarded: boolean): NoteTransferResult {
  if (src.deleted) return { outcome: 'deleted', put: src, discarded };
  if (!dstHad) return { outcome: purged ? 'resurrected' : 'created', put: src, discarded };
  return { outcome: 'updated', put: src, discarded };
}

/**
 * Replicates one document in a transfer from replica S to replica D (R2–R6): returns what D must do, never changes
 * anything itself. `src` is S's copy, `dst` D's copy (undefined: D has none).
 */
export function replicateNote(src: Note, dst: Note | undefined, options: NoteTransferOptions): NoteTransferResult {
  // R2: D has no copy: it takes S's as it is (a stub stays a stub). [choice] A stub arriving where nothing was is
  // reported as `deleted`: what D learns is that the document is deleted. A live copy arriving where D purged a stub
  // is `resurrected` (R10).
  if (dst === undefined) return take(src, false, options.purgedAtDestination === true, false);

  // R3: equal OIDs are the same version to Domino, even when contents differ: report it, never "fix" it.
  if (sameOid(src, dst)) return sameContents(src, dst) ? NOTHING : { outcome: 'collision' };

  // R4: the descendant wins; only items newer than D's seq would travel (field-level replication), and the result
  // equals S's copy, so D takes S's version whole (sharing its items).
  if (descendsFromVersion(src, dst.seq, dst.seqTime)) return take(src, true, false, false);
  if (descendsFromVersion(dst, src.seq, src.seqTime)) return NOTHING;

  // R5/R6: the copies diverged.
  const srcWins = winsOver(src, dst);
  const winner = srcWins ? src : dst;
  const loser = srcWins ? dst : src;

  // R6: a stub against an edited copy: the winner rule decides, $ConflictAction is ignored, no conflict document;
  // the losing side's changes are discarded. [choice] Two diverged stubs: D takes the winning stub, nothing counts
  // as discarded (both sides agree the document is gone).
  if (src.deleted || dst.deleted) {
    if (!srcWins) return NOTHING;
    return take(src, true, false, !(src.deleted && dst.deleted));
  }

  const action = conflictActionOf(winner);
  if (action === 'none') return srcWins ? { outcome: 'updated', put: src, discarded: true } : NOTHING;

  if (action === 'merge' || action === 'merge-no-conflicts') {
    const common = lastCommonVersion(src, dst);
    if (common !== undefined) {
      const changedOnWinner = new Set<string>();
      for (const i of winner.items) if (i.seq > common[0]) changedOnWinner.add(i.key);
      const loserChanged: Item[] = [];
      let overlap = false;
      for (const i of loser.items) {
        if (i.seq <= common[0]) continue;
        if (changedOnWinner.has(i.key)) overlap = true;
        else loserChanged.push(i);
      }
      if (!overlap || action === 'merge-no-conflicts') {
        return { outcome: 'merged', put: makeMergedVersion(winner, loser, loserChanged, options.limitRevisions), discarded: overlap };
      }
    }
    // An item changed on both sides (merge), or no common version left in a capped history: handled as create.
  }

  // R5 create: the conflict document is made only where the loser lived; if D holds the winner, the conflict
  // document is made when the winner reaches the loser's replica.
  if (!srcWins) return NOTHING;
  const conflictDoc = makeConflictDocument(dst, src.unid);
  return {
    outcome: 'conflict',
    put: src,
    conflictDoc,
    winner: [src.seq, src.seqTime],
    loser: [dst.seq, dst.seqTime],
    discarded: false,
  };
}
