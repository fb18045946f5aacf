import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applySave, getItemValue, runEvents, type Attachment, type DerivedEvent, type InputEvent, type ItemValue, type Note, type RevisedEvent, type ScannedEvent } from '@replstorm/core';
import { behaviourFactory, virusScanOf } from '../design.js';
import { SMSDOM_DEFAULTS, smsdomScan } from './smsdom.js';
import { builtinRegistry } from './registry.js';

// The smsdom design driven through the real simulator (R13–R16; event-log.md, "Built-in scanner design smsdom"):
// one test per row of the configuration table, plus the scan algorithm's paragraph. Times and counts are worked out
// by hand from the spec; tag values are recomputed with node:crypto (R15).

const KEY = 'SSOKEY0000000001';
const U1 = '0000000000000000000000000000000A';
const U2 = '0000000000000000000000000000000B';
const U3 = '0000000000000000000000000000000C';
const U4 = '0000000000000000000000000000000D';
const U0 = '00000000000000000000000000000001';
const U9 = '000000000000000000000000000000F9';

const CLEAN: Attachment[] = [{ name: 'q1.xlsx', bytes: 100 }];

function hmacHex(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

// C of a document holding exactly Subject and $FILE = CLEAN (lower-cased order: $file, subject).
function cOf(subject: string): string {
  return `{"$FILE":[{"bytes":100,"name":"q1.xlsx"}],"Subject":${JSON.stringify(subject)}}`;
}

const server = (name: string, extra: { cluster?: string; clockSkewMs?: number; clusterIntervalMs?: number } = {}): InputEvent => ({ at: 0, type: 'server', name, ...extra });
const database = (name: string, replicas: string[]): InputEvent => ({ at: 0, type: 'database', name, replicas });
const scanner = (srv: string, config: Record<string, unknown> = {}, at = 0): InputEvent => ({ at, type: 'scanner', server: srv, design: 'smsdom', config });
const save = (at: number, srv: string, db: string, unid: string, items: [string, ItemValue][], by = 'user/ann'): InputEvent => ({ at, type: 'save', server: srv, db, unid, by, set: new Map(items) });
const doc = (subject = 'figures', files: Attachment[] = CLEAN): [string, ItemValue][] => [['Subject', subject], ['$FILE', files]];
const scan = (at: number, srv: string, kind: 'scheduled' | 'manual', extra: { db?: string; unid?: string } = {}): InputEvent => ({ at, type: 'scan', server: srv, kind, ...extra });
const end = (at: number): InputEvent => ({ at, type: 'end' });

function run(events: InputEvent[]) {
  const r = runEvents(events, { behaviours: behaviourFactory(builtinRegistry()), collect: true });
  return { ...r, scanned: scannedOf(r.derived), revised: revisedOf(r.derived), note: (srv: string, db: string, unid: string) => r.sim.replica(srv, db)?.get(unid) };
}

function scannedOf(derived: DerivedEvent[]): ScannedEvent[] {
  return derived.filter((e): e is ScannedEvent => e.type === 'scanned');
}

function revisedOf(derived: DerivedEvent[]): RevisedEvent[] {
  return derived.filter((e): e is RevisedEvent => e.type === 'revised');
}

/** The scanned events as compact tuples [at, server, db, unid, kind, verdict, saved]. */
function scans(events: ScannedEvent[]) {
  return events.map((e) => [e.at, e.server, e.db, e.unid, e.kind, e.verdict, e.saved] as const);
}

function scannerRevisions(revised: RevisedEvent[]) {
  return revised.filter((e) => e.by === 'scanner/smsdom').map((e) => [e.at, e.server, e.db, e.unid, e.seq, e.seqTime] as const);
}

function tagOf(note: Note | undefined): ItemValue | undefined {
  return note === undefined ? undefined : getItemValue(note, 'X-SSOTag');
}

/** One server A with database db; a document U1 with a clean attachment saved by a user at 100. */
function single(config: Record<string, unknown>, more: InputEvent[] = []): InputEvent[] {
  return [server('A'), database('db', ['A']), scanner('A', config), save(100, 'A', 'db', U1, doc()), ...more];
}

describe('R13/R14: sso (Secure Scanning Optimization)', () => {
  it('R14: sso on: an on-write scan of a clean document stamps X-SSOTag = HMAC(key, C + definitions) in a scanner save (R1)', () => {
    const r = run(single({}));
    expect(scans(r.scanned)).toEqual([[110, 'A', 'db', U1, 'on-write', 'clean', true]]);
    expect(scannerRevisions(r.revised)).toEqual([[110, 'A', 'db', U1, 2, 110]]);
    expect(r.revised.at(-1)?.items).toEqual(['X-SSOTag']);
    expect(tagOf(r.note('A', 'db', U1))).toBe(hmacHex(KEY, cOf('figures')));
    expect(r.note('A', 'db', U1)?.revisions).toEqual([[1, 100]]);
    expect(r.summary.revisions).toEqual({ total: 2, byActorKind: { router: 0, scanner: 1, user: 1 } });
    expect(r.summary.scans).toEqual({ performed: 1, skipped: 0, infected: 0, missed: 0 });
  });

  it('R14: sso off: an on-write scan finds the document clean and saves nothing', () => {
    const r = run(single({ sso: false }));
    expect(scans(r.scanned)).toEqual([[110, 'A', 'db', U1, 'on-write', 'clean', false]]);
    expect(scannerRevisions(r.revised)).toEqual([]);
    expect(tagOf(r.note('A', 'db', U1))).toBeUndefined();
    expect(r.summary.scans).toEqual({ performed: 1, skipped: 0, infected: 0, missed: 0 });
  });

  it('R14: sso off: manual and scheduled scans scan every time and never save', () => {
    const r = run(single({ sso: false }, [scan(1000, 'A', 'manual'), scan(2000, 'A', 'scheduled')]));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', false],
      [1010, 'A', 'db', U1, 'manual', 'clean', false],
      [2010, 'A', 'db', U1, 'scheduled', 'clean', false],
    ]);
    expect(r.summary.revisions.byActorKind['scanner']).toBe(0);
    expect(r.note('A', 'db', U1)?.seq).toBe(1);
  });
});

