import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { assertLogProperty } from '../../test/property.js';
import { replicateNote } from './replicateNote.js';
import { applyDelete, applySave } from '../note/applySave.js';
import { Replica } from '../replica/replica.js';
import { decodeLogText } from '../log/decodeLog.js';
import type { InputEvent } from '../log/events.js';
import { runEvents } from '../simulate/runEvents.js';
import { byKey, replicaView, type DocView, type ReplicaView } from '../state/replicaView.js';
import { propertyRuns } from '../../../../scripts/propertySeed.js';

// Model-based test of R1–R7 and R9: a small reference model written from replication.md alone (it shares no logic with
// applySave or replicateNote) runs beside two real replicas; after every command the two must hold the same
// documents, versions, items, conflict documents and change numbers.

type Side = 'A' | 'B';
type Pair = [seq: number, seqTime: number];

interface MItem {
  readonly name: string;
  readonly value: string;
  readonly seq: number;
}

interface MDoc {
  readonly unid: string;
  readonly seq: number;
  readonly seqTime: number;
  readonly revisions: readonly Pair[];
  readonly deleted: boolean;
  /** By lower-cased name (all names here are ASCII). */
  readonly items: ReadonlyMap<string, MItem>;
  /** The change number that produced this version in its replica (R7). */
  readonly no: number;
}

interface MReplica {
  docs: Map<string, MDoc>;
  changes: number;
  /** R9: per sender, the sender's change number this replica has received up to. */
  received: Map<Side, number>;
}

interface Model {
  now: number;
  readonly skewB: number;
  readonly limit: number;
  readonly reps: Record<Side, MReplica>;
}

interface Real {
  readonly reps: Record<Side, Replica>;
}

// The first two documents start on both replicas from a common version (so merges and R4 have an ancestor to work
// from); the third starts nowhere (independent creations on both sides are diverged copies with no common version).
const UNIDS = ['11111111111111111111111111111111', '22222222222222222222222222222222', '33333333333333333333333333333333'] as const;
const lower = (s: string): string => s.toLowerCase();

/** A's clock is even and B's odd, so a save on A and a save on B never share a seqTime. */
function clock(m: Model, side: Side): number {
  return side === 'A' ? 2 * m.now : 2 * m.now + 1 + 2 * m.skewB;
}

// ---------------------------------------------------------------- the reference model

/** Appends a pair; at the cap, the oldest entries go (S2). */
function capped(list: readonly Pair[], limit: number): Pair[] {
  return limit > 0 && list.length > limit ? list.slice(list.length - limit) : list.slice();
}

function record(rep: MReplica, doc: Omit<MDoc, 'no'>): void {
  rep.changes += 1; // R1/R7: every change gets the next change number
  rep.docs.set(doc.unid, { ...doc, no: rep.changes });
}

/** R1, R1a: a save. */
function modelSave(m: Model, side: Side, unid: string, set: readonly (readonly [string, string])[], remove: readonly string[]): void {
  const rep = m.reps[side];
  const prev = rep.docs.get(unid);
  const t = clock(m, side);
  const seq = prev === undefined ? 1 : prev.seq + 1;
  const items = new Map(prev?.items ?? []);
  for (const r of remove) items.delete(lower(r));
  for (const [name, value] of set) {
    const old = items.get(lower(name));
    items.set(lower(name), { name: old?.name ?? name, value, seq });
  }
  const revisions = prev === undefined ? [] : capped([...prev.revisions, [prev.seq, prev.seqTime]], m.limit);
  record(rep, { unid, seq, seqTime: t, revisions, deleted: false, items });
}

/** R1b: a deletion is a save that removes every item and leaves a stub. */
function modelDelete(m: Model, side: Side, unid: string): void {
  const rep = m.reps[side];
  const prev = rep.docs.get(unid)!;
  record(rep, {
    unid,
    seq: prev.seq + 1,
    seqTime: clock(m, side),
    revisions: capped([...prev.revisions, [prev.seq, prev.seqTime]], m.limit),
    deleted: true,
    items: new Map(),
  });
}

function hasPair(list: readonly Pair[], seq: number, seqTime: number): boolean {
  return list.some(([s, t]) => s === seq && t === seqTime);
}

