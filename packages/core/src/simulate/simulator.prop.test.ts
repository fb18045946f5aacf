import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from './simulator.js';
import { firstApart, unmadeCollision } from './collisions.js';
import type { DerivedEvent, InputEvent } from '../log/events.js';
import type { Note } from '../note/note.js';
import { assertLogProperty } from '../../test/property.js';
import {
  DAY,
  assertReplayEqualsLive,
  buildHistory,
  buildPrefix,
  encodeLogText,
  firstDivergence,
  historyPlanArb,
  purgingPlanArb,
  sampleHistory,
  serverName,
  simulate,
  type HistoryPlan,
  type PlanOp,
} from '../../test/simHarness.js';
import { propertyRuns } from '../../../../scripts/propertySeed.js';

// Random histories (2-3 servers, optional skews and cluster, 1-2 databases, saves, deletes, partitions, crashes,
// sessions), then heal, restart everyone, and rounds of pull-push between every pair until a round changes nothing.

const harnessFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'simHarness.ts');

function logOf(name: string, note?: string) {
  return (plan: HistoryPlan): string => encodeLogText(buildHistory(plan).events, { property: name, plan, ...(note !== undefined ? { note } : {}) });
}

/** The summary's figures a convergence failure turns on, with its digest (the whole summary made the header cut mid-digest). */
function briefly(s: { stopped: string; quiescent: boolean; converged: boolean; replicatedChanges: number; conflicts: number; collisions: number; digest: string }): string {
  return `stopped ${s.stopped}, ${s.quiescent ? 'quiescent' : 'work pending'}, ${s.converged ? 'converged' : 'not converged'}, ${s.replicatedChanges} replicated changes, ${s.conflicts} conflicts, ${s.collisions} OID collisions, digest ${s.digest}`;
}

function digestOfDerived(derived: readonly DerivedEvent[]): string {
  return createHash('sha256').update(JSON.stringify(derived)).digest('hex');
}

/** Feeds `events[0..k)`, snapshots, feeds the rest and finishes; then restores and does it again. */
function runAcrossSnapshot(events: readonly InputEvent[], k: number) {
  let sink: DerivedEvent[] = [];
  const sim = new Simulator({ onDerived: (e) => sink.push(e) });
  const feed = (from: number, to: number) => {
    for (let i = from; i < to; i++) sim.feed({ line: i + 2, event: events[i]! });
  };
  feed(0, k);
  const snap = sim.snapshot();
  const runs = [1, 2].map(() => {
    sink = [];
    feed(k, events.length);
    const summary = sim.finish();
    const derived = sink;
    sim.restore(snap);
    return { summary, derived };
  });
  return { first: runs[0]!, second: runs[1]! };
}

/**
 * `plan` with every server in one cluster on a timer (15 s where it had none, or 0: pushes only by `push` events), and
 * without crashes and restarts (R12: a crash loses the queues) or scheduled sessions (which would repair what the
 * cluster did not bring).
 */
function clusterOnlyPlan(plan: HistoryPlan, cuts: readonly Cut[] = []): HistoryPlan {
  const ops: PlanOp[] = plan.ops.filter((op) => op.k !== 'crash' && op.k !== 'restart' && op.k !== 'replicate' && op.k !== 'connection');
  // Each cut: a server cut off from the rest, then healed a few operations later (a minute or more on: the pushes due
  // meanwhile fail and wait for their retry). Pushes that fail with documents still to send are what R12's retry is
  // about; a partition op of the plan alone is one in 13 and often changes no group (a developer's QA pass: a planted
  // bug that dropped a failed push's unsent documents was caught on 4 seeds of 10).
  for (const c of cuts) {
    const at = c.at % (ops.length + 1);
    const groupOf = plan.servers.map((_, i) => (i === c.alone % plan.servers.length ? 1 : 0));
    ops.splice(at, 0, { k: 'partition', dt: 0, groupOf });
    ops.splice(Math.min(ops.length, at + 1 + c.length), 0, { k: 'heal', dt: 60_000 });
  }
  return {
    ...plan,
    servers: plan.servers.map((s) => ({ ...s, inCluster: true })),
    clusterIntervalMs: plan.clusterIntervalMs === null || plan.clusterIntervalMs === 0 ? 15_000 : plan.clusterIntervalMs,
    ops,
  };
}

