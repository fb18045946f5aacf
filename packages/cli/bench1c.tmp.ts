import { runEvents } from '@replstorm/core';
import { behaviourFactory, builtinRegistry, smsdomStormEvents } from '@replstorm/scenarios';
const ev = smsdomStormEvents({ scanServers: 'first', horizonMs: 24 * 3600000 - 1 });
for (let i = 0; i < 3; i++) {
const t1 = performance.now();
const { summary } = runEvents(ev, { behaviours: behaviourFactory(builtinRegistry()) });
const t2 = performance.now();
console.log(`run ${(t2-t1).toFixed(0)}ms rss ${(process.memoryUsage().rss/1e6).toFixed(0)}MB`, summary.revisions.total);
}
