import { Prng } from '@replstorm/core';
import type { DerivedEvent, Summary } from '@replstorm/core';
import type { ReportData } from '../src/report/htmlReport.js';
import { createTimeline } from '../src/report/timeline.js';

// A hand-made run for the report tests: every Summary field set, a few servers, hostile names where a log could put them.

export const HOSTILE_SERVER = '<img src=x onerror=alert(1)>';
export const HOSTILE_ACTOR = '</script><script>alert(1)</script>';
export const PWN_SCRIPT = '<script>window.__pwned=1</script>';
export const PWN_IMG = '<img src=x onerror="window.__pwned=2">';

export function sampleSummary(overrides: Partial<Summary> = {}): Summary {
  return {
    revisions: { total: 1234, byActorKind: { user: 1000, scanner: 230, router: 4 } },
    replicatedChanges: 2468,
    conflicts: 7,
    merges: 2,
    discarded: 3,
    collisions: 1,
    scans: { performed: 400, skipped: 120, infected: 2, missed: 0 },
    quiescent: true,
    converged: false,
    stopped: 'idle',
    endAt: 7_384_005,
    digest: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    ...overrides,
  };
}

const UNID = '0123456789ABCDEF0123456789ABCDEF';
const HOUR = 3_600_000;

/**
 * About two virtual hours on a ring of servers: users save at a rate that rises and falls, every server pulls its
 * neighbour's changes every 10 minutes, and a scanner storm between 0:50 and 1:05 makes conflicts. Seeded: the same
 * servers give the same events.
 */
export function sampleEvents(servers: readonly string[], seed = 42): DerivedEvent[] {
  const rnd = new Prng(seed);
  const events: DerivedEvent[] = [];
  const pending = servers.map(() => 0);
  servers.forEach((server, i) => {
    let at = 0;
    for (;;) {
      const rate = (1 + 0.8 * Math.sin(at / HOUR * Math.PI + i)) / 20_000; // saves per ms
      at += Math.ceil(-Math.log(1 - rnd.next()) / rate);
      if (at >= 2 * HOUR) break;
      events.push({ type: 'revised', at, server, db: 'mail.nsf', unid: UNID, seq: 1, seqTime: at, items: ['Subject'], by: 'user/jdoe', cause: 2 });
    }
  });
  for (let at = 50 * 60_000; at < 65 * 60_000; at += rnd.int(500, 4_000)) {
    events.push({ type: 'revised', at, server: servers[0]!, db: 'mail.nsf', unid: UNID, seq: 2, seqTime: at, items: ['X-SSOTag'], by: 'scanner/smsdom', cause: 3 });
  }
  events.sort((a, b) => a.at - b.at);
  // Replication every 10 minutes carries what each server saved since the last session to its neighbour.
  const out: DerivedEvent[] = [];
  let next = 600_000;
  for (const e of events) {
    while (e.at >= next) {
      servers.forEach((from, i) => {
        const to = servers[(i + 1) % servers.length]!;
        for (let k = 0; k < pending[i]!; k++) {
          const at = next + k * 50;
          out.push({ type: 'replicated', at, from, to, db: 'mail.nsf', unid: UNID, seq: 1, seqTime: at, outcome: k % 97 === 0 ? 'collision' : 'updated' });
          if (i === 0 && next > 50 * 60_000 && next <= 70 * 60_000 && k % 4 === 0) {
            out.push({ type: 'conflict', at, server: to, db: 'mail.nsf', unid: UNID, conflictUnid: UNID, winner: { seq: 2, seqTime: at }, loser: { seq: 2, seqTime: at - 1 } });
          }
        }
        pending[i] = 0;
      });
      next += 600_000;
    }
    out.push(e);
    if (e.type === 'revised') pending[servers.indexOf(e.server)]! += 1;
  }
  return out.sort((a, b) => a.at - b.at);
}

export function sampleReport(options: { servers?: readonly string[]; meta?: Record<string, unknown>; withWhatIf?: boolean } = {}): ReportData {
  const servers = options.servers ?? ['hub/Acme', 'spoke1/Acme', HOSTILE_SERVER];
  const timeline = createTimeline();
  for (const e of sampleEvents(servers)) timeline.add(e);
  return {
    title: 'replstorm report: sso-storm',
    source: 'logs/sso-storm.replog.jsonl',
    meta: options.meta ?? { recordedBy: 'replstorm 0.1.0', scenario: 'sso-storm', seed: 42, params: { servers: 3, hours: 2 } },
    summary: sampleSummary(),
    timeline: timeline.result(),
    blame: [
      { actor: 'scanner/smsdom', revisions: 230, conflicts: 5, causes: 41, longestChain: 12 },
      { actor: 'user/jdoe', revisions: 1000, conflicts: 2, causes: 1000, longestChain: 1 },
      { actor: HOSTILE_ACTOR, revisions: 4, conflicts: 0, causes: 4, longestChain: 1 },
    ],
    // 23 causes (the report shows 20), one labelled and attributed with hostile text.
    causes: [
      { cause: 3, label: `scanner smsdom installed on ${HOSTILE_SERVER} (its scheduled scans)`, revisions: 230, conflicts: 5, byActor: { 'scanner/smsdom': 226, [HOSTILE_ACTOR]: 4 } },
      ...Array.from({ length: 22 }, (_, i) => ({ cause: 10 + i, label: `save by user/jdoe on hub/Acme (mail.nsf ${UNID})`, revisions: 45 - i, conflicts: 0, byActor: { 'user/jdoe': 45 - i } })),
    ],
    chains: [{ unid: UNID, length: 12_345, cause: 3, firstAt: 3_000_000, lastAt: 3_900_000, lastUnid: '<b>2', servers: ['hub/Acme', HOSTILE_SERVER, 'hub/Acme'] }],
    moreChains: 1_234,
    ...(options.withWhatIf === false
      ? {}
      : { whatIf: { label: 'ignoreSsoOnScheduled: true', summary: sampleSummary({ revisions: { total: 1010, byActorKind: { user: 1000, scanner: 6, router: 4 } }, replicatedChanges: 2020, conflicts: 0, converged: true, digest: 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae' }) } }),
  };
}
