import { performance } from 'node:perf_hooks';
import { getItem, runEvents, type InputEvent, type ItemValue, type Note } from '@replstorm/core';
import { phaseDurations, type DocOutcome, type RunResult } from './run.js';
import { labelOf, type PhaseName, type Side, type Workload } from './workload.js';

// The engine side of the row: the workload as @replstorm/core input events, run by runEvents.

const DB = 'bench.nsf';
const BY: Record<Side, string> = { A: 'user/alice', B: 'user/bob' };

/** A save's `set` (file order = the fields' order). A plain loop: Object.entries into the Map constructor costs 3x. */
function fieldsMap(fields: Readonly<Record<string, string>>): Map<string, ItemValue> {
  const m = new Map<string, ItemValue>();
  for (const k in fields) m.set(k, fields[k]!);
  return m;
}

export function runEngine(w: Workload): RunResult {
  // The events are made lazily, inside the timed run, the way the PouchDB side makes its documents. `at` goes up by
  // 1 ms per event; with replicationMsPerDoc 0 every transfer of a session completes at its own `at`, before the next
  // event. "Until quiet" needs to see what a round changed: after each session the generator yields a `heal` (a
  // no-op here: there is no partition) one ms later; when the generator resumes, the simulator has fed that event, so
  // the session's transfers have run and `changed` counts them.
  //
  // The timed phase ends when the generator is done: a last `heal` has been fed, so every transfer has run. What
  // runEvents does after that (finish: no work is left; the summary: convergence check and SHA-256 digest of the final
  // state) is not edit-and-replication work; it is timed separately (`runEventsMs` covers the whole call).
  let changed = 0;
  let rounds = 0;
  let tEnd = 0;
  let derivedAfterEnd = 0;
  const marks: [PhaseName, number][] = [];
  function* events(): Generator<InputEvent> {
    let at = 0;
    yield { at: at++, type: 'server', name: 'A', replicationMsPerDoc: 0 };
    yield { at: at++, type: 'server', name: 'B', replicationMsPerDoc: 0 };
    yield { at: at++, type: 'database', name: DB, replicas: ['A', 'B'] };
    for (const op of w.ops) {
      switch (op.kind) {
        case 'phase':
          yield { at: at++, type: 'heal' };
          marks.push([op.name, performance.now()]);
          break;
        case 'create':
          yield { at: at++, type: 'save', server: op.side, db: DB, unid: op.id, by: BY[op.side], set: fieldsMap(op.fields) };
          break;
        case 'edit':
          yield { at: at++, type: 'save', server: op.side, db: DB, unid: op.id, by: BY[op.side], set: fieldsMap(op.set) };
          break;
        case 'delete':
          yield { at: at++, type: 'delete', server: op.side, db: DB, unid: op.id, by: BY[op.side] };
          break;
        case 'push':
          yield { at: at++, type: 'replicate', server: 'A', partner: 'B', db: DB, mode: 'push' };
          break;
        case 'sync':
          yield { at: at++, type: 'replicate', server: 'A', partner: 'B', db: DB, mode: 'pull-push' };
          break;
        case 'syncUntilQuiet':
          for (let r = 0; r < op.maxRounds; r++) {
            changed = 0;
            rounds++;
            yield { at: at++, type: 'replicate', server: 'A', partner: 'B', db: DB, mode: 'pull-push' };
            yield { at: at++, type: 'heal' };
            if (changed === 0) break;
          }
          break;
      }
    }
    yield { at: at++, type: 'heal' };
    tEnd = performance.now();
  }
  const t0 = performance.now();
  const { summary, sim } = runEvents(events(), {
    onDerived: (e) => {
      if (tEnd !== 0) derivedAfterEnd++;
      if (e.type === 'session') changed += e.changed;
    },
  });
  const t1 = performance.now();

  const outcomes = new Map<string, DocOutcome>();
  const perReplica = (server: Side) => {
    const notes = sim.replica(server, DB)!.notes();
    const byUnid = new Map<string, Note>();
    const losers = new Map<string, string[]>();
    for (const n of notes) {
      byUnid.set(n.unid, n);
      if (getItem(n, '$Conflict') !== undefined) {
        const ref = String(getItem(n, '$REF')?.value ?? '');
        const list = losers.get(ref) ?? [];
        list.push(noteLabel(n));
        losers.set(ref, list);
      }
    }
    return { byUnid, losers, count: notes.length };
  };
  const a = perReplica('A');
  const b = perReplica('B');
  let sameOnBoth = true;
  for (const id of w.ids) {
    const note = a.byUnid.get(id);
    const losers = (a.losers.get(id) ?? []).sort();
    const o: DocOutcome = { conflicted: losers.length > 0, winner: note === undefined ? 'missing' : noteLabel(note), losers };
    const nb = b.byUnid.get(id);
    const lb = (b.losers.get(id) ?? []).sort();
    if ((nb === undefined ? 'missing' : noteLabel(nb)) !== o.winner || lb.join('|') !== losers.join('|')) sameOnBoth = false;
    outcomes.set(id, o);
  }
  return {
    ms: tEnd - t0,
    phases: phaseDurations(marks, tEnd),
    rounds,
    converged: summary.converged && summary.quiescent && sameOnBoth,
    outcomes,
    extra: {
      inputEvents: sim.inputCount,
      runEventsMs: t1 - t0,
      summaryMs: t1 - tEnd,
      // Engine work that ran after the timed phase (must be 0: nothing was left for finish()).
      derivedAfterEnd,
      conflictDocuments: summary.conflicts,
      merges: summary.merges,
      discarded: summary.discarded,
      replicatedChanges: summary.replicatedChanges,
      documentsOnA: a.count,
    },
  };
}

function noteLabel(n: Note): string {
  return labelOf(n.deleted, n.items.map((i) => [i.name, i.value] as const));
}

