import { describe, expect, it } from 'vitest';
import { runEvents, type InputEvent, type Summary } from '@replstorm/core';
import { CHECKS, dropEventsOneByOne, recheckVerifyClaim, withoutDatabase, withoutServer, type Outcome } from './verifyDesign.js';
import { cleaningWrites, defineDesign, type ScannerDesign } from '../design.js';

// verifyDesign's checks on constructed outcomes, for what no design makes happen: replication converges whatever a
// scanner writes, so a convergence check that never fails would pass every random case of the suite.

const IDLE: Summary = runEvents([]).summary;

function outcome(summary: Partial<Pick<Summary, 'quiescent' | 'converged' | 'collisions'>>): Outcome {
  return { summary: { ...IDLE, ...summary }, readOnlySaves: 0, firstReadOnlySave: undefined, stampings: 0, uncleaned: 0, firstUncleaned: undefined, leftInPlace: 0, firstLeftInPlace: undefined, firstMissed: undefined, infectedScans: 0, deletions: 0, conflictUnids: new Set(), reappeared: undefined, stormCut: false, lastScannerRevisionAt: undefined, scannerRevisions: 0, arrivalStamps: 0, arrivalsSeen: 0, crash: undefined };
}

const noBaseline = (): Outcome => {
  throw new Error('convergence needs no baseline run');
};

describe('verifyDesign: the convergence check (R3, R12)', () => {
  it('R12: quiet (nothing pending) with replicas that differ and no OID collision is a violation', () => {
    expect(CHECKS.convergence(outcome({ quiescent: true, converged: false, collisions: 0 }), noBaseline)).toBe('replicas differ although nothing is pending');
  });

  it('R12: replicas that differ while work is still pending are not judged (the quiescence invariant is about that)', () => {
    expect(CHECKS.convergence(outcome({ quiescent: false, converged: false, collisions: 0 }), noBaseline)).toBeUndefined();
  });

  it('R3: replicas kept apart by an OID collision are excepted (an equal OID is the same version to Domino) where a scanner that only cleans collides too; one the design\'s writes make is a violation (it passed as "held": a verify QA pass)', () => {
    const apart = outcome({ quiescent: true, converged: false, collisions: 1 });
    expect(CHECKS.convergence(apart, () => outcome({ quiescent: true, converged: false, collisions: 1 }))).toBeUndefined();
    expect(CHECKS.convergence(apart, () => outcome({ quiescent: true, converged: true, collisions: 0 }))).toBe('replicas differ although nothing is pending, kept apart by 1 OID collision(s) (R3: the same seq and seqTime, other contents) that the same inputs with a scanner that only cleans do not make');
  });

  it('quiet and converged holds', () => {
    expect(CHECKS.convergence(outcome({ quiescent: true, converged: true, collisions: 0 }), noBaseline)).toBeUndefined();
  });
});

describe('verifyDesign: the no-scanner-conflicts check (R5)', () => {
  const U = '0000000000000000000000000ABC0000';
  const withConflicts = (missed: number): Outcome => {
    const o = outcome({ quiescent: true, converged: true });
    return { ...o, summary: { ...o.summary, scans: { ...o.summary.scans, missed } }, conflictUnids: new Set([U]) };
  };
  it('R5: a conflict the clean-only baseline does not make is a violation; where the run also let an infection through, it says that later cleanings on several servers may be what conflicts (a researcher\'s QA pass: a cache keyed by UNID, which never stamps, read as stamping)', () => {
    const check = CHECKS['no-scanner-conflicts'];
    expect(check(withConflicts(0), () => outcome({}))).toBe(`1 document(s) got replication conflicts that the same inputs with a scanner that only cleans do not make; first: ${U}`);
    expect(check(withConflicts(1), () => outcome({}))).toBe(`1 document(s) got replication conflicts that the same inputs with a scanner that only cleans do not make (the run also let an infection through, no-missed-infection: left to later scans on several servers, their cleanings may be what conflicts); first: ${U}`);
    expect(check(withConflicts(1), () => withConflicts(0))).toBeUndefined();
  });
});

