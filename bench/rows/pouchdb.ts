// Benchmark row "against real replicas": one workload (documents, edits, conflicting edits, replication rounds) run
// on the engine (@replstorm/core, Domino rules R1–R12) and on two in-memory PouchDB databases (CouchDB's rules), in
// the same process, alternating, R times; medians of the edit-and-replication phase (each measurement the mean of
// back-to-back runs filling --min-timed-ms, see `measure`). Then, per document, did it end up conflicted in each
// system, and which version won.
//
//   node --import tsx bench/rows/pouchdb.ts [--docs N] [--edits N] [--conflicts N] [--repeat R]
//                                           [--probes P] [--batch K] [--seed S] [--rewarm-ms T] [--min-timed-ms M]
//
// One JSON object on stdout; human-readable lines on stderr.

import { performance } from 'node:perf_hooks';
import { runEngine } from '../lib/engine.js';
import { runPouch } from '../lib/pouch.js';
import type { DocOutcome, RunResult } from '../lib/run.js';
import { COINCIDING, PROBE_KINDS, buildWorkload, type Category, type Op, type Workload, type WorkloadParams } from '../lib/workload.js';

// ---------------------------------------------------------------- options

interface Options extends WorkloadParams {
  readonly repeat: number;
  readonly rewarmMs: number;
  readonly minTimedMs: number;
}

