import { describe, expect, it } from 'vitest';
import { runEvents, type DerivedEvent, type InputEvent } from '@replstorm/core';
import { behaviourFactory, builtinRegistry, compareDesigns, findScenario, smsdomStormEvents } from './index.js';

// The seed report (../shared/seeds/smsdom-can-break-replication.txt), reproduced at its scale: 100 databases of 100
// documents with attachments, a 2-server cluster (R16).

const factory = behaviourFactory(builtinRegistry());

function run(settings: Record<string, string | number>) {
  const events = smsdomStormEvents(settings);
  const derived: DerivedEvent[] = [];
  const { summary } = runEvents(events, { behaviours: factory, onDerived: (e) => derived.push(e) });
  return { events, summary, derived };
}

/** Line (in a log of these inputs) of the first input event matching. */
function lineOf(events: readonly InputEvent[], pred: (e: InputEvent) => boolean): number {
  return events.findIndex(pred) + 2;
}

describe('R16: the seed at full scale (100 databases x 100 documents, 2-server cluster)', () => {
  it('R16: one scheduled scan with SSO on one member makes exactly 10,000 scanner revisions and 10,000 replicated changes caused by them', () => {
    // One pass on Alpha only (scanServers=first), horizon shorter than the scan interval: exactly one pass.
    const { events, summary, derived } = run({ scanServers: 'first', horizonMs: 3_000_000 });
    const scannerLine = lineOf(events, (e) => e.type === 'scanner' && e.server === 'Alpha');
    const scannerRevisions = derived.filter((e) => e.type === 'revised' && e.by === 'scanner/smsdom');
    expect(scannerRevisions).toHaveLength(10_000);
    expect(new Set(scannerRevisions.map((e) => (e.type === 'revised' ? e.cause : 0)))).toEqual(new Set([scannerLine]));
    // Replicated changes whose version a scanner revision made: every stamp reaches Beta once.
    const stamped = new Set(scannerRevisions.map((e) => (e.type === 'revised' ? `${e.unid}:${e.seq}:${e.seqTime}` : '')));
    const carried = derived.filter((e) => e.type === 'replicated' && e.to === 'Beta' && stamped.has(`${e.unid}:${e.seq}:${e.seqTime}`));
    expect(carried).toHaveLength(10_000);
    expect(summary.revisions.byActorKind['scanner']).toBe(10_000);
    expect(summary.replicatedChanges).toBe(20_000); // 10,000 creations + 10,000 stamps
    expect(summary.conflicts).toBe(0);
    expect(summary.converged).toBe(true);
  });

  it('R6: the README\'s figures for 1,000 user deletions at the seed\'s scale: 3 documents back where they were deleted under smsdom (its passes restamp after a deletion), 1 under cluster-aware, none under Ignore SSO, sso-mail-only, scan-cache or noop (seed 1\'s draws)', () => {
    const rows = compareDesigns(
      [{ design: 'smsdom' }, { design: 'cluster-aware' }, { design: 'smsdom', config: 'ignoreSsoOnScheduled=true' }, { design: 'sso-mail-only' }, { design: 'scan-cache' }, { design: 'noop' }],
      findScenario('smsdom-storm')!,
      { userDeletes: 1_000 },
    );
    expect(rows.map((r) => [r.label, r.documentsDeleted, r.deletionsUndone])).toEqual([
      ['smsdom', 1_000, 3],
      ['cluster-aware', 1_000, 1],
      ['smsdom:ignoreSsoOnScheduled=true', 1_000, 0],
      ['sso-mail-only', 1_000, 0],
      ['scan-cache', 1_000, 0],
      ['noop', 1_000, 0],
    ]);
  });

  it('R16: both members scanning in the same hour a few seconds apart make thousands of replication conflicts', () => {
    const { summary, derived } = run({ horizonMs: 3_000_000, scanOffsetsMs: '0,7000', clockSkewsMs: '0,350' });
    expect(summary.conflicts).toBeGreaterThan(1_000);
    // Every conflict is between two scanner stamps of the same document.
    const byVersion = new Map<string, string>();
    for (const e of derived) if (e.type === 'revised') byVersion.set(`${e.unid}:${e.seq}:${e.seqTime}`, e.by);
    const conflicts = derived.filter((e) => e.type === 'conflict');
    for (const c of conflicts.slice(0, 50)) {
      if (c.type !== 'conflict') continue;
      expect(byVersion.get(`${c.unid}:${c.winner.seq}:${c.winner.seqTime}`)).toBe('scanner/smsdom');
      expect(byVersion.get(`${c.unid}:${c.loser.seq}:${c.loser.seqTime}`)).toBe('scanner/smsdom');
    }
  });

  it('R3/R16: started in the same millisecond with the same key and equal clocks, both members write identical versions and make no conflict', () => {
    const { summary } = run({ horizonMs: 3_000_000, scanOffsetsMs: '0,0', clockSkewsMs: '0,0' });
    expect(summary.revisions.byActorKind['scanner']).toBe(20_000);
    expect(summary.conflicts).toBe(0);
    expect(summary.collisions).toBe(0);
    // The identical stamps meet as equal OIDs: only the 10,000 creations were applied by replication.
    expect(summary.replicatedChanges).toBe(10_000);
    expect(summary.converged).toBe(true);
  });

  it('R16: with Ignore SSO on scheduled scans, scheduled scans make zero revisions', () => {
    const { summary } = run({ config: 'ignoreSsoOnScheduled=true' });
    expect(summary.scans.performed).toBe(40_000); // 2 servers x 2 passes x 10,000
    expect(summary.revisions.byActorKind['scanner']).toBe(0);
    expect(summary.conflicts).toBe(0);
  });
});

