// Test fixture: a design whose scan never returns (Ctrl-C must still stop verify, compare and explore).
import { defineDesign } from '@replstorm/scenarios';
export default defineDesign<{ scheduleEveryMs: number }>({
  name: 'forever',
  description: 'loops for ever in its scan',
  // A schedule setting, so that compare's scenario gives it its scheduled scans.
  defaults: { scheduleEveryMs: 0 },
  scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
  symmetric: true,
  scan: () => {
    for (;;) {
      // (Never returns.)
    }
  },
});
