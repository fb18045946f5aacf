import { EXPLORE_INVARIANTS, explore, stormExploreModel } from '@replstorm/scenarios';
const r = explore(stormExploreModel({ settings: { servers: 2, docs: 2 } }), { depth: 8, invariants: [EXPLORE_INVARIANTS['no-conflict']!] });
console.log(r.distinctStates, r.statesGenerated, r.seconds.toFixed(2), Math.round(r.distinctStates / r.seconds));
