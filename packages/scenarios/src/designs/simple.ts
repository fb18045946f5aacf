import { defineDesign, cleaningWrites } from '../design.js';

/**
 * Never scans: the baseline with zero cost and zero protection. [choice] It watches no write and runs no scheduled
 * pass; what it is handed anyway, a manual pass (a `scan` event of kind manual) and a message through mail.box (the
 * engine asks every installed scanner), it passes unscanned as `skipped`, so an infected one counts in `missed`: the
 * summary then says what the baseline let through, where "never scans" read literally would hide it (pinned by the
 * noop tests in variants.test.ts).
 */
export const noop = defineDesign({
  name: 'noop',
  description: 'never scans (baseline: no cost, no protection)',
  defaults: {},
  promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'], quiescent: true, noConflicts: true },
  watches: () => false,
  runsScheduledPass: () => false,
  symmetric: true,
  scan: () => ({ verdict: 'skipped' }),
});

/**
 * Keeps scan results outside the replicated document: a server-local store keyed by OID (UNID, seq, seqTime). A
 * version scanned clean is never rescanned on that server, and a clean document is never saved. [choice] An infected
 * document is cleaned (a save: there is no other way to remove an attachment), which the suite allows.
 * [limitation] The design as event-log.md gives it: an OID need not name one content (R3: two servers saving a
 * document in the same millisecond make one OID of two contents), so a copy that comes back under an OID cached clean
 * is skipped, infected or not: Alpha's stub purged (R10) and Beta's infected copy pulled back (a QA pass, 2026-12-07:
 * examples/logs/scan-cache-oid-collision.jsonl, tested in the CLI's tests). verify's cases purge no stub (they run
 * hours; a stub lives days) and hold no session to bring a copy back, and hold no-missed-infection for it.
 */
export const scanCache = defineDesign({
  name: 'scan-cache',
  // [choice] event-log.md: "keeps results in a server-local store keyed by OID; never saves". Read as never saving a
  // clean document (no tag, no stamp: the writes the storm is made of); an infected one is cleaned, as every scanner
  // here cleans (R13, cleaningWrites), or a design meant as the fix would leave infections the others remove, and the
  // comparison tables would weigh that and not the stamping.
  description: 'remembers clean versions in a server-local cache keyed by OID; never saves a clean document',
  defaults: { scanMsPerDoc: 10, scheduleEveryMs: 0, scanReplicatedWrites: false },
  configHelp: {
    scanMsPerDoc: 'virtual time one document scan takes',
    scheduleEveryMs: 'a scheduled scan of every database this often (0: none)',
    scanReplicatedWrites: 'on-write scanning also covers arrivals (it never stamps, but two members cleaning one infected arrival conflict: no "no conflicts" promise)',
  },
  // Without arrival scanning, its only write (cleaning) is one a clean-only scanner makes too: no conflict of its own.
  // With it, a member cleans an infected copy that arrived while the sender cleans its own: two seq 2 versions, a
  // conflict a clean-only scanner (which scans local saves only) does not make, so the promise is not given then.
  promises: (c) => ({ readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'], quiescent: true, noConflicts: !c.scanReplicatedWrites }),
  scanMsPerDoc: (c) => c.scanMsPerDoc,
  scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
  watches: (w, c) => w.origin === 'save' || c.scanReplicatedWrites,
  symmetric: true,
  scan({ db, note, store, virusScan }) {
    // Keyed by database and OID: a UNID is unique within a database's replicas, not across databases on a server.
    const oid = `${db}:${note.unid}:${note.seq}:${note.seqTime}`;
    if (store.get(oid) === 'clean') return { verdict: 'skipped' };
    const result = virusScan();
    if (!result.infected) return { verdict: 'clean', remember: [[oid, 'clean']] };
    return { verdict: 'infected', ...cleaningWrites(result) };
  },
});
