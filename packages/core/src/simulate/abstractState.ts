import type { Note } from '../note/note.js';
import type { SimView } from './simulator.js';

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


function isConflictDoc(note: Note): boolean {
  return note.items.some((i) => i.key === '$conflict');
}

function refOf(note: Note): string {
  const r = note.items.find((i) => i.key === '$ref');
  return r === undefined ? '' : String(r.value);
}

/** Canonical text of the abstract state: equal text, same future (up to renaming). */
export function abstractStateKey(view: SimView, serverOrder?: readonly string[]): string {
  return abstractStateKeys(view, [serverOrder ?? view.servers.map((s) => s.name)])[0]!;
}

/**
 * The canonical text of the abstract state under each of several server orders (renamings), sharing the work that
 * does not depend on the order: exploration with symmetry takes the least of them.
 */
export function abstractStateKeys(view: SimView, orders: readonly (readonly string[])[]): string[] {
  const byName = new Map(view.servers.map((s) => [s.name, s]));
  // All copies of each document, across replicas.
  const copies = new Map<string, Note[]>();
  for (const srv of view.servers) {
    for (const r of srv.replicas) {
      for (const d of r.docs) {
        const k = `${r.db}\u0000${d.note.unid}`;
        const list = copies.get(k);
        if (list === undefined) copies.set(k, [d.note]);
        else list.push(d.note);
      }
    }
  }
  const norm = new Map<string, { base: number; times: number[] }>();
  for (const [k, list] of copies) {
    let base = Infinity;
    const times: number[] = [];
    for (const n of list) {
      if (n.seq < base) base = n.seq;
      if (!times.includes(n.seqTime)) times.push(n.seqTime);
    }
    times.sort((a, b) => a - b);
    norm.set(k, { base, times });
  }
  // Conflict documents get names from what they are, not from the hash of concrete values.
  const docName = new Map<string, string>();
  for (const [k, list] of copies) {
    const n = list[0]!;
    if (!isConflictDoc(n)) {
      docName.set(k, n.unid);
      continue;
    }
    const db = k.slice(0, k.indexOf('\u0000'));
    const ref = refOf(n);
    const refNorm = norm.get(`${db}\u0000${ref}`);
    const seq = refNorm !== undefined ? n.seq - refNorm.base : n.seq;
    docName.set(k, `C(${ref},${seq},${n.items.filter((i) => i.key !== '$conflict' && i.key !== '$ref').map((i) => `${i.key}=${JSON.stringify(i.value)}`).join(';')})`);
  }
  // Each replica's documents, as text that does not depend on server names.
  const replicaText = new Map<string, string>();
  for (const srv of view.servers) {
    for (const r of srv.replicas) {
      const docs = [...r.docs].sort((a, b) => a.modifiedInFile - b.modifiedInFile);
      const texts: string[] = [];
      docs.forEach((d, rank) => {
        const k = `${r.db}\u0000${d.note.unid}`;
        const { base, times } = norm.get(k)!;
        const currents = copies.get(k)!;
        let revs = '';
        for (const [sq, t] of d.note.revisions) {
          if (currents.some((c) => c !== d.note && c.seq === sq && c.seqTime === t)) revs += `${sq - base}@${times.indexOf(t)},`;
        }
        let items = '';
        // An item older than every current copy keeps only that fact (see the limitation above).
        for (const i of d.note.items) items += `${JSON.stringify(i.name)}=${JSON.stringify(i.value)}@${Math.max(i.seq - base, -1)};`;
        texts.push(`${docName.get(k)}|${d.note.seq - base}|${times.indexOf(d.note.seqTime)}|${d.note.deleted ? 1 : 0}|${revs}|${items}|${rank + 1}`);
      });
      texts.sort();
      replicaText.set(`${srv.name}\u0000${r.db}`, texts.join('\n'));
    }
  }
  const work = view.work.map((w) => w.kind).join(',');
  return orders.map((servers) => {
    const rename = new Map(servers.map((name, i) => [name, `S${i}`]));
    const out: string[] = [];
    for (const name of servers) {
      const srv = byName.get(name)!;
      let t = `${srv.up ? 1 : 0}|${JSON.stringify(srv.definitions)}|${JSON.stringify(srv.store)}`;
      for (const r of srv.replicas) {
        const histories = r.histories
          .map(([sender, h]) => {
            const senderRep = byName.get(sender)?.replicas.find((x) => x.db === r.db);
            const covered = senderRep === undefined ? 0 : senderRep.docs.filter((d) => d.modifiedInFile <= h).length;
            return `${rename.get(sender) ?? sender}:${covered}`;
          })
          .sort()
          .join(',');
        t += `\n[${r.db}]\n${replicaText.get(`${srv.name}\u0000${r.db}`)}\nH ${histories}`;
      }
      const queues = srv.queues.map((q) => `${rename.get(q.mate) ?? q.mate}|${q.db}|${q.unids.map((u) => docName.get(`${q.db}\u0000${u}`) ?? u).join(',')}|${q.waiting ? 1 : 0}`).sort();
      out.push(`${t}\nQ ${queues.join(';')}`);
    }
    // Partition groups, canonically: which servers share a group, by position.
    const groups = servers.map((name) => byName.get(name)!.group);
    out.push(`G ${groups.map((g) => groups.indexOf(g)).join(',')}`, `W ${work}`);
    return out.join('\n#\n');
  });
}
