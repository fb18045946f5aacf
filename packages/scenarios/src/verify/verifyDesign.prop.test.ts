import { describe, expect, it } from 'vitest';
import { decodeLogText, runEvents, isInputEvent, type InputEvent, type LocatedEvent } from '@replstorm/core';
import { behaviourFactory, builtinRegistry, cleaningWrites, defineDesign, promisesOf, verifyDesign, type VerifyResult } from '../index.js';
import { propertyRuns, propertySeed } from '../../../../scripts/propertySeed.js';
import { reproduceCommand } from '../../../../scripts/counterexample.js';
import { assertHeld, assertViolated } from '../../test/verifyAssertions.js';
import { RACE_BEFORE_MAX, START_STEP_MS, arbCase, caseEvents, recheckVerifyClaim } from './verifyDesign.js';
import { cleanOnly, cleanOnlyShaped } from './cleanOnly.js';
import fc from 'fast-check';
import scanEverything from '../../test/designs/scanEverything.js';
import thrower from '../../test/designs/thrower.js';
import ownNameTag from '../../test/designs/ownNameTag.js';
import { onceCleanDesign } from '../../test/designs/onceClean.js';

// The invariant suite as property tests over random small clusters (R13–R16). Seeds are printed; set REPLSTORM_SEED
// to reproduce one. An invariant expected to hold that does not fails with its seed, path, the command to run this
// file again, and its counterexample log written to counterexamples/ (assertHeld). The negative tests show the suite
// catches the faulty designs: a checker that never fails proves nothing.

const registry = builtinRegistry();
const seed = propertySeed();
const RUNS = propertyRuns(60);

function verify(name: string, config: Record<string, unknown>, only: Parameters<typeof verifyDesign>[1] extends infer O ? O extends { only?: infer X } ? X : never : never): VerifyResult {
  const r = verifyDesign(registry.get(name)!, { config, runs: RUNS, seed, ...(only !== undefined ? { only } : {}) });
  console.log(`[verify ${name} ${JSON.stringify(config)}] seed=${seed} ${r.invariants.map((i) => `${i.name}=${i.status}`).join(' ')}`);
  return r;
}

/** The log replayed as `replstorm replay` does (the default 7-day cap: a counterexample must carry its own end). */
function replay(log: string, designs = registry) {
  const { events } = decodeLogText(log);
  return runEvents(
    events.filter((e): e is LocatedEvent<InputEvent> => isInputEvent(e.event)),
    { behaviours: behaviourFactory(designs) },
  ).summary;
}

describe('R1/R14: read-only designs make zero revisions from scheduled scans, over random scenarios', () => {
  for (const [name, config] of [
    ['scan-cache', {}],
    ['noop', {}],
    ['smsdom', { ignoreSsoOnScheduled: true }],
    ['sso-mail-only', {}],
  ] as const) {
    it(`R1: ${name} ${JSON.stringify(config)}: no scheduled or manual scan saves a clean document`, () => {
      const r = verify(name, config, ['read-only']);
      expect(assertHeld(r, 'read-only').runs).toBe(RUNS);
    });
  }
});

describe('R16: the proposed fixes are quiescent, over random scenarios', () => {
  for (const name of ['sso-mail-only', 'cluster-aware', 'scan-cache']) {
    it(`R16: ${name}: with no user writes, scanner revisions stop`, () => {
      assertHeld(verify(name, {}, ['quiescence']), 'quiescence');
    });
  }
});

describe('R14/R15: the proposed fixes never pass an infection, over random scenarios', () => {
  // (A developer's review: scan-cache made to leave an infected attachment in place passed every property; only
  // example tests caught it.)
  for (const [name, config] of [
    ['scan-cache', {}],
    ['sso-mail-only', {}],
    ['cluster-aware', {}],
    ['smsdom', { ignoreSsoOnScheduled: true }],
  ] as const) {
    it(`R14: ${name} ${JSON.stringify(config)}: what a scan finds infected it cleans, and no infected attachment is skipped`, () => {
      assertHeld(verify(name, config, ['no-missed-infection']), 'no-missed-infection');
    });
  }
});

describe('R6: a design that never stamps undoes no deletion, over random scenarios', () => {
  // (The suite's cases delete a document in a third of them, after another member's edit in two thirds of those:
  // the negative test below shows they meet a stamping design's reappearances.)
  for (const name of ['scan-cache', 'noop']) {
    it(`R6: ${name}: no document a user deleted comes back that a scanner that only cleans leaves deleted`, () => {
      assertHeld(verify(name, {}, ['no-scanner-reappearances']), 'no-scanner-reappearances');
    });
  }

  it('R6/R14: a design that saved nothing is not blamed for a deletion that the baseline\'s cleaning save won: noop leaves the infected copy as it is, Beta\'s two edits beat Alpha\'s deletion; the cleaner\'s cleaning is a second save on Alpha\'s side, and its deletion wins (a review: noop failed on seed 3, before the check asked whether the design saved the document)', () => {
    const events = decodeLogText(NOOP_LOSES_DELETION).events.flatMap((e) => (isInputEvent(e.event) ? [e.event] : []));
    expect(recheckVerifyClaim('no-scanner-reappearances', events, registry, registry.get('noop')!)).toEqual({});
    const live = (evs: readonly InputEvent[], design: string) => {
      // (The suite's baseline: a scanner that only cleans, shaped as the design is: noop's scans, cleaning.)
      const reg = new Map([...registry, [cleanOnly.name, cleanOnlyShaped(registry.get('noop')!) as never]]);
      const { sim } = runEvents(evs.map((e) => (e.type === 'scanner' ? { ...e, design } : e)).map((event, i) => ({ line: i + 2, event })), { behaviours: behaviourFactory(reg) });
      return sim.replica('Alpha', 'mail/db0.nsf')!.get(DOC0)!.deleted === false;
    };
    expect(live(events, 'noop')).toBe(true);
    expect(live(events, cleanOnly.name)).toBe(false);
  });
});

describe('R3/R6: a copy the deletion never reached is not a deletion undone', () => {
  it('R3/R6: Beta\'s scheduled stamp (seq 2 at 105,100 ms) and Alpha\'s deletion (seq 2 at 105,100 ms) are one OID with two contents: Alpha keeps its stub, Beta its document; nothing came back where it was deleted, so no-scanner-reappearances holds and convergence fails (a QA pass: smsdom seed 42 was reported as a reappearance)', () => {
    const events = decodeLogText(OID_COLLISION_NOT_UNDONE).events.flatMap((e) => (isInputEvent(e.event) ? [e.event] : []));
    const smsdom = registry.get('smsdom')!;
    expect(recheckVerifyClaim('no-scanner-reappearances', events, registry, smsdom)).toEqual({});
    expect(recheckVerifyClaim('convergence', events, registry, smsdom).violated).toContain('OID collision');
    const { sim } = runEvents(events.map((event, i) => ({ line: i + 2, event })), { behaviours: behaviourFactory(registry) });
    expect([sim.replica('Alpha', 'mail/db0.nsf')!.get(DOC0)!.deleted, sim.replica('Beta', 'mail/db0.nsf')!.get(DOC0)!.deleted]).toEqual([true, false]);
  });
});

