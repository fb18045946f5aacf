// Test fixture: a design that acts on the clock's value (stamps only in odd minutes): explore must say its search,
// which identifies states that differ only in their times, may have missed paths.
import { defineDesign } from '@replstorm/scenarios';
export default defineDesign<Record<string, never>>({
  name: 'odd-minute',
  description: 'stamps an untagged clean document only in odd minutes of the server clock',
  defaults: {},
  symmetric: true,
  scan: ({ note, clock, virusScan }) => {
    if (virusScan().infected) return { verdict: 'infected', remove: ['$FILE'] };
    return note.items.some((i) => i.key === 'x-ssotag') || Math.floor(clock / 60_000) % 2 === 0 ? { verdict: 'clean' } : { verdict: 'clean', set: [['X-SSOTag', 'scanned']] };
  },
});
