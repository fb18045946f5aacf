// Test fixture: a design with module-level state that only grows (verify must flag its counterexample).
import { defineDesign, cleaningWrites } from '@replstorm/scenarios';
// Scans until it has scanned 40 documents in this process, then skips everything: module-level state.
let scans = 0;
export default defineDesign<Record<string, never>>({
  name: 'tired',
  description: 'stops scanning after 40 scans in a process',
  defaults: {},
  // It never saves a clean document, and says so: the suite's verdict then rests on the violation alone (not on
  // stampings never seen).
  promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
  scan: (ctx) => {
    if (++scans > 40) return { verdict: 'skipped' };
    const r = ctx.virusScan();
    if (r.infected) { const w = cleaningWrites(r); return { verdict: 'infected', set: w.set, remove: w.remove }; }
    return { verdict: 'clean' };
  },
});
