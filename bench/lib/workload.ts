import { Prng } from '@replstorm/core';

// One workload, described as system-neutral operations, so the engine and a real replicated store run exactly the
// same documents, edits, conflicting edits and replication rounds. Both runners interpret the same `Op` list.

export type Side = 'A' | 'B';
/** Field (item) values: strings only, so both systems store them identically. */
export type Fields = Readonly<Record<string, string>>;

export type Op =
  | { readonly kind: 'create'; readonly side: Side; readonly id: string; readonly fields: Fields }
  | { readonly kind: 'edit'; readonly side: Side; readonly id: string; readonly set: Fields }
  | { readonly kind: 'delete'; readonly side: Side; readonly id: string }
  /** One-way A → B (the first copy of the database). */
  | { readonly kind: 'push' }
  /** One round both ways: B → A, then A → B (the engine: one pull-push session started by A). */
  | { readonly kind: 'sync' }
  /** Rounds of `sync` until a round changes nothing on either side (at most `maxRounds`). */
  | { readonly kind: 'syncUntilQuiet'; readonly maxRounds: number }
  /** A phase boundary, for per-phase timings (not an operation). */
  | { readonly kind: 'phase'; readonly name: PhaseName };

export type PhaseName = 'create' | 'edits' | 'conflicts';

/**
 * What happened to a document in the conflict phase. `pair` is the case where Domino's and CouchDB's rules coincide
 * (each replica edits the document once, concurrently); the others are small probes of where they differ.
 */
export type Category =
  | 'untouched'
  | 'edited'
  | 'pair'
  | 'twice-vs-once'
  | 'same-edit'
  | 'merge-action'
  | 'edit-vs-delete'
  | 'delete-vs-delete';

export const PROBE_KINDS: readonly Category[] = ['twice-vs-once', 'same-edit', 'merge-action', 'edit-vs-delete', 'delete-vs-delete'];
/** Categories in which the two systems' rules coincide: both must keep a conflict. */
export const COINCIDING: readonly Category[] = ['pair', 'twice-vs-once'];

export interface WorkloadParams {
  readonly docs: number;
  readonly edits: number;
  /** Concurrent edit pairs (category `pair`). */
  readonly conflicts: number;
  /** Documents per probe kind. */
  readonly probes: number;
  /** Replicate both ways after every `batch` edits in the edit phase. */
  readonly batch: number;
  readonly seed: number;
}

export interface Workload {
  readonly params: WorkloadParams;
  readonly ops: readonly Op[];
  /** Every document id, in creation order. */
  readonly ids: readonly string[];
  readonly category: ReadonlyMap<string, Category>;
  /** Saves and deletes (not replication rounds). */
  readonly writes: number;
}

/** A UNID: 32 upper-case hex digits; also a valid CouchDB `_id`. */
export function unidOf(i: number): string {
  return `BE0C${(i + 1).toString(16).toUpperCase().padStart(28, '0')}`;
}

