import { describe, expect, it } from 'vitest';
import { builtinRegistry, cleaningWrites, defineDesign, verifyDesign } from '../index.js';

// The suite judges a design by what the model knows, not by what the design says about itself.

describe('verifyDesign: read-only and stampings by the model\'s virus scan, not the design\'s verdict (R1, R14)', () => {
  // Declares every kind read-only, then stamps clean documents once while calling them "infected".
  const liar = defineDesign<Record<string, never>>({
    name: 'lie-infected',
    description: 'stamps clean documents under an "infected" verdict',
    defaults: {},
    promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
    scan: ({ note, virusScan }) => {
      const r = virusScan();
      if (r.infected) return { verdict: 'infected', ...cleaningWrites(r) };
      if (note.items.some((i) => i.key === 'x-mark')) return { verdict: 'clean' };
      return { verdict: 'infected', set: [['X-Mark', 'seen']] };
    },
  });

  it('R1: a save of a clean document is a save whatever verdict the design gives: read-only is violated', () => {
    const r = verifyDesign(liar as never, { runs: 30, seed: 7, only: ['read-only'] });
    const inv = r.invariants.find((i) => i.name === 'read-only')!;
    expect(inv.status).toBe('violated');
    expect(r.coverage.stampings).toBeGreaterThan(0);
  });

  it('R14: on an infected document, setting an item other than $FILE is not cleaning: read-only is violated', () => {
    const tagsInfected = defineDesign<Record<string, never>>({
      name: 'tags-infected',
      description: 'cleans infected documents and stamps them while at it',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ virusScan }) => {
        const r = virusScan();
        if (!r.infected) return { verdict: 'clean' };
        return { verdict: 'infected', set: [['$FILE', r.clean], ['X-Cleaned', 'yes']] };
      },
    });
    const inv = verifyDesign(tagsInfected as never, { runs: 30, seed: 7, only: ['read-only'] }).invariants.find((i) => i.name === 'read-only')!;
    expect(inv.status).toBe('violated');
  });

  it('R1: a design that only cleans (removing a tag while at it) keeps its read-only promise and makes no stampings', () => {
    const cleaner = defineDesign<Record<string, never>>({
      name: 'cleaner',
      description: 'cleans infected documents, removes their tag',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ virusScan }) => {
        const r = virusScan();
        if (!r.infected) return { verdict: 'clean' };
        const w = cleaningWrites(r);
        return { verdict: 'infected', set: w.set, remove: [...w.remove, 'X-SSOTag'] };
      },
    });
    const r = verifyDesign(cleaner as never, { runs: 30, seed: 7, only: ['read-only'] });
    expect(r.invariants.find((i) => i.name === 'read-only')!.status).toBe('held');
    expect(r.coverage.stampings).toBe(0);
  });
});

describe('verifyDesign: no-scanner-conflicts holds a design only to the conflicts its other writes add (R5, R13)', () => {
  // Cleans infected documents and writes nothing else; scans where and when its shape says.
  const cleanerShaped = (name: string, shape: { watches?: () => boolean; scheduleEveryMs?: () => number }) =>
    defineDesign<Record<string, never>>({
      name,
      description: 'cleans infected documents, never stamps',
      defaults: {},
      ...shape,
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'], noConflicts: true },
      scan: ({ virusScan }) => {
        const r = virusScan();
        return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean' };
      },
    });

  it('R13: a cleaner that also scans replicated arrivals makes no stamp, so no conflict is held against it', () => {
    const r = verifyDesign(cleanerShaped('clean-arrivals', { watches: () => true }) as never, { runs: 60, seed: 1, only: ['no-scanner-conflicts'] });
    expect(r.invariants[0]!.counterexample?.message).toBeUndefined();
  });

  it('R13: a cleaner with scheduled passes of its own makes no stamp, so no conflict is held against it', () => {
    const r = verifyDesign(cleanerShaped('clean-scheduled', { scheduleEveryMs: () => 7_000 }) as never, { runs: 60, seed: 1, only: ['no-scanner-conflicts'] });
    expect(r.invariants[0]!.counterexample?.message).toBeUndefined();
  });
});

describe('verifyDesign: an infection found but left in place is missed (R14: a document found infected is cleaned)', () => {
  it('R14: a design that says "infected" and writes nothing violates no-missed-infection', () => {
    const noClean = defineDesign<Record<string, never>>({
      name: 'no-clean',
      description: 'finds infections, never cleans them',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ virusScan }) => ({ verdict: virusScan().infected ? 'infected' : 'clean' }),
    });
    const inv = verifyDesign(noClean as never, { runs: 30, seed: 3, only: ['no-missed-infection'] }).invariants[0]!;
    expect(inv.status).toBe('violated');
    expect(inv.counterexample!.message).toMatch(/not cleaned/);
  });

  it('R14: a design that cleans (the infected $FILE entries go, or the item) holds', () => {
    const cleaner = defineDesign<Record<string, never>>({
      name: 'cleaner',
      description: 'cleans',
      defaults: {},
      scan: ({ virusScan }) => {
        const r = virusScan();
        return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean', set: [['X-Seen', '1']] };
      },
    });
    expect(verifyDesign(cleaner as never, { runs: 30, seed: 3, only: ['no-missed-infection'] }).invariants[0]!.status).toBe('held');
  });
});

