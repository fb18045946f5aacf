import type { Item, ItemValue, Note, NoteMemo } from '../note/note.js';
import { Revisions } from '../note/revisions.js';
import { hash64, hash64Words } from '../util/fastHash.js';
import { conflictUnidFor } from '../replicate/replicateNote.js';

// The abstract state of a simulation, for exploration (issue: storms are cycles). `seq`, times and change numbers grow
// forever, so two states that differ only by how far the counters ran must compare equal. The abstraction keeps what
// decides every future step under the rules:
// - per document, `seq` is shifted so the lowest current `seq` is 0 (saves add 1: differences matter, R1/R5);
// - `seqTime` values are replaced by their rank among the document's current versions (only order and equality
//   matter: R5's tie break, R3's OID equality; future saves are later than all of them when steps are spaced by more
//   than twice the largest clock skew);
// - `revisions` keep only the entries that are some other copy's current version (what R4's descent test reads);
//   [limitation] a `$ConflictAction` merge reads the last common version and which items changed since (`itemSeq`),
//   which this coarsens (items older than every current copy read as "old"): exploration of merge designs may
//   identify states that differ there;
// - conflict documents are named by their `$REF` and their abstract version (with, when their version is still a
//   current copy's of the document they refer to, that version's rank: linkOf), not by the hash of concrete times; a
//   `$REF` naming a conflict document (a conflict of a conflict document) stands for that document's own name, not
//   its UNID, which is the hash of a concrete version (`UNID:seq:seqTime`). (It was the UNID: two states alike but
//   for how far the times ran made different names one step later, so a search's states depended on which path
//   reached a state first, and the symmetric search found 4 states fewer than the orbits of the full one at depth 10,
//   2 servers x 1 document: an acceptance QA pass.) [limitation] The values a design writes are opaque, and smsdom's
//   tag is an HMAC of a document's items, a conflict document's `$REF` (a UNID made of a concrete time) included: two
//   states this abstraction identifies, whose conflicts of conflict documents refer to differently named UNIDs, write
//   different tags when that document is scanned again, and part one step later; with scanReplicatedWrites also when
//   a push makes a conflict of a conflict document (its `$REF` such a UNID) and the arrival's on-write scan stamps it
//   (3 servers x 1 document, one user save, depth 5: 12 of 6,412 arrivals, the push's successors alike but for that
//   tag; a check reusing explore's step, 2026-12-07). Their futures are the same up to
//   the tag's value. So at depth 11 of that case the symmetric search finds 18,786 states where the full search has
//   18,788 orbits (58,289 against 58,332 at depth 12; 18,764 and 18,766, 58,132 and 58,176 before the sharing below;
//   18,543 and 18,545 before the name's number below), and no state is missed but for such a value (traced on the
//   first of them: the two states' only difference is the `$REF` UNIDs and the times in their revisions, and the
//   rescan's tag differs). The counts agree to depth 10
//   (explore.test.ts). [choice] Two conflict documents made from different versions whose items are equal (two
//   members' equal stamps, each losing on its own server) get one name, so a state where Alpha and Gamma hold these two
//   and one where both hold the same one read alike but for which copies are one document, and their futures differ
//   (pushing Alpha's to Gamma adds a document in the first only). So where names collide within a database, the state
//   also says, for each document of such a name, its copies by the position of their server, its places in cluster
//   queues and the documents whose `$REF` names it, each by its name and its copies (the `D` lines; `sharing` in the
//   hash): the sharing of documents between replicas, up to renaming servers. (Referrers were by name alone at first,
//   and two of one name, each referring to the document on its own side or each to the other's, read alike: a
//   review.) [limitation] One level: a document referring to a referrer is not followed, so conflicts three deep of
//   documents whose names collide at each level may still read alike. (It was a limitation until 2026-12-06 (late):
//   a QA pass's bisimulation check found 55 such pairs of 46,875 states on 3 servers x 1 document with scheduled
//   replication, depth 6 (483 before linkOf), and none with cluster pushes (36 before linkOf); later 4 of 4,399
//   arrivals.) Only conflict documents can share a name (any other is named by its UNID), so the check costs a pass
//   over them.
//   [measured] The bisimulation check below (arrivals whose successors' keys differ): 0 of 4,397 on 3 servers x 1
//   document, scheduled replication, depth 6 (4 of 4,399 before), 0 of 19,810 at depth 7, 0 of 4,307 with cluster
//   pushes at depth 7. The searches find more states where such documents occur: 2 servers x 1 document to depth 11
//   37,376 (37,333), 3 x 1 to depth 7 22,909 (22,834), scheduled to depth 7 51,116 (50,769); the bench's case (2 x 2,
//   depth 9) 51,766 as before. It costs the bench's search 1.8% more instructions (27.79 against 27.31 billion for
//   three searches, cachegrind under --predictable, referrers by their copies included; 2.3% when each copy's server
//   and hash were kept for every document, not only for those the sharing describes) and no measurable time (0.997x
//   the rate, median of eight interleaved pairs). Each described document's copies are listed once per call
//   (listSharedCopies), not looked for per server order: 3 servers with 2,000 pairs of colliding documents took 181
//   ms a hash (14 ms without collisions), a review; now about as long as without.
//   [measured] linkOf costs the bench's search 3.8% more instructions (11.33 against 10.92 billion, cachegrind) and
//   6% of its rate (47,100 against 50,100 states/s, medians of four interleaved runs). [choice] The name's number is
//   the conflict document's least `seq` against the referred document's least (one number for the document, each
//   copy's own `seq` against the former being in that copy's hash), so the relation of every copy to the referred
//   document is kept. It was the `seq` of the copy whose name is least as text, which kept that relation for one copy
//   alone: two states whose conflict document's copies had the same items and `seq` 4 and 3, against the document's 6
//   and 5 in one and 5 and 4 in the other, were named alike from different copies (-1 in both: "-1" sorts before
//   "-2", and before "0"), one state, and one scan of the document on Beta named them apart (found on 2026-12-06 by
//   partial-order reduction tried over conflict documents, whose reduced search lost 8 of 36,891 states at depth 11,
//   2 servers x 1 document: explore.test.ts). The bench's case (2 x 2, depth 9) now finds 51,766 states (51,762
//   before), that one 37,333 (37,376 with the sharing above). A bisimulation check then (each arrival at a state
//   already found, its successors' keys against the found state's, over every enabled action; no reduction): 98 of
//   11,939 arrivals differ at depth 11 of
//   2 servers x 1 document, against 182 of 11,981 with the old name; 4 of 4,399 on 3 servers x 1 document with
//   scheduled replication to depth 6 and none of 9,166 on 2 x 2 to depth 8, both as before (arrivals, where the
//   QA pass above counted pairs of states, of another search: the figures do not compare). All 98 were classified by
//   the actions whose successors differ: each time only rescans of a conflict of a conflict document, and the two
//   traced are the tag's limitation above (the rescan writes a tag over its `$REF`'s UNID); none of the 4 on 3
//   servers is of that kind (not traced then; they were the equal items above, now told apart: 0 of 4,397; the 98
//   remain, 98 of 11,935);
// - change numbers become each document's rank in its replica's change order, and a history point becomes how many
//   of the sender's documents it covers (R9 sends exactly the documents after it, in that order).
// [limitation] A scanner's memory (`remember`, the server's store) is compared as it is: values in it are opaque to
// the engine, so a design that remembers versions by their `seq` and time (`scan-cache` keys its results by OID) makes
// states that differ only by how far the counters ran look different. No state is lost (the search only splits what it
// could have merged), but such a search may not exhaust where the state space is finite up to renumbering (scan-cache
// with user saves: found by an acceptance audit), and a storm that runs through such a memory never closes a loop.
// Renumbering it would need designs to declare which of their values are versions.
//
// Exploration computes this for every transition, so it is written for speed: it reads the simulator's own
// structures through `AbstractSource` (no intermediate view), nests maps instead of joining keys, and remembers the
// text of each Item object (items are immutable and shared between versions and replicas).

/** One replica, as the abstraction reads it. */
export interface AbstractReplica {
  readonly db: string;
  /** The documents in change-number order (oldest change first). */
  changeOrder(): readonly Note[];
  /** The same, written into `out` from index `at`; returns the index after the last (no list made). */
  changeOrderInto(out: Note[], at: number): number;
  /** Replication history: sender -> change number received up to. */
  historyMap(): ReadonlyMap<string, number>;
  /** How many of this replica's documents were last changed at or before change number `no`. */
  coveredUpTo(no: number): number;
}

