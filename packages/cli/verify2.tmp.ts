import { builtinRegistry, verifyDesign } from '@replstorm/scenarios';
const reg = builtinRegistry();
const r = verifyDesign(reg.get(process.argv[2]!)!, { runs: 100, seed: 7, only: ['no-scanner-conflicts'] });
console.log(r.invariants[0]!.counterexample?.log);
