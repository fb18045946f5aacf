import { EmptySet, copyMap, copySet } from '../util/emptyCollections.js';
import type { Note } from '../note/note.js';

/** One entry of a replica's change log: the version a change produced there, under its change number. */
export interface ChangeEntry {
  readonly no: number;
  readonly note: Note;
}

/** A purge (R10): the stub of `unid` was removed after change `afterNo`. Purges take no change number. */
export interface PurgeEntry {
  readonly afterNo: number;
  readonly unid: string;
}

/**
 * One document in a replica, linked into the replica's change order: the list runs from the oldest change to the
 * newest, one slot per document, at its last change.
 */
interface Slot {
  note: Note;
  /** The change number of the change that produced `note` here: Domino's "modified in this file". */
  no: number;
  /** Line of the input event behind this version (for blame); not part of the state. */
  cause: number;
  prev: Slot | undefined;
  next: Slot | undefined;
}

/** Read-only view of one document in a replica. */
export interface ReplicaDoc {
  readonly note: Note;
  readonly modifiedInFile: number;
  readonly cause: number;
}

/** The purged UNIDs of a replica that has purged none: shared, refuses changes (purge makes a set of its own). */
const NO_PURGES: Set<string> = new EmptySet();
const NO_PURGE_ENTRIES: PurgeEntry[] = Object.freeze([]) as unknown as PurgeEntry[];

/**
 * One server's copy of one database: a change log with dense change numbers (S1), and the live state that is the fold
 * of that log.
 *
 * The log is kept compacted by default: for each document, its last change (a superseded change can never be sent
 * again, R9 sends documents at their last change), linked in change-number order, so a replay of a log far larger
 * than memory holds one entry per document. With `keepHistory`, every change is also kept (the full log, for
 * inspection and tests). Folding either gives the live state.
 *
 * The live map and the log are mutable and private: copying a 10,000-document map per event (what an immutable
 * container would do) costs 400x plain mutation at the seed's scale. Everything handed out is immutable: notes are
 * never changed after they are made, and views are read-only.
 */

export class Replica {
  readonly server: string;
  readonly db: string;
  readonly limitRevisions: number;
  readonly purgeDays: number;
  readonly keepHistory: boolean;
  private docs: Map<string, Slot>;
  /**
   * The slot the last lookup found: a save or an arrival reads the document (get, slot) and then records the new
   * version (put), so put finds it here instead of hashing the UNID again. Always a slot that is in `docs`
   * (cleared where a slot leaves it: purge).
   */
  private last: Slot | undefined;
  private head: Slot | undefined;
  private tail: Slot | undefined;
  /**
   * The slots in UNID order, while no document has joined or left (`notes`): a scheduled pass lists a replica's
   * documents by UNID every hour, and the documents are the same ones each time. Undefined: to be sorted again.
   */
  private byUnid: Slot[] | undefined;
  private counter: number;
  private history: Note[] | undefined;
  private purges: PurgeEntry[];
  private purgedUnids: Set<string>;
  private stubCount: number;
  /** Replication history (R9): per sender, the sender's change number received up to. */
  private received: Map<string, number>;
  /** `received` is shared with a clone (or the replica this one was cloned from): copy it before changing it. */
  private receivedShared: boolean;
  /**
   * Copy-on-write for simulator snapshots: the state that may change this replica in place. Any other state holding
   * it copies it before its first change (Simulator.writable). Not part of the replica's contents.
   */
  owner: object | undefined;

  /** A new empty replica; or, given `from` (for `clone`), a copy of it. */
  constructor(server: string, db: string, limitRevisions = 0, purgeDays = 90, keepHistory = true, from?: Replica) {
    this.server = server;
    this.db = db;
    this.limitRevisions = limitRevisions;
    this.purgeDays = purgeDays;
    this.keepHistory = keepHistory;
    // Every field is set here, in one order, whichever way the replica is made: one object shape, its fields inside
    // the object (a clone made with Object.create grew its fields one by one into an outside store, reallocated
    // as it went: exploration clones a replica per transition).
    this.docs = new Map();
    this.last = undefined;
    this.head = undefined;
    this.tail = undefined;
    this.byUnid = undefined;
    if (from === undefined) {
      this.counter = 0;
      this.history = keepHistory ? [] : undefined;
      this.purges = NO_PURGE_ENTRIES;
      this.purgedUnids = NO_PURGES;
      this.stubCount = 0;
      this.received = new Map();
      this.receivedShared = false;
    } else {
      for (let s = from.head; s !== undefined; s = s.next) {
        const c: Slot = { note: s.note, no: s.no, cause: s.cause, prev: undefined, next: undefined };
        this.docs.set(s.note.unid, c);
        this.append(c);
      }
      this.counter = from.counter;
      this.history = from.history?.slice();
      this.purges = from.purges.length === 0 ? NO_PURGE_ENTRIES : from.purges.slice();
      this.purgedUnids = from.purgedUnids.size === 0 ? NO_PURGES : copySet(from.purgedUnids);
      this.stubCount = from.stubCount;
      // Histories change once per replication session, documents at every save: both sides share the map until then.
      this.received = from.received;
      this.receivedShared = true;
      from.receivedShared = true;
    }
    this.owner = undefined;
  }