const DOC0 = '0000000000000000000000000ABC0000';
// verify smsdom --seed 42's reappearance log before the check asked where the document is back (a QA pass).
const OID_COLLISION_NOT_UNDONE = [
  '{"replog":1}',
  '{"at":0,"type":"server","name":"Alpha","cluster":"Hub","clockSkewMs":0}',
  '{"at":0,"type":"server","name":"Beta","cluster":"Hub","clockSkewMs":0}',
  '{"at":0,"type":"database","name":"mail/db0.nsf","replicas":["Alpha","Beta"]}',
  '{"at":100,"type":"save","server":"Alpha","db":"mail/db0.nsf","unid":"0000000000000000000000000ABC0000","by":"user/ann","set":{"Subject":"doc 0","$FILE":[{"name":"f0.pdf","bytes":1000}]}}',
  '{"at":1000,"type":"scanner","server":"Beta","design":"smsdom","config":{}}',
  '{"at":105090,"type":"scan","server":"Beta","kind":"scheduled"}',
  '{"at":105100,"type":"delete","server":"Alpha","db":"mail/db0.nsf","unid":"0000000000000000000000000ABC0000","by":"user/ann"}',
].join('\n');
// verify noop --seed 3's log (before the check asked whether the design saved the document), shrunk.
const NOOP_LOSES_DELETION = [
  '{"replog":1}',
  '{"at":0,"type":"server","name":"Alpha","cluster":"Hub","clockSkewMs":0}',
  '{"at":0,"type":"server","name":"Beta","cluster":"Hub","clockSkewMs":0}',
  '{"at":0,"type":"database","name":"mail/db0.nsf","replicas":["Alpha","Beta"]}',
  `{"at":100,"type":"save","server":"Alpha","db":"mail/db0.nsf","unid":"${DOC0}","by":"user/ann","set":{"Subject":"doc 0","$FILE":[{"name":"f0.pdf","bytes":1000},{"name":"g0.exe","bytes":48213,"infected":true}]}}`,
  '{"at":101,"type":"save","server":"Alpha","db":"mail/db0.nsf","unid":"0000000000000000000000000ABC0001","by":"user/ann","set":{"Subject":"doc 1"}}',
  '{"at":1000,"type":"scanner","server":"Alpha","design":"noop","config":{}}',
  '{"at":2000,"type":"scan","server":"Alpha","kind":"manual"}',
  `{"at":15002,"type":"save","server":"Beta","db":"mail/db0.nsf","unid":"${DOC0}","by":"user/bob","set":{"$FILE":[{"name":"late0.exe","bytes":20000000}]}}`,
  '{"at":15002,"type":"partition","groups":[["Alpha"]]}',
  `{"at":30100,"type":"save","server":"Beta","db":"mail/db0.nsf","unid":"${DOC0}","by":"user/bob","set":{"Body":"edit at 30100"}}`,
  `{"at":31101,"type":"delete","server":"Alpha","db":"mail/db0.nsf","unid":"${DOC0}","by":"user/ann"}`,
  '{"at":199999,"type":"heal"}',
].join('\n');

describe('R6: the cases\' deletions (makeDeletion), as drawn', () => {
  it('R6: a third of the cases delete a document on the first member from the second cluster tick on; two thirds of those after another member\'s edit of it in the same interval of the cluster replicator, 1.2-7 s before; half with a scheduled pass on that member after it, before the next tick; and no user edits it where it is deleted', () => {
    const cases = fc.sample(arbCase(), { seed, numRuns: 2_000 });
    let deleting = 0;
    let paired = 0;
    let scanned = 0;
    for (const c of cases) {
      const events = caseEvents(c, 'noop', {});
      const deletes = events.filter((e): e is Extract<InputEvent, { type: 'delete' }> => e.type === 'delete');
      expect(deletes.length).toBeLessThanOrEqual(1);
      const d = deletes[0];
      if (d === undefined) continue;
      deleting++;
      expect(d.server).toBe('Alpha');
      const tick = Math.floor(d.at / START_STEP_MS) * START_STEP_MS;
      expect(d.at - c.startMs - c.installAfterMs).toBeGreaterThanOrEqual(2 * START_STEP_MS);
      const edits = events.filter((e): e is Extract<InputEvent, { type: 'save' }> => e.type === 'save' && e.by === 'user/bob' && e.unid === d.unid);
      if (edits.some((e) => e.server !== 'Alpha' && e.at >= tick && d.at - e.at >= 1_201 && d.at - e.at <= 7_000)) paired++;
      // A scheduled pass on another member after the deletion, before the next tick (R6's "edited after the deletion").
      if (events.some((e) => e.type === 'scan' && e.kind === 'scheduled' && e.server !== 'Alpha' && e.at > d.at && e.at < tick + START_STEP_MS)) scanned++;
      // A user cannot edit a deleted document: none on Alpha after the deletion, none anywhere from the next tick.
      expect(edits.filter((e) => (e.server === 'Alpha' && e.at > d.at) || e.at >= tick + START_STEP_MS)).toEqual([]);
    }
    expect(deleting / cases.length).toBeGreaterThan(0.28);
    expect(deleting / cases.length).toBeLessThan(0.39);
    expect(paired / deleting).toBeGreaterThan(0.5);
    expect(scanned / deleting).toBeGreaterThan(0.4);
  });
});

describe('R5/R16: a design that promises no conflicts keeps the promise, over random scenarios', () => {
  for (const [name, config] of [
    ['scan-cache', {}],
    ['noop', {}],
  ] as const) {
    it(`R5/R16: ${name} ${JSON.stringify(config)}: its writes make no conflict a clean-only scanner would not`, () => {
      expect(promisesOf(registry.get(name)!, config).noConflicts).toBe(true);
      assertHeld(verify(name, config, ['no-scanner-conflicts']), 'no-scanner-conflicts');
    });
  }
});

