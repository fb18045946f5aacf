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

interface Slot {
  note: Note;
  /** The change number of the change that produced `note` here: Domino's "modified in this file". */
  no: number;
  /** Line of the input event behind this version (for blame); not part of the state. */
  cause: number;
}

/** Read-only view of one document in a replica. */
export interface ReplicaDoc {
  readonly note: Note;
  readonly modifiedInFile: number;
  readonly cause: number;
}

/**
 * One server's copy of one database: a change log with dense change numbers (S1), and the live state that is the fold
 * of that log. The live map and the log are mutable and private: copying a 10,000-document map per event (what an
 * immutable container would do) costs 400x plain mutation at the seed's scale. Everything handed out is immutable:
 * notes are never changed after they are made, and views are read-only.
 */
export class Replica {
  readonly server: string;
  readonly db: string;
  readonly limitRevisions: number;
  readonly purgeDays: number;
  private docs = new Map<string, Slot>();
  private changes: Note[] = [];
  private purges: PurgeEntry[] = [];
  private purgedUnids = new Set<string>();
  private stubCount = 0;
  /** Replication history (R9): per partner and direction key, the sender's change number received up to. */
  private history = new Map<string, number>();

  constructor(server: string, db: string, limitRevisions = 0, purgeDays = 90) {
    this.server = server;
    this.db = db;
    this.limitRevisions = limitRevisions;
    this.purgeDays = purgeDays;
  }

  /** The current change number: the number of changes this replica has made or applied. */
  get changeNumber(): number {
    return this.changes.length;
  }

  get size(): number {
    return this.docs.size;
  }

  get stubs(): number {
    return this.stubCount;
  }

  get(unid: string): Note | undefined {
    return this.docs.get(unid)?.note;
  }

  doc(unid: string): ReplicaDoc | undefined {
    const s = this.docs.get(unid);
    return s === undefined ? undefined : { note: s.note, modifiedInFile: s.no, cause: s.cause };
  }

  causeOf(unid: string): number {
    return this.docs.get(unid)?.cause ?? 0;
  }

  wasPurged(unid: string): boolean {
    return this.purgedUnids.has(unid);
  }

  /** Records a change: the new version gets the next change number (R1, R7). Returns that number. */
  put(note: Note, cause: number): number {
    this.changes.push(note);
    const no = this.changes.length;
    const slot = this.docs.get(note.unid);
    if (slot === undefined) {
      this.docs.set(note.unid, { note, no, cause });
      if (note.deleted) this.stubCount++;
    } else {
      if (slot.note.deleted !== note.deleted) this.stubCount += note.deleted ? 1 : -1;
      slot.note = note;
      slot.no = no;
      slot.cause = cause;
    }
    this.purgedUnids.delete(note.unid);
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
    for (const unid of purged) {
      this.docs.delete(unid);
      this.stubCount--;
      this.purgedUnids.add(unid);
      this.purges.push({ afterNo: this.changes.length, unid });
    }
    return purged;
  }

  /**
   * The UNIDs of the documents changed after change number `after` up to `upTo`, in change-number order (R9): a
   * document changed twice in the range is listed once, at its last change.
   */
  changedSince(after: number, upTo: number = this.changes.length): string[] {
    const out: string[] = [];
    for (let i = Math.max(after, 0); i < upTo; i++) {
      const unid = this.changes[i]!.unid;
      if (this.docs.get(unid)?.no === i + 1) out.push(unid);
    }
    return out;
  }

  /** The version that change number `no` produced here (1-based). */
  changeAt(no: number): Note | undefined {
    return this.changes[no - 1];
  }

  /** The replication history: sender -> change number received up to, by sender name. */
  histories(): [string, number][] {
    return [...this.history].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /** The change number of the current version of each document (Domino's "modified in this file"). */
  modifiedInFile(unid: string): number {
    return this.docs.get(unid)?.no ?? 0;
  }

  getHistory(key: string): number {
    return this.history.get(key) ?? 0;
  }

  setHistory(key: string, no: number): void {
    this.history.set(key, no);
  }

  /** Every live document and stub, in UNID order. */
  notes(): Note[] {
    const out: Note[] = [];
    for (const s of this.docs.values()) out.push(s.note);
    return out.sort((a, b) => (a.unid < b.unid ? -1 : a.unid > b.unid ? 1 : 0));
  }

  unids(): IterableIterator<string> {
    return this.docs.keys();
  }

  /** The change log: every change with its number, and the purges between them. */
  log(): { changes: readonly ChangeEntry[]; purges: readonly PurgeEntry[] } {
    return { changes: this.changes.map((note, i) => ({ no: i + 1, note })), purges: this.purges.slice() };
  }

  /** A copy that shares the (immutable) notes; for snapshots of a simulation. */
  clone(): Replica {
    const r = new Replica(this.server, this.db, this.limitRevisions, this.purgeDays);
    for (const [k, s] of this.docs) r.docs.set(k, { ...s });
    r.changes = this.changes.slice();
    r.purges = this.purges.slice();
    r.purgedUnids = new Set(this.purgedUnids);
    r.stubCount = this.stubCount;
    r.history = new Map(this.history);
    return r;
  }
}

/**
 * A replica's live state as a fold of its change log: apply every change in order, and each purge after the change
 * it follows. `foldLog(r.log())` equals `r.notes()` for every replica (tested).
 */
export function foldLog(log: { changes: readonly ChangeEntry[]; purges: readonly PurgeEntry[] }): Note[] {
  const docs = new Map<string, Note>();
  let p = 0;
  const applyPurgesUpTo = (no: number) => {
    while (p < log.purges.length && log.purges[p]!.afterNo <= no) docs.delete(log.purges[p++]!.unid);
  };
  applyPurgesUpTo(0);
  for (const c of log.changes) {
    docs.set(c.note.unid, c.note);
    applyPurgesUpTo(c.no);
  }
  applyPurgesUpTo(Number.MAX_SAFE_INTEGER);
  return [...docs.values()].sort((a, b) => (a.unid < b.unid ? -1 : a.unid > b.unid ? 1 : 0));
}