describe('verifyDesign: the no-scanner-reappearances check (R6)', () => {
  const DOC = '0000000000000000000000000ABC0000 in mail/db0.nsf';
  const at = (scannerSaved: boolean) => ({ scannerSaved, deletedOn: 'Alpha', deletedAt: 'at 31,101 ms', liveOn: ['Alpha', 'Beta'] });
  const withReappeared = (docs: [string, ReturnType<typeof at>][] | undefined): Outcome => ({ ...outcome({ quiescent: true, converged: true }), reappeared: docs === undefined ? undefined : new Map(docs) });
  const check = CHECKS['no-scanner-reappearances'];

  it('R6: a deleted document back where it was deleted at the end, saved by the design, that a scanner that only cleans leaves deleted is a violation, saying where it was deleted and where else it is', () => {
    expect(check(withReappeared([[DOC, at(true)]]), () => withReappeared([]))).toBe(`1 document(s) a user deleted are back where they were deleted at the end (a document, not a deletion stub), where the same inputs with a scanner that only cleans leave them deleted (R6: a deletion loses to a copy saved more than once since the two parted, or saved after the deletion, and a scanner's stamp is a save); first: ${DOC}, deleted on Alpha at 31,101 ms, back there (and on Beta)`);
  });

  it('R6: one the scanner that only cleans brings back too is not the design\'s (a user\'s second edit, an edit after the deletion)', () => {
    expect(check(withReappeared([[DOC, at(true)]]), () => withReappeared([[DOC, at(false)]]))).toBeUndefined();
  });

  it('R6: one the design never saved is not held against it (noop lost a deletion that the cleaner\'s cleaning save won: seed 3)', () => {
    expect(check(withReappeared([[DOC, at(false)]]), () => {
      throw new Error('no baseline needed: the design saved none of them');
    })).toBeUndefined();
  });

  it('R6: a case whose baseline run did not drain is not judged (it may not have spread the deletion yet); nor one whose own run did not (quiescence judges that)', () => {
    expect(check(withReappeared([[DOC, at(true)]]), () => withReappeared(undefined))).toBeUndefined();
    expect(check(withReappeared(undefined), noBaseline)).toBeUndefined();
  });

  it('R6: nothing brought back holds, without the baseline\'s run', () => {
    expect(check(withReappeared([]), noBaseline)).toBeUndefined();
  });
});

// The counterexample's last shrink drops a server or a database with every event naming it (verifyDesign): a
// delivery names databases in `to` (a review found them left, so such a candidate never held together).
describe('the shrink\'s candidates', () => {
  const U = '0000000000000000000000000000000A';
  const events: InputEvent[] = [
    { at: 0, type: 'server', name: 'Alpha' },
    { at: 0, type: 'server', name: 'Beta' },
    { at: 0, type: 'database', name: 'a.nsf', replicas: ['Alpha', 'Beta'] },
    { at: 0, type: 'database', name: 'b.nsf', replicas: ['Beta'] },
    { at: 1, type: 'deliver', server: 'Alpha', unid: U, to: ['a.nsf', 'b.nsf'], set: new Map([['Subject', 'x']]) },
    { at: 2, type: 'deliver', server: 'Beta', unid: U, to: ['b.nsf'], set: new Map([['Subject', 'y']]) },
    { at: 3, type: 'replicate', server: 'Alpha', partner: 'Beta', db: 'a.nsf' },
    { at: 4, type: 'partition', groups: [['Alpha'], ['Beta']] },
  ];

  it('without a database: its event, the events on it, its place in a delivery\'s `to` (a delivery to it alone is dropped)', () => {
    expect(withoutDatabase(events, 'b.nsf').map((e) => [e.type, 'to' in e ? e.to : undefined])).toEqual([
      ['server', undefined],
      ['server', undefined],
      ['database', undefined],
      ['deliver', ['a.nsf']],
      ['replicate', undefined],
      ['partition', undefined],
    ]);
  });

  it('without a server: its event, what it starts or takes part in, its replicas (a database left with none goes, as above), its partition place', () => {
    const left = withoutServer(events, 'Beta');
    expect(left).toEqual([
      { at: 0, type: 'server', name: 'Alpha' },
      { at: 0, type: 'database', name: 'a.nsf', replicas: ['Alpha'] },
      { at: 1, type: 'deliver', server: 'Alpha', unid: U, to: ['a.nsf'], set: new Map([['Subject', 'x']]) },
      { at: 4, type: 'partition', groups: [['Alpha']] },
    ]);
    // What is left holds together: it runs.
    expect(runEvents(left).summary.stopped).toBe('idle');
  });
});

describe('the shrink keeps a case\'s heal with its partition', () => {
  it('R12/R16: smsdom scanning arrivals, seed 1830456875: the quiescence counterexample is the storm, not a server cut off for good (dropping the heal alone left a cluster queue waiting on a mate never reached again: a 4-revision log, "work ... outlasts the run")', async () => {
    const { builtinRegistry, verifyDesign } = await import('../index.js');
    const registry = builtinRegistry();
    const r = verifyDesign(registry.get('smsdom')!, { config: { scanReplicatedWrites: true }, runs: 60, seed: 1830456875, only: ['quiescence'] });
    const cex = r.invariants.find((i) => i.name === 'quiescence')?.counterexample;
    expect(cex?.message).toMatch(/a replication storm$/);
    // Every partition the log keeps is healed before it ends.
    const partitions = cex!.events.filter((e) => e.type === 'partition').length;
    const heals = cex!.events.filter((e) => e.type === 'heal').length;
    expect(partitions === 0 || heals > 0, cex!.log).toBe(true);
  });
});