describe('R14: an infection no scan was handed is missed all the same (a verify QA pass: a design declining every pass, whose watches() let the write by, passed with its infected copies on every replica)', () => {
  const onDemandOnly = (watch: boolean) =>
    defineDesign<Record<string, never>>({
      name: watch ? 'watch-untagged-only' : 'on-demand-only',
      description: watch ? 'real-time scans of saves without a tag only (trusting any tag), no passes' : 'scans only when a manual scan hands it a document',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      watches: (w) => watch && w.origin === 'save' && !w.note.items.some((i) => i.key === 'x-ssotag'),
      scansMail: () => false,
      runsScheduledPass: () => false,
      scan: ({ virusScan }) => {
        const r = virusScan();
        return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean' };
      },
    });

  for (const watch of [false, true]) {
    it(`R14: ${watch ? 'a real-time filter that trusts any tag, and no passes' : 'no passes and no real-time scans'}: no-missed-infection VIOLATED, naming a copy left in place that its servers were asked to scan; the log replays it`, () => {
      const design = onDemandOnly(watch);
      const r = verifyDesign(design as never, { runs: RUNS, seed, only: ['no-missed-infection'] });
      const cex = assertViolated(r, 'no-missed-infection');
      expect(cex.message).toMatch(/^\d+ document cop(y|ies) with an infected attachment left in place at the end, which the design was never handed \(it declined the passes asked for, and the write came before its scanner or its watches\(\) let it by\); first: [0-9A-F]{32} in \S+ \(seq \d+@\d+\) on [\w, ]+, never handed to a scan/);
      expect(recheckVerifyClaim('no-missed-infection', cex.events, new Map([[design.name, design as never]]), design as never).violated).toBe(cex.message);
    });
  }

  it('R14: "cleaning" that writes an infected attachment back under its name and size without its flag leaves it in place (it passed at 300 runs: a verify QA pass)', () => {
    const flagStrip = defineDesign<Record<string, never>>({
      name: 'flag-strip',
      description: 'rebuilds $FILE entries from name and size when it finds an infection',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ note, virusScan }) => {
        const r = virusScan();
        if (!r.infected) return { verdict: 'clean' };
        const files = (note.items.find((i) => i.key === '$file')?.value ?? []) as readonly { name: string; bytes?: number }[];
        return { verdict: 'infected', set: [['$FILE', files.map((a) => ({ name: a.name, bytes: a.bytes ?? 0 }))]] };
      },
    });
    const cex = assertViolated(verifyDesign(flagStrip as never, { runs: RUNS, seed, only: ['no-missed-infection'] }), 'no-missed-infection');
    expect(cex.message).toMatch(/^\d+ scan\(s\) found an infected attachment but left it in place \(not cleaned, R14\)/);
  });

  it('R3: a design whose cleanings differ by server (it notes its own name) makes OID collisions the clean-only baseline does not: convergence VIOLATED (it passed as "held": a verify QA pass)', () => {
    const cleanedBy = defineDesign<Record<string, never>>({
      name: 'cleaned-by',
      description: 'cleans, and notes which server did',
      defaults: {},
      scan: ({ server, virusScan }) => {
        const r = virusScan();
        if (!r.infected) return { verdict: 'clean' };
        const w = cleaningWrites(r);
        return { verdict: 'infected', set: [...w.set, ['X-VirusRemovedBy', `removed by ${server}`]], remove: w.remove };
      },
    });
    // (About 3 cases in 100 make two members clean one document in one millisecond: 500 runs miss them with odds
    // about 1 in 4 million.)
    const cex = assertViolated(verifyDesign(cleanedBy as never, { runs: 500, seed, only: ['convergence'] }), 'convergence');
    expect(cex.message).toMatch(/^replicas differ although nothing is pending, kept apart by \d+ OID collision\(s\) \(R3/);
  });

  it('R14: the same design asked for passes it runs is not (the copies are handed to it and cleaned)', () => {
    const runsPasses = { ...onDemandOnly(false), name: 'on-demand-and-passes', runsScheduledPass: () => true };
    assertHeld(verifyDesign(runsPasses as never, { runs: RUNS, seed, only: ['no-missed-infection'] }), 'no-missed-infection');
  });
});