  /** The current change number: the number of changes this replica has made or applied. */
  get changeNumber(): number {
    return this.counter;
  }

  get size(): number {
    return this.docs.size;
  }

  get stubs(): number {
    return this.stubCount;
  }

  get(unid: string): Note | undefined {
    const s = this.docs.get(unid);
    if (s === undefined) return undefined;
    this.last = s;
    return s.note;
  }

  /** The document's current version, change number and cause, without a copy (the caller must not keep it). */
  slot(unid: string): { readonly note: Note; readonly no: number; readonly cause: number } | undefined {
    const s = this.docs.get(unid);
    if (s !== undefined) this.last = s;
    return s;
  }

  doc(unid: string): ReplicaDoc | undefined {
    const s = this.docs.get(unid);
    return s === undefined ? undefined : { note: s.note, modifiedInFile: s.no, cause: s.cause };
  }

  wasPurged(unid: string): boolean {
    return this.purgedUnids.size !== 0 && this.purgedUnids.has(unid);
  }

  private unlink(s: Slot): void {
    if (s.prev !== undefined) s.prev.next = s.next;
    else this.head = s.next;
    if (s.next !== undefined) s.next.prev = s.prev;
    else this.tail = s.prev;
    s.prev = s.next = undefined;
  }

  private append(s: Slot): void {
    s.prev = this.tail;
    s.next = undefined;
    if (this.tail !== undefined) this.tail.next = s;
    else this.head = s;
    this.tail = s;
  }

  /** Records a change: the new version gets the next change number (R1, R7). Returns that number. */
  put(note: Note, cause: number): number {
    const no = ++this.counter;
    this.history?.push(note);
    let slot = this.last;
    if (slot === undefined || slot.note.unid !== note.unid) slot = this.docs.get(note.unid);
    if (slot === undefined) {
      slot = { note, no, cause, prev: undefined, next: undefined };
      this.docs.set(note.unid, slot);
      this.byUnid = undefined;
      if (note.deleted) this.stubCount++;
    } else {
      if (slot.note.deleted !== note.deleted) this.stubCount += note.deleted ? 1 : -1;
      this.unlink(slot);
      slot.note = note;
      slot.no = no;
      slot.cause = cause;
    }
    this.append(slot);
    this.last = slot;
    if (this.purgedUnids.size !== 0) this.purgedUnids.delete(note.unid);
    return no;
  }

  /**
   * R10: removes the deletion stubs whose `seqTime` is older than `purgeDays` at the server's clock `clock`, and
   * remembers their UNIDs so a copy that comes back is reported as a resurrection. Returns the purged UNIDs.
   */
  purge(clock: number): string[] {
    if (this.stubCount === 0) return [];
    const limit = clock - this.purgeDays * 86_400_000;
    const purged: string[] = [];
    for (const [unid, slot] of this.docs) if (slot.note.deleted && slot.note.seqTime < limit) purged.push(unid);
    purged.sort();
    this.last = undefined;
    if (purged.length > 0) this.byUnid = undefined;
    for (const unid of purged) {
      this.unlink(this.docs.get(unid)!);
      this.docs.delete(unid);
      this.stubCount--;
      if (this.purgedUnids === NO_PURGES) this.purgedUnids = new Set();
      this.purgedUnids.add(unid);
      if (this.purges === NO_PURGE_ENTRIES) this.purges = [];
      this.purges.push({ afterNo: this.counter, unid });
    }
    return purged;
  }

  /**
   * The UNIDs of the documents changed after change number `after` up to `upTo`, in change-number order (R9): a
   * document changed twice in the range is listed once, at its last change. Walks back from the newest change, so
   * it costs the number of documents sent, not the length of the history.
   */
  changedSince(after: number, upTo: number = this.counter): string[] {
    const out: string[] = [];
    for (let s = this.tail; s !== undefined && s.no > after; s = s.prev) if (s.no <= upTo) out.push(s.note.unid);
    return out.reverse();
  }

  /** The version that change number `no` produced here (1-based), while the replica keeps its history. */
  changeAt(no: number): Note | undefined {
    return this.history?.[no - 1];
  }

