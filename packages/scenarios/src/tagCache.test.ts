import { describe, expect, it, vi } from 'vitest';
import type { Note } from '@replstorm/core';

// R15's tag is remembered against a version's non-tag items (tag.ts): tag.prop.test.ts holds every remembered tag to
// the one made afresh (a wrong reuse fails there). This file holds the other half, which no result shows: a tag is
// reused, not made again, when the items are the same objects, however many there are and wherever the tag item
// stands (a scan of the seed's storm rereads each document after every stamp). The HMACs are counted.
const hmacs = vi.hoisted(() => ({ count: 0 }));
vi.mock('@replstorm/core', async (importOriginal) => {
  const core = await importOriginal<typeof import('@replstorm/core')>();
  return {
    ...core,
    hmacSha256Hex: (key: string, text: string): string => {
      hmacs.count++;
      return core.hmacSha256Hex(key, text);
    },
  };
});

const { SSO_TAG, currentTag, heldAndCurrentTag } = await import('./tag.js');

const KEY = 'SSOKEY0000000001';
const item = (name: string, value: string) => ({ name, key: name.toLowerCase(), value, seq: 1 });
const note = (items: object[]) => ({ unid: '0123456789ABCDEF0123456789ABCDEF', seq: 1, seqTime: 1, deleted: false, items }) as unknown as Note;
const byKey = (x: { key: string }, y: { key: string }) => (x.key < y.key ? -1 : 1);

describe('R15: a remembered tag is reused', () => {
  it('R15: a version restamped, its other items the same objects, is not hashed again, for 1 to 7 items, the tag first, between or last', () => {
    // Names that sort around the tag's (x-ssotag): with the first n of them, the tag stands last, between or first.
    const names = ['A1', 'A2', 'A3', 'X-A', 'Y1', 'Y2', 'Y3'];
    for (let count = 1; count <= names.length; count++) {
      for (const start of [0, 3, 4]) {
        if (start + count > names.length) continue;
        const items = names.slice(start, start + count).map((n) => item(`${n}-${count}`, 'v'));
        const stamped = (tag: string) => note([...items, item(SSO_TAG, tag)].sort(byKey));
        hmacs.count = 0;
        const first = currentTag(note(items), KEY, false, '');
        expect(hmacs.count).toBe(1);
        // Stamped, then restamped: the same non-tag items, a new tag item each time.
        expect(currentTag(stamped(first), KEY, false, '')).toBe(first);
        const again = heldAndCurrentTag(stamped('other'), KEY, false, '');
        expect({ held: again.held, current: again.current }).toEqual({ held: 'other', current: first });
        expect(hmacs.count, `${count} items from ${names[start]}`).toBe(1);
        // One item another object: hashed again (its value is the same, but only identity is checked).
        if (count > 1) {
          const last = items.length - 1;
          currentTag(note(items.map((it, i) => (i === last ? item(it.name, 'v') : it))), KEY, false, '');
          expect(hmacs.count).toBe(2);
        }
      }
    }
  });
});