describe('R16: the suite catches the faulty designs (negative tests)', () => {
  it('R5/R16: default smsdom in a cluster: a conflict caused by scanner stamps is found, shrunk, and its log replays to a conflict', () => {
    const cex = assertViolated(verify('smsdom', {}, ['no-scanner-conflicts']), 'no-scanner-conflicts');
    const summary = replay(cex.log);
    expect(summary.conflicts).toBeGreaterThan(0);
    // Shrunk: a handful of input events, not the whole random case.
    expect(cex.events.length).toBeLessThan(20);
  });

  it('R4/R5/R13: a save raced against its on-write stamp: sso-mail-only conflicts where a scanner that only cleans does not (an edit just before a cluster tick, pushed unstamped; the other member edits that version; the stamp and the edit diverge), and the log replays to it (independent edits met it on 5 seeds of 40 in 1,000 runs, before cases drew the race)', () => {
    // (On seeds 1-1,000 the first failure came within 50 runs, 5 the median: 200 runs miss it with odds about 1 in
    // 10^12. Seeds 1-40 each shrank to the same 6 events.)
    const found = (caseSeed: number) => {
      const cex = assertViolated(verifyDesign(registry.get('sso-mail-only')!, { runs: 200, seed: caseSeed, only: ['no-scanner-conflicts'] }), 'no-scanner-conflicts');
      expect(replay(cex.log).conflicts).toBeGreaterThan(0);
      const saves = cex.events.filter((e): e is Extract<InputEvent, { type: 'save' }> => e.type === 'save' && e.by === 'user/bob');
      // (Its first edit within RACE_BEFORE_MAX ms before a tick of the cluster replicator, every START_STEP_MS; the
      // other member's after that tick and before the next.)
      const raced = saves.find((a) => {
        const before = START_STEP_MS - (a.at % START_STEP_MS);
        return before >= 1 && before <= RACE_BEFORE_MAX && saves.some((b) => b.server !== a.server && b.unid === a.unid && b.at > a.at && b.at < a.at + before + START_STEP_MS);
      });
      return { raced, saves, cex };
    };
    // Seed 1 shrinks to the race.
    const one = found(1);
    expect(one.raced, JSON.stringify(one.saves)).toBeDefined();
    // Since the cases draw deletions (2026-12-07), 5 of seeds 1-1,000 (and 2113091138, a full run's) shrink to
    // another conflict a stamp makes, first: two members' edits and a later deletion on a third, where with a scanner
    // that only cleans the stub beats both edits (R6, the later save; a stub makes no conflict document) and no
    // conflict is made; stamped, both edits beat it and then conflict with each other (R5). 995 shrink to the race.
    // Seed 1225789755 (a CI run's, 2026-12-08; it failed at b71a373 as at HEAD) shrinks to a third of that family:
    // one member's edit, stamped on write, beats another's later deletion (R6: a stamp is a save), and the copy it
    // brings back conflicts with a third member's cleaning of the same version, made while partitioned (R5); with a
    // scanner that only cleans, the deletion wins and the cleaning loses to its stub. Common to both: a deletion, and
    // before it a user's edit on another member, whose stamp undoes it.
    const any = found(seed);
    if (any.raced === undefined) {
      const deletion = any.cex.events.find((e) => e.type === 'delete');
      const editors = new Set(any.saves.filter((e) => deletion !== undefined && e.at < deletion.at).map((e) => e.server));
      expect(deletion !== undefined && editors.size >= 1 && !editors.has(deletion.server), JSON.stringify(any.cex.events)).toBe(true);
    }
  });

  it('R6/R13: a stamp undoes a deletion: sso-mail-only stamps a user\'s edit as it is written, so the edit is two saves and wins over another member\'s later deletion, where with a scanner that only cleans the deletion wins; the log replays to the document live where it was deleted', () => {
    // (Seeds 1-40 met it within 54 runs, 9 the median: 300 runs miss it with odds below 1 in 10^10.)
    const cex = assertViolated(verifyDesign(registry.get('sso-mail-only')!, { runs: 300, seed, only: ['no-scanner-reappearances'] }), 'no-scanner-reappearances');
    expect(recheckVerifyClaim('no-scanner-reappearances', cex.events, registry, registry.get('sso-mail-only')!).violated).toBeDefined();
    const deletion = cex.events.find((e): e is Extract<InputEvent, { type: 'delete' }> => e.type === 'delete');
    expect(deletion, JSON.stringify(cex.events)).toBeDefined();
    const live = (events: readonly InputEvent[]) => {
      const { sim } = runEvents(events.map((event, i) => ({ line: i + 2, event })), { behaviours: behaviourFactory(registry) });
      return sim.replica(deletion!.server, deletion!.db)!.get(deletion!.unid)!.deleted === false;
    };
    expect(live(cex.events)).toBe(true);
    // The same inputs with noop (which neither stamps nor cleans): the deletion stays.
    expect(live(cex.events.map((e) => (e.type === 'scanner' ? { ...e, design: 'noop', config: {} } : e)))).toBe(false);
  });

  it('R16: smsdom scanning replicated arrivals: a storm is found (definitions differ between members, so stamps never verify across) and its log replays to a run that does not quiesce', () => {
    const cex = assertViolated(verify('smsdom', { scanReplicatedWrites: true }, ['quiescence']), 'quiescence');
    const summary = replay(cex.log);
    expect(summary.quiescent).toBe(false);
    expect(summary.revisions.byActorKind['scanner'] ?? 0).toBeGreaterThan(100);
  });

  it('R16: a design that never settles breaks another invariant too: that log also ends where the suite stopped, so it replays to the counts the suite reported', () => {
    // Stamps every write, arrivals included, with its server and time: revisions never stop (a storm), and each pass
    // calls infected documents clean.
    const stampAll = defineDesign<Record<string, never>>({
      name: 'stamp-all',
      description: 'stamps every write it sees',
      defaults: {},
      watches: () => true,
      scan: ({ at, server, virusScan }) => {
        virusScan();
        return { verdict: 'clean', set: [['X-Stamp', `${server}@${at}`]] };
      },
    });
    const r = verifyDesign(stampAll as never, { runs: 20, seed, only: ['quiescence', 'no-missed-infection'] });
    const replayed = (log: string) => {
      const { events } = decodeLogText(log);
      return runEvents(events.filter((e): e is LocatedEvent<InputEvent> => isInputEvent(e.event)), { behaviours: behaviourFactory(new Map([...registry, ['stamp-all', stampAll as never]])) }).summary;
    };
    // The storm's log ends where the suite stopped it (its replay would otherwise run on for 7 days).
    const storm = assertViolated(r, 'quiescence');
    expect(storm.events.at(-1)).toMatchObject({ type: 'end' });
    expect(replayed(storm.log).stopped).toBe('end');
    // The other invariant's log (minimised: it may need no storm) replays to the count reported, and stops as the
    // suite's run did: at an `end` where that was cut.
    const missed = assertViolated(r, 'no-missed-infection');
    const reported = Number(/^(\d+) document\(s\) with an infected attachment passed/.exec(missed.message)![1]);
    const summary = replayed(missed.log);
    expect(summary.scans.missed).toBe(reported);
    if (missed.events.at(-1)!.type === 'end') expect(summary.stopped).toBe('end');
    else expect(summary.quiescent).toBe(true);
  });

  it('R1/R14: a design that declares its passes read-only but stamps them is caught: read-only is violated, and its log replays to the pass saves the suite reported', () => {
    // R1: read-only means no save; writing a marker item on a clean document is a save whatever it holds.
    const stampsPasses = defineDesign<Record<string, never>>({
      name: 'stamps-passes',
      description: 'declares scheduled and manual scans read-only, but stamps X-Scanned on the clean documents they scan',
      defaults: {},
      promises: { readOnlyKinds: ['scheduled', 'manual'] },
      scan: ({ kind, virusScan }) => {
        const r = virusScan();
        if (r.infected) return { verdict: 'infected', ...cleaningWrites(r) };
        return kind === 'scheduled' || kind === 'manual' ? { verdict: 'clean', set: [['X-Scanned', 'yes']] } : { verdict: 'clean' };
      },
    });
    const cex = assertViolated(verifyDesign(stampsPasses as never, { runs: RUNS, seed, only: ['read-only'] }), 'read-only');
    const [, count, first] = /^(\d+) read-only scan\(s\) wrote more than they may \(a clean document saved, or more than cleaning on an infected one\); first: (.*)$/.exec(cex.message)!;
    const saves: string[] = [];
    runEvents(decodeLogText(cex.log).events.filter((e): e is LocatedEvent<InputEvent> => isInputEvent(e.event)), {
      behaviours: behaviourFactory(new Map([...registry, ['stamps-passes', stampsPasses as never]])),
      onDerived: (e) => {
        if (e.type === 'scanned' && e.saved && e.verdict === 'clean' && (e.kind === 'scheduled' || e.kind === 'manual')) saves.push(`${e.kind} scan of ${e.unid} on ${e.server} at ${e.at} ms saved a clean document`);
      },
    });
    expect({ count: saves.length, first: saves[0] }).toEqual({ count: Number(count), first });
  });

  it('a counterexample log is minimal by events: dropping any one of its input events makes the violation go away (or the log invalid)', () => {
    // noop misses every infected attachment (no-missed-infection); fast-check alone left events the miss did not need.
    const cex = assertViolated(verify('noop', {}, ['no-missed-infection']), 'no-missed-infection');
    // The message names the first copy missed: a scan that passed it (it gave a count only), or, as noop declines
    // every pass, a copy no scan was handed though its server was asked for one.
    expect(cex.message).toMatch(/; first: ((mail|on-write|scheduled|manual) scan of [0-9A-F]{32} in \S+ on \w+ at \d+ ms skipped it|[0-9A-F]{32} in \S+ \(seq \d+@\d+\) on [\w, ]+, never handed to a scan though (its server was|each of them was) asked for a pass while holding it)$/);
    const registry = builtinRegistry();
    const violated = (events: readonly InputEvent[]): boolean => {
      try {
        return recheckVerifyClaim('no-missed-infection', events, registry, registry.get('noop')!).violated !== undefined;
      } catch {
        return false; // no longer a log (a server or database its events name was dropped)
      }
    };
    expect(violated(cex.events)).toBe(true);
    const inputs = cex.events.filter((e) => e.type !== 'end');
    for (let i = 0; i < inputs.length; i++) expect(violated([...inputs.slice(0, i), ...inputs.slice(i + 1)]), JSON.stringify(inputs[i])).toBe(false);
  });

  it('a design that keeps a counter outside the run: a counterexample whose violation needs what it kept is flagged as not reproducible from a fresh start; one whose violation shows on any run, though its stamps differ, is not (a hardening QA pass: that read NOT DECIDED, and its log replayed "yes"); a pure design\'s is not', () => {
    let scans = 0;
    const counting = defineDesign<Record<string, never>>({
      name: 'counting',
      description: 'calls everything clean and stamps how many scans it has made, ever',
      defaults: {},
      scan: () => ({ verdict: 'clean', set: [['X-Count', String(++scans)]] }),
    });
    const r = verifyDesign(counting as never, { runs: 10, seed, only: ['no-missed-infection'] });
    expect(assertViolated(r, 'no-missed-infection').notReproducible).toBeUndefined();
    // Calls everything clean for its first 30 scans in the process, then scans honestly: run again, its case passes.
    let early = 0;
    const careless = defineDesign<Record<string, never>>({
      name: 'careless-at-first',
      description: 'calls its first 30 scans in a process clean, then scans',
      defaults: {},
      scan: ({ virusScan }) => (++early <= 30 ? { verdict: 'clean' } : virusScan().infected ? { verdict: 'infected', remove: ['$FILE'] } : { verdict: 'clean' }),
    });
    const c = verifyDesign(careless as never, { runs: 10, seed: 1, only: ['no-missed-infection'] });
    expect(assertViolated(c, 'no-missed-infection').notReproducible).toBe(true);
    const pure = verify('noop', {}, ['no-missed-infection']);
    expect(assertViolated(pure, 'no-missed-infection').notReproducible).toBeUndefined();
  });

  it('a design whose outside state only grows past a threshold: run again in this process it fails the same way, so only a fresh copy of it (freshDesign) shows its counterexample does not reproduce', () => {
    // Scans honestly until it has made 40 scans in this process, then skips everything (a module-level counter).
    const make = () => {
      let scans = 0;
      return defineDesign<Record<string, never>>({
        name: 'tired',
        description: 'stops scanning after 40 scans in a process',
        defaults: {},
        scan: ({ virusScan }) => {
          if (++scans > 40) return { verdict: 'skipped' };
          return virusScan().infected ? { verdict: 'infected', remove: ['$FILE'] } : { verdict: 'clean' };
        },
      });
    };
    const stale = verifyDesign(make() as never, { runs: 30, seed: 5, only: ['no-missed-infection'] });
    expect(assertViolated(stale, 'no-missed-infection').notReproducible).toBeUndefined();
    const checked = verifyDesign(make() as never, { runs: 30, seed: 5, only: ['no-missed-infection'], freshDesign: () => make() as never });
    expect(assertViolated(checked, 'no-missed-infection').notReproducible).toBe(true);
    // A pure design's counterexample reproduces from a fresh copy too.
    const noop = builtinRegistry().get('noop')!;
    const pure = verifyDesign(noop, { runs: 30, seed: 5, only: ['no-missed-infection'], freshDesign: () => noop });
    expect(assertViolated(pure, 'no-missed-infection').notReproducible).toBeUndefined();
  });

  it('R5: a design whose outside state prevents its violations (stamps each document once per process, in a Set) is not passed: cases drawn after the suite, run on the design it used and on a fresh copy, end otherwise (notReproducible, ok false); a pure design passes that check', () => {
    // A researcher's QA pass: the Set filled in the first cases, the later ones (the same UNIDs) stamped nothing, and
    // "every invariant held", where a fresh process stamps a document on two members and conflicts (R5).
    const make = () => onceCleanDesign();
    // The whole suite, as verify runs it: design-runs and quiescence first, whose cases fill the Set, then
    // no-scanner-conflicts, whose cases (the same UNIDs) stamp next to nothing.
    const statuses = (r: ReturnType<typeof verifyDesign>) => r.invariants.map((i) => [i.name, i.status]);
    const allHeld = [['design-runs', 'held'], ['read-only', 'not-applicable'], ['quiescence', 'held'], ['no-scanner-conflicts', 'held'], ['no-scanner-reappearances', 'held'], ['no-missed-infection', 'held'], ['convergence', 'held']];
    // Run on the copy the suite used alone, the violation is hidden: the check needs the fresh copy.
    const hidden = verifyDesign(make() as never, { runs: 100, seed: 1 });
    expect(statuses(hidden)).toEqual(allHeld);
    expect(hidden.ok).toBe(true);
    const checked = verifyDesign(make() as never, { runs: 100, seed: 1, freshDesign: () => make() as never });
    expect(statuses(checked)).toEqual(allHeld);
    expect(checked.notReproducible).toMatch(/^the same case \(\d+ input events\) ended otherwise on a copy of the module loaded anew \(\d+ scanner revisions? and [1-9]\d* conflicts?\) than on the copy the suite ran \(\d+ scanner revisions? and \d+ conflicts?\).*: the design acts on something kept from earlier runs/);
    expect(checked.ok).toBe(false);
    // The same design kept pure (its memory in `remember`, the server's store) passes the check, and the suite.
    const pure = defineDesign<{ scheduleEveryMs: number }>({
      name: 'once-per-server',
      description: 'stamps each document once per server, remembered in the server\'s store',
      defaults: { scheduleEveryMs: 0 },
      scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
      scan: ({ db, note, virusScan, store }) => {
        const r = virusScan();
        if (r.infected) return { verdict: 'infected', ...cleaningWrites(r) };
        const k = `${db}:${note.unid}`;
        if (store.has(k)) return { verdict: 'clean' };
        return { verdict: 'clean', set: [['X-Scanned', 'yes']], remember: [[k, true]] };
      },
    });
    const pureRun = verifyDesign(pure as never, { runs: 100, seed: 1, only: ['design-runs'], freshDesign: () => ({ ...pure }) as never });
    expect(pureRun.notReproducible).toBeUndefined();
    expect(statuses(pureRun)).toEqual([['design-runs', 'held']]);
  });

  it('R16: a pure design that storms (a tag naming the server, arrivals scanned) is cut at the storm bound; its fresh copy ends the same, so no counterexample is flagged as not reproducible', () => {
    // The check once ran the fresh copy on the log with its `end` appended: a run stopped by `end` at the cut's
    // instant skips the rest of that instant's work, which the cut run did; a different state, a false warning.
    const storm = ownNameTag;
    const r = verifyDesign(storm as never, { runs: 100, seed: 7, only: ['quiescence', 'no-scanner-conflicts'], freshDesign: () => ({ ...storm }) as never });
    for (const name of ['quiescence', 'no-scanner-conflicts'] as const) expect(assertViolated(r, name).notReproducible, name).toBeUndefined();
  });

  it('R13/R16: a read-only design whose scans take 3 virtual hours a document leaves work pending at the cap: quiescence fails, named as work that outlasts the run, not as a storm (it was "a replication storm", with no revision made); the storming design\'s is a storm', () => {
    const slow = defineDesign<Record<string, never>>({
      name: 'slow-scan',
      description: 'read-only, 3 h per document',
      defaults: {},
      scanMsPerDoc: () => 3 * 3_600_000,
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ virusScan }) => {
        const r = virusScan();
        return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean' };
      },
    });
    const r = verifyDesign(slow as never, { runs: 20, seed, only: ['quiescence'] });
    const v = assertViolated(r, 'quiescence');
    expect(v.message).toMatch(/^work still pending when the run stopped \(the cap at \d+ ms, written as an end event in the log\), with no scanner revision in its last hour( \(none in the run\))?: the work a scan set off outlasts the run \(scans or transfers this slow\), not a storm of revisions$/);
    const storm = verifyDesign(ownNameTag as never, { runs: 100, seed: 7, only: ['quiescence'] });
    expect(assertViolated(storm, 'quiescence').message).toMatch(/: a replication storm$/);
  });

  it('R16: scheduled passes that follow one another without a gap (scheduleEveryMs 1) restamp their own versions: quiescence fails, named as that, not as a replication storm; a ping-pong of stamps through replication is one', () => {
    // (An operator's QA pass: 2,001 scanner revisions of one document, 1 change replicated, were "a replication storm".)
    // (Seed 2: on seed 1, since the cases draw second attachments, a case whose passes find nothing to stamp runs into
    // the engine's budget of periodic actions first: verify then gives no verdict, see cli.test.ts.)
    const r = verifyDesign(registry.get('smsdom')!, { config: { scheduleEveryMs: 1 }, runs: 10, seed: 2, only: ['quiescence'] });
    expect(assertViolated(r, 'quiescence').message).toMatch(/^work still pending when the run stopped \(over 2000 scanner revisions, \d+ of them over versions that arrived by replication\): the scanners stamping their own versions again and again .*, not a replication storm$/);
    const storm = verifyDesign(ownNameTag as never, { runs: 100, seed: 7, only: ['quiescence'] });
    const m = /; ([\d,]+) of its ([\d,]+) scanner revisions over versions that arrived by replication\): a replication storm$/.exec(assertViolated(storm, 'quiescence').message);
    expect(m).not.toBeNull();
    expect(2 * Number(m![1]!.replaceAll(',', ''))).toBeGreaterThanOrEqual(Number(m![2]!.replaceAll(',', '')));
  });

  it('R16: a case whose baseline run (scanners that only clean) the work budget refuses gives no verdict, not a violation (an operator\'s QA pass: "no-scanner-conflicts VIOLATED: the run would take more than 1,000,000 periodic actions")', () => {
    // A schedule of every millisecond: the design's own run is cut at the storm bound, the baseline's, which stamps
    // nothing, runs its 2 hours of passes and is refused. A budget of 300,000 refuses it in half a second.
    const verdict = () => verifyDesign(registry.get('smsdom')!, { config: { scheduleEveryMs: 1 }, runs: 10, seed: 3, only: ['no-scanner-conflicts'], limits: { maxWork: 300_000 } });
    expect(verdict).toThrow(expect.objectContaining({ code: 'RUN_TOO_LONG', message: expect.stringMatching(/^the same case with scanners that only clean \(what no-scanner-conflicts compares with\): the run would take more than 300,000 pieces of engine work/) }));
  });

  it('R14: a design that cleans only the first infected attachment of a document is caught (the cases held one attachment per document, and it passed: an operator\'s QA pass)', () => {
    const partial = defineDesign<Record<string, never>>({
      name: 'partial-clean',
      description: 'removes only the first infected attachment',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ note, virusScan }) => {
        if (!virusScan().infected) return { verdict: 'clean' };
        const files = (note.items.find((i) => i.key === '$file')?.value ?? []) as readonly { readonly infected?: boolean }[];
        const first = files.findIndex((a) => a.infected === true);
        const left = files.filter((_, i) => i !== first);
        return left.length > 0 ? { verdict: 'infected', set: [['$FILE', left as never]] } : { verdict: 'infected', remove: ['$FILE'] };
      },
    });
    const r = verifyDesign(partial as never, { runs: RUNS, seed, only: ['no-missed-infection'] });
    expect(assertViolated(r, 'no-missed-infection').message).toMatch(/found an infected attachment but left it in place/);
  });

  it('R16: a design that misses infections only after its first virtual day is caught (every case ran in its first two hours, and such a design passed: an operator\'s QA pass); its counterexample starts late and replays', () => {
    const DAY = 86_400_000;
    const late = defineDesign<Record<string, never>>({
      name: 'late-skip',
      description: 'cleans what it finds, but skips every scan after its first day',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ clock, virusScan }) => (clock > DAY ? { verdict: 'skipped' } : virusScan().infected ? { verdict: 'infected', remove: ['$FILE'] } : { verdict: 'clean' }),
    });
    const r = verifyDesign(late as never, { runs: RUNS, seed, only: ['no-missed-infection'] });
    const cex = assertViolated(r, 'no-missed-infection');
    // The skipped scans ran after the first day by their server's clock, which the design reads. (It compared the
    // log's last input with the day, and failed on seeds 643470660 and 1054480256: an input at 86,399,999 ms whose scan
    // ran later, on a server whose clock is fast, or a few ms on, as an on-write scan or a pass's next document does.)
    const skew = new Map(cex.events.flatMap((e) => (e.type === 'server' ? [[e.name, e.clockSkewMs ?? 0] as const] : [])));
    const skipped: number[] = [];
    runEvents(cex.events.map((event, i) => ({ line: i + 2, event })), {
      behaviours: behaviourFactory(builtinRegistry([late as never])),
      onDerived: (e) => {
        if (e.type === 'scanned' && e.verdict === 'skipped') skipped.push(e.at + (skew.get(e.server) ?? 0));
      },
    });
    expect(skipped.length).toBeGreaterThan(0);
    expect(Math.min(...skipped)).toBeGreaterThan(DAY);
    expect(replay(cex.log, builtinRegistry([late as never])).scans.missed).toBeGreaterThan(0);
    // Time-blind, the same design holds.
    const blind = defineDesign<Record<string, never>>({ ...late, name: 'never-skip', scan: ({ virusScan }) => (virusScan().infected ? { verdict: 'infected', remove: ['$FILE'] } : { verdict: 'clean' }) });
    assertHeld(verifyDesign(blind as never, { runs: RUNS, seed, only: ['no-missed-infection'] }), 'no-missed-infection');
  });

  it('R16: a design that skips documents left alone for 5 minutes (taking them for scanned) is caught: cases install the scanners onto documents up to 30 days old (every document a case scanned was at most about 4 minutes old, and it passed: a QA pass)', () => {
    const idle = defineDesign<Record<string, never>>({
      name: 'idle-skip',
      description: 'cleans infections; skips documents untouched for 5 minutes',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ at, note, virusScan }) => (at - note.seqTime > 300_000 ? { verdict: 'skipped' } : virusScan().infected ? { verdict: 'infected', remove: ['$FILE'] } : { verdict: 'clean' }),
    });
    const cex = assertViolated(verifyDesign(idle as never, { runs: RUNS, seed, only: ['no-missed-infection'] }), 'no-missed-infection');
    expect(replay(cex.log, builtinRegistry([idle as never])).scans.missed).toBeGreaterThan(0);
  });

  it('R13: a design whose scheduleEveryMs(config) throws when given a schedule fails design-runs: cases give a design with that setting an hourly schedule, as the scenario does (none did, and it passed every invariant: a QA pass)', () => {
    const fragile = defineDesign<{ scheduleEveryMs: number }>({
      name: 'sched-throw',
      description: 'cleans; its schedule throws',
      defaults: { scheduleEveryMs: 0 },
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scheduleEveryMs: (c) => {
        if (c.scheduleEveryMs > 0) throw new Error('sched boom');
        return undefined;
      },
      scan: ({ virusScan }) => (virusScan().infected ? { verdict: 'infected', remove: ['$FILE'] } : { verdict: 'clean' }),
    });
    const cex = assertViolated(verifyDesign(fragile as never, { runs: RUNS, seed, only: ['design-runs'] }), 'design-runs');
    expect(cex.message).toMatch(/failed while giving its schedule \(scheduleEveryMs\): sched boom/);
    expect(cex.events.some((e) => e.type === 'scanner' && e.config?.['scheduleEveryMs'] === 3_600_000)).toBe(true);
    // A configuration that sets it is the user's: the cases leave it alone.
    assertHeld(verifyDesign(fragile as never, { runs: 20, seed, config: { scheduleEveryMs: 0 }, only: ['design-runs'] }), 'design-runs');
    // The whole suite: its coverage is the next invariant's, not design-runs' runs up to the crash (a QA pass: VACUOUS,
    // "scansPerformed, arrivals never happened", over the one case before a crash).
    const all = verifyDesign(fragile as never, { runs: RUNS, seed });
    expect(all.coverage.invariant).not.toBe('design-runs');
    expect(all.vacuous).toEqual([]);
  });

  it('R16: starts are drawn evenly: few on the range\'s first and last days, every hour of the day alike (fast-check\'s bias piled a fifth of them at the ends: a QA pass)', () => {
    const DAY = 86_400_000;
    const starts = fc.sample(arbCase(), { seed: 1, numRuns: 3_000 }).map((c) => c.startMs).filter((s) => s > 0);
    expect(starts.length).toBeGreaterThan(1_800); // two in three are not 0
    expect(starts.filter((s) => s <= DAY || s >= 399 * DAY).length).toBeLessThan(starts.length * 0.02);
    const byHour = new Array<number>(24).fill(0);
    for (const s of starts) byHour[Math.floor((s % DAY) / 3_600_000)]!++;
    for (const n of byHour) expect(n).toBeGreaterThan((starts.length / 24) * 0.6);
  });

  it('R12/R16: a case without conflicts drawn at a later start runs as at 0, shifted, for a design that never reads the time: starts fall on the cluster replicator\'s tick grid', () => {
    // (With conflicts it need not: a conflict document's UNID is made of a time (R5), and scans and pushes go in UNID
    // order. Off the grid, cases without conflicts ran differently: an arrival more or fewer.)
    const smsdom = registry.get('smsdom')!;
    const factory = behaviourFactory(registry);
    let compared = 0;
    fc.assert(
      fc.property(arbCase(), (c) => {
        const at0 = runEvents(caseEvents({ ...c, startMs: 0 }, smsdom.name, {}), { behaviours: factory, maxRunMs: 7_200_000 }).summary;
        if (at0.conflicts > 0 || c.startMs === 0) return;
        compared++;
        const later = runEvents(caseEvents(c, smsdom.name, {}), { behaviours: factory, maxRunMs: 7_200_000 }).summary;
        expect({ ...later, endAt: later.endAt - c.startMs, digest: '' }).toEqual({ ...at0, digest: '' });
      }),
      { seed, numRuns: propertyRuns(200) },
    );
    expect(compared).toBeGreaterThan(20);
  });

  it('R14: noop misses infections (it never scans): the suite says so', () => {
    const r = verify('noop', {}, ['no-missed-infection']);
    assertViolated(r, 'no-missed-infection');
    expect(r.vacuous).toContain('scansPerformed');
  });
});

