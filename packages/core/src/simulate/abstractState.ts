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

interface DocView {
  readonly note: Note;
  readonly modifiedInFile: number;
}

function isConflictDoc(note: Note): boolean {
  return note.items.some((i) => i.key === '$conflict');
}

function refOf(note: Note): string {
  const r = note.items.find((i) => i.key === '$ref');
  return r === undefined ? '' : String(r.value);
}

/** Canonical text of the abstract state: equal text, same future (up to renaming). */
export function abstractStateKey(view: SimView, serverOrder?: readonly string[]): string {
  const servers = serverOrder ?? view.servers.map((s) => s.name);
  const rename = new Map(servers.map((name, i) => [name, `S${i}`]));
  const byName = new Map(view.servers.map((s) => [s.name, s]));
  // All copies of each document, across replicas.
  const copies = new Map<string, Note[]>();
  for (const srv of view.servers) for (const r of srv.replicas) for (const d of r.docs) {
    const k = `${r.db}\u0000${d.note.unid}`;
    let list = copies.get(k);
    if (list === undefined) copies.set(k, (list = []));
    list.push(d.note);
  }
  const norm = new Map<string, { base: number; times: number[] }>();
  for (const [k, list] of copies) {
    const base = Math.min(...list.map((n) => n.seq));
    const times = [...new Set(list.map((n) => n.seqTime))].sort((a, b) => a - b);
    norm.set(k, { base, times });
  }
  // Conflict documents get names from what they are, not from the hash of concrete values.
  const docName = new Map<string, string>();
  for (const [k, list] of copies) {
    const [db, unid] = k.split('\u0000') as [string, string];
    const n = list[0]!;
    if (isConflictDoc(n)) {
      const ref = refOf(n);
      const refNorm = norm.get(`${db}\u0000${ref}`);
      const seq = refNorm !== undefined ? n.seq - refNorm.base : n.seq;
      docName.set(k, `C(${ref},${seq},${n.items.filter((i) => i.key !== '$conflict' && i.key !== '$ref').map((i) => `${i.key}=${JSON.stringify(i.value)}`).join(';')})`);
    } else docName.set(k, unid);
  }
  const out: unknown[] = [];
  for (const name of servers) {
    const srv = byName.get(name)!;
    const reps = srv.replicas.map((r) => {
      const docs = [...r.docs].sort((a, b) => a.modifiedInFile - b.modifiedInFile);
      const rankOf = new Map<string, number>(docs.map((d, i) => [d.note.unid, i + 1]));
      const docText = (d: DocView) => {
        const k = `${r.db}\u0000${d.note.unid}`;
        const { base, times } = norm.get(k)!;
        const currents = copies.get(k)!;
        const revs = d.note.revisions.filter(([s, t]) => currents.some((c) => c !== d.note && c.seq === s && c.seqTime === t)).map(([s, t]) => [s - base, times.indexOf(t)]);
        return [
          docName.get(k),
          d.note.seq - base,
          times.indexOf(d.note.seqTime),
          d.note.deleted ? 1 : 0,
          revs,
          // An item older than every current copy keeps only that fact (see the limitation above).
          d.note.items.map((i) => [i.name, i.value, Math.max(i.seq - base, -1)]),
          rankOf.get(d.note.unid),
        ];
      };
      const histories = r.histories.map(([sender, h]) => {
        const senderRep = byName.get(sender)?.replicas.find((x) => x.db === r.db);
        const covered = senderRep === undefined ? 0 : senderRep.docs.filter((d) => d.modifiedInFile <= h).length;
        return [rename.get(sender) ?? sender, covered];
      });
      return [r.db, docs.map(docText).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)), histories.sort()];
    });
    const queues = srv.queues.map((q) => [rename.get(q.mate) ?? q.mate, q.db, q.unids.map((u) => docName.get(`${q.db}\u0000${u}`) ?? u), q.waiting ? 1 : 0]).sort();
    out.push([srv.up ? 1 : 0, srv.definitions, srv.store, reps, queues]);
  }
  // Partition groups, canonically: which servers share a group, by position.
  const groups = servers.map((name) => byName.get(name)!.group);
  const groupCanon = groups.map((g) => groups.indexOf(g));
  out.push(groupCanon, view.work.map((w) => w.kind));
  return JSON.stringify(out);
}
