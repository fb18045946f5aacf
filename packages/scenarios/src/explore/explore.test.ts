import { describe, expect, it } from 'vitest';
import { Simulator, decodeLogText, isInputEvent, isScannerRevision, runEvents, type BehaviourFactory, type InputEvent, type ItemValue, type LocatedEvent } from '@replstorm/core';
import { timedDesign } from '../../test/designs/timed.js';
import { revCapDesign } from '../../test/designs/revCap.js';
import { ACTION_FIELD_NAMES, cleanOnlyConflicted, sameAction } from './explore.js';
import { EXPLORE_INVARIANTS, EXPLORE_REFUSED, STEP_MS, behaviourFactory, builtinRegistry, defineDesign, explore, stormExploreModel, type Action, type ExploreInvariant, type ExploreModel, type ScannerDesign } from '../index.js';

const factory = behaviourFactory(builtinRegistry());

/**
 * The model with its setup as it was before a QA pass: the documents spread to the members after the scanners are
 * installed (the spread moved to the end, a second after the last event). The scenario spreads them first; a model of
 * one's own may not, and with on-write scanning of arrivals its setup then makes scanner revisions, which the search
 * must count, check and explain. (It reproduces the old setup event for event, so the numbers below are the ones the
 * old setup gave.)
 */
function spreadAfterInstall(model: ExploreModel): ExploreModel {
  const spread = model.setup.filter((e) => e.type === 'push' || e.type === 'replicate');
  const rest = model.setup.filter((e) => e.type !== 'push' && e.type !== 'replicate');
  const last = rest.reduce((m, e) => Math.max(m, e.at), 0);
  return { ...model, setup: [...rest, ...spread.map((e) => ({ ...e, at: last + 1_000 }))] };
}

function replay(log: string) {
  const { events } = decodeLogText(log);
  const inputs = events.filter((e): e is LocatedEvent<InputEvent> => isInputEvent(e.event));
  return runEvents(inputs, { behaviours: factory, collect: true });
}

describe('explore: completeness on tiny cases (counted by hand)', () => {
  it('R1/R14: 1 server x 1 document, smsdom: exactly 2 abstract states (untagged, tagged); a rescan rewrites the tag and comes back to the tagged state', () => {
    // S0 --scan--> S1 (stamped, a revision); S1 --scan--> S1 (rewriteValidTags: a new revision, the same abstract state).
    const r = explore(stormExploreModel({ settings: { servers: 1 } }), { depth: 5 });
    expect(r.distinctStates).toBe(2);
    expect(r.statesGenerated).toBe(3); // the initial state, and one successor of each state
    expect(r.transitions).toBe(2);
    expect(r.exhausted).toBe(true);
    expect(r.depthReached).toBe(2);
    // A loop of scans is a cost per scan, not a storm: no replication action closes it.
    expect(r.storm).toBeUndefined();
  });

  it('R13/R16: scannerRevisions counts revisions, not transitions that made some: a push of two documents each stamped on arrival is 2', () => {
    // Per-server keys, arrivals scanned: the setup's spread to Beta stamps both documents there (2). From the initial
    // state: a scan of each document on Alpha (1 each), a rescan of each on Beta (rewriteValidTags: 1 each), and Beta's
    // push to Alpha, whose two arrivals Alpha stamps (2). It said 7: the push counted once. (A push is not tried late:
    // LATE in explore.ts.)
    const r = explore(spreadAfterInstall(stormExploreModel({ settings: { servers: 2, docs: 2, keys: 'per-server', config: 'scanReplicatedWrites=true' } })), { depth: 1, invariants: [], storms: false, partialOrder: false });
    expect(r.transitions).toBe(5);
    expect(r.scannerRevisions).toBe(2 + 4 + 2);
  });

  it('R1: 1 server x 1 document with rewriteValidTags=false: the rescan changes nothing (2 states, the second a fixpoint)', () => {
    const r = explore(stormExploreModel({ settings: { servers: 1, config: 'rewriteValidTags=false' } }), { depth: 5, invariants: [] });
    expect(r.distinctStates).toBe(2);
    expect(r.scannerRevisions).toBe(1); // only the first stamping
  });

  it('R9: 1 server x 2 documents: 5 states (neither tagged, one or the other, both with either stamped last)', () => {
    // The order of a replica's changes is state (R9 sends in change-number order), so "both tagged" comes in two
    // orders: 1 + 2 + 2.
    const r = explore(stormExploreModel({ settings: { servers: 1, docs: 2 } }), { depth: 6 });
    expect(r.distinctStates).toBe(5);
    expect(r.exhausted).toBe(true);
  });

  it('symmetry reduction agrees with the unreduced search (2 identical servers x 1 document)', () => {
    const model = stormExploreModel({ settings: { servers: 2 } });
    expect(model.symmetricServers).toEqual(['Alpha', 'Beta']);
    const reduced = explore(model, { depth: 5, invariants: [EXPLORE_INVARIANTS['no-conflict']!] });
    const full = explore(model, { depth: 5, invariants: [EXPLORE_INVARIANTS['no-conflict']!], symmetry: false });
    expect(reduced.distinctStates).toBeLessThan(full.distinctStates);
    expect(reduced.violation?.explanation.length).toBe(full.violation?.explanation.length);
    expect(reduced.storm === undefined).toBe(full.storm === undefined);
    expect(reduced.exhausted).toBe(full.exhausted);
  });

  it('R16: symmetry is not used for a design that reads server names (cluster-aware scans on the first member only): every state of the unreduced search is found', () => {
    // Renaming Alpha and Beta changes which of them runs cluster-aware's scheduled pass: identifying the two states
    // lost 2 of the 11 states at depth 2 with one user save.
    const model = stormExploreModel({ settings: { servers: 2, design: 'cluster-aware' }, userActions: 1 });
    expect(model.symmetricServers).toEqual([]);
    expect(model.noSymmetry).toContain('cluster-aware');
    const reduced = explore(model, { depth: 3 });
    const full = explore(model, { depth: 3, symmetry: false, partialOrder: false });
    expect(reduced.distinctStates).toBe(full.distinctStates);
  });

  // (Each state's key was taken under all 40,320 renamings: a search of depth 1 did not end in minutes, and SIGTERM
  // waited for it. Not timed: the search below would outlast the test's timeout if it did so again.)
  it('R16: with 8 servers (the parameter\'s most) symmetry is not used, saying why, and a search of depth 1 ends', () => {
    const model = stormExploreModel({ settings: { servers: 8 } });
    expect(model.symmetricServers).toEqual([]);
    expect(model.noSymmetry).toContain('40,320 renamings');
    const r = explore(model, { depth: 1 });
    expect(r.depthReached).toBe(1);
    // Up to 6 servers (720 renamings), the reduction stays.
    expect(stormExploreModel({ settings: { servers: 6 } }).symmetricServers).toHaveLength(6);
  });

  it('more than 100,000 documents (databases x docs) are refused by name before any is made: docs=10000000, the scenario\'s most, ran out of memory making the initial state', () => {
    expect(() => stormExploreModel({ settings: { docs: 10_000_000 } })).toThrow(/^parameters "databases" x "docs": 1 x 10,000,000 = 10,000,000 documents, more than 100,000: explore holds every document/);
    expect(() => stormExploreModel({ settings: { databases: 2, docs: 50_001 } })).toThrow(/^parameters "databases" x "docs": 2 x 50,001 = 100,002 documents/);
    expect(() => stormExploreModel({ settings: { databases: 100_000, docs: 2 } })).toThrow(/^parameters "databases" x "docs": 100,000 x 2 = 200,000 documents/);
  });

  it('100,000 databases of one document (the most it takes) make a model: its setup\'s last time was taken by spreading 200,000 times into Math.max, past the arguments a call can take (exit 70)', () => {
    const model = stormExploreModel({ settings: { databases: 100_000 } });
    // 100,000 databases and their one document each, 2 servers, the push spreading them, and their scanners.
    expect(model.setup.filter((e) => e.type === 'database')).toHaveLength(100_000);
    expect(model.setup.at(-3)).toMatchObject({ type: 'push', server: 'Alpha', partner: 'Beta' });
    expect(model.setup.at(-1)).toMatchObject({ type: 'scanner', server: 'Beta' });
  });

  it('R16: a design that does not declare itself name-blind (ScannerDesign.symmetric) gets no symmetry reduction', () => {
    const { symmetric: _declared, ...undeclared } = builtinRegistry().get('smsdom')!;
    const custom = { ...undeclared, name: 'my-design' };
    const registry = builtinRegistry([custom]);
    expect(stormExploreModel({ settings: { servers: 2, design: 'my-design' }, registry }).symmetricServers).toEqual([]);
    expect(stormExploreModel({ settings: { servers: 2, design: 'smsdom' }, registry }).symmetricServers).toEqual(['Alpha', 'Beta']);
  });
});

/** The model's setup, then `path` a step apart, each input's work run at once, as the search runs a path. */
function runPath(model: ExploreModel, path: readonly Action[]): Simulator {
  const sim = new Simulator({ behaviours: factory, maxRunMs: 1 });
  let line = 1;
  const run = (e: InputEvent) => {
    sim.applyEvent({ line: ++line, event: e });
    sim.runPendingWork();
  };
  for (const e of model.setup) run(e);
  const setupEnd = model.setup[model.setup.length - 1]!.at;
  path.forEach((a, i) => run(Object.assign({ at: setupEnd + (i + 1) * STEP_MS }, a) as InputEvent));
  return sim;
}

describe('explore: the user-save budget is part of the state', () => {
  it('R1: a state first reached with both saves spent (save Alpha, save Beta: two stamped divergent copies) and then with one (save Alpha, push, scan Alpha, scan Beta) still gets its second save', () => {
    // The two paths reach the same abstract state (each copy stamped once after its last change, neither descending
    // from the other), the first with no save left. Keyed by the abstract state alone, the second path was dropped as
    // seen, and the states its remaining save reaches were never searched (2 of 631 at depth 5, found by brute force).
    const model = stormExploreModel({ settings: { servers: 2, docs: 1 }, userActions: 2 });
    const doc = { db: 'mail/user000.nsf', unid: '00000000000000000000000005E7D001' };
    const save = (server: string): Action => ({ type: 'save', server, ...doc, by: 'user/ann', set: new Map([['Body', 'edited']]) });
    const scan = (server: string): Action => ({ type: 'scan', server, kind: 'scheduled', ...doc });
    const path: Action[] = [save('Alpha'), { type: 'push', server: 'Alpha', partner: 'Beta' }, scan('Alpha'), scan('Beta'), save('Alpha')];
    const sim = runPath(model, path);
    const target = sim.abstractKeys([sim.serverNames()])[0]!;
    const found = new Set<string>();
    explore(model, { depth: 5, symmetry: false, partialOrder: false, invariants: [], storms: false, onNewState: (s) => found.add(s.abstractKeys([s.serverNames()])[0]!) });
    expect(found.has(target)).toBe(true);
  });
});

describe('explore: a conflict document\'s name keeps its seq against the document it refers to', () => {
  it('R5: two states whose conflict document was named alike from different copies (seqs 4 and 3 against the document\'s 6 and 5; 4 and 3 against 5 and 4) are different states: one scan of the document on Beta names them apart (found by partial-order reduction tried over conflict documents, 2026-12-06: they were one state, and the reduced search lost 8 of 36,891)', () => {
    const model = stormExploreModel({ settings: { servers: 2, docs: 1 } });
    const doc = { db: 'mail/user000.nsf', unid: '00000000000000000000000005E7D001' };
    const scan = (server: string, unid = doc.unid): Action => ({ type: 'scan', server, kind: 'scheduled', db: doc.db, unid });
    const push = (server: string, partner: string): Action => ({ type: 'push', server, partner });
    // The conflict documents' UNIDs are the hashes of the versions they were made from (the paths' times fix them; a
    // path whose UNID no longer exists is refused by the engine, and the test fails loudly).
    const first = 'AB4D75411C227675FC8A434535658B0E';
    const second = 'BDC20ED453C2226488C462121AAD184F';
    const one = [scan('Alpha'), scan('Alpha'), scan('Alpha'), scan('Alpha'), scan('Beta'), push('Alpha', 'Beta'), scan('Alpha'), scan('Beta', first), push('Beta', 'Alpha'), scan('Alpha', first)];
    const other = [scan('Alpha'), scan('Alpha'), scan('Alpha'), scan('Beta'), push('Alpha', 'Beta'), scan('Alpha'), scan('Beta', second), push('Beta', 'Alpha'), scan('Alpha', second)];
    const keyOf = (path: readonly Action[]) => {
      const sim = runPath(model, path);
      const h = new Uint32Array(2);
      sim.abstractHash([sim.serverNames()], h);
      return { text: sim.abstractKeys([sim.serverNames()])[0]!, hash: `${h[0]}:${h[1]}` };
    };
    // Each copy's seq is kept against the document's least (1 and 0 in both), the document's copies likewise (1 and
    // 0); the name took the seq of the copy whose name is least as text ("-1" before "-2", "-1" before "0"): -1 in
    // both, from Alpha's copy in one and Beta's in the other. The next scan of the document on Beta moves its least
    // seq, and the names move apart: 6 and 6 against 5 and 5. [choice] The name now holds the conflict document's
    // least seq against the document's: one number for the document, whichever copy is named.
    expect(keyOf([...one, scan('Beta')]).text).not.toBe(keyOf([...other, scan('Beta')]).text);
    expect(keyOf(one).text).not.toBe(keyOf(other).text);
    expect(keyOf(one).hash).not.toBe(keyOf(other).hash);
  });
});