function actionOf(doc: MDoc): 'create' | 'merge' | 'none' | 'merge-no-conflicts' {
  const v = doc.items.get('$conflictaction')?.value;
  return v === '1' ? 'merge' : v === '2' ? 'none' : v === '3' ? 'merge-no-conflicts' : 'create';
}

function conflictUnid(unid: string, seq: number, seqTime: number): string {
  return createHash('sha256').update(`${unid}:${seq}:${seqTime}`).digest('hex').slice(0, 32).toUpperCase();
}

/** R2–R6 for one document arriving at D. */
function modelArrive(m: Model, dRep: MReplica, s: MDoc): void {
  const d = dRep.docs.get(s.unid);
  const take = (): void => record(dRep, s);
  if (d === undefined) return take(); // R2
  if (s.seq === d.seq && s.seqTime === d.seqTime) return; // R3
  if (hasPair(s.revisions, d.seq, d.seqTime)) return take(); // R4: S descends from D
  if (hasPair(d.revisions, s.seq, s.seqTime)) return; // R4: D descends from S
  const sWins = s.seq > d.seq || (s.seq === d.seq && s.seqTime > d.seqTime); // R5 winner
  const [w, l] = sWins ? [s, d] : [d, s];
  if (s.deleted || d.deleted) {
    if (sWins) take(); // R6: the winner rule alone
    return;
  }
  const action = actionOf(w);
  if (action === 'none') {
    if (sWins) take();
    return;
  }
  if (action === 'merge' || action === 'merge-no-conflicts') {
    let common: Pair | undefined;
    for (const p of w.revisions) if (hasPair(l.revisions, p[0], p[1]) && (common === undefined || p[0] > common[0])) common = p;
    if (common !== undefined) {
      const c = common[0];
      const wChanged = [...w.items].filter(([, i]) => i.seq > c).map(([k]) => k);
      const lChanged = [...l.items].filter(([, i]) => i.seq > c);
      const overlap = lChanged.some(([k]) => wChanged.includes(k));
      if (!overlap || action === 'merge-no-conflicts') {
        const seq = Math.max(w.seq, l.seq) + 1;
        const all: Pair[] = [];
        for (const p of [...w.revisions, ...l.revisions, [w.seq, w.seqTime] as Pair, [l.seq, l.seqTime] as Pair]) {
          if (!hasPair(all, p[0], p[1])) all.push(p);
        }
        all.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        const items = new Map(w.items);
        for (const [k, i] of lChanged) {
          if (wChanged.includes(k)) continue;
          items.set(k, { name: w.items.get(k)?.name ?? i.name, value: i.value, seq });
        }
        record(dRep, { unid: s.unid, seq, seqTime: Math.max(w.seqTime, l.seqTime) + 1, revisions: capped(all, m.limit), deleted: false, items });
        return;
      }
    }
  }
  // create: the loser (D's copy) becomes a conflict document, D takes the winner. If D holds the winner: nothing.
  if (!sWins) return;
  const cu = conflictUnid(d.unid, d.seq, d.seqTime);
  if (!dRep.docs.has(cu)) {
    const items = new Map(d.items);
    items.set('$conflict', { name: '$Conflict', value: '', seq: d.seq });
    items.set('$ref', { name: '$REF', value: s.unid, seq: d.seq });
    record(dRep, { unid: cu, seq: d.seq, seqTime: d.seqTime, revisions: d.revisions, deleted: false, items });
  }
  take();
}

/** R9: the documents changed at the sender since the receiver's history point, in change order; then the new point. */
function modelReplicate(m: Model, from: Side, to: Side): void {
  const upTo = m.reps[from].changes;
  const after = m.reps[to].received.get(from) ?? 0;
  const src = [...m.reps[from].docs.values()].filter((d) => d.no > after).sort((x, y) => x.no - y.no);
  for (const s of src) modelArrive(m, m.reps[to], s);
  m.reps[to].received.set(from, upTo);
}

// ---------------------------------------------------------------- the real system

