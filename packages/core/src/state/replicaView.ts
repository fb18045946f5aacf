import type { Replica } from '../replica/replica.js';

// A replica as the model-based tests compare it with their reference model (model.prop.test.ts): each document's
// version, revisions, items and the change number that made it there (R7), and the replica's change number. A
// model-based counterexample's header carries the model's expectation in this shape (`meta.expected`), so that
// `replstorm replay` can judge the claim on the log's own run (scenarios' recheck.ts).

/** One document: its OID, revisions as [seq, seqTime] pairs, whether a stub, items as [key, name, value, itemSeq] by key, and `no`. */
export interface DocView {
  readonly unid: string;
  readonly seq: number;
  readonly seqTime: number;
  readonly revisions: readonly (readonly number[])[];
  readonly deleted: boolean;
  readonly items: readonly (readonly [string, string, unknown, number])[];
  /** The change number that produced this version in its replica (R7). */
  readonly no: number;
}

/** Its documents before its change number: an equality's first difference then names a document (see model.prop.test.ts). */
export interface ReplicaView {
  /** Every document and stub, by UNID. */
  readonly docs: readonly DocView[];
  /** The replica's change number (R7). */
  readonly changes: number;
}

/** Items (or any [key, ...] rows) in the order of their keys. */
export function byKey(x: readonly [string, ...unknown[]], y: readonly [string, ...unknown[]]): number {
  return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0;
}

export function replicaView(rep: Replica): ReplicaView {
  return {
    docs: rep.notes().map((n) => ({
      unid: n.unid,
      seq: n.seq,
      seqTime: n.seqTime,
      revisions: n.revisions.toArray(),
      deleted: n.deleted,
      items: n.items.map((i) => [i.key, i.name, i.value, i.seq] as const).sort(byKey),
      no: rep.modifiedInFile(n.unid),
    })),
    changes: rep.changeNumber,
  };
}