describe('explore: a conflict document\'s name keeps whether its version is still a current copy\'s', () => {
  it('R5: two paths to states alike but for whether Gamma holds the version Alpha lost (a conflict document\'s UNID is the hash of that version): different states, and the same next step makes 2 documents on one, 3 on the other (an explore QA pass: they were one state)', () => {
    const model = stormExploreModel({ settings: { servers: 3, docs: 1, replication: 'scheduled' } });
    const doc = { db: 'mail/user000.nsf', unid: '00000000000000000000000005E7D001' };
    const scan = (server: string): Action => ({ type: 'scan', server, kind: 'scheduled', ...doc });
    const push = (server: string, partner: string): Action => ({ type: 'replicate', server, partner, mode: 'push' });
    const reach = (path: readonly Action[]) => {
      const sim = runPath(model, path);
      const key = new Uint32Array(2);
      sim.abstractHash([sim.serverNames()], key);
      return { text: sim.abstractKeys([sim.serverNames()])[0]!, hash: `${key[0]}:${key[1]}`, gammaDocs: sim.replica('Gamma', doc.db)!.size };
    };
    // A: Gamma gets Alpha's stamped version, then Beta's wins on Alpha (Alpha's version becomes a conflict document).
    const a = [scan('Alpha'), scan('Beta'), push('Alpha', 'Gamma'), push('Beta', 'Alpha')];
    // B: Gamma stamps its own version instead.
    const b = [scan('Alpha'), scan('Gamma'), scan('Beta'), push('Beta', 'Alpha')];
    const ra = reach(a);
    const rb = reach(b);
    expect(ra.text).not.toBe(rb.text);
    expect(ra.hash).not.toBe(rb.hash);
    // Why they must differ: Alpha pushing to Gamma next makes, on Gamma, the conflict document Alpha already holds
    // (the same loser, so the same UNID: 2 documents), or a new one over Gamma's own version (3).
    expect(reach([...a, push('Alpha', 'Gamma')]).gammaDocs).toBe(2);
    expect(reach([...b, push('Alpha', 'Gamma')]).gammaDocs).toBe(3);
  });
});

describe('explore: a state reached again has the successors of the state stored for it (the abstraction is a bisimulation)', () => {
  // Each transition that reaches a state already found must reach one whose every action leads where the stored
  // state's actions lead (by the canonical text of the abstract state, no reduction): otherwise the search merged two
  // states whose futures differ, and may miss what only the dropped one reaches. (2 servers x 1 document from depth 9
  // on is left out: 2 of 1,303 arrivals differ at depth 9, 98 of 11,935 at 11, each through a scan of a conflict of a
  // conflict document, whose tag hashes a `$REF` UNID: a limitation stated in abstractState.ts.)
  /** The abstract states every action leads to from `sim`'s state at `at` (the state left as it was). */
  const successors = (model: ExploreModel, sim: Simulator, at: number): string => {
    const snap = sim.snapshot();
    const keys = new Set<string>();
    for (const a of model.actions(sim, 0)) {
      sim.restore(snap);
      sim.feed({ line: 1, event: { ...a, at } as InputEvent });
      sim.runPendingWork();
      keys.add(sim.abstractKeys([sim.serverNames()])[0]!);
    }
    sim.restore(snap);
    return [...keys].sort().join('\n#####\n');
  };
  it.each([
    // Two members' equal stamps make two conflict documents of one name (R5); which servers hold which must count.
    // 4 of 4,399 arrivals differed while it did not (2026-12-06).
    ['3 servers x 1 document, scheduled replication', { servers: 3, docs: 1, replication: 'scheduled' }, 6],
    ['3 servers x 1 document, cluster pushes', { servers: 3, docs: 1 }, 6],
    ['2 servers x 2 documents', { servers: 2, docs: 2 }, 7],
  ] as const)('%s', (_label, settings, depth) => {
    const model = stormExploreModel({ settings });
    const stored = new Map<number, string>();
    let arrivals = 0;
    const differ: number[] = [];
    const r = explore(model, {
      depth,
      symmetry: false,
      partialOrder: false,
      storms: false,
      onTransition: (sim, t) => {
        if (t.depth >= depth) return; // the last depth's states are not expanded
        const s = successors(model, sim, t.nextAt);
        const was = stored.get(t.state);
        if (was === undefined) stored.set(t.state, s);
        else {
          arrivals++;
          if (was !== s) differ.push(t.state);
        }
      },
    });
    expect(r.stepMs).toBe(STEP_MS); // one search: a retry with a longer step numbers its states anew
    expect(arrivals).toBeGreaterThan(500);
    expect(differ).toEqual([]);
  });

  it('a hook that runs the simulator at each transition changes nothing the search finds (its derived events were read as the step\'s: a shorter "shortest" violation, a review)', () => {
    const model = stormExploreModel({ settings: { servers: 2, docs: 1 } });
    const opts = { depth: 6, invariants: [EXPLORE_INVARIANTS['no-conflict']!] };
    const plain = explore(model, opts);
    const hooked = explore(model, { ...opts, onTransition: (sim, t) => void successors(model, sim, t.nextAt) });
    expect(plain.violation?.steps).toBe(3);
    expect(hooked.violation?.steps).toBe(plain.violation?.steps);
    expect(hooked.violation?.log).toBe(plain.violation?.log);
    expect(hooked.distinctStates).toBe(plain.distinctStates);
    expect(hooked.scannerRevisions).toBe(plain.scannerRevisions);
  });
});

describe('explore: the fast state key agrees with the canonical text', () => {
  // abstractHash hashes the abstract state's fields directly; abstractKeys writes them as text (the readable
  // reference). Searched by the text, every state is listed with both keys: equal texts must give equal hashes and
  // different texts different hashes (a 64-bit collision among these few thousand states has odds below 1 in 10^11,
  // so any clash is a bug), and the search by hash must find the same states, violation and storm.
  it.each([
    ['2 servers x 2 documents, symmetry', { servers: 2, docs: 2 }, 7, 0, false, true],
    ['2 servers x 2 documents, no symmetry', { servers: 2, docs: 2 }, 7, 0, false, false],
    ['per-server keys, on-write scans of arrivals (a storm)', { servers: 2, docs: 2, keys: 'per-server', config: 'scanReplicatedWrites=true' }, 6, 0, false, false],
    ['3 servers x 1 document, symmetry', { servers: 3, docs: 1 }, 6, 0, false, true],
    ['2 servers x 1 document, faults and a user save', { servers: 2, docs: 1 }, 5, 1, true, false],
    ['scan-cache design (scanner memory in the state)', { servers: 2, docs: 2, design: 'scan-cache' }, 6, 0, false, false],
    // Late saves: states with an on-write scan due, by which server and document (AbstractSource.scans).
    // (One save: with two, states alike but for the saves spent are two states of one text, which this count assumes
    // away.)
    ['sso-mail-only, a user save (late saves), symmetry', { servers: 2, docs: 2, design: 'sso-mail-only' }, 6, 1, false, true],
    ['sso-mail-only, 3 servers x 1 document, a user save (late saves), no symmetry', { servers: 3, docs: 1, design: 'sso-mail-only' }, 6, 1, false, false],
  ] as const)('%s', (_label, settings, depth, userActions, faults, symmetry) => {
    const model = stormExploreModel({ settings, userActions, faults });
    const names = model.symmetricServers;
    const key = new Uint32Array(2);
    const textOf = new Map<string, string>();
    const hashOf = new Map<string, string>();
    const opts = { depth, symmetry, invariants: [EXPLORE_INVARIANTS['no-conflict']!] };
    const byText = explore(model, {
      ...opts,
      textKeys: true,
      onNewState: (sim) => {
        const own = sim.serverNames();
        const orders = symmetry ? permutationsOf(names).map((o) => own.map((n) => o[names.indexOf(n)] ?? n)) : [own];
        const text = sim.abstractKeys(orders).sort()[0]!;
        sim.abstractHash(orders, key);
        const hash = `${key[1]!.toString(16)}:${key[0]!.toString(16)}`;
        expect(hashOf.get(text) ?? hash).toBe(hash);
        expect(textOf.get(hash) ?? text).toBe(text);
        hashOf.set(text, hash);
        textOf.set(hash, text);
      },
    });
    const byHash = explore(model, opts);
    expect(textOf.size).toBe(byText.distinctStates);
    expect(byHash.distinctStates).toBe(byText.distinctStates);
    expect(byHash.statesGenerated).toBe(byText.statesGenerated);
    expect(byHash.violation?.log).toBe(byText.violation?.log);
    expect(byHash.storm?.log).toBe(byText.storm?.log);
  });
});

describe('explore: the fast state key agrees with the canonical text, deeper', () => {
  // The cases above list every state; this one goes a level deeper than they can afford and compares counts only:
  // a hash that told apart two states of equal text (a cache answering wrongly once warm) showed only at depth 9.
  it('2 servers x 2 documents to depth 8: the same states, transitions and violation by text and by hash', () => {
    const model = stormExploreModel({ settings: { servers: 2, docs: 2 } });
    const opts = { depth: 8, invariants: [EXPLORE_INVARIANTS['no-conflict']!] };
    const byText = explore(model, { ...opts, textKeys: true });
    const byHash = explore(model, opts);
    expect(byHash.distinctStates).toBe(byText.distinctStates);
    expect(byHash.statesGenerated).toBe(byText.statesGenerated);
    expect(byHash.violation?.log).toBe(byText.violation?.log);
  });
});

