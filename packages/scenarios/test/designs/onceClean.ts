// Test fixture: a design whose module-level state hides its violations (verify must not pass it). It scans and cleans
// as it should, and stamps each document once per process and server, remembered in a Set outside the run: in a fresh
// process two members each stamp a new document and conflict (R5), but after a suite's first cases (the same UNIDs
// again) it stamps next to nothing. `onceCleanDesign` makes one with a Set of its own (a copy loaded anew); the default
// export is the module's one (the CLI's tests load it as a module).
import { cleaningWrites, defineDesign, type ScannerDesign } from '../../src/index.js';

export function onceCleanDesign(name = 'once-clean'): ScannerDesign<{ scheduleEveryMs: number }> {
  const stamped = new Set<string>();
  return defineDesign<{ scheduleEveryMs: number }>({
    name,
    description: 'stamps each document once per process and server, in a Set outside the run',
    defaults: { scheduleEveryMs: 0 },
    scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
    symmetric: true,
    scan: ({ server, db, note, virusScan }) => {
      const r = virusScan();
      if (r.infected) return { verdict: 'infected', ...cleaningWrites(r) };
      const k = `${server}:${db}:${note.unid}`;
      if (stamped.has(k)) return { verdict: 'clean' };
      stamped.add(k);
      return { verdict: 'clean', set: [['X-Scanned', 'yes']] };
    },
  });
}

export default onceCleanDesign();