function parseArgs(argv: readonly string[]): Options {
  const num = new Map<string, number>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m === null) throw new Error(`unknown argument: ${a}`);
    const name = m[1]!;
    const raw = m[2] ?? argv[++i];
    const v = Number(raw);
    if (!['docs', 'edits', 'conflicts', 'repeat', 'probes', 'batch', 'seed', 'rewarm-ms', 'min-timed-ms'].includes(name)) throw new Error(`unknown option: --${name}`);
    if (raw === undefined || !Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a non-negative integer, got ${String(raw)}`);
    num.set(name, v);
  }
  const conflicts = num.get('conflicts') ?? 200;
  return {
    docs: num.get('docs') ?? 2_000,
    edits: num.get('edits') ?? 2_000,
    conflicts,
    probes: num.get('probes') ?? Math.max(10, Math.round(conflicts / 10)),
    batch: num.get('batch') ?? 10,
    seed: num.get('seed') ?? 1,
    repeat: Math.max(1, num.get('repeat') ?? 3),
    rewarmMs: num.get('rewarm-ms') ?? 2000,
    minTimedMs: num.get('min-timed-ms') ?? 500,
  };
}

// ---------------------------------------------------------------- comparison

interface CategoryStats {
  docs: number;
  engineConflicted: number;
  pouchConflicted: number;
  winnersAgree: number;
}

function compare(w: Workload, engine: ReadonlyMap<string, DocOutcome>, pouch: ReadonlyMap<string, DocOutcome>) {
  const conflicted = { engine: 0, pouch: 0, both: 0, onlyEngine: 0, onlyPouch: 0 };
  const winners = { compared: 0, agree: 0, disagree: 0 };
  const byCategory: Partial<Record<Category, CategoryStats>> = {};
  const examples: Partial<Record<Category, { id: string; engine: DocOutcome; pouch: DocOutcome }[]>> = {};
  for (const id of w.ids) {
    const e = engine.get(id)!;
    const p = pouch.get(id)!;
    const cat = w.category.get(id)!;
    const st = (byCategory[cat] ??= { docs: 0, engineConflicted: 0, pouchConflicted: 0, winnersAgree: 0 });
    st.docs++;
    if (e.conflicted) {
      conflicted.engine++;
      st.engineConflicted++;
    }
    if (p.conflicted) {
      conflicted.pouch++;
      st.pouchConflicted++;
    }
    if (e.conflicted && p.conflicted) conflicted.both++;
    else if (e.conflicted) conflicted.onlyEngine++;
    else if (p.conflicted) conflicted.onlyPouch++;
    winners.compared++;
    if (e.winner === p.winner) {
      winners.agree++;
      st.winnersAgree++;
    } else winners.disagree++;
    if (cat !== 'untouched' && cat !== 'edited') {
      const list = (examples[cat] ??= []);
      // Two examples per category: preferably one where the winners agree and one where they do not.
      const agreeing = e.winner === p.winner;
      if (list.length < 2 && !list.some((x) => (x.engine.winner === x.pouch.winner) === agreeing)) list.push({ id, engine: e, pouch: p });
    }
  }
  // Where the rules coincide both systems keep every conflict, and where one side edited twice (twice-vs-once) both
  // pick its version: the notes said so, and nothing checked the winners (a benchmark review).
  const coincidingAgree = COINCIDING.every((c) => {
    const st = byCategory[c];
    return st === undefined || (st.engineConflicted === st.docs && st.pouchConflicted === st.docs);
  });
  const twice = byCategory['twice-vs-once'];
  const twiceWinnersAgree = twice === undefined || twice.winnersAgree === twice.docs;
  return { conflicted, winners, byCategory, examples, coincidingAgree, twiceWinnersAgree };
}

function notesFor(cmp: ReturnType<typeof compare>, engine: RunResult, pouch: RunResult, batch: number, minTimedMs: number): string[] {
  const c = (cat: Category) => cmp.byCategory[cat] ?? { docs: 0, engineConflicted: 0, pouchConflicted: 0, winnersAgree: 0 };
  const line = (cat: Category) => {
    const s = c(cat);
    return `${s.docs} docs: conflicted in engine ${s.engineConflicted}, in PouchDB ${s.pouchConflicted}; same winner ${s.winnersAgree}`;
  };
  return [
    `Workload: the same operations on both; edits phase replicates both ways (B->A then A->B, the engine's pull-push session started by A) after every ${batch} edits, and within a batch a document is edited on one side only, so that phase makes no conflict in either system (edited: ${line('edited')}).`,
    `pair (rules coincide: each replica edits the document once, concurrently): ${line('pair')}. Both keep a conflict — Domino as a conflict document ($Conflict, $REF), CouchDB as a _conflicts revision. The winners differ about half the time by design: Domino's winner is the copy saved more times, then the later seqTime (R5), so the later of the two edits; CouchDB's is the revision with the longer history (higher generation), then the lexically larger _rev hash (an md5 of the content with deterministic revs), i.e. effectively a coin toss unrelated to time.`,
    `twice-vs-once (one side edits twice, the other once): ${line('twice-vs-once')}. Rules coincide: Domino's seq and CouchDB's revision generation both count the saves since the common version, so both pick the side that edited twice, whatever the timing.`,
    `same-edit (both replicas write the identical value): ${line('same-edit')}. Domino sees two versions with the same seq and different seqTime and makes a conflict document though the contents are equal; PouchDB's deterministic revs hash the content and the parent _rev, so both sides made the very same revision and there is nothing to conflict.`,
    `merge-action (document carries $ConflictAction "1", the two sides change different fields): ${line('merge-action')}. Domino merges (R5 merge: no item changed on both sides), one merged version with both fields and no conflict document; CouchDB never merges: it keeps both revisions, one wins with one field, the other is in _conflicts.`,
    `edit-vs-delete (one side edits, the other deletes): ${line('edit-vs-delete')}. Neither reports a conflict. Domino (R6): no conflict document; the deletion wins if it has the higher seq or, equal seq, the later seqTime — so the document is deleted when the deletion came last and reappears when the edit came last. CouchDB: a deleted leaf never beats a live one, so the edit always survives (the deletion is only in _deleted_conflicts).`,
    `delete-vs-delete (both delete): ${line('delete-vs-delete')}. Both end with the document deleted and no conflict (Domino: two stubs, the later wins; PouchDB: the two deletions are even the same revision, deterministic revs).`,
    `Rounds to quiet after the conflicting edits: engine ${engine.rounds}, PouchDB ${pouch.rounds} (the last round of each changed nothing). Domino makes a conflict document on the replica that held the loser; when that is B, it reaches A only in the next session, so the engine needs one more round than CouchDB, whose revision trees are whole after one exchange.`,
    `Timed on both sides: the edits and replication rounds only, from the first save to the end of the last round (the engine: inside runEvents, from its start until the input generator is exhausted — every transfer has run by then, ${engine.extra['derivedAfterEnd']} engine events came later; it builds its input events lazily as PouchDB builds its documents). Each measurement is the mean of back-to-back runs until their timed phases fill ${minTimedMs} ms (one PouchDB run; several engine runs). Not timed: making the workload, creating and destroying the PouchDB databases, reading the results; and the engine's end-of-run summary (convergence check and SHA-256 digest of the whole final state, ${fmt(Number(engine.extra['summaryMs']))} ms in the first timed run), reported as runEventsMs and ratioIncludingSummary.`,
  ];
}

// ---------------------------------------------------------------- main

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(2);
}

function sameOutcomes(x: ReadonlyMap<string, DocOutcome>, y: ReadonlyMap<string, DocOutcome>): boolean {
  for (const [id, o] of x) {
    const p = y.get(id);
    if (p === undefined || p.conflicted !== o.conflicted || p.winner !== o.winner || p.losers.join('|') !== o.losers.join('|')) return false;
  }
  return x.size === y.size;
}

