import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeLog, hmacSha256Hex, Simulator, type InputEvent, type ItemValue, type Note } from '@replstorm/core';
import { assertLogProperty } from '../../core/test/property.js';
import { TRUSTED_DESIGNS, behaviourFactory, type ScannerDesign } from './design.js';
import { builtinRegistry } from './designs/registry.js';
import { smsdomLike, smsdomScan } from './designs/smsdom.js';
import { SSO_TAG, currentTag, heldAndCurrentTag, heldTag, tagContent } from './tag.js';
import { propertyRuns } from '../../../scripts/propertySeed.js';

// R15: a scan skips a document exactly when the tag it holds is the HMAC of its content with the server's key. The
// tag a scan computes is remembered against the document's items (tag.ts's cache: a save shares the unchanged Item
// objects), and is checked here against the tag computed afresh (tagContent, held to the spec by tag.test.ts's
// examples) on every document a scan reads, over runs of user saves that add, remove and forge the tag and items that
// sort next to it, scans on two servers whose keys may differ, definitions updates, and replication between them
// (conflict documents share items with their originals).

const U = '0123456789ABCDEF0123456789ABCDEF';
const DB = 'db';
const KEYS = ['SSOKEY0000000001', 'SSOKEY0000000002'] as const;

// Names that sort just before, at and after `x-ssotag` (R15: C orders items by lower-cased name), and one far before.
const NAMES = ['Aaa', 'Subject', 'X-Other', 'X-Zed', SSO_TAG] as const;
const VALUES = ['a', 'b', 'c'] as const;

type Op =
  | { readonly kind: 'save'; readonly server: 'A' | 'B'; readonly set: readonly (readonly [string, string])[]; readonly remove: readonly string[] }
  | { readonly kind: 'scan'; readonly server: 'A' | 'B' }
  | { readonly kind: 'definitions'; readonly server: 'A' | 'B'; readonly version: string }
  | { readonly kind: 'replicate'; readonly server: 'A' | 'B' };

const server = fc.constantFrom('A' as const, 'B' as const);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({
        server,
        set: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES)), { maxLength: 2, selector: ([n]) => n }),
        remove: fc.subarray([...NAMES], { maxLength: 2 }),
      })
      // The log format refuses a name both set and removed in one save.
      .map(({ server, set, remove }): Op => ({ kind: 'save', server, set, remove: remove.filter((r) => !set.some(([n]) => n === r)) })),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('scan' as const), server }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('definitions' as const), server, version: fc.constantFrom('v1', 'v2') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replicate' as const), server }) },
);

interface Case {
  readonly keyB: 0 | 1;
  readonly ops: readonly Op[];
}

function eventsOf(c: Case): InputEvent[] {
  const ev: InputEvent[] = [
    { at: 0, type: 'server', name: 'A' },
    { at: 0, type: 'server', name: 'B', clockSkewMs: 1 },
    { at: 0, type: 'database', name: DB, replicas: ['A', 'B'] },
    { at: 1, type: 'save', server: 'A', db: DB, unid: U, by: 'user/ann', set: new Map<string, ItemValue>([['$FILE', [{ name: 'q.xlsx' }]], ['Subject', 's']]) },
    { at: 2, type: 'replicate', server: 'A', partner: 'B', db: DB, mode: 'push' },
    // On-write scanning off: each scan is one of the case's (a user's save is otherwise stamped at once).
    { at: 3, type: 'scanner', server: 'A', design: 'smsdom', config: { key: KEYS[0], onWrite: false } },
    { at: 3, type: 'scanner', server: 'B', design: 'smsdom', config: { key: KEYS[c.keyB], onWrite: false } },
  ];
  c.ops.forEach((op, i) => {
    const at = 1000 * (i + 1);
    if (op.kind === 'save') ev.push({ at, type: 'save', server: op.server, db: DB, unid: U, by: `user/${op.server}`, set: new Map(op.set), ...(op.remove.length > 0 ? { remove: op.remove } : {}) });
    else if (op.kind === 'scan') ev.push({ at, type: 'scan', server: op.server, kind: 'manual', db: DB });
    else if (op.kind === 'definitions') ev.push({ at, type: 'definitions', server: op.server, version: op.version });
    else ev.push({ at, type: 'replicate', server: op.server, partner: op.server === 'A' ? 'B' : 'A', db: DB, mode: 'pull-push' });
  });
  return ev;
}

