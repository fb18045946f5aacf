// Test fixtures: designs that stamp an untagged clean document only when `stamps` says so, from what the scan is given
// (its times): explore identifies states that differ only in their times, and must say when a design acts on them.
// The default export stamps in odd minutes of the server's clock (the CLI's tests load it as a module).
import { defineDesign, type DesignScanContext, type ScannerDesign } from '../../src/index.js';

export function timedDesign(name: string, stamps: (ctx: DesignScanContext<Record<string, never>>) => boolean): ScannerDesign<object> {
  return defineDesign<Record<string, never>>({
    name,
    description: 'stamps an untagged clean document only at some times',
    defaults: {},
    symmetric: true,
    scan: (ctx) => {
      if (ctx.virusScan().infected) return { verdict: 'infected', remove: ['$FILE'] };
      return ctx.note.items.some((i) => i.key === 'x-ssotag') || !stamps(ctx) ? { verdict: 'clean' } : { verdict: 'clean', set: [['X-SSOTag', 'scanned']] };
    },
  }) as ScannerDesign<object>;
}

export default timedDesign('odd-minute', ({ clock }) => Math.floor(clock / 60_000) % 2 === 1);
