/** A binary min-heap of work items ordered by (`at`, `order`): due time, then the order they were scheduled. */
export interface HeapItem {
  readonly at: number;
  readonly order: number;
}

/**
 * The items, and beside them (same index) their `at` and `order`: the sift loops compare two plain number arrays
 * instead of reading `at` and `order` from work items of a dozen shapes (one per kind of work), a megamorphic load
 * per read. An item's `at` and `order` are read once, when it is pushed; an item whose time is changed in place must
 * be followed by `reheap` (as before).
 */
export class WorkHeap<T extends HeapItem> {
  private items_: T[] = [];
  private ats: number[] = [];
  private ords: number[] = [];

  get size(): number {
    return this.items_.length;
  }

  /** The `at` of the first item, or +Infinity when the heap is empty. */
  peekAt(): number {
    return this.items_.length === 0 ? Number.POSITIVE_INFINITY : this.ats[0]!;
  }

  /** The items in heap order (not sorted): for a scan that may change their times, followed by `reheap`. */
  items(): readonly T[] {
    return this.items_;
  }

  /** Restores the heap order after items' times were changed in place. */
  reheap(): void {
    const all = this.items_;
    this.items_ = [];
    this.ats = [];
    this.ords = [];
    for (const x of all) this.push(x);
  }

  toArray(): T[] {
    return this.items_.slice().sort(compare);
  }

  /**
   * The items `keep` accepts, in toArray's order, into `out` from index 0; returns how many. Allocates nothing (an
   * insertion sort: exploration asks per transition, for a few items; toArray's copy and sort were a twentieth of
   * its allocation).
   */
  sortedInto(out: T[], keep: (x: T) => boolean): number {
    const all = this.items_;
    let n = 0;
    for (let i = 0; i < all.length; i++) {
      const x = all[i]!;
      if (!keep(x)) continue;
      let j = n++;
      while (j > 0 && compare(out[j - 1]!, x) > 0) {
        out[j] = out[j - 1]!;
        j--;
      }
      out[j] = x;
    }
    return n;
  }

  push(item: T): void {
    const a = this.items_;
    const ats = this.ats;
    const ords = this.ords;
    const at = item.at;
    const ord = item.order;
    let i = a.length;
    a.push(item);
    ats.push(at);
    ords.push(ord);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pa = ats[p]!;
      if (pa < at || (pa === at && ords[p]! <= ord)) break;
      a[i] = a[p]!;
      ats[i] = pa;
      ords[i] = ords[p]!;
      i = p;
    }
    a[i] = item;
    ats[i] = at;
    ords[i] = ord;
  }

  pop(): T | undefined {
    const a = this.items_;
    if (a.length === 0) return undefined;
    const ats = this.ats;
    const ords = this.ords;
    const top = a[0]!;
    const last = a.pop()!;
    const at = ats.pop()!;
    const ord = ords.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let m = l;
        if (r < n && (ats[r]! < ats[l]! || (ats[r] === ats[l] && ords[r]! < ords[l]!))) m = r;
        if (at < ats[m]! || (at === ats[m] && ord <= ords[m]!)) break;
        a[i] = a[m]!;
        ats[i] = ats[m]!;
        ords[i] = ords[m]!;
        i = m;
      }
      a[i] = last;
      ats[i] = at;
      ords[i] = ord;
    }
    return top;
  }

  /** Removes one item (by identity); O(n), for a chosen step in exploration. */
  remove(item: T): boolean {
    const i = this.items_.indexOf(item);
    if (i < 0) return false;
    const rest = this.items_.filter((x) => x !== item);
    this.items_ = rest;
    this.reheap();
    return true;
  }

  /**
   * Gives the three arrays no more room than their items: an array that grew by `push` keeps room for at least 16
   * more, and a heap kept in a snapshot (exploration keeps one per state it will expand) kept about 600 bytes it never
   * used, 14% of what a search to depth 9 of the bench's case held (a heap snapshot).
   */
  trim(): void {
    this.items_ = this.items_.slice();
    this.ats = this.ats.slice();
    this.ords = this.ords.slice();
  }

  /** A copy whose items are `map`'s copies (which keep their `at` and `order`). */
  clone(map: (item: T) => T): WorkHeap<T> {
    const h = new WorkHeap<T>();
    h.items_ = this.items_.map(map);
    h.ats = this.ats.slice();
    h.ords = this.ords.slice();
    return h;
  }
}

function compare(a: HeapItem, b: HeapItem): number {
  return a.at - b.at || a.order - b.order;
}
