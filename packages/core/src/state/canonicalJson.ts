/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no white space, numbers as JSON.stringify writes them
 * (ECMAScript's shortest round-trip form). For the values the engine produces this is RFC 8785 (JCS) output, so any
 * JCS implementation can recompute a digest. Maps are written as objects; `__proto__` is an ordinary key here.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  return write(value);
}

// Written by concatenation (a rope V8 flattens once, when the text is read) rather than parts collected in an array
// and joined: a tag is the canonical JSON of a document's items, and the seed's first hour computes ten thousand,
// each with an attachment list, mostly before the code is optimised; this way they took a quarter less time.
function write(v: unknown): string {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: ${v} is not a JSON number`);
    // A finite number's JSON is its ECMAScript string form (-0 included: both write 0).
    return `${v}`;
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += i > 0 ? `,${write(v[i])}` : write(v[i]);
    return `${out}]`;
  }
  if (v instanceof Map) return writeEntries([...v.entries()] as [string, unknown][]);
  if (typeof v === 'object') {
    const entries: [string, unknown][] = [];
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) entries.push([k, x]);
    }
    return writeEntries(entries);
  }
  throw new TypeError(`canonicalJson: cannot write a ${typeof v}`);
}

function writeEntries(entries: [string, unknown][]): string {
  // Keys are distinct, so any sort gives one order. The objects written are small (an attachment has two or three
  // keys, and a tag and the digest write one per document): sorted in place, where Array.prototype.sort allocated
  // a work copy each time.
  if (entries.length <= 16) insertionSort(entries);
  else entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = '{';
  for (let i = 0; i < entries.length; i++) out += `${i > 0 ? ',' : ''}${JSON.stringify(entries[i]![0])}:${write(entries[i]![1])}`;
  return `${out}}`;
}

function insertionSort(entries: [string, unknown][]): void {
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i]!;
    let j = i;
    for (; j > 0 && entries[j - 1]![0] > e[0]; j--) entries[j] = entries[j - 1]!;
    entries[j] = e;
  }
}
