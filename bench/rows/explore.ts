// Row 5: exploration throughput, 2 servers x 2 documents. Goal (the baseline): 100,000 distinct states/s.
import { EXPLORE_INVARIANTS, explore, stormExploreModel, type ExploreResult } from '@replstorm/scenarios';
import { arg, emit, peakRssMb } from './common.js';

const depth = arg('depth', 9);
// [choice] Warmed up as the PouchDB row's two systems are (`--rewarm-ms`): the same search runs untimed at least
// three times and for at least `--warmup-ms` (default 3000; 0: none) before the timed one, in the same process, so
// the row is the rate of a search and not of the compiler. A search to depth 9 takes about a second, and the compiler
// took three of them to settle (2026-12-06, three processes of six searches each: 41,000-45,000 states/s for the
// first, 55,000-63,000 from the fourth on). The first search's rate is kept beside it (`coldDistinctPerSec`): what a
// one-off `replstorm explore` of this size sees. (`peakRssMb` counts the warm-up searches' garbage too: the row's
// goal is the rate, not memory.)
const warmupMs = arg('warmup-ms', 3000);
// The rate is over the whole call, the checks after the search included (r.checkSeconds: the storm's loop search and
// paths run again, a few percent for a built-in design), where the CLI says the search's own rate: the row's is the
// lower of the two.
const search = (): ExploreResult => explore(stormExploreModel({ settings: { servers: 2, docs: 2 } }), { depth, invariants: [EXPLORE_INVARIANTS['no-conflict']!], clock: () => performance.now() });
let cold: ExploreResult | undefined;
let warmupRuns = 0;
const t0 = performance.now();
// At least three searches as well as the time: on a slow phase of the machine (1.8x) three seconds held two (a review).
while (warmupMs > 0 && (warmupRuns < 3 || performance.now() - t0 < warmupMs)) {
  const w = search();
  cold ??= w;
  warmupRuns++;
}
const r = search();
cold ??= r;
emit({
  row: 'explore',
  depth: r.depthReached,
  distinctStates: r.distinctStates,
  statesGenerated: r.statesGenerated,
  seconds: r.seconds,
  checkSeconds: r.checkSeconds,
  distinctPerSec: r.distinctStates / r.seconds,
  generatedPerSec: r.statesGenerated / r.seconds,
  warmupRuns,
  coldDistinctPerSec: cold.distinctStates / cold.seconds,
  peakRssMb: peakRssMb(),
});