describe('R14/R16: ignoreSsoOnScheduled', () => {
  it('R14: ignoreSsoOnScheduled=false (default): a manual scan honours a valid tag (skipped) and rewrites it (R1: a new revision)', () => {
    const r = run(single({}, [scan(1000, 'A', 'manual')]));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', true],
      [1010, 'A', 'db', U1, 'manual', 'skipped', true],
    ]);
    expect(scannerRevisions(r.revised)).toEqual([
      [110, 'A', 'db', U1, 2, 110],
      [1010, 'A', 'db', U1, 3, 1010],
    ]);
  });

  it('R14: ignoreSsoOnScheduled: scheduled and manual scans do not honour a valid tag: they scan it (clean) and save nothing', () => {
    const r = run(single({ ignoreSsoOnScheduled: true }, [scan(1000, 'A', 'manual'), scan(2000, 'A', 'scheduled')]));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', true],
      [1010, 'A', 'db', U1, 'manual', 'clean', false],
      [2010, 'A', 'db', U1, 'scheduled', 'clean', false],
    ]);
    // Only the on-write stamp: sso still applies to on-write scans.
    expect(scannerRevisions(r.revised)).toEqual([[110, 'A', 'db', U1, 2, 110]]);
    expect(r.summary.scans).toEqual({ performed: 3, skipped: 0, infected: 0, missed: 0 });
  });

  it('R14: ignoreSsoOnScheduled: scheduled and manual scans write no tag on an untagged document', () => {
    const r = run(single({ ignoreSsoOnScheduled: true, onWrite: false }, [scan(1000, 'A', 'scheduled'), scan(2000, 'A', 'manual')]));
    expect(scans(r.scanned)).toEqual([
      [1010, 'A', 'db', U1, 'scheduled', 'clean', false],
      [2010, 'A', 'db', U1, 'manual', 'clean', false],
    ]);
    expect(tagOf(r.note('A', 'db', U1))).toBeUndefined();
    expect(r.summary.revisions.byActorKind['scanner']).toBe(0);
  });

  it('R14: ignoreSsoOnScheduled=false: a scheduled scan stamps an untagged document', () => {
    const r = run(single({ onWrite: false }, [scan(1000, 'A', 'scheduled')]));
    expect(scans(r.scanned)).toEqual([[1010, 'A', 'db', U1, 'scheduled', 'clean', true]]);
    expect(tagOf(r.note('A', 'db', U1))).toBe(hmacHex(KEY, cOf('figures')));
  });
});

describe('R1/R14: rewriteValidTags', () => {
  it('R1: rewriteValidTags=true: a scheduled scan skipping for a valid tag still saves the same tag: a new revision', () => {
    const r = run(single({}, [scan(1000, 'A', 'scheduled')]));
    const before = hmacHex(KEY, cOf('figures'));
    expect(scans(r.scanned).at(-1)).toEqual([1010, 'A', 'db', U1, 'scheduled', 'skipped', true]);
    const n = r.note('A', 'db', U1)!;
    expect(n.seq).toBe(3);
    expect(n.seqTime).toBe(1010);
    expect(n.revisions).toEqual([[1, 100], [2, 110]]);
    expect(tagOf(n)).toBe(before);
    // The rewrite is a save of X-SSOTag: its itemSeq moves to 3 though its value did not change (R1).
    expect(n.items.find((i) => i.key === 'x-ssotag')?.seq).toBe(3);
    expect(r.summary.scans).toEqual({ performed: 1, skipped: 1, infected: 0, missed: 0 });
  });

  it('R14: rewriteValidTags=false: a scheduled scan skipping for a valid tag saves nothing', () => {
    const r = run(single({ rewriteValidTags: false }, [scan(1000, 'A', 'scheduled'), scan(2000, 'A', 'manual')]));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', true],
      [1010, 'A', 'db', U1, 'scheduled', 'skipped', false],
      [2010, 'A', 'db', U1, 'manual', 'skipped', false],
    ]);
    expect(r.note('A', 'db', U1)?.seq).toBe(2);
  });

  it('R14: rewriteValidTags does not apply to on-write scans: a user re-save of a stamped document is skipped without a save', () => {
    // The re-save writes Subject with its old value: C is unchanged, the tag still verifies.
    const r = run(single({}, [save(500, 'A', 'db', U1, [['Subject', 'figures']])]));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', true],
      [510, 'A', 'db', U1, 'on-write', 'skipped', false],
    ]);
    expect(r.note('A', 'db', U1)?.seq).toBe(3); // the user's save only
  });
});