describe('explore: reductions lose no state', () => {
  // Each state as the unreduced search sees it: its depth and its abstract key under the servers' own names.
  const statesOf = (model: ReturnType<typeof stormExploreModel>, opts: Parameters<typeof explore>[1]) => {
    const keys = new Set<string>();
    const r = explore(model, { ...opts, onNewState: (sim, depth) => keys.add(`${depth}:${sim.abstractKeys([sim.serverNames()])[0]}`) });
    return { r, keys };
  };

  it.each([
    ['2 identical servers x 2 documents', { servers: 2, docs: 2 }, 5],
    ['3 identical servers x 1 document', { servers: 3, docs: 1 }, 5],
    // Deep enough for conflicts of conflict documents (a `$REF` to a UNID made of a concrete time): 6,350 states
    // against 6,354 orbits while that UNID was part of the state (an acceptance QA pass).
    ['2 identical servers x 1 document, conflicts of conflict documents', { servers: 2, docs: 1 }, 10],
  ] as const)('symmetry: %s: one state per orbit of the unreduced search, at the same depth', (_label, settings, depth) => {
    const model = stormExploreModel({ settings });
    // The unreduced searches without partial-order reduction either (it is used with symmetry too): a fault in it
    // showed here as symmetry's (a developer's review).
    const full = explore(model, { depth, symmetry: false, partialOrder: false, onNewState: () => {} });
    const orbits = new Set<string>();
    const names = model.symmetricServers;
    const orders = permutationsOf(names);
    explore(model, {
      depth,
      symmetry: false,
      partialOrder: false,
      // Not by depth: the initial state is not itself symmetric (the documents start on the first server), so two
      // members of an orbit may first be reached at different depths; the reduced search meets the orbit at the first.
      onNewState: (sim) => orbits.add(sim.abstractKeys(orders.map((o) => sim.serverNames().map((n) => o[names.indexOf(n)] ?? n))).sort()[0]!),
    });
    const reduced = explore(model, { depth });
    expect(reduced.distinctStates).toBeLessThan(full.distinctStates);
    expect(reduced.distinctStates).toBe(orbits.size);
  });

  it.each([
    ['2 servers x 2 documents (no symmetry)', { servers: 2, docs: 2 }, 6, 0, false],
    ['per-server keys, on-write scans of arrivals (a storm)', { servers: 2, docs: 2, keys: 'per-server', config: 'scanReplicatedWrites=true' }, 6, 0, false],
    ['3 servers x 2 documents, one user save', { servers: 3, docs: 2 }, 4, 1, false],
    // (2 documents: with 1, no pair of actions is independent, now that scans of conflict documents are not taken as such.)
    ['2 servers x 2 documents, with faults and a user save', { servers: 2, docs: 2 }, 4, 1, true],
    // Late saves (sso-mail-only scans saves on write): never independent, and no pruning where the step ran work a
    // late one left due.
    ['2 servers x 2 documents, sso-mail-only, two user saves (late saves)', { servers: 2, docs: 2, design: 'sso-mail-only' }, 4, 2, false],
  ] as const)('partial-order reduction: %s: the same states at the same depths, the same shortest violation and storm', (_label, settings, depth, userActions, faults) => {
    const model = stormExploreModel({ settings, userActions, faults });
    const opts = { depth, symmetry: false, invariants: [EXPLORE_INVARIANTS['no-conflict']!] };
    const reduced = statesOf(model, { ...opts, partialOrder: true });
    const full = statesOf(model, { ...opts, partialOrder: false });
    expect(reduced.r.partialOrder).toBe(true);
    expect(full.r.partialOrder).toBe(false);
    expect(reduced.r.prunedByPartialOrder).toBeGreaterThan(0);
    expect(reduced.r.statesGenerated).toBeLessThan(full.r.statesGenerated);
    expectSameStates(reduced.keys, full.keys);
    expect(reduced.r.violation?.log).toBe(full.r.violation?.log);
    expect(reduced.r.storm?.log).toBe(full.r.storm?.log);
  });

  it('partial-order reduction takes no scan of a conflict document as independent: 2 servers x 1 document to depth 11, the same states as the full search', () => {
    // Reduced with them, this search found 8 states fewer than the full one (an acceptance QA pass), 6 of 37,333 since
    // the conflict document's name was fixed (2026-12-06; why, as traced: stormModel.ts, beside `independent`), 6 of
    // 37,376 once documents of one name carry their sharing. With one document of the scenario's own, no pair is
    // independent now: the reduced search is the full one.
    const model = stormExploreModel({ settings: { servers: 2, docs: 1 } });
    const opts = { depth: 11, symmetry: false, invariants: [EXPLORE_INVARIANTS['no-conflict']!] };
    const reduced = statesOf(model, { ...opts, partialOrder: true });
    const full = statesOf(model, { ...opts, partialOrder: false });
    expect(reduced.r.prunedByPartialOrder).toBe(0);
    expectSameStates(reduced.keys, full.keys);
    expect(reduced.r.violation?.log).toBe(full.r.violation?.log);
  });

  it.each([
    ['2 identical servers x 2 documents', { servers: 2, docs: 2 }, 7, 0, false],
    ['2 identical servers x 3 documents, one user save', { servers: 2, docs: 3 }, 5, 1, false],
    ['3 identical servers x 2 documents', { servers: 3, docs: 2 }, 5, 0, false],
    ['2 identical servers x 2 documents, on-write scans of arrivals', { servers: 2, docs: 2, config: 'scanReplicatedWrites=true' }, 6, 0, false],
    ['2 identical servers x 2 documents, with faults and a user save', { servers: 2, docs: 2 }, 4, 1, true],
    ['2 identical servers x 2 documents, sso-mail-only, two user saves (late saves)', { servers: 2, docs: 2, design: 'sso-mail-only' }, 4, 2, false],
  ] as const)('partial-order reduction with symmetry: %s: the same states, by their own names, at the same depths, the same shortest violation and storm as the symmetric search without it', (_label, settings, depth, userActions, faults) => {
    // The representatives themselves are the same (the argument beside `por` in explore.ts: each orbit is first
    // reached by the same least path), so the states are compared as stored, not by orbit.
    const model = stormExploreModel({ settings, userActions, faults });
    const opts = { depth, invariants: [EXPLORE_INVARIANTS['no-conflict']!] };
    const reduced = statesOf(model, { ...opts, partialOrder: true });
    const full = statesOf(model, { ...opts, partialOrder: false });
    expect(model.symmetricServers.length).toBeGreaterThan(1);
    expect(reduced.r.partialOrder).toBe(true);
    expect(reduced.r.prunedByPartialOrder).toBeGreaterThan(0);
    expect(reduced.r.statesGenerated).toBe(full.r.statesGenerated - reduced.r.prunedByPartialOrder);
    expectSameStates(reduced.keys, full.keys);
    expect(reduced.r.violation?.log).toBe(full.r.violation?.log);
    expect(reduced.r.storm?.log).toBe(full.r.storm?.log);
    expect(reduced.r.exhausted).toBe(full.r.exhausted);
  });

  it('partial-order reduction is not used for a design of yours, and the reason says the search cannot tell whether it writes a time (it said "may write a time" as of a built-in that does: a researcher\'s QA pass)', () => {
    const mine = defineDesign<Record<string, never>>({ name: 'mine', description: 'stamps a fixed value', defaults: {}, symmetric: true, scan: () => ({ verdict: 'clean', set: [['X-Mine', 'yes']] }) }) as ScannerDesign<object>;
    const model = stormExploreModel({ settings: { servers: 2, docs: 1, design: 'mine' }, registry: builtinRegistry([mine]) });
    expect(model.independent).toBeUndefined();
    expect(model.noPartialOrder).toBe('a design of yours (mine) may write a time into a document or its memory, which the search cannot tell, so two actions in either order can leave different states');
  });

  it.each([
    ['smsdom with tagIncludesScanTime (the tag holds its scan time)', { servers: 2, docs: 2, config: 'tagIncludesScanTime=true' }, 4, 0],
    ['scan-cache (its memory is keyed by OID: a seq and a time), two user saves', { servers: 2, docs: 2, design: 'scan-cache' }, 4, 2],
  ] as const)('partial-order reduction is not used for %s: two scans in either order write different times, and reduced, the search lost states (a differential run)', (_label, settings, depth, userActions) => {
    const model = stormExploreModel({ settings, userActions });
    expect(model.independent).toBeUndefined();
    expect(model.noPartialOrder).toMatch(/^a design here \((smsdom|scan-cache)\) writes a time into a document or its memory, so two actions in either order can leave different states$/);
    for (const symmetry of [false, true]) {
      const asked = statesOf(model, { depth, symmetry, partialOrder: true });
      const full = statesOf(model, { depth, symmetry, partialOrder: false });
      expect(asked.r.partialOrder).toBe(false);
      expectSameStates(asked.keys, full.keys);
    }
    // Why: given the independence a time-free design has, the search loses states of these.
    const forced = { ...model, independent: stormExploreModel({ settings: { servers: 2, docs: 2 } }).independent! };
    const reduced = statesOf(forced, { depth, symmetry: false, partialOrder: true });
    expect(reduced.r.partialOrder).toBe(true);
    expect(reduced.keys.size).toBeLessThan(statesOf(model, { depth, symmetry: false, partialOrder: false }).keys.size);
  });

  it('partial-order reduction is used with symmetry reduction, and not when periodic work runs between steps', () => {
    expect(explore(stormExploreModel({ settings: { servers: 2 } }), { depth: 3 }).partialOrder).toBe(true);
    expect(explore(stormExploreModel({ settings: { servers: 2, docs: 2, keys: 'per-server', clusterIntervalMs: 1000 } }), { depth: 3 }).partialOrder).toBe(false);
    expect(explore(stormExploreModel({ settings: { servers: 2, docs: 2, keys: 'per-server' } }), { depth: 3 }).partialOrder).toBe(true);
  });
});

/**
 * The two searches reached the same states: said as counts and the first few states each lacks (toEqual on the sets
 * printed a diff of 27,000 lines for one lost state class).
 */
function expectSameStates(reduced: ReadonlySet<string>, full: ReadonlySet<string>): void {
  const lost = [...full].filter((k) => !reduced.has(k));
  const extra = [...reduced].filter((k) => !full.has(k));
  const first = (ks: string[]) => ks.slice(0, 3).map((k) => (k.length > 400 ? `${k.slice(0, 400)}...` : k));
  expect({ lost: lost.length, extra: extra.length, firstLost: first(lost), firstExtra: first(extra) }, `of ${full.size} states of the unreduced search`).toEqual({ lost: 0, extra: 0, firstLost: [], firstExtra: [] });
}

