import { EXPLORE_INVARIANTS, explore, stormExploreModel } from '@replstorm/scenarios';
const cases: [string, Record<string, string|number>, string[], number][] = [
  ['conflict default', { servers: 2, docs: 1 }, ['no-conflict'], 6],
  ['storm per-server', { servers: 2, docs: 1, keys: 'per-server', config: 'scanReplicatedWrites=true' }, [], 8],
  ['scan-cache', { servers: 2, docs: 1, design: 'scan-cache' }, ['no-scanner-revision'], 8],
  ['ignore sso', { servers: 2, docs: 1, config: 'ignoreSsoOnScheduled=true' }, ['no-scanner-revision'], 8],
  ['noop', { servers: 2, docs: 1, design: 'noop' }, ['no-scanner-revision'], 8],
  ['sso-mail-only', { servers: 2, docs: 2, design: 'sso-mail-only' }, [], 10],
  ['2x2 smsdom', { servers: 2, docs: 2 }, [], 7],
];
for (const [label, settings, inv, depth] of cases) {
  const m = stormExploreModel({ settings });
  const r = explore(m, { depth, invariants: inv.map((n) => EXPLORE_INVARIANTS[n]!) });
  console.log(label, JSON.stringify({ depthReached: r.depthReached, gen: r.statesGenerated, distinct: r.distinctStates, exhausted: r.exhausted, s: r.seconds.toFixed(2), rate: Math.round(r.distinctStates / r.seconds), scannerRevisions: r.scannerRevisions, violation: r.violation?.message, storm: r.storm?.loopEvents.length }));
  if (r.violation) console.log(r.violation.explanation.join('\n'));
  if (r.storm) console.log('STORM from step', r.storm.loopStart, '\n' + r.storm.explanation.join('\n'));
}
