import { describe, expect, it } from 'vitest';
import type { InputEvent } from '@replstorm/core';
import { builtinRegistry, defineDesign, recheckClaim, type ScannerDesign } from './index.js';

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
    for (const after of [1, 4, 6, 8, 9]) expect(recheckClaim(meta(name, { snapshotAfterLine: after }), scanned('smsdom'), registry)).toEqual({ ...base(name), reproduced: false });
    for (const bad of [undefined, 0, 10, 2.5, '6']) {
      expect(recheckClaim(meta(name, { snapshotAfterLine: bad }), scanned('smsdom'), registry)?.unchecked).toBe('the header does not say where the snapshot is taken (its "snapshotAfterLine": the line after which, from 1, the header, to 9, the last event)');
    }
  });

  it('Time and order: sim-advance-independent: a run advanced to more times between its inputs that differs from the run fed its inputs alone reproduces the claim; a design that keeps nothing does not, with or without the header\'s fractions; fractions that are not numbers from 0 to 1 are not checked', () => {
    const name = 'sim-advance-independent';
    const once = recheckClaim(meta(name, { advanceFractions: [0.5] }), scanned('once'), builtinRegistry([stampsFirst('once', 1)]));
    expect(once).toMatchObject({ ...base(name), reproduced: true });
    expect(once?.message).toMatch(/^advanced to \d+ more times between the inputs, the \d+(st|nd|rd|th) derived event is \{.*"saved":false.*\}, where fed its inputs alone it is \{.*"saved":true.*\}$/);
    for (const extra of [{}, { advanceFractions: [] }, { advanceFractions: [0, 0.25, 0.5, 1] }]) expect(recheckClaim(meta(name, extra), scanned('smsdom'), registry)).toEqual({ ...base(name), reproduced: false });
    for (const bad of [[1.5], ['0.5'], 0.5, null]) expect(recheckClaim(meta(name, { advanceFractions: bad }), scanned('smsdom'), registry)?.unchecked).toMatch(/^the header's "advanceFractions" is not a list of numbers from 0 to 1/);
  });

  it('event-log.md "When a run stops": sim-cut-independent: a run that differs when advanced in slices reproduces the claim; a design that keeps nothing does not, cut anywhere or not at all; a header without the cut is not checked', () => {
    const name = 'sim-cut-independent';
    const once = recheckClaim(meta(name, { cutAfterDerived: 100 }), scanned('once'), builtinRegistry([stampsFirst('once', 1)]));
    expect(once).toMatchObject({ ...base(name), reproduced: true });
    expect(once?.message).toMatch(/^advanced in slices of one piece of work, the \d+(st|nd|rd|th) derived event is \{.*"saved":false.*\}, where fed it is \{.*"saved":true.*\}$/);
    for (const k of [1, 2, 3, 4, 5, 100]) expect(recheckClaim(meta(name, { cutAfterDerived: k }), scanned('smsdom'), registry), `cut after ${k}`).toEqual({ ...base(name), reproduced: false });
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