describe('R15/R16: key', () => {
  // A and B hold db; A stamps U1 at 110; B pulls it at 1000 (applied at 1001); B runs a manual scan at 2000.
  function twoServers(keyB: string, configB: Record<string, unknown> = {}): InputEvent[] {
    return [
      server('A'),
      server('B'),
      database('db', ['A', 'B']),
      scanner('A', { key: KEY }),
      scanner('B', { key: keyB, rewriteValidTags: false, ...configB }),
      save(100, 'A', 'db', U1, doc()),
      { at: 1000, type: 'replicate', server: 'B', partner: 'A', mode: 'pull' },
      scan(2000, 'B', 'manual'),
    ];
  }

  it('R15: a shared key: the other server verifies the stamp and skips the scan', () => {
    const r = run(twoServers(KEY));
    expect(scans(r.scanned).filter((s) => s[1] === 'B')).toEqual([[2010, 'B', 'db', U1, 'manual', 'skipped', false]]);
    expect(r.note('B', 'db', U1)?.seq).toBe(2);
  });

  it('R15: different keys: the other server\'s stamp fails the check: B scans and restamps with its own key', () => {
    const keyB = 'SSOKEYBETA000000';
    const r = run(twoServers(keyB));
    expect(scans(r.scanned).filter((s) => s[1] === 'B')).toEqual([[2010, 'B', 'db', U1, 'manual', 'clean', true]]);
    expect(scannerRevisions(r.revised).filter((s) => s[1] === 'B')).toEqual([[2010, 'B', 'db', U1, 3, 2010]]);
    expect(tagOf(r.note('B', 'db', U1))).toBe(hmacHex(keyB, cOf('figures')));
    expect(tagOf(r.note('A', 'db', U1))).toBe(hmacHex(KEY, cOf('figures')));
  });

  describe('R13: scanReplicatedWrites', () => {
    it('R13: scanReplicatedWrites=false (default): an arrival by replication is not scanned', () => {
      const r = run(twoServers(KEY).slice(0, -1));
      expect(r.scanned.filter((s) => s.server === 'B')).toEqual([]);
    });

    it('R13: scanReplicatedWrites=true: an arrival is scanned scanMsPerDoc after it is applied (shared key: skipped, no save)', () => {
      const r = run(twoServers(KEY, { scanReplicatedWrites: true }).slice(0, -1));
      expect(scans(r.scanned).filter((s) => s[1] === 'B')).toEqual([[1011, 'B', 'db', U1, 'on-write', 'skipped', false]]);
    });

    it('R13/R16: scanReplicatedWrites=true with different keys: the arrival is rescanned and restamped, caused via the arrival', () => {
      const r = run(twoServers('SSOKEYBETA000000', { scanReplicatedWrites: true }).slice(0, -1));
      expect(scans(r.scanned).filter((s) => s[1] === 'B')).toEqual([[1011, 'B', 'db', U1, 'on-write', 'clean', true]]);
      const rev = r.revised.filter((e) => e.server === 'B' && e.by === 'scanner/smsdom');
      expect(rev.map((e) => [e.seq, e.seqTime, e.via])).toEqual([[3, 1011, { server: 'A', unid: U1, seq: 2 }]]);
    });
  });
});

describe('R15/R16: tagIncludesScanTime', () => {
  it('R15: tagIncludesScanTime: the stamp is t=<server clock>; + HMAC("<ms>:" + C), and every stamping writes a new value', () => {
    const r = run([
      server('A', { clockSkewMs: 5 }),
      database('db', ['A']),
      scanner('A', { tagIncludesScanTime: true }),
      save(100, 'A', 'db', U1, doc()),
      scan(1000, 'A', 'manual'),
    ]);
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', true],
      [1010, 'A', 'db', U1, 'manual', 'skipped', true],
    ]);
    const stamps = r.revised.filter((e) => e.by === 'scanner/smsdom');
    expect(stamps.map((e) => [e.seq, e.seqTime])).toEqual([[2, 115], [3, 1015]]);
    expect(tagOf(r.note('A', 'db', U1))).toBe(`t=1015;${hmacHex(KEY, `1015:${cOf('figures')}`)}`);
  });

  it('R15: tagIncludesScanTime=false: a rewrite writes the very same value', () => {
    const r = run(single({}, [scan(1000, 'A', 'manual')]));
    expect(tagOf(r.note('A', 'db', U1))).toBe(hmacHex(KEY, cOf('figures')));
  });
});

