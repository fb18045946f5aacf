// Test fixture: a storm-breaker a researcher might try (an explore QA pass's): stamp every write it sees with its
// server's tag, so each member's stamp fails the other's check (the ping-pong storm), unless the document has 4 or
// more revisions. It acts on a revisions' count, which explore's abstraction drops: its storm stops after 4 stamps.
import { defineDesign, type ScannerDesign } from '../../src/index.js';

export function revCapDesign(): ScannerDesign<object> {
  return defineDesign<Record<string, never>>({
    name: 'rev-cap',
    description: "stamps every write it sees with its server's tag, unless the document has 4 or more revisions",
    defaults: {},
    watches: () => true,
    scan: ({ note, server }) => {
      if (note.revisions.length >= 4) return { verdict: 'clean' };
      const tag = `clean-on-${server}`;
      return note.items.some((i) => i.key === 'x-tag' && i.value === tag) ? { verdict: 'clean' } : { verdict: 'clean', set: [['X-Tag', tag]] };
    },
  }) as ScannerDesign<object>;
}
