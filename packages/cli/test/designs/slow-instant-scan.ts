// A design whose scans take no virtual time (a pass scans every document at one instant, so a recording has thousands
// of derived lines of that instant) and, when REPLSTORM_TEST_SLOW=1, 20 ms of real time each (a busy wait): for the
// test that Ctrl-C is handled at once while replay checks those lines (interrupt.test.ts). Only types are imported.
import type { ScannerDesign } from '@replstorm/scenarios';

const design: ScannerDesign<Record<string, never>> = {
  name: 'slow-instant-scan',
  description: 'scans take 0 virtual ms; 20 ms of real time each when REPLSTORM_TEST_SLOW=1; never writes',
  defaults: {},
  scanMsPerDoc: () => 0,
  watches: () => false,
  scan() {
    if (process.env['REPLSTORM_TEST_SLOW'] === '1') {
      const until = Date.now() + 20;
      while (Date.now() < until);
    }
    return { verdict: 'clean' };
  },
};
export default design;