/** Where clusterOnlyPlan cuts a server off (`at`, an index into the operations), which (`alone`), and for how many operations. */
interface Cut {
  readonly at: number;
  readonly alone: number;
  readonly length: number;
}
const cutsArb: fc.Arbitrary<Cut[]> = fc.array(fc.record({ at: fc.nat(), alone: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }), { maxLength: 3 });

/** The plan's events, then a heal, and an end 3 days later: past the longest retry wait (24 hours, R12). */
function clusterOnlyHistory(plan: HistoryPlan): InputEvent[] {
  const { events, at } = buildPrefix(plan);
  return [...events, { at: at + 1, type: 'heal' }, { at: at + 3 * 86_400_000, type: 'end' }];
}

/**
 * A server outside the cluster (the plan's last, `Out`: every database, no cluster) whose saves reach a member by a
 * session: each relay puts, at a place among the operations (`at`), a save on it and a session that brings the save to
 * one member, which R12 must then queue for its mates (its changes "received by sessions are" queued).
 */
interface Relay {
  readonly at: number;
  readonly member: number;
  readonly db: number;
  readonly doc: number;
  readonly value: number;
  /** How the session runs: the member pulls, or the outsider pushes (alone, or after its pull). */
  readonly way: 'pull' | 'push' | 'pull-push';
}
const relaysArb: fc.Arbitrary<Relay[]> = fc.array(
  fc.record({ at: fc.nat(), member: fc.nat(), db: fc.nat(), doc: fc.integer({ min: 0, max: 1 }), value: fc.integer({ min: 0, max: 3 }), way: fc.constantFrom<Relay['way']>('pull', 'push', 'pull-push') }),
  { minLength: 1, maxLength: 5 },
);

/** clusterOnlyPlan's members, and an outsider whose saves the relays bring to members by sessions. */
function relayPlan(plan: HistoryPlan, relays: readonly Relay[]): HistoryPlan {
  const members = clusterOnlyPlan(plan);
  const out = members.servers.length;
  const ops: PlanOp[] = [...members.ops];
  for (const r of relays) {
    const db = r.db % members.dbs.length;
    const holders = members.dbs[db]!;
    const member = holders[r.member % holders.length]!;
    const session: PlanOp = r.way === 'pull' ? { k: 'replicate', dt: 1000, s: member, p: out, mode: 'pull', db } : { k: 'replicate', dt: 1000, s: out, p: member, mode: r.way, db };
    ops.splice(r.at % (ops.length + 1), 0, { k: 'save', dt: 1000, s: out, db, doc: r.doc, item: 0, value: r.value, action: null }, session);
  }
  return { ...members, servers: [...members.servers, { skew: 0, msPerDoc: 1, inCluster: false }], dbs: members.dbs.map((reps) => [...reps, out]), ops };
}

/**
 * The first difference between two cluster members (every server but the plan's last), by the summary's meaning of
 * converged (OIDs and contents: `revisions` are history, R3: two twins' stubs of one OID keep the histories they came
 * by), or undefined. [choice] A difference that is only an OID collision between members (one OID, two contents) is
 * R3's, exempt as in the properties above, unless no two servers made it (`unmade`: a transfer changed a version); a
 * collision with the outsider alone exempts nothing (a review: any collision skipped the run, 7-16 of 200).
 */
function membersApart(sim: Simulator, plan: HistoryPlan, unmade: string | undefined): string | undefined {
  const out = serverName(plan.servers.length - 1);
  const apart = firstApart(sim, (x) => x !== out);
  if (apart === undefined || (apart.kind === 'collision' && unmade === undefined)) return undefined;
  const [x, y] = apart.servers;
  const at = (n: Note | undefined) => (n === undefined ? 'missing' : `at seq ${n.seq}@${n.seqTime}`);
  return apart.kind === 'collision' ? `${apart.db}: ${apart.unid} at one OID with other contents on ${x} and ${y}: ${unmade}` : `${apart.db}: ${apart.unid} ${at(apart.a)} on ${x}, ${at(apart.b)} on ${y}`;
}

