import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applySave, makeConflictDocument, type ItemValue, type Note } from '@replstorm/core';
import { SSO_TAG, computeTag, tagContent, verifyTag } from './tag.js';

// R15 [choice]: tag = hex(HMAC-SHA256(key, C)); C = canonical JSON of every item but X-SSOTag, items ordered by
// lower-cased name, followed by the definitions version when included. Every expected value here is rebuilt by hand
// with node:crypto, not with the code under test.

const KEY = 'SSOKEY0000000001';
const OTHER_KEY = 'SSOKEY0000000002';
const UNID = '0123456789ABCDEF0123456789ABCDEF';

function hmacHex(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

function noteWith(entries: [string, ItemValue][], time = 1000): Note {
  return applySave(undefined, UNID, { set: new Map(entries) }, time, 0).note;
}

function resave(note: Note, entries: [string, ItemValue][], remove: string[] = [], time = 2000): Note {
  return applySave(note, note.unid, { set: new Map(entries), remove }, time, 0).note;
}

// Spellings chosen so that lower-cased order ($file, body, count, subject, tags) differs from code-unit order
// ($FILE, Count, Subject, Tags, body): the spec orders by lower-cased name.
const ITEMS: [string, ItemValue][] = [
  ['Subject', 'quarterly figures'],
  ['body', 'see attached'],
  ['$FILE', [{ name: 'q1.xlsx', bytes: 48213 }]],
  ['Count', 3],
  ['Tags', ['a', 'b']],
];
const C = '{"$FILE":[{"bytes":48213,"name":"q1.xlsx"}],"body":"see attached","Count":3,"Subject":"quarterly figures","Tags":["a","b"]}';

describe('R15: the content C a tag covers', () => {
  it('R15: C is the canonical JSON of the items ordered by lower-cased name, without definitions when they are not included', () => {
    expect(tagContent(noteWith(ITEMS), false, 'defs-7')).toBe(C);
  });

  it('R15: C is followed by the server\'s definitions version when the design includes it', () => {
    expect(tagContent(noteWith(ITEMS), true, 'defs-7')).toBe(`${C}defs-7`);
  });

  it('R15: X-SSOTag is left out of C, whatever its spelling', () => {
    expect(tagContent(noteWith([...ITEMS, [SSO_TAG, 'abc']]), true, 'd')).toBe(`${C}d`);
    expect(tagContent(noteWith([...ITEMS, ['x-ssotag', 'abc']]), true, 'd')).toBe(`${C}d`);
  });

  it('R15: booleans, negative and fractional numbers and escaped strings are written as canonical JSON', () => {
    const n = noteWith([['Flag', true], ['Ratio', -1.5], ['Quote', 'say "hi"\n']]);
    expect(tagContent(n, false, '')).toBe('{"Flag":true,"Quote":"say \\"hi\\"\\n","Ratio":-1.5}');
  });
});

describe('R15: the tag is hex(HMAC-SHA256(key, C))', () => {
  it('R15: without the scan time the tag is the HMAC of C (definitions included)', () => {
    const tag = computeTag(noteWith(ITEMS), { key: KEY, includeDefinitions: true, definitions: 'defs-7' });
    expect(tag).toBe(hmacHex(KEY, `${C}defs-7`));
    expect(tag).toMatch(/^[0-9a-f]{64}$/);
  });

  it('R15: without the scan time and without definitions the tag is the HMAC of C alone', () => {
    const tag = computeTag(noteWith(ITEMS), { key: KEY, includeDefinitions: false, definitions: 'defs-7' });
    expect(tag).toBe(hmacHex(KEY, C));
  });

  it('R15: with the scan time the tag is t=<ms>; followed by the HMAC of "<ms>:" and C', () => {
    const tag = computeTag(noteWith(ITEMS), { key: KEY, includeDefinitions: true, definitions: 'defs-7', scanTime: 123456 });
    expect(tag).toBe(`t=123456;${hmacHex(KEY, `123456:${C}defs-7`)}`);
  });

  it('R15: a tag with a scan time verifies against its own time, later or earlier than now', () => {
    const n = noteWith(ITEMS);
    const o = { key: KEY, includeDefinitions: true, definitions: 'defs-7', withScanTime: true };
    expect(verifyTag(n, `t=5;${hmacHex(KEY, `5:${C}defs-7`)}`, o)).toBe(true);
    expect(verifyTag(n, `t=99999999;${hmacHex(KEY, `99999999:${C}defs-7`)}`, o)).toBe(true);
  });

  it('R15: a scan-time tag whose time was changed does not verify', () => {
    const n = noteWith(ITEMS);
    const o = { key: KEY, includeDefinitions: true, definitions: 'defs-7', withScanTime: true };
    expect(verifyTag(n, `t=6;${hmacHex(KEY, `5:${C}defs-7`)}`, o)).toBe(false);
  });

  it('R15: a tag without the scan time does not verify where tags carry it, and the other way round', () => {
    const n = noteWith(ITEMS);
    const base = { key: KEY, includeDefinitions: true, definitions: 'defs-7' };
    expect(verifyTag(n, hmacHex(KEY, `${C}defs-7`), { ...base, withScanTime: true })).toBe(false);
    expect(verifyTag(n, `t=5;${hmacHex(KEY, `5:${C}defs-7`)}`, { ...base, withScanTime: false })).toBe(false);
  });

  it('R15: a tag verifies with the key it was made with', () => {
    const n = noteWith(ITEMS);
    expect(verifyTag(n, hmacHex(KEY, `${C}v1`), { key: KEY, includeDefinitions: true, definitions: 'v1', withScanTime: false })).toBe(true);
  });

  it('R15: a tag from another key does not verify', () => {
    const n = noteWith(ITEMS);
    const o = { key: OTHER_KEY, includeDefinitions: true, definitions: 'v1', withScanTime: false };
    expect(verifyTag(n, hmacHex(KEY, `${C}v1`), o)).toBe(false);
    expect(verifyTag(n, hmacHex(OTHER_KEY, `${C}v1`), o)).toBe(true);
  });

  it('R15: a scan-time tag from another key does not verify', () => {
    const n = noteWith(ITEMS);
    const o = { key: OTHER_KEY, includeDefinitions: false, definitions: '', withScanTime: true };
    expect(verifyTag(n, `t=7;${hmacHex(KEY, `7:${C}`)}`, o)).toBe(false);
  });

  it('R15: something other than a string never verifies', () => {
    const n = noteWith(ITEMS);
    const o = { key: KEY, includeDefinitions: false, definitions: '', withScanTime: false };
    expect(verifyTag(n, undefined, o)).toBe(false);
    expect(verifyTag(n, 42, o)).toBe(false);
    expect(verifyTag(n, [hmacHex(KEY, C)], o)).toBe(false);
  });
});

describe('R15: what makes a tag stop verifying', () => {
  const o = { key: KEY, includeDefinitions: true, definitions: 'v1', withScanTime: false };

  function stamped(): Note {
    const n = noteWith(ITEMS);
    return resave(n, [[SSO_TAG, hmacHex(KEY, `${C}v1`)]]);
  }

  it('R15: stamping the tag itself does not change C: the stamped document verifies', () => {
    const s = stamped();
    expect(verifyTag(s, s.items.find((i) => i.name === SSO_TAG)?.value, o)).toBe(true);
  });

  it('R15: a save that rewrites an item with its old value keeps the tag verifying (C holds values, not itemSeq)', () => {
    const s = resave(stamped(), [['Subject', 'quarterly figures']], [], 3000);
    expect(verifyTag(s, hmacHex(KEY, `${C}v1`), o)).toBe(true);
  });

  it('R15: a user edit makes the tag stop verifying', () => {
    const edited = resave(stamped(), [['Subject', 'quarterly figures (rev)']], [], 3000);
    expect(verifyTag(edited, hmacHex(KEY, `${C}v1`), o)).toBe(false);
  });

  it('R15: a new item makes the tag stop verifying', () => {
    const edited = resave(stamped(), [['Body2', 'x']], [], 3000);
    expect(verifyTag(edited, hmacHex(KEY, `${C}v1`), o)).toBe(false);
  });

  it('R15: removing an attachment makes the tag stop verifying', () => {
    const edited = resave(stamped(), [], ['$FILE'], 3000);
    expect(verifyTag(edited, hmacHex(KEY, `${C}v1`), o)).toBe(false);
  });

  it('R15/R5: a conflict document ($Conflict and $REF added) no longer verifies', () => {
    const conflict = makeConflictDocument(stamped(), 'FEDCBA9876543210FEDCBA9876543210');
    const held = conflict.items.find((i) => i.name === SSO_TAG)?.value;
    expect(held).toBe(hmacHex(KEY, `${C}v1`));
    expect(verifyTag(conflict, held, o)).toBe(false);
    // What the conflict document would verify with: $Conflict and $REF inside C, in lower-cased order.
    const cConflict = '{"$Conflict":"","$FILE":[{"bytes":48213,"name":"q1.xlsx"}],"$REF":"FEDCBA9876543210FEDCBA9876543210","body":"see attached","Count":3,"Subject":"quarterly figures","Tags":["a","b"]}';
    expect(verifyTag(conflict, hmacHex(KEY, `${cConflict}v1`), o)).toBe(true);
  });

  it('R15: a definitions change invalidates the tag when tagIncludesDefinitions', () => {
    expect(verifyTag(stamped(), hmacHex(KEY, `${C}v1`), { ...o, definitions: 'v2' })).toBe(false);
  });

  it('R15: a definitions change leaves the tag verifying when definitions are not included', () => {
    const tag = hmacHex(KEY, C);
    const n = noteWith(ITEMS);
    const without = { key: KEY, includeDefinitions: false, withScanTime: false };
    expect(verifyTag(n, tag, { ...without, definitions: 'v1' })).toBe(true);
    expect(verifyTag(n, tag, { ...without, definitions: 'v2' })).toBe(true);
  });

  it('R15: a definitions change invalidates a scan-time tag too when tagIncludesDefinitions', () => {
    const n = noteWith(ITEMS);
    const tag = `t=10;${hmacHex(KEY, `10:${C}v1`)}`;
    expect(verifyTag(n, tag, { key: KEY, includeDefinitions: true, definitions: 'v1', withScanTime: true })).toBe(true);
    expect(verifyTag(n, tag, { key: KEY, includeDefinitions: true, definitions: 'v2', withScanTime: true })).toBe(false);
  });
});

describe('R15: the tag is a function of key, definitions and content alone (no stale value reused)', () => {
  it('R15: the same note object tagged with different keys and definitions, in turn and back, gives each its own HMAC', () => {
    const n = noteWith(ITEMS);
    const steps: [string, boolean, string][] = [
      [KEY, true, 'v1'],
      [OTHER_KEY, true, 'v1'],
      [KEY, true, 'v2'],
      [KEY, false, 'v2'],
      [KEY, true, ''],
      [KEY, true, 'v1'],
    ];
    for (const [key, includeDefinitions, definitions] of steps) {
      expect(computeTag(n, { key, includeDefinitions, definitions })).toBe(hmacHex(key, includeDefinitions ? `${C}${definitions}` : C));
    }
  });

  it('R15: a resaved note sharing its unchanged items with the tagged version gets the tag of its own content', () => {
    const o = { key: KEY, includeDefinitions: false, definitions: '' };
    const n = noteWith(ITEMS);
    expect(computeTag(n, o)).toBe(hmacHex(KEY, C));
    // Only Tags changes: $FILE (the first item) and the others are the very same objects in the new version.
    const edited = resave(n, [['Tags', ['a']]]);
    expect(edited.items[0]).toBe(n.items[0]);
    expect(computeTag(edited, o)).toBe(hmacHex(KEY, C.replace('"Tags":["a","b"]', '"Tags":["a"]')));
    const fewer = resave(n, [], ['Tags'], 3000);
    expect(computeTag(fewer, o)).toBe(hmacHex(KEY, C.replace(',"Tags":["a","b"]', '')));
    const more = resave(n, [['Zeta', 'z']], [], 4000);
    expect(computeTag(more, o)).toBe(hmacHex(KEY, C.replace(/}$/, ',"Zeta":"z"}')));
    expect(computeTag(n, o)).toBe(hmacHex(KEY, C));
  });

  it('R15: stamping and restamping do not change the tag (X-SSOTag is outside C), and an edit after the stamp does', () => {
    const o = { key: KEY, includeDefinitions: true, definitions: 'v1' };
    const n = noteWith(ITEMS);
    const s1 = resave(n, [[SSO_TAG, computeTag(n, o)]]);
    const s2 = resave(s1, [[SSO_TAG, computeTag(s1, o)]], [], 3000);
    expect(computeTag(s2, o)).toBe(hmacHex(KEY, `${C}v1`));
    const edited = resave(s2, [['body', 'changed']], [], 4000);
    expect(computeTag(edited, o)).toBe(hmacHex(KEY, `${C.replace('see attached', 'changed')}v1`));
  });
});
