import { describe, expect, it } from 'vitest';
import { getItemValue, runEvents, type DerivedEvent, type InputEvent, type ItemValue, type ScannedEvent } from '@replstorm/core';
import { behaviourFactory } from '../design.js';
import { builtinRegistry } from './registry.js';

const U1 = '0000000000000000000000000000000A';
const U2 = '0000000000000000000000000000000B';
const doc = (files: unknown[]): [string, ItemValue][] => [['Subject', 's'], ['$FILE', files as ItemValue]];
function run(events: InputEvent[]) {
  const r = runEvents(events, { behaviours: behaviourFactory(builtinRegistry()), collect: true });
  return { ...r, scanned: r.derived.filter((e: DerivedEvent): e is ScannedEvent => e.type === 'scanned') };
}

// Scanning cases a mutation review (80 mutants, 2026-12-06) found untested: a message whose only attachment is
// infected, one without attachments, a crash in the middle of a scheduled pass or before an on-write scan, and a
// scanner event that replaces another. Each case was checked to fail with its mutant.
describe('scanning rule cases a mutation review found untested', () => {
  it('R13/R14: a message whose only attachment is infected is delivered without $FILE (the mail scan removed it)', () => {
    const r = run([
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'database', name: 'mail/ann.nsf', replicas: ['A'] },
      { at: 0, type: 'scanner', server: 'A', design: 'smsdom', config: { onWrite: false } },
      { at: 100, type: 'deliver', server: 'A', unid: U1, to: ['mail/ann.nsf'], set: new Map<string, ItemValue>(doc([{ name: 'bad.exe', infected: true }])) },
    ] as InputEvent[]);
    expect(r.scanned.map((e) => [e.db, e.kind, e.verdict, e.saved])).toEqual([['mail.box', 'mail', 'infected', true]]);
    expect(getItemValue(r.sim.replica('A', 'mail/ann.nsf')!.get(U1)!, '$FILE')).toBeUndefined();
  });

  it('R13: a crash in the middle of a scheduled pass does not stop the scheduled passes after the restart', () => {
    const r = run([
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'database', name: 'd', replicas: ['A'] },
      { at: 0, type: 'scanner', server: 'A', design: 'smsdom', config: { onWrite: false, scheduleEveryMs: 1000, scanMsPerDoc: 10 } },
      { at: 1, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: new Map(doc([{ name: 'a.txt' }])) },
      { at: 2, type: 'save', server: 'A', db: 'd', unid: U2, by: 'user/u', set: new Map(doc([{ name: 'b.txt' }])) },
      { at: 1015, type: 'crash', server: 'A' },
      { at: 1500, type: 'restart', server: 'A' },
      { at: 2500, type: 'end' },
    ] as InputEvent[]);
    expect(r.scanned.map((e) => [e.at, e.unid, e.kind])).toEqual([[1010, U1, 'scheduled'], [2010, U1, 'scheduled'], [2020, U2, 'scheduled']]);
  });

  it('R13: a second scanner event replaces the first one\'s schedule: scheduled passes follow the new one only', () => {
    const r = run([
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'database', name: 'd', replicas: ['A'] },
      { at: 0, type: 'scanner', server: 'A', design: 'smsdom', config: { onWrite: false, scheduleEveryMs: 1000, scanMsPerDoc: 10 } },
      { at: 1, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: new Map(doc([{ name: 'a.txt' }])) },
      { at: 1500, type: 'scanner', server: 'A', design: 'smsdom', config: { onWrite: false, scheduleEveryMs: 1000, scanMsPerDoc: 10 } },
      { at: 2600, type: 'end' },
    ] as InputEvent[]);
    expect(r.scanned.map((e) => [e.at, e.kind])).toEqual([[1010, 'scheduled'], [1510, 'scheduled'], [2510, 'scheduled']]);
  });

  it('R13/R14: a message without attachments gets no mail scan and no tag (only clean documents with attachments are stamped)', () => {
    const r = run([
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'database', name: 'mail/ann.nsf', replicas: ['A'] },
      { at: 0, type: 'scanner', server: 'A', design: 'smsdom', config: {} },
      { at: 100, type: 'deliver', server: 'A', unid: U1, to: ['mail/ann.nsf'], set: new Map<string, ItemValue>([['Subject', 'hello']]) },
    ] as InputEvent[]);
    expect(r.scanned).toEqual([]);
    expect(r.sim.replica('A', 'mail/ann.nsf')!.get(U1)!.items.map((i) => i.name)).toEqual(['Subject']);
  });

  it('R13 [choice]: an on-write scan due after a crash does not run, even when the server restarted before it was due', () => {
    const r = run([
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'database', name: 'd', replicas: ['A'] },
      { at: 0, type: 'scanner', server: 'A', design: 'smsdom', config: { scanMsPerDoc: 100 } },
      { at: 10, type: 'save', server: 'A', db: 'd', unid: U1, by: 'user/u', set: new Map(doc([{ name: 'a.txt' }])) },
      { at: 50, type: 'crash', server: 'A' },
      { at: 60, type: 'restart', server: 'A' },
      { at: 1000, type: 'end' },
    ] as InputEvent[]);
    expect(r.scanned).toEqual([]);
    expect(r.sim.replica('A', 'd')!.get(U1)!.seq).toBe(1);
  });
});
