// Test fixture: a design with module-level state (explore must flag its search as not reproducible).
import { defineDesign } from '@replstorm/scenarios';
// Stamps a document the first time this process scans it on a server, then skips it: a module-level Set.
const seen = new Set<string>();
export default defineDesign<{ scheduleEveryMs: number }>({
  name: 'once-per-process',
  description: 'stamps each document once per process and server',
  // A schedule setting, so that compare's scenario gives it its scheduled scans.
  defaults: { scheduleEveryMs: 0 },
  scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
  symmetric: true,
  scan: ({ server, note }) => {
    if (seen.has(`${server}:${note.unid}`)) return { verdict: 'skipped' };
    seen.add(`${server}:${note.unid}`);
    return { verdict: 'clean', set: [['X-Seen', 'yes']] };
  },
});
