import { describe, expect, it } from 'vitest';
import type { Discarded } from '../simulate/simulator.js';
import { runEvents } from '../simulate/runEvents.js';
import { decodeLogText } from './decodeLog.js';
import { describeInput, explainDerived, explainsEvent } from './explain.js';
import { isInputEvent, type DerivedEvent } from './events.js';

const UNID = '00000000000000000000000005E7D001';
const arrival: DerivedEvent = { at: 195_001, type: 'replicated', from: 'Beta', to: 'Alpha', db: 'mail/a.nsf', unid: UNID, seq: 2, seqTime: 180_010, outcome: 'updated' };
const session = (sent: number, changed: number): DerivedEvent => ({ at: 195_001, type: 'session', server: 'Beta', partner: 'Alpha', db: 'mail/a.nsf', direction: 'cluster', sent, changed, interrupted: false });

describe('explainDerived: what followed an input, in words (explore\'s steps, the report\'s steps)', () => {
  it('R12: a cluster push on the replicator\'s timer is labelled after what it changed; one that sent a version its mate already had changed nothing and is not said (it read "moved by ... on its timer" with nothing moved: a researcher\'s QA pass)', () => {
    expect(explainsEvent(session(1, 1))).toBe(true);
    expect(explainsEvent(session(1, 0))).toBe(false);
    expect(explainsEvent(session(0, 0))).toBe(false);
    expect(explainsEvent({ ...session(1, 1), direction: 'push' } as DerivedEvent)).toBe(false);
    const scan = { type: 'scan', server: 'Alpha', kind: 'scheduled', db: 'mail/a.nsf', unid: UNID } as const;
    expect(explainDerived([arrival, session(1, 1)], scan)).toBe(`${UNID} updated on Alpha (seq 2, from Beta); (moved by Beta's cluster replicator on its timer, to Alpha)`);
    expect(explainDerived([session(1, 0)], scan)).toBe('no change');
    // More than one change: how many arrivals it moved (it read as the last document's alone).
    const other = { ...arrival, unid: UNID.replace('1', '2') };
    expect(explainDerived([arrival, other, session(2, 2)], scan)).toBe(`${UNID} updated on Alpha (seq 2, from Beta); ${other.unid} updated on Alpha (seq 2, from Beta); (the 2 changes in mail/a.nsf from Beta above moved by its cluster replicator on its timer, to Alpha)`);
    // The step's own push is not labelled: it is the input.
    expect(explainDerived([arrival, session(1, 1)], { type: 'push', server: 'Beta', partner: 'Alpha' })).toBe(`${UNID} updated on Alpha (seq 2, from Beta)`);
    // A push naming another database: this session is the timer's, labelled.
    expect(explainDerived([arrival, session(1, 1)], { type: 'push', server: 'Beta', partner: 'Alpha', db: 'other.nsf' })).toBe(`${UNID} updated on Alpha (seq 2, from Beta); (moved by Beta's cluster replicator on its timer, to Alpha)`);
    // A later session of the same pair in the same database is the timer's: labelled (it was taken for the input's).
    const later = { ...arrival, at: 225_001, seq: 3 };
    expect(explainDerived([arrival, session(1, 1), later, { ...session(1, 1), at: 225_001 }], { type: 'push', server: 'Beta', partner: 'Alpha', at: 195_000 })).toBe(`${UNID} updated on Alpha (seq 2, from Beta); at 0:03:45.001, ${UNID} updated on Alpha (seq 3, from Beta); (moved by Beta's cluster replicator on its timer, to Alpha)`);
  });
});