describe('verifyDesign: coverage is over the cases drawn, not the runs that shrink a counterexample', () => {
  // Stamps every clean document it scans: the first invariant checked (read-only) fails at once, and fast-check then
  // runs the property again many times to shrink it; coverage counted those runs too ("over all runs", it said).
  const stamper = defineDesign<Record<string, never>>({
    name: 'stamper',
    description: 'stamps every clean document',
    defaults: {},
    promises: { readOnlyKinds: ['scheduled'] },
    scan: ({ virusScan }) => {
      const r = virusScan();
      return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean', set: [['X-Mark', 'seen']] };
    },
  });

  it('R1: a failing first invariant: coverage counts its runs up to the failure, as its result does', () => {
    const r = verifyDesign(stamper as never, { runs: 50, seed: 3, only: ['read-only', 'convergence'] });
    const first = r.invariants[0]!;
    expect(first.status).toBe('violated');
    expect(r.coverage.invariant).toBe('read-only');
    expect(r.coverage.runs).toBe(first.runs);
    expect(r.coverage.runs).toBeLessThan(50);
  });

  it('a first invariant that holds: coverage counts all its runs', () => {
    const r = verifyDesign(stamper as never, { runs: 20, seed: 3, only: ['convergence'] });
    expect(r.invariants[0]!.status).toBe('held');
    expect(r.coverage).toMatchObject({ invariant: 'convergence', runs: 20 });
  });
});

describe('verifyDesign: no-missed-infection cannot be passed by reading the attachment instead of scanning it (R14)', () => {
  // A design that trusts what an attachment looks like: its name's extension, or whether a size is given. The suite's
  // cases named every infected attachment *.exe without a size and every clean one *.pdf with one (a user audit: a
  // design that never scanned PDFs passed every invariant), so such a design was never shown an infected PDF.
  const trusting = (name: string, trusted: (a: { name?: unknown; bytes?: unknown }) => boolean) =>
    defineDesign<Record<string, never>>({
      name,
      description: 'skips the scan of attachments it trusts by their look',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ note, virusScan }) => {
        const files = note.items.find((i) => i.key === '$file')?.value;
        if (Array.isArray(files) && files.every((a) => trusted(a as { name?: unknown; bytes?: unknown }))) return { verdict: 'clean' };
        const r = virusScan();
        return r.infected ? { verdict: 'infected', ...cleaningWrites(r) } : { verdict: 'clean' };
      },
    });

  it.each([
    ['by its extension (.pdf)', trusting('trusts-pdf', (a) => String(a.name).endsWith('.pdf'))],
    ['by its extension (anything but .exe)', trusting('trusts-non-exe', (a) => !String(a.name).endsWith('.exe'))],
    ['by a size being given', trusting('trusts-sized', (a) => typeof a.bytes === 'number')],
  ])('a design that trusts an attachment %s is caught', (_, design) => {
    for (const seed of [1, 2, 3]) {
      const inv = verifyDesign(design as never, { runs: 100, seed, only: ['no-missed-infection'] }).invariants.find((i) => i.name === 'no-missed-infection')!;
      expect(inv.status, `seed ${seed}`).toBe('violated');
    }
  });
});

describe('verifyDesign: VACUOUS coverage (a green verdict that proved nothing is not ok)', () => {
  it('R13: a design that declares only its passes read-only and never stamps (on-write and mail scans switched off): stampings stayed 0, vacuous', () => {
    // Stampings are only excused when every kind of scan is read-only; sso-mail-only promises scheduled and manual
    // only, so with its stamping scans (mail, on-write) off, nothing the stamping invariants talk about happened.
    const d = builtinRegistry().get('sso-mail-only')!;
    const r = verifyDesign(d, { config: { onWrite: false, mail: false }, runs: 10, seed: 7, only: ['read-only'] });
    expect(r.invariants.map((i) => i.status)).toEqual(['held']);
    expect(r.coverage.stampings).toBe(0);
    expect(r.vacuous).toEqual(['stampings']);
    expect(r.ok).toBe(false);
  });

  it('R13: a design that fails when installed makes no scan and no arrival in any run: every counter is reported vacuous', () => {
    const thrower = defineDesign<Record<string, never>>({ name: 'thrower', description: 'throws', defaults: {}, check: () => { throw new Error('boom'); }, scan: () => ({ verdict: 'clean' }) });
    const r = verifyDesign(thrower as never, { runs: 5, seed: 7, only: ['quiescence'] });
    expect(r.coverage.scansPerformed).toBe(0);
    expect(r.coverage.arrivals).toBe(0);
    expect(r.vacuous).toEqual(['scansPerformed', 'arrivals', 'stampings']);
    expect(r.ok).toBe(false);
  });
});

