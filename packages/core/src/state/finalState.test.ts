import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { LAZY_VALUES, buildFinalState, digestState, lazyFinalState, toStateDoc, type StateSource } from './finalState.js';
import { canonicalJson } from './canonicalJson.js';
import { applyDelete, applySave } from '../note/applySave.js';
import { makeConflictDocument } from '../replicate/replicateNote.js';
import type { Note } from '../note/note.js';

const U = '0123456789ABCDEF0123456789ABCDEF';
const V = 'FEDCBA9876543210FEDCBA9876543210';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function source(data: Record<string, Record<string, Note[]>>): StateSource {
  return {
    servers: () => Object.keys(data),
    databases: (s) => Object.keys(data[s] ?? {}),
    notes: (s, d) => data[s]?.[d] ?? [],
  };
}

// U: created (1, 100), edited (2, 200). V: created (1, 150) then deleted (2, 250).
const u1 = applySave(undefined, U, { set: [['Subject', 'hello'], ['Count', 3], ['Tags', ['a', 'b']]] }, 100, 0).note;
const u2 = applySave(u1, U, { set: [['Subject', 'bye']] }, 200, 0).note;
const v1 = applySave(undefined, V, { set: [['Body', 'x']] }, 150, 0).note;
const v2 = applyDelete(v1, V, 250, 0);

describe('toStateDoc and buildFinalState: the --state shape (event-log.md, Final state)', () => {
  it('a live document: unid, seq, seqTime, revisions as pairs, deleted, conflict, ref, items, itemSeq', () => {
    expect(JSON.parse(JSON.stringify(toStateDoc(u2)))).toEqual({
      unid: U,
      seq: 2,
      seqTime: 200,
      revisions: [[1, 100]],
      deleted: false,
      conflict: false,
      ref: null,
      items: { Count: 3, Subject: 'bye', Tags: ['a', 'b'] },
      itemSeq: { Count: 1, Subject: 2, Tags: 1 },
    });
  });

  it('a stub: deleted true and no items', () => {
    expect(JSON.parse(JSON.stringify(toStateDoc(v2)))).toEqual({
      unid: V,
      seq: 2,
      seqTime: 250,
      revisions: [[1, 150]],
      deleted: true,
      conflict: false,
      ref: null,
      items: {},
      itemSeq: {},
    });
  });

  it('a conflict document: conflict true, ref = the winner UNID', () => {
    const c = makeConflictDocument(u2, V);
    const doc = JSON.parse(JSON.stringify(toStateDoc(c))) as Record<string, unknown>;
    expect(doc['conflict']).toBe(true);
    expect(doc['ref']).toBe(V);
    expect(doc['items']).toEqual({ $Conflict: '', $REF: V, Count: 3, Subject: 'bye', Tags: ['a', 'b'] });
    expect(doc['itemSeq']).toEqual({ $Conflict: 2, $REF: 2, Count: 1, Subject: 2, Tags: 1 });
  });

  it('event-log.md, Final state: "conflict" is true for a $Conflict item spelled in any case (item names compare case-insensitively), in --state and the digest', () => {
    const lower = applySave(undefined, U, { set: [['$conflict', ''], ['Subject', 'x']] }, 5, 0).note;
    const upper = applySave(undefined, V, { set: [['$CONFLICT', '']] }, 5, 0).note;
    for (const n of [lower, upper]) {
      expect(toStateDoc(n).conflict).toBe(true);
      const src = source({ A: { db: [n] } });
      expect(digestState(src)).toBe(`sha256:${sha256Hex(canonicalJson(buildFinalState(src)))}`);
    }
  });

  it('event-log.md, Final state: "ref" is the $REF item as it is (a list or a number is not turned into text)', () => {
    const list = applySave(undefined, U, { set: [['$REF', ['a', 'b']]] }, 5, 0).note;
    const joined = applySave(undefined, V, { set: [['$REF', ['a,b']]] }, 5, 0).note;
    const num = applySave(undefined, U, { set: [['$ref', 5]] }, 5, 0).note;
    expect(toStateDoc(list).ref).toEqual(['a', 'b']);
    expect(toStateDoc(joined).ref).toEqual(['a,b']);
    expect(toStateDoc(num).ref).toBe(5);
    // The digest hashes the same object --state prints.
    for (const n of [list, joined, num]) {
      const src = source({ A: { db: [n] } });
      expect(digestState(src)).toBe(`sha256:${sha256Hex(canonicalJson(buildFinalState(src)))}`);
    }
  });

  it('servers and databases sorted by name, documents in the order the source gives (UNID order)', () => {
    const state = buildFinalState(source({ B: { mail: [v2], app: [u2] }, A: { app: [u1, v1] } }));
    expect(Object.keys(state)).toEqual(['A', 'B']);
    expect(Object.keys(state['B']!)).toEqual(['app', 'mail']);
    expect(JSON.parse(JSON.stringify(state))).toEqual({
      A: { app: [JSON.parse(JSON.stringify(toStateDoc(u1))), JSON.parse(JSON.stringify(toStateDoc(v1)))] },
      B: { app: [JSON.parse(JSON.stringify(toStateDoc(u2)))], mail: [JSON.parse(JSON.stringify(toStateDoc(v2)))] },
    });
  });

  it('lazyFinalState is buildFinalState with each database\'s documents made when read: the same keys in order, the same JSON, its canonical JSON and digest alike, and a list made anew at each read (none kept)', () => {
    const data = { B: { mail: [v2], app: [u2] }, A: { app: [u1, v1] }, C: {} };
    const whole = buildFinalState(source(data));
    let made = 0;
    const lazy = lazyFinalState(source(data), (docs) => {
      made++;
      return docs;
    });
    expect(made).toBe(0);
    expect(Object.keys(lazy)).toEqual(Object.keys(whole));
    for (const s of Object.keys(whole)) expect(Object.keys(lazy[s]!)).toEqual(Object.keys(whole[s]!));
    expect(JSON.stringify(lazy, null, 2)).toBe(JSON.stringify(whole, null, 2));
    expect(canonicalJson(lazy)).toBe(canonicalJson(whole));
    expect(made).toBe(6);
    expect(lazy['A']!['app']).not.toBe(lazy['A']!['app']);
    expect(lazy['A']!['app']).toEqual(whole['A']!['app']);
    // The mark a writer looks for, on each server's databases, in no JSON.
    expect((lazy['A'] as unknown as Record<symbol, unknown>)[LAZY_VALUES]).toBe(true);
    expect(JSON.stringify(lazy)).not.toContain('lazy');
  });

  it('a __proto__ item is an ordinary key of items and itemSeq and appears in the JSON', () => {
    const n = applySave(undefined, U, { set: [['__proto__', 'p'], ['constructor', 'c']] }, 5, 0).note;
    const doc = toStateDoc(n);
    expect(Object.keys(doc.items).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.keys(doc.itemSeq).sort()).toEqual(['__proto__', 'constructor']);
    const json = canonicalJson(buildFinalState(source({ A: { db: [n] } })));
    expect(json).toContain('"items":{"__proto__":"p","constructor":"c"}');
    expect(json).toContain('"itemSeq":{"__proto__":1,"constructor":1}');
    expect(({} as Record<string, unknown>)['p']).toBeUndefined();
  });
});