function realReplicate(real: Real, from: Side, to: Side): void {
  const src = real.reps[from];
  const dst = real.reps[to];
  // R9, as a session does (Simulator.startTransfer): from the receiver's history point up to the sender's change
  // number read at the start; the point moves there when every document is applied.
  const upTo = src.changeNumber;
  for (const unid of src.changedSince(dst.getHistory(from), upTo)) {
    const res = replicateNote(src.get(unid)!, dst.get(unid), { limitRevisions: dst.limitRevisions, purgedAtDestination: dst.wasPurged(unid) });
    if (res.outcome === null || res.outcome === 'collision') continue;
    if (res.outcome === 'conflict' && dst.get(res.conflictDoc.unid) === undefined) dst.put(res.conflictDoc, 0);
    dst.put(res.put, 0);
  }
  dst.setHistory(from, upTo);
}

// ---------------------------------------------------------------- comparison

/** What is compared: OID, history, stub flag, items as (key, name, value, itemSeq) by key, and the change number. */
function viewModel(d: MDoc): DocView {
  const items = [...d.items].map(([k, i]) => [k, i.name, i.value, i.seq] as const).sort(byKey);
  return { unid: d.unid, seq: d.seq, seqTime: d.seqTime, revisions: d.revisions.map((p) => [p[0], p[1]]), deleted: d.deleted, items, no: d.no };
}

/** The model's replica as replicaView shows a real one (and as a counterexample's header carries it: `meta.expected`). */
function modelView(r: MReplica): ReplicaView {
  return { docs: [...r.docs.values()].sort((x, y) => (x.unid < y.unid ? -1 : 1)).map(viewModel), changes: r.changes };
}

function compare(m: Model, real: Real, after: string): void {
  for (const side of ['A', 'B'] as const) {
    expect({ after, side, ...replicaView(real.reps[side]) }).toEqual({ after, side, ...modelView(m.reps[side]) });
  }
}

// ---------------------------------------------------------------- commands

class SaveCmd implements fc.Command<Model, Real> {
  constructor(
    readonly side: Side,
    readonly unid: string,
    readonly set: readonly (readonly [string, string])[],
    readonly remove: readonly string[],
    readonly dt: number,
  ) {}
  // [choice]s the spec leaves open stay out of the model: no save over a stub (revival).
  check(m: Readonly<Model>): boolean {
    return m.reps[this.side].docs.get(this.unid)?.deleted !== true;
  }
  run(m: Model, real: Real): void {
    m.now += this.dt;
    const r = real.reps[this.side];
    r.put(applySave(r.get(this.unid), this.unid, { set: this.set, remove: this.remove }, clock(m, this.side), r.limitRevisions).note, 0);
    modelSave(m, this.side, this.unid, this.set, this.remove);
    compare(m, real, this.toString());
  }
  toString(): string {
    return `save(${this.side}, ${this.unid.slice(0, 2)}, ${JSON.stringify(this.set)}, remove ${JSON.stringify(this.remove)}, +${this.dt})`;
  }
}

class DeleteCmd implements fc.Command<Model, Real> {
  constructor(
    readonly side: Side,
    readonly unid: string,
    readonly dt: number,
  ) {}
  // Only live documents are deleted: deleting what a replica never held, or a stub again, is a [choice].
  check(m: Readonly<Model>): boolean {
    return m.reps[this.side].docs.get(this.unid)?.deleted === false;
  }
  run(m: Model, real: Real): void {
    m.now += this.dt;
    const r = real.reps[this.side];
    r.put(applyDelete(r.get(this.unid), this.unid, clock(m, this.side), r.limitRevisions), 0);
    modelDelete(m, this.side, this.unid);
    compare(m, real, this.toString());
  }
  toString(): string {
    return `delete(${this.side}, ${this.unid.slice(0, 2)}, +${this.dt})`;
  }
}

class ReplicateCmd implements fc.Command<Model, Real> {
  constructor(
    readonly from: Side,
    readonly to: Side,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, real: Real): void {
    // A transfer takes a tick of its own (no save is stamped with it): in a log, events at one instant are all applied
    // before the work they start, so two sessions at one instant would overlap (caseLog writes each at its own time).
    m.now += 1;
    realReplicate(real, this.from, this.to);
    modelReplicate(m, this.from, this.to);
    compare(m, real, this.toString());
  }
  toString(): string {
    return `replicate(${this.from}->${this.to})`;
  }
}