describe('R15/R16: tagIncludesDefinitions', () => {
  it('R15: tagIncludesDefinitions=true: a definitions event invalidates the tag: the next scan scans and restamps with C + version', () => {
    const r = run(single({ rewriteValidTags: false }, [{ at: 500, type: 'definitions', server: 'A', version: 'defs-2' }, scan(1000, 'A', 'manual')]));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', true],
      [1010, 'A', 'db', U1, 'manual', 'clean', true],
    ]);
    expect(tagOf(r.note('A', 'db', U1))).toBe(hmacHex(KEY, `${cOf('figures')}defs-2`));
    expect(r.summary.scans).toEqual({ performed: 2, skipped: 0, infected: 0, missed: 0 });
  });

  it('R15: tagIncludesDefinitions=false: a definitions event leaves the tag valid: skipped, no save', () => {
    const r = run(single({ rewriteValidTags: false, tagIncludesDefinitions: false }, [{ at: 500, type: 'definitions', server: 'A', version: 'defs-2' }, scan(1000, 'A', 'manual')]));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', true],
      [1010, 'A', 'db', U1, 'manual', 'skipped', false],
    ]);
    expect(tagOf(r.note('A', 'db', U1))).toBe(hmacHex(KEY, cOf('figures')));
  });
});

describe('R13: onWrite', () => {
  it('R13: onWrite=true: a user save is scanned scanMsPerDoc later, and the scanner\'s own save is not rescanned', () => {
    const r = run(single({ scanMsPerDoc: 25 }));
    expect(scans(r.scanned)).toEqual([[125, 'A', 'db', U1, 'on-write', 'clean', true]]);
    expect(r.summary.stopped).toBe('idle');
    expect(r.summary.scans.performed).toBe(1);
  });

  it('R13: onWrite=false: a user save is not scanned', () => {
    const r = run(single({ onWrite: false }));
    expect(r.scanned).toEqual([]);
    expect(r.summary.scans).toEqual({ performed: 0, skipped: 0, infected: 0, missed: 0 });
  });

  it('R13: a document deleted before its on-write scan is due is not scanned', () => {
    const r = run(single({}, [{ at: 105, type: 'delete', server: 'A', db: 'db', unid: U1, by: 'user/ann' }]));
    expect(r.scanned).toEqual([]);
    expect(r.summary.scans.performed).toBe(0);
  });

  it('R13/R15: a user edit after stamping invalidates the tag: the on-write scan rescans and restamps', () => {
    const r = run(single({}, [save(500, 'A', 'db', U1, [['Subject', 'figures v2']])]));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'db', U1, 'on-write', 'clean', true],
      [510, 'A', 'db', U1, 'on-write', 'clean', true],
    ]);
    expect(tagOf(r.note('A', 'db', U1))).toBe(hmacHex(KEY, cOf('figures v2')));
    expect(r.note('A', 'db', U1)?.seq).toBe(4);
  });
});

describe('R13: mail', () => {
  const mailEvents = (config: Record<string, unknown>): InputEvent[] => [
    server('A'),
    database('mail/ann.nsf', ['A']),
    database('mail/bob.nsf', ['A']),
    scanner('A', config),
    { at: 100, type: 'deliver', server: 'A', unid: U1, to: ['mail/ann.nsf', 'mail/bob.nsf'], set: new Map<string, ItemValue>(doc()) },
  ];

  it('R13: mail=true: one mail scan in mail.box, then the router saves the stamped message into each database', () => {
    const r = run(mailEvents({}));
    const tag = hmacHex(KEY, cOf('figures'));
    expect(scans(r.scanned)).toEqual([
      [100, 'A', 'mail.box', U1, 'mail', 'clean', true],
      // The delivered copies carry the mail scan's tag: their on-write scans verify it.
      [110, 'A', 'mail/ann.nsf', U1, 'on-write', 'skipped', false],
      [110, 'A', 'mail/bob.nsf', U1, 'on-write', 'skipped', false],
    ]);
    expect(r.revised.map((e) => [e.at, e.db, e.unid, e.seq, e.seqTime, e.by])).toEqual([
      [100, 'mail/ann.nsf', U1, 1, 100, 'router/A'],
      [100, 'mail/bob.nsf', U1, 1, 100, 'router/A'],
    ]);
    expect(tagOf(r.note('A', 'mail/ann.nsf', U1))).toBe(tag);
    expect(tagOf(r.note('A', 'mail/bob.nsf', U1))).toBe(tag);
    expect(r.summary.revisions.byActorKind).toEqual({ router: 2, scanner: 0 });
    expect(r.summary.scans).toEqual({ performed: 1, skipped: 2, infected: 0, missed: 0 });
  });

  it('R13: mail=false: no mail scan; the delivered copies are scanned on write and stamped one by one', () => {
    const r = run(mailEvents({ mail: false }));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'mail/ann.nsf', U1, 'on-write', 'clean', true],
      [110, 'A', 'mail/bob.nsf', U1, 'on-write', 'clean', true],
    ]);
    expect(r.summary.revisions.byActorKind).toEqual({ router: 2, scanner: 2 });
    expect(r.summary.scans).toEqual({ performed: 2, skipped: 0, infected: 0, missed: 0 });
  });

  it('R13: mail=true with sso=false: the message is scanned in mail.box but not stamped', () => {
    const r = run(mailEvents({ sso: false }));
    expect(scans(r.scanned)).toEqual([
      [100, 'A', 'mail.box', U1, 'mail', 'clean', false],
      [110, 'A', 'mail/ann.nsf', U1, 'on-write', 'clean', false],
      [110, 'A', 'mail/bob.nsf', U1, 'on-write', 'clean', false],
    ]);
    expect(tagOf(r.note('A', 'mail/ann.nsf', U1))).toBeUndefined();
    expect(r.summary.revisions.byActorKind).toEqual({ router: 2, scanner: 0 });
  });

  it('R13: an infected message is cleaned in mail.box before delivery: no copy holds the infected attachment', () => {
    const r = run([
      server('A'),
      database('mail/ann.nsf', ['A']),
      scanner('A', {}),
      { at: 100, type: 'deliver', server: 'A', unid: U1, to: ['mail/ann.nsf'], set: new Map<string, ItemValue>(doc('virus', [{ name: 'ok.txt' }, { name: 'bad.exe', infected: true }])) },
    ]);
    expect(scans(r.scanned)[0]).toEqual([100, 'A', 'mail.box', U1, 'mail', 'infected', true]);
    expect(getItemValue(r.note('A', 'mail/ann.nsf', U1)!, '$FILE')).toEqual([{ name: 'ok.txt' }]);
    expect(r.summary.scans.infected).toBe(1);
    expect(r.summary.scans.missed).toBe(0);
  });
});

