// Row 1b: the conflict explosion. The seed's cluster with both servers scanning hourly a few seconds apart: conflict
// documents carry the attachment and fail their tag ($Conflict and $REF changed the content), so the next pass scans
// and stamps them on both servers, and they conflict in turn. Runs hour by hour for as long as fits in the budget.
import { isScannerRevision, Simulator } from '@replstorm/core';
import { behaviourFactory, builtinRegistry, smsdomStormEventStream } from '@replstorm/scenarios';
import { arg, emit, peakRssMb } from './common.js';

const budgetMs = arg('budget-ms', 60_000);
const maxHours = arg('max-hours', 48);
const HOUR = 3_600_000;
let scannerRevisions = 0;
let conflicts = 0;
const sim = new Simulator({
  behaviours: behaviourFactory(builtinRegistry()),
  onDerived: (e) => {
    if (isScannerRevision(e)) scannerRevisions++;
    else if (e.type === 'conflict') conflicts++;
  },
});
const events = [...smsdomStormEventStream({ horizonMs: maxHours * HOUR, scanOffsetsMs: '0,7000', clockSkewsMs: '0,350' })].filter((e) => e.type !== 'end');
let line = 1;
const t0 = performance.now();
const hours: { hour: number; documents: number; conflicts: number; scannerRevisions: number; wallMs: number; peakRssMb: number }[] = [];
let i = 0;
const first = events.find((e) => e.type === 'scanner')!.at;
for (let h = 1; h <= maxHours; h++) {
  const until = first + h * HOUR;
  while (i < events.length && events[i]!.at < until) {
    sim.advance(events[i]!.at);
    sim.apply({ line: ++line, event: events[i++]! });
  }
  sim.advance(until);
  const documents = sim.replicaServers('mail/user000.nsf').length > 0 ? sim.databaseNames().reduce((n, db) => n + (sim.replica('Alpha', db)?.size ?? 0), 0) : 0;
  hours.push({ hour: h, documents, conflicts, scannerRevisions, wallMs: performance.now() - t0, peakRssMb: peakRssMb() });
  if (performance.now() - t0 > budgetMs) break;
}
const last = hours[hours.length - 1]!;
const growth = hours.length >= 3 ? hours.slice(2).map((x, k) => (x.documents - hours[k + 1]!.documents) / Math.max(1, hours[k + 1]!.documents - hours[k]!.documents)) : [];
emit({
  row: 'conflict-explosion',
  hoursSimulated: hours.length,
  hours,
  documentsAtEnd: last.documents,
  msPerMillionDocuments: (last.wallMs / last.documents) * 1e6,
  mbPerMillionDocuments: (last.peakRssMb / last.documents) * 1e6,
  growthOfNewDocumentsPerHour: growth,
});
