import { cleaningWrites, defineDesign, type ScannerDesign } from '../design.js';

/**
 * The counterfactual for "caused by scanner writes": the same inputs with a scanner that scans the same documents
 * (the design's own shape: cleanOnlyShaped) and cleans infected ones, but never writes anything else. Two members cleaning
 * one infected document before either copy replicates do conflict — any scanner that removes attachments does that —
 * so those conflicts are the baseline's too, and only the conflicts a design's other writes add are held against it.
 */
export const cleanOnly = defineDesign({
  name: '__clean-only__',
  description: 'scans and cleans, never stamps',
  defaults: {},
  scan: ({ virusScan }) => {
    const r = virusScan();
    return r.infected ? { verdict: 'infected' as const, ...cleaningWrites(r) } : { verdict: 'clean' as const };
  },
});
/**
 * The counterfactual for a design: its own scanning shape (what it watches, its mail scan, schedule, which servers
 * run passes, its scan time, under its configuration) with `cleanOnly`'s decisions. A design that also scans arrivals,
 * or runs passes of its own, cleans in more places than a scanner of local saves would, and two members cleaning one
 * document conflict whoever scans: only what its other writes add is held against it.
 */
export function cleanOnlyShaped(design: ScannerDesign<object>, name: string = cleanOnly.name): ScannerDesign<object> {
  const { promises: _promises, symmetric: _symmetric, ...shape } = design;
  return { ...shape, name, description: cleanOnly.description, scan: cleanOnly.scan as ScannerDesign<object>['scan'] };
}