describe('canonicalJson: keys sorted, no white space', () => {
  it('sorts keys at every depth and writes no white space', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 'x y', c: true }], c: null })).toBe('{"a":[1,{"c":true,"d":"x y"}],"b":1,"c":null}');
  });

  it('orders keys by UTF-16 code units ($ < upper case < _ < lower case; astral before U+FFFF)', () => {
    expect(canonicalJson({ a: 1, B: 2, _: 3, $: 4, '\uffff': 5, '😀': 6, é: 7 })).toBe('{"$":4,"B":2,"_":3,"a":1,"é":7,"😀":6,"\uffff":5}');
  });

  it('writes numbers as JSON.stringify does and refuses non-finite ones', () => {
    expect(canonicalJson([1.5, -0, 1e21, 0.1])).toBe('[1.5,0,1e+21,0.1]');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow();
    expect(() => canonicalJson({ x: Number.POSITIVE_INFINITY })).toThrow();
  });

  it('leaves out a property whose value is undefined, as JSON.stringify does (nothing to write, not an error)', () => {
    expect(canonicalJson({ b: 1, a: undefined, c: { d: undefined } })).toBe(JSON.stringify({ b: 1, c: {} }));
  });

  it('writes a Map as an object with sorted keys', () => {
    expect(canonicalJson(new Map<string, unknown>([['z', 1], ['__proto__', 2]]))).toBe('{"__proto__":2,"z":1}');
  });

  it('the canonical JSON of a state has no white space outside strings', () => {
    const json = canonicalJson(buildFinalState(source({ A: { db: [u2, v2] } })));
    expect(json).toBe(
      '{"A":{"db":[' +
        `{"conflict":false,"deleted":false,"itemSeq":{"Count":1,"Subject":2,"Tags":1},"items":{"Count":3,"Subject":"bye","Tags":["a","b"]},"ref":null,"revisions":[[1,100]],"seq":2,"seqTime":200,"unid":"${U}"},` +
        `{"conflict":false,"deleted":true,"itemSeq":{},"items":{},"ref":null,"revisions":[[1,150]],"seq":2,"seqTime":250,"unid":"${V}"}` +
        ']}}',
    );
  });
});

