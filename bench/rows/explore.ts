// Row 5: exploration throughput, 2 servers x 2 documents. Goal (the baseline): 100,000 distinct states/s.
import { EXPLORE_INVARIANTS, explore, stormExploreModel } from '@replstorm/scenarios';
import { arg, emit, peakRssMb } from './common.js';

const depth = arg('depth', 9);
// The rate is over the whole call, the checks after the search included (r.checkSeconds: the storm's loop search and
// paths run again, a few percent for a built-in design), where the CLI says the search's own rate: the row's is the
// lower of the two.
const r = explore(stormExploreModel({ settings: { servers: 2, docs: 2 } }), { depth, invariants: [EXPLORE_INVARIANTS['no-conflict']!], clock: () => performance.now() });
emit({ row: 'explore', depth: r.depthReached, distinctStates: r.distinctStates, statesGenerated: r.statesGenerated, seconds: r.seconds, checkSeconds: r.checkSeconds, distinctPerSec: r.distinctStates / r.seconds, generatedPerSec: r.statesGenerated / r.seconds, peakRssMb: peakRssMb() });