describe('R16: the storm', () => {
  it('R16: at full scale (100 x 100), per-server keys with on-write scanning of arrivals: within 2 virtual minutes the scanner has saved three passes\' worth, and is still going', () => {
    // One pass on Alpha is at most 10,000 stamps (and takes 100 s); Beta restamps every arrival and Alpha restamps
    // Beta's, at every cluster push.
    const { summary } = run({ keys: 'per-server', config: 'scanReplicatedWrites=true', scanServers: 'first', horizonMs: 120_000 });
    expect(summary.stopped).toBe('end');
    expect(summary.quiescent).toBe(false);
    expect(summary.revisions.byActorKind['scanner'] ?? 0).toBeGreaterThan(30_000);
  });

  it('R16: per-server keys with on-write scanning of replicated arrivals: revisions never stop (not quiescent at the horizon)', () => {
    const { summary, derived } = run({ databases: 2, docs: 5, keys: 'per-server', config: 'scanReplicatedWrites=true', scanServers: 'first' });
    expect(summary.quiescent).toBe(false);
    expect(summary.stopped).toBe('end');
    // 10 documents, two hours: each restamped on every arrival, hundreds of times.
    const scannerRevisions = summary.revisions.byActorKind['scanner'] ?? 0;
    expect(scannerRevisions).toBeGreaterThan(1_000);
    // The storm is one chain per document: scanner saves triggered by arrivals (via), on alternating servers.
    const viaSaves = derived.filter((e) => e.type === 'revised' && e.by === 'scanner/smsdom' && e.via !== undefined);
    expect(viaSaves.length).toBeGreaterThan(scannerRevisions * 0.9);
  });

  it('R16: the same cluster with a shared key stays quiet: arrivals carry a tag that verifies', () => {
    const { summary } = run({ databases: 2, docs: 5, keys: 'shared', config: 'scanReplicatedWrites=true', scanServers: 'first' });
    expect(summary.quiescent).toBe(true);
    expect(summary.revisions.byActorKind['scanner']).toBe(20); // 10 documents, stamped in each of two passes
  });
});
