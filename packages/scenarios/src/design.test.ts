import { describe, expect, it } from 'vitest';
import { LogError, Revisions, type Note, type ScanInput } from '@replstorm/core';
import { defineDesign, promisesOf, toBehaviour } from './design.js';

// A researcher's design may return anything from `scan`. What the engine would store must be what a log may hold
// (event-log.md: item values are strings, finite numbers, booleans or arrays of those; `$FILE` a list of
// attachments), or the engine fails deep inside (canonical JSON of undefined, a WeakMap keyed by null). The design is
// refused as the design's error (DESIGN_FAILED, naming it and the scan), never as an internal error.

const NOTE: Note = { unid: '0000000000000000000000000000000A', seq: 1, seqTime: 0, revisions: Revisions.from([[1, 0]]), deleted: false, items: [{ name: '$FILE', key: '$file', value: [{ name: 'a.pdf' }], seq: 1 }] };
const INPUT: ScanInput = { kind: 'scheduled', server: 'Alpha', cluster: undefined, clusterMembers: ['Alpha'], db: 'd.nsf', unid: NOTE.unid, note: NOTE, at: 5, clock: 5, definitions: '', store: new Map() };

function scanWith(decision: unknown, trusted = false) {
  const design = defineDesign<Record<string, never>>({ name: 'returns', description: 'returns what the test gives', defaults: {}, scan: () => decision as never });
  return () => toBehaviour(design, {}, { server: 'Alpha', design: 'returns', cluster: undefined }, trusted).scan(INPUT);
}

describe('a design\'s scan decision', () => {
  it.each([
    [{ verdict: 'clean', set: [['X-Tag', 'v']] }],
    [{ verdict: 'skipped', set: [['X-Tag', 3], ['List', ['a', 1, true]]], remove: ['Old'] }],
    [{ verdict: 'infected', set: [['$FILE', [{ name: 'a.pdf', bytes: 10 }]]] }],
    [{ verdict: 'clean', remember: [['k', { any: 'thing' }]] }],
  ])('R13: a valid decision is taken as it is: %j', (d) => {
    expect(scanWith(d)()).toBe(d);
  });

  it.each([
    [undefined, 'instead of a decision'],
    [{ verdict: 'maybe' }, 'the verdict "maybe"'],
    [{ verdict: 'clean', set: 'oops' }, 'not a list of [name, value] pairs'],
    [{ verdict: 'clean', set: [['X-Tag', undefined]] }, 'item "X-Tag" = undefined'],
    [{ verdict: 'clean', set: [['X-Tag', null]] }, 'item "X-Tag" = null'],
    [{ verdict: 'clean', set: [['X-Tag', Number.NaN]] }, 'item "X-Tag" = NaN'],
    [{ verdict: 'clean', set: [['X-Tag', [1, null]]] }, 'item "X-Tag"'],
    [{ verdict: 'clean', set: [['', 'v']] }, 'non-empty name'],
    [{ verdict: 'infected', set: [['$FILE', [{ bytes: 1 }]]] }, 'string name'],
    [{ verdict: 'clean', remove: [1] }, 'not a list of item names'],
  ])('event-log.md item values: %j is refused as the design\'s error', (d, says) => {
    const scan = scanWith(d);
    expect(scan).toThrow(LogError);
    expect(scan).toThrow(/the design "returns" failed while scanning 0000000000000000000000000000000A in d\.nsf on Alpha at 5 ms: it returned/);
    expect(scan).toThrow(says);
  });

  it('built-in designs are trusted: their decisions are not checked (the seed\'s hot path)', () => {
    expect(scanWith({ verdict: 'maybe' }, true)()).toEqual({ verdict: 'maybe' });
  });

  it('R4: the note a design is handed cannot be changed, its revision list included (every replica holding the version shares it)', () => {
    const list = Revisions.EMPTY.append(1, 0, 0);
    const note: Note = { ...NOTE, seq: 2, revisions: list };
    const attempts: ((n: Note) => void)[] = [
      (n) => Object.assign(n.revisions, { includes: () => true }), // R4's descent test, for every replica of the version
      (n) => Object.assign(n, { seq: 9 }),
      (n) => (n.items as Note['items'][number][]).pop(),
    ];
    for (const attempt of attempts) {
      const design = defineDesign<Record<string, never>>({ name: 'meddles', description: 'changes what it is handed', defaults: {}, scan: (ctx) => (attempt(ctx.note), { verdict: 'clean' }) });
      const scan = () => toBehaviour(design, {}, { server: 'Alpha', design: 'meddles', cluster: undefined }, false).scan({ ...INPUT, note: structuredCloneNote(note) });
      expect(scan).toThrow(/the design "meddles" failed while scanning/);
    }
    expect(list.includes(5, 5)).toBe(false);
  });
});

