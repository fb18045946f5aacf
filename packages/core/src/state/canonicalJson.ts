/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no white space, numbers as JSON.stringify writes them
 * (ECMAScript's shortest round-trip form). For the values the engine produces this is RFC 8785 (JCS) output, so any
 * JCS implementation can recompute a digest. Maps are written as objects; `__proto__` is an ordinary key here.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(v: unknown, out: string[]): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') {
    out.push(JSON.stringify(v));
    return;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: ${v} is not a JSON number`);
    out.push(JSON.stringify(v));
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      write(v[i], out);
    }
    out.push(']');
    return;
  }
  if (v instanceof Map) {
    writeEntries([...v.entries()] as [string, unknown][], out);
    return;
  }
  if (typeof v === 'object') {
    const entries: [string, unknown][] = [];
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) entries.push([k, x]);
    }
    writeEntries(entries, out);
    return;
  }
  throw new TypeError(`canonicalJson: cannot write a ${typeof v}`);
}

function writeEntries(entries: [string, unknown][], out: string[]): void {
  // Keys are distinct, so any sort gives one order. The objects written are small (an attachment has two or three
  // keys, and a tag and the digest write one per document): sorted in place, where Array.prototype.sort allocated
  // a work copy each time.
  if (entries.length <= 16) insertionSort(entries);
  else entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  out.push('{');
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) out.push(',');
    out.push(JSON.stringify(entries[i]![0]), ':');
    write(entries[i]![1], out);
  }
  out.push('}');
}

function insertionSort(entries: [string, unknown][]): void {
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i]!;
    let j = i;
    for (; j > 0 && entries[j - 1]![0] > e[0]; j--) entries[j] = entries[j - 1]!;
    entries[j] = e;
  }
}