// Histories are small (about 30 events), so 300 runs take well under a second each.
describe('simulator properties', () => {
  it('R8-R12: replicas converge after every pair has replicated, unless there is an OID collision', () => {
    assertLogProperty({
      noteFailure: true,
      name: 'sim-converges',
      numRuns: propertyRuns(300),
      arbitrary: historyPlanArb,
      predicate: (plan) => {
        const { events, rounds } = buildHistory(plan);
        const { summary, sim, derived } = simulate(events);
        if (summary.collisions === 0 && !summary.converged) throw new Error(`R8-R12: not converged after ${rounds} final rounds: first difference ${firstDivergence(sim)}; ${briefly(summary)}`);
        // Only collisions two servers made are exempt (R3): one a transfer made is not converging (a planted bug that
        // dropped an item from a copy as it arrived, keeping its version, passed as "an OID collision").
        const unmade = unmadeCollision(sim, derived);
        if (unmade !== undefined) throw new Error(`R3/R8-R12: not converged after ${rounds} final rounds: ${unmade}; ${briefly(summary)}`);
      },
      toLog: logOf('sim-converges'),
    });
  });

  it('R12: cluster replication alone brings every change to every mate: all servers in one cluster on a timer, no crash (queues are lost only then), no scheduled session; once healed, the replicas converge, unless there is an OID collision', () => {
    // (A developer's review: the property above ends every history with pull-push sessions between every pair, which
    // repair what the cluster lost: a push that dropped its oldest queued document on every push passed it.)
    assertLogProperty({
      noteFailure: true,
      name: 'sim-cluster-converges',
      numRuns: propertyRuns(200),
      arbitrary: fc.tuple(historyPlanArb, cutsArb).map(([plan, cuts]) => clusterOnlyPlan(plan, cuts)),
      predicate: (plan) => {
        const { summary, sim, derived } = simulate(clusterOnlyHistory(plan));
        if (summary.collisions === 0 && !summary.converged) throw new Error(`R12: not converged by cluster replication alone, 3 days after the heal: first difference ${firstDivergence(sim)}; ${briefly(summary)}`);
        const unmade = unmadeCollision(sim, derived);
        if (unmade !== undefined) throw new Error(`R3/R12: not converged by cluster replication alone, 3 days after the heal: ${unmade}; ${briefly(summary)}`);
      },
      toLog: (plan) => encodeLogText(clusterOnlyHistory(plan), { property: 'sim-cluster-converges', plan }),
    });
  });

  it('R12: changes a member receives by a session from a server outside the cluster are queued for its mates: with no session among the members, the cluster alone brings them to every member (a developer\'s QA pass: a planted bug that queued no session-received change passed every property, sim-converges ending in sessions between every pair and sim-cluster-converges holding no session)', () => {
    let relayed = 0;
    assertLogProperty({
      noteFailure: true,
      name: 'sim-cluster-relays',
      numRuns: propertyRuns(200),
      arbitrary: fc.tuple(historyPlanArb, relaysArb).map(([plan, relays]) => relayPlan(plan, relays)),
      predicate: (plan) => {
        const { summary, sim, derived } = simulate(clusterOnlyHistory(plan));
        const apart = membersApart(sim, plan, summary.collisions > 0 ? unmadeCollision(sim, derived) : undefined);
        if (apart !== undefined) throw new Error(`R12: the cluster's members apart 3 days after the heal, with changes received by sessions from ${serverName(plan.servers.length - 1)}: ${apart}; ${briefly(summary)}`);
        if (derived.some((e) => e.type === 'replicated' && e.from === serverName(plan.servers.length - 1))) relayed++;
      },
      toLog: (plan) => encodeLogText(clusterOnlyHistory(plan), { property: 'sim-cluster-relays', plan }),
    });
    // (Not vacuous: in most runs sessions brought the outsider's saves to members; a partition may block a run's.)
    expect(relayed).toBeGreaterThan(propertyRuns(200) / 2);
  });

  it('Time and order: the same events give the same digest and the same derived events', () => {
    assertLogProperty({
      noteFailure: true,
      name: 'sim-deterministic',
      arbitrary: historyPlanArb,
      numRuns: propertyRuns(50),
      predicate: (plan) => {
        const { events } = buildHistory(plan);
        const a = simulate(events);
        const b = simulate(events);
        expect(b.summary).toEqual(a.summary);
        expect(b.derived).toEqual(a.derived);
        expect(b.sim.prngState()).toBe(a.sim.prngState());
        // No rule draws from the run's generator: snapshots share it (cloneState). A rule that starts drawing fails
        // here, and must give each state a copy of its own before it draws (see SimState.prng).
        expect(a.sim.prngState()).toBe(new Simulator({}).prngState());
      },
      toLog: logOf('sim-deterministic'),
    });
  });

  it('Time and order: advancing to more times between the input events (as a replay does at every recorded line) changes no derived event', () => {
    // A replay of a recording runs the engine to the time of each recorded derived line as it reads it; a run that
    // made the recording ran it only to its input events. Skipping idle periodic work (cluster ticks, purge checks)
    // must give every later piece of work the order running it would have (replication.md "Time and order").
    assertLogProperty({
      noteFailure: true,
      name: 'sim-advance-independent',
      arbitrary: fc.tuple(historyPlanArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 })),
      numRuns: propertyRuns(150),
      predicate: ([plan, fractions]) => {
        const { events } = buildHistory(plan);
        const a = simulate(events);
        const lastAt = events.length > 0 ? events[events.length - 1]!.at : 0;
        // Every time a derived event happened at, and times anywhere in the run.
        const stops = [...a.derived.map((e) => e.at), ...fractions.map((f) => Math.floor(f * lastAt))].sort((x, y) => x - y);
        const derived: DerivedEvent[] = [];
        const sim = new Simulator({ onDerived: (e) => derived.push(e) });
        let k = 0;
        let line = 2;
        for (const event of events) {
          for (; k < stops.length && stops[k]! <= event.at; k++) sim.advance(stops[k]!, line);
          sim.feed({ line: line++, event });
        }
        const summary = sim.finish();
        expect(derived).toEqual(a.derived);
        expect(summary).toEqual(a.summary);
      },
      // The times advanced to, as fractions of the last input's time: replay advances to them too (its judge of this
      // claim, with every derived event's time).
      toLog: ([plan, fractions]) => encodeLogText(buildHistory(plan).events, { property: 'sim-advance-independent', plan, advanceFractions: fractions }),
    });
  });

  it('event-log.md "When a run stops": a run cut at the next instant (cutWhen) stops at the same time however it is driven, and is the run of its inputs with an end there', () => {
    // `run --max-scanner-revisions` advances in slices of a few pieces of work with turns between them; a replay of
    // its recording feeds the lines. Skipping idle ticks (fastForwardIdle) moved the cut by the slicing (a review).
    assertLogProperty({
      noteFailure: true,
      name: 'sim-cut-independent',
      arbitrary: fc.tuple(historyPlanArb, fc.double({ min: 0, max: 1, noNaN: true })),
      numRuns: propertyRuns(100),
      predicate: ([plan, fraction]) => {
        const { events } = buildHistory(plan);
        const whole = simulate(events);
        const k = Math.max(1, Math.ceil(fraction * whole.derived.length));
        const run = (sliced: boolean) => {
          const derived: DerivedEvent[] = [];
          const sim = new Simulator({ onDerived: (e) => derived.push(e), cutWhen: () => derived.length >= k });
          events.forEach((event, i) => {
            if (sliced) while (sim.advanceSome(event.at, i + 2, 1) === 'more');
            sim.feed({ line: i + 2, event });
          });
          if (sliced) while (!sim.finishSome(1));
          return { derived, summary: sim.finish(), cutAt: sim.cutAt };
        };
        const fed = run(false);
        const sliced = run(true);
        expect(sliced.cutAt).toBe(fed.cutAt);
        expect(sliced.derived).toEqual(fed.derived);
        expect(sliced.summary).toEqual(fed.summary);
        if (fed.cutAt === undefined) return;
        const at = fed.cutAt;
        const firstAfter = events.findIndex((e) => e.at >= at);
        const endLine = firstAfter === -1 ? Number.POSITIVE_INFINITY : firstAfter + 2;
        const replay = simulate(firstAfter === -1 ? [...events, { at, type: 'end' }] : [...events.slice(0, firstAfter), { at, type: 'end' }, ...events.slice(firstAfter)]);
        expect(replay.derived.map((e) => ('cause' in e && e.cause > endLine ? { ...e, cause: e.cause - 1 } : e))).toEqual(fed.derived);
        expect(replay.summary).toEqual(fed.summary);
      },
      // Where the run is cut (after how many derived events): replay cuts it there too (its judge of this claim).
      toLog: ([plan, fraction]) => {
        const { events } = buildHistory(plan);
        const cutAfterDerived = Math.max(1, Math.ceil(fraction * simulate(events).derived.length));
        return encodeLogText(events, { property: 'sim-cut-independent', plan, cutAfterDerived });
      },
    });
  });

  it('Time and order: another process computes the same digest and derived events for a fixed history', () => {
    const seeds = [14, 15, 18];
    const local = seeds.map((seed) => {
      const events = sampleHistory(seed);
      const { summary, derived } = simulate(events);
      return { seed, events: events.length, digest: summary.digest, derived: digestOfDerived(derived) };
    });
    const script = [
      `import { createHash } from 'node:crypto';`,
      `import { sampleHistory, simulate } from ${JSON.stringify(pathToFileURL(harnessFile).href)};`,
      `const out = ${JSON.stringify(seeds)}.map((seed) => {`,
      `  const events = sampleHistory(seed);`,
      `  const { summary, derived } = simulate(events);`,
      `  return { seed, events: events.length, digest: summary.digest, derived: createHash('sha256').update(JSON.stringify(derived)).digest('hex') };`,
      `});`,
      `console.log(JSON.stringify(out));`,
    ].join('\n');
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(dirname(harnessFile), '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual(local);
    // The fixed histories are not trivial: they replicate something.
    expect(local.every((r) => r.events > 10)).toBe(true);
  }, 60_000);

  it('R8: after convergence the final state does not depend on which server started each final-round session', () => {
    assertLogProperty({
      noteFailure: true,
      name: 'sim-initiator-independent',
      numRuns: propertyRuns(300),
      arbitrary: historyPlanArb,
      predicate: (plan) => {
        const straight = simulate(buildHistory(plan).events).summary;
        const swapped = simulate(buildHistory(plan, { swap: true }).events).summary;
        const clean = (s: typeof straight) => s.converged && s.collisions === 0;
        if (!clean(straight) || !clean(swapped)) return true;
        if (straight.digest !== swapped.digest) throw new Error(`digest ${straight.digest} with the final rounds swapped: ${swapped.digest}`);
        return true;
      },
      // Two logs, the case as run both ways (one log and a note to swap its sessions by hand: a developer's QA pass).
      toLog: (plan) => {
        const compare = 'the other log of this counterexample is the same case with every replicate after the last heal started by the other server: replay both and compare their digests (the property failed where they differed; the same digest now, the claim does not hold)';
        return [
          encodeLogText(buildHistory(plan).events, { property: 'sim-initiator-independent', plan, compare }),
          encodeLogText(buildHistory(plan, { swap: true }).events, { property: 'sim-initiator-independent', plan, swapped: true, compare }),
        ];
      },
    });
  });

  it('R7: replaying every replica change log gives its live state', () => {
    assertLogProperty({
      noteFailure: true,
      name: 'sim-replay-equals-live',
      numRuns: propertyRuns(300),
      arbitrary: historyPlanArb,
      predicate: (plan) => {
        assertReplayEqualsLive(simulate(buildHistory(plan).events).sim);
      },
      toLog: logOf('sim-replay-equals-live'),
    });
  });

  it('R7, R10: with deletion stubs purged (purgeDays 0 to 2, runs over days), replaying every replica change log gives its live state', () => {
    // The histories above last an hour or so, and stubs live 90 days: no purge ever ran in them (a developer's QA
    // pass: a purge left out of the change log, or a limit in seconds, failed no property). Here waits of days let the
    // daily purge checks take stubs, and the runs that purged something are counted, so this cannot pass vacuously.
    let runs = 0;
    let purged = 0;
    assertLogProperty({
      noteFailure: true,
      name: 'sim-replay-equals-live-purged',
      numRuns: propertyRuns(150),
      arbitrary: purgingPlanArb,
      predicate: (plan) => {
        const { sim } = simulate(buildHistory(plan).events);
        assertReplayEqualsLive(sim);
        runs++;
        let n = 0;
        for (const server of sim.serverNames()) for (const db of sim.databaseNames()) n += sim.replica(server, db)?.log().purges.length ?? 0;
        if (n > 0) purged++;
      },
      toLog: logOf('sim-replay-equals-live-purged'),
    });
    expect(purged, `${purged} of ${runs} runs purged a stub`).toBeGreaterThanOrEqual(runs / 5);
  });

  it('R10: each daily purge check removes exactly the stubs older than purgeDays at the server\'s clock, on the servers that are up', () => {
    // The engine run check by check: before each purge check (every multiple of 24 h, R10 [choice] in simulator.ts) the
    // stubs each replica holds; after it, each stub older than purgeDays at its server's clock (time + skew) must be gone
    // and each other one still there. A stub that other work at the same instant changed is not judged.
    let judged = 0;
    let taken = 0;
    assertLogProperty({
      noteFailure: true,
      name: 'sim-purge-exact',
      numRuns: propertyRuns(150),
      arbitrary: purgingPlanArb,
      predicate: (plan) => {
        const { events } = buildHistory(plan);
        const sim = new Simulator();
        const last = events[events.length - 1]!.at;
        const limitDays = plan.purgeDays!;
        let i = 0;
        for (let t = 0; t < last; t += DAY) {
          for (; i < events.length && events[i]!.at <= t; i++) sim.feed({ line: i + 2, event: events[i]! });
          sim.advance(t);
          const up = new Map(sim.serverStates().map((x) => [x.name, x.up] as const));
          const before: { server: string; db: string; clock: number; note: Note }[] = [];
          plan.servers.forEach((srv, si) => {
            for (const db of sim.databaseNames()) {
              for (const note of sim.replica(serverName(si), db)?.notes() ?? []) if (note.deleted) before.push({ server: serverName(si), db, clock: t + srv.skew, note });
            }
          });
          sim.advance(t + 1);
          for (const b of before) {
            const now = sim.replica(b.server, b.db)!.get(b.note.unid);
            if (now !== undefined && now !== b.note) continue;
            judged++;
            const due = up.get(b.server) === true && b.note.seqTime < b.clock - limitDays * DAY;
            const what = `the stub of ${b.note.unid} on ${b.server}/${b.db} (seqTime ${b.note.seqTime}) at the purge check of ${t} ms (clock ${b.clock}, purgeDays ${limitDays}, server ${up.get(b.server) === true ? 'up' : 'down'})`;
            if (due) {
              taken++;
              expect(now, `R10: ${what} is older than purgeDays: it must be purged`).toBeUndefined();
              expect(sim.replica(b.server, b.db)!.wasPurged(b.note.unid), `R10: ${what}: its UNID must be remembered as purged`).toBe(true);
            } else {
              expect(now, `R10: ${what} must stay`).toBe(b.note);
            }
          }
        }
      },
      // (Replay judges the claim by the same reading of each replica's stubs before and after each daily check.)
      toLog: logOf('sim-purge-exact', 'the check reads each replica\'s stubs before and after each daily purge check, which a replay does not print (its final state shows a purge only where a later transfer meets it); replay\'s claim check reads them as the property does'),
    });
    expect(taken, `${taken} of ${judged} stubs judged were due`).toBeGreaterThan(0);
    expect(judged - taken).toBeGreaterThan(0);
  });

  it('Time and order: snapshot mid-run, finish, restore and finish again gives the same run', () => {
    assertLogProperty({
      noteFailure: true,
      name: 'sim-snapshot-restore',
      numRuns: propertyRuns(300),
      arbitrary: fc.tuple(historyPlanArb, fc.nat()),
      predicate: ([plan, cut]) => {
        const { events } = buildHistory(plan);
        const straight = simulate(events);
        const k = cut % events.length;
        const { first, second } = runAcrossSnapshot(events, k);
        expect(first.summary).toEqual(straight.summary);
        expect(second.summary).toEqual(first.summary);
        expect(second.derived).toEqual(first.derived);
        expect(first.derived).toEqual(straight.derived.slice(straight.derived.length - first.derived.length));
      },
      toLog: ([plan, cut]) => {
        const { events } = buildHistory(plan);
        return encodeLogText(events, { property: 'sim-snapshot-restore', plan, snapshotAfterLine: (cut % events.length) + 1 });
      },
    });
  });
});