export function buildWorkload(params: WorkloadParams): Workload {
  const { docs, edits, conflicts, probes, batch } = params;
  const conflictDocs = conflicts + probes * PROBE_KINDS.length;
  if (conflictDocs > docs) throw new Error(`--docs ${docs} is too small for ${conflicts} conflicting edits and ${probes} probes of each of ${PROBE_KINDS.length} kinds (${conflictDocs} documents)`);
  if (batch < 1) throw new Error('--batch must be at least 1');
  const rnd = new Prng(params.seed);
  const ops: Op[] = [];
  const ids = Array.from({ length: docs }, (_, i) => unidOf(i));
  const category = new Map<string, Category>();
  let writes = 0;

  // The documents of the conflict phase, chosen now so the merge probes can carry $ConflictAction from creation.
  const order = shuffle(ids.slice(), rnd);
  const planned: [string, Category][] = [];
  let next = 0;
  for (let i = 0; i < conflicts; i++) planned.push([order[next++]!, 'pair']);
  for (const kind of PROBE_KINDS) for (let i = 0; i < probes; i++) planned.push([order[next++]!, kind]);
  const plannedCat = new Map(planned);

  // Phase 1: every document created on A, then one push A -> B.
  ops.push({ kind: 'phase', name: 'create' });
  ids.forEach((id, i) => {
    const fields: Record<string, string> = { Subject: `Document ${i + 1}`, Body: `Body of document ${i + 1}`, v: 'A:create' };
    // Domino: the winner's $ConflictAction "1" asks for a merge when no item changed on both sides (R5).
    if (plannedCat.get(id) === 'merge-action') fields['$ConflictAction'] = '1';
    ops.push({ kind: 'create', side: 'A', id, fields });
    writes++;
  });
  ops.push({ kind: 'push' });

  // Phase 2: edits on random documents on either side; a round both ways after every `batch` edits. Within a batch
  // a document is only ever edited on one side (the first side that touched it), so this phase makes no conflict.
  ops.push({ kind: 'phase', name: 'edits' });
  let touched = new Map<string, Side>();
  for (let e = 0; e < edits; e++) {
    const id = ids[rnd.int(0, docs - 1)]!;
    const side: Side = touched.get(id) ?? (rnd.next() < 0.5 ? 'A' : 'B');
    touched.set(id, side);
    ops.push({ kind: 'edit', side, id, set: { v: `${side}:e${e + 1}` } });
    writes++;
    if (!category.has(id)) category.set(id, 'edited');
    if ((e + 1) % batch === 0 || e === edits - 1) {
      ops.push({ kind: 'sync' });
      touched = new Map();
    }
  }

  // Phase 3: conflicting edits: each planned document changed on A and on B before replicating, the two sides in a
  // random order (so either side can be the later save); then rounds both ways until quiet.
  ops.push({ kind: 'phase', name: 'conflicts' });
  shuffle(planned, rnd).forEach(([id, cat], j) => {
    category.set(id, cat);
    const first: Side = rnd.next() < 0.5 ? 'A' : 'B';
    const second: Side = first === 'A' ? 'B' : 'A';
    const tag = `c${j + 1}`;
    const two: Op[] = [];
    switch (cat) {
      case 'pair':
        two.push({ kind: 'edit', side: first, id, set: { v: `${first}:${tag}` } }, { kind: 'edit', side: second, id, set: { v: `${second}:${tag}` } });
        break;
      case 'same-edit':
        // Both replicas write the very same value.
        two.push({ kind: 'edit', side: first, id, set: { v: `same:${tag}` } }, { kind: 'edit', side: second, id, set: { v: `same:${tag}` } });
        break;
      case 'merge-action':
        // Disjoint fields: A writes `a`, B writes `b`.
        two.push({ kind: 'edit', side: first, id, set: { [first.toLowerCase()]: `${first}:${tag}` } }, { kind: 'edit', side: second, id, set: { [second.toLowerCase()]: `${second}:${tag}` } });
        break;
      case 'edit-vs-delete': {
        // `first` is the side that edits; the deletion comes before or after it at random.
        const edit: Op = { kind: 'edit', side: first, id, set: { v: `${first}:${tag}` } };
        const del: Op = { kind: 'delete', side: second, id };
        if (rnd.next() < 0.5) two.push(edit, del);
        else two.push(del, edit);
        break;
      }
      case 'delete-vs-delete':
        two.push({ kind: 'delete', side: first, id }, { kind: 'delete', side: second, id });
        break;
      case 'twice-vs-once': {
        // `first` edits twice; the other side's single edit lands before, between or after them.
        const twice: Op[] = [
          { kind: 'edit', side: first, id, set: { v: `${first}:${tag}.1` } },
          { kind: 'edit', side: first, id, set: { v: `${first}:${tag}.2` } },
        ];
        twice.splice(rnd.int(0, 2), 0, { kind: 'edit', side: second, id, set: { v: `${second}:${tag}` } });
        two.push(...twice);
        break;
      }
      default:
        throw new Error(`not a conflict category: ${cat}`);
    }
    ops.push(...two);
    writes += two.length;
  });
  ops.push({ kind: 'syncUntilQuiet', maxRounds: 10 });
  for (const id of ids) if (!category.has(id)) category.set(id, 'untouched');
  return { params, ops, ids, category, writes };
}

function shuffle<T>(xs: T[], rnd: Prng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
  return xs;
}

/**
 * A document's final state as a comparable label: `deleted`, or its user fields (not Domino's `$Conflict`, `$REF`,
 * `$ConflictAction`, nor CouchDB's `_id`, `_rev`, `_conflicts`) sorted by name.
 */
export function labelOf(deleted: boolean, fields: Iterable<readonly [string, unknown]>): string {
  if (deleted) return 'deleted';
  const kept: string[] = [];
  for (const [k, v] of fields) {
    if (k.startsWith('_') || k.startsWith('$') || k === 'Subject' || k === 'Body') continue;
    kept.push(`${k}=${String(v)}`);
  }
  return kept.sort().join(' ');
}
