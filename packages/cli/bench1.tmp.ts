import { runEvents } from '@replstorm/core';
import { behaviourFactory, builtinRegistry, smsdomStormEvents } from '@replstorm/scenarios';
const ev = smsdomStormEvents({ scanServers: 'first', horizonMs: 24 * 3600000 - 1 });
let derived = 0;
const t1 = performance.now();
const { summary } = runEvents(ev, { behaviours: behaviourFactory(builtinRegistry()), onDerived: () => { derived++; } });
const t2 = performance.now();
console.log(JSON.stringify(summary.revisions), summary.replicatedChanges, summary.scans);
console.log(`derived ${derived} run ${(t2-t1).toFixed(0)}ms rss ${(process.memoryUsage().rss/1e6).toFixed(0)}MB`);