const NAMES = ['Subject', 'SUBJECT', 'Body', 'body', 'Note'] as const;
const sideArb = fc.constantFrom<Side>('A', 'B');
const unidArb = fc.constantFrom(...UNIDS);
const dtArb = fc.integer({ min: 1, max: 50 });

const saveArb = fc
    .record({
      side: sideArb,
      unid: unidArb,
      set: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom('x', 'y', 'z')), { selector: (t) => lower(t[0]), maxLength: 3 }),
      remove: fc.uniqueArray(fc.constantFrom(...NAMES), { selector: lower, maxLength: 1 }),
      // Mostly no $ConflictAction written: the base version's action then decides, and merges can happen.
      action: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('1', '2', '3', '0') }),
      dt: dtArb,
    })
    .map(({ side, unid, set, remove, action, dt }) => {
      const s = action === undefined ? set : [...set, ['$ConflictAction', action] as const];
      return new SaveCmd(side, unid, s, remove.filter((r) => !set.some(([n]) => lower(n) === lower(r))), dt);
    });

// fc.commands picks an arbitrary uniformly: saves are listed three times so that both sides often edit the same
// document between two transfers (the divergence R5 and R6 are about).
const commandArbs = [
  saveArb,
  saveArb,
  saveArb,
  fc.record({ side: sideArb, unid: unidArb, dt: dtArb }).map(({ side, unid, dt }) => new DeleteCmd(side, unid, dt)),
  fc.constantFrom(new ReplicateCmd('A', 'B'), new ReplicateCmd('B', 'A')),
];

function setup(limit: number, skewB: number, baseAction: string | undefined): { model: Model; real: Real } {
  const model: Model = { now: 500, skewB, limit, reps: { A: { docs: new Map(), changes: 0, received: new Map() }, B: { docs: new Map(), changes: 0, received: new Map() } } };
  const real: Real = { reps: { A: new Replica('A', 'db', limit), B: new Replica('B', 'db', limit) } };
  const set: (readonly [string, string])[] = [['Subject', 'base'], ['Body', 'base']];
  if (baseAction !== undefined) set.push(['$ConflictAction', baseAction]);
  for (const unid of UNIDS.slice(0, 2)) new SaveCmd('A', unid, set, [], 1).run(model, real);
  new ReplicateCmd('A', 'B').run(model, real);
  return { model, real };
}

type Case = [skewB: number, baseAction: string | undefined, cmds: Iterable<fc.Command<Model, Real>>];

/**
 * A case as a v1 event log: servers A and B with the model's clocks (A's times are 2 x now, B's 2 x now + 1 + 2 x
 * skewB: B's clockSkewMs), transfers that take no time (replicationMsPerDoc 0), each command that ran (its check
 * passed on the model) as a save, a delete or a one-way session (`replicate` started by the receiver, mode `pull`).
 * `replstorm replay <log> --state` shows what the engine makes of it, beside the model's expectation in the report.
 */
function caseLog(limit: number, c: Case): string {
  return caseRun(limit, c).log;
}

