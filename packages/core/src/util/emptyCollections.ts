// Empty collections shared by every owner that has nothing in them, so that copies (a snapshot per exploration step)
// need not make empty ones of their own. A writer replaces the sentinel with a collection of its own before adding.
// They refuse changes, so a writer that forgot to (or a design writing to what it was handed read-only) fails loudly
// instead of writing into every owner's collection at once.

const REFUSED = 'a shared empty collection cannot be changed';

export class EmptyMap<K, V> extends Map<K, V> {
  override set(): this {
    throw new TypeError(REFUSED);
  }
  override delete(): boolean {
    throw new TypeError(REFUSED);
  }
  override clear(): void {
    throw new TypeError(REFUSED);
  }
}

export class EmptySet<T> extends Set<T> {
  override add(): this {
    throw new TypeError(REFUSED);
  }
  override delete(): boolean {
    throw new TypeError(REFUSED);
  }
  override clear(): void {
    throw new TypeError(REFUSED);
  }
}

/**
 * A copy of a Map, entry by entry: `new Map(map)` goes through the iterator protocol in the constructor and costs about
 * three times as much for the small maps copy-on-write copies (measured, Node 20: 110 ns against 35 for one entry).
 */
export function copyMap<K, V>(m: ReadonlyMap<K, V>): Map<K, V> {
  const c = new Map<K, V>();
  for (const [k, v] of m) c.set(k, v);
  return c;
}

/** A copy of a Set, element by element (see copyMap). */
export function copySet<T>(s: ReadonlySet<T>): Set<T> {
  const c = new Set<T>();
  for (const x of s) c.add(x);
  return c;
}
