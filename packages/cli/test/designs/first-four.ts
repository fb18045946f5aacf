// Test fixture: a design with module-level state that stamps on its first four scans in this process, then only
// cleans: explore finds a conflict whose path, run again, is not what the search saw.
import { defineDesign } from '@replstorm/scenarios';
let scans = 0;
export default defineDesign<{ scheduleEveryMs: number }>({
  name: 'first-four',
  description: 'stamps on its first four scans in this process',
  defaults: { scheduleEveryMs: 0 },
  scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
  symmetric: true,
  scan: ({ virusScan }) => {
    const r = virusScan();
    scans++;
    if (r.infected) return { verdict: 'infected', remove: ['$FILE'] };
    return scans < 5 ? { verdict: 'clean', set: [['X-Tag', 'x']] } : { verdict: 'clean' };
  },
});
