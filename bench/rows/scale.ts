// Row 4: scale. N documents on 3 replicas in a cluster, one scan pass on one server and the cluster pushes that
// follow. Goal: at most 4 GiB at 1M documents, and cost linear in N.
import { runEvents } from '@replstorm/core';
import { behaviourFactory, builtinRegistry, smsdomStormEventStream } from '@replstorm/scenarios';
import { arg, emit, peakRssMb } from './common.js';

const n = arg('docs', 100_000);
const databases = Math.max(1, Math.round(n / 1000));
const passMs = n * 10; // scanMsPerDoc 10
const t0 = performance.now();
const { summary } = runEvents(
  smsdomStormEventStream({ servers: 3, databases, docs: Math.round(n / databases), scanServers: 'first', scanEveryMs: 1000 * 3_600_000, horizonMs: passMs + 3_600_000 }),
  { behaviours: behaviourFactory(builtinRegistry()) },
);
const ms = performance.now() - t0;
emit({ row: 'scale', documents: n, replicas: 3, ms, peakRssMb: peakRssMb(), msPerThousandDocs: ms / (n / 1000), revisions: summary.revisions.total, replicatedChanges: summary.replicatedChanges, converged: summary.converged, quiescent: summary.quiescent });