/** A copy of a note (its own items array), sharing the revision list as the engine's copies do. */
function structuredCloneNote(n: Note): Note {
  return { ...n, items: n.items.map((i) => ({ ...i })) };
}

// Every function a design may give runs guarded: an exception from any of them, or a yes/no answer that is not a
// boolean, is the design's error (DESIGN_FAILED), never an internal error with a stack trace (exit 70).
describe('a design\'s other functions', () => {
  const boom = () => {
    throw new Error('boom');
  };
  const WHERE = { server: 'Alpha', design: 'optional', cluster: undefined };
  const install = (extra: Record<string, unknown>) => () =>
    toBehaviour(defineDesign<Record<string, never>>({ name: 'optional', description: 'throws where the test says', defaults: {}, scan: () => ({ verdict: 'clean' }), ...extra }), {}, WHERE);

  it.each([
    ['scanMsPerDoc', 'giving its scan time (scanMsPerDoc): boom'],
    ['scheduleEveryMs', 'giving its schedule (scheduleEveryMs): boom'],
    ['scansMail', 'deciding whether it scans mail (scansMail): boom'],
  ])('%s throwing, when the design is installed: DESIGN_FAILED', (fn, says) => {
    expect(install({ [fn]: boom })).toThrow(LogError);
    expect(install({ [fn]: boom })).toThrow(`the design "optional" failed while ${says}`);
  });

  it('runsScheduledPass and watches throwing, when asked: DESIGN_FAILED', () => {
    const b = install({ runsScheduledPass: boom, watches: boom })();
    expect(() => b.runsScheduledPass!({ server: 'Alpha', cluster: undefined, clusterMembers: ['Alpha'] })).toThrow('the design "optional" failed while deciding whether to run a scheduled pass on Alpha: boom');
    expect(() => b.watchesWrite({ server: 'Alpha', db: 'd.nsf', unid: NOTE.unid, note: NOTE, by: 'user/a', origin: 'save' })).toThrow(/failed while deciding whether to scan 0+A on Alpha: boom/);
  });

  it('a yes/no answer that is not a boolean ("yes", 1, undefined) is refused as the design\'s error', () => {
    for (const v of ['yes', 1, undefined]) {
      const b = install({ runsScheduledPass: () => v, watches: () => v })();
      expect(() => b.runsScheduledPass!({ server: 'Alpha', cluster: undefined, clusterMembers: ['Alpha'] })).toThrow(`it returned ${v === undefined ? 'undefined' : JSON.stringify(v)} (expected true or false)`);
      expect(() => b.watchesWrite({ server: 'Alpha', db: 'd.nsf', unid: NOTE.unid, note: NOTE, by: 'user/a', origin: 'save' })).toThrow('(expected true or false)');
      expect(install({ scansMail: () => v })).toThrow('(expected true or false)');
    }
  });

  it('promises throwing, when verify asks for them: DESIGN_FAILED', () => {
    const design = defineDesign<Record<string, never>>({ name: 'optional', description: 'x', defaults: {}, scan: () => ({ verdict: 'clean' }), promises: boom });
    expect(() => promisesOf(design)).toThrow('the design "optional" failed while stating its promises: boom');
  });
});
