import { describe, expect, it } from 'vitest';
import { findScenario } from '../scenarios/registry.js';
import { compareDesigns } from './compareDesigns.js';

// compareDesigns: one row per design on the same scenario (R16's comparison table).

const storm = findScenario('smsdom-storm')!;
const SMALL = { databases: 2, docs: 3, horizonMs: 3 * 3_600_000 };

describe('R16: compareDesigns rows', () => {
  it('R16: a row is cut short only when scanner revisions pass the budget, not when they reach it exactly', () => {
    // A run that settles: its scanner revisions, taken as the budget, are within it (the run was not cut).
    const [free] = compareDesigns([{ design: 'smsdom' }], storm, SMALL);
    expect(free!.cutShort).toBeUndefined();
    const n = free!.scannerRevisions;
    expect(n).toBeGreaterThan(0);
    const [exact] = compareDesigns([{ design: 'smsdom' }], storm, SMALL, { maxScannerRevisions: n });
    expect(exact!.cutShort).toBeUndefined();
    expect(exact!.scannerRevisions).toBe(n);
    const [below] = compareDesigns([{ design: 'smsdom' }], storm, SMALL, { maxScannerRevisions: n - 1 });
    expect(below!.cutShort).toBe(below!.summary.endAt);
  });

  it('R16: a row\'s own scenario settings (keys=per-server for the storm row) win over the shared ones', () => {
    // R16's storm: per-server keys with arrivals scanned never settle. With the shared settings' keys=shared taking
    // over, the row would run with one key, settle, and the table would show no storm where it says there is one.
    const rows = compareDesigns(
      [
        { design: 'smsdom', config: 'scanReplicatedWrites=true', settings: { keys: 'per-server' } },
        { design: 'smsdom', config: 'scanReplicatedWrites=true' },
      ],
      storm,
      { ...SMALL, keys: 'shared' },
      { maxScannerRevisions: 500 },
    );
    expect(rows.map((r) => [r.settings, r.cutShort !== undefined, r.quiescent])).toEqual([
      [{ keys: 'per-server' }, true, false],
      [{}, false, true],
    ]);
  });
});
