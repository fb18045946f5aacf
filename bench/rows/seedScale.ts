// Row 1: the seed at its scale. 100 databases x 100 documents with attachments, a 2-server cluster, 24 virtual hours
// of hourly scheduled scans on one server with default smsdom: 240,000 scanner revisions and as many replicated
// changes. Goal (the baseline): at most 1 s and 300 MB.
import { runEvents } from '@replstorm/core';
import { behaviourFactory, builtinRegistry, smsdomStormEventStream } from '@replstorm/scenarios';
import { emit, peakRssMb } from './common.js';

const factory = behaviourFactory(builtinRegistry());
const settings = { scanServers: 'first', horizonMs: 24 * 3_600_000 - 1 };
let derived = 0;
const t0 = performance.now();
const { summary } = runEvents(smsdomStormEventStream(settings), { behaviours: factory, onDerived: () => void derived++ });
const ms = performance.now() - t0;
emit({
  row: 'seed-scale',
  ms,
  peakRssMb: peakRssMb(),
  scannerRevisions: summary.revisions.byActorKind['scanner'] ?? 0,
  replicatedChanges: summary.replicatedChanges,
  derivedEvents: derived,
  eventsPerSec: derived / (ms / 1000),
  digest: summary.digest,
});
