// Test fixture: reads only when first loaded in a process; from its second load on (a counter on globalThis outlives
// loading the module anew), stamps every version it meets with its server's name and the seq, arrivals included: each
// server's stamp differs from the other's, so the members restamp each other's arrivals without end (a storm).
import { defineDesign } from '@replstorm/scenarios';
const g = globalThis as { __secondStormLoads?: number };
g.__secondStormLoads = (g.__secondStormLoads ?? 0) + 1;
const storm = g.__secondStormLoads > 1;
export default defineDesign<Record<string, never>>({
  name: 'second-storm',
  description: 'reads only when first loaded; from its second load, stamps every version it meets, its server in the stamp',
  defaults: {},
  watches: () => true,
  scan: ({ server, note }) => (storm ? { verdict: 'clean', set: [['X-Stamp', `${server}:${note.seq}`]] } : { verdict: 'clean' }),
});