function permutationsOf<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutationsOf([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('explore: actions compared field by field', () => {
  // Partial-order reduction finds the action that reached a state among those listed from it by sameAction, which
  // names its cheap fields one by one: a field left out of that comparison and out of the rest would make two
  // different actions the same, and the reduction would prune the wrong one.
  it('partial-order reduction: two actions differing in any one field an input event may have are different actions, and an action is itself', () => {
    const base = { type: 'save', server: 'Alpha', db: 'mail.nsf', unid: 'A'.repeat(32), by: 'user/ann' } as unknown as Action;
    expect(ACTION_FIELD_NAMES.length).toBeGreaterThan(20);
    for (const f of ACTION_FIELD_NAMES) {
      const a = { ...base, [f]: 'one' } as unknown as Action;
      const b = { ...base, [f]: 'two' } as unknown as Action;
      expect(sameAction(a, b), f).toBe(false);
      expect(sameAction(a, { ...a }), f).toBe(true);
    }
    // A save's items (a Map) by their entries, not by identity.
    const set = (v: string) => ({ ...base, set: new Map([['Body', v]]) }) as unknown as Action;
    expect(sameAction(set('x'), set('x'))).toBe(true);
    expect(sameAction(set('x'), set('y'))).toBe(false);
  });
});

describe('explore: counterexamples, shortest and replayable', () => {
  it('R12/R13: a save and its on-write scan are not one step: a push between them (the save late in its step) is searched, and its log replays to the conflict it makes (a researcher\'s QA pass: sso-mail-only passed an exhausted search, and a 6-event log made a conflict)', () => {
    const model = stormExploreModel({ settings: { servers: 2, docs: 1, design: 'sso-mail-only' }, userActions: 2 });
    for (const symmetry of [true, false]) {
      // The shortest (the QA pass's own race): Ann's save on one member, late in its step; the push carries it to the
      // other before its stamp (seq 3); her save there descends from it (R4, seq 3) and is stamped there (seq 4); that
      // member's push: the first one's stamp is not among its revisions, a conflict (seq 4 over 3, R5), where with
      // scanners only cleaning the second save descends from the first and replaces it: no conflict at all.
      const r = explore(model, { depth: 4, invariants: [EXPLORE_INVARIANTS['no-scanner-conflicts']!], storms: false, symmetry });
      const why = r.violation?.explanation.join('\n');
      expect(r.violation?.steps, why).toBe(4);
      expect(r.violation!.explanation[0], why).toMatch(/^step 1 \(line \d+, at 179999 ms\): save by user\/ann on (Alpha|Beta) .*, late in its step \(its last millisecond\): the next step's action comes before the on-write scan it sets off: user\/ann saved \S+ on \w+ \(seq 2\)$/);
      expect(r.violation!.explanation[1], why).toMatch(/^step 2 .*: cluster push (Alpha -> Beta|Beta -> Alpha): \S+ updated on \w+ \(seq 2, from \w+\); scanner\/sso-mail-only saved \S+ on \w+ \(seq 3\)$/);
      expect(r.violation!.explanation[3], why).toMatch(/CONFLICT on \w+ over \S+: the version arriving from \w+, seq 4@\d+, wins over \w+'s own, seq 3@\d+ \(more saves, R5\)/);
      // The log has the save at its step's last millisecond, and replays to the conflict; with noop, to none.
      const events = r.violation!.events;
      expect(events.filter((e) => e.type === 'save' && e.by === 'user/ann').map((e) => e.at)).toEqual([179_999, 240_000]);
      expect(replay(r.violation!.log).summary.conflicts).toBe(1);
      const noop = events.map((e) => (e.type === 'scanner' ? { ...e, design: 'noop' } : e));
      expect(runEvents(noop, { behaviours: factory }).summary.conflicts).toBe(0);
    }
    // Two saves of one document on the two members, the first stamped before it is pushed, conflict with scanners
    // only cleaning too, once replication goes on (R5: diverged versions): not the design's, though on the path the
    // stamp's seq makes the conflict a push earlier (3 steps; explore reported it as the design's until its baseline
    // was drained after the path: cleanOnlyConflicted).
    const early: number[] = [];
    const whole: ExploreInvariant = {
      name: 'users-only',
      description: 'collects 3-step conflicts of two user saves, each once stamped, that the baseline conflicts too',
      check: ({ derived, cleanOnlyConflicted }) => {
        for (const e of derived) if (e.type === 'conflict' && e.winner.seq === 3 && e.loser.seq === 2 && cleanOnlyConflicted!()?.has(e.unid) === true) early.push(e.at);
        return undefined;
      },
    };
    explore(model, { depth: 3, invariants: [whole], storms: false });
    expect(early.length).toBeGreaterThan(0);
  });

  it('R9/R12: with scheduled replication (no cluster queues) the baseline is drained by sessions: the same race, 4 steps, not the users\' 3-step conflict', () => {
    const model = stormExploreModel({ settings: { servers: 2, docs: 1, design: 'sso-mail-only', replication: 'scheduled' }, userActions: 2 });
    const r = explore(model, { depth: 4, invariants: [EXPLORE_INVARIANTS['no-scanner-conflicts']!], storms: false });
    const why = r.violation?.explanation.join('\n');
    expect(r.violation?.steps, why).toBe(4);
    expect(r.violation!.explanation[0], why).toMatch(/late in its step/);
    expect(r.violation!.explanation[3], why).toMatch(/^step 4 .*: replication \w+ -> \w+ \(push\): CONFLICT on \w+ .*seq 4@\d+, wins over \w+'s own, seq 3@\d+/);
  });

  it('R5/R12: the baseline\'s drain heals a partition and restarts a crashed server before replicating, so users\' divergent saves still meet', () => {
    const X = '0000000000000000000000000000D001';
    const save = (at: number, server: string, subject: string): InputEvent => ({ at, type: 'save', server, db: 'd', unid: X, by: 'user/ann', set: new Map([['Subject', subject]]) });
    const path = (last: InputEvent): InputEvent[] => [
      { at: 0, type: 'server', name: 'Alpha', cluster: 'Hub', clusterIntervalMs: 0 },
      { at: 0, type: 'server', name: 'Beta', cluster: 'Hub', clusterIntervalMs: 0 },
      { at: 0, type: 'database', name: 'd', replicas: ['Alpha', 'Beta'] },
      save(10, 'Alpha', 'a'),
      { at: 20, type: 'push', server: 'Alpha', partner: 'Beta' },
      save(30, 'Alpha', 'b'),
      save(40, 'Beta', 'c'),
      last,
      { at: 60_000, type: 'end' },
    ];
    const plain = behaviourFactory(builtinRegistry());
    // The two saves diverged (R4: neither descends from the other): drained, they conflict (R5).
    for (const last of [{ at: 50, type: 'partition', groups: [['Alpha']] }, { at: 50, type: 'crash', server: 'Alpha' }, { at: 50, type: 'heal' }] as InputEvent[]) {
      expect([...(cleanOnlyConflicted(plain, path(last)) ?? [])], last.type).toEqual([X]);
    }
    // On the path alone (no drain: each side's queue waits), none.
    expect(runEvents(path({ at: 50, type: 'heal' }), { behaviours: plain }).summary.conflicts).toBe(0);
  });

  // Writes nothing; its watches() throws on a replicated conflict document, which the drain's pushes bring (the two
  // tests of a design failing in the drain).
  const picky = defineDesign<Record<string, never>>({
    name: 'picky',
    description: 'reads only; watches throws on a replicated conflict document',
    defaults: {},
    symmetric: true,
    watches: (w) => {
      if (w.origin === 'replicated' && w.note.items.some((i) => i.key === '$conflict')) throw new Error('picky: a replicated conflict document');
      return w.origin === 'save';
    },
    scan: () => ({ verdict: 'clean' }),
  });

  it('R13: a design that throws only in the baseline\'s drain is judged on the path, as before the drain: design-runs, not a no-scanner-conflicts violation "could not be run to compare" (a review)', () => {
    // (picky: its watches() throws on a replicated conflict document, which the drain's pushes bring.)
    const model = stormExploreModel({ settings: { servers: 2, docs: 1, design: 'picky' }, userActions: 2, registry: builtinRegistry([picky as never]) });
    const r = explore(model, { depth: 4, invariants: [EXPLORE_INVARIANTS['no-scanner-conflicts']!], storms: false });
    expect(r.violations.map((v) => v.invariant)).toEqual(['design-runs']);
  });

  it('R12/R13: judged on the path alone (a design failing in the drain), the path runs to its own `end`: work due after it (a cluster tick) does not run', () => {
    // Alpha and Beta save one document before the first cluster tick (at 1,000 ms); the path ends at 500. The drain's
    // pushes make the conflict and carry its conflict document, on which the design throws: judged on the path, which
    // stops at its end (event-log.md, "When a run stops"), before the tick: no conflict. Run past its end (finish
    // without it), the tick's pushes made the conflict and the design threw there too: "could not be run" (undefined).
    const X = '0000000000000000000000000000D001';
    const baseline = behaviourFactory(builtinRegistry([picky as never]));
    const events = (end: boolean): InputEvent[] => [
      { at: 0, type: 'server', name: 'Alpha', cluster: 'Hub', clusterIntervalMs: 1_000 },
      { at: 0, type: 'server', name: 'Beta', cluster: 'Hub', clusterIntervalMs: 1_000 },
      { at: 0, type: 'database', name: 'd', replicas: ['Alpha', 'Beta'] },
      { at: 0, type: 'scanner', server: 'Alpha', design: 'picky' },
      { at: 0, type: 'scanner', server: 'Beta', design: 'picky' },
      { at: 10, type: 'save', server: 'Alpha', db: 'd', unid: X, by: 'user/ann', set: new Map([['Subject', 'a']]) },
      { at: 20, type: 'save', server: 'Beta', db: 'd', unid: X, by: 'user/bob', set: new Map([['Subject', 'b']]) },
      ...(end ? [{ at: 500, type: 'end' } as InputEvent] : []),
    ];
    expect(cleanOnlyConflicted(baseline, events(true))).toEqual(new Set());
    // (What a run past the end meets: the tick's pushes conflict, and the design throws on the conflict document.)
    expect(() => runEvents(events(false), { behaviours: baseline })).toThrow(/picky: a replicated conflict document/);
    expect(runEvents(events(true), { behaviours: baseline }).summary.conflicts).toBe(0);
  });

  it('R12: the baseline\'s drain stops after its 8 rounds where replication never quiets (a safeguard: a baseline that storms), and reports what it saw', () => {
    // Per-server keys, arrivals scanned: every push's arrival is restamped on its destination and queued back, so no
    // round of the drain is quiet. Without the cap the call never returns (the test times out).
    const X = '0000000000000000000000000000D001';
    const scanner = (server: string, key: string): InputEvent => ({ at: 0, type: 'scanner', server, design: 'smsdom', config: { key, scanReplicatedWrites: true } });
    const events: InputEvent[] = [
      { at: 0, type: 'server', name: 'Alpha', cluster: 'Hub', clusterIntervalMs: 0 },
      { at: 0, type: 'server', name: 'Beta', cluster: 'Hub', clusterIntervalMs: 0 },
      { at: 0, type: 'database', name: 'd', replicas: ['Alpha', 'Beta'] },
      scanner('Alpha', 'KEYALPHA00000001'),
      scanner('Beta', 'KEYBETA000000001'),
      { at: 10, type: 'save', server: 'Alpha', db: 'd', unid: X, by: 'user/ann', set: new Map<string, ItemValue>([['$FILE', [{ name: 'a.txt', infected: false }]]]) },
      { at: 60_000, type: 'end' },
    ];
    const storming = behaviourFactory(builtinRegistry());
    const seen: number[] = [];
    let revisions = 0;
    // The scans made, arrivals restamped round after round: 18 with the cap's 8 rounds (16 with 7, 20 with 9: 2 a
    // round, measured), so the count pins the cap.
    let scans = 0;
    const counting: BehaviourFactory = (design, config, where) => {
      const b = storming(design, config, where);
      if (b === undefined) return undefined;
      return {
        ...b,
        scan: (ctx) => {
          scans++;
          return b.scan(ctx);
        },
      };
    };
    expect(cleanOnlyConflicted(counting, events)).toEqual(new Set());
    expect(scans).toBe(18);
    // (That it storms: the same log with pushes by hand, each arrival restamped.)
    const pushes = [1, 2, 3, 4].map((k): InputEvent => ({ at: 10_000 * k, type: 'push', server: k % 2 === 1 ? 'Alpha' : 'Beta', partner: k % 2 === 1 ? 'Beta' : 'Alpha' }));
    runEvents([...events.slice(0, -1), ...pushes, events.at(-1)!], {
      behaviours: storming,
      onDerived: (e) => {
        if (isScannerRevision(e)) {
          revisions++;
          seen.push(e.at);
        }
      },
    });
    expect(revisions, seen.join(' ')).toBe(5);
  });

  it('R13: a late action is tried only where it leaves work due: a save no scanner watches is its whole step (the same states and transitions as before late actions)', () => {
    // noop watches nothing: its saves set off no on-write scan. Partial order prunes 6 saves here, whose late twins
    // are tried all the same and dropped, nothing being due: the counts of the search before late actions (ac59d6f).
    const noop = explore(stormExploreModel({ settings: { servers: 2, docs: 2, design: 'noop' }, userActions: 2 }), { depth: 4, invariants: [], storms: false, symmetry: false });
    expect([noop.distinctStates, noop.transitions, noop.prunedByPartialOrder]).toEqual([55, 250, 6]);
    // (Late saves of sso-mail-only: states with its scan due, and what follows them.)
    const scanning = explore(stormExploreModel({ settings: { servers: 2, docs: 2, design: 'sso-mail-only' }, userActions: 2 }), { depth: 4, invariants: [], storms: false, symmetry: false });
    expect(scanning.distinctStates).toBeGreaterThan(noop.distinctStates);
    // One action between a save and its on-write scan (LATE): a save is not tried late from a state that already has
    // a scan due (reached by a late save). Tried there too, the search makes 16 more transitions (782) to the same
    // 165 states: the count pins the rule, which no state shows.
    expect([scanning.distinctStates, scanning.transitions]).toEqual([165, 766]);
  });

  it('R5/R16: both members stamping the same document: the shortest conflict is scan, scan, push (3 steps), and the log replays to it', () => {
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1 } }), { depth: 4, invariants: [EXPLORE_INVARIANTS['no-conflict']!] });
    expect(r.violation?.invariant).toBe('no-conflict');
    expect(r.violation!.explanation).toHaveLength(3);
    expect(r.violation!.steps).toBe(3);
    expect(r.violation!.explanation[0]).toMatch(/scan/);
    expect(r.violation!.explanation[1]).toMatch(/scan/);
    expect(r.violation!.explanation[2]).toMatch(/push.*CONFLICT/);
    expect(replay(r.violation!.log).summary.conflicts).toBe(1);
    // The log's header says what it shows (replay prints it), as verify's logs do.
    expect(decodeLogText(r.violation!.log).header.meta).toMatchObject({ recordedBy: 'replstorm explore', invariant: 'no-conflict', violation: r.violation!.message });
  });

  it('R5/R13: a no-conflict violation carries the counterfactual: the conflicts the same path makes with each scanner only cleaning (verify\'s baseline)', () => {
    // Two users save one document on two servers; sso-mail-only's on-write scans stamp both saves; the push conflicts.
    // With scanners that only clean, the two user saves still conflict: 1.
    const users = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'sso-mail-only' }, userActions: 2 }), { depth: 3, invariants: [EXPLORE_INVARIANTS['no-conflict']!], storms: false });
    expect(users.violation?.scannerRevisions).toBeGreaterThan(0);
    expect(users.violation?.cleanOnlyConflicts).toBe(1);
    // The seed's conflict: both members stamp one document; scanners that only clean make none.
    const seed = explore(stormExploreModel({ settings: { servers: 2, docs: 1 } }), { depth: 3, invariants: [EXPLORE_INVARIANTS['no-conflict']!], storms: false });
    expect(seed.violation?.cleanOnlyConflicts).toBe(0);
    // Only no-conflict's violations carry it.
    const rev = explore(stormExploreModel({ settings: { servers: 2, docs: 1 } }), { depth: 1, invariants: [EXPLORE_INVARIANTS['no-scanner-revision']!], storms: false });
    expect(rev.violation?.invariant).toBe('no-scanner-revision');
    expect(rev.violation?.cleanOnlyConflicts).toBeUndefined();
  });

  it('R5/R13: with two invariants, each violated one is reported with its own shortest path: a scanner revision at step 1 does not hide the conflict at step 3', () => {
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1 } }), {
      depth: 4,
      invariants: [EXPLORE_INVARIANTS['no-conflict']!, EXPLORE_INVARIANTS['no-scanner-revision']!],
      storms: false,
    });
    expect(r.violation?.invariant).toBe('no-scanner-revision'); // the first found, as before
    expect(r.violations.map((v) => [v.invariant, v.steps])).toEqual([
      ['no-scanner-revision', 1],
      ['no-conflict', 3],
    ]);
    expect(replay(r.violations[1]!.log).summary.conflicts).toBe(1);
    // One invariant violated: violations is that one alone.
    const one = explore(stormExploreModel({ settings: { servers: 2, docs: 1 } }), { depth: 4, invariants: [EXPLORE_INVARIANTS['no-conflict']!], storms: false });
    expect(one.violations).toEqual([one.violation]);
  });

  it('R5/R13: a conflict with a version the setup made is explained: the setup\'s scanner revisions are said before step 1 (the loser, seq 2@61011, was in no step)', () => {
    const r = explore(spreadAfterInstall(stormExploreModel({ settings: { servers: 2, docs: 1, keys: 'per-server', config: 'scanReplicatedWrites=true' } })), { depth: 3, invariants: [EXPLORE_INVARIANTS['no-conflict']!], storms: false });
    expect(r.violation!.explanation[1]).toMatch(/CONFLICT on Beta over \S+: the version arriving from Alpha, seq 2@121010, wins over Beta's own, seq 2@61011 \(the later seqTime at equal seq, R5\); Beta's version is kept there as conflict document [0-9A-F]{32}/);
    // The arrival that made it is not said again (an explore QA pass).
    expect(r.violation!.explanation[1]).not.toMatch(/conflict on Beta \(seq/);
    expect(r.violation!.setup).toMatch(/^setup \(lines 2-8\): scanner\/smsdom saved \S+ on Beta \(seq 2, triggered by the arrival from Alpha\)$/);
    // The replay's own events agree: Beta's on-write stamp of the spread's arrival, at 61,011 ms.
    const stamp = replay(r.violation!.log).derived.find((e) => e.type === 'revised' && e.by === 'scanner/smsdom');
    expect(stamp).toMatchObject({ server: 'Beta', seq: 2, seqTime: 61_011 });
    // A setup in which no scanner acted has nothing to say.
    const plain = explore(stormExploreModel({ settings: { servers: 2, docs: 1 } }), { depth: 3, invariants: [EXPLORE_INVARIANTS['no-conflict']!], storms: false });
    expect(plain.violation!.setup).toBeUndefined();
  });

  it('R16: per-server keys with on-write scanning of arrivals: a storm cycle of pushes alone, whose log replays to a run that never quiesces', () => {
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, keys: 'per-server', config: 'scanReplicatedWrites=true' } }), { depth: 5, invariants: [] });
    expect(r.storm).toBeDefined();
    expect(r.storm!.loopEvents.every((e) => e.type === 'push')).toBe(true);
    const { summary, derived } = replay(r.storm!.log);
    expect(summary.quiescent).toBe(false);
    // Every push of the loop made a scanner revision triggered by the arrival (via), twice round.
    const viaSaves = derived.filter((e) => e.type === 'revised' && e.by === 'scanner/smsdom' && e.via !== undefined);
    expect(viaSaves.length).toBeGreaterThanOrEqual(2 * r.storm!.loopEvents.length);
  });

  it('progress is reported within a depth, every 1,024 new states, not only at its end (one depth of a large search takes minutes)', () => {
    const calls: { depth: number; distinct: number }[] = [];
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 2 } }), { depth: 8, invariants: [], storms: false, onProgress: (p) => calls.push({ depth: p.depth, distinct: p.distinct }) });
    expect(r.distinctStates).toBeGreaterThan(3 * 1024);
    // One call at each depth's end, and one at each 1,024th new state (in a depth: the one being searched).
    expect(calls.length).toBe(r.depthReached + Math.floor((r.distinctStates - 1) / 1024));
    for (let k = 1024; k < r.distinctStates; k += 1024) expect(calls.some((c) => c.distinct === k), `at ${k}`).toBe(true);
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]!.distinct).toBeGreaterThanOrEqual(calls[i - 1]!.distinct);
      expect(calls[i]!.depth).toBeGreaterThanOrEqual(calls[i - 1]!.depth);
    }
    // The last depth's states were reported while it was searched, before its end.
    expect(calls.filter((c) => c.depth === r.depthReached).length).toBeGreaterThan(1);
  });

  it('R16: a design stamping the scan time on every arrival storms without repeating a state: no loop closes, and the result says storms are not decided (it said "no storm found"); designs that settle do not get it', () => {
    const tstag = defineDesign<Record<string, never>>({
      name: 'tstag',
      description: 'stamps the scan time on every clean scan, arrivals included',
      defaults: {},
      symmetric: true,
      watches: () => true,
      scan: ({ clock }) => ({ verdict: 'clean', set: [['X-Scanned', `clean@${clock}`]] }),
    }) as ScannerDesign<object>;
    const registry = builtinRegistry([tstag]);
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'tstag' }, registry }), { depth: 5, invariants: [] });
    expect(r.storm).toBeUndefined();
    expect(r.stormUndecided).toMatch(/^replication steps alone still stamped a document on the arrival of its last stamp at least [2-5] times in a row at depth 5, the last searched, without closing a loop/);
    const three = explore(stormExploreModel({ settings: { servers: 3, docs: 1, design: 'tstag' }, registry }), { depth: 5, invariants: [] });
    expect(three.stormUndecided).toBeDefined();
    // (3 servers scanning arrivals: one divergence's conflict document stamped on two mates, and conflict documents
    // of conflict documents, each stamped once: a fan-out that settles, which a count of stamping pushes in a row
    // called undecided; a review.)
    for (const settings of [{}, { design: 'sso-mail-only' }, { design: 'scan-cache' }, { design: 'cluster-aware' }, { config: 'scanReplicatedWrites=true' }, { servers: 3, config: 'scanReplicatedWrites=true' }]) {
      const sound = explore(stormExploreModel({ settings: { servers: 2, docs: 1, ...settings } }), { depth: 'servers' in settings ? 6 : 7, invariants: [] });
      expect(sound.stormUndecided, JSON.stringify(settings)).toBeUndefined();
    }
    // A storm that closes a loop is a storm, not undecided.
    const loop = explore(stormExploreModel({ settings: { servers: 2, docs: 1, keys: 'per-server', config: 'scanReplicatedWrites=true' } }), { depth: 5, invariants: [] });
    expect(loop.storm).toBeDefined();
    expect(loop.stormUndecided).toBeUndefined();
  });

  it('R16: whether storms are decided, and the run that says so, do not depend on symmetry reduction: a run of stamps reaching a state another path of its depth found first counts too (an explore QA pass: a counter-tag design read "no storm found", exit 0, with the reduction, and "storms NOT decided", exit 3, without)', () => {
    const bump = defineDesign<Record<string, never>>({
      name: 'bump',
      description: 'a counter tag: on-write scans (arrivals too) add one, other scans only where a tag is',
      defaults: {},
      symmetric: true,
      watches: () => true,
      scan: ({ note, kind }) => {
        const t = note.items.find((i) => i.key === 'x-ssotag');
        if (kind !== 'on-write' && t === undefined) return { verdict: 'clean' };
        return { verdict: 'clean', set: [['X-SSOTag', t === undefined ? 1 : Number(t.value) + 1]] };
      },
    }) as ScannerDesign<object>;
    const tstag = defineDesign<Record<string, never>>({ name: 'tstag', description: 'stamps the scan time on every write it sees', defaults: {}, symmetric: true, watches: () => true, scan: ({ clock }) => ({ verdict: 'clean', set: [['X-Scanned', `clean@${clock}`]] }) }) as ScannerDesign<object>;
    const registry = builtinRegistry([bump, tstag]);
    const cases: [string, number, number][] = [
      ['bump', 1, 3],
      ['bump', 1, 4],
      ['bump', 2, 4],
      ['tstag', 0, 4],
      ['tstag', 1, 4],
    ];
    for (const [design, userActions, depth] of cases) {
      const model = stormExploreModel({ settings: { servers: 2, docs: 1, design }, userActions, registry });
      const reduced = explore(model, { depth, invariants: [] });
      const full = explore(model, { depth, invariants: [], symmetry: false });
      const what = `${design}, user actions ${userActions}, depth ${depth}`;
      expect(reduced.distinctStates, what).toBeLessThan(full.distinctStates);
      expect(reduced.stormUndecided, what).toBe(full.stormUndecided);
      expect(reduced.storm !== undefined, what).toBe(full.storm !== undefined);
    }
    // The QA pass's case, which the first path alone read as settled.
    const qa = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'bump' }, userActions: 1, registry }), { depth: 3, invariants: [] });
    expect(qa.stormUndecided).toMatch(/at least 2 times in a row at depth 3/);
  });

  it('R16: a loop closed among the states the search identifies that a run does not repeat is no storm: a design stamping every write until a document\'s seq 6, or only before 0:07, gets storms not decided, and no storm log (an explore QA pass: "STORM", whose log replay called "reproduced NO")', () => {
    const seqcap = defineDesign<Record<string, never>>({
      name: 'seqcap',
      description: 'stamps every write it sees until seq 6',
      defaults: {},
      symmetric: true,
      watches: () => true,
      scan: ({ note }) => (note.seq >= 6 ? { verdict: 'clean' } : { verdict: 'clean', set: [['X-SSOTag', 'ok']] }),
    }) as ScannerDesign<object>;
    const early = defineDesign<Record<string, never>>({
      name: 'early',
      description: 'stamps every write it sees before 0:07',
      defaults: {},
      symmetric: true,
      watches: () => true,
      scan: ({ at, note }) => (at >= 420_000 ? { verdict: 'clean' } : { verdict: 'clean', set: [['X-SSOTag', `v${note.seq % 2}`]] }),
    }) as ScannerDesign<object>;
    const registry = builtinRegistry([seqcap, early]);
    for (const design of ['seqcap', 'early']) {
      const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design }, registry }), { depth: 8, invariants: [] });
      expect(r.storm, design).toBeUndefined();
      expect(r.stormNotConfirmed, design).toBe(true);
      expect(r.stormUndecided, design).toMatch(/^a loop of 2 replication steps from step \d+ closes among the states the search identifies and makes scanner revisions every time round, but its path, run from the initial state, does not come back stamping to where the loop started in every lap: a design of yours acts on what the search identifies/);
    }
    // One refused loop does not hide another that storms (a review): a design that stops stamping one document at
    // seq 6 and stamps the other for ever storms, whichever document is which (its first loop found is the refused one
    // in one of the two).
    const mixed = (name: string, stopsFirst: boolean) =>
      defineDesign<Record<string, never>>({
        name,
        description: 'stamps every write it sees, one of the two documents only until seq 6',
        defaults: {},
        symmetric: true,
        watches: () => true,
        scan: ({ note }) => ((note.unid < '00000000000000000000000005E7D002') === stopsFirst && note.seq >= 6 ? { verdict: 'clean' } : { verdict: 'clean', set: [['X-SSOTag', 'ok']] }),
      }) as ScannerDesign<object>;
    for (const stopsFirst of [true, false]) {
      const name = stopsFirst ? 'stops-first' : 'stops-second';
      const found = explore(stormExploreModel({ settings: { servers: 2, docs: 2, design: name }, registry: builtinRegistry([mixed(name, stopsFirst)]) }), { depth: 6, invariants: [] });
      expect(found.storm, name).toBeDefined();
      expect(found.stormUndecided, name).toBeUndefined();
    }
    // A built-in design's loop is claimed as the search closes it: with the cluster's timer between steps its laps meet
    // the ticks at other moments and do not come back to the state they started from, though each stamps (a review:
    // this storm of per-server keys was refused when built-in designs' loops were run to confirm them).
    const timer = explore(stormExploreModel({ settings: { servers: 2, docs: 1, keys: 'per-server', config: 'scanReplicatedWrites=true', clusterIntervalMs: 7000 } }), { depth: 6, invariants: [] });
    expect(timer.storm).toBeDefined();
    expect(timer.stormNotConfirmed).toBeUndefined();
    // A design that stamps on every write for ever storms, confirmed by the same run.
    const always = defineDesign<Record<string, never>>({ name: 'always', description: 'stamps every write it sees', defaults: {}, symmetric: true, watches: () => true, scan: () => ({ verdict: 'clean', set: [['X-SSOTag', 'ok']] }) }) as ScannerDesign<object>;
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'always' }, registry: builtinRegistry([always]) }), { depth: 8, invariants: [] });
    expect(r.storm).toBeDefined();
    expect(r.stormUndecided).toBeUndefined();
  });

  it('R12/R16: under symmetry reduction a storm\'s loop is written in the servers\' real names: each time round replays the same abstract state, and every step of it makes a scanner revision', () => {
    // A name-blind design that restamps every write it sees, arrivals included: push Alpha -> Beta, push Beta -> Alpha
    // is a storm. Symmetry stores each state under whichever renaming reached it first, so the loop's edges named the
    // servers of different renamings: the log said push Alpha -> Beta twice, and the second push sent nothing.
    const flip = defineDesign<Record<string, never>>({
      name: 'flip',
      description: 'flips X-Flip on every write it sees',
      defaults: {},
      symmetric: true,
      watches: () => true,
      scan: ({ note }) => ({ verdict: 'clean', set: [['X-Flip', note.items.some((i) => i.key === 'x-flip' && i.value === 'a') ? 'b' : 'a']] }),
    }) as ScannerDesign<object>;
    const registry = builtinRegistry([flip]);
    for (const servers of [2, 3]) {
      const model = stormExploreModel({ settings: { servers, docs: 1, design: 'flip' }, registry });
      expect(model.symmetricServers.length).toBe(servers);
      const r = explore(model, { depth: servers === 2 ? 6 : 5, invariants: [] });
      const storm = r.storm!;
      let scanned = false;
      const sim = new Simulator({ behaviours: behaviourFactory(registry), maxRunMs: 1, onDerived: (e) => (scanned ||= isScannerRevision(e)) });
      let line = 1;
      const keys: string[] = [];
      let revisions = 0;
      const inputs = storm.events.filter((e) => e.type !== 'end');
      inputs.forEach((e, i) => {
        scanned = false;
        // As replay runs the log: the setup's events at one `at` side by side, then their work; each step's work
        // before the next step.
        sim.feed({ line: ++line, event: e });
        if (i < model.setup.length - 1) return;
        sim.runPendingWork();
        if (i >= model.setup.length + storm.loopStart - 1 && scanned) revisions++;
        if (i >= model.setup.length - 1) keys.push(sim.abstractKeys([sim.serverNames()])[0]!);
      });
      const L = storm.loopEvents.length;
      const start = storm.loopStart - 1; // keys[k]: the state after k steps
      expect(keys[start + L], `${servers} servers`).toBe(keys[start]);
      expect(keys[start + 2 * L], `${servers} servers`).toBe(keys[start]);
      expect(revisions, `${servers} servers: steps of the two laps that made a scanner revision`).toBe(2 * L);
    }
  });

  it('R13/R5: scans slower than the step (scanMsPerDoc 90 s): steps are spread until each action ends within half a step, and the log still replays to the conflict', () => {
    // With steps 60 s apart the log put the push before the scan it raced had saved: the replay made no conflict.
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, config: 'scanMsPerDoc=90000' } }), { depth: 3, invariants: [EXPLORE_INVARIANTS['no-conflict']!] });
    expect(r.stepMs).toBeGreaterThanOrEqual(2 * 90_000);
    expect(r.violation!.explanation).toHaveLength(3);
    expect(replay(r.violation!.log).summary.conflicts).toBe(1);
  });

  it('the initial state is checked: a scanner revision made by the setup (an on-write scan of an arrival) is a violation of no step, and counted', () => {
    const r = explore(spreadAfterInstall(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'sso-mail-only', keys: 'per-server', config: 'scanReplicatedWrites=true' } })), {
      depth: 2,
      invariants: [EXPLORE_INVARIANTS['no-scanner-revision']!],
      storms: false,
    });
    expect(r.violation?.invariant).toBe('no-scanner-revision');
    expect(r.violation!.explanation).toEqual([expect.stringMatching(/^step 0, the initial state/)]);
    expect(r.violation!.steps).toBe(0);
    expect(r.scannerRevisions).toBeGreaterThan(0);
    // The log is the setup alone, and it makes that revision.
    const { derived } = replay(r.violation!.log);
    expect(derived.some(isScannerRevision)).toBe(true);
    // The scenario's own setup spreads the documents before the scanners come, as run does: its initial state has no
    // scanner revision (a QA pass: explore's setup stamped every arrival, which an idle run never does), and the
    // shortest revision is a step's.
    const own = explore(stormExploreModel({ settings: { servers: 2, docs: 1, keys: 'per-server', config: 'scanReplicatedWrites=true' } }), { depth: 2, invariants: [EXPLORE_INVARIANTS['no-scanner-revision']!], storms: false });
    expect(own.violation?.steps).toBe(1);
    expect(own.violation!.setup).toBeUndefined();
    const pushes = own.violation!.log.split('\n').findIndex((l) => l.includes('"type":"push"'));
    const installs = own.violation!.log.split('\n').findIndex((l) => l.includes('"type":"scanner"'));
    expect(pushes).toBeGreaterThan(0);
    expect(pushes).toBeLessThan(installs);
  });

  it('R3/R12: the setup runs as its log replays: pushes to every member at one `at` run side by side, so with three servers the two arrivals stamped on arrival are one version (R3), and no conflict is reported that the log does not replay to', () => {
    // The search ran each setup event's work to its end before the next: the push to Gamma started after Beta's
    // on-write scan (Gamma stamped at 61022, Beta at 61011), and "push Gamma -> Beta: CONFLICT" was reported at
    // step 1; the log, whose two pushes are at 61000, replays to two equal versions and no conflict.
    const r = explore(stormExploreModel({ settings: { servers: 3, docs: 1, config: 'scanReplicatedWrites=true' } }), { depth: 1, invariants: [EXPLORE_INVARIANTS['no-conflict']!], storms: false });
    if (r.violation !== undefined) expect(replay(r.violation.log).summary.conflicts, r.violation.explanation.join('\n')).toBeGreaterThan(0);
    expect(r.violation).toBeUndefined();
  });

  it('R12: a push by the cluster replicator\'s timer is said to be the timer\'s in a path\'s explanation; one a push action makes is not (an explore QA pass: timer pushes read as the next action\'s doing)', () => {
    const timed = explore(stormExploreModel({ settings: { servers: 2, docs: 1, keys: 'per-server', config: 'scanReplicatedWrites=true', clusterIntervalMs: 15_000 } }), { depth: 4, storms: false, invariants: [EXPLORE_INVARIANTS['no-conflict']!] });
    expect(timed.violation!.explanation[0]).toMatch(/updated on Beta \(seq 2, from Alpha\); \(moved by Alpha's cluster replicator on its timer, to Beta\)/);
    const pushed = explore(stormExploreModel({ settings: { servers: 2, docs: 1, keys: 'per-server', config: 'scanReplicatedWrites=true' } }), { depth: 3, storms: false, invariants: [EXPLORE_INVARIANTS['no-conflict']!] });
    expect(pushed.violation!.explanation[2]).toMatch(/^step 3 .*: cluster push Beta -> Alpha: /);
    expect(pushed.violation!.explanation.join('\n')).not.toContain('on its timer');
  });

  it('R12: with a cluster replicator on a timer (clusterIntervalMs 15 s), the ticks between two steps push before the next action, as the log replays: a stamp reaches the other member before its user saves, and the save descends from it (R4), no conflict', () => {
    // The search jumped to the next action's time without running the ticks due meanwhile: Alpha's stamp was still
    // queued when Beta's user saved, and "user/ann saves on Beta: CONFLICT on Alpha" was reported at step 2; the log
    // replays the tick at 135,000 ms first (Alpha's stamp reaches Beta), and Beta's save makes no conflict.
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, clusterIntervalMs: 15_000 }, userActions: 1 }), { depth: 2, invariants: [EXPLORE_INVARIANTS['no-conflict']!], storms: false });
    if (r.violation !== undefined) expect(replay(r.violation.log).summary.conflicts, r.violation.explanation.join('\n')).toBeGreaterThan(0);
    // The conflict there is is the race a late save makes (the tick at 180,000 ms pushes Ann's save before Alpha's
    // on-write stamp of it, 9 ms later, and Beta's scan stamps it too): whole steps make none.
    expect(r.violation?.explanation[0], r.violation?.explanation.join('\n')).toMatch(/^step 1 \(line 9, at 179999 ms\): save by user\/ann on Alpha .*, late in its step/);
  });

  it('R5/R12: with a cluster replicator on a timer, the ticks after a step belong to that step: a conflict one tick after the last action is found at that depth, and explained under the action before it', () => {
    // A design that saves on every scan, arrivals included: after Alpha's scan the ticks carry the saves back and
    // forth; Beta's scan at step 2 saves while Alpha's latest save is on its way, and the next tick makes a conflict
    // on Alpha, after step 2 and before any step 3. The search ran a step's ticks with the next action: at depth 2 it
    // saw no conflict, and at depth 3 it put this one under step 3's action.
    const touch = defineDesign({
      name: 'touch',
      description: 'saves on every scan',
      defaults: {},
      symmetric: true,
      watches: (w) => w.origin === 'replicated',
      scan: ({ at }) => ({ verdict: 'clean', set: [['Touched', at]] }),
    });
    const model = stormExploreModel({ settings: { servers: 2, docs: 1, design: 'touch', clusterIntervalMs: 15_000 }, registry: builtinRegistry([touch]) });
    const r = explore(model, { depth: 2, invariants: [EXPLORE_INVARIANTS['no-conflict']!], storms: false });
    expect(r.violation?.steps, r.violation?.explanation.join('\n')).toBe(2);
    // (Steps are a minute apart from the scanners' installation at 60,000 ms, so step 2's scan and a tick share 180,000
    // ms; input events come first, R12.)
    expect(r.violation!.explanation[1]).toMatch(/^step 2 \(line 10, at 180000 ms\): scheduled scan on Beta of \S+ \S+: .*scanner\/touch saved \S+ on Beta \(seq \d+\);.* CONFLICT on /);
    const { summary, derived } = runEvents(decodeLogText(r.violation!.log).events.filter((e): e is LocatedEvent<InputEvent> => isInputEvent(e.event)), { behaviours: behaviourFactory(builtinRegistry([touch])), collect: true });
    expect(summary.conflicts).toBeGreaterThan(0);
    // The replay makes the conflict between step 2 (180,000 ms) and where step 3 would be (240,000 ms).
    const at = derived.find((e) => e.type === 'conflict')!.at;
    expect(at).toBeGreaterThan(180_000);
    expect(at).toBeLessThan(240_000);
  });

  it('R16: a loop of sessions that change nothing is no storm: a storm is revisions that never stop, so its loop must make a scanner revision', () => {
    // Scheduled replication: a push session is enabled in every state, and between servers already in step it changes
    // nothing, a loop of one step back to the same state. With the noop design nothing is ever revised.
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, replication: 'scheduled', design: 'noop' } }), { depth: 3, invariants: [] });
    expect(r.transitions).toBeGreaterThan(0);
    expect(r.scannerRevisions).toBe(0);
    expect(r.storm).toBeUndefined();
  });

  it('R16: the same cluster with a shared key has no storm to the same depth', () => {
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, config: 'scanReplicatedWrites=true' } }), { depth: 5, invariants: [] });
    expect(r.storm).toBeUndefined();
  });
});

