// Test fixture: a pure design that storms. It stamps its own server's name and scans arrivals, so each member
// restamps what the other stamped (R16), and cleans what it finds infected (R14).
import { cleaningWrites, defineDesign } from '../../src/index.js';

export default defineDesign<Record<string, never>>({
  name: 'own-name-tag',
  description: 'stamps its own server name; scans arrivals',
  defaults: {},
  watches: () => true,
  scan: ({ note, server, virusScan }) => {
    const r = virusScan();
    if (r.infected) return { verdict: 'infected', ...cleaningWrites(r) };
    return note.items.some((i) => i.key === 'x-ssotag' && i.value === `by-${server}`) ? { verdict: 'clean' } : { verdict: 'clean', set: [['X-SSOTag', `by-${server}`]] };
  },
});