describe('R13: scanMsPerDoc and the pass list', () => {
  // Databases defined b.nsf then a.nsf; in a.nsf U2 is saved before U1; U4 has no attachment; U0 arrives after the
  // pass started. The pass at 1000 lists a.nsf U1, a.nsf U2, b.nsf U3 (databases by name, then UNID).
  function passEvents(more: InputEvent[]): InputEvent[] {
    return [
      server('A'),
      database('b.nsf', ['A']),
      database('a.nsf', ['A']),
      scanner('A', { onWrite: false, scanMsPerDoc: 7 }),
      save(100, 'A', 'b.nsf', U3, doc()),
      save(101, 'A', 'a.nsf', U2, doc()),
      save(102, 'A', 'a.nsf', U1, doc()),
      save(103, 'A', 'a.nsf', U4, [['Subject', 'no attachment']]),
      scan(1000, 'A', 'manual'),
      save(1001, 'A', 'a.nsf', U0, doc()),
      ...more,
    ];
  }

  it('R13: document k of the pass (from 0) is scanned at start + (k+1) x scanMsPerDoc, databases by name then UNID', () => {
    const r = run(passEvents([]));
    expect(scans(r.scanned)).toEqual([
      [1007, 'A', 'a.nsf', U1, 'manual', 'clean', true],
      [1014, 'A', 'a.nsf', U2, 'manual', 'clean', true],
      [1021, 'A', 'b.nsf', U3, 'manual', 'clean', true],
    ]);
    expect(r.note('A', 'a.nsf', U0)?.seq).toBe(1);
    expect(r.note('A', 'a.nsf', U4)?.seq).toBe(1);
  });

  it('R13: a document deleted before its slot is skipped; its slot passes and later documents keep their times', () => {
    const r = run(passEvents([{ at: 1010, type: 'delete', server: 'A', db: 'a.nsf', unid: U2, by: 'user/ann' }]));
    expect(scans(r.scanned)).toEqual([
      [1007, 'A', 'a.nsf', U1, 'manual', 'clean', true],
      [1021, 'A', 'b.nsf', U3, 'manual', 'clean', true],
    ]);
  });

  it('R13: a document whose attachment was removed before its slot is not scanned', () => {
    const r = run(passEvents([{ at: 1015, type: 'save', server: 'A', db: 'b.nsf', unid: U3, by: 'user/ann', remove: ['$FILE'] }]));
    expect(scans(r.scanned).map((s) => s[3])).toEqual([U1, U2]);
  });

  it('R13: a pass scans the version a document has at its slot, not the one it had when the pass started', () => {
    const r = run(passEvents([save(1010, 'A', 'a.nsf', U2, [['Subject', 'changed']])]));
    expect(scans(r.scanned)[1]).toEqual([1014, 'A', 'a.nsf', U2, 'manual', 'clean', true]);
    expect(tagOf(r.note('A', 'a.nsf', U2))).toBe(hmacHex(KEY, cOf('changed')));
  });

  it('R13: a scan event with db and unid scans just that document', () => {
    const r = run(passEvents([scan(2000, 'A', 'manual', { db: 'a.nsf', unid: U0 })]));
    expect(scans(r.scanned).filter((s) => s[0] >= 2000)).toEqual([[2007, 'A', 'a.nsf', U0, 'manual', 'clean', true]]);
  });

  it('R13: a document without a non-empty $FILE is never scanned, on write or in a pass', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', {}),
      save(100, 'A', 'db', U1, [['Subject', 'no attachment']]),
      save(100, 'A', 'db', U2, [['Subject', 'empty'], ['$FILE', []]]),
      scan(1000, 'A', 'manual'),
      scan(2000, 'A', 'scheduled'),
    ]);
    expect(r.scanned).toEqual([]);
    expect(r.summary.scans).toEqual({ performed: 0, skipped: 0, infected: 0, missed: 0 });
    expect(r.summary.revisions.byActorKind['scanner']).toBe(0);
  });
});