/** One server, as the abstraction reads it. Servers come by name, replicas by database name. */
export interface AbstractServer {
  readonly name: string;
  readonly up: boolean;
  readonly group: number;
  readonly definitions: string;
  readonly store: ReadonlyMap<string, unknown>;
  readonly replicas: readonly AbstractReplica[];
  /** Cluster queues holding something or waiting: mate, database, UNIDs in queue order, waiting. */
  readonly queues: readonly { readonly mate: string; readonly db: string; readonly unids: readonly string[]; readonly waiting: boolean }[];
}

export interface AbstractSource {
  readonly servers: readonly AbstractServer[];
  /** The kinds of pending work (transfers, passes, on-write scans), in the order they would run. */
  readonly work: readonly string[];
  /**
   * The pending on-write scans, in the order they would run: which server scans which document. Kinds alone made two
   * states one where the scan left due differs (explore's late actions leave one due: a review found states lost).
   * Absent: none.
   */
  readonly scans?: readonly { readonly server: string; readonly db: string; readonly unid: string }[] | undefined;
}

/** `"name"=value@` for an item: the part of its text that does not depend on the document's base `seq`. */
function itemTextOf(i: Item): string {
  return `${JSON.stringify(i.name)}=${JSON.stringify(i.value)}@`;
}

/**
 * A function of an item's (name, value), remembered by name, then value: names are a handful of strings, values are
 * strings (equal by content), numbers, booleans or lists (immutable, shared by every version that did not change
 * them: equal by identity). Every save makes a new Item object, but its (name, value) has mostly been seen before:
 * keyed by the Item (a WeakMap, as before) each new one missed, and each entry cost the collector an ephemeron.
 * Bounded: cleared past 100,000 values (a cache of a pure function).
 */
class ByNameAndValue<T> {
  private readonly byName = new Map<string, Map<ItemValue, T>>();
  private count = 0;

  constructor(private readonly make: (i: Item) => T) {}

  get(i: Item): T {
    let m = this.byName.get(i.name);
    if (m === undefined) {
      m = new Map();
      this.byName.set(i.name, m);
    }
    let v = m.get(i.value);
    if (v === undefined) {
      if (++this.count > 100_000) {
        this.byName.clear();
        this.count = 1;
        m = new Map();
        this.byName.set(i.name, m);
      }
      v = this.make(i);
      m.set(i.value, v);
    }
    return v;
  }
}

const itemTexts = new ByNameAndValue(itemTextOf);

/** itemTextOf, remembered (ByNameAndValue). */
function textOfItem(i: Item): string {
  return itemTexts.get(i);
}

const itemsDigests = new WeakMap<Note, { base: number; digest: string }>();

/**
 * A conflict document's `$REF` item as its items' text writes it: the name and no value. The value is the UNID of the
 * document it refers to, already in the conflict document's name (gatherDocs), as that document's own name when it
 * is a conflict document too: a conflict document's UNID is the hash of a concrete version (`UNID:seq:seqTime`), and
 * written here it made two states alike but for how far the times ran differ (an acceptance QA pass).
 */
function conflictRefText(i: Item): string {
  return `${JSON.stringify(i.name)}=@`;
}

/**
 * The note's items (name, value, `itemSeq` relative to `base`) as a 64-bit digest: the long part of a document's
 * text (attachments, tags), remembered per note and base (notes are immutable; a note's base rarely changes). The
 * key is hashed to 64 bits by exploration anyway.
 */
function itemsDigest(note: Note, base: number): string {
  const hit = itemsDigests.get(note);
  if (hit !== undefined && hit.base === base) return hit.digest;
  let items = '';
  // An item older than every current copy keeps only that fact (see the limitation above). A conflict document's
  // `$REF` is written without its value: its name says what it refers to (see conflictRefText).
  const conflict = isConflictDoc(note);
  for (const i of note.items) items += `${conflict && i.key === '$ref' ? conflictRefText(i) : textOfItem(i)}${Math.max(i.seq - base, -1)};`;
  const digest = hash64(items);
  itemsDigests.set(note, { base, digest });
  return digest;
}

interface DocNorm {
  /** The lowest current `seq` among the copies. */
  base: number;
  /** The copies' distinct `seqTime`s, ascending. */
  times: number[];
  copies: Note[];
  name: string;
}

const conflictItems = new WeakMap<Note, string>();

/** The items of a conflict document but `$Conflict` and `$REF`, as text (remembered per note: notes are immutable). */
function conflictItemsText(n: Note): string {
  let t = conflictItems.get(n);
  if (t === undefined) {
    t = '';
    for (const i of n.items) if (i.key !== '$conflict' && i.key !== '$ref') t += textOfItem(i);
    conflictItems.set(n, t);
  }
  return t;
}

function isConflictDoc(note: Note): boolean {
  for (const i of note.items) if (i.key === '$conflict') return true;
  return false;
}

function refOf(note: Note): string {
  for (const i of note.items) if (i.key === '$ref') return String(i.value);
  return '';
}

/**
 * All copies of each document, across replicas (db -> unid -> normalisation), and each replica's documents in change
 * order: what the text and the hash of the abstract state are both made from.
 */
function gatherDocs(src: AbstractSource): { byDb: Map<string, Map<string, DocNorm>>; ordered: (readonly Note[])[] } {
  const byDb = new Map<string, Map<string, DocNorm>>();
  // Replicas numbered in the order of src.servers and their replicas.
  const ordered: (readonly Note[])[] = [];
  for (const srv of src.servers) {
    for (const r of srv.replicas) {
      let docs = byDb.get(r.db);
      if (docs === undefined) byDb.set(r.db, (docs = new Map()));
      const inOrder = r.changeOrder();
      ordered.push(inOrder);
      for (const n of inOrder) {
        const d = docs.get(n.unid);
        if (d === undefined) docs.set(n.unid, { base: n.seq, times: [n.seqTime], copies: [n], name: n.unid });
        else {
          d.copies.push(n);
          if (n.seq < d.base) d.base = n.seq;
          if (!d.times.includes(n.seqTime)) d.times.push(n.seqTime);
        }
      }
    }
  }
  for (const docs of byDb.values()) {
    for (const d of docs.values()) if (d.times.length > 1) sortNumbers(d.times);
    // Conflict documents get names from what they are, not from the hash of concrete values: the least over their
    // copies, so the name does not depend on which server's copy comes first (servers may be renamed). A `$REF` to a
    // conflict document stands for that document's name, made first. [choice] A cycle of `$REF`s (only a log's own
    // documents saved with `$Conflict` can make one) keeps the UNID where it closes, as abstractStateHash does.
    const named = new Set<DocNorm>();
    const naming = new Set<DocNorm>();
    const nameOf = (d: DocNorm): string => {
      if (named.has(d) || !d.copies.some(isConflictDoc)) return d.name;
      naming.add(d);
      let best: string | undefined;
      for (const n of d.copies) {
        // (A copy deleted here, a stub, has no items: it names nothing. See abstractStateHash.)
        if (!isConflictDoc(n)) continue;
        const ref = refOf(n);
        const refNorm = docs.get(ref);
        // [choice] With no document of its `$REF` here, no number: it was the copy's seq as it stood, so states that
        // differ only by how far the counters ran were told apart (a review, 2026-12-06). Each copy's seq against the
        // conflict document's least is in its own text.
        const seq = refNorm !== undefined ? conflictSeqKey(d.base - refNorm.base, linkOf(refNorm.copies, refNorm.copies.length, refNorm.times, refNorm.times.length, n)) : 0;
        const refName = refNorm !== undefined && !naming.has(refNorm) && refNorm.copies.some(isConflictDoc) ? nameOf(refNorm) : ref;
        const name = `C(${refName},${seq},${conflictItemsText(n)})`;
        if (best === undefined || name < best) best = name;
      }
      naming.delete(d);
      named.add(d);
      d.name = best!;
      return d.name;
    };
    for (const d of docs.values()) nameOf(d);
  }
  return { byDb, ordered };
}

/**
 * Where the version a conflict document was made from (its loser: the document's first version has the loser's `seq`
 * and `seqTime`, R5, and its UNID is the hash of them) is still the current version of a copy of the document it
 * refers to: that version's rank among the document's times, or -1. A later conflict over a copy holding that version
 * makes the very same conflict document, over another version a new one, whatever was saved to the conflict document
 * since: the name keeps which (an explore QA pass: 3 servers, one document, two states named alike, one whose Gamma
 * held Alpha's losing version, made 2 and 3 documents on the same next step).
 */
