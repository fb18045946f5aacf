import { canonicalJson, hmacSha256Hex, itemKey, type ItemValue, type Note } from '@replstorm/core';

/** The item SMSDOM's Secure Scanning Optimization stamps (R14). */
export const SSO_TAG = 'X-SSOTag';
const SSO_KEY = itemKey(SSO_TAG);

export interface TagOptions {
  readonly key: string;
  readonly includeDefinitions: boolean;
  readonly definitions: string;
  /** The scan time (the server's clock) when the tag carries it. */
  readonly scanTime?: number | undefined;
}

/**
 * R15 [choice]: C is the canonical JSON of every item except `X-SSOTag`, as one object whose keys (the document's
 * spellings) are ordered by lower-cased name, followed by the definitions version when the design includes it.
 */
export function tagContent(note: Note, includeDefinitions: boolean, definitions: string): string {
  const parts: string[] = [];
  for (const item of note.items) {
    if (item.key === SSO_KEY) continue; // note.items is sorted by lower-cased name already
    parts.push(`${JSON.stringify(item.name)}:${canonicalJson(item.value)}`);
  }
  return `{${parts.join(',')}}${includeDefinitions ? definitions : ''}`;
}

/**
 * R15: the tag is hex(HMAC-SHA256(key, C)). With the scan time included it is `t=<ms>;` followed by the HMAC of
 * `<ms>:` and C [choice: a colon separates them], and verifies against its own time.
 */
export function computeTag(note: Note, o: TagOptions): string {
  if (o.scanTime === undefined) return currentTag(note, o.key, o.includeDefinitions, o.definitions);
  const c = tagContent(note, o.includeDefinitions, o.definitions);
  return `t=${o.scanTime};${hmacSha256Hex(o.key, `${o.scanTime}:${c}`)}`;
}

/** The value of the note's `X-SSOTag`, if it has one: getItemValue by the tag's key, not lower-casing its name per scan. */
export function heldTag(note: Note): ItemValue | undefined {
  for (const item of note.items) if (item.key === SSO_KEY) return item.value;
  return undefined;
}

type Item = Note['items'][number];

/**
 * A remembered tag and the non-tag items it was computed from: the first (the cache's key) is left out, the next
 * three are fields and any more a list. A scan reads the entry right after finding it, and a list of its own was one
 * more object to fetch (a document of the seed has three items and its tag).
 */
interface CachedTag {
  readonly tag: string;
  readonly key: string;
  readonly definitions: string;
  /** How many non-tag items. */
  readonly n: number;
  readonly i1: Item | undefined;
  readonly i2: Item | undefined;
  readonly i3: Item | undefined;
  readonly more: readonly Item[] | undefined;
}

function cachedTag(tag: string, key: string, definitions: string, all: readonly Item[]): CachedTag {
  const kept = all.filter((i) => i.key !== SSO_KEY);
  return { tag, key, definitions, n: kept.length, i1: kept[1], i2: kept[2], i3: kept[3], more: kept.length > 4 ? kept.slice(4) : undefined };
}

/** The k-th (k >= 1) non-tag item `hit` was computed from. */
function keptAt(hit: CachedTag, k: number): Item | undefined {
  return k === 1 ? hit.i1 : k === 2 ? hit.i2 : k === 3 ? hit.i3 : hit.more?.[k - 4];
}

// A save shares every unchanged Item object with the version before it, so a document rescanned after a stamp (or
// after a rewrite of its tag) has the very same non-tag items: the tag is remembered against them, found through the
// first of them, and reused only when every one is the same object and the key and definitions agree. Pure: a cache
// of a pure function, invisible in results.
const tagCache = new WeakMap<object, CachedTag>();

/**
 * computeTag without a scan time, its arguments given one by one (a scan asks for it every time: no options object
 * made for it), remembered as said above.
 */
export function currentTag(note: Note, key: string, includeDefinitions: boolean, definitionsVersion: string): string {
  return heldAndCurrentTag(note, key, includeDefinitions, definitionsVersion).current;
}

/** What heldAndCurrentTag answers: the note's `X-SSOTag` value (heldTag) and the tag it should carry (currentTag). */
export interface HeldAndCurrent {
  held: ItemValue | undefined;
  current: string;
}

const answer: HeldAndCurrent = { held: undefined, current: '' };

/**
 * heldTag and currentTag together, in one walk over the items when the tag is remembered (a scan asks for both, and
 * the items' first reading is what a scan of a large store waits for: their cache misses). The answer is one object
 * reused by every call (no allocation per scan): read it before the next call.
 */
export function heldAndCurrentTag(note: Note, key: string, includeDefinitions: boolean, definitionsVersion: string): Readonly<HeldAndCurrent> {
  const definitions = includeDefinitions ? definitionsVersion : '';
  const all = note.items;
  const n = all.length;
  let a = 0;
  while (a < n && all[a]!.key === SSO_KEY) a++;
  if (a < n) {
    const anchor = all[a]!;
    const hit = tagCache.get(anchor);
    if (hit !== undefined && hit.key === key && hit.definitions === definitions) {
      // The remembered items equal these but the tag, object for object: checked while the tag item is noted. (The
      // first is the anchor, the entry's key.)
      let held: ItemValue | undefined;
      let k = 1;
      let i = 0;
      for (; i < n; i++) {
        const it = all[i]!;
        // (One at most: a note's items are sorted by key, each key once.)
        if (it.key === SSO_KEY) held = it.value;
        else if (i > a && keptAt(hit, k++) !== it) break;
      }
      if (i === n && k === hit.n) {
        answer.held = held;
        answer.current = hit.tag;
        return answer;
      }
    }
    const tag = hmacSha256Hex(key, tagContent(note, includeDefinitions, definitionsVersion));
    tagCache.set(anchor, cachedTag(tag, key, definitions, all));
    answer.current = tag;
  } else {
    answer.current = hmacSha256Hex(key, tagContent(note, includeDefinitions, definitionsVersion));
  }
  answer.held = heldTag(note);
  return answer;
}

/** R15: a tag verifies on a server when it equals what that server computes with its own key. */
export function verifyTag(note: Note, tag: unknown, o: Omit<TagOptions, 'scanTime'> & { readonly withScanTime: boolean }): boolean {
  if (typeof tag !== 'string') return false;
  if (!o.withScanTime) return tag === computeTag(note, o);
  const m = /^t=(-?\d{1,16});/.exec(tag);
  if (m === null) return false;
  return tag === computeTag(note, { ...o, scanTime: Number(m[1]) });
}
