import { describe, expect, it } from 'vitest';
import type { DerivedEvent, InputEvent } from '@replstorm/core';
import { createSteps } from './steps.js';
import { renderHtmlReport } from './htmlReport.js';
import { sampleReport } from '../../test/reportFixtures.js';

const save = (at: number, unid: string): InputEvent => ({ at, type: 'save', server: 'Alpha', db: 'd.nsf', unid, by: 'user/ann' });
const revised = (at: number, unid: string, by = 'user/ann'): DerivedEvent => ({ at, type: 'revised', server: 'Alpha', db: 'd.nsf', unid, seq: 1, seqTime: at, items: ['Body'], by, cause: 2 });
const UNID = 'A'.repeat(32);

describe('the report\'s steps', () => {
  it('gives each input what the engine derived after it, up to the next input, in words', () => {
    const b = createSteps();
    b.input(2, save(1000, UNID));
    b.add(revised(1000, UNID));
    b.add({ at: 1001, type: 'scanned', server: 'Alpha', db: 'd.nsf', unid: UNID, kind: 'on-write', verdict: 'clean', saved: false });
    b.input(3, { at: 2000, type: 'push', server: 'Alpha', partner: 'Beta' });
    b.input(4, { at: 3000, type: 'end' });
    expect(b.result()).toEqual({
      inputs: 3,
      steps: [
        { line: 2, at: 1000, input: `save by user/ann on Alpha (d.nsf ${UNID})`, followed: `user/ann saved ${UNID} on Alpha (seq 1)` },
        { line: 3, at: 2000, input: 'cluster push Alpha -> Beta', followed: 'no change' },
        { line: 4, at: 3000, input: 'end (the run stops here)', followed: 'no change' },
      ],
    });
  });

  it('R13: a step says the first 3 scans that missed an infection and counts the rest, and they leave the step\'s revisions their slots (a review: a noop pass over 150 infected documents filled the step with 60 of them before its text was cut)', () => {
    const b = createSteps();
    b.input(2, { at: 1000, type: 'scan', server: 'Alpha', kind: 'manual' });
    const unid = (k: number) => k.toString(16).toUpperCase().padStart(32, '0');
    for (let k = 1; k <= 10; k++) b.add({ at: 1000 + 10 * k, type: 'scanned', server: 'Alpha', db: 'd.nsf', unid: unid(k), kind: 'manual', verdict: 'skipped', saved: false }, undefined, undefined, undefined, true);
    // A scan that missed nothing is not said, nor counted.
    b.add({ at: 1200, type: 'scanned', server: 'Alpha', db: 'd.nsf', unid: unid(11), kind: 'manual', verdict: 'clean', saved: false }, undefined, undefined, undefined, false);
    b.add(revised(1300, UNID, 'scanner/smsdom'));
    const said = (k: number) => `INFECTION MISSED on Alpha: its manual scan of ${unid(k)} in d.nsf skipped it, and it holds an infected attachment`;
    expect(b.result().steps[0]!.followed).toBe(`${said(1)}; ${said(2)}; ${said(3)}; scanner/smsdom saved ${UNID} on Alpha (seq 1); and 7 more scans that missed an infection`);
  });

  it('R13: a scan that missed an infection goes under the input whose scan it is (startedBy), with that scan\'s saves, though a later input came first; under the last input when its input is the scanner\'s own installation (its schedule\'s pass) (a review: the miss and the stamp went under two steps)', () => {
    const b = createSteps();
    const U2 = 'B'.repeat(32);
    b.input(2, { at: 1000, type: 'scan', server: 'Alpha', kind: 'manual' });
    b.input(3, save(1005, U2));
    b.add({ at: 1010, type: 'scanned', server: 'Alpha', db: 'd.nsf', unid: UNID, kind: 'manual', verdict: 'skipped', saved: false }, undefined, undefined, 2, true);
    b.add(revised(1010, UNID, 'scanner/smsdom'));
    // Its own schedule's pass: startedBy is the scanner's line, not shown as a step here: in time order.
    b.add({ at: 1020, type: 'scanned', server: 'Alpha', db: 'd.nsf', unid: U2, kind: 'scheduled', verdict: 'clean', saved: false }, undefined, undefined, 1, true);
    const [scan, user] = b.result().steps;
    expect(scan!.followed).toBe(`INFECTION MISSED on Alpha: its manual scan of ${UNID} in d.nsf skipped it, and it holds an infected attachment; scanner/smsdom saved ${UNID} on Alpha (seq 1)`);
    expect(user!.followed).toBe(`INFECTION MISSED on Alpha: its scheduled scan of ${U2} in d.nsf called it clean, and it holds an infected attachment`);
  });

  it('R13: a pass of the scanner\'s own schedule is said so, under the input it falls after in time order; where a step\'s events touch two databases, each revision and arrival names its own (an operator\'s QA pass: they read as set off by a user\'s save, and as one save said twice)', () => {
    const b = createSteps();
    b.input(5, { at: 1000, type: 'scanner', server: 'Alpha', design: 'smsdom' });
    b.input(10, { at: 60_005, type: 'save', server: 'Beta', db: 'a.nsf', unid: UNID, by: 'user/bob' });
    const saved = (db: string, by: string, cause: number, server = 'Alpha'): DerivedEvent => ({ at: 60_010, type: 'revised', server, db, unid: UNID, seq: 2, seqTime: 60_010, items: ['X-SSOTag'], by, cause });
    b.add(saved('a.nsf', 'user/bob', 10, 'Beta'));
    b.add(saved('a.nsf', 'scanner/smsdom', 5));
    b.add(saved('b.nsf', 'scanner/smsdom', 5));
    expect(b.result().steps[1]!.followed).toBe(`user/bob saved ${UNID} in a.nsf on Beta (seq 2); scanner/smsdom saved ${UNID} in a.nsf on Alpha (seq 2, its scheduled pass); scanner/smsdom saved ${UNID} in b.nsf on Alpha (seq 2, its scheduled pass)`);
  });

  it('R12: inputs of one instant each get the transfers they started, not the last of them all (explore\'s 3-server setup: the push to Beta read "no change", the push to Gamma carried both, Beta\'s labelled the timer)', () => {
    const b = createSteps();
    const push = (to: string): InputEvent => ({ at: 45_000, type: 'push', server: 'Alpha', partner: to });
    const arrival = (to: string): DerivedEvent => ({ at: 45_001, type: 'replicated', from: 'Alpha', to, db: 'd.nsf', unid: UNID, seq: 1, seqTime: 1000, outcome: 'created' });
    const session = (to: string): DerivedEvent => ({ at: 45_001, type: 'session', server: 'Alpha', partner: to, db: 'd.nsf', direction: 'cluster', sent: 1, changed: 1, interrupted: false });
    b.input(7, push('Beta'));
    b.input(8, push('Gamma'));
    // (The engine says which input's transfer made each: onDerived's `startedBy`.)
    for (const [e, by] of [[arrival('Beta'), 7], [session('Beta'), 7], [arrival('Gamma'), 8], [session('Gamma'), 8]] as const) b.add(e, undefined, undefined, by);
    // A revision names its line (`cause`): an on-write stamp of Beta's arrival is line 7's.
    b.add({ at: 45_011, type: 'revised', server: 'Beta', db: 'd.nsf', unid: UNID, seq: 1, seqTime: 45_011, items: ['X-SSOTag'], by: 'scanner/smsdom', cause: 7 });
    expect(b.result().steps.map((x) => x.followed)).toEqual([
      `${UNID} created on Beta (seq 1, from Alpha); scanner/smsdom saved ${UNID} on Beta (seq 1)`,
      `${UNID} created on Gamma (seq 1, from Alpha)`,
    ]);
  });

  it('R8/R12: a push or replication naming a database gets that database\'s transfers only (the engine\'s startedBy), and what the timer moved goes under the last input (a pull was credited with a change it cannot make: an operator\'s QA pass)', () => {
    const b = createSteps();
    const arrival = (db: string, from: string, to: string): DerivedEvent => ({ at: 2001, type: 'replicated', from, to, db, unid: UNID, seq: 1, seqTime: 1000, outcome: 'created' });
    const session = (db: string): DerivedEvent => ({ at: 2001, type: 'session', server: 'Alpha', partner: 'Beta', db, direction: 'cluster', sent: 1, changed: 1, interrupted: false });
    b.input(7, { at: 2000, type: 'push', server: 'Alpha', partner: 'Beta', db: 'd1' });
    b.input(8, { at: 2000, type: 'push', server: 'Alpha', partner: 'Beta', db: 'd2' });
    for (const [e, by] of [[arrival('d1', 'Alpha', 'Beta'), 7], [session('d1'), 7], [arrival('d2', 'Alpha', 'Beta'), 8], [session('d2'), 8]] as const) b.add(e, undefined, undefined, by);
    b.input(9, { at: 3000, type: 'replicate', server: 'Beta', partner: 'Alpha', mode: 'pull' });
    b.input(10, { at: 3000, type: 'save', server: 'Beta', db: 'd1', unid: UNID, by: 'user/ann' });
    // An arrival the timer moved (Beta -> Alpha, which Beta's pull cannot make) goes under the last input.
    b.add({ ...arrival('d1', 'Beta', 'Alpha'), at: 3001 }, undefined, undefined, 0);
    const steps = b.result().steps.map((x) => x.followed);
    expect(steps[0]).toBe(`${UNID} created on Beta (seq 1, from Alpha)`);
    expect(steps[1]).toBe(`${UNID} created on Beta (seq 1, from Alpha)`);
    expect(steps[2]).toBe('no change');
    expect(steps[3]).toBe(`${UNID} created on Alpha (seq 1, from Beta)`);
  });

  it('R13: an on-write stamp of an arrival goes under the input whose transfer brought it, among inputs of one instant, whatever line its version\'s cause names (it went under another input, even before the arrival: an operator\'s QA pass)', () => {
    const b = createSteps();
    b.input(7, { at: 2000, type: 'save', server: 'Alpha', db: 'd.nsf', unid: UNID, by: 'user/ann' });
    b.input(8, { at: 2000, type: 'push', server: 'Alpha', partner: 'Beta' });
    b.add({ at: 2000, type: 'revised', server: 'Alpha', db: 'd.nsf', unid: UNID, seq: 2, seqTime: 2000, items: ['Body'], by: 'user/ann', cause: 7 });
    b.add({ at: 2001, type: 'replicated', from: 'Alpha', to: 'Beta', db: 'd.nsf', unid: UNID, seq: 2, seqTime: 2000, outcome: 'updated' });
    // Its cause is the save's line (the chain's), its `via` the arrival the push brought.
    b.add({ at: 2011, type: 'revised', server: 'Beta', db: 'd.nsf', unid: UNID, seq: 3, seqTime: 2011, items: ['X-SSOTag'], by: 'scanner/smsdom', cause: 7, via: { server: 'Alpha', unid: UNID, seq: 2 } });
    expect(b.result().steps.map((x) => x.followed)).toEqual([
      `user/ann saved ${UNID} on Alpha (seq 2)`,
      `${UNID} updated on Beta (seq 2, from Alpha); scanner/smsdom saved ${UNID} on Beta (seq 3, triggered by the arrival from Alpha)`,
    ]);
  });

  it('R8/R12: with the engine\'s word on which input started a transfer (startedBy), a push and a replication of one pair at one instant each get their own, and the timer\'s push is labelled though it finished first (both were guessed wrong: an operator\'s QA pass)', () => {
    const b = createSteps();
    const arrival = (unid: string, at: number): DerivedEvent => ({ at, type: 'replicated', from: 'Alpha', to: 'Beta', db: 'd', unid, seq: 1, seqTime: 1000, outcome: 'created' });
    const session = (direction: 'cluster' | 'push', at: number): DerivedEvent => ({ at, type: 'session', server: 'Alpha', partner: 'Beta', db: 'd', direction, sent: 1, changed: 1, interrupted: false });
    const U2 = 'C'.repeat(32);
    const U3 = 'D'.repeat(32);
    b.input(7, { at: 14_990, type: 'push', server: 'Alpha', partner: 'Beta' });
    b.input(8, { at: 14_990, type: 'replicate', server: 'Alpha', partner: 'Beta', mode: 'push' });
    // The timer's push (0) ends first, then the replication's (8), then the push's own (7).
    b.add(arrival(U3, 15_001), undefined, undefined, 0);
    b.add(session('cluster', 15_001), undefined, undefined, 0);
    b.add(arrival(U2, 15_002), undefined, undefined, 8);
    b.add(session('push', 15_002), undefined, undefined, 8);
    b.add(arrival(UNID, 15_011), undefined, undefined, 7);
    b.add(session('cluster', 15_011), undefined, undefined, 7);
    expect(b.result().steps.map((x) => x.followed)).toEqual([
      `${UNID} created on Beta (seq 1, from Alpha)`,
      `${U3} created on Beta (seq 1, from Alpha); (moved by Alpha's cluster replicator on its timer, to Beta); ${U2} created on Beta (seq 1, from Alpha)`,
    ]);
  });

  it('R5: leaves out a conflict the engine says made no document, as the timeline does not count it', () => {
    const b = createSteps();
    b.input(2, save(1000, UNID));
    b.add({ at: 1000, type: 'conflict', server: 'Alpha', db: 'd.nsf', unid: UNID, conflictUnid: 'B'.repeat(32), winner: { seq: 2, seqTime: 900 }, loser: { seq: 1, seqTime: 800 } }, false);
    expect(b.result().steps[0]!.followed).toBe('no change');
    b.add({ at: 1000, type: 'conflict', server: 'Alpha', db: 'd.nsf', unid: UNID, conflictUnid: 'B'.repeat(32), winner: { seq: 2, seqTime: 900 }, loser: { seq: 1, seqTime: 800 } }, true);
    expect(b.result().steps[0]!.followed).toMatch(/^CONFLICT on Alpha over A{32}: .*\(more saves, R5\); Alpha's version is kept there as conflict document B{32}$/);
  });

  it('lists no step of a run longer than it shows (what it kept is dropped), and counts what a step says past what it keeps', () => {
    const long = createSteps(2);
    for (let i = 0; i < 5; i++) {
      long.input(2 + i, save(1000 * i, UNID));
      long.add(revised(1000 * i, UNID));
    }
    expect(long.result()).toEqual({ inputs: 5, steps: [] });
    const b = createSteps(2);
    b.input(2, save(1000, UNID));
    for (let k = 0; k < 150; k++) b.add(revised(1000, UNID));
    const followed = b.result().steps[0]!.followed;
    expect(followed).toMatch(/; and 50 more revisions, changes and conflicts$/);
    expect(followed.split('user/ann saved')).toHaveLength(101);
  });

  it('a step whose text outgrows what the report shows is cut at the end of a part, and keeps its count of the rest (it was cut mid-UNID at 10,000 characters, its "and N more" lost: an operator\'s QA pass)', () => {
    const b = createSteps();
    b.input(2, save(1000, UNID));
    const conflict = (k: number): DerivedEvent => ({ at: 1000 + k, type: 'conflict', server: 'Alpha', db: 'd.nsf', unid: UNID, conflictUnid: 'B'.repeat(32), winner: { seq: 2 + k, seqTime: 900 }, loser: { seq: 1, seqTime: 800 } });
    for (let k = 0; k < 150; k++) b.add(conflict(k), true);
    const followed = b.result().steps[0]!.followed;
    expect(followed.length).toBeLessThan(9_000);
    expect(followed).toMatch(/\(more saves, R5\); Alpha's version is kept there as conflict document B{32}; … \(cut here: [\d,]+ characters in all\); and 50 more revisions, changes and conflicts$/);
  });

  it('R13: a pass over more documents than a step keeps says its cleaning: scans that save nothing take no slot (a review: "no change; and 1 more")', () => {
    const b = createSteps();
    b.input(2, { at: 1000, type: 'scan', server: 'Alpha', kind: 'manual' });
    for (let k = 0; k < 150; k++) b.add({ at: 1001 + k, type: 'scanned', server: 'Alpha', db: 'd.nsf', unid: UNID, kind: 'manual', verdict: 'clean', saved: false });
    b.add(revised(1200, UNID, 'scanner/t'));
    expect(b.result().steps[0]!.followed).toBe(`scanner/t saved ${UNID} on Alpha (seq 1)`);
  });

  it('the page lists the steps of a short run, and says why a long run\'s are not listed', () => {
    const b = createSteps();
    b.input(2, save(1000, '<b>x</b>'));
    b.add(revised(1000, '<b>x</b>'));
    const short = renderHtmlReport({ ...sampleReport(), steps: b.result() });
    expect(short).toContain('<h2 id="h-steps">Steps</h2>');
    expect(short).toContain('<td class="wrap">save by user/ann on Alpha (d.nsf &lt;b&gt;x&lt;/b&gt;)</td><td class="wrap">user/ann saved &lt;b&gt;x&lt;/b&gt; on Alpha (seq 1)</td>');
    const long = renderHtmlReport({ ...sampleReport(), steps: { inputs: 301, steps: b.result().steps } });
    expect(long).toContain("Steps are listed for a run of at most 300 input events (a counterexample's size); this one has 301");
    expect(long).not.toContain('<table class="data steps"');
    expect(renderHtmlReport(sampleReport())).not.toContain('<h2 id="h-steps">Steps</h2>');
  });
});