describe('explore: settings it refuses', () => {
  it('R13: a design\'s own schedule (config=scheduleEveryMs=...) is refused as scanServers is: explore chooses scans itself, not "use scanEveryMs"', () => {
    const refusal = () => stormExploreModel({ settings: { config: 'scheduleEveryMs=60000' } });
    expect(refusal).toThrow(`parameter "config": scheduleEveryMs: ${EXPLORE_REFUSED['scanServers']!}`);
    expect(refusal).not.toThrow(/scanEveryMs/);
  });
});

describe('explore: a design\'s memory is state', () => {
  // A design that counts its scans of the document, up to 3, kept only in the form `make` gives (`count` reads it back).
  const counting = (make: (n: number) => unknown, count: (v: unknown) => number) =>
    defineDesign<Record<string, never>>({
      name: 'counts',
      description: 'remembers how often it scanned, up to 3',
      defaults: {},
      symmetric: true,
      scan: ({ store }) => ({ verdict: 'clean', remember: [['n', make(Math.min(3, (store.has('n') ? count(store.get('n')) : 0) + 1))]] }),
    }) as ScannerDesign<object>;
  const exploreWith = (make: (n: number) => unknown, count: (v: unknown) => number) =>
    explore(stormExploreModel({ settings: { servers: 1, design: 'counts' }, registry: builtinRegistry([counting(make, count)]) }), { depth: 6 });

  it('R16: plain data remembered (nested lists and objects) is told apart: 4 states (nothing, then counts 1, 2, 3)', () => {
    const r = exploreWith((n) => ({ seen: Array.from({ length: n }, (_, i) => ({ i, tag: `s${i}` })) }), (v) => (v as { seen: unknown[] }).seen.length);
    expect(r.violation).toBeUndefined();
    expect(r.distinctStates).toBe(4);
    expect(r.exhausted).toBe(true);
  });

  // Before memory was checked, the Set was hashed as `{}` (2 states: the three counts merged, silently) and the BigInt
  // crashed the search with a TypeError.
  it.each([
    ['a Set', (n: number) => new Set(Array.from({ length: n }, (_, i) => i)), (v: unknown) => (v as Set<number>).size, 'with a Set, not JSON data'],
    ['a BigInt', (n: number) => BigInt(n), (v: unknown) => Number(v), 'with the BigInt 1n, not JSON data'],
  ])('R16: a design remembering %s is a design-runs violation at its first scan, not a crash nor states merged', (_, make, count, says) => {
    const r = exploreWith(make, count);
    expect(r.violation?.invariant).toBe('design-runs');
    expect(r.violation?.message).toContain('the design "counts" failed while scanning');
    expect(r.violation?.message).toContain(`"remember" key "n" ${says}`);
    expect(r.violation?.explanation.length).toBe(1);
  });
});

