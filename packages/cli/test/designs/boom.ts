// Test fixture: a read-only design whose code throws on some paths only (a document saved three times or more), as
// a researcher's bug would: explore must report the shortest such path, as verify's design-runs does.
import { defineDesign } from '@replstorm/scenarios';

export default defineDesign<Record<string, never>>({
  name: 'boom',
  description: 'scans without writing; throws on a document saved three times or more',
  defaults: {},
  watches: () => true,
  scan: (ctx) => {
    if (ctx.note.seq >= 3) throw new Error(`cannot handle seq ${ctx.note.seq}`);
    return { verdict: 'clean' };
  },
});
