// Test fixture: a design that reads server names but declares itself name-blind (explore must flag the declaration).
import { defineDesign } from '@replstorm/scenarios';
export default defineDesign<Record<string, never>>({
  name: 'by-name-symmetric',
  description: 'stamps a document on the last cluster member by name only',
  defaults: {},
  symmetric: true, // not so: it reads `server`
  scan: ({ server, clusterMembers, note }) =>
    server === [...clusterMembers].sort().at(-1) && !note.items.some((i) => i.key === 'x-mark') ? { verdict: 'clean', set: [['X-Mark', server]] } : { verdict: 'clean' },
});
