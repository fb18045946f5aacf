// A researcher's design in a few lines: SMSDOM-like, but it stamps a document only when it carries no tag at all,
// and never rewrites one. Does that stop the storm? Does it still conflict? Ask the suite:
//
//   npx -y pnpm@10.34.9 replstorm verify examples/designs/stamp-if-missing.ts
//   npx -y pnpm@10.34.9 replstorm compare smsdom stamp-if-missing --design stamp-if-missing=examples/designs/stamp-if-missing.ts
//
// Only types are imported, so the module needs nothing installed to load.
import type { ScannerDesign } from '@replstorm/scenarios';

const design: ScannerDesign<{ scheduleEveryMs: number }> = {
  name: 'stamp-if-missing',
  description: 'stamps X-SSOTag only on documents that have none; never rewrites a tag',
  defaults: { scheduleEveryMs: 0 },
  scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
  watches: (write) => write.origin === 'save', // real-time scanning of local saves, not of arrivals
  symmetric: true, // reads no server's name: `explore` may treat servers configured alike as interchangeable
  scan({ note, virusScan }) {
    const hasTag = note.items.some((i) => i.key === 'x-ssotag');
    const result = virusScan();
    if (result.infected) {
      const set: [string, typeof result.clean][] = result.clean.length > 0 ? [['$FILE', result.clean]] : [];
      return { verdict: 'infected', set, remove: result.clean.length > 0 ? ['X-SSOTag'] : ['$FILE', 'X-SSOTag'] };
    }
    return hasTag ? { verdict: 'clean' } : { verdict: 'clean', set: [['X-SSOTag', `scanned-clean-${note.unid}`]] };
  },
};
export default design;