describe('explore: a design that fails on every action', () => {
  it('R16: every action from the initial state is a design-runs failure: "exhausted" with 0 transitions says how many actions failed (it read as a full check)', () => {
    const failing = defineDesign<Record<string, never>>({
      name: 'fails',
      description: 'throws on every scan',
      defaults: {},
      scan: () => {
        throw new Error('no');
      },
    }) as ScannerDesign<object>;
    const r = explore(stormExploreModel({ settings: { servers: 2, design: 'fails' }, registry: builtinRegistry([failing]) }), { depth: 4 });
    expect(r.violation?.invariant).toBe('design-runs');
    expect(r.transitions).toBe(0);
    expect(r.exhausted).toBe(true);
    // One scan per server of the one document, each failing; nothing else is enabled from the initial state.
    expect(r.designFailures).toBe(2);
    expect(r.statesGenerated).toBe(1 + r.designFailures);
    const sound = explore(stormExploreModel({ settings: { servers: 2, design: 'noop' } }), { depth: 4 });
    expect(sound.designFailures).toBe(0);
  });
});

describe('explore: a design must be a function of its inputs', () => {
  it('R16: a design keeping a module-level Set (stamp each document once per process) is flagged: its paths run again reach other states; the same design remembering through the store finds the conflict and is not flagged', () => {
    // A researcher's QA pass: explore reported "exhausted" and no violation, where the design's conflict is 3 steps in
    // (scan Alpha, scan Beta, push): every path after the first found the Set full and skipped.
    const seen = new Set<string>();
    const outside = defineDesign<Record<string, never>>({
      name: 'outside',
      description: 'stamps a document the first time this process sees it on a server',
      defaults: {},
      symmetric: true,
      scan: ({ server, note }) => {
        if (seen.has(`${server}:${note.unid}`)) return { verdict: 'skipped' };
        seen.add(`${server}:${note.unid}`);
        return { verdict: 'clean', set: [['X-Seen', 'yes']] };
      },
    }) as ScannerDesign<object>;
    const inside = defineDesign<Record<string, never>>({
      name: 'inside',
      description: 'the same, remembering through the server\'s store',
      defaults: {},
      symmetric: true,
      scan: ({ note, store }) => (store.has(note.unid) ? { verdict: 'skipped' } : { verdict: 'clean', set: [['X-Seen', 'yes']], remember: [[note.unid, true]] }),
    }) as ScannerDesign<object>;
    const registry = builtinRegistry([outside, inside]);
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'outside' }, registry }), { depth: 6, invariants: [EXPLORE_INVARIANTS['no-conflict']!] });
    expect(r.violation).toBeUndefined();
    expect(r.notReproducible).toMatch(/reached another state when run again from the initial state after the search/);
    const pure = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'inside' }, registry }), { depth: 6, invariants: [EXPLORE_INVARIANTS['no-conflict']!] });
    expect(pure.violation?.invariant).toBe('no-conflict');
    expect(pure.violation?.steps).toBe(3);
    expect(pure.notReproducible).toBeUndefined();
    // Built-in designs, and a deeper search with user saves and faults (paths of many kinds run again), are not flagged.
    expect(explore(stormExploreModel({ settings: { servers: 2, docs: 2 }, userActions: 1, faults: true }), { depth: 5 }).notReproducible).toBeUndefined();
  });

  it('R16: a design counting its scans in a module-level variable, caught only by the time check\'s runs, is said not to be a function of its inputs, not to act on the time (an explore QA pass; periods 4 to 6, a review)', () => {
    for (const period of [3, 4, 5, 6]) {
      let n = 0;
      const counter = defineDesign<Record<string, never>>({
        name: 'every-nth',
        description: 'stamps every nth scan this process makes',
        defaults: {},
        symmetric: true,
        scan: ({ virusScan }) => {
          virusScan();
          return ++n % period === 0 ? { verdict: 'clean', set: [['X-SSOTag', 'x']] } : { verdict: 'clean' };
        },
      }) as ScannerDesign<object>;
      const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'every-nth' }, registry: builtinRegistry([counter]) }), { depth: 6 });
      expect(r.timeDependent, `period ${period}`).toBeUndefined();
      expect(r.notReproducible, `period ${period}`).toMatch(/(made other decisions when run again at the same times|reached another state when run again from the initial state)/);
    }
  });

  it('R16: a design keeping a module-level cache keyed by a version (server, UNID, seq, time: what scan-cache keeps in `remember`) is said not to be a function of its inputs, not to act on the time (the shifted run decides otherwise when run again at its own times; a researcher\'s QA pass: it was sent to `at` and `clock`)', () => {
    const make = () => {
      const seen = new Set<string>();
      return defineDesign<Record<string, never>>({
        name: 'module-cache',
        description: 'skips a version it has called clean, in a module-level Set',
        defaults: {},
        symmetric: true,
        promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
        scan: ({ server, db, note, virusScan }) => {
          const k = `${server}:${db}:${note.unid}:${note.seq}:${note.seqTime}`;
          if (seen.has(k)) return { verdict: 'skipped' };
          virusScan();
          seen.add(k);
          return { verdict: 'clean' };
        },
      }) as ScannerDesign<object>;
    };
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'module-cache' }, registry: builtinRegistry([make()]) }), { depth: 5 });
    expect(r.timeDependent).toBeUndefined();
    expect(r.notReproducible).toMatch(/with every time .* later made other decisions when run again at those times \(.*"verdict":"clean".* became .*"verdict":"skipped"/);
    // The same cache kept in the server's store (scan-cache) is neither.
    const pure = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'scan-cache' } }), { depth: 5 });
    expect(pure.notReproducible).toBeUndefined();
    expect(pure.timeDependent).toBeUndefined();
  });
});

