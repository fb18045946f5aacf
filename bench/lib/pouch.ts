import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { phaseDurations, type DocOutcome, type RunResult } from './run.js';
import { labelOf, type PhaseName, type Side, type Workload } from './workload.js';

// The PouchDB side of the row: two in-memory databases (pouchdb-adapter-memory: memdown, pure JS), replicated with
// pouchdb-replication. PouchDB ships no types: typed here just enough.

interface PouchDoc {
  _id: string;
  _rev?: string;
  _deleted?: boolean;
  _conflicts?: string[];
  [field: string]: unknown;
}
interface ReplicationResult {
  ok: boolean;
  docs_read: number;
  docs_written: number;
  doc_write_failures: number;
}
interface AllDocsRow {
  key: string;
  error?: string;
  value?: { rev: string; deleted?: boolean };
  doc?: PouchDoc | null;
}
interface PouchDatabase {
  put(doc: PouchDoc): Promise<{ ok: boolean; id: string; rev: string }>;
  get(id: string, opts?: { conflicts?: boolean; rev?: string }): Promise<PouchDoc>;
  remove(doc: PouchDoc): Promise<{ ok: boolean; id: string; rev: string }>;
  allDocs(opts: { keys?: string[]; include_docs?: boolean; conflicts?: boolean }): Promise<{ rows: AllDocsRow[] }>;
  destroy(): Promise<unknown>;
}
interface PouchStatic {
  new (name: string, opts: { adapter: string }): PouchDatabase;
  plugin(plugin: unknown): PouchStatic;
  /** Returns a Replication event emitter that is also a promise of the result. */
  replicate(source: PouchDatabase, target: PouchDatabase): PromiseLike<ReplicationResult>;
}

const require = createRequire(import.meta.url);
const PouchDB = (require('pouchdb-core') as PouchStatic).plugin(require('pouchdb-adapter-memory')).plugin(require('pouchdb-replication'));

let dbCounter = 0;

export async function runPouch(w: Workload): Promise<RunResult> {
  const run = ++dbCounter;
  const dbs: Record<Side, PouchDatabase> = {
    A: new PouchDB(`bench-a-${run}`, { adapter: 'memory' }),
    B: new PouchDB(`bench-b-${run}`, { adapter: 'memory' }),
  };
  const { A: a, B: b } = dbs;
  let rounds = 0;
  let writeFailures = 0;
  const marks: [PhaseName, number][] = [];
  const round = async (): Promise<number> => {
    // The same order as the engine's pull-push session started by A: B -> A, then A -> B.
    const pull = await PouchDB.replicate(b, a);
    const push = await PouchDB.replicate(a, b);
    writeFailures += pull.doc_write_failures + push.doc_write_failures;
    return pull.docs_written + push.docs_written;
  };
  const t0 = performance.now();
  for (const op of w.ops) {
    switch (op.kind) {
      case 'phase':
        marks.push([op.name, performance.now()]);
        break;
      case 'create':
        await dbs[op.side].put({ _id: op.id, ...op.fields });
        break;
      case 'edit': {
        // An application's edit: read the current winning revision, write the new one on top of it.
        const db = dbs[op.side];
        const doc = await db.get(op.id);
        await db.put({ ...doc, ...op.set });
        break;
      }
      case 'delete': {
        const db = dbs[op.side];
        await db.remove(await db.get(op.id));
        break;
      }
      case 'push': {
        const r = await PouchDB.replicate(a, b);
        writeFailures += r.doc_write_failures;
        break;
      }
      case 'sync':
        await round();
        break;
      case 'syncUntilQuiet':
        for (let r = 0; r < op.maxRounds; r++) {
          rounds++;
          if ((await round()) === 0) break;
        }
        break;
    }
  }
  const t1 = performance.now();

  const read = async (db: PouchDatabase): Promise<Map<string, DocOutcome>> => {
    const { rows } = await db.allDocs({ keys: [...w.ids], include_docs: true, conflicts: true });
    const out = new Map<string, DocOutcome>();
    for (const row of rows) {
      if (row.error !== undefined || row.value === undefined) {
        out.set(row.key, { conflicted: false, winner: 'missing', losers: [] });
        continue;
      }
      const deleted = row.value.deleted === true;
      const doc = row.doc ?? undefined;
      const conflicts = doc?._conflicts ?? [];
      const losers: string[] = [];
      for (const rev of conflicts) {
        const loser = await db.get(row.key, { rev });
        losers.push(labelOf(loser._deleted === true, Object.entries(loser)));
      }
      out.set(row.key, { conflicted: conflicts.length > 0, winner: labelOf(deleted, doc === undefined ? [] : Object.entries(doc)), losers: losers.sort() });
    }
    return out;
  };
  const outcomes = await read(a);
  const onB = await read(b);
  let sameOnBoth = true;
  for (const [id, o] of outcomes) {
    const ob = onB.get(id);
    if (ob === undefined || ob.winner !== o.winner || ob.losers.join('|') !== o.losers.join('|')) sameOnBoth = false;
  }
  await a.destroy();
  await b.destroy();
  return {
    ms: t1 - t0,
    phases: phaseDurations(marks, t1),
    rounds,
    converged: sameOnBoth && writeFailures === 0,
    outcomes,
    extra: { writeFailures },
  };
}