describe('verifyDesign: coverage of a run the design crashed (R13)', () => {
  it('R13: the arrivals (and scans) a run made before the design\'s code threw are counted: design-runs fails, and what happened is not called vacuous', () => {
    // Scans and stamps clean documents, throws on an infected one. design-runs fails in its first run that holds an
    // infection: that run's scans and arrivals before the throw counted as none, and the verdict added VACUOUS
    // "arrivals never happened" to a run in which the cluster replicator had delivered documents.
    const fragile = defineDesign<Record<string, never>>({
      name: 'fragile',
      description: 'stamps clean documents, throws on infected ones',
      defaults: {},
      scan: ({ note, virusScan }) => {
        if (virusScan().infected) throw new Error('cannot clean');
        return note.items.some((i) => i.key === 'x-mark') ? { verdict: 'clean' } : { verdict: 'clean', set: [['X-Mark', 'seen']] };
      },
    });
    // Seed 3: the first case crashes the design at its first scan, after the cluster replicator delivered documents.
    const r = verifyDesign(fragile as never, { runs: 30, seed: 3 });
    expect(r.invariants.find((i) => i.name === 'design-runs')!.status).toBe('violated');
    // Coverage is taken from the next invariant, whose runs go on past crashed ones (design-runs' covered the one run
    // up to its crash: a QA pass found a design called VACUOUS over it).
    expect(r.coverage.invariant).toBe('quiescence');
    expect(r.coverage.runs).toBeGreaterThan(1);
    expect(r.coverage.arrivals).toBeGreaterThan(0);
    expect(r.vacuous).not.toContain('arrivals');
    expect(r.vacuous).not.toContain('scansPerformed');
  });
});

describe('verifyDesign: the counterfactual cleaner has the design\'s shape under the configuration verified (R5, R13)', () => {
  it('R13: scan-cache with scanReplicatedWrites only cleans; the conflicts two members make cleaning one arrival are the baseline\'s too, so none is held against it', () => {
    // Its promise says "no conflicts" is not given with arrival scanning (variants.test.ts), but what it writes is
    // cleaning only: a clean-only scanner that also scans arrivals makes the same conflicts. A baseline built from the
    // defaults (no arrival scanning) would hold those conflicts against the design.
    const d = builtinRegistry().get('scan-cache')!;
    const r = verifyDesign(d, { config: { scanReplicatedWrites: true }, runs: 100, seed: 1, only: ['no-scanner-conflicts'] });
    expect(r.invariants[0]!.counterexample?.message).toBeUndefined();
  });
});

describe('verifyDesign: cleaning is judged by what it leaves, not by its shape (R1, R14)', () => {
  it('R1: a cleaner that always writes the cleaned $FILE list (empty when nothing clean is left) makes no stamping and keeps its read-only promise', () => {
    const listCleaner = defineDesign<Record<string, never>>({
      name: 'list-cleaner',
      description: 'cleans by rewriting $FILE with the clean attachments',
      defaults: {},
      promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },
      scan: ({ virusScan }) => {
        const r = virusScan();
        return r.infected ? { verdict: 'infected', set: [['$FILE', r.clean]] } : { verdict: 'clean' };
      },
    });
    const r = verifyDesign(listCleaner as never, { runs: 30, seed: 7, only: ['read-only', 'no-missed-infection'] });
    expect(r.invariants.map((i) => [i.name, i.status])).toEqual([['read-only', 'held'], ['no-missed-infection', 'held']]);
    expect(r.coverage.stampings).toBe(0);
  });
});

describe('verifyDesign: the built-in designs with SSO off (R14)', () => {
  it('R14: with sso=false no kind of scan stamps a clean document, and smsdom, sso-mail-only and cluster-aware declare every kind read-only: every invariant holds (they declared scheduled and manual only, and verify called each run VACUOUS, "stampings never happened": a QA pass)', () => {
    const registry = builtinRegistry();
    for (const name of ['smsdom', 'sso-mail-only', 'cluster-aware']) {
      const r = verifyDesign(registry.get(name)!, { config: { sso: false }, runs: 30, seed: 1 });
      expect(r.invariants.find((i) => i.name === 'read-only')?.status, name).toBe('held');
      expect(r.coverage.stampings, name).toBe(0);
      expect(r.vacuous, name).toEqual([]);
      expect(r.ok, `${name}: ${JSON.stringify(r.invariants.map((i) => [i.name, i.status]))}`).toBe(true);
    }
  });
});