function linkOf(copies: readonly Note[], nc: number, times: readonly number[], nt: number, n: Note, info?: NoteInfo): number {
  // (With an info, the origin is kept there alone: kept in the WeakMap too, each conflict document's new version cost
  // an ephemeron and the table's rehashing, 4% of an exploration's profile. A null, no origin, is kept too: `??=`
  // asked again each time, a review.)
  const o = info === undefined ? rememberedOriginOf(n) : info.origin !== undefined ? info.origin : (info.origin = originOf(n));
  if (o === null) return -1;
  for (let c = 0; c < nc; c++) {
    const x = copies[c]!;
    if (x.seq !== o.seq || x.seqTime !== o.seqTime) continue;
    for (let i = 0; i < nt; i++) if (times[i] === o.seqTime) return i;
  }
  return -1;
}

/**
 * The version a conflict document was made from: of its current version and its revisions (newest first), the one
 * whose hash is its UNID (conflictUnidOf); null when none is (a log's own document saved with `$Conflict`).
 * Remembered per note by its callers (notes are immutable): in the note's info, or rememberedOriginOf.
 */
function originOf(n: Note): { readonly seq: number; readonly seqTime: number } | null {
  let o: { readonly seq: number; readonly seqTime: number } | null = null;
  const ref = refOf(n);
  if (ref !== '') {
    if (conflictUnidFor(ref, n.seq, n.seqTime) === n.unid) o = { seq: n.seq, seqTime: n.seqTime };
    else {
      const r = n.revisions;
      for (let i = r.length - 1; i >= 0; i--) {
        if (conflictUnidFor(ref, r.seqAt(i), r.timeAt(i)) === n.unid) {
          o = { seq: r.seqAt(i), seqTime: r.timeAt(i) };
          break;
        }
      }
    }
  }
  return o;
}

/** originOf, remembered per note (gatherDocs' text keys, which keep no info). */
function rememberedOriginOf(n: Note): { readonly seq: number; readonly seqTime: number } | null {
  let o = origins.get(n);
  if (o === undefined) origins.set(n, (o = originOf(n)));
  return o;
}
const origins = new WeakMap<Note, { readonly seq: number; readonly seqTime: number } | null>();

/** A conflict document's `seq` part of its name: the number, and `~rank` when its origin is a current version (linkOf). */
function conflictSeqKey(seq: number, link: number): number | string {
  if (link < 0) return seq;
  // The usual small ones made once (the text was made per conflict document and transition: a thirtieth of an
  // exploration's allocation).
  if (seq >= 0 && seq < SEQ_KEYS_KEPT && link < LINK_KEYS_KEPT) {
    const byLink = (seqKeys[seq] ??= []);
    return (byLink[link] ??= `${seq}~${link}`);
  }
  return `${seq}~${link}`;
}
const SEQ_KEYS_KEPT = 64;
const LINK_KEYS_KEPT = 16;
const seqKeys: string[][] = [];

/**
 * The first `n` numbers of `xs` ascending, in place (insertion sort: a document has a copy per server, a few;
 * Array.prototype.sort allocates).
 */
function sortNumbers(xs: number[], n: number = xs.length): void {
  for (let i = 1; i < n; i++) {
    const x = xs[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]! > x) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = x;
  }
}

/**
 * The canonical text of the abstract state under each of several server orders (renamings), sharing the work that
 * does not depend on the order: exploration with symmetry takes the least of them. Equal text, same future (up to
 * the renaming). Each document's items appear as a 64-bit digest of their canonical text.
 */
