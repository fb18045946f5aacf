import { describe, expect, it } from 'vitest';
import { LogError, getItemValue, runEvents, type InputEvent, type ItemValue } from '@replstorm/core';
import { behaviourFactory, defineDesign } from '../design.js';
import { BUILTIN_DESIGNS, builtinRegistry } from '../designs/registry.js';
import { MAX_TIMED_EVENTS, SETUP_MS, dbName, smsdomStormEvents, unidFor } from './smsdomStorm.js';

// The smsdom-storm generator: a seeded, deterministic producer of log input events (R16's seed as a scenario).

const HOUR = 3_600_000;

type Of<T extends InputEvent['type']> = Extract<InputEvent, { type: T }>;
const only = <T extends InputEvent['type']>(events: InputEvent[], type: T): Of<T>[] => events.filter((e): e is Of<T> => e.type === type);

function configError(settings: Record<string, string | number | boolean>): LogError {
  try {
    smsdomStormEvents(settings);
  } catch (e) {
    if (e instanceof LogError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(settings)}`);
}

const SMALL = { databases: 3, docs: 4 } as const;

describe('R16: smsdom-storm is deterministic and well-formed', () => {
  it('R16: the same parameters give the same events', () => {
    const settings = { ...SMALL, userEditsPerHour: 10, forwards: 3, definitionsEveryMs: 1_800_000, attachmentShare: 0.5, infectedShare: 0.5, seed: 7 };
    expect(smsdomStormEvents(settings)).toEqual(smsdomStormEvents(settings));
  });

  it('R16: another seed changes the random parts (which documents get edits)', () => {
    const a = only(smsdomStormEvents({ ...SMALL, userEditsPerHour: 20, seed: 1 }), 'save').filter((e) => e.by === 'user/ann');
    const b = only(smsdomStormEvents({ ...SMALL, userEditsPerHour: 20, seed: 2 }), 'save').filter((e) => e.by === 'user/ann');
    expect(a).toHaveLength(40);
    expect(b).toHaveLength(40);
    expect(a.map((e) => [e.at, e.unid, e.server])).not.toEqual(b.map((e) => [e.at, e.unid, e.server]));
  });

  it('R16: events are sorted by at (what the log format requires: at never decreases)', () => {
    const events = smsdomStormEvents({ ...SMALL, servers: 3, userEditsPerHour: 30, forwards: 10, definitionsEveryMs: 600_000, scanOffsetsMs: '9000,0,500' });
    for (let i = 1; i < events.length; i++) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at);
  });

  it('R16: the run ends with one end event at the horizon, after setup', () => {
    const events = smsdomStormEvents({ ...SMALL, horizonMs: 1234, scanOffsetsMs: '0' });
    const ends = only(events, 'end');
    expect(ends).toEqual([{ at: SETUP_MS + 1234, type: 'end' }]);
    expect(events.at(-1)).toEqual({ at: 61_234, type: 'end' });
  });

  it('R16: the run ends horizonMs after the scanners are installed (SMSDOM_STORM_PARAMS.horizonMs): no scanner event comes after the end', () => {
    // Default scanOffsetsMs "0,7000": Beta's scanner is installed at 67,000. With horizonMs 1234 the end must not come
    // before it (an event after `end` is ignored by the engine, so Beta would silently run without a scanner).
    const events = smsdomStormEvents({ ...SMALL, horizonMs: 1234 });
    const endAt = only(events, 'end')[0]!.at;
    expect(only(events, 'scanner').filter((e) => e.at > endAt).map((e) => [e.server, e.at])).toEqual([]);
  });

  it('R16: horizonMs counts from the first scanner\'s installation, whatever the offsets (it counted from the end of setup: scanOffsetsMs=3600000 left one hour of a two-hour horizon, an operator\'s QA pass)', () => {
    for (const offsets of ['3600000', '3600000,3607000']) {
      const events = smsdomStormEvents({ ...SMALL, scanOffsetsMs: offsets, horizonMs: 2 * HOUR });
      const first = Math.min(...only(events, 'scanner').map((e) => e.at));
      expect(first).toBe(SETUP_MS + HOUR);
      expect(only(events, 'end').map((e) => e.at)).toEqual([first + 2 * HOUR]);
    }
  });

  it('R16: defaults: 2 servers Alpha and Beta in cluster Hub, 100 x 100 documents, scanners at 60 s and 67 s', () => {
    const events = smsdomStormEvents();
    expect(only(events, 'server')).toEqual([
      { at: 0, type: 'server', name: 'Alpha', cluster: 'Hub', clusterIntervalMs: 15_000 },
      { at: 0, type: 'server', name: 'Beta', cluster: 'Hub', clusterIntervalMs: 15_000, clockSkewMs: 350 },
    ]);
    expect(only(events, 'database')).toHaveLength(100);
    expect(only(events, 'save')).toHaveLength(10_000);
    expect(only(events, 'scanner').map((e) => [e.at, e.server, e.design, e.config])).toEqual([
      [60_000, 'Alpha', 'smsdom', { scheduleEveryMs: HOUR }],
      [67_000, 'Beta', 'smsdom', { scheduleEveryMs: HOUR }],
    ]);
    expect(only(events, 'end')).toEqual([{ at: SETUP_MS + 2 * HOUR, type: 'end' }]);
  });
});

describe('R16: parameter validation: LogError BAD_CONFIG naming the parameter', () => {
  it('R16: an unknown parameter', () => {
    const e = configError({ serverz: 2 });
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.field).toBe('serverz');
    expect(e.message).toContain('serverz');
    expect(e.message).toContain('(did you mean "servers"?)');
  });

  it('R16: a number parameter given something else', () => {
    for (const [k, v] of [['servers', 'two'], ['docs', ''], ['attachmentShare', 'half'], ['seed', 'abc']] as const) {
      const e = configError({ [k]: v });
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.field).toBe(k);
      expect(e.message).toContain(k);
    }
  });

  it('R16: a choice parameter given a value outside its choices', () => {
    for (const [k, v] of [['replication', 'mesh'], ['keys', 'none'], ['scanServers', 'second']] as const) {
      const e = configError({ [k]: v });
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.field).toBe(k);
      expect(e.message).toContain(k);
    }
  });

  it('R16: a number out of range', () => {
    for (const [k, v] of [['servers', 9], ['servers', 0], ['databases', 0], ['docs', -1], ['attachmentShare', 1.5], ['infectedShare', -0.1], ['horizonMs', 0], ['scanEveryMs', 0]] as const) {
      const e = configError({ [k]: v });
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.field).toBe(k);
      expect(e.message).toContain(k);
    }
  });

  it('R16: per-server lists that are not numbers', () => {
    for (const k of ['clockSkewsMs', 'scanOffsetsMs'] as const) {
      const e = configError({ [k]: '0,soon' });
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.field).toBe(k);
    }
  });

  it('R16: a negative scan offset is refused, naming the parameter (offsets count from the end of setup)', () => {
    // scanOffsetsMs=-30000 put a scanner at 30 s, among the setup's saves (up to 41 s here), after them in the
    // generated input: the engine refused the run with 'field "at": 30000 is before the time already reached'.
    for (const list of ['-30000', '0,-5000', '-1']) {
      const e = configError({ ...SMALL, scanOffsetsMs: list });
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.field).toBe('scanOffsetsMs');
      expect(e.message).toBe(`parameter "scanOffsetsMs": expected whole numbers >= 0 (milliseconds after setup), got "${list}"`);
    }
    // Clock skews may be negative.
    expect(only(smsdomStormEvents({ ...SMALL, clockSkewsMs: '-350' }), 'server').map((e) => e.clockSkewMs)).toEqual([-350, -350]);
  });

  it('R16: a horizon or scan offset past the end of virtual time (0..2^53-1 ms, event-log.md) is refused naming the parameter (it was refused by a generated event\'s field "at", which the user never wrote)', () => {
    const max = Number.MAX_SAFE_INTEGER;
    for (const [k, v] of [['horizonMs', max], ['horizonMs', max - SETUP_MS + 1], ['scanOffsetsMs', String(max)], ['scanOffsetsMs', `0,${max - SETUP_MS}`]] as const) {
      const e = configError({ ...SMALL, [k]: v });
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.field).toBe(k);
      expect(e.message).toMatch(new RegExp(`^parameter "${k}": \\d+ (ends the run|puts a scanner) past the end of virtual time \\(2\\^53-1 ms; (setup ends|the first scanner comes) at 60000 ms\\): at most \\d+$`));
    }
    // The last values that fit: the end event at 2^53-1 exactly.
    expect(only(smsdomStormEvents({ ...SMALL, horizonMs: max - SETUP_MS }), 'end').map((e) => e.at)).toEqual([max]);
    const late = smsdomStormEvents({ ...SMALL, scanOffsetsMs: `0,${max - SETUP_MS - 1}` });
    expect(only(late, 'scanner').map((e) => e.at)).toEqual([SETUP_MS, max - 1]);
    expect(only(late, 'end').map((e) => e.at)).toEqual([max]);
  });

  it('R16: more than MAX_TIMED_EVENTS user edits, definitions updates and forwards are refused naming the parameter: they are made and sorted in memory before the run (userEditsPerHour=1e30 or forwards=200000000 ended in V8\'s out-of-memory abort, exit 134)', () => {
    expect(MAX_TIMED_EVENTS).toBe(1_000_000);
    for (const [k, v, what] of [
      ['userEditsPerHour', 1e30, '2.00e+30 user edits'],
      ['userEditsPerHour', 500_001, '1,000,002 user edits'], // x 2 hours
      ['forwards', 1_000_001, '1,000,001 forwards'],
      ['definitionsEveryMs', 1, '14,399,998 definitions updates'], // 7,199,999 instants x 2 servers
    ] as const) {
      const e = configError({ ...SMALL, [k]: v });
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.field).toBe(k);
      expect(e.message).toBe(`parameter "${k}": ${String(v)} asks for ${what} over the horizon (horizonMs=7200000); the scenario makes at most 1,000,000 such timed events (held in memory to be sorted)`);
    }
    // Together: the parameter asking for the most is named, with every count.
    expect(configError({ ...SMALL, userEditsPerHour: 300_000, forwards: 500_000 }).message).toBe('parameter "userEditsPerHour": 300000 asks for 600,000 user edits, 500,000 forwards over the horizon (horizonMs=7200000); the scenario makes at most 1,000,000 such timed events (held in memory to be sorted)');
    // The counts are the events made: definitions updates strictly before the end, on every server.
    expect(only(smsdomStormEvents({ ...SMALL, servers: 3, horizonMs: 1_000, definitionsEveryMs: 7, scanOffsetsMs: '0' }), 'definitions')).toHaveLength(Math.floor(999 / 7) * 3);
    // (The run lasts until the last scanner is installed, 7,000 ms by default, when that is past the horizon.)
    expect(only(smsdomStormEvents({ ...SMALL, servers: 3, horizonMs: 1_000, definitionsEveryMs: 7 }), 'definitions')).toHaveLength(Math.floor(7_000 / 7) * 3);
    expect(configError({ ...SMALL, servers: 1, horizonMs: 1_000, definitionsEveryMs: 1, scanOffsetsMs: '1000001' }).message).toContain('asks for 1,000,001 definitions updates');
  });

  it('R16: a per-server list with more values than servers is refused, saying how many were expected (the extra values were ignored)', () => {
    for (const k of ['scanOffsetsMs', 'clockSkewsMs'] as const) {
      const e = configError({ ...SMALL, [k]: '0,7000,9000' });
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.field).toBe(k);
      expect(e.message).toBe(`parameter "${k}": expected at most 2 values, one per server (servers=2; the last repeats for the servers it does not reach), got 3: "0,7000,9000"`);
      expect(configError({ ...SMALL, servers: 1, [k]: '0,0' }).message).toContain('expected at most 1 value, one per server (servers=1;');
      // As many values as servers, or fewer (the last repeats), are accepted.
      expect(only(smsdomStormEvents({ ...SMALL, servers: 3, [k]: '0,7000,9000' }), 'scanner')).toHaveLength(3);
      expect(only(smsdomStormEvents({ ...SMALL, servers: 3, [k]: '0,7000' }), 'scanner')).toHaveLength(3);
    }
    // The defaults (two values each) are not the user's: with one server their second value goes unused, unrefused.
    expect(only(smsdomStormEvents({ ...SMALL, servers: 1 }), 'scanner').map((e) => e.at)).toEqual([SETUP_MS]);
  });

  it('R16: a design setting the design does not have is refused (what a user types, not a log: the engine passes a log\'s over)', () => {
    const e = configError({ ...SMALL, config: 'ssoo=false' });
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.field).toBe('config.ssoo');
    expect(e.message).toContain('the design "smsdom" has no such setting');
    expect(configError({ ...SMALL, design: 'noop', config: 'sso=false' }).field).toBe('config.sso');
    expect(configError({ ...SMALL, config: '__proto__=1' }).field).toBe('config.__proto__');
  });

  it('R16: a design configuration that is not key=value', () => {
    const e = configError({ config: 'sso' });
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.field).toBe('config');
  });

  it('R16: a design setting the scenario sets itself (the schedule; the key under keys=per-server) is refused, not silently overwritten', () => {
    const refusal = (settings: Record<string, string>) => {
      try {
        smsdomStormEvents({ databases: 1, docs: 1, ...settings });
      } catch (e) {
        if (e instanceof LogError) return e.message;
        throw e;
      }
      return 'accepted';
    };
    expect(refusal({ config: 'scheduleEveryMs=600000' })).toContain('scheduleEveryMs is set by the scenario on every server: use its parameters scanEveryMs and scanServers');
    expect(refusal({ keys: 'per-server', config: 'key=ABCDEFGHIJKLMNOP' })).toContain('use keys=shared');
    // Where the scenario does not set it, the design's own setting stands.
    expect(refusal({ config: 'key=ABCDEFGHIJKLMNOP' })).toBe('accepted');
    const scanner = smsdomStormEvents({ databases: 1, docs: 1, config: 'key=ABCDEFGHIJKLMNOP' }).find((e) => e.type === 'scanner') as { config: Record<string, unknown> };
    expect(scanner.config['key']).toBe('ABCDEFGHIJKLMNOP');
  });

  it('R11/R12: a replication parameter of the other mode is refused, naming it (given, it changed nothing: the same run, a QA pass); its own mode takes it', () => {
    const cases = [
      { settings: { replication: 'scheduled', clusterIntervalMs: 5000 }, field: 'clusterIntervalMs', says: 'with replication=scheduled the servers are in no cluster' },
      { settings: { connectionEveryMs: 60_000 }, field: 'connectionEveryMs', says: 'with replication=cluster (the default) the servers replicate by cluster pushes' },
      { settings: { replication: 'cluster', connectionEveryMs: 60_000 }, field: 'connectionEveryMs', says: 'so it would change nothing' },
    ];
    for (const c of cases) {
      const e = configError({ ...SMALL, ...c.settings });
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.field).toBe(c.field);
      expect(e.message).toContain(c.says);
    }
    // In its own mode each is used: the cluster's interval on the server events, the connection's on the connections.
    const clustered = only(smsdomStormEvents({ ...SMALL, clusterIntervalMs: 5000 }), 'server');
    expect(clustered.map((e) => e.clusterIntervalMs)).toEqual([5000, 5000]);
    const scheduled = only(smsdomStormEvents({ ...SMALL, replication: 'scheduled', connectionEveryMs: 60_000 }), 'connection');
    expect(scheduled.map((e) => e.everyMs)).toEqual([60_000]);
    // [choice] One server with its mode's setting is accepted (a sweep over servers keeps its settings).
    expect(only(smsdomStormEvents({ ...SMALL, servers: 1, replication: 'scheduled', connectionEveryMs: 60_000 }), 'connection')).toEqual([]);
  });

  it('R16: numbers may be given as strings, with underscores', () => {
    expect(only(smsdomStormEvents({ databases: '2', docs: '1_0' }), 'save')).toHaveLength(20);
  });
});

describe('R16: what the parameters produce', () => {
  it('R16: per-server clock skews, the last value repeating; a zero skew is left out', () => {
    const events = smsdomStormEvents({ ...SMALL, servers: 4, clockSkewsMs: '0,350,-20' });
    expect(only(events, 'server').map((e) => [e.name, e.clockSkewMs])).toEqual([
      ['Alpha', undefined],
      ['Beta', 350],
      ['Gamma', -20],
      ['Delta', -20],
    ]);
  });

  it('R16: per-server scan offsets: each scanner is installed at setup + its offset (the last value repeating)', () => {
    const events = smsdomStormEvents({ ...SMALL, servers: 4, scanOffsetsMs: '5000,0,100' });
    expect(only(events, 'scanner').map((e) => [e.at, e.server])).toEqual([
      [60_000, 'Beta'],
      [60_100, 'Gamma'],
      [60_100, 'Delta'],
      [65_000, 'Alpha'],
    ]);
  });

  it('R16: documents = databases x docs, created on the first server before setup ends, by user/carol', () => {
    const events = smsdomStormEvents({ databases: 3, docs: 4 });
    const saves = only(events, 'save');
    expect(saves).toHaveLength(12);
    expect(new Set(saves.map((e) => e.unid)).size).toBe(12);
    expect(saves.every((e) => e.server === 'Alpha' && e.by === 'user/carol' && e.at < SETUP_MS)).toBe(true);
    expect(only(events, 'database').map((e) => [e.name, e.replicas])).toEqual([
      ['mail/user000.nsf', ['Alpha', 'Beta']],
      ['mail/user001.nsf', ['Alpha', 'Beta']],
      ['mail/user002.nsf', ['Alpha', 'Beta']],
    ]);
    for (const db of ['mail/user000.nsf', 'mail/user001.nsf', 'mail/user002.nsf']) expect(saves.filter((e) => e.db === db)).toHaveLength(4);
    expect(saves[0]!.unid).toBe(unidFor(0x5e7d001));
    expect(saves[0]!.unid).toMatch(/^[0-9A-F]{32}$/);
  });

  it('R16: database names are zero-padded to the width of the largest index', () => {
    expect(dbName(7, 100)).toBe('mail/user007.nsf');
    expect(dbName(7, 1001)).toBe('mail/user0007.nsf');
  });

  it('R16: docs=0 makes databases without documents', () => {
    const events = smsdomStormEvents({ databases: 2, docs: 0, userEditsPerHour: 10, forwards: 3 });
    expect(only(events, 'save')).toEqual([]);
    expect(only(events, 'forward')).toEqual([]);
  });

  it('R16: attachmentShare 1 gives every document a $FILE, 0 none, 0.5 about half', () => {
    const files = (share: number) => only(smsdomStormEvents({ databases: 20, docs: 50, attachmentShare: share }), 'save').filter((e) => e.set?.has('$FILE') === true).length;
    expect(files(1)).toBe(1000);
    expect(files(0)).toBe(0);
    const half = files(0.5);
    expect(half).toBeGreaterThan(420);
    expect(half).toBeLessThan(580);
  });

  it('R16: infectedShare is the share of the attachments that are infected', () => {
    const infected = (share: number, attach = 1) =>
      only(smsdomStormEvents({ databases: 20, docs: 50, attachmentShare: attach, infectedShare: share }), 'save').filter((e) => {
        const f = e.set?.get('$FILE') as ItemValue | undefined;
        return Array.isArray(f) && f.some((a) => typeof a === 'object' && a.infected === true);
      }).length;
    expect(infected(0)).toBe(0);
    expect(infected(1)).toBe(1000);
    const share = infected(0.3);
    expect(share).toBeGreaterThan(240);
    expect(share).toBeLessThan(360);
    // Of the attachments, not of all documents: with half of the documents attached, about 150 of 1000.
    const ofHalf = infected(0.3, 0.5);
    expect(ofHalf).toBeGreaterThan(100);
    expect(ofHalf).toBeLessThan(200);
  });

  it('R16: forwards produce forward events from Alpha into generated databases, with fresh UNIDs, inside the horizon', () => {
    const events = smsdomStormEvents({ ...SMALL, forwards: 5 });
    const fwd = only(events, 'forward');
    expect(fwd).toHaveLength(5);
    const dbs = new Set(only(events, 'database').map((e) => e.name));
    const docs = new Set(only(events, 'save').map((e) => `${e.db}/${e.unid}`));
    expect(new Set(fwd.map((e) => e.newUnid))).toEqual(new Set([0, 1, 2, 3, 4].map((k) => unidFor(0xf0f0000 + k))));
    for (const f of fwd) {
      expect(f.server).toBe('Alpha');
      expect(f.by).toBe('user/bob');
      expect(docs.has(`${f.db}/${f.unid}`)).toBe(true);
      expect(f.to).toHaveLength(1);
      expect(dbs.has(f.to[0]!)).toBe(true);
      expect(f.at).toBeGreaterThanOrEqual(SETUP_MS);
      expect(f.at).toBeLessThan(SETUP_MS + 2 * HOUR);
    }
  });

  it('R16: user edits: round(userEditsPerHour x horizon / 1 hour) saves by user/ann inside the horizon', () => {
    const edits = only(smsdomStormEvents({ ...SMALL, userEditsPerHour: 6, horizonMs: 1.5 * HOUR }), 'save').filter((e) => e.by === 'user/ann');
    expect(edits).toHaveLength(9);
    for (const e of edits) {
      expect(e.at).toBeGreaterThanOrEqual(SETUP_MS);
      expect(e.at).toBeLessThan(SETUP_MS + 1.5 * HOUR);
    }
  });

  it('R16: user edits fall across all servers and databases (userEditsPerHour: "random user edits per hour across all documents and servers")', () => {
    // Edits on one server only would never make the concurrent edits on two members that R5's conflicts need.
    const edits = only(smsdomStormEvents({ ...SMALL, servers: 3, userEditsPerHour: 60, horizonMs: HOUR }), 'save').filter((e) => e.by === 'user/ann');
    expect(edits).toHaveLength(60);
    expect(new Set(edits.map((e) => e.server))).toEqual(new Set(['Alpha', 'Beta', 'Gamma']));
    expect(new Set(edits.map((e) => e.db)).size).toBe(SMALL.databases);
  });

  it('R6: userDeletes: that many users\' deletions of distinct documents, on every server, inside the horizon; no user edits a deleted document from the deletion on; a forwarded document is not deleted; the seed\'s other events are as without them', () => {
    const base = { databases: 3, docs: 20, servers: 3, userEditsPerHour: 600, forwards: 10, seed: 5 };
    const without = smsdomStormEvents(base);
    const events = smsdomStormEvents({ ...base, userDeletes: 8 });
    const dels = only(events, 'delete');
    const forwarded = new Set(only(events, 'forward').map((f) => f.unid));
    // (A draw of a forwarded or already deleted document is drawn again: 8 documents.)
    expect(dels).toHaveLength(8);
    expect(new Set(dels.map((d) => d.unid)).size).toBe(dels.length);
    expect(new Set(dels.map((d) => d.server)).size).toBeGreaterThan(1);
    for (const d of dels) {
      expect(d.by).toBe('user/ann');
      expect(forwarded.has(d.unid)).toBe(false);
      expect(d.at).toBeGreaterThanOrEqual(SETUP_MS);
      expect(d.at).toBeLessThan(SETUP_MS + 2 * HOUR);
    }
    const deletedAt = new Map(dels.map((d) => [d.unid, d.at]));
    const edits = only(events, 'save').filter((e) => e.by === 'user/ann');
    for (const e of edits) expect(e.at < (deletedAt.get(e.unid) ?? Infinity), `an edit of ${e.unid} at ${e.at}`).toBe(true);
    // The events but the deletions and the edits they drop are the same, in the same order.
    const dropped = only(without, 'save').filter((e) => e.by === 'user/ann' && e.at >= (deletedAt.get(e.unid) ?? Infinity));
    expect(dropped.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type !== 'delete')).toEqual(without.filter((e) => !dropped.includes(e as Of<'save'>)));
    // A run of them is well-formed: every deletion applied, none refused.
    expect(runEvents(events, { behaviours: behaviourFactory(builtinRegistry()) }).summary.revisions.byActorKind['user']).toBeGreaterThan(0);
    // Fewer documents to delete than asked: each of them, once (3 x 20, 10 forwards of at most 10 documents).
    const all = only(smsdomStormEvents({ ...base, userDeletes: 1_000 }), 'delete');
    expect(all.length).toBe(60 - forwarded.size);
    expect(new Set(all.map((d) => d.unid)).size).toBe(all.length);
    // A few documents left among many forwarded: still as many as asked (draws stopped after 20 misses a deletion:
    // 0 of 3, a QA pass).
    for (const seed of [2, 3, 4, 5]) {
      const crowded = smsdomStormEvents({ databases: 1, docs: 1_000, forwards: 5_000, userDeletes: 3, seed });
      const left = 1_000 - new Set(only(crowded, 'forward').map((f) => f.unid)).size;
      expect(only(crowded, 'delete').length, `seed ${seed}`).toBe(Math.min(3, left));
    }
  });

  it('R6: userDeletes deletes a document only where it is held: on the first server (which made them all) before the setup\'s spread is done, so with clusterIntervalMs=0, which spreads nothing, only there; every deletion applies (one on Beta before the documents reached it was refused, "does not exist": a QA pass)', () => {
    for (const clusterIntervalMs of [0, 3_600_000, 15_000]) {
      const events = smsdomStormEvents({ databases: 2, docs: 10, servers: 3, userDeletes: 15, clusterIntervalMs });
      const servers = new Set(only(events, 'delete').map((d) => d.server));
      if (clusterIntervalMs === 0) expect([...servers]).toEqual(['Alpha']);
      else expect(servers.size, `clusterIntervalMs ${clusterIntervalMs}`).toBeGreaterThan(1);
      // Every deletion applies: the engine refuses one of a document the server does not hold.
      expect(() => runEvents(events, { behaviours: behaviourFactory(builtinRegistry()) }), `clusterIntervalMs ${clusterIntervalMs}`).not.toThrow();
    }
    expect(() => runEvents(smsdomStormEvents({ databases: 2, docs: 10, servers: 3, userDeletes: 15, replication: 'scheduled' }), { behaviours: behaviourFactory(builtinRegistry()) })).not.toThrow();
    // At the seed's scale the spread is done before the scanners come: no deletion is moved, on 8 servers either. (The
    // bound was each mate in turn, 115,001 ms here, and moved every deletion before it to Alpha: a review.)
    for (const replication of ['cluster', 'scheduled']) {
      const dels = only(smsdomStormEvents({ servers: 8, replication, userDeletes: 1_000, horizonMs: 600_000 }), 'delete');
      expect(Math.min(...dels.filter((d) => d.server !== 'Alpha').map((d) => d.at)), replication).toBeLessThan(SETUP_MS + 1_000);
      expect(dels.filter((d) => d.server === 'Alpha').length, replication).toBeLessThan(1.5 * (1_000 / 8));
    }
  });

  it('R16: forwards go "into a database drawn at random, their own included" (a forward loses the tag, so the copy is scanned where it lands): not always the source\'s (the help said "into another database": a QA pass)', () => {
    const fwd = only(smsdomStormEvents({ ...SMALL, forwards: 30 }), 'forward');
    expect(fwd.filter((f) => f.to[0] !== f.db).length).toBeGreaterThan(0);
    expect(new Set(fwd.map((f) => f.to[0])).size).toBe(SMALL.databases);
  });

  it('R16: definitions updates on every server every definitionsEveryMs, strictly before the horizon', () => {
    const defs = only(smsdomStormEvents({ ...SMALL, definitionsEveryMs: 1_800_000 }), 'definitions');
    expect(defs.map((e) => [e.at, e.server, e.version])).toEqual([
      [1_860_000, 'Alpha', 'defs-1'],
      [1_860_000, 'Beta', 'defs-1'],
      [3_660_000, 'Alpha', 'defs-2'],
      [3_660_000, 'Beta', 'defs-2'],
      [5_460_000, 'Alpha', 'defs-3'],
      [5_460_000, 'Beta', 'defs-3'],
    ]);
  });

  it('R16: scanServers=first: only the first server gets a scheduled scan; none: nobody', () => {
    const first = only(smsdomStormEvents({ ...SMALL, servers: 3, scanServers: 'first', scanEveryMs: 5000 }), 'scanner');
    expect(first.map((e) => [e.server, e.config?.['scheduleEveryMs']])).toEqual([
      ['Alpha', 5000],
      ['Beta', undefined],
      ['Gamma', undefined],
    ]);
    // smsdom's default is no schedule (event-log.md: "none"): a server that does not scan gets no field, and an
    // event with no setting at all no `config` (every explore log carried "scheduleEveryMs":0: a conformance review).
    const none = only(smsdomStormEvents({ ...SMALL, scanServers: 'none' }), 'scanner');
    expect(none.map((e) => e.config)).toEqual([undefined, undefined]);
    // A design whose own default schedules is given 0 there, the engine's "none", or it would scan on its default.
    const own = defineDesign<{ scheduleEveryMs: number }>({
      name: 'hourly-by-default',
      description: 'scans every hour unless told otherwise',
      defaults: { scheduleEveryMs: 3_600_000 },
      scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),
      scan: () => ({ verdict: 'clean' }),
    });
    const designs = new Map([...builtinRegistry(), [own.name, own as never]]);
    const mine = only(smsdomStormEvents({ ...SMALL, servers: 3, design: own.name, scanServers: 'first', scanEveryMs: 5000 }, { designs }), 'scanner');
    expect(mine.map((e) => [e.server, e.config?.['scheduleEveryMs']])).toEqual([
      ['Alpha', 5000],
      ['Beta', 0],
      ['Gamma', 0],
    ]);
  });

  it('R15/R16: keys=per-server gives each server its own 16-character key; shared leaves the default key', () => {
    const per = only(smsdomStormEvents({ ...SMALL, servers: 5, keys: 'per-server', scanOffsetsMs: '0' }), 'scanner');
    expect(per.map((e) => e.config?.['key'])).toEqual(['SSOKEYALPHA00000', 'SSOKEYBETA000000', 'SSOKEYGAMMA00000', 'SSOKEYDELTA00000', 'SSOKEYEPSILON000']);
    for (const e of per) expect(e.config?.['key']).toMatch(/^[A-Z0-9]{16}$/);
    const shared = only(smsdomStormEvents({ ...SMALL }), 'scanner');
    expect(shared.every((e) => e.config?.['key'] === undefined)).toBe(true);
  });

  it('R14/R16: an all-digit 16-character key given in config stays a string and is accepted by the design', () => {
    // R14: the key is 16 letters/digits, so "1234567890123456" is a valid key; the design refuses a non-string key.
    const events = smsdomStormEvents({ databases: 1, docs: 1, config: 'key=1234567890123456' });
    expect(only(events, 'scanner').map((e) => e.config?.['key'])).toEqual(['1234567890123456', '1234567890123456']);
    expect(() => runEvents(events, { behaviours: behaviourFactory(builtinRegistry()) })).not.toThrow();
  });

  it('R14/R16: an all-digit key past 2^53 (9999999999999999) stays the string typed: a key is text, not a number a double may not hold', () => {
    const events = smsdomStormEvents({ databases: 1, docs: 1, config: 'key=9999999999999999' });
    expect(only(events, 'scanner').map((e) => e.config?.['key'])).toEqual(['9999999999999999', '9999999999999999']);
  });

  it('R16: setup ends before the scanners come at any allowed size: every document is created, and pushed, before the first scanner', () => {
    // 100 databases x 600 documents is within the parameters' ranges (databases <= 100,000, docs <= 10,000,000).
    const events = smsdomStormEvents({ databases: 100, docs: 600 });
    const saves = only(events, 'save');
    const firstScanner = Math.min(...only(events, 'scanner').map((e) => e.at));
    expect(saves).toHaveLength(60_000);
    expect(firstScanner).toBeGreaterThan(SETUP_MS);
    expect(saves.filter((e) => e.at >= firstScanner).length).toBe(0);
    // Run with no scanner: every document has reached Beta by the time the first scanner comes.
    const setupOnly = events.filter((e) => e.type === 'server' || e.type === 'database' || e.type === 'save');
    const { sim } = runEvents([...setupOnly, { at: firstScanner, type: 'end' }], {});
    expect(sim.hasPendingWork()).toBe(false);
    expect(sim.converged()).toBe(true);
  });

  it('R16: config is passed to every scanner, numbers and booleans recognised', () => {
    const sc = only(smsdomStormEvents({ ...SMALL, config: 'ignoreSsoOnScheduled=true,scanMsPerDoc=5,key=ABCDEFGH12345678' }), 'scanner');
    for (const e of sc) expect(e.config).toEqual({ ignoreSsoOnScheduled: true, scanMsPerDoc: 5, key: 'ABCDEFGH12345678', scheduleEveryMs: HOUR });
  });

  it('R11/R16: replication=scheduled: no cluster; a first session and a connection from the first server to each other at 45 s', () => {
    const events = smsdomStormEvents({ ...SMALL, servers: 3, replication: 'scheduled', connectionEveryMs: 600_000 });
    expect(only(events, 'server').every((e) => e.cluster === undefined && e.clusterIntervalMs === undefined)).toBe(true);
    expect(only(events, 'replicate').map((e) => [e.at, e.server, e.partner])).toEqual([
      [45_000, 'Alpha', 'Beta'],
      [45_000, 'Alpha', 'Gamma'],
    ]);
    expect(only(events, 'connection').map((e) => [e.at, e.server, e.partner, e.everyMs])).toEqual([
      [45_000, 'Alpha', 'Beta', 600_000],
      [45_000, 'Alpha', 'Gamma', 600_000],
    ]);
  });

  it('R16: replication=cluster: servers share cluster Hub with the given clusterIntervalMs', () => {
    const events = smsdomStormEvents({ ...SMALL, clusterIntervalMs: 0 });
    expect(only(events, 'server').map((e) => [e.cluster, e.clusterIntervalMs])).toEqual([
      ['Hub', 0],
      ['Hub', 0],
    ]);
    expect(only(events, 'replicate')).toEqual([]);
  });
});

describe('R16: the generated events run', () => {
  const factory = behaviourFactory(builtinRegistry());

  for (const d of BUILTIN_DESIGNS) {
    it(`R16: design ${d.name}: the scanner configuration the generator writes is accepted, with both key modes (per-server refused, by name, for a design with no key setting: it changed nothing)`, () => {
      for (const keys of ['shared', 'per-server']) {
        const make = () => smsdomStormEvents({ databases: 2, docs: 3, design: d.name, keys, horizonMs: 600_000 });
        if (keys === 'per-server' && !Object.prototype.hasOwnProperty.call(d.defaults, 'key')) {
          expect(make).toThrow(`parameter "keys": the design "${d.name}" has no key setting, so keys=per-server would change nothing`);
          // One row of several (compare) passes it over: the row runs as with one key.
          expect(() => runEvents(smsdomStormEvents({ databases: 2, docs: 3, design: d.name, keys, horizonMs: 600_000 }, { oneOfSeveral: true }), { behaviours: factory })).not.toThrow();
          continue;
        }
        expect(() => runEvents(make(), { behaviours: factory })).not.toThrow();
      }
    });
  }

  it('R13/R16: scanEveryMs and scanServers for a design with no schedule to set are refused, naming why (run said "scans 0 performed" and nothing else: a researcher\'s QA pass); scanServers=none, or one row of several, passes', () => {
    const onWrite = defineDesign<Record<string, never>>({ name: 'on-write-only', description: 'scans writes only', defaults: {}, scan: () => ({ verdict: 'clean' }) });
    const unread = defineDesign<{ scheduleEveryMs: number }>({ name: 'unread-schedule', description: 'a schedule setting nothing reads', defaults: { scheduleEveryMs: 0 }, scan: () => ({ verdict: 'clean' }) });
    const designs = new Map([[onWrite.name, onWrite as never], [unread.name, unread as never]]);
    const make = (settings: Record<string, string | number>, oneOfSeveral = false) => () => [...smsdomStormEvents({ databases: 1, docs: 2, horizonMs: 600_000, ...settings }, { designs, ...(oneOfSeveral ? { oneOfSeveral } : {}) })];
    expect(make({ design: 'on-write-only', scanEveryMs: 60_000 })).toThrow('parameter "scanEveryMs": the design "on-write-only" declares no scheduleEveryMs setting, so the scenario\'s scheduled scans (scanEveryMs, scanServers) do not apply to it');
    expect(make({ design: 'on-write-only', scanServers: 'all' })).toThrow('parameter "scanServers": the design "on-write-only" declares no scheduleEveryMs setting');
    expect(make({ design: 'unread-schedule', scanEveryMs: 60_000 })).toThrow('parameter "scanEveryMs": the design "unread-schedule" has a scheduleEveryMs setting but no scheduleEveryMs(config) that returns it');
    expect(make({ design: 'noop', scanServers: 'all' })).toThrow('parameter "scanServers": the design "noop" declares no scheduleEveryMs setting');
    expect(make({ design: 'on-write-only', scanServers: 'none' })).not.toThrow();
    expect(make({ design: 'on-write-only' })).not.toThrow();
    expect(make({ design: 'on-write-only', scanEveryMs: 60_000 }, true)).not.toThrow();
    // A design that has a schedule takes them.
    expect(make({ design: 'smsdom', scanEveryMs: 60_000, scanServers: 'all' })).not.toThrow();
  });

  it('R16: the clock skew applies to Beta: every save on Beta has seqTime = at + 350', () => {
    const { derived } = runEvents(smsdomStormEvents({ databases: 2, docs: 3, scanEveryMs: 600_000, horizonMs: 600_000 }), { behaviours: factory, collect: true });
    const onBeta = derived.filter((e) => e.type === 'revised' && e.server === 'Beta');
    expect(onBeta.length).toBeGreaterThan(0);
    for (const e of onBeta) if (e.type === 'revised') expect(e.seqTime - e.at).toBe(350);
  });

  it('R16: before the scanners come, replication has spread every document to every server', () => {
    const events = smsdomStormEvents({ databases: 2, docs: 3, servers: 3, replication: 'scheduled' }).filter((e) => e.at < SETUP_MS);
    const { sim } = runEvents([...events, { at: SETUP_MS - 1, type: 'end' }], { behaviours: factory });
    for (const srv of ['Alpha', 'Beta', 'Gamma']) {
      for (const db of ['mail/user000.nsf', 'mail/user001.nsf']) {
        expect(sim.replica(srv, db)?.size).toBe(3);
        const first = sim.replica(srv, db)?.notes()[0];
        expect(first !== undefined && getItemValue(first, 'From')).toBe('CN=Carol/O=Acme');
      }
    }
  });
});