describe('R15: the random cases reach a stale scan cache', () => {
  it('R15: a cache keyed by UNID, not by version (an edit that adds an infected attachment is skipped), is caught on at least 17 of 20 seeds at the default 100 runs', () => {
    // A researcher's QA pass: with every kind of action equally likely, 12 of these 20 seeds passed this design; edits
    // and scans (what it takes: a clean scan, then an infecting edit, then a scan on that server) are now drawn more
    // often than deliveries, definitions updates and partitions: 18 of 20; 20 of 20 since an edit may change the
    // attachment alone. Fixed seeds: the count is deterministic.
    const staleCache = defineDesign<Record<string, never>>({
      name: 'unid-cache',
      description: 'remembers clean documents by UNID',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ db, note, store, virusScan }) => {
        const k = `${db}:${note.unid}`;
        if (store.get(k) === 'clean') return { verdict: 'skipped' };
        const r = virusScan();
        return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean', remember: [[k, 'clean']] };
      },
    });
    const missedOn: number[] = [];
    for (let seed = 10; seed < 30; seed++) if (verifyDesign(staleCache as never, { seed, runs: 100, only: ['no-missed-infection'] }).invariants[0]!.status !== 'violated') missedOn.push(seed);
    expect(20 - missedOn.length, `no-missed-infection held on seeds ${missedOn.join(', ')} (fixed seeds)\nreproduce: ${reproduceCommand(undefined, true)}`).toBeGreaterThanOrEqual(17);
  });
});

