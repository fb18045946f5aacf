// A design whose every scan takes 20 ms of real time (a busy wait): engine work whose pieces are slow, for the test
// that Ctrl-C and SIGTERM are still handled at once (interrupt.test.ts). Only types are imported.
import type { ScannerDesign } from '@replstorm/scenarios';

const design: ScannerDesign<{ scheduleEveryMs: number }> = {
  name: 'slow-scan',
  description: 'scans take 20 ms of real time each; never writes',
  defaults: { scheduleEveryMs: 3_600_000 },
  scheduleEveryMs: (c) => c.scheduleEveryMs,
  scan() {
    const until = Date.now() + 20;
    while (Date.now() < until);
    return { verdict: 'clean' };
  },
};
export default design;
