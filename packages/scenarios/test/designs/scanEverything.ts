// Test fixture: scans every document, cleans infected ones, never writes a clean one (verify must pass it, not call
// never skipping vacuous). A module, so that a counterexample of it replays: replay --design scan-everything=<this file>.
import { cleaningWrites, defineDesign } from '../../src/index.js';

export default defineDesign<{ scheduleEveryMs: number }>({
  name: 'scan-everything',
  description: 'scans every document, cleans infected ones, never writes a clean one',
  defaults: { scheduleEveryMs: 0 },
  promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'], quiescent: true, noConflicts: true },
  scan({ virusScan }) {
    const r = virusScan();
    return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean' };
  },
});