describe('explore: a design declared name-blind must act so', () => {
  it('R16: a design that stamps on the last cluster member by name but declares `symmetric` is flagged (its reduced search lost a state: 26 against 27); built-in name-blind designs are not', () => {
    const byName = defineDesign<Record<string, never>>({
      name: 'by-name',
      description: 'stamps a document on the last member by name only',
      defaults: {},
      symmetric: true, // not so: it reads `server`
      scan: ({ server, clusterMembers, note }) =>
        server === [...clusterMembers].sort().at(-1) && !note.items.some((i) => i.key === 'x-mark') ? { verdict: 'clean', set: [['X-Mark', server]] } : { verdict: 'clean' },
    }) as ScannerDesign<object>;
    const registry = builtinRegistry([byName]);
    const flagged = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'by-name' }, registry }), { depth: 6 });
    expect(flagged.notSymmetric).toMatch(/and the same with the servers renamed \(.*\) reached states that are not renamings of each other/);
    expect(explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'by-name' }, registry }), { depth: 6, symmetry: false }).notSymmetric).toBeUndefined();
    for (const settings of [{ servers: 2, docs: 2 }, { servers: 3, docs: 1 }, { servers: 2, docs: 2, design: 'scan-cache' }, { servers: 2, docs: 2, config: 'tagIncludesScanTime=true' }]) {
      const r = explore(stormExploreModel({ settings, userActions: 1, faults: true }), { depth: 4 });
      expect(r.notSymmetric, JSON.stringify(settings)).toBeUndefined();
      expect(r.notReproducible, JSON.stringify(settings)).toBeUndefined();
      expect(r.symmetryUnchecked, JSON.stringify(settings)).toBeUndefined();
      expect(r.timeDependent, JSON.stringify(settings)).toBeUndefined();
    }
    // Where the setup treats the servers differently (arrivals stamped on the receiving server only), the check cannot
    // be made, and the result says the reduction rests on the declarations (a review: nothing said so).
    const unchecked = explore(spreadAfterInstall(stormExploreModel({ settings: { servers: 2, docs: 1, config: 'scanReplicatedWrites=true' } })), { depth: 4 });
    expect(unchecked.notSymmetric).toBeUndefined();
    expect(unchecked.symmetryUnchecked).toMatch(/the initial state is not the same under renaming the servers/);
    // The scenario's own setup spreads the documents before the scanners come: nothing is stamped, and the check is made.
    const checked = explore(stormExploreModel({ settings: { servers: 2, docs: 1, config: 'scanReplicatedWrites=true' } }), { depth: 4 });
    expect(checked.symmetryUnchecked).toBeUndefined();
    expect(checked.notSymmetric).toBeUndefined();
  });
});