/** The tag a scan must compute: the HMAC of C made afresh (R15). */
function afresh(note: Note, key: string, includeDefinitions: boolean, definitions: string): string {
  return hmacSha256Hex(key, tagContent(note, includeDefinitions, definitions));
}

describe('R15: the tag a scan reads, remembered against the items', () => {
  it('R15: every scan computes the HMAC of its document\'s content with its key as it is computed afresh, whatever the saves, scans, definitions and replication before it', () => {
    // smsdom as the log names it, its scan checking the tag first (trusted, as the built-in: the same notes).
    const readings: string[] = [];
    const checked: ScannerDesign<object> = smsdomLike('smsdom', 'smsdom, its tag reading checked', {
      scan: (ctx) => {
        const c = ctx.config;
        const want = afresh(ctx.note, c.key, c.tagIncludesDefinitions, ctx.definitions);
        // Both readings: the held tag noted in the cache's walk over the items, and read on its own (heldTag).
        const { held, current } = heldAndCurrentTag(ctx.note, c.key, c.tagIncludesDefinitions, ctx.definitions);
        const heldAfresh = ctx.note.items.find((i) => i.name.toLowerCase() === SSO_TAG.toLowerCase())?.value;
        if (current !== want) readings.push(`at ${ctx.clock} on ${ctx.server}: currentTag ${current}, afresh ${want}`);
        if (held !== heldAfresh) readings.push(`at ${ctx.clock} on ${ctx.server}: held tag ${String(held)}, read afresh ${String(heldAfresh)}`);
        return smsdomScan(ctx);
      },
    }) as ScannerDesign<object>;
    TRUSTED_DESIGNS.add(checked);
    const behaviours = behaviourFactory(builtinRegistry([checked]));
    let scans = 0;
    assertLogProperty<Case>({
      name: 'tag-reading',
      arbitrary: fc.record({ keyB: fc.constantFrom(0 as const, 1 as const), ops: fc.array(opArb, { minLength: 1, maxLength: 16 }) }),
      numRuns: propertyRuns(300),
      toLog: (c) => encodeLog({ replog: 1, meta: { property: 'tag-reading' } }, eventsOf(c)),
      noteFailure: true,
      predicate: (c) => {
        readings.length = 0;
        const sim = new Simulator({ behaviours, onDerived: (e) => void (e.type === 'scanned' && scans++) });
        eventsOf(c).forEach((event, i) => sim.feed({ event, line: i + 2 }));
        sim.finish();
        // A copy: the next run's predicate empties the list (shrinking runs it again), and the failure's diff and the
        // log's `violation` then read "expected [ Array(1) ] to deeply equal []", its readings gone (a developer's QA pass).
        // The message names them too, for the log's header.
        expect([...readings], `R15: the tag the cache read differs from the tag made afresh: ${readings.join('; ')}`).toEqual([]);
      },
    });
    // (Not vacuous: the runs scanned documents.)
    expect(scans).toBeGreaterThan(300);
  });

  it('R15: a list with another item where the tag was is not taken for the tagged one', () => {
    const KEY = KEYS[0];
    const base = { unid: U, seq: 1, seqTime: 1, deleted: false } as const;
    const item = (name: string, value: string) => ({ name, key: name.toLowerCase(), value, seq: 1 });
    const subject = item('Subject', 's');
    const stamped = { ...base, items: [subject, item(SSO_TAG, 't')] } as unknown as Note;
    const first = { ...base, items: [subject] } as unknown as Note;
    expect(currentTag(first, KEY, false, '')).toBe(afresh(first, KEY, false, ''));
    expect(currentTag(stamped, KEY, false, '')).toBe(afresh(stamped, KEY, false, ''));
    // Another item where the tag was: C differs (R15), so the tag must too.
    const other = { ...base, items: [subject, item('X-Other', 'o')] } as unknown as Note;
    expect(currentTag(other, KEY, false, '')).toBe(afresh(other, KEY, false, ''));
    expect(currentTag(other, KEY, false, '')).not.toBe(currentTag(first, KEY, false, ''));
  });

  it('R15: a remembered tag is not reused when any one of the items after the first is another object, however many items', () => {
    const KEY = KEYS[0];
    const base = { unid: U, seq: 1, seqTime: 1, deleted: false } as const;
    const item = (name: string, value: string) => ({ name, key: name.toLowerCase(), value, seq: 1 });
    const note = (items: object[]) => ({ ...base, items }) as unknown as Note;
    // Names that sort around the tag's (x-ssotag), so the tag stands first, between, or last.
    const names = ['A1', 'A2', 'A3', 'X-A', 'Y1', 'Y2', 'Y3'];
    for (let count = 1; count <= names.length; count++) {
      for (const tagged of [false, true]) {
        const items = names.slice(0, count).map((n) => item(n, 'v'));
        const withTag = (list: object[]) => (tagged ? [...list, item(SSO_TAG, 't')].sort((x, y) => ((x as { key: string }).key < (y as { key: string }).key ? -1 : 1)) : list);
        const first = note(withTag(items));
        expect(currentTag(first, KEY, false, '')).toBe(afresh(first, KEY, false, ''));
        for (let j = 1; j < count; j++) {
          // The j-th item another object, of another value; then one more item at the end; then one fewer.
          const changed = note(withTag(items.map((it, i) => (i === j ? item(it.name, 'w') : it))));
          expect(currentTag(changed, KEY, false, ''), `${count} items, the tag ${tagged ? 'held' : 'absent'}, item ${j} changed`).toBe(afresh(changed, KEY, false, ''));
          expect(currentTag(first, KEY, false, '')).toBe(afresh(first, KEY, false, ''));
        }
        const longer = note(withTag([...items, item('Z-Last', 'z')]));
        expect(currentTag(longer, KEY, false, '')).toBe(afresh(longer, KEY, false, ''));
        expect(currentTag(first, KEY, false, '')).toBe(afresh(first, KEY, false, ''));
        const shorter = note(withTag(items.slice(0, -1)));
        if (count > 1) expect(currentTag(shorter, KEY, false, '')).toBe(afresh(shorter, KEY, false, ''));
      }
    }
  });

  it('R15: the held tag read with a remembered current tag is the one the version holds', () => {
    const KEY = KEYS[0];
    const base = { unid: U, seq: 1, seqTime: 1, deleted: false } as const;
    const item = (name: string, value: string) => ({ name, key: name.toLowerCase(), value, seq: 1 });
    const subject = item('Subject', 's');
    const zed = item('X-Zed', 'z');
    const note = (...items: object[]) => ({ ...base, items }) as unknown as Note;
    // Remembered from an untagged version, then read on a stamped one, a restamped one (the cache's walk), a version
    // that lost its tag, and one whose tag sorts before its first other item (the cache's anchor after it).
    const readings = [note(subject, zed), note(subject, item(SSO_TAG, 't'), zed), note(subject, item(SSO_TAG, 'u'), zed), note(subject, zed)];
    const tagFirst = note(item(SSO_TAG, 'v'), zed);
    for (const n of [...readings, tagFirst, tagFirst]) {
      const { held, current } = heldAndCurrentTag(n, KEY, false, '');
      expect({ held, current }).toEqual({ held: heldTag(n), current: afresh(n, KEY, false, '') });
    }
    expect(readings.map((n) => heldAndCurrentTag(n, KEY, false, '').held)).toEqual([undefined, 't', 'u', undefined]);
  });
});