describe('R13/R16: scheduleEveryMs', () => {
  it('R16: scheduleEveryMs: passes repeat from the scanner event on; with rewriteValidTags each one makes a new revision', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      save(0, 'A', 'db', U1, doc()),
      scanner('A', { onWrite: false, scheduleEveryMs: 1000 }),
      end(3500),
    ]);
    expect(scans(r.scanned)).toEqual([
      [10, 'A', 'db', U1, 'scheduled', 'clean', true],
      [1010, 'A', 'db', U1, 'scheduled', 'skipped', true],
      [2010, 'A', 'db', U1, 'scheduled', 'skipped', true],
      [3010, 'A', 'db', U1, 'scheduled', 'skipped', true],
    ]);
    expect(r.note('A', 'db', U1)?.seq).toBe(5);
    expect(r.summary.revisions.byActorKind['scanner']).toBe(4);
    expect(r.summary.stopped).toBe('end');
  });

  it('R16: scheduleEveryMs absent (0): no scheduled pass ever runs', () => {
    const r = run([server('A'), database('db', ['A']), save(0, 'A', 'db', U1, doc()), scanner('A', { onWrite: false }), end(3500)]);
    expect(r.scanned).toEqual([]);
  });

  it('R14/R16: scheduleEveryMs with ignoreSsoOnScheduled: every pass scans and none saves', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      save(0, 'A', 'db', U1, doc()),
      scanner('A', { onWrite: false, scheduleEveryMs: 1000, ignoreSsoOnScheduled: true }),
      end(2500),
    ]);
    expect(scans(r.scanned).map((s) => [s[0], s[5], s[6]])).toEqual([
      [10, 'clean', false],
      [1010, 'clean', false],
      [2010, 'clean', false],
    ]);
    expect(r.summary.revisions.byActorKind['scanner']).toBe(0);
  });

  it('R13: a periodic pass does not start while the previous one still runs, even after a shorter explicit scheduled scan ended meanwhile', () => {
    // Three documents at 400 ms each: a pass lasts 1200 ms. The periodic passes start at 0 and 2000 (the one at 1000
    // finds the first still running). An explicit scheduled scan of U1 at 2100 ends at 2500, while the pass started at
    // 2000 runs until 3200: the occurrence at 3000 must not start a pass (simulator.ts [choice]: "A scheduled pass does
    // not start while the previous one on the same server still runs").
    const r = run([
      server('A'),
      database('db', ['A']),
      save(0, 'A', 'db', U1, doc()),
      save(0, 'A', 'db', U2, doc()),
      save(0, 'A', 'db', U3, doc()),
      scanner('A', { onWrite: false, scheduleEveryMs: 1000, scanMsPerDoc: 400 }),
      scan(2100, 'A', 'scheduled', { unid: U1 }),
      end(4000),
    ]);
    expect(scans(r.scanned).map((s) => [s[0], s[3]])).toEqual([
      [400, U1],
      [800, U2],
      [1200, U3],
      [2400, U1],
      [2500, U1],
      [2800, U2],
      [3200, U3],
    ]);
  });
});

describe('R13: cause of scanner revisions', () => {
  it('R13: a stamp\'s cause is the line of the input event behind it: the user save (on-write), the scan event (pass), the scanner event (periodic pass)', () => {
    // Lines: header 1, then one line per input event in order.
    const events: InputEvent[] = [
      server('A'), // 2
      database('db', ['A']), // 3
      save(0, 'A', 'db', U2, doc()), // 4
      scanner('A', { scheduleEveryMs: 10_000 }), // 5
      save(100, 'A', 'db', U1, doc()), // 6
      scan(1000, 'A', 'manual', { db: 'db', unid: U1 }), // 7
      end(5000), // 8
    ];
    const r = run(events);
    expect(r.revised.filter((e) => e.by === 'scanner/smsdom').map((e) => [e.at, e.unid, e.cause])).toEqual([
      [10, U2, 5],
      [110, U1, 6],
      [1010, U1, 7],
    ]);
  });
});