describe('digestState', () => {
  it('equals sha256: + sha256(canonicalJson(buildFinalState(src)))', () => {
    const src = source({ B: { mail: [v2], app: [u2] }, A: { app: [u1, v1] }, C: {} });
    const expected = `sha256:${sha256Hex(canonicalJson(buildFinalState(src)))}`;
    expect(digestState(src)).toBe(expected);
    expect(expected).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('equals the one-string digest for a state large enough to be hashed in chunks', () => {
    const notes: Note[] = [];
    for (let i = 0; i < 2_000; i++) {
      const unid = i.toString(16).toUpperCase().padStart(32, '0');
      notes.push(applySave(undefined, unid, { set: [['Subject', `document number ${i} with some text é😀`], ['__proto__', i]] }, i, 0).note);
    }
    const src = source({ S1: { big: notes, other: [u2] }, S2: { big: notes.slice(0, 10) } });
    const json = canonicalJson(buildFinalState(src));
    expect(json.length).toBeGreaterThan(1 << 17);
    expect(digestState(src)).toBe(`sha256:${sha256Hex(json)}`);
  });

  it('does not depend on how much of the shared documents\' bytes is remembered (replicas share Note objects)', () => {
    const notes: Note[] = [];
    // 3,000 documents (about 300 KB of bytes): the kept bytes' arena grows several times, and the bounds cut it.
    for (let i = 0; i < 3_000; i++) notes.push(applySave(undefined, `U${String(i).padStart(31, '0')}`, { set: [['Subject', `s${i}`]] }, i, 0).note);
    // S2 and S3 hold the very same objects as S1 (what replication does), S3 only some of them, and one changed copy.
    const changed = applySave(notes[7], notes[7]!.unid, { set: [['Subject', 'edited']] }, 1_000, 0).note;
    const src = source({ S1: { db: notes }, S2: { db: notes }, S3: { db: [...notes.slice(0, 7), changed, ...notes.slice(8, 100)] } });
    const expected = `sha256:${sha256Hex(canonicalJson(buildFinalState(src)))}`;
    for (const bound of [0, 1, 5_000, 100_000, 200_003, 1 << 30]) expect(digestState(src, bound)).toBe(expected);
    expect(digestState(src)).toBe(expected);
  });

  it('equals the one-string digest for long and capped revisions lists (R1: each save appends; S2: a cap drops the oldest), and a second save of one version', () => {
    // The fixtures above hold at most one revision entry: a digest writing only part of a list agreed with them.
    let long = applySave(undefined, U, { set: [['Subject', 's0']] }, 10, 0).note;
    for (let t = 20; t <= 60; t += 10) long = applySave(long, U, { set: [['Subject', `s${t}`]] }, t, 0).note;
    let capped = applySave(undefined, V, { set: [['Subject', 'c0']] }, 10, 2).note;
    for (let t = 20; t <= 60; t += 10) capped = applySave(capped, V, { set: [['Subject', `c${t}`]] }, t, 2).note;
    // Two saves of one version (a divergence in the making): each list reads its own window of the shared history.
    const branch = applySave(u2, U, { set: [['Subject', 'branch']] }, 300, 0).note;
    expect(long.revisions.toArray()).toEqual([[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]]);
    expect(capped.revisions.toArray()).toEqual([[4, 40], [5, 50]]);
    const src = source({ A: { db: [long, capped] }, B: { db: [branch] }, C: { db: [u2] } });
    const json = canonicalJson(buildFinalState(src));
    expect(json).toContain('"revisions":[[1,10],[2,20],[3,30],[4,40],[5,50]]');
    expect(json).toContain('"revisions":[[4,40],[5,50]]');
    expect(digestState(src)).toBe(`sha256:${sha256Hex(json)}`);
  });

  it('an attachment-shaped object with a key it does not list (not enumerable, or inherited) digests as canonicalJson writes it', () => {
    const hidden = { name: 'a.doc' };
    Object.defineProperty(hidden, 'bytes', { value: 5, enumerable: false });
    const inherited = Object.assign(Object.create({ infected: true }) as object, { name: 'b.doc' });
    const n = applySave(undefined, U, { set: [['$FILE', [hidden, inherited] as never]] }, 5, 0).note;
    const src = source({ A: { db: [n] } });
    expect(canonicalJson(buildFinalState(src))).toContain('"$FILE":[{"name":"a.doc"},{"name":"b.doc"}]');
    expect(digestState(src)).toBe(`sha256:${sha256Hex(canonicalJson(buildFinalState(src)))}`);
  });

  it('an attachment\'s values are read as canonicalJson reads them, once each, in its keys\' order (a getter with a side effect, a review)', () => {
    let c = 0;
    const att = {
      get name() {
        return `n${c++}`;
      },
      get bytes() {
        return c++;
      },
    };
    const n = applySave(undefined, U, { set: [['$FILE', [att] as never]] }, 5, 0).note;
    const src = source({ A: { db: [n] } });
    c = 0;
    const json = canonicalJson(buildFinalState(src));
    expect(json).toContain('"$FILE":[{"bytes":1,"name":"n0"}]');
    c = 0;
    expect(digestState(src)).toBe(`sha256:${sha256Hex(json)}`);
  });

  it('an empty state digests the JSON "{}"', () => {
    expect(digestState(source({}))).toBe(`sha256:${sha256Hex('{}')}`);
  });

  it('changes when any document changes', () => {
    expect(digestState(source({ A: { db: [u1] } }))).not.toBe(digestState(source({ A: { db: [u2] } })));
  });
});