async function main(): Promise<void> {
  const opt = parseArgs(process.argv.slice(2));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const w = buildWorkload(opt);
  const syncs = w.ops.filter((o: Op) => o.kind === 'sync').length;
  log(`workload: ${opt.docs} docs, ${opt.edits} edits (a round both ways every ${opt.batch} edits: ${syncs} rounds), ${opt.conflicts} conflicting pairs + ${opt.probes} probes x ${PROBE_KINDS.length} kinds; ${w.writes} writes; seed ${opt.seed}`);

  // Before every timed run, the same system re-runs the same workload untimed for at least `--rewarm-ms` (default
  // 2000 ms; at least one run unless 0): the same warm-up time for both, so each is measured at its steady state. In one
  // process the two systems disturb each other: after a PouchDB run (hundreds of collections) the engine's next runs are
  // 2-8x slower than its steady state while V8 re-optimizes it, and PouchDB's first run after the engine's is ~10%
  // slower. `--rewarm-ms 0` measures the disturbed runs. (A forced gc() between runs would be worse: it discards
  // optimized code, and the engine's next run is ~5x slower.)
  const rewarm = async (run: () => unknown): Promise<number> => {
    if (opt.rewarmMs === 0) return 0;
    const t0 = performance.now();
    let n = 0;
    do {
      await run();
      n++;
    } while (performance.now() - t0 < opt.rewarmMs);
    return n;
  };
  // One measurement of a system: back-to-back runs until their timed phases add up to at least `--min-timed-ms`
  // (default 500), reported as the mean per run. The same rule for both: a PouchDB run takes 1-6 s, so it is one run;
  // an engine run takes 7-70 ms, and alone it varies by 2x with whether a garbage collection falls inside it. Back to
  // back, each engine run pays for the collection of the runs before it, where a single PouchDB run's garbage is
  // mostly collected after its clock stops: if anything, this favours PouchDB.
  // `consistent`: every run of the measurement converged and ended with the same outcomes (a review: the validity
  // check read the last run's alone).
  const measure = async (run: () => RunResult | Promise<RunResult>): Promise<RunResult & { runs: number; consistent: boolean }> => {
    const rs: RunResult[] = [];
    let total = 0;
    do {
      const x = await run();
      rs.push(x);
      total += x.ms;
    } while (total < opt.minTimedMs);
    const last = rs[rs.length - 1]!;
    const mean = (f: (x: RunResult) => number) => rs.reduce((a, x) => a + f(x), 0) / rs.length;
    const consistent = rs.every((x) => x.converged && sameOutcomes(x.outcomes, rs[0]!.outcomes));
    return { ...last, ms: total / rs.length, extra: { ...last.extra, runEventsMs: mean((x) => Number(x.extra['runEventsMs'] ?? 0)) }, runs: rs.length, consistent };
  };
  const engineRuns: (RunResult & { runs: number; consistent: boolean })[] = [];
  const pouchRuns: (RunResult & { runs: number; consistent: boolean })[] = [];
  for (let r = 0; r < opt.repeat; r++) {
    const ew = await rewarm(() => runEngine(w));
    const e = await measure(() => runEngine(w));
    engineRuns.push(e);
    const pw = await rewarm(() => runPouch(w));
    const p = await measure(() => runPouch(w));
    pouchRuns.push(p);
    log(`run ${r + 1}/${opt.repeat}: engine ${fmt(e.ms)} ms (mean of ${e.runs}; runEvents with summary ${fmt(Number(e.extra['runEventsMs']))} ms; after ${ew} untimed runs), PouchDB ${fmt(p.ms)} ms (mean of ${p.runs}; after ${pw}), ratio ${(p.ms / e.ms).toFixed(1)}x`);
  }

  const engineMs = median(engineRuns.map((x) => x.ms));
  const pouchMs = median(pouchRuns.map((x) => x.ms));
  const runEventsMs = median(engineRuns.map((x) => Number(x.extra['runEventsMs'])));
  const e0 = engineRuns[0]!;
  const p0 = pouchRuns[0]!;
  const stable = engineRuns.every((x) => sameOutcomes(x.outcomes, e0.outcomes)) && pouchRuns.every((x) => sameOutcomes(x.outcomes, p0.outcomes));
  const cmp = compare(w, e0.outcomes, p0.outcomes);
  const phase = (runs: RunResult[]) => ({
    create: median(runs.map((x) => x.phases.create)),
    edits: median(runs.map((x) => x.phases.edits)),
    conflicts: median(runs.map((x) => x.phases.conflicts)),
  });
  const inputEvents = Number(e0.extra['inputEvents']);
  const notes = notesFor(cmp, e0, p0, opt.batch, opt.minTimedMs);

  log(`medians: engine ${fmt(engineMs)} ms, PouchDB ${fmt(pouchMs)} ms, ratio ${(pouchMs / engineMs).toFixed(1)}x (goal >= 100x: ${pouchMs / engineMs >= 100 ? 'met' : 'NOT met'}); whole runEvents call with its summary ${fmt(runEventsMs)} ms, ratio ${(pouchMs / runEventsMs).toFixed(1)}x`);
  log(`conflicted documents: engine ${cmp.conflicted.engine}, PouchDB ${cmp.conflicted.pouch}, both ${cmp.conflicted.both}, only engine ${cmp.conflicted.onlyEngine}, only PouchDB ${cmp.conflicted.onlyPouch}`);
  log(`where the rules coincide (${COINCIDING.join(', ')}) both systems kept every conflict: ${cmp.coincidingAgree}`);
  log(`converged: engine ${e0.converged}, PouchDB ${p0.converged}; outcomes identical across repeats: ${stable}`);
  for (const [cat, list] of Object.entries(cmp.examples)) {
    for (const x of list ?? []) {
      log(`  ${cat} ${x.id}: engine winner [${x.engine.winner}]${x.engine.losers.length > 0 ? ` conflict doc [${x.engine.losers.join('; ')}]` : ''} | PouchDB winner [${x.pouch.winner}]${x.pouch.losers.length > 0 ? ` _conflicts [${x.pouch.losers.join('; ')}]` : ''}`);
    }
  }
  for (const n of notes) log(`- ${n}`);

  const out = {
    docs: opt.docs,
    edits: opt.edits,
    conflictingEdits: opt.conflicts,
    probesPerKind: opt.probes,
    batch: opt.batch,
    seed: opt.seed,
    engineMs: round2(engineMs),
    pouchMs: round2(pouchMs),
    ratio: round2(pouchMs / engineMs),
    engineEventsPerSec: Math.round(inputEvents / (engineMs / 1000)),
    engineRunEventsMs: round2(runEventsMs),
    ratioIncludingSummary: round2(pouchMs / runEventsMs),
    conflicted: cmp.conflicted,
    winnersAgree: { ...cmp.winners, coincidingCategoriesBothConflicted: cmp.coincidingAgree, twiceVsOnceWinnersAgree: cmp.twiceWinnersAgree },
    // The row's timings stand only where the two systems did the same work to the same end: both converged, the same
    // outcomes in every repeat, and agreement where the rules coincide (bench/run.ts marks the row otherwise).
    valid: engineRuns.every((x) => x.consistent) && pouchRuns.every((x) => x.consistent) && stable && cmp.coincidingAgree && cmp.twiceWinnersAgree,
    byCategory: cmp.byCategory,
    examples: cmp.examples,
    notes,
    repeats: opt.repeat,
    rewarmMs: opt.rewarmMs,
    minTimedMs: opt.minTimedMs,
    nodeVersion: process.version,
    runs: {
      engineMs: engineRuns.map((x) => round2(x.ms)),
      engineRunsPerMeasurement: engineRuns.map((x) => x.runs),
      pouchRunsPerMeasurement: pouchRuns.map((x) => x.runs),
      engineRunEventsMs: engineRuns.map((x) => round2(Number(x.extra['runEventsMs']))),
      pouchMs: pouchRuns.map((x) => round2(x.ms)),
    },
    phasesMs: { engine: mapValues(phase(engineRuns), round2), pouch: mapValues(phase(pouchRuns), round2) },
    // Counts are the same in every run; times (runEventsMs, summaryMs) are medians over the timed runs.
    engine: { rounds: e0.rounds, converged: engineRuns.every((x) => x.converged), ...medianExtras(engineRuns) },
    pouch: { rounds: p0.rounds, converged: pouchRuns.every((x) => x.converged), ...medianExtras(pouchRuns) },
    outcomesStableAcrossRepeats: stable,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function medianExtras(runs: readonly RunResult[]): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const [k, v] of Object.entries(runs[0]!.extra)) out[k] = typeof v === 'number' ? round2(median(runs.map((r) => Number(r.extra[k])))) : v;
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function mapValues<V, W>(o: Readonly<Record<string, V>>, f: (x: V) => W): Record<string, W> {
  const r: Record<string, W> = {};
  for (const [k, v] of Object.entries(o)) r[k] = f(v);
  return r;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