  /** The replication history: sender -> change number received up to, by sender name. */
  histories(): [string, number][] {
    return [...this.received].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /** The change number of the current version of each document (Domino's "modified in this file"). */
  modifiedInFile(unid: string): number {
    return this.docs.get(unid)?.no ?? 0;
  }

  getHistory(key: string): number {
    return this.received.get(key) ?? 0;
  }

  setHistory(key: string, no: number): void {
    if (this.receivedShared) {
      this.received = copyMap(this.received);
      this.receivedShared = false;
    }
    this.received.set(key, no);
  }

  /**
   * Every live document and stub, in change-number order (oldest change first), listed at each call.
   * [measured] Remembering the list until the replica changes (36d14c2) saved 2.6% of a search's allocation, but each
   * state a search keeps then kept its list too: a search stopped by the heap's limit reached 4-5% fewer states (a
   * differential QA pass: 217,088-218,112 against 224,256-230,400 at 1 GB, 2 servers x 2 documents, depth 12, no
   * symmetry), a finished one peaked 3.5% higher, and it was no faster (the bench's search, six interleaved runs each:
   * medians 1.135 s with the list remembered, 1.087 s without, first runs in a process).
   */
  changeOrder(): readonly Note[] {
    const out: Note[] = [];
    for (let s = this.head; s !== undefined; s = s.next) out.push(s.note);
    return out;
  }

  /**
   * changeOrder written into `out` from index `at`, returning the index after the last: exploration hashes every
   * replica per transition, and the lists changeOrder made were 4% of a search's allocation (the bench's case: 38 of
   * 899 MB, V8's sampling heap profiler); without them it runs 0.6% fewer instructions (10.895 G against 10.960 G,
   * cachegrind). Nothing is kept: the state's memory is unchanged. (A Map's forEach for the histories beside it, tried
   * too, ran 1.1% more.)
   */
  changeOrderInto(out: Note[], at: number): number {
    for (let s = this.head; s !== undefined; s = s.next) out[at++] = s.note;
    return at;
  }

  /** How many documents were last changed at or before change number `no` (what a history point up to `no` covers). */
  coveredUpTo(no: number): number {
    let after = 0;
    for (let s = this.tail; s !== undefined && s.no > no; s = s.prev) after++;
    return this.docs.size - after;
  }

  /** The replication history (sender -> change number received up to), read-only. */
  historyMap(): ReadonlyMap<string, number> {
    return this.received;
  }

  /** Every live document and stub, in UNID order. */
  notes(): Note[] {
    const slots = (this.byUnid ??= [...this.docs.values()].sort((a, b) => (a.note.unid < b.note.unid ? -1 : a.note.unid > b.note.unid ? 1 : 0)));
    const out: Note[] = new Array<Note>(slots.length);
    for (let i = 0; i < slots.length; i++) out[i] = slots[i]!.note;
    return out;
  }

  unids(): IterableIterator<string> {
    return this.docs.keys();
  }

  /**
   * The change log: with `keepHistory`, every change with its number (dense, 1..changeNumber) and the purges between
   * them; otherwise the compacted log — each document's last change, in change-number order — and the purges.
   */
  log(): { changes: readonly ChangeEntry[]; purges: readonly PurgeEntry[] } {
    if (this.history !== undefined) return { changes: this.history.map((note, i) => ({ no: i + 1, note })), purges: this.purges.slice() };
    const changes: ChangeEntry[] = [];
    for (let s = this.head; s !== undefined; s = s.next) changes.push({ no: s.no, note: s.note });
    return { changes, purges: this.purges.slice() };
  }

  /** A copy that shares the (immutable) notes; for snapshots of a simulation. */
  clone(): Replica {
    return new Replica(this.server, this.db, this.limitRevisions, this.purgeDays, this.keepHistory, this);
  }
}

/**
 * A replica's live state as a fold of its change log: apply every change in order, and each purge after the change
 * it follows. `foldLog(r.log())` equals `r.notes()` for every replica, compacted or not (tested).
 */
export function foldLog(log: { changes: readonly ChangeEntry[]; purges: readonly PurgeEntry[] }): Note[] {
  const docs = new Map<string, Note>();
  let p = 0;
  const applyPurgesUpTo = (no: number) => {
    while (p < log.purges.length && log.purges[p]!.afterNo <= no) docs.delete(log.purges[p++]!.unid);
  };
  applyPurgesUpTo(0);
  for (const c of log.changes) {
    applyPurgesUpTo(c.no - 1);
    docs.set(c.note.unid, c.note);
  }
  applyPurgesUpTo(Number.MAX_SAFE_INTEGER);
  return [...docs.values()].sort((a, b) => (a.unid < b.unid ? -1 : a.unid > b.unid ? 1 : 0));
}
