/** A binary min-heap of work items ordered by (`at`, `order`): due time, then the order they were scheduled. */
export interface HeapItem {
  readonly at: number;
  readonly order: number;
}

export class WorkHeap<T extends HeapItem> {
  private items_: T[] = [];

  get size(): number {
    return this.items_.length;
  }

  peek(): T | undefined {
    return this.items_[0];
  }

  /** The items in heap order (not sorted): for a scan that may change their times, followed by `reheap`. */
  items(): readonly T[] {
    return this.items_;
  }

  /** Restores the heap order after items' times were changed in place. */
  reheap(): void {
    const all = this.items_;
    this.items_ = [];
    for (const x of all) this.push(x);
  }

  toArray(): T[] {
    return this.items_.slice().sort(compare);
  }

  push(item: T): void {
    const a = this.items_;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compare(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.items_;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && compare(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && compare(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }

  /** Removes one item (by identity); O(n), for a chosen step in exploration. */
  remove(item: T): boolean {
    const i = this.items_.indexOf(item);
    if (i < 0) return false;
    const rest = this.items_.filter((x) => x !== item);
    this.items_ = [];
    for (const x of rest) this.push(x);
    return true;
  }

  clone(map: (item: T) => T): WorkHeap<T> {
    const h = new WorkHeap<T>();
    h.items_ = this.items_.map(map);
    return h;
  }
}

function compare(a: HeapItem, b: HeapItem): number {
  return a.at - b.at || a.order - b.order;
}
