// Test fixture: a design whose module-level state hides its violations (verify must not pass it). It scans and
// cleans as it should, and stamps each document once per process and server, remembered in a module-level Set: in a
// fresh process two members each stamp a new document and conflict (R5), but after a suite's first cases (the same
// UNIDs again) it stamps next to nothing.
import { cleaningWrites, defineDesign } from '@replstorm/scenarios';
const stamped = new Set<string>();
export default defineDesign<{ scheduleEveryMs: number }>({
  name: 'once-clean',
  description: 'stamps each document once per process and server, in a module-level Set',
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