describe('R15: the random cases change an attachment alone', () => {
  it('R15: a tag over every item but `$FILE` (an edit that only swaps in an infected attachment keeps it valid) is caught on at least 17 of 20 seeds at the default 100 runs', () => {
    // A developer's review: every edit of a case also set Body, so such a tag changed with each edit anyway and this
    // design held no-missed-infection on every seed tried (500 runs too), where R15's C covers every item but the tag.
    const TAG = 'X-BodyTag';
    const bodyTag = defineDesign<Record<string, never>>({
      name: 'body-tag',
      description: 'tags the items other than $FILE, and skips a document whose tag still matches',
      defaults: {},
      scan: ({ note, virusScan }) => {
        const want = JSON.stringify(note.items.filter((i) => i.key !== '$file' && i.key !== TAG.toLowerCase()).map((i) => [i.key, i.value]));
        if (note.items.some((i) => i.key === TAG.toLowerCase() && i.value === want)) return { verdict: 'skipped' };
        const r = virusScan();
        return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean', set: [[TAG, want]] };
      },
    });
    const missedOn: number[] = [];
    let mostRuns = 0;
    for (let seed = 10; seed < 30; seed++) {
      let runs = 0;
      if (verifyDesign(bodyTag as never, { seed, runs: 100, only: ['no-missed-infection'], onProgress: () => void runs++ }).invariants[0]!.status !== 'violated') missedOn.push(seed);
      mostRuns = Math.max(mostRuns, runs);
    }
    expect(20 - missedOn.length, `no-missed-infection held on seeds ${missedOn.join(', ')} (fixed seeds)\nreproduce: ${reproduceCommand(undefined, true)}`).toBeGreaterThanOrEqual(17);
    // Shrinking is bounded (verifyDesign's SHRINK_BUDGET, 2,000 runs after the first failure): seed 29 shrank for
    // 603,467 runs, 35 s, before it was.
    expect(mostRuns).toBeLessThanOrEqual(100 + 2_000);
  });
});

