import { describe, expect, it } from 'vitest';
import type { InputEvent } from '@replstorm/core';
import { builtinRegistry, defineDesign, recheckClaim, type ScannerDesign } from './index.js';
import { CLAIM_TRIES } from './recheck.js';

// Replay judges the claims of the engine's properties that drive one log's inputs two ways (recheck.ts): a snapshot
// restored (sim-snapshot-restore), more advances between the inputs (sim-advance-independent), advancing in slices
// with a cut (sim-cut-independent). Each must read "yes" where the two ways differ and "NO" where they agree. The
// difference is made here by a design that keeps a count in its module (its decisions change from one run to the
// next, as a design's or an engine's state kept outside the simulator's would); recheckCut.test.ts plants an engine
// bug instead (slicing that loses the cut).

const U = '0123456789ABCDEF0123456789ABCDEF';
const registry = () => builtinRegistry();
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ recordedBy: `property ${name}`, invariant: name, violation: 'differs', reproduce: 'REPLSTORM_SEED=1 npx vitest run x', ...extra });
const base = (name: string) => ({ recordedBy: `property ${name}`, invariant: name, claimed: 'differs' });

/** A document with an attachment saved on A, A's design scanning it, then a session: the scan is the log's 4th line. */
const scanned = (design: string): InputEvent[] => [
  { at: 0, type: 'server', name: 'A' },
  { at: 0, type: 'server', name: 'B' },
  { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
  { at: 1, type: 'save', server: 'A', db: 'd.nsf', unid: U, by: 'user/a', set: new Map([['$FILE', [{ name: 'a.doc', bytes: 10 }]]]) },
  { at: 2, type: 'scanner', server: 'A', design },
  { at: 3, type: 'scan', server: 'A', kind: 'scheduled', db: 'd.nsf', unid: U },
  { at: 4, type: 'replicate', server: 'A', partner: 'B' },
  { at: 3_600_000, type: 'end' },
];

/** A design that stamps on its first `stamps` scans in the process, and only cleans after. */
function stampsFirst(name: string, stamps: number): ScannerDesign<object> {
  let scans = 0;
  return defineDesign<Record<string, never>>({ name, description: `stamps on its first ${stamps} scans in a process`, defaults: {}, symmetric: true, scan: () => (scans++ < stamps ? { verdict: 'clean', set: [['X-Stamp', 'yes']] } : { verdict: 'clean' }) }) as ScannerDesign<object>;
}

describe('recheckClaim: the properties that drive a log two ways', () => {
  const registry = builtinRegistry();

  it('Time and order: sim-snapshot-restore: a run from the snapshot that differs from the run straight through, or a second finish that differs from the first, reproduces the claim; a design that keeps nothing does not; a header without the snapshot\'s line is not checked', () => {
    const name = 'sim-snapshot-restore';
    // The snapshot after line 5 (the scanner installed, the scan not yet run).
    const at = { snapshotAfterLine: 6 };
    const once = recheckClaim(meta(name, at), scanned('once'), builtinRegistry([stampsFirst('once', 1)]));
    expect(once).toMatchObject({ ...base(name), reproduced: true });
    expect(once?.message).toMatch(/^finished from a snapshot taken after line 6, the \d+(st|nd|rd|th) derived event is \{.*"saved":false.*"type":"scanned".*\}, where in the run straight through it is \{.*"saved":true.*"type":"scanned".*\}$/);
    const twice = recheckClaim(meta(name, at), scanned('twice'), builtinRegistry([stampsFirst('twice', 2)]));
    expect(twice).toMatchObject({ ...base(name), reproduced: true });
    expect(twice?.message).toMatch(/^restored to the snapshot taken after line 6 and finished again, the \d+(st|nd|rd|th) derived event is \{.*"saved":false.*\}, where the first time it is \{.*"saved":true.*\}$/);
    for (const after of [1, 4, 6, 8, 9]) expect(recheckClaim(meta(name, { snapshotAfterLine: after }), scanned('smsdom'), registry)).toEqual({ ...base(name), reproduced: false, tries: CLAIM_TRIES });
    for (const bad of [undefined, 0, 10, 2.5, '6']) {
      expect(recheckClaim(meta(name, { snapshotAfterLine: bad }), scanned('smsdom'), registry)?.unchecked).toBe('the header does not say where the snapshot is taken (its "snapshotAfterLine": the line after which, from 1, the header, to 9, the last event)');
    }
  });

  it('Time and order: sim-advance-independent: a run advanced to more times between its inputs that differs from the run fed its inputs alone reproduces the claim; a design that keeps nothing does not; a header without fractions, or with fractions that are not numbers from 0 to 1, is not checked', () => {
    const name = 'sim-advance-independent';
    const once = recheckClaim(meta(name, { advanceFractions: [0.5] }), scanned('once'), builtinRegistry([stampsFirst('once', 1)]));
    expect(once).toMatchObject({ ...base(name), reproduced: true });
    expect(once?.message).toMatch(/^advanced between the inputs to every derived event's time and to 1 more \(the header's advanceFractions\), the \d+(st|nd|rd|th) derived event is \{.*"saved":false.*\}, where fed its inputs alone it is \{.*"saved":true.*\}$/);
    for (const extra of [{ advanceFractions: [] }, { advanceFractions: [0, 0.25, 0.5, 1] }]) expect(recheckClaim(meta(name, extra), scanned('smsdom'), registry)).toEqual({ ...base(name), reproduced: false, tries: CLAIM_TRIES });
    // A header written before replay judged this claim carries no fractions: not checked (judged at the derived
    // events' times alone, a failure that needed the property's other times would read "NO").
    expect(recheckClaim(meta(name), scanned('smsdom'), registry)?.unchecked).toMatch(/^the header does not say which times the property advanced to \(its "advanceFractions"/);
    for (const bad of [[1.5], ['0.5'], 0.5, null]) expect(recheckClaim(meta(name, { advanceFractions: bad }), scanned('smsdom'), registry)?.unchecked).toMatch(/^the header's "advanceFractions" is not a list of numbers from 0 to 1/);
  });

  it('event-log.md "When a run stops": sim-cut-independent: a run that differs when advanced in slices reproduces the claim; a design that keeps nothing does not, cut anywhere or not at all; a header without the cut is not checked', () => {
    const name = 'sim-cut-independent';
    const once = recheckClaim(meta(name, { cutAfterDerived: 100 }), scanned('once'), builtinRegistry([stampsFirst('once', 1)]));
    expect(once).toMatchObject({ ...base(name), reproduced: true });
    expect(once?.message).toMatch(/^advanced in slices of one piece of work, the \d+(st|nd|rd|th) derived event is \{.*"saved":false.*\}, where fed it is \{.*"saved":true.*\}$/);
    for (const k of [1, 2, 3, 4, 5, 100]) expect(recheckClaim(meta(name, { cutAfterDerived: k }), scanned('smsdom'), registry), `cut after ${k}`).toEqual({ ...base(name), reproduced: false, tries: CLAIM_TRIES });
    for (const bad of [undefined, 0, 1.5, '2']) expect(recheckClaim(meta(name, { cutAfterDerived: bad }), scanned('smsdom'), registry)?.unchecked).toBe('the header does not say where the run is cut (its "cutAfterDerived": after how many derived events, from 1)');
  });
});

describe('recheckClaim: sim-purge-exact', () => {
  const name = 'sim-purge-exact';
  /** Two stubs: one deleted at 2 ms on A, whose clock is 5 s ahead (purged at the check of day 2), one deleted 1.5 days in on B (purged at day 3). */
  const stubs: InputEvent[] = [
    { at: 0, type: 'server', name: 'A', clockSkewMs: 5000 },
    { at: 0, type: 'server', name: 'B' },
    { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'], purgeDays: 1 },
    { at: 1, type: 'save', server: 'A', db: 'd.nsf', unid: U, by: 'user/a', set: new Map([['F', 1]]) },
    { at: 2, type: 'delete', server: 'A', db: 'd.nsf', unid: U, by: 'user/a' },
    { at: 3, type: 'save', server: 'B', db: 'd.nsf', unid: 'F'.repeat(32), by: 'user/b', set: new Map([['G', 2]]) },
    { at: 1.5 * 86_400_000, type: 'delete', server: 'B', db: 'd.nsf', unid: 'F'.repeat(32), by: 'user/b' },
    { at: 4 * 86_400_000, type: 'end' },
  ];

  it('R10: a run whose purge checks take exactly the stubs older than purgeDays does not reproduce the claim; one whose checks purge a day late or a day early (planted bugs) does, naming the stub and the check', async () => {
    expect(recheckClaim(meta(name), stubs, registry())).toEqual({ ...base(name), reproduced: false });
    const { Replica } = await import('@replstorm/core');
    const purge = Replica.prototype.purge;
    Replica.prototype.purge = function late(this: InstanceType<typeof Replica>, clock: number) {
      return purge.call(this, clock - 86_400_000);
    };
    try {
      expect(recheckClaim(meta(name), stubs, registry())).toEqual({
        ...base(name),
        reproduced: true,
        message: `R10: the stub of ${U} on A/d.nsf (seqTime 5002) at the purge check of 172800000 ms (the server's clock 172805000, purgeDays 1, the server up) is older than purgeDays, and was not purged`,
      });
      // A day early: the stub deleted at 2 ms (5,002 ms on A's clock) is taken at the check of day 1, where it is 2 ms
      // short of a day old.
      Replica.prototype.purge = function early(this: InstanceType<typeof Replica>, clock: number) {
        return purge.call(this, clock + 86_400_000);
      };
      expect(recheckClaim(meta(name), stubs, registry())).toEqual({
        ...base(name),
        reproduced: true,
        message: `R10: the stub of ${U} on A/d.nsf (seqTime 5002) at the purge check of 86400000 ms (the server's clock 86405000, purgeDays 1, the server up) was purged, where it is not older than purgeDays`,
      });
    } finally {
      Replica.prototype.purge = purge;
    }
  });
});

describe('recheckClaim: what a driven run\'s refusal means', () => {
  it('Time and order: a restored run that refuses an input the run fed applied (a planted restore that brings a crashed server back up) reproduces the claim, naming the line', async () => {
    const { Simulator } = await import('@replstorm/core');
    const events: InputEvent[] = [
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
      { at: 1, type: 'crash', server: 'A' },
      { at: 5, type: 'restart', server: 'A' },
      { at: 10, type: 'end' },
    ];
    const name = 'sim-snapshot-restore';
    expect(recheckClaim(meta(name, { snapshotAfterLine: 5 }), events, registry())).toEqual({ ...base(name), reproduced: false, tries: CLAIM_TRIES });
    const restore = Simulator.prototype.restore;
    Simulator.prototype.restore = function revived(this: InstanceType<typeof Simulator>, snap) {
      restore.call(this, snap);
      for (const srv of (this as unknown as { s: { servers: Map<string, { up: boolean }> } }).s.servers.values()) srv.up = true;
    };
    try {
      const r = recheckClaim(meta(name, { snapshotAfterLine: 5 }), events, registry());
      expect(r).toMatchObject({ ...base(name), reproduced: true });
      expect(r?.message).toMatch(/^restored to the snapshot taken after line 5 and finished again, the run refuses line 6, where the run fed did not: field "server": server "A" is up/);
    } finally {
      Simulator.prototype.restore = restore;
    }
  });

  it('Time and order: a restored run that counts more work against --max-work than the run fed (a planted restore that forgets the count is where it was) reproduces the claim: a snapshot keeps the count, so the budget is no excuse there', async () => {
    const { Simulator } = await import('@replstorm/core');
    const name = 'sim-snapshot-restore';
    const events: InputEvent[] = [
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
      { at: 1, type: 'save', server: 'A', db: 'd.nsf', unid: U, by: 'user/a', set: new Map([['F', 1]]) },
      { at: 2, type: 'replicate', server: 'A', partner: 'B' },
    ];
    const restore = Simulator.prototype.restore;
    Simulator.prototype.restore = function miscounts(this: InstanceType<typeof Simulator>, snap) {
      restore.call(this, snap);
      (this as unknown as { work: number }).work += 2;
    };
    try {
      const r = recheckClaim(meta(name, { snapshotAfterLine: 6 }), events, registry(), { maxWork: 3 });
      expect(r).toMatchObject({ ...base(name), reproduced: true });
      expect(r?.message).toMatch(/^restored to the snapshot taken after line 6 and finished again, the run refuses to go on, where the run fed did not: the run would take more than 3 pieces of engine work after the last event/);
    } finally {
      Simulator.prototype.restore = restore;
    }
  });

  it('Time and order: a summary that differs only in one field names that field (the whole summary, cut short, stopped before it)', async () => {
    const { Simulator } = await import('@replstorm/core');
    const name = 'sim-snapshot-restore';
    const finish = Simulator.prototype.finish;
    let calls = 0;
    // The third finish (the straight run, the first from the snapshot, then this) counts one replicated change less.
    Simulator.prototype.finish = function miscounted(this: InstanceType<typeof Simulator>) {
      const s = finish.call(this);
      return ++calls === 3 ? { ...s, replicatedChanges: s.replicatedChanges - 1 } : s;
    };
    try {
      expect(recheckClaim(meta(name, { snapshotAfterLine: 4 }), scanned('smsdom'), registry())).toEqual({
        ...base(name),
        reproduced: true,
        message: 'restored to the snapshot taken after line 4 and finished again, the run\'s summary has replicatedChanges 0, where the first time it has 1',
      });
    } finally {
      Simulator.prototype.finish = finish;
    }
  });

  it('a run advanced to more times stopped by replay\'s --max-work, or a driven run stopped by a design\'s code that throws, is not checked; a budget the run fits, restored, it fits again (the engine counted on from the first finish)', () => {
    const saved = (at2: number): InputEvent[] => [
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
      { at: 1, type: 'save', server: 'A', db: 'd.nsf', unid: U, by: 'user/a', set: new Map([['F', 1]]) },
      { at: at2, type: 'replicate', server: 'A', partner: 'B' },
    ];
    // A session's work after the last input fits --max-work 3 (2 is refused for the run itself).
    expect(recheckClaim(meta('sim-snapshot-restore', { snapshotAfterLine: 6 }), saved(2), registry(), { maxWork: 3 })).toEqual({ ...base('sim-snapshot-restore'), reproduced: false, tries: CLAIM_TRIES });
    // A month between the inputs: fed, the idle daily purge checks are skipped in one jump; advanced to 9 more times,
    // each advance runs one, and a small budget is reached where the run fed fits it.
    const month: InputEvent[] = [
      ...saved(2).slice(0, 4),
      { at: 30 * 86_400_000, type: 'save', server: 'A', db: 'd.nsf', unid: U, by: 'user/a', set: new Map([['F', 2]]) },
      { at: 30 * 86_400_000 + 1, type: 'end' },
    ];
    const name = 'sim-advance-independent';
    const fractions = { advanceFractions: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] };
    expect(recheckClaim(meta(name, fractions), month, registry())).toEqual({ ...base(name), reproduced: false, tries: CLAIM_TRIES });
    expect(recheckClaim(meta(name, fractions), month, registry(), { maxWork: 3 })?.unchecked).toMatch(/the run reaches replay's work limit \(--max-work\), which the run fed does not: .* replay without --max-work, or with a larger one, to judge it/);
    // A design that throws from its second scan in the process: the run from the snapshot throws, the one straight through did not.
    let scans = 0;
    const flaky = defineDesign<Record<string, never>>({ name: 'flaky', description: 'throws from its second scan in a process', defaults: {}, symmetric: true, scan: () => {
      if (scans++ > 0) throw new Error('second scan');
      return { verdict: 'clean' };
    } }) as ScannerDesign<object>;
    expect(recheckClaim(meta('sim-snapshot-restore', { snapshotAfterLine: 6 }), scanned('flaky'), builtinRegistry([flaky]))?.unchecked).toMatch(/^finished from a snapshot taken after line 6, a design's code throws, where the run fed it did not: only design-runs judges a design's failure/);
  });
});
