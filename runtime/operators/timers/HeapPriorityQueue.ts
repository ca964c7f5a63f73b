/** Binary min-heap by `timestamp`. */
export interface TimerLike { timestamp: number }

export class HeapPriorityQueue<T extends TimerLike> {
  private heap: T[] = [];
  get size(): number { return this.heap.length; }
  peek(): T | undefined { return this.heap[0]; }
  push(t: T): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].timestamp <= t.timestamp) break;
      h[i] = h[p]; i = p;
    }
    h[i] = t;
  }
  poll(): T | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && h[r].timestamp < h[l].timestamp ? r : l;
        if (h[c].timestamp >= last.timestamp) break;
        h[i] = h[c]; i = c;
      }
      h[i] = last;
    }
    return top;
  }
  /** Removes matching entries (rare: deleteTimer), O(n). */
  removeIf(pred: (t: T) => boolean): void {
    const kept = this.heap.filter((t) => !pred(t));
    this.heap = [];
    for (const t of kept) this.push(t);
  }
  toArray(): T[] { return [...this.heap]; }
  /** Visits every entry in heap (not timestamp) order, without copying. */
  forEach(fn: (t: T) => void): void { for (const t of this.heap) fn(t); }
  clear(): void { this.heap = []; }
}