describe('a counterexample, shrunk', () => {
  // A researcher's QA pass: a design keyed per server gave logs of three servers where one did nothing but hold a
  // replica, and logs whose last scan ran only to make the run last until the passes before it (read as the cause).
  const perServerTag = defineDesign<{ scheduleEveryMs: number }>({
    name: 'per-server-tag',
    description: 'stamps untagged documents with a tag naming the server',
    defaults: { scheduleEveryMs: 0 },
    scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
    watches: (w) => w.origin === 'save',
    scan: ({ note, server, virusScan }) => {
      const r = virusScan();
      if (r.infected) return { verdict: 'infected', ...cleaningWrites(r) };
      if (note.items.some((i) => i.key === 'x-ssotag')) return { verdict: 'clean' };
      return { verdict: 'clean', set: [['X-SSOTag', `${server}:${note.unid}`]] };
    },
  });
  const shrunk = (caseSeed: number) => {
    const r = verifyDesign(perServerTag as never, { runs: 300, seed: caseSeed, only: ['no-scanner-conflicts'] });
    const events = assertViolated(r, 'no-scanner-conflicts').events;
    // The log still fails as the suite judged it.
    expect(recheckVerifyClaim('no-scanner-conflicts', events, new Map([...registry, ['per-server-tag', perServerTag as never]]), perServerTag as never).violated).toBeDefined();
    return events;
  };

  it('R16: a server the violation does not need is dropped with everything naming it (seed 7: three servers, then two)', () => {
    const events = shrunk(7);
    expect(events.filter((e) => e.type === 'server')).toHaveLength(2);
    const servers = new Set(events.flatMap((e) => (e.type === 'server' ? [e.name] : [])));
    for (const e of events) if (e.type === 'database') expect(e.replicas.every((r) => servers.has(r))).toBe(true);
  });

  // (Seed 42's last input was a scan at 3,800,000 ms until the cases drew deletions, 2026-12-07: now a deletion at
  // 3,630,100 ms, its draw shrunk to the least, 30.1 s after the scanners came, still after the passes that conflict.)
  it('R16: a last input there only to make the run last until its time becomes an end event (seed 42: a deletion at 3,630,100 ms, after the passes that conflict)', () => {
    const events = shrunk(42);
    expect(events[events.length - 1]).toEqual({ at: 3_630_100, type: 'end' });
  });
});