function caseRun(limit: number, [skewB, baseAction, cmds]: Case): { log: string; model: Model } {
  const m: Model = { now: 500, skewB, limit, reps: { A: { docs: new Map(), changes: 0, received: new Map() }, B: { docs: new Map(), changes: 0, received: new Map() } } };
  const lines: object[] = [
    { at: 0, type: 'server', name: 'A', replicationMsPerDoc: 0 },
    { at: 0, type: 'server', name: 'B', clockSkewMs: 1 + 2 * skewB, replicationMsPerDoc: 0 },
    { at: 0, type: 'database', name: 'db', replicas: ['A', 'B'], limitRevisions: limit },
  ];
  const by = (side: Side): string => `user/${side.toLowerCase()}`;
  const save = (c: SaveCmd): void => {
    m.now += c.dt;
    lines.push({ at: 2 * m.now, type: 'save', server: c.side, db: 'db', unid: c.unid, by: by(c.side), set: Object.fromEntries(c.set), ...(c.remove.length > 0 ? { remove: c.remove } : {}) });
    modelSave(m, c.side, c.unid, c.set, c.remove);
  };
  const replicate = (c: ReplicateCmd): void => {
    m.now += 1;
    lines.push({ at: 2 * m.now, type: 'replicate', server: c.to, partner: c.from, db: 'db', mode: 'pull' });
    modelReplicate(m, c.from, c.to);
  };
  const base: (readonly [string, string])[] = [['Subject', 'base'], ['Body', 'base']];
  if (baseAction !== undefined) base.push(['$ConflictAction', baseAction]);
  for (const unid of UNIDS.slice(0, 2)) save(new SaveCmd('A', unid, base, [], 1));
  replicate(new ReplicateCmd('A', 'B'));
  for (const wrapped of cmds) {
    // fc.commands hands each command over in a wrapper (its `cmd`).
    const c = (wrapped as { cmd?: fc.Command<Model, Real> }).cmd ?? wrapped;
    if (!c.check(m)) continue;
    // fast-check shrinks, and prints, only the commands marked as run: fc.modelRun marks them, this replay of the case
    // does it itself (unmarked, a failing case kept all its commands and printed none of them).
    (wrapped as { hasRan?: boolean }).hasRan = true;
    if (c instanceof SaveCmd) save(c);
    else if (c instanceof ReplicateCmd) replicate(c);
    else if (c instanceof DeleteCmd) {
      m.now += c.dt;
      lines.push({ at: 2 * m.now, type: 'delete', server: c.side, db: 'db', unid: c.unid, by: by(c.side) });
      modelDelete(m, c.side, c.unid);
    }
  }
  // The model's replicas at the end, in the header (`expected`): replay judges the claim by them (recheck.ts).
  const expected = { db: 'db', replicas: { A: modelView(m.reps.A), B: modelView(m.reps.B) } };
  return { log: `${[{ replog: 1, meta: { property: 'model-based R1-R7', limitRevisions: limit, expected } }, ...lines].map((x) => JSON.stringify(x)).join('\n')}\n`, model: m };
}

function runModelBased(limit: number, label: string): void {
  assertLogProperty<Case>({
    noteFailure: true,
    name: `model-${label}`,
    arbitrary: fc.tuple(
      fc.integer({ min: -200, max: 200 }),
      fc.option(fc.constantFrom('1', '2', '3'), { nil: undefined, freq: 4 }),
      fc.commands(commandArbs, { maxCommands: 40, size: 'max' }),
    ),
    predicate: ([skewB, baseAction, cmds]) => {
      fc.modelRun(() => setup(limit, skewB, baseAction), cmds);
    },
    toLog: (c) => caseLog(limit, c),
    numRuns: propertyRuns(300),
  });
}

describe('model-based: replicas against a reference model of R1–R7', () => {
  // The counterexample log must be the case: replayed by the simulator, it ends where the model does.
  it('R1–R7: a case written as a log and replayed ends with the model\'s documents and change numbers on both replicas', () => {
    for (const [limit, label] of [[0, 'uncapped'], [2, 'limitRevisions-2']] as const) {
      assertLogProperty<Case>({
        noteFailure: true,
        name: `model-replay-${label}`,
        arbitrary: fc.tuple(
          fc.integer({ min: -200, max: 200 }),
          fc.option(fc.constantFrom('1', '2', '3'), { nil: undefined, freq: 4 }),
          fc.commands(commandArbs, { maxCommands: 40, size: 'max' }),
        ),
        predicate: (c) => {
          const { log, model } = caseRun(limit, c);
          const { sim } = runEvents(decodeLogText(log).events.map((e) => e.event as InputEvent));
          for (const side of ['A', 'B'] as const) expect({ side, ...replicaView(sim.replica(side, 'db')!) }).toEqual({ side, ...modelView(model.reps[side]) });
        },
        toLog: (c) => caseLog(limit, c),
        numRuns: propertyRuns(100),
      });
    }
  });

  it('R1–R7: saves, deletes and transfers in any order match the model (no revision cap)', () => {
    runModelBased(0, 'uncapped');
  }, 60_000);

  it('R1–R7: the same with limitRevisions 2 (capped histories fall back to conflicts)', () => {
    runModelBased(2, 'limitRevisions-2');
  }, 60_000);
});
