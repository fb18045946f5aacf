import { Prng, runEvents } from '@replstorm/core';
import { behaviourFactory } from './design.js';
import { builtinRegistry } from './designs/registry.js';
import { smsdomStormEventStream } from './scenarios/smsdomStorm.js';

/** The settings of the seeded scenario number `i` of the determinism check: small, varied, reproducible. */
export function seededSettings(i: number): Record<string, string | number> {
  const r = new Prng(i);
  const designs = ['smsdom', 'sso-mail-only', 'cluster-aware', 'scan-cache', 'noop'];
  const design = designs[r.int(0, designs.length - 1)]!;
  return {
    seed: i,
    servers: r.int(1, 3),
    databases: r.int(1, 3),
    docs: r.int(1, 12),
    attachmentShare: [1, 0.5][r.int(0, 1)]!,
    infectedShare: [0, 0.2][r.int(0, 1)]!,
    design,
    keys: r.int(0, 3) === 0 ? 'per-server' : 'shared',
    config: r.int(0, 2) === 0 && design !== 'noop' ? 'scanReplicatedWrites=true' : '',
    replication: r.int(0, 3) === 0 ? 'scheduled' : 'cluster',
    scanOffsetsMs: `0,${r.int(0, 20_000)},${r.int(0, 20_000)}`,
    clockSkewsMs: `0,${r.int(-500, 500)},${r.int(-500, 500)}`,
    userEditsPerHour: r.int(0, 20),
    definitionsEveryMs: r.int(0, 1) ? 1_800_000 : 0,
    forwards: r.int(0, 3),
    horizonMs: 2 * 3_600_000,
  };
}

/** Runs seeded scenario `i` and returns what must be identical across runs: digest, summary, PRNG state. */
export function runSeeded(i: number): { digest: string; summary: string; prng: string } {
  const { summary, sim } = runEvents(smsdomStormEventStream(seededSettings(i)), { behaviours: behaviourFactory(builtinRegistry()), seed: i });
  return { digest: summary.digest, summary: JSON.stringify(summary), prng: sim.prngState() };
}