describe('explainDerived: a push or session cut short for want of reach is said (a step of a partitioned search read "no change", where the push left its queue waiting for a retry)', () => {
  const lines = (extra: readonly object[]) => [
    { replog: 1 },
    { at: 0, type: 'server', name: 'A', cluster: 'c', clusterIntervalMs: 0 },
    { at: 0, type: 'server', name: 'B', cluster: 'c', clusterIntervalMs: 0, replicationMsPerDoc: 1000 },
    { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
    { at: 1, type: 'save', server: 'B', db: 'd.nsf', unid: UNID, by: 'user/b', set: { F: '1' } },
    { at: 1, type: 'save', server: 'B', db: 'd.nsf', unid: UNID.replace('0', '1'), by: 'user/b', set: { F: '1' } },
    ...extra,
  ];
  /** What followed each input of the log (the derived events from its time to the next input's), in words. */
  const steps = (extra: readonly object[]): string[] => {
    const inputs = decodeLogText(lines(extra).map((l) => JSON.stringify(l)).join('\n')).events.map((e) => e.event).filter(isInputEvent);
    const { derived } = runEvents(inputs, { collect: true });
    return inputs.map((input, i) => {
      const to = i + 1 < inputs.length ? inputs[i + 1]!.at : Number.POSITIVE_INFINITY;
      return explainDerived(derived.filter((e) => e.at >= input.at && e.at < to), input);
    });
  };

  it('R12: an explicit push to a mate cut off fails, and its documents stay queued (no timer here: clusterIntervalMs 0); healed, the next push moves them', () => {
    const out = steps([
      { at: 2, type: 'partition', groups: [['A'], ['B']] },
      { at: 3, type: 'push', server: 'B', partner: 'A' },
      { at: 4, type: 'heal' },
      { at: 5, type: 'push', server: 'B', partner: 'A' },
      { at: 100_000, type: 'end' },
    ]);
    expect(out[6]).toBe("B's push to A in d.nsf failed: A could not be reached (a partition or a crash), so its documents stay queued for a later push (R12)");
    expect(out[8]).toMatch(new RegExp(`^at 0:00:01.005, ${UNID} created on A \\(seq 1, from B\\)`));
  });

  it('R9: a pull that finds its partner cut off fails, and one cut off partway stops after what it applied; the history stays where it was', () => {
    const out = steps([
      { at: 2, type: 'partition', groups: [['A'], ['B']] },
      { at: 3, type: 'replicate', server: 'A', partner: 'B' },
      { at: 4, type: 'heal' },
      { at: 5, type: 'replicate', server: 'A', partner: 'B' },
      { at: 1500, type: 'partition', groups: [['A'], ['B']] },
      { at: 100_000, type: 'end' },
    ]);
    expect(out[6]).toBe("A's pull from B in d.nsf failed: the two could not reach each other (a partition or a crash), so the replication history stays where it was (R9)");
    expect(out[9]).toBe("A's pull from B in d.nsf stopped after 1 document: the two could not reach each other (a partition or a crash), so the replication history stays where it was (R9)");
  });

  it('R12: the replicator\'s push on its timer, failing at a later step, is said (not as that step\'s own)', () => {
    const timer: DerivedEvent = { at: 15_000, type: 'session', server: 'Beta', partner: 'Alpha', db: 'mail/a.nsf', direction: 'cluster', sent: 0, changed: 0, interrupted: true };
    expect(explainsEvent(timer)).toBe(true);
    expect(explainDerived([timer], { type: 'partition', groups: [['Alpha'], ['Beta']], at: 14_000 })).toBe("at 0:00:15, Beta's push to Alpha in mail/a.nsf failed: Alpha could not be reached (a partition or a crash), so its documents stay queued for a later push (R12)");
  });

  it('R12: a push cut short by its sender\'s crash ends with the crash (its queues lost, which the step says with `lost`), not "could not be reached"', () => {
    const out = steps([
      { at: 1, type: 'push', server: 'B', partner: 'A' },
      { at: 1500, type: 'crash', server: 'B' },
      { at: 100_000, type: 'end' },
    ]);
    // (The push's first document arrived under the push's own step; the crash, half a second later, ends the second.)
    expect(out[6]).toBe("B's push to A in d.nsf stopped after 1 document with B's crash (R12)");
  });
});

describe('describeInput: an input in words', () => {
  it('a scanner\'s installation says what it is, and no more: "(its scheduled scans)" read as a promise of scans a design without a schedule never makes (a researcher\'s QA pass; blame\'s label for the cause says it, where its scheduled passes are what it caused)', () => {
    expect(describeInput({ type: 'scanner', server: 'Alpha', design: 'mine' })).toBe('scanner mine installed on Alpha');
    expect(describeInput({ type: 'scan', server: 'Alpha', kind: 'scheduled', db: 'mail/a.nsf', unid: UNID })).toBe(`scheduled scan on Alpha of mail/a.nsf ${UNID}`);
  });
});

describe('explainDerived: deletions, discarded changes and OID collisions are said (an operator\'s QA pass: a report\'s steps read a deletion as "saved", a document coming back as "updated", and never named a collision)', () => {
  const U = (n: number) => n.toString(16).toUpperCase().padStart(32, '0');
  const save = (at: number, server: string, n: number, set: Record<string, string>) => ({ at, type: 'save', server, db: 'd.nsf', unid: U(n), by: `user/${server.toLowerCase()}`, set });
  const del = (at: number, server: string, n: number) => ({ at, type: 'delete', server, db: 'd.nsf', unid: U(n), by: `user/${server.toLowerCase()}` });
  const lines = [
    { replog: 1 },
    { at: 0, type: 'server', name: 'A' },
    { at: 0, type: 'server', name: 'B' },
    { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
    save(1, 'A', 1, { S: '1' }),
    save(1, 'A', 2, { S: '1' }),
    save(1, 'A', 3, { S: '1', $ConflictAction: '2' }),
    save(1, 'A', 4, { S: '1', $ConflictAction: '3' }),
    save(1, 'A', 5, { S: '1' }),
    { at: 2, type: 'replicate', server: 'A', partner: 'B' },
    // 1: deleted on A, edited on B after it: the edit wins and the document comes back on A (R6).
    del(10, 'A', 1),
    save(20, 'B', 1, { S: 'b' }),
    // 2: edited on B, deleted on A after it: the deletion wins, B's edit is lost (R6).
    save(10, 'B', 2, { S: 'b' }),
    del(20, 'A', 2),
    // 3: $ConflictAction "2": B's later edit wins, A's edit is lost, no conflict document (R5).
    save(10, 'A', 3, { S: 'a' }),
    save(20, 'B', 3, { S: 'b' }),
    // 4: $ConflictAction "3", the same item on both sides: merged, A's value of it lost (R5).
    save(10, 'A', 4, { S: 'a' }),
    save(20, 'B', 4, { S: 'b' }),
    // 5: the same OID with other contents on each side (R3).
    save(10, 'A', 5, { S: 'a' }),
    save(10, 'B', 5, { S: 'b' }),
    { at: 30, type: 'replicate', server: 'A', partner: 'B' },
  ];
  // (In time order, as a log is: each document's story above is told in its own lines.)
  const sorted = [lines[0]!, ...(lines.slice(1) as { at: number }[]).sort((a, b) => a.at - b.at)];
  const { events } = decodeLogText(`${sorted.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const derived: DerivedEvent[] = [];
  const discarded: (Discarded | undefined)[] = [];
  runEvents(events.flatMap((x) => (isInputEvent(x.event) ? [x.event] : [])), { onDerived: (e, _made, x) => (derived.push(e), discarded.push(x)) });
  const fromLast = derived.findIndex((e) => e.at >= 30);
  const words = explainDerived(derived.slice(fromLast), { type: 'replicate', server: 'A', partner: 'B', at: 30 }, discarded.slice(fromLast));

  it('R5/R6: the Simulator says what each arrival discarded of its destination\'s copy, and nothing for the others', () => {
    const by = new Map(derived.flatMap((e, i) => (e.type === 'replicated' && e.at >= 30 ? [[`${e.to} ${e.unid}`, `${e.outcome} ${discarded[i] ?? '-'}`]] : [])));
    expect(Object.fromEntries(by)).toEqual({
      [`A ${U(1)}`]: 'updated deletion',
      [`B ${U(2)}`]: 'deleted edit',
      [`A ${U(3)}`]: 'updated changes',
      [`A ${U(4)}`]: 'merged overlapping changes',
      [`B ${U(4)}`]: 'updated -',
      [`A ${U(5)}`]: 'collision -',
      [`B ${U(5)}`]: 'collision -',
    });
  });

  it('R6: a document back where it was deleted, and an edit lost to a deletion, are said as such', () => {
    expect(words).toContain(`${U(1)} updated on A (seq 2, from B): the document reappears on A, whose deletion is discarded (R6)`);
    expect(words).toContain(`${U(2)} deleted on B (seq 2, from A): the deletion wins, and B's edit is discarded (R6)`);
  });

  it('R5: changes $ConflictAction "2" or "3" throws away are said, with the setting', () => {
    expect(words).toContain(`${U(3)} updated on A (seq 2, from B): A's own changes are discarded (the winner's $ConflictAction "2", do not create conflicts: R5)`);
    expect(words).toContain(`${U(4)} merged on A (seq 3, from B): A's values of items both sides changed are discarded (the winner's $ConflictAction "3", merge/no conflicts: R5)`);
  });

  it('R5: a merge where the destination\'s copy wins throws away the arriving copy\'s values, and says so (it named the destination: a review)', () => {
    const merge = [
      { replog: 1 },
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
      save(1, 'A', 6, { x: '0', $ConflictAction: '3' }),
      { at: 2, type: 'replicate', server: 'A', partner: 'B', mode: 'push' },
      save(10, 'A', 6, { x: 'fromA' }),
      save(20, 'B', 6, { x: 'fromB' }),
      save(21, 'B', 6, { y: 'b2' }),
      // A's copy (seq 2) reaches B's (seq 3, the winner): merged on B, A's value of x lost.
      { at: 30, type: 'replicate', server: 'A', partner: 'B', mode: 'push' },
    ];
    const d: DerivedEvent[] = [];
    const x: (Discarded | undefined)[] = [];
    const { sim } = runEvents(decodeLogText(`${merge.map((l) => JSON.stringify(l)).join('\n')}\n`).events.flatMap((e) => (isInputEvent(e.event) ? [e.event] : [])), { onDerived: (e, _m, why) => (d.push(e), x.push(why)) });
    expect(sim.replica('B', 'd.nsf')!.get(U(6))!.items.find((i) => i.name === 'x')?.value).toBe('fromB');
    const i = d.findIndex((e) => e.type === 'replicated' && e.at >= 30);
    expect(x[i]).toBe('arriving overlapping changes');
    expect(explainDerived(d.slice(i), undefined, x.slice(i))).toBe(`${U(6)} merged on B (seq 4, from A): A's values of items both sides changed are discarded, B's copy winning (its $ConflictAction "3", merge/no conflicts: R5)`);
  });

  it('R3: an OID collision is said, on each side', () => {
    expect(words).toContain(`OID COLLISION on A over ${U(5)}: the version arriving from B, seq 2@10, has the OID of A's own copy with other contents; neither replaces the other, and the replicas stay different (R3)`);
    expect(words).toContain(`OID COLLISION on B over ${U(5)}`);
  });

  it('R5: a conflict whose conflict document is already there (it arrived first) reads as the winner taken, none made; not as a second conflict (a blame audit)', () => {
    // Alpha and Beta edit one document apart; Beta's wins on Alpha (a conflict document there), and Alpha then pushes
    // both to Gamma, the conflict document first: Gamma's copy loses to the arriving winner, and its conflict document,
    // made from the same version, is already on Gamma.
    const text = [
      { replog: 1 },
      ...['Alpha', 'Beta', 'Gamma'].map((name) => ({ at: 0, type: 'server', name })),
      { at: 0, type: 'database', name: 'd.nsf', replicas: ['Alpha', 'Beta', 'Gamma'] },
      { at: 1000, type: 'save', server: 'Alpha', db: 'd.nsf', unid: UNID, by: 'user/ann', set: { S: '1' } },
      { at: 2000, type: 'replicate', server: 'Alpha', partner: 'Beta', mode: 'push' },
      { at: 3000, type: 'replicate', server: 'Alpha', partner: 'Gamma', mode: 'push' },
      { at: 5000, type: 'save', server: 'Alpha', db: 'd.nsf', unid: UNID, by: 'user/ann', set: { S: 'a' } },
      { at: 6000, type: 'save', server: 'Beta', db: 'd.nsf', unid: UNID, by: 'user/bob', set: { S: 'b' } },
      { at: 7000, type: 'replicate', server: 'Alpha', partner: 'Gamma', mode: 'push' },
      { at: 8000, type: 'replicate', server: 'Beta', partner: 'Alpha', mode: 'push' },
      { at: 9000, type: 'replicate', server: 'Alpha', partner: 'Gamma', mode: 'push' },
    ].map((l) => JSON.stringify(l)).join('\n');
    const said: DerivedEvent[] = [];
    const made: (boolean | undefined)[] = [];
    runEvents(decodeLogText(text).events.map((e) => e.event).filter(isInputEvent), { onDerived: (e, m) => { if (e.at >= 9000 && (e.type === 'replicated' || e.type === 'conflict')) { said.push(e); made.push(m); } } });
    // The engine's word: a conflict on Gamma, no document made (what the report's steps leave out).
    const conflict = said.findIndex((e) => e.type === 'conflict');
    expect(said[conflict]).toMatchObject({ server: 'Gamma', unid: UNID });
    expect(made[conflict]).toBe(false);
    const shown = said.filter((e, i) => !(e.type === 'conflict' && made[i] === false));
    const words = explainDerived(shown, undefined);
    expect(words).toMatch(new RegExp(`^[0-9A-F]{32} created on Gamma \\(seq 2, from Alpha\\); ${UNID} updated on Gamma \\(seq 2, from Alpha\\): the arriving version wins over Gamma's diverged copy \\(R5\\); no conflict document is made, Gamma holding one under its UNID already \\(it came first, and may have been edited or deleted since\\)$`));
    expect(words).not.toContain('conflict on Gamma');
  });

  it('R1b: a delete input\'s own revision reads as a deletion; another input\'s revision of the same document does not', () => {
    const stub = derived.find((e) => e.type === 'revised' && e.unid === U(1) && e.server === 'A' && e.at === 10)!;
    expect(explainDerived([stub], { type: 'delete', server: 'A', db: 'd.nsf', unid: U(1), by: 'user/a' })).toBe(`user/a deleted ${U(1)} on A (seq 2, a deletion stub)`);
    expect(explainDerived([stub], { type: 'save', server: 'A', db: 'd.nsf', unid: U(1), by: 'user/a', set: new Map() })).toBe(`user/a saved ${U(1)} on A (seq 2)`);
  });

  it('what followed a second or more after its input says when, once per instant; what followed at once does not', () => {
    const arrivalLater: DerivedEvent = { ...arrival, at: 3_600_000 };
    const input = { type: 'heal', at: 60_000 } as const;
    expect(explainDerived([arrival], { ...input, at: 195_000 })).toBe(`${UNID} updated on Alpha (seq 2, from Beta)`);
    expect(explainDerived([arrivalLater, { ...arrivalLater, to: 'Gamma' }], input)).toBe(`at 1:00:00, ${UNID} updated on Alpha (seq 2, from Beta); ${UNID} updated on Gamma (seq 2, from Beta)`);
    // An action without a time (explore's) says none.
    expect(explainDerived([arrivalLater], { type: 'heal' })).toBe(`${UNID} updated on Alpha (seq 2, from Beta)`);
  });
});

describe('explainDerived: a conflict limitRevisions may have made is said so (R4, S2)', () => {
  // A saves, B gets that version, A saves twice more. With limitRevisions 1 the winner's history keeps one entry (seq
  // 2), so B's copy, seq 1, reads as diverged (R4) and a conflict document is made where B never edited: it read
  // "(more saves, R5)" and nothing of the cap (an operator's QA pass).
  const run = (limitRevisions: number | undefined, bEdits: boolean) => {
    const lines = [
      { replog: 1 },
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'], ...(limitRevisions !== undefined ? { limitRevisions } : {}) },
      { at: 10, type: 'save', server: 'A', db: 'd', unid: UNID, by: 'user/a', set: { X: '1' } },
      { at: 20, type: 'replicate', server: 'A', partner: 'B' },
      { at: 100, type: 'save', server: 'A', db: 'd', unid: UNID, by: 'user/a', set: { X: '2' } },
      { at: 110, type: 'save', server: 'A', db: 'd', unid: UNID, by: 'user/a', set: { X: '3' } },
      ...(bEdits ? [{ at: 150, type: 'save', server: 'B', db: 'd', unid: UNID, by: 'user/b', set: { Y: 'b' } }] : []),
      { at: 300, type: 'replicate', server: 'A', partner: 'B' },
    ];
    const inputs = decodeLogText(lines.map((l) => JSON.stringify(l)).join('\n')).events.map((e) => e.event).filter(isInputEvent);
    const { derived } = runEvents(inputs, { collect: true });
    return explainDerived(derived.filter((e) => e.at >= 300), inputs.at(-1), undefined, undefined, new Map([['d', limitRevisions ?? 0]]));
  };

  it('R4: a copy more saves behind the winner than its history keeps may be the winner\'s own earlier version: said, with the cap', () => {
    expect(run(1, false)).toMatch(/^CONFLICT on B over .*, seq 3@110, wins over B's own, seq 1@10 \(more saves, R5\); B's version is kept there as conflict document [0-9A-F]{32}; B's copy may be an earlier version of the winner itself: limitRevisions 1 keeps only the last entry of a version's history, which no longer reaches back to seq 1, so R4 reads the copies as diverged \(S2\)$/);
  });

  it('R4: with history enough, the same copy is an ancestor and is updated; a real divergence with no cap is said without it', () => {
    expect(run(2, false)).toBe(`${UNID} updated on B (seq 3, from A)`);
    expect(run(undefined, true)).toMatch(/^CONFLICT on B over .*, seq 3@110, wins over B's own, seq 2@150 \(more saves, R5\); B's version is kept there as conflict document [0-9A-F]{32}$/);
  });
});

describe('describeInput: a replication session', () => {
  it('R8: the arrow says which way documents go: push ->, pull <-, both ways <-> (a push read "Alpha <-> Beta (push)": an operator\'s QA pass)', () => {
    expect(describeInput({ type: 'replicate', server: 'Alpha', partner: 'Beta', mode: 'push' })).toBe('replication Alpha -> Beta (push)');
    expect(describeInput({ type: 'replicate', server: 'Alpha', partner: 'Beta', mode: 'pull' })).toBe('replication Alpha <- Beta (pull)');
    expect(describeInput({ type: 'replicate', server: 'Alpha', partner: 'Beta' })).toBe('replication Alpha <-> Beta');
    expect(describeInput({ type: 'replicate', server: 'Alpha', partner: 'Beta', mode: 'pull-pull', db: 'x.nsf' })).toBe('replication Alpha <-> Beta (pull-pull) of x.nsf');
  });
});

describe('explainDerived: a scan that let an infection through is said, though it saved nothing (a new user\'s QA pass: a missed-infection counterexample\'s report showed two user saves and not the scan it fails at)', () => {
  const U = '0000000000000000000000000ABC0000';
  const scanned = (verdict: 'clean' | 'skipped' | 'infected', kind: 'on-write' | 'mail' = 'on-write', db = 'd.nsf'): DerivedEvent => ({ at: 5, type: 'scanned', server: 'A', db, unid: U, kind, verdict, saved: false });
  it('INFECTION MISSED where the engine says the scan missed (Simulator onDerived `missed`): skipped, or called clean', () => {
    expect(explainDerived([scanned('skipped')], undefined, undefined, undefined, undefined, undefined, [true])).toBe(`INFECTION MISSED on A: its on-write scan of ${U} in d.nsf skipped it, and it holds an infected attachment`);
    expect(explainDerived([scanned('clean')], undefined, undefined, undefined, undefined, undefined, [true])).toBe(`INFECTION MISSED on A: its on-write scan of ${U} in d.nsf called it clean, and it holds an infected attachment`);
    expect(explainDerived([scanned('clean', 'mail', 'mail.box')], undefined, undefined, undefined, undefined, undefined, [true])).toBe(`INFECTION MISSED on A: its mail scan of message ${U} in mail.box called it clean, and it holds an infected attachment`);
  });
  it('a scan that missed nothing, or told without `missed`, is not said (scans that saved nothing are left out)', () => {
    expect(explainDerived([scanned('skipped')], undefined, undefined, undefined, undefined, undefined, [false])).toBe('no change');
    expect(explainDerived([scanned('skipped')])).toBe('no change');
  });
});

describe('explainDerived: a scanner\'s save that wrote $FILE is said as a cleaning (an operator\'s QA pass: "saved" read alike for a cleaning and a stamp)', () => {
  const U = '0000000000000000000000000ABC0000';
  const rev = (by: string, items: string[]): DerivedEvent => ({ at: 5, type: 'revised', server: 'A', db: 'd.nsf', unid: U, seq: 2, seqTime: 5, items, by, cause: 2 });
  it('R13: cleaned where a scanner wrote $FILE (any case); saved where it wrote only its tag, or a user wrote $FILE', () => {
    expect(explainDerived([rev('scanner/smsdom', ['$File', 'X-SSOTag'])])).toBe(`scanner/smsdom cleaned ${U} on A (seq 2)`);
    expect(explainDerived([rev('scanner/smsdom', ['X-SSOTag'])])).toBe(`scanner/smsdom saved ${U} on A (seq 2)`);
    expect(explainDerived([rev('user/ann', ['$FILE'])])).toBe(`user/ann saved ${U} on A (seq 2)`);
  });
});