export function abstractStateKeys(src: AbstractSource, orders: readonly (readonly string[])[]): string[] {
  const { byDb, ordered } = gatherDocs(src);
  // Documents whose names collide (see `sharing` below): where each one's copies are, queued and referred to; and the
  // copies (server, text) of each document the sharing describes, those colliding and those referring to them.
  const colliding = new Map<DocNorm, { db: string; queued: [string, string, number][]; referrers: DocNorm[] }>();
  const sharedCopies = new Map<DocNorm, [string, string][]>();
  for (const [db, docs] of byDb) {
    const byName = new Map<string, DocNorm[]>();
    for (const d of docs.values()) {
      const list = byName.get(d.name);
      if (list === undefined) byName.set(d.name, [d]);
      else list.push(d);
    }
    for (const list of byName.values()) {
      if (list.length < 2) continue;
      for (const d of list) {
        colliding.set(d, { db, queued: [], referrers: [] });
        sharedCopies.set(d, []);
      }
    }
    if (colliding.size === 0) continue;
    for (const d of docs.values()) {
      const refs = new Set<DocNorm>();
      for (const n of d.copies) {
        if (!isConflictDoc(n)) continue;
        const refNorm = docs.get(refOf(n));
        if (refNorm !== undefined && colliding.has(refNorm)) refs.add(refNorm);
      }
      for (const r of refs) colliding.get(r)!.referrers.push(d);
      if (refs.size > 0 && !sharedCopies.has(d)) sharedCopies.set(d, []);
    }
  }
  // Each replica's documents, as text that does not depend on server names.
  const replicaText = new Map<AbstractReplica, string>();
  let ri = 0;
  for (const srv of src.servers) {
    for (const r of srv.replicas) {
      const docs = byDb.get(r.db)!;
      const texts: string[] = [];
      const inOrder = ordered[ri++]!;
      for (let rank = 0; rank < inOrder.length; rank++) {
        const note = inOrder[rank]!;
        const { base, times, copies, name } = docs.get(note.unid)!;
        let revs = '';
        if (copies.length > 1) {
          const revisions = note.revisions;
          for (let v = 0; v < revisions.length; v++) {
            const sq = revisions.seqAt(v);
            const t = revisions.timeAt(v);
            for (const c of copies) {
              if (c !== note && c.seq === sq && c.seqTime === t) {
                revs += `${sq - base}@${times.indexOf(t)},`;
                break;
              }
            }
          }
        }
        const line = `${name}|${note.seq - base}|${times.indexOf(note.seqTime)}|${note.deleted ? 1 : 0}|${revs}|${itemsDigest(note, base)}|${rank + 1}`;
        texts.push(line);
        sharedCopies.get(docs.get(note.unid)!)?.push([srv.name, line]);
      }
      if (texts.length > 1) texts.sort();
      replicaText.set(r, texts.join('\n'));
    }
  }
  const byName = new Map<string, AbstractServer>();
  for (const s of src.servers) byName.set(s.name, s);
  if (colliding.size > 0) {
    for (const srv of src.servers) {
      for (const q of srv.queues) {
        const docs = byDb.get(q.db);
        q.unids.forEach((u, i) => {
          const d = docs?.get(u);
          if (d !== undefined) colliding.get(d)?.queued.push([srv.name, q.mate, i]);
        });
      }
    }
  }
  const work = src.work.join(',');
  return orders.map((servers) => {
    const rename = new Map<string, string>();
    servers.forEach((name, i) => rename.set(name, `S${i}`));
    let out = '';
    for (const name of servers) {
      const srv = byName.get(name)!;
      let t = `${srv.up ? 1 : 0}|${JSON.stringify(srv.definitions)}|`;
      if (srv.store.size > 0) t += JSON.stringify([...srv.store].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
      for (const r of srv.replicas) {
        const hs: string[] = [];
        for (const [sender, h] of r.historyMap()) {
          const senderRep = byName.get(sender)?.replicas.find((x) => x.db === r.db);
          hs.push(`${rename.get(sender) ?? sender}:${senderRep === undefined ? 0 : senderRep.coveredUpTo(h)}`);
        }
        if (hs.length > 1) hs.sort();
        t += `\n[${r.db}]\n${replicaText.get(r)}\nH ${hs.join(',')}`;
      }
      const queues: string[] = [];
      for (const q of srv.queues) {
        const docs = byDb.get(q.db);
        let us = '';
        for (const u of q.unids) us += `${us === '' ? '' : ','}${docs?.get(u)?.name ?? u}`;
        queues.push(`${rename.get(q.mate) ?? q.mate}|${q.db}|${us}|${q.waiting ? 1 : 0}`);
      }
      if (queues.length > 1) queues.sort();
      out += `${t}\nQ ${queues.join(';')}\n#\n`;
    }
    // Documents whose names collide: each one's copies by server position, its places in queues, its referrers (each
    // by its name and its copies: by name alone, two referrers of one name referring each to the document on its own
    // side, or each to the other's, read alike, a review).
    const copiesText = (d: DocNorm): string =>
      sharedCopies
        .get(d)!
        .map(([srv, line]) => `${rename.get(srv) ?? srv}:${line}`)
        .sort()
        .join(';');
    const sharing: string[] = [];
    for (const [d, c] of colliding) {
      const queued = c.queued.map(([srv, mate, i]) => `${rename.get(srv) ?? srv}>${rename.get(mate) ?? mate}@${i}`).sort();
      const referrers = c.referrers.map((x) => `${x.name}{${copiesText(x)}}`).sort();
      sharing.push(`${JSON.stringify(c.db)}|${d.name}|${copiesText(d)}|${queued.join(';')}|${referrers.join('/')}`);
    }
    sharing.sort();
    // Partition groups, canonically: which servers share a group, by position.
    const groups = servers.map((name) => byName.get(name)!.group);
    // Pending on-write scans: the server by position, the document by name.
    const scans = (src.scans ?? []).map((x) => `${rename.get(x.server) ?? x.server}:${JSON.stringify(x.db)}:${byDb.get(x.db)?.get(x.unid)?.name ?? x.unid}`).join(',');
    return `${out}${sharing.length > 0 ? `D ${sharing.join('\n')}\n#\n` : ''}G ${groups.map((g) => groups.indexOf(g)).join(',')}\n#\nW ${work}${scans === '' ? '' : `\nS ${scans}`}`;
  });
}

// ---------------------------------------------------------------- the same abstraction, hashed

// Exploration only compares keys, so it needs the abstract state's 64-bit hash, not its text: `abstractStateHash`
// feeds the very fields `abstractStateKeys` writes, in the same structure, into a two-lane hash as numbers, and never
// builds the text (building and then hashing it was over half of a transition's cost). Lists the text sorts (a
// replica's documents, histories, queues) are sorted here by their elements' hashes instead: a canonical order too.
// States with equal texts get equal hashes; that different texts get different hashes (but for 64-bit collisions) is
// tested on every state of several explorations.

/** Two independent 32-bit lanes (murmur3-style steps, different constants per lane): a 64-bit hash of a sequence of ints. */
class Hasher {
  a = 0;
  b = 0;

  reset(seed: number): this {
    this.a = seed ^ 0x9747b28c;
    this.b = Math.imul(seed, 0x85ebca6b) ^ 0x5bd1e995;
    return this;
  }

  /** Feeds one integer. Only small ones come here (ranks, counts, differences of `seq`): `| 0` keeps 32 bits. */
  int(x: number): this {
    let k = Math.imul(x | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let a = this.a ^ k;
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let j = Math.imul(x | 0, 0x85ebca77);
    j = (j << 13) | (j >>> 19);
    j = Math.imul(j, 0xc2b2ae3d);
    let b = this.b ^ j;
    b = (b << 17) | (b >>> 15);
    this.b = (Math.imul(b, 9) + 0x27d4eb2f) | 0;
    return this;
  }

  pair(a: number, b: number): this {
    return this.int(a).int(b);
  }

  str(s: string): this {
    const h = stringHash(s);
    return this.int(s.length).pair(h[0]!, h[1]!);
  }

  /** Finalises into `out` (fmix32 on each lane, each lane also stirred by the other). */
  into(out: Uint32Array | number[], at = 0): void {
    let a = this.a;
    let b = this.b;
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    a = Math.imul(a, 0xc2b2ae35);
    a ^= a >>> 16;
    b ^= b >>> 15;
    b = Math.imul(b, 0x2c1b3c6d);
    b ^= b >>> 12;
    b = Math.imul(b, 0x297a2d39);
    b ^= b >>> 15;
    out[at] = (a ^ Math.imul(b, 0x27d4eb2f)) >>> 0;
    out[at + 1] = (b ^ Math.imul(a, 0x165667b1)) >>> 0;
  }
}

// Strings here are few and repeat at every transition (UNIDs, database names, definitions, conflict documents' item
// texts): their hashes are remembered (a bounded cache of a pure function).
const stringHashes = new Map<string, Uint32Array>();
// The last few strings asked, compared by identity first: the same string objects (a database's name, a server's
// definitions, a UNID) are asked several times per state, and a Map lookup hashes and compares them each time.
// (Empty slots hold undefined, never a string: a slot '' with a zero hash made '' hash two ways, found at depth 9.)
const recentStrings: (string | undefined)[] = [undefined, undefined, undefined, undefined];
const recentHashes: Uint32Array[] = [new Uint32Array(2), new Uint32Array(2), new Uint32Array(2), new Uint32Array(2)];
let recentNext = 0;
function stringHash(s: string): Uint32Array {
  for (let i = 0; i < 4; i++) if (recentStrings[i] === s) return recentHashes[i]!;
  const h = mappedStringHash(s);
  recentStrings[recentNext] = s;
  recentHashes[recentNext] = h;
  recentNext = (recentNext + 1) & 3;
  return h;
}
function mappedStringHash(s: string): Uint32Array {
  let h = stringHashes.get(s);
  if (h === undefined) {
    h = new Uint32Array(2);
    hash64Words(s, h);
    if (stringHashes.size >= 4096) stringHashes.clear();
    stringHashes.set(s, h);
  }
  return h;
}

const tmp = new Uint32Array(2);

// Each item's hash (of its text), remembered by (name, value) like its text, as two numbers.
const itemHashes = new ByNameAndValue((i: Item): { readonly a: number; readonly b: number } => {
  const t = textOfItem(i);
  hash64Words(t, tmp);
  return { a: (tmp[0]! ^ t.length) >>> 0, b: tmp[1]! };
});
// A conflict document's `$REF` item's hash, of its text without the value (conflictRefText), remembered likewise.
const conflictRefHashes = new ByNameAndValue((i: Item): { readonly a: number; readonly b: number } => {
  const t = conflictRefText(i);
  hash64Words(t, tmp);
  return { a: (tmp[0]! ^ t.length) >>> 0, b: tmp[1]! };
});

/**
 * What the hash needs of a note and can remember (notes are immutable): whether it is a conflict document, its
 * `$REF`, the hash of the items that name it (and their text, when a comparison needs it), and the hash of its items
 * relative to the last base it was asked at (a note's base rarely changes). Kept in the note's `memo` (a WeakMap
 * lookup per copy and transition cost a tenth of exploration, its entries more in garbage collection); a note frozen
 * for an untrusted design cannot take one and uses the WeakMap.
 */
class NoteInfo implements NoteMemo {
  /**
   * A conflict document's items but `$Conflict` and `$REF`: the hash of their texts in order (made with the info), and
   * their text (conflictItemsText, once a comparison of names needs it). The text is those item texts written one
   * after another, and can be cut back into them (each is a JSON name, `=`, a JSON value, `@`): a function of each other.
   */
  ctext: string | undefined = undefined;
  ct0 = 0;
  ct1 = 0;
  /** A conflict document's origin (originOf), once asked (undefined: not yet). */
  origin: { readonly seq: number; readonly seqTime: number } | null | undefined = undefined;
  /** The base `a`/`b` were computed at (NaN: not yet). */
  base = Number.NaN;
  a = 0;
  b = 0;

  constructor(
    readonly conflict: boolean,
    readonly ref: string,
  ) {}

  /** Left out of JSON.stringify(note). */
  toJSON(): undefined {
    return undefined;
  }
}

const frozenInfos = new WeakMap<Note, NoteInfo>();

function infoOf(n: Note): NoteInfo {
  const m = n.memo;
  if (m !== undefined) return m as NoteInfo;
  const frozen = Object.isFrozen(n);
  if (frozen) {
    const x = frozenInfos.get(n);
    if (x !== undefined) return x;
  }
  const conflict = isConflictDoc(n);
  const x = new NoteInfo(conflict, conflict ? refOf(n) : '');
  if (conflict) {
    const h = itemsHasher.reset(37);
    let count = 0;
    for (const i of n.items) {
      if (i.key === '$conflict' || i.key === '$ref') continue;
      const ih = itemHashes.get(i);
      h.pair(ih.a, ih.b);
      count++;
    }
    h.int(count).into(tmp);
    x.ct0 = tmp[0]!;
    x.ct1 = tmp[1]!;
  }
  if (frozen) frozenInfos.set(n, x);
  else n.memo = x;
  return x;
}

const nameHasher = new Hasher();

/** The note's conflictItemsText, remembered in its info. */
function conflictText(n: Note, info: NoteInfo): string {
  return (info.ctext ??= conflictItemsText(n));
}

/**
 * The hash of a conflict document's name `C(ref,seq,items)` (gatherDocs), into `out`, from its parts: the name is
 * never written (writing and hashing it per transition was a twentieth of exploration). A function of the name: the
 * parts can be read back from it when `ref` has no comma (a UNID never has); otherwise the name itself is hashed.
 */
function conflictNameHash(n: Note, info: NoteInfo, ref: string, seq: number | string, out: number[]): void {
  if (ref.includes(',')) nameHasher.reset(29).str(`C(${ref},${seq},${conflictText(n, info)})`).into(out);
  else if (typeof seq === 'number') nameHasher.reset(33).str(ref).int(seq).pair(info.ct0, info.ct1).into(out);
  else nameHasher.reset(37).str(ref).str(seq).pair(info.ct0, info.ct1).into(out);
}

/**
 * Strings as `<` orders them (<0, 0, >0). At module level: a function made inside a hot function is wrapped by tsx's
 * keepNames helper (`__name`, a defineProperty) each time it is made: 3% of an exploration's time, measured.
 */
function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * How `C(refA,seqA,textA)` compares with `C(refB,seqB,textB)` as strings (<0, 0, >0), mostly without writing them:
 * the texts are asked for only when they decide, and `sameText` (their items hash alike) settles a tie unwritten.
 */
export function compareConflictNames(refA: string, seqA: number | string, textA: () => string, refB: string, seqB: number | string, textB: () => string, sameText = false): number {
  if (refA !== refB) return cmp(`C(${refA},${seqA},${textA()})`, `C(${refB},${seqB},${textB()})`);
  // The same prefix: then the numbers up to their comma decide, or, equal, the texts up to the closing parenthesis.
  if (seqA !== seqB) return cmp(`${seqA},`, `${seqB},`);
  if (sameText) return 0;
  const a = textA();
  const b = textB();
  return a === b ? 0 : cmp(`${a})`, `${b})`);
}

/** itemsDigest as two words: per item its text and `itemSeq` relative to `base` (remembered per note and base). */
function itemsHash(note: Note, info: NoteInfo, base: number, h: Hasher): void {
  if (info.base !== base) {
    const x = itemsHasher.reset(3);
    for (const i of note.items) {
      // (A conflict document's `$REF` without its value, as itemsDigest writes it: conflictRefText.)
      const ih = info.conflict && i.key === '$ref' ? conflictRefHashes.get(i) : itemHashes.get(i);
      x.pair(ih.a, ih.b).int(Math.max(i.seq - base, -1));
    }
    x.int(note.items.length).into(tmp);
    info.base = base;
    info.a = tmp[0]!;
    info.b = tmp[1]!;
  }
  h.pair(info.a, info.b);
}
const itemsHasher = new Hasher();

/**
 * Sorts pairs of words stored flat ([a0, b0, a1, b1, ...]) in place and feeds them, in that order, into `h`. An
 * insertion sort: the lists are a replica's few documents or a server's few queues, and Array.prototype.sort
 * allocates about a kilobyte per call.
 */
function feedSortedPairs(flat: number[], h: Hasher, n: number = flat.length >> 1): void {
  // Insertion sort for the short lists of most states; a sort by index past that: quadratic, it made a search over
  // 20,000 documents take 13 s for its first 10 states (the same order: pairs ascending, equal pairs alike).
  if (n > 64) sortPairs(flat, n);
  for (let i = 1; i < n; i++) {
    const a = flat[2 * i]!;
    const b = flat[2 * i + 1]!;
    let j = i - 1;
    while (j >= 0 && (flat[2 * j]! > a || (flat[2 * j] === a && flat[2 * j + 1]! > b))) {
      flat[2 * j + 2] = flat[2 * j]!;
      flat[2 * j + 3] = flat[2 * j + 1]!;
      j--;
    }
    flat[2 * j + 2] = a;
    flat[2 * j + 3] = b;
  }
  for (let i = 0; i < n; i++) h.pair(flat[2 * i]!, flat[2 * i + 1]!);
  h.int(n);
}

/** Sorts the first `n` pairs of `flat` ascending (by first, then second number), in O(n log n). */
function sortPairs(flat: number[], n: number): void {
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((x, y) => {
    const a = flat[2 * x]!;
    const b = flat[2 * y]!;
    if (a !== b) return a < b ? -1 : 1;
    const c = flat[2 * x + 1]!;
    const d = flat[2 * y + 1]!;
    return c < d ? -1 : c > d ? 1 : 0;
  });
  const copy = flat.slice(0, 2 * n);
  for (let k = 0; k < n; k++) {
    flat[2 * k] = copy[2 * order[k]!]!;
    flat[2 * k + 1] = copy[2 * order[k]! + 1]!;
  }
}

const scratch = new Hasher();
const orderHash = new Hasher();
const out2 = [0, 0];

/** All copies of one document across replicas (gatherDocs' DocNorm), reused from call to call. */
interface DocRec {
  db: string;
  unid: string;
  base: number;
  /** The copies' distinct `seqTime`s, ascending: the first `nt` of `times`. */
  readonly times: number[];
  nt: number;
  /** The copies: the first `nc` of `copies`, and their infos. */
  readonly copies: Note[];
  readonly infos: NoteInfo[];
  nc: number;
  /** The hash of the document's name (its UNID, or a conflict document's least `C(...)` name). */
  n0: number;
  n1: number;
  /** The record of the same UNID in another database. */
  next: DocRec | undefined;
  /** The call that last filled it (`gen`): a record of an earlier call stands for no document. */
  gen: number;
  /** The call whose name `n0`/`n1` is made (`named`), or is being made (`naming`: a `$REF` cycle stops there). */
  named: number;
  naming: number;
  /** A conflict document's least name, by its parts (the copy, its `$REF`'s name, its `seq`), and as text once asked. */
  bestCopy: number;
  bestRef: string;
  /** The `seq` part of the name (conflictSeqKey). */
  bestSeq: number | string;
  nameText: string | undefined;
  /** Whether some copy is a conflict document (this call's). */
  conflict: boolean;
  /** The call in which another document of its database had the same name (see abstractStateHash's sharing). */
  collGen: number;
  /** The call in which it refers to a document whose name collides (its copies then count: sharingHash). */
  refGen: number;
  /** Then (this call's, when `collGen` or `refGen` is): its copies, as pairs [flat index, server index]. */
  readonly shareAt: number[];
  nshare: number;
  /** When `collGen` is: its places in queues (indices into mOwner, mMate...), and the documents whose `$REF` names it. */
  readonly queuedAt: number[];
  nqueued: number;
  readonly referrers: DocRec[];
  nreferrers: number;
  /** The hash of the UNID as a document's name (made with the record). */
  readonly u0: number;
  readonly u1: number;
}

// The hash's working memory, kept between calls (it runs per transition, and allocating it was a fifth of its cost
// in garbage collection). Not re-entrant: nothing it calls calls it.
/**
 * The records of this call (`active`, the first `nrec`) and every record made so far by UNID (then database). The map
 * is kept from call to call, its records marked with the call's `gen` when filled: clearing a Map allocates a new
 * table, and that was the hash's most expensive line. Bounded: cleared past RECORDS_KEPT records.
 */
const active: DocRec[] = [];
const recByUnid = new Map<string, DocRec>();
let recCount = 0;
let gen = 0;
const RECORDS_KEPT = 4096;
/** Per replica, in the order of src.servers and their replicas: its documents in change order, and their records. */
const flatNotes: Note[] = [];
const flatInfos: NoteInfo[] = [];
/** What the working memory holds between calls instead of a note (so that none is kept alive). */
const NO_NOTE: Note = Object.freeze({ unid: '', seq: 0, seqTime: 0, revisions: Revisions.EMPTY, deleted: true, items: [] });
const flatRecs: DocRec[] = [];
const repStart: number[] = [];
const repA: number[] = [];
const repB: number[] = [];
/** Per server: its first replica's index; per replica: its history entries (sender's server index or -1, name, covered). */
const srvRepStart: number[] = [];
const histStart: number[] = [];
const histSender: number[] = [];
const histName: string[] = [];
const histCovered: number[] = [];
/** Per server: its queues' mates (server index or -1, name) and hashes of the rest of each queue. */
const srvQStart: number[] = [];
const qMate: number[] = [];
const qMateName: string[] = [];
const qA: number[] = [];
const qB: number[] = [];
/** Per server, the hash of what does not depend on the order of servers. */
const fixedA: number[] = [];
const fixedB: number[] = [];
const fixedHasher = new Hasher();
const posOf: number[] = [];
const srvAt: number[] = [];
const inner: number[] = [];
const flat: number[] = [];

/** Per server, its signature for choosing orders (abstractStateHash): what any renaming of the servers keeps. */
const sigA: number[] = [];
const sigB: number[] = [];
const sigHasher = new Hasher();

/** The positions whose server differs between the orders (the permuted ones), by the orders' list (remembered). */
const permutedOf = new WeakMap<readonly (readonly string[])[], readonly number[]>();
function permutedPositions(orders: readonly (readonly string[])[]): readonly number[] {
  let p = permutedOf.get(orders);
  if (p === undefined) {
    const first = orders[0] ?? [];
    p = first.map((_, i) => i).filter((i) => orders.some((o) => o[i] !== first[i]));
    permutedOf.set(orders, p);
  }
  return p;
}

/** Whether the order in `srvAt` lists the servers at the permuted positions by ascending signature. */
function bySignature(permuted: readonly number[]): boolean {
  for (let k = 1; k < permuted.length; k++) {
    const x = srvAt[permuted[k - 1]!]!;
    const y = srvAt[permuted[k]!]!;
    if (sigB[y]! < sigB[x]! || (sigB[y] === sigB[x] && sigA[y]! < sigA[x]!)) return false;
  }
  return true;
}

/** `scratch` started with `seed` and a server: its position in the order being hashed, or its name if not a server. */
function renamed(seed: number, server: number, name: string): Hasher {
  scratch.reset(seed);
  return server >= 0 && posOf[server]! >= 0 ? scratch.int(posOf[server]!) : scratch.str(name);
}

// Documents whose names collide (abstractStateHash's sharing): the call's, by `findCollisions`; their places in
// queues (the record, the queue's server and mate, the place); their copies' hashes, by flat index.
const collRecs: (DocRec | undefined)[] = [];
const conflictRecs: (DocRec | undefined)[] = [];
const mOwner: number[] = [];
const mMate: number[] = [];
const mMateName: string[] = [];
const mPlace: number[] = [];
const copyA: number[] = [];
const copyB: number[] = [];
const shareInner: number[] = [];
const shareFlat: number[] = [];
const shareHasher = new Hasher();
const referrerHasher = new Hasher();
const shareRefs: number[] = [];

/**
 * Marks the call's conflict documents (the first `nconf` of `conflictRecs`) whose name another of the same database
 * has (`collGen`), lists them in `collRecs`, and gives each the documents whose `$REF` names it (`referrers`, each
 * marked `refGen`). Returns how many.
 */
function findCollisions(nrec: number, nconf: number): number {
  if (nconf > 64) {
    // Sorted by name, then each run of equal names compared (a search over thousands of documents: no n^2).
    const order = conflictRecs.slice(0, nconf).sort((x, y) => x!.n1 - y!.n1 || x!.n0 - y!.n0) as DocRec[];
    for (let i = 0; i < nconf; ) {
      let j = i + 1;
      while (j < nconf && order[j]!.n0 === order[i]!.n0 && order[j]!.n1 === order[i]!.n1) j++;
      for (let x = i; x < j; x++) for (let y = x + 1; y < j; y++) if (order[x]!.db === order[y]!.db) order[x]!.collGen = order[y]!.collGen = gen;
      i = j;
    }
  } else {
    for (let x = 0; x < nconf; x++) {
      const a = conflictRecs[x]!;
      for (let y = x + 1; y < nconf; y++) {
        const b = conflictRecs[y]!;
        if (a.n0 === b.n0 && a.n1 === b.n1 && a.db === b.db) a.collGen = b.collGen = gen;
      }
    }
  }
  let ncoll = 0;
  for (let k = 0; k < nconf; k++) {
    const d = conflictRecs[k]!;
    if (d.collGen !== gen) continue;
    collRecs[ncoll++] = d;
    d.nshare = 0;
    d.nqueued = 0;
    d.nreferrers = 0;
  }
  if (ncoll === 0) return 0;
  for (let k = 0; k < nrec; k++) {
    const x = active[k]!;
    if (!x.conflict) continue;
    for (let c = 0; c < x.nc; c++) {
      const info = x.infos[c]!;
      if (!info.conflict) continue;
      const r = recOf(x.db, info.ref);
      if (r === undefined || r.collGen !== gen) continue;
      // Once per referred document (the copies of one conflict document refer alike).
      let again = false;
      for (let e = 0; e < c && !again; e++) again = x.infos[e]!.conflict && x.infos[e]!.ref === info.ref;
      if (again) continue;
      r.referrers[r.nreferrers++] = x;
      if (x.refGen !== gen && x.collGen !== gen) x.nshare = 0;
      x.refGen = gen;
    }
  }
  return ncoll;
}

/** Lists each copy of the documents the sharing describes (colliding or referring) in its record, with its server. */
function listSharedCopies(nflat: number): void {
  let si = 0;
  for (let k = 0; k < nflat; k++) {
    while (repStart[srvRepStart[si + 1]!]! <= k) si++;
    const d = flatRecs[k]!;
    if (d.collGen !== gen && d.refGen !== gen) continue;
    d.shareAt[2 * d.nshare] = k;
    d.shareAt[2 * d.nshare + 1] = si;
    d.nshare++;
  }
}

/** A document's copies, each by the position of its server in the order being hashed and its hash, as a multiset. */
function copiesHash(d: DocRec, servers: readonly AbstractServer[], g: Hasher): void {
  let ni = 0;
  for (let c = 0; c < d.nshare; c++) {
    const k = d.shareAt[2 * c]!;
    const si = d.shareAt[2 * c + 1]!;
    renamed(59, si, servers[si]!.name).pair(copyA[k]!, copyB[k]!).into(out2);
    shareInner[ni++] = out2[0]!;
    shareInner[ni++] = out2[1]!;
  }
  feedSortedPairs(shareInner, g, ni >> 1);
}

/** Keeps a colliding document's place in a queue (the queue's server, its mate's index and name, the place). */
function noteQueued(nm: number, d: DocRec, si: number, q: number, mate: string, place: number): number {
  d.queuedAt[d.nqueued++] = nm;
  mOwner[nm] = si;
  mMate[nm] = qMate[q]!;
  mMateName[nm] = mate;
  mPlace[nm] = place;
  return nm + 1;
}

/** The working memory of the sharing holds no record past the call. */
function forgetSharing(ncoll: number, nconf: number): void {
  for (let k = 0; k < ncoll; k++) collRecs[k] = undefined;
  for (let k = 0; k < nconf; k++) conflictRecs[k] = undefined;
}

/**
 * The documents whose names collide, under the order being hashed (`posOf`), into `h`: for each, its database and
 * name, its copies' hashes by the position of their server, its places in queues, the documents that refer to it (by
 * name and copies); the documents as a multiset. (abstractStateKeys' `D` lines.)
 */
function sharingHash(ncoll: number, servers: readonly AbstractServer[], h: Hasher): void {
  let nf = 0;
  for (let j = 0; j < ncoll; j++) {
    const d = collRecs[j]!;
    const g = shareHasher.reset(61).str(d.db).pair(d.n0, d.n1);
    copiesHash(d, servers, g);
    let ni = 0;
    for (let e = 0; e < d.nqueued; e++) {
      const m = d.queuedAt[e]!;
      renamed(67, mMate[m]!, mMateName[m]!).int(posOf[mOwner[m]!]!).int(mPlace[m]!).into(out2);
      shareInner[ni++] = out2[0]!;
      shareInner[ni++] = out2[1]!;
    }
    feedSortedPairs(shareInner, g, ni >> 1);
    // Its referrers, each by its name and its copies (by name alone, two referrers of one name referring each to
    // the document on its own side, or each to the other's, read alike: a review).
    let nr = 0;
    for (let e = 0; e < d.nreferrers; e++) {
      const x = d.referrers[e]!;
      const rh = referrerHasher.reset(71).pair(x.n0, x.n1);
      copiesHash(x, servers, rh);
      rh.into(out2);
      shareRefs[nr++] = out2[0]!;
      shareRefs[nr++] = out2[1]!;
    }
    feedSortedPairs(shareRefs, g, nr >> 1);
    g.into(out2);
    shareFlat[nf++] = out2[0]!;
    shareFlat[nf++] = out2[1]!;
  }
  feedSortedPairs(shareFlat, h, nf >> 1);
}

/** The index of the server called `name` in `servers`, or -1. */
function serverIndex(servers: readonly AbstractServer[], name: string): number {
  for (let i = 0; i < servers.length; i++) if (servers[i]!.name === name) return i;
  return -1;
}

/** The hash of a document's name when it is its UNID, into `out`. */
function unidNameHash(unid: string, out: number[]): void {
  nameHasher.reset(31).str(unid).into(out);
}

/** This call's record of the document, if it has one. */
function recOf(db: string, unid: string): DocRec | undefined {
  let d = recByUnid.get(unid);
  while (d !== undefined && d.db !== db) d = d.next;
  return d !== undefined && d.gen === gen ? d : undefined;
}

/** The document's record, made or taken over for this call (its `gen` is then this call's; the caller fills it). */
function recFor(db: string, unid: string): DocRec {
  const head = recByUnid.get(unid);
  let d = head;
  while (d !== undefined && d.db !== db) d = d.next;
  if (d === undefined) {
    unidNameHash(unid, out2);
    d = { db, unid, base: 0, times: [], nt: 0, copies: [], infos: [], nc: 0, n0: 0, n1: 0, next: head, gen: -1, named: -1, naming: -1, bestCopy: 0, bestRef: '', bestSeq: 0, nameText: undefined, conflict: false, collGen: -1, refGen: -1, shareAt: [], nshare: 0, queuedAt: [], nqueued: 0, referrers: [], nreferrers: 0, u0: out2[0]!, u1: out2[1]! };
    recByUnid.set(unid, d);
    recCount++;
  }
  return d;
}

/**
 * A conflict document's least name over its copies, as gatherDocs chooses it, and its hash into `n0`/`n1` (once per
 * call). A `$REF` to a conflict document of this call stands for that document's name, named first; one whose naming
 * is under way (a cycle of `$REF`s) stands as its UNID, as in gatherDocs.
 */
function nameConflict(d: DocRec): void {
  if (d.named === gen) return;
  d.naming = gen;
  let best = -1;
  let bestSeq: number | string = 0;
  let bestRef = '';
  for (let c = 0; c < d.nc; c++) {
    const n = d.copies[c]!;
    const info = d.infos[c]!;
    if (!info.conflict) continue; // a stub: see abstractStateHash
    const refRec = recOf(d.db, info.ref);
    const seq = refRec !== undefined ? conflictSeqKey(d.base - refRec.base, linkOfRec(refRec, n, info)) : 0; // (as in gatherDocs)
    const underWay = refRec !== undefined && refRec.naming === gen && refRec.named !== gen;
    const ref = refRec !== undefined && !underWay && refRec.conflict ? conflictNameText(refRec) : info.ref;
    if (best >= 0) {
      const b = d.infos[best]!;
      const bn = d.copies[best]!;
      const sameText = info.ct0 === b.ct0 && info.ct1 === b.ct1;
      if (compareConflictNames(ref, seq, () => conflictText(n, info), bestRef, bestSeq, () => conflictText(bn, b), sameText) >= 0) continue;
    }
    best = c;
    bestSeq = seq;
    bestRef = ref;
  }
  d.bestCopy = best;
  d.bestRef = bestRef;
  d.bestSeq = bestSeq;
  d.nameText = undefined;
  conflictNameHash(d.copies[best]!, d.infos[best]!, bestRef, bestSeq, out2);
  d.n0 = out2[0]!;
  d.n1 = out2[1]!;
  d.named = gen;
}

/** A conflict document's name as gatherDocs writes it, `C(ref,seq,items)`, naming it first (rare: conflicts of conflicts). */
function conflictNameText(d: DocRec): string {
  nameConflict(d);
  return (d.nameText ??= `C(${d.bestRef},${d.bestSeq},${conflictText(d.copies[d.bestCopy]!, d.infos[d.bestCopy]!)})`);
}

/** linkOf over a record's copies (the first `nc`) and times (the first `nt`), the origin kept in the copy's info. */
function linkOfRec(d: DocRec, n: Note, info: NoteInfo): number {
  return linkOf(d.copies, d.nc, d.times, d.nt, n, info);
}

function indexOfTime(d: DocRec, t: number): number {
  const times = d.times;
  for (let i = 0; i < d.nt; i++) if (times[i] === t) return i;
  return -1;
}


/**
 * The least, over `orders`, of the 64-bit hash of the abstract state under that order (what `abstractStateKeys`
 * writes as text), into `out` as two words (low, high). Equal texts give equal hashes.
 *
 * The work that does not depend on the order is done once: documents (their normalisation and hashes), replicas (a
 * multiset of document hashes), histories (how many documents each covers), queues but their mate, scanner memory,
 * the kinds of pending work. Each order then only renames servers to positions, and hashes the pending on-write scans
 * by them (AbstractSource.scans: which server scans).
 */
export function abstractStateHash(src: AbstractSource, orders: readonly (readonly string[])[], out: Uint32Array): void {
  const servers = src.servers;
  // Every copy of every document, by database and UNID (as gatherDocs).
  if (recCount > RECORDS_KEPT) {
    recByUnid.clear();
    recCount = 0;
  }
  gen++;
  let nrec = 0;
  let nflat = 0;
  let nconf = 0;
  let ri = 0;
  for (let si = 0; si < servers.length; si++) {
    const srv = servers[si]!;
    srvRepStart[si] = ri;
    for (const r of srv.replicas) {
      repStart[ri++] = nflat;
      const db = r.db;
      const end = r.changeOrderInto(flatNotes, nflat);
      for (; nflat < end; nflat++) {
        const n = flatNotes[nflat]!;
        const d = recFor(db, n.unid);
        const info = infoOf(n);
        if (d.gen !== gen) {
          d.gen = gen;
          active[nrec++] = d;
          d.base = n.seq;
          d.times[0] = n.seqTime;
          d.nt = 1;
          d.copies[0] = n;
          d.infos[0] = info;
          d.nc = 1;
        } else {
          d.copies[d.nc] = n;
          d.infos[d.nc++] = info;
          if (n.seq < d.base) d.base = n.seq;
          if (indexOfTime(d, n.seqTime) < 0) d.times[d.nt++] = n.seqTime;
        }
        flatInfos[nflat] = info;
        flatRecs[nflat] = d;
      }
    }
  }
  repStart[ri] = nflat;
  srvRepStart[servers.length] = ri;
  // Names: a document's UNID; a conflict document's least name over its copies (see gatherDocs), a `$REF` to a
  // conflict document standing for that document's name (made first: nameConflict).
  for (let k = 0; k < nrec; k++) {
    const d = active[k]!;
    if (d.nt > 1) sortNumbers(d.times, d.nt);
    // [choice] A conflict document if any copy is one: a copy deleted on one server is a stub without items (no
    // `$Conflict`), and which copy came first decided (the first server's), so a state and its mirror image named
    // the document differently, by its UNID in one (a review, 2026-12-06). The stubs take no part in the name.
    let conflict = false;
    for (let c = 0; c < d.nc; c++) if (d.infos[c]!.conflict) conflict = true;
    d.conflict = conflict;
    if (conflict) conflictRecs[nconf++] = d;
    else {
      d.n0 = d.u0;
      d.n1 = d.u1;
      d.named = gen;
    }
  }
  for (let k = 0; k < nrec; k++) nameConflict(active[k]!);
  // Only conflict documents can share a name: any other is named by its UNID, one record per database.
  const ncoll = nconf > 1 ? findCollisions(nrec, nconf) : 0;
  if (ncoll > 0) listSharedCopies(nflat);
  // Each replica's documents, hashed as a multiset (sorted by hash), independent of server names.
  for (let r = 0; r < ri; r++) {
    let nf = 0;
    const start = repStart[r]!;
    const end = repStart[r + 1]!;
    for (let k = start; k < end; k++) {
      const note = flatNotes[k]!;
      const d = flatRecs[k]!;
      const base = d.base;
      const h = scratch.reset(7).pair(d.n0, d.n1).int(note.seq - base).int(indexOfTime(d, note.seqTime)).int(note.deleted ? 1 : 0);
      let revs = 0;
      const copies = d.copies;
      const nc = d.nc;
      if (nc > 1) {
        const revisions = note.revisions;
        for (let v = 0; v < revisions.length; v++) {
          const sq = revisions.seqAt(v);
          const t = revisions.timeAt(v);
          for (let c = 0; c < nc; c++) {
            const x = copies[c]!;
            if (x !== note && x.seq === sq && x.seqTime === t) {
              h.int(sq - base).int(indexOfTime(d, t));
              revs++;
              break;
            }
          }
        }
      }
      h.int(revs);
      itemsHash(note, flatInfos[k]!, base, h);
      h.int(k - start + 1).into(out2);
      if (d.collGen === gen || d.refGen === gen) {
        copyA[k] = out2[0]!;
        copyB[k] = out2[1]!;
      }
      flat[nf++] = out2[0]!;
      flat[nf++] = out2[1]!;
    }
    feedSortedPairs(flat, scratch.reset(11), nf >> 1);
    scratch.into(out2);
    repA[r] = out2[0]!;
    repB[r] = out2[1]!;
  }
  // Histories (how many of the sender's documents each covers), queues but their mate, scanner memory.
  let nh = 0;
  let nq = 0;
  let nm = 0;
  for (let si = 0; si < servers.length; si++) {
    const srv = servers[si]!;
    let r = srvRepStart[si]!;
    for (const rep of srv.replicas) {
      histStart[r++] = nh;
      for (const [sender, hist] of rep.historyMap()) {
        const sj = serverIndex(servers, sender);
        let covered = 0;
        if (sj >= 0) {
          for (const x of servers[sj]!.replicas) {
            if (x.db === rep.db) {
              covered = x.coveredUpTo(hist);
              break;
            }
          }
        }
        histSender[nh] = sj;
        histName[nh] = sender;
        histCovered[nh++] = covered;
      }
    }
    srvQStart[si] = nq;
    for (const q of srv.queues) {
      qMate[nq] = serverIndex(servers, q.mate);
      qMateName[nq] = q.mate;
      scratch.reset(23).str(q.db);
      let place = 0;
      for (const u of q.unids) {
        const d = recOf(q.db, u);
        if (d !== undefined && d.collGen === gen) nm = noteQueued(nm, d, si, nq, q.mate, place);
        place++;
        if (d !== undefined) scratch.pair(d.n0, d.n1);
        else {
          // Not in the replica: named by its UNID, as a document is.
          unidNameHash(u, out2);
          scratch.pair(out2[0]!, out2[1]!);
        }
      }
      scratch.int(q.unids.length).int(q.waiting ? 1 : 0).into(out2);
      qA[nq] = out2[0]!;
      qB[nq++] = out2[1]!;
    }
    // What does not depend on the order: up, definitions, scanner memory, each replica's database and documents.
    const f = fixedHasher.reset(43).int(srv.up ? 1 : 0).str(srv.definitions);
    if (srv.store.size > 0) {
      scratch.reset(13).str(JSON.stringify([...srv.store].sort((a, b) => (a[0] < b[0] ? -1 : 1)))).into(out2);
      f.pair(out2[0]!, out2[1]!);
    } else f.int(0);
    for (let r = srvRepStart[si]!; r < srvRepStart[si + 1]!; r++) f.str(srv.replicas[r - srvRepStart[si]!]!.db).pair(repA[r]!, repB[r]!);
    f.int(srv.replicas.length).into(out2);
    fixedA[si] = out2[0]!;
    fixedB[si] = out2[1]!;
  }
  histStart[ri] = nh;
  srvQStart[servers.length] = nq;
  scratch.reset(37);
  for (const w of src.work) scratch.str(w);
  scratch.int(src.work.length).into(out2);
  const work0 = out2[0]!;
  const work1 = out2[1]!;

  // Symmetry by canonical order, not by every order: each server's signature (what does not depend on the order, with
  // its histories' coverage and its queues but without the servers they name) is the same for a server and its image
  // under any renaming, so the orders that list the permuted servers by ascending signature are, for a state and its
  // renamed copy, images of each other, and the least hash over them is the same for both: a canonical key of the
  // orbit, as the least over every order is, found by hashing only those orders. Servers whose signatures differ are
  // never tried in both orders. (Every order was hashed: 720 per state with 6 servers, a search 10 times slower than
  // without symmetry, an explore QA pass.) The key differs from the least over every order, but it is a key of the
  // same partition of states: equal for renamings of each other, different otherwise (but for 64-bit collisions).
  // Where no order passes (a list of orders that is not every permutation of the permuted servers; explore's always
  // is), every order is hashed, as before: whether an order passes is the same across an orbit, so that stays canonical.
  if (orders.length > 1) {
    for (let si = 0; si < servers.length; si++) {
      const g = sigHasher.reset(47).pair(fixedA[si]!, fixedB[si]!);
      for (let r = srvRepStart[si]!; r < srvRepStart[si + 1]!; r++) {
        let ni = 0;
        for (let e = histStart[r]!; e < histStart[r + 1]!; e++) {
          inner[ni++] = histCovered[e]!;
          inner[ni++] = 0;
        }
        feedSortedPairs(inner, g, ni >> 1);
      }
      let ni = 0;
      for (let q = srvQStart[si]!; q < srvQStart[si + 1]!; q++) {
        inner[ni++] = qA[q]!;
        inner[ni++] = qB[q]!;
      }
      feedSortedPairs(inner, g, ni >> 1);
      g.into(out2);
      sigA[si] = out2[0]!;
      sigB[si] = out2[1]!;
    }
  }
  const permuted = permutedPositions(orders);

  let best0 = 0;
  let best1 = 0;
  let first = true;
  for (let pass = 0; pass < 2 && first; pass++) {
    for (const order of orders) {
      // Servers renamed to their positions in this order.
      for (let si = 0; si < servers.length; si++) posOf[si] = -1;
      for (let i = 0; i < order.length; i++) {
        const si = serverIndex(servers, order[i]!);
        posOf[si] = i;
        srvAt[i] = si;
      }
      if (pass === 0 && orders.length > 1 && !bySignature(permuted)) continue;
      const h = orderHash.reset(17);
      for (let i = 0; i < order.length; i++) {
        const si = srvAt[i]!;
        h.pair(fixedA[si]!, fixedB[si]!);
        // Then each replica's histories, in the order of the replicas (that `fixed` fed).
        for (let r = srvRepStart[si]!; r < srvRepStart[si + 1]!; r++) {
          let ni = 0;
          for (let e = histStart[r]!; e < histStart[r + 1]!; e++) {
            renamed(19, histSender[e]!, histName[e]!).int(histCovered[e]!).into(out2);
            inner[ni++] = out2[0]!;
            inner[ni++] = out2[1]!;
          }
          feedSortedPairs(inner, h, ni >> 1);
        }
        let ni = 0;
        for (let q = srvQStart[si]!; q < srvQStart[si + 1]!; q++) {
          renamed(41, qMate[q]!, qMateName[q]!).pair(qA[q]!, qB[q]!).into(out2);
          inner[ni++] = out2[0]!;
          inner[ni++] = out2[1]!;
        }
        feedSortedPairs(inner, h, ni >> 1);
      }
      if (ncoll > 0) sharingHash(ncoll, servers, h);
      // Partition groups, canonically: which servers share a group, by position.
      for (let i = 0; i < order.length; i++) {
        const g = servers[srvAt[i]!]!.group;
        let j = 0;
        while (servers[srvAt[j]!]!.group !== g) j++;
        h.int(j);
      }
      h.int(order.length).pair(work0, work1);
      // Pending on-write scans (AbstractSource.scans): the server by position, the document by name.
      const scans = src.scans;
      if (scans !== undefined && scans.length > 0) {
        for (const x of scans) {
          const d = recOf(x.db, x.unid);
          if (d !== undefined) h.pair(d.n0, d.n1);
          else {
            unidNameHash(x.unid, out2);
            h.pair(out2[0]!, out2[1]!);
          }
          h.int(posOf[serverIndex(servers, x.server)]!).str(x.db);
        }
        h.int(scans.length);
      }
      h.into(out2);
      if (first || out2[1]! < best1 || (out2[1] === best1 && out2[0]! < best0)) {
        best0 = out2[0]!;
        best1 = out2[1]!;
        first = false;
      }
    }
  }
  // The working memory holds no note past the call.
  for (let k = 0; k < nrec; k++) {
    const d = active[k]!;
    for (let c = 0; c < d.nc; c++) d.copies[c] = NO_NOTE;
  }
  for (let k = 0; k < nflat; k++) flatNotes[k] = NO_NOTE;
  if (nconf > 0) forgetSharing(ncoll, nconf);
  out[0] = best0;
  out[1] = best1;
}