describe('R15: smsdom never skips an infection', () => {
  // With the scan time in the tag too: smsdom checks such a tag by its own `t=` (verifyTag), and a check reduced to
  // "starts with t=" was caught by no test (a developer's QA pass, a mutation of smsdom.ts).
  it.each([
    ['the default configuration', {}],
    ['tagIncludesScanTime', { tagIncludesScanTime: true }],
  ])('R15: forged tags, tags from another key and stale tags never skip a scan (%s)', (_, config) => {
    const r = verify('smsdom', config, ['no-missed-infection']);
    assertHeld(r, 'no-missed-infection');
    expect(r.coverage.scansSkipped).toBeGreaterThan(0);
    expect(r.coverage.stampings).toBeGreaterThan(0);
  });
});

describe('R16: the verdict', () => {
  it('R13/R16: a design that scans every document and never writes a clean one passes (never skipping is sound, not vacuous)', () => {
    const r = verifyDesign(scanEverything as never, { runs: RUNS, seed });
    for (const i of r.invariants) assertHeld(r, i.name, { module: 'packages/scenarios/test/designs/scanEverything.ts' });
    expect(r.coverage.scansPerformed).toBeGreaterThan(0);
    expect(r.coverage.scansSkipped).toBe(0);
    // R13: infected documents were among those scanned: no-missed-infection was exercised (the count says so).
    expect(r.coverage.infectedScans).toBeGreaterThan(0);
    // R6: users deleted documents in the runs: no-scanner-reappearances was exercised. (Some come back whatever the
    // design: another member's edit after the deletion, or an infected copy's cleaning, is a later save.)
    expect(r.coverage.deletions).toBeGreaterThan(0);
    // A scan skipped counts too (it is what no-missed-infection judges): noop performs none and is handed infected mail.
    const noop = verifyDesign(builtinRegistry().get('noop')!, { runs: RUNS, seed, only: ['design-runs'] });
    expect(noop.coverage.scansPerformed).toBe(0);
    expect(noop.coverage.infectedScans).toBeGreaterThan(0);
    expect(r.vacuous).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('R16: an invariant every run of which crashed is unchecked, and the verdict is no pass even when design-runs is left out (`only`)', () => {
    // It scans, stamps and sees arrivals first (coverage is not vacuous), then throws at its second scan on a server.
    const late = defineDesign<Record<string, never>>({
      name: 'throws-late',
      description: 'stamps its first scan on each server, throws at the second',
      defaults: {},
      watches: () => true,
      scan: ({ store, virusScan }) => {
        if (store.get('scanned') === true) throw new Error('boom');
        virusScan();
        return { verdict: 'clean', set: [['X-Seen', 'yes']], remember: [['scanned', true]] };
      },
    });
    // (Seed 3: a case set in which every run reaches a second scan on some server.)
    const r = verifyDesign(late as never, { runs: 5, seed: 3, only: ['quiescence'] });
    expect(r.invariants.map((i) => [i.name, i.status, i.crashedRuns])).toEqual([['quiescence', 'unchecked', 5]]);
    expect(r.vacuous).toEqual([]);
    expect(r.ok).toBe(false);
  });

  it('R16: a design that throws: design-runs is violated, and the other invariants say how many of their runs crashed (they prove nothing)', () => {
    // (300 runs, not RUNS: a run without a scan does not crash, and about 7% of quiescence's cases have none; of 60
    // runs all crashed for about 1 seed in 100, and the status was rightly "unchecked": a latent flake, seed 223222274
    // in a CI run. Over 300, all crash about once in 10^9.)
    const r = verifyDesign(thrower as never, { runs: 300, seed, only: ['design-runs', 'quiescence'] });
    assertViolated(r, 'design-runs');
    // (held-partly, not held: a script reading the status took "held" beside crashed runs for a pass.)
    const q = r.invariants.find((i) => i.name === 'quiescence')!;
    expect(q.status).toBe('held-partly');
    expect(q.crashedRuns).toBeGreaterThan(0);
    expect(q.crashedRuns).toBeLessThan(q.runs);
  });
});