describe('the shrink\'s last pass: each event dropped in turn, a heal only with the partitions before it', () => {
  const U = (n: number) => n.toString(16).toUpperCase().padStart(32, '0');
  const save = (at: number, n: number): InputEvent => ({ at, type: 'save', server: 'Alpha', db: 'a.nsf', unid: U(n), by: 'user/a', set: new Map([['S', String(n)]]) });
  const part = (at: number): InputEvent => ({ at, type: 'partition', groups: [['Alpha']] });
  const heal = (at: number): InputEvent => ({ at, type: 'heal' });
  const names = (evs: readonly InputEvent[]) => evs.map((e) => (e.type === 'save' ? `save ${e.unid.slice(-1)}` : e.type));

  it('everything accepted: the list empties, the heal going with both partitions before it (last first; a heal last, then the index past the two dropped)', () => {
    const tried: string[][] = [];
    const left = dropEventsOneByOne([part(1), save(2, 1), part(3), save(4, 2), heal(5)], (smaller) => {
      tried.push(names(smaller));
      return true;
    });
    expect(left).toEqual([]);
    expect(tried).toEqual([
      ['save 1', 'save 2'], // the heal with both partitions
      ['save 1'], // then the event before them
      [],
    ]);
  });

  it('a heal is never tried alone, and events the check needs stay: the next event tried after a heal went is the one before its partitions', () => {
    const tried: string[][] = [];
    // Keep save 1 and save 3; anything else may go.
    const left = dropEventsOneByOne([save(1, 1), part(2), save(3, 2), save(4, 3), heal(5), save(6, 4)], (smaller) => {
      tried.push(names(smaller));
      const n = names(smaller);
      return n.includes('save 1') && n.includes('save 3');
    });
    expect(names(left)).toEqual(['save 1', 'save 3']);
    for (const t of tried) expect(t.includes('heal') && !t.includes('partition'), `a heal kept without its partition: ${t.join(', ')}`).toBe(false);
    expect(tried).toEqual([
      ['save 1', 'partition', 'save 2', 'save 3', 'heal'], // save 4 goes
      ['save 1', 'save 2', 'save 3'], // the heal with its partition
      ['save 1', 'save 2'], // save 3 is needed
      ['save 1', 'save 3'], // save 2 goes
      ['save 3'], // save 1 is needed
    ]);
  });
});

describe('verifyDesign: an infected copy left in place, judged on a log edited by hand (R13, R14)', () => {
  // A design that watches no write and takes passes as asked (or declines every scheduled one): the infected document
  // predates its scanner, so only a pass hands it over.
  const make = (passes: boolean) =>
    defineDesign<Record<string, never>>({
      name: passes ? 'passes' : 'no-passes',
      description: 'cleans what a pass hands it',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      watches: () => false,
      runsScheduledPass: () => passes,
      scan: ({ virusScan }) => {
        const r = virusScan();
        return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean' };
      },
    }) as ScannerDesign<object>;
  const UNID = (n: number) => n.toString(16).toUpperCase().padStart(32, '0');
  const log = (design: string, after: readonly InputEvent[]): InputEvent[] => [
    { at: 0, type: 'server', name: 'Alpha' },
    { at: 0, type: 'database', name: 'd0.nsf', replicas: ['Alpha'] },
    { at: 0, type: 'database', name: 'd1.nsf', replicas: ['Alpha'] },
    { at: 100, type: 'save', server: 'Alpha', db: 'd0.nsf', unid: UNID(1), by: 'user/ann', set: new Map([['$FILE', [{ name: 'a.exe', bytes: 1000, infected: true }]]]) },
    { at: 100, type: 'save', server: 'Alpha', db: 'd1.nsf', unid: UNID(2), by: 'user/ann', set: new Map([['$FILE', [{ name: 'b.pdf', bytes: 1000 }]]]) },
    { at: 1000, type: 'scanner', server: 'Alpha', design },
    ...after,
  ];
  const judge = (design: ScannerDesign<object>, after: readonly InputEvent[]) => recheckVerifyClaim('no-missed-infection', log(design.name, after), new Map([[design.name, design]]), design).violated;

  it('R14: a scheduled pass declined on the server holding it leaves it in place: violated; asked of another database only, it was not asked', () => {
    const declines = make(false);
    expect(judge(declines, [{ at: 2000, type: 'scan', server: 'Alpha', kind: 'scheduled' }])).toMatch(/^1 document copy with an infected attachment left in place at the end, which the design was never handed/);
    expect(judge(declines, [{ at: 2000, type: 'scan', server: 'Alpha', kind: 'scheduled', db: 'd1.nsf' }])).toBeUndefined();
  });

  it('R13: a pass a crash cut short before the document was not the design\'s to finish: the server is asked no more', () => {
    const takes = make(true);
    expect(judge(takes, [{ at: 2000, type: 'scan', server: 'Alpha', kind: 'manual' }])).toBeUndefined(); // handed, cleaned
    expect(judge(takes, [{ at: 2000, type: 'scan', server: 'Alpha', kind: 'manual' }, { at: 2005, type: 'crash', server: 'Alpha' }, { at: 3000, type: 'restart', server: 'Alpha' }])).toBeUndefined();
  });
});
