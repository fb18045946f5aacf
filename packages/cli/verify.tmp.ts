import { builtinRegistry, verifyDesign } from '@replstorm/scenarios';
const reg = builtinRegistry();
for (const [name, config] of [['smsdom', {}], ['smsdom', {ignoreSsoOnScheduled: true}], ['noop', {}], ['scan-cache', {}], ['sso-mail-only', {}], ['cluster-aware', {}], ['smsdom', {key: 'X', scanReplicatedWrites: true}]] as const) {
  const t0 = performance.now();
  const r = verifyDesign(reg.get(name)!, { config, runs: 50, seed: 7 });
  console.log(name, JSON.stringify(config), (performance.now()-t0).toFixed(0)+'ms', r.ok, JSON.stringify(r.coverage), r.vacuous.join(','));
  for (const i of r.invariants) console.log('   ', i.name, i.status, i.counterexample?.message ?? '');
}