describe('R14: infected documents', () => {
  it('R14: infected attachments are removed and any tag removed, in a scanner save (verdict infected)', () => {
    const files: Attachment[] = [{ name: 'ok.doc', bytes: 10 }, { name: 'bad.exe', bytes: 20, infected: true }];
    const r = run(single({}, [save(500, 'A', 'db', U2, [['Subject', 'x'], ['$FILE', files], ['X-SSOTag', 'forged']])]));
    expect(scans(r.scanned).filter((s) => s[3] === U2)).toEqual([[510, 'A', 'db', U2, 'on-write', 'infected', true]]);
    const rev = r.revised.filter((e) => e.unid === U2 && e.by === 'scanner/smsdom');
    expect(rev.map((e) => [e.seq, [...e.items].sort()])).toEqual([[2, ['$FILE', 'X-SSOTag']]]);
    const n = r.note('A', 'db', U2)!;
    expect(getItemValue(n, '$FILE')).toEqual([{ name: 'ok.doc', bytes: 10 }]);
    expect(tagOf(n)).toBeUndefined();
    // The cleaning save is the scanner's own: not rescanned, so the cleaned document is not stamped.
    expect(r.scanned.filter((s) => s.unid === U2)).toHaveLength(1);
    expect(r.summary.scans).toEqual({ performed: 2, skipped: 0, infected: 1, missed: 0 });
  });

  it('R14: a document whose only attachment is infected loses its $FILE item', () => {
    const r = run(single({}, [save(500, 'A', 'db', U2, [['Subject', 'x'], ['$FILE', [{ name: 'bad.exe', infected: true }]]])]));
    const n = r.note('A', 'db', U2)!;
    expect(getItemValue(n, '$FILE')).toBeUndefined();
    expect(n.seq).toBe(2);
  });

  it('R14/R15: a stamped document a user then infects is found infected (its tag no longer verifies) and cleaned', () => {
    const r = run(single({}, [save(500, 'A', 'db', U1, [['$FILE', [...CLEAN, { name: 'bad.exe', infected: true }]]])]));
    expect(scans(r.scanned).at(-1)).toEqual([510, 'A', 'db', U1, 'on-write', 'infected', true]);
    const n = r.note('A', 'db', U1)!;
    expect(getItemValue(n, '$FILE')).toEqual(CLEAN);
    expect(tagOf(n)).toBeUndefined();
    expect(r.summary.scans.missed).toBe(0);
  });

  it('R14: infected documents are cleaned even when scheduled scans ignore SSO', () => {
    const r = run([
      server('A'),
      database('db', ['A']),
      scanner('A', { onWrite: false, ignoreSsoOnScheduled: true }),
      save(100, 'A', 'db', U1, [['Subject', 'x'], ['$FILE', [{ name: 'bad.exe', infected: true }]]]),
      scan(1000, 'A', 'scheduled'),
    ]);
    expect(scans(r.scanned)).toEqual([[1010, 'A', 'db', U1, 'scheduled', 'infected', true]]);
    expect(getItemValue(r.note('A', 'db', U1)!, '$FILE')).toBeUndefined();
  });
});

describe('R13/R16: forward', () => {
  // U1 in ann.nsf is stamped on write at 110; at 1000 a user forwards it into bob.nsf as U9.
  function forwardEvents(config: Record<string, unknown>): InputEvent[] {
    return [
      server('A'),
      database('mail/ann.nsf', ['A']),
      database('mail/bob.nsf', ['A']),
      scanner('A', config),
      save(100, 'A', 'mail/ann.nsf', U1, doc()),
      { at: 1000, type: 'forward', server: 'A', db: 'mail/ann.nsf', unid: U1, newUnid: U9, to: ['mail/bob.nsf'], by: 'user/bob' },
    ];
  }

  it('R16: a forwarded copy carries no X-SSOTag: it is scanned again in mail.box (one extra performed scan)', () => {
    const r = run(forwardEvents({}));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'mail/ann.nsf', U1, 'on-write', 'clean', true],
      [1000, 'A', 'mail.box', U9, 'mail', 'clean', true],
      [1010, 'A', 'mail/bob.nsf', U9, 'on-write', 'skipped', false],
    ]);
    expect(r.summary.scans).toEqual({ performed: 2, skipped: 1, infected: 0, missed: 0 });
    // Same items, same key, same definitions: the new stamp equals the original's value.
    expect(tagOf(r.note('A', 'mail/bob.nsf', U9))).toBe(hmacHex(KEY, cOf('figures')));
    expect(r.revised.filter((e) => e.unid === U9).map((e) => [e.seq, e.by])).toEqual([[1, 'router/A']]);
  });

  it('R16: with mail=false the forwarded copy is rescanned on write and stamped in a scanner save', () => {
    const r = run(forwardEvents({ mail: false }));
    expect(scans(r.scanned)).toEqual([
      [110, 'A', 'mail/ann.nsf', U1, 'on-write', 'clean', true],
      [1010, 'A', 'mail/bob.nsf', U9, 'on-write', 'clean', true],
    ]);
    expect(r.summary.scans).toEqual({ performed: 2, skipped: 0, infected: 0, missed: 0 });
    expect(r.revised.filter((e) => e.unid === U9).map((e) => [e.seq, e.by])).toEqual([[1, 'router/A'], [2, 'scanner/smsdom']]);
  });
});

