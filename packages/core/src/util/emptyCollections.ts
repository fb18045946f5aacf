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
