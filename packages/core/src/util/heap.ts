/** A binary min-heap of work items ordered by (`at`, `order`): due time, then the order they were scheduled. */
export interface HeapItem {
  readonly at: number;
  readonly order: number;
}

export class WorkHeap<T extends HeapItem> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  toArray(): T[] {
    return this.items.slice().sort(compare);
  }

  push(item: T): void {
    const a = this.items;
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
    const a = this.items;
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
    const i = this.items.indexOf(item);
    if (i < 0) return false;
    const rest = this.items.filter((x) => x !== item);
    this.items = [];
    for (const x of rest) this.push(x);
    return true;
  }

  clone(map: (item: T) => T): WorkHeap<T> {
    const h = new WorkHeap<T>();
    h.items = this.items.map(map);
    return h;
  }
}

function compare(a: HeapItem, b: HeapItem): number {
  return a.at - b.at || a.order - b.order;
}