describe('R5/R15: conflict documents', () => {
  // U1 is stamped on A (seq 2) and pulled by B. A's user edits it once (A restamps on write: seq 4, seqTime 410); B's
  // user edits it twice (B has no on-write scanning: seq 4, seqTime 550). Equal seq, B's later: B's version wins (R5).
  // When A pulls it (applied at 601), A's copy becomes a conflict document.
  function conflictEvents(configA: Record<string, unknown>): InputEvent[] {
    return [
      server('A'),
      server('B'),
      database('db', ['A', 'B']),
      scanner('A', configA),
      scanner('B', { onWrite: false }),
      save(100, 'A', 'db', U1, doc()),
      { at: 300, type: 'replicate', server: 'B', partner: 'A', mode: 'pull' },
      save(400, 'A', 'db', U1, [['Subject', 'edit on A']]),
      save(500, 'B', 'db', U1, [['Subject', 'edit on B']]),
      save(550, 'B', 'db', U1, [['Subject', 'edit on B again']]),
      { at: 600, type: 'replicate', server: 'A', partner: 'B', mode: 'pull' },
    ];
  }

  it('R15/R13: scanReplicatedWrites: the conflict document (with $Conflict and $REF) fails its tag and is rescanned and restamped, then the winner', () => {
    const r = run(conflictEvents({ scanReplicatedWrites: true }));
    const conflicts = r.derived.filter((e) => e.type === 'conflict');
    expect(conflicts.map((e) => (e.type === 'conflict' ? [e.server, e.unid, e.winner, e.loser] : []))).toEqual([
      ['A', U1, { seq: 4, seqTime: 550 }, { seq: 4, seqTime: 410 }],
    ]);
    const conflictUnid = conflicts[0]!.type === 'conflict' ? conflicts[0]!.conflictUnid : '';
    expect(scans(r.scanned).filter((s) => s[0] > 600)).toEqual([
      [611, 'A', 'db', conflictUnid, 'on-write', 'clean', true],
      [611, 'A', 'db', U1, 'on-write', 'clean', true],
    ]);
    const cConflict = `{"$Conflict":"","$FILE":[{"bytes":100,"name":"q1.xlsx"}],"$REF":"${U1}","Subject":"edit on A"}`;
    expect(tagOf(r.note('A', 'db', conflictUnid))).toBe(hmacHex(KEY, cConflict));
    expect(tagOf(r.note('A', 'db', U1))).toBe(hmacHex(KEY, cOf('edit on B again')));
  });

  it('R13: scanReplicatedWrites=false: neither the conflict document nor the winner\'s arrival is scanned', () => {
    const r = run(conflictEvents({}));
    expect(r.derived.filter((e) => e.type === 'conflict')).toHaveLength(1);
    expect(r.scanned.filter((s) => s.at > 600)).toEqual([]);
  });
});

describe('smsdom configuration check', () => {
  const install = (config: Record<string, unknown>) => () => behaviourFactory(builtinRegistry())('smsdom', config, { server: 'Alpha', design: 'smsdom', cluster: undefined });
  it('R14: the key is 16 letters or digits (event-log.md: "the 16-character key")', () => {
    expect(install({ key: 'ABCDEFGH12345678' })).not.toThrow();
    for (const key of ['', 'abc', 'this key has spaces and is long!', 'SSOKEY000000000é', 'SSOKEY00000000001']) {
      expect(install({ key }), key).toThrow(/field "config.key": expected 16 letters or digits/);
    }
  });
  it('Time: scanMsPerDoc and scheduleEveryMs are whole milliseconds >= 0 (a negative schedule is refused, not read as none)', () => {
    expect(install({ scheduleEveryMs: 0, scanMsPerDoc: 0 })).not.toThrow();
    for (const [field, v] of [['scheduleEveryMs', -1], ['scheduleEveryMs', 0.5], ['scanMsPerDoc', -1], ['scanMsPerDoc', 2.5]] as const) {
      expect(install({ [field]: v }), `${field}=${v}`).toThrow(new RegExp(`field "config.${field}": expected a whole number of milliseconds >= 0`));
    }
  });
});

describe('smsdomScan, called by a design of its own (public API)', () => {
  it('R15: each decision\'s set list is its own: a wrapping design that adds to one does not add to the next scan of the same items', () => {
    // The tag cache handed every decision one shared [[X-SSOTag, tag]] list (a speedup): a design that wrapped
    // smsdomScan and pushed an item of its own onto `set` pushed it into every later stamp of those items.
    const note = applySave(undefined, U1, { set: new Map(doc()) }, 1_000, 0).note;
    const ctx = {
      kind: 'scheduled' as const,
      server: 'Alpha',
      cluster: undefined,
      clusterMembers: ['Alpha'],
      db: 'mail/a.nsf',
      unid: U1,
      note,
      at: 2_000,
      clock: 2_000,
      definitions: '',
      store: new Map<string, unknown>(),
      config: { ...SMSDOM_DEFAULTS, key: KEY },
      virusScan: () => virusScanOf(note),
    };
    const first = smsdomScan(ctx);
    expect(first.set).toHaveLength(1);
    (first.set as [string, ItemValue][]).push(['X-Mine', 1]);
    const second = smsdomScan(ctx);
    expect(second.set).toEqual([['X-SSOTag', first.set![0]![1]]]);
  });
});
