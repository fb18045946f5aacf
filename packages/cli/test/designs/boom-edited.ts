// Test fixture: a read-only design whose code throws on some paths only (a document a user has edited), on what the
// search keeps of a state (an item's value), not on a count it renumbers: explore's search stays trusted, and its
// "exhausted"/"bounded" line says that the paths ending at a failure were not searched past it.
import { defineDesign } from '@replstorm/scenarios';

export default defineDesign<Record<string, never>>({
  name: 'boom-edited',
  description: 'scans without writing; throws on a document whose Body a user edited',
  defaults: {},
  watches: () => true,
  scan: (ctx) => {
    if (ctx.note.items.some((i) => i.key === 'body' && i.value === 'edited')) throw new Error('cannot handle an edited document');
    return { verdict: 'clean' };
  },
});