describe('explore: a design that acts on the time\'s value is flagged', () => {
  // States are identified modulo an order-preserving renumbering of times; a design acting on a time's value breaks
  // that (a researcher's review: "exhausted" at depth 1, no violation, where a 5-step path of the search's actions
  // conflicts).
  const timed = (name: string, stamps: (clock: number) => boolean) => timedDesign(name, ({ clock }) => stamps(clock));

  it('R16: stamping in odd minutes only: the search ends at depth 1 (no state differs but by time), and says it may have missed paths; a path of its own actions, a minute later, conflicts', () => {
    const registry = builtinRegistry([timed('odd-minute', (clock) => Math.floor(clock / 60_000) % 2 === 1)]);
    const model = stormExploreModel({ settings: { servers: 2, docs: 1, design: 'odd-minute' }, registry });
    const r = explore(model, { depth: 6, invariants: [EXPLORE_INVARIANTS['no-conflict']!] });
    expect(r.depthReached).toBe(1);
    expect(r.violation).toBeUndefined();
    expect(r.timeDependent).toMatch(/^scheduled scan on Alpha of \S+ 0+5E7D001 made other decisions with every time 1 d 1 h 1 min 1 s later \(.*"saved":false\} became .*"saved":true\}; checked 1 path under 9 variations\)$/);
    // What the search could not see: its actions at its step times, from an odd minute on, conflict.
    const setupEnd = model.setup.at(-1)!.at;
    const at = (k: number) => setupEnd + (k + 1) * STEP_MS;
    const scan = (server: string): Action => ({ type: 'scan', server, kind: 'scheduled', db: 'mail/user000.nsf', unid: '00000000000000000000000005E7D001' });
    const steps: Action[] = [scan('Alpha'), scan('Alpha'), scan('Beta'), scan('Beta'), { type: 'push', server: 'Beta', partner: 'Alpha' }];
    const events = [...model.setup, ...steps.map((a, k) => ({ ...a, at: at(k) }) as InputEvent), { at: at(steps.length), type: 'end' } as InputEvent];
    expect(runEvents(events, { behaviours: behaviourFactory(registry) }).summary.conflicts).toBe(1);
  });

  it('R16: stamping at night only (02:00-05:00), or only documents last saved in an odd minute (a note\'s time, not the clock): flagged (a review: both read "exhausted")', () => {
    const night = timedDesign('night', ({ clock }) => Math.floor(clock / 3_600_000) % 24 >= 2 && Math.floor(clock / 3_600_000) % 24 < 5);
    expect(explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'night' }, registry: builtinRegistry([night]) }), { depth: 4 }).timeDependent).toMatch(/with every time 2 d 3 h 17 min later/);
    const seqOdd = timedDesign('seq-odd', ({ note }) => Math.floor(note.seqTime / 60_000) % 2 === 1);
    expect(explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'seq-odd' }, registry: builtinRegistry([seqOdd]) }), { depth: 4 }).timeDependent).toMatch(/made other decisions with /);
  });

  it('R16: a design acting on a document\'s age (stamp what was left alone an hour, or a day) is flagged by steps an hour or a day apart (a researcher\'s QA pass: "exhausted", exit 0, with steps at most 90 s apart)', () => {
    for (const [name, ageMs, apart] of [['an-hour-old', 3_600_000, '1 h 1 min 1 s'], ['a-day-old', 86_400_000, '1 d 1 h 1 min 1 s']] as const) {
      const aged = timedDesign(name, ({ clock, note }) => clock - note.seqTime > ageMs);
      const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: name }, registry: builtinRegistry([aged]) }), { depth: 8 });
      expect(r.timeDependent).toMatch(new RegExp(`made other decisions with its steps ${apart} apart instead of 1 min`));
    }
    // Whether a path is run a day a step apart depends on its length, not on --depth: this design's paths are one
    // action long at any depth (a review: at --depth 75 it read "exhausted", the check being skipped for a long depth).
    const dayOld = timedDesign('day-old', ({ clock, note }) => clock - note.seqTime > 86_400_000);
    expect(explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'day-old' }, registry: builtinRegistry([dayOld]) }), { depth: 80 }).timeDependent).toMatch(/its steps 1 d 1 h 1 min 1 s apart/);
  });

  it('R16: a design that fails only at other times (after its first day) is flagged, not passed over (a review: the throw skipped the whole check)', () => {
    const dayOne = defineDesign<Record<string, never>>({
      name: 'day-one',
      description: 'has a schedule for day 0 only',
      defaults: {},
      symmetric: true,
      watches: () => true,
      scan: ({ clock }) => {
        if (clock > 86_400_000) throw new Error('no schedule for this day');
        return { verdict: 'clean' };
      },
    }) as ScannerDesign<object>;
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'day-one' }, registry: builtinRegistry([dayOne]) }), { depth: 4 });
    expect(r.timeDependent).toMatch(/^scheduled scan on Alpha of \S+ \S+ made other decisions with every time 1 d 1 h 1 min 1 s later \(.* became the design failed: the design "day-one" failed while scanning .*no schedule for this day/);
    // A setup whose scanners act (on-write scans of its spread) is run under the shifts too, and a throw there is
    // flagged as the setup's.
    const early = explore(spreadAfterInstall(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'day-one' }, registry: builtinRegistry([dayOne]) })), { depth: 4 });
    expect(early.timeDependent).toMatch(/^the setup made other decisions with every time 1 d 1 h 1 min 1 s later \(the design failed: the design "day-one" failed while scanning .*no schedule for this day/);
  });

  it('R16: stamping in the afternoon only (the search runs in the first hour of its day): flagged under the half-week shift', () => {
    const registry = builtinRegistry([timed('afternoon', (clock) => Math.floor(clock / 3_600_000) % 24 >= 12)]);
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'afternoon' }, registry }), { depth: 4 });
    expect(r.timeDependent).toMatch(/made other decisions with every time 3 d 12 h 30 min 30 s later/);
  });

  it('R15/R16: smsdom with the scan time in its tag, as a researcher\'s copy (checked, as every design of the user\'s is): it writes the time into the state and acts on the order of events, so it is not flagged', () => {
    const copy = { ...builtinRegistry().get('smsdom')!, name: 'smsdom-copy' } as ScannerDesign<object>;
    const registry = builtinRegistry([copy]);
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'smsdom-copy', config: 'tagIncludesScanTime=true' }, registry }), { depth: 4 });
    expect(r.scannerRevisions).toBeGreaterThan(0);
    expect(r.timeDependent).toBeUndefined();
  });

  it('R16: stamping a document only once it has been left alone 90 s (the time between events, which every shift keeps): flagged with the steps further apart (a review: it read "exhausted")', () => {
    const debounce = timedDesign('debounce', ({ at, note }) => at - note.seqTime >= 90_000);
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'debounce' }, registry: builtinRegistry([debounce]) }), { depth: 4 });
    expect(r.timeDependent).toMatch(/made other decisions with its steps 1 min 30 s apart instead of 1 min \(/);
  });

  it('R1/R16: a design acting on a document\'s seq (stamps only at an even seq) or on its revisions\' count (stamps until it has 4): flagged with the documents saved more times before the search; the second\'s loop, which stops when run, is not claimed as a storm (explore QA passes: "exhausted", no violation, and a storm that stops)', () => {
    const even = timedDesign('even-seq', ({ note }) => note.seq % 2 === 0);
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'even-seq' }, registry: builtinRegistry([even]) }), { depth: 4 });
    expect(r.timeDependent).toMatch(/made other decisions with every document saved 1 more time before the search \(its seq and its revisions 1 more\)/);
    const revCap = revCapDesign();
    const capped = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'rev-cap' }, registry: builtinRegistry([revCap]) }), { depth: 10 });
    expect(capped.storm).toBeUndefined();
    expect(capped.stormNotConfirmed).toBe(true);
    expect(capped.timeDependent).toMatch(/made other decisions with every document saved 25 more times before the search/);
    // One asking whether its attachment changed in the current version (an item's seq against the document's: an
    // order, which the search keeps) is not flagged (a review: saves that wrote nothing, made before the search, left
    // the attachment older than the version, and such a design was flagged).
    const fresh = defineDesign<Record<string, never>>({
      name: 'fresh',
      description: 'scans a document whose attachment changed in its current version, skips the others',
      defaults: {},
      symmetric: true,
      watches: () => true,
      scan: ({ note }) => (note.items.some((i) => i.key === '$file' && i.seq === note.seq) ? { verdict: 'clean' } : { verdict: 'skipped' }),
    }) as ScannerDesign<object>;
    const order = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'fresh' }, registry: builtinRegistry([fresh]) }), { depth: 6 });
    expect(order.timeDependent).toBeUndefined();
    expect(order.exhausted).toBe(true);
    // With a cluster timer between steps the times are not checked, and the seq still is (no time moves).
    const timer = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'even-seq', clusterIntervalMs: 60_000 }, registry: builtinRegistry([even]) }), { depth: 3 });
    expect(timer.timeUnchecked).toMatch(/^periodic work/);
    expect(timer.timeDependent).toMatch(/every document saved 1 more time before the search/);
    // Where a database caps its revisions the seq check is not made, and the result says so (it was skipped in
    // silence: a review).
    const plain = stormExploreModel({ settings: { servers: 2, docs: 1, design: 'even-seq' }, registry: builtinRegistry([even]) });
    const cap = explore({ ...plain, setup: plain.setup.map((e) => (e.type === 'database' ? { ...e, limitRevisions: 3 } : e)) }, { depth: 3 });
    expect(cap.timeDependent).toBeUndefined();
    // So where a scanner is installed before a save of the setup.
    const first = plain.setup.findIndex((e) => e.type === 'scanner');
    const lastSave = plain.setup.findLastIndex((e) => e.type === 'save');
    expect(first).toBeGreaterThan(lastSave);
    const early = [...plain.setup];
    const [scanner] = early.splice(first, 1);
    early.splice(lastSave, 0, { ...scanner!, at: early[lastSave]!.at });
    const scannedFirst = explore({ ...plain, setup: early }, { depth: 3 });
    expect(scannedFirst.timeUnchecked).toMatch(/^a scanner is installed before a save of the setup, whose scans of the extra saves would run later: whether a design of yours acts on a document's seq or its number of revisions was not checked$/);
    expect(cap.timeUnchecked).toMatch(/^a database caps its revisions \(mail\/user0+\.nsf: limitRevisions 3\), which R4 reads: whether a design of yours acts on a document's seq or its number of revisions was not checked$/);
  });

  it('R12/R16: with a cluster replicator on a timer between steps, a design of yours is not checked for acting on the time, and the result says so (shifted paths met the timer at other times: an order-only design was flagged, a review)', () => {
    const registry = builtinRegistry([timed('reads-only', (clock) => clock >= 0)]);
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'reads-only', clusterIntervalMs: 60_000 }, registry }), { depth: 3 });
    expect(r.timeDependent).toBeUndefined();
    expect(r.timeUnchecked).toMatch(/^periodic work \(a cluster replicator on a timer, scheduled scans or sessions\) runs between steps/);
    // Without the timer: checked, and not flagged, so nothing said.
    expect(explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'reads-only' }, registry }), { depth: 3 }).timeUnchecked).toBeUndefined();
  });

  it('R16: the same design reading the clock but not acting on it is not flagged', () => {
    const registry = builtinRegistry([timed('reads-only', (clock) => clock >= 0)]);
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 1, design: 'reads-only' }, registry }), { depth: 6 });
    expect(r.timeDependent).toBeUndefined();
    expect(r.exhausted).toBe(true);
  });
});

describe('explore: exhaustive to a stated depth', () => {
  for (const [label, settings] of [
    ['scan-cache', { design: 'scan-cache' }],
    ['noop', { design: 'noop' }],
    ['smsdom with Ignore SSO', { config: 'ignoreSsoOnScheduled=true' }],
  ] as const) {
    it(`R1: ${label}: zero scanner revisions on every path (2 servers x 2 documents, depth 8)`, () => {
      const r = explore(stormExploreModel({ settings: { servers: 2, docs: 2, ...settings } }), { depth: 8, invariants: [EXPLORE_INVARIANTS['no-scanner-revision']!] });
      expect(r.violation).toBeUndefined();
      expect(r.scannerRevisions).toBe(0);
      expect(r.exhausted).toBe(true);
    });
  }

  it('R16: sso-mail-only is quiescent on every path: no storm (2 servers x 2 documents, per-server keys, exhausted)', () => {
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 2, design: 'sso-mail-only', keys: 'per-server' } }), { depth: 10, invariants: [] });
    expect(r.storm).toBeUndefined();
    expect(r.exhausted).toBe(true);
  });

  // Without user saves the machines alone leave noop, Ignore SSO and sso-mail-only in their initial state (a scan that
  // writes nothing changes nothing, and nothing is queued to push): exhausted at once, the claims above hold trivially
  // (an acceptance audit). With user saves interleaved the documents change, on-write scans run, pushes carry them.
  const noPassSaves: ExploreInvariant = {
    name: 'no-pass-save',
    description: 'no scheduled or manual scan saves a document',
    check: ({ derived }) => {
      const e = derived.find((x) => x.type === 'scanned' && x.saved && (x.kind === 'scheduled' || x.kind === 'manual'));
      return e === undefined || e.type !== 'scanned' ? undefined : `a ${e.kind} scan saved ${e.unid} on ${e.server}`;
    },
  };

  it('R1: noop with two user saves interleaved: zero scanner revisions on every path, exhausted (2 servers x 2 documents)', () => {
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 2, design: 'noop' }, userActions: 2 }), { depth: 8, invariants: [EXPLORE_INVARIANTS['no-scanner-revision']!] });
    expect(r.violation).toBeUndefined();
    expect(r.scannerRevisions).toBe(0);
    expect(r.exhausted).toBe(true);
    expect(r.distinctStates).toBeGreaterThan(10);
  });

  it('R1: scan-cache with two user saves interleaved: zero scanner revisions on every path to depth 6 (its memory holds exact versions, so the search does not exhaust: abstractState.ts)', () => {
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 2, design: 'scan-cache' }, userActions: 2 }), { depth: 6, invariants: [EXPLORE_INVARIANTS['no-scanner-revision']!] });
    expect(r.violation).toBeUndefined();
    expect(r.scannerRevisions).toBe(0);
    expect(r.depthReached).toBe(6);
    expect(r.distinctStates).toBeGreaterThan(100);
  });

  it('R14/R15: smsdom with Ignore SSO and two user saves: no scheduled scan ever saves, on every path, exhausted; the on-write scans of the saves stamp (the setting covers scheduled and manual scans only)', () => {
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 2, config: 'ignoreSsoOnScheduled=true' }, userActions: 2 }), { depth: 8, invariants: [noPassSaves] });
    expect(r.violation).toBeUndefined();
    expect(r.exhausted).toBe(true);
    expect(r.distinctStates).toBeGreaterThan(10);
    expect(r.scannerRevisions).toBeGreaterThan(0);
  });

  it('R16: sso-mail-only with two user saves and per-server keys: no storm, no scheduled scan saves, exhausted (2 servers x 2 documents)', () => {
    const r = explore(stormExploreModel({ settings: { servers: 2, docs: 2, design: 'sso-mail-only', keys: 'per-server' }, userActions: 2 }), { depth: 10, invariants: [noPassSaves] });
    expect(r.violation).toBeUndefined();
    expect(r.storm).toBeUndefined();
    expect(r.exhausted).toBe(true);
    expect(r.distinctStates).toBeGreaterThan(10);
  });
});

describe('explore: memory bounds', () => {
  const model = () => stormExploreModel({ settings: { servers: 2, docs: 2 } });

  it('maxStates: stops at exactly that many distinct states, says so, and does not claim exhaustion', () => {
    for (const maxStates of [500, 2, 1]) {
      const r = explore(model(), { depth: 8, maxStates });
      expect(r.distinctStates).toBe(maxStates);
      expect(r.hitMaxStates).toBe(true);
      expect(r.hitMemoryLimit).toBe(false);
      expect(r.exhausted).toBe(false);
    }
  });

  it('maxStates: a space of exactly that many states is searched whole, as without the limit (an explore QA pass: noop\'s one state under --max-states 1 read "NOT exhausted")', () => {
    for (const [settings, depth] of [[{ servers: 2, docs: 1, design: 'noop' }, 6], [{ servers: 2, docs: 1, design: 'scan-cache' }, 6], [{ servers: 2, docs: 1 }, 5]] as const) {
      const full = explore(stormExploreModel({ settings }), { depth });
      const at = explore(stormExploreModel({ settings }), { depth, maxStates: full.distinctStates });
      expect(at.hitMaxStates).toBe(false);
      expect({ ...at, seconds: 0 }).toEqual({ ...full, seconds: 0 });
      const below = explore(stormExploreModel({ settings }), { depth, maxStates: full.distinctStates - 1 });
      if (full.distinctStates > 1) expect(below.hitMaxStates).toBe(true);
    }
  });

  it('maxStates: the state past the limit is not explored, and its scanner revisions are not counted as an explored transition\'s (it read "scanner revisions on explored transitions: 1" beside "0 transitions": an explore QA pass)', () => {
    const cut = explore(stormExploreModel({ settings: { servers: 2, docs: 2 } }), { depth: 3, maxStates: 1 });
    expect(cut.hitMaxStates).toBe(true);
    expect(cut.transitions).toBe(0);
    expect(cut.scannerRevisions).toBe(0);
    // Each transition's revisions are counted as they are explored: the first step's scan stamps once.
    expect(explore(stormExploreModel({ settings: { servers: 2, docs: 2 } }), { depth: 1 }).scannerRevisions).toBeGreaterThan(0);
  });

  it('memoryUse: stops at the first poll past memoryStopAt (every 1,024 new states), not exhausted', () => {
    let polls = 0;
    const r = explore(model(), { depth: 8, memoryUse: () => (++polls >= 2 ? 0.9 : 0.1) });
    expect(r.hitMemoryLimit).toBe(true);
    expect(r.hitMaxStates).toBe(false);
    expect(r.exhausted).toBe(false);
    expect(r.distinctStates).toBe(2048);
    // Below the threshold it changes nothing.
    const full = explore(model(), { depth: 8, memoryUse: () => 0.5 });
    expect(full.hitMemoryLimit).toBe(false);
    expect(full.distinctStates).toBe(explore(model(), { depth: 8 }).distinctStates);
  });
});
