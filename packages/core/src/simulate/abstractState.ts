import type { Item, Note } from '../note/note.js';
import { hash64 } from '../util/fastHash.js';

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
// - conflict documents are named by their `$REF` and their abstract version, not by the hash of concrete times;
// - change numbers become each document's rank in its replica's change order, and a history point becomes how many
//   of the sender's documents it covers (R9 sends exactly the documents after it, in that order).
//
// Exploration computes this for every transition, so it is written for speed: it reads the simulator's own
// structures through `AbstractSource` (no intermediate view), nests maps instead of joining keys, and remembers the
// text of each Item object (items are immutable and shared between versions and replicas).

/** One replica, as the abstraction reads it. */
export interface AbstractReplica {
  readonly db: string;
  /** The documents in change-number order (oldest change first). */
  changeOrder(): readonly Note[];
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
}

const itemText = new WeakMap<Item, string>();

/** `"name"=value@` for an item: the part of its text that does not depend on the document's base `seq`. */
function textOfItem(i: Item): string {
  let t = itemText.get(i);
  if (t === undefined) {
    t = `${JSON.stringify(i.name)}=${JSON.stringify(i.value)}@`;
    itemText.set(i, t);
  }
  return t;
}

const itemsDigests = new WeakMap<Note, { base: number; digest: string }>();

/**
 * The note's items (name, value, `itemSeq` relative to `base`) as a 64-bit digest: the long part of a document's
 * text (attachments, tags), remembered per note and base (notes are immutable; a note's base rarely changes). The
 * key is hashed to 64 bits by exploration anyway.
 */
function itemsDigest(note: Note, base: number): string {
  const hit = itemsDigests.get(note);
  if (hit !== undefined && hit.base === base) return hit.digest;
  let items = '';
  // An item older than every current copy keeps only that fact (see the limitation above).
  for (const i of note.items) items += `${textOfItem(i)}${Math.max(i.seq - base, -1)};`;
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
 * The canonical text of the abstract state under each of several server orders (renamings), sharing the work that
 * does not depend on the order: exploration with symmetry takes the least of them. Equal text, same future (up to
 * the renaming). Each document's items appear as a 64-bit digest of their canonical text.
 */
export function abstractStateKeys(src: AbstractSource, orders: readonly (readonly string[])[]): string[] {
  // All copies of each document, across replicas: db -> unid -> normalisation.
  const byDb = new Map<string, Map<string, DocNorm>>();
  const ordered = new Map<AbstractReplica, readonly Note[]>();
  for (const srv of src.servers) {
    for (const r of srv.replicas) {
      let docs = byDb.get(r.db);
      if (docs === undefined) byDb.set(r.db, (docs = new Map()));
      const inOrder = r.changeOrder();
      ordered.set(r, inOrder);
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
    for (const d of docs.values()) {
      if (d.times.length > 1) d.times.sort((a, b) => a - b);
    }
    // Conflict documents get names from what they are, not from the hash of concrete values: the least over their
    // copies, so the name does not depend on which server's copy comes first (servers may be renamed).
    for (const d of docs.values()) {
      if (!isConflictDoc(d.copies[0]!)) continue;
      let best: string | undefined;
      for (const n of d.copies) {
        const ref = refOf(n);
        const refNorm = docs.get(ref);
        const seq = refNorm !== undefined ? n.seq - refNorm.base : n.seq;
        const name = `C(${ref},${seq},${conflictItemsText(n)})`;
        if (best === undefined || name < best) best = name;
      }
      d.name = best!;
    }
  }
  // Each replica's documents, as text that does not depend on server names.
  const replicaText = new Map<AbstractReplica, string>();
  for (const srv of src.servers) {
    for (const r of srv.replicas) {
      const docs = byDb.get(r.db)!;
      const texts: string[] = [];
      const inOrder = ordered.get(r)!;
      for (let rank = 0; rank < inOrder.length; rank++) {
        const note = inOrder[rank]!;
        const { base, times, copies, name } = docs.get(note.unid)!;
        let revs = '';
        if (copies.length > 1) {
          for (const [sq, t] of note.revisions) {
            for (const c of copies) {
              if (c !== note && c.seq === sq && c.seqTime === t) {
                revs += `${sq - base}@${times.indexOf(t)},`;
                break;
              }
            }
          }
        }
        texts.push(`${name}|${note.seq - base}|${times.indexOf(note.seqTime)}|${note.deleted ? 1 : 0}|${revs}|${itemsDigest(note, base)}|${rank + 1}`);
      }
      if (texts.length > 1) texts.sort();
      replicaText.set(r, texts.join('\n'));
    }
  }
  const byName = new Map<string, AbstractServer>();
  for (const s of src.servers) byName.set(s.name, s);
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
    // Partition groups, canonically: which servers share a group, by position.
    const groups = servers.map((name) => byName.get(name)!.group);
    return `${out}G ${groups.map((g) => groups.indexOf(g)).join(',')}\n#\nW ${work}`;
  });
}
