/**
 * An element that knows its position in the heap (Flink's HeapPriorityQueueElement.internalIndex),
 * so it can be removed in O(log n) without a search.
 */
export interface HeapPriorityQueueElement {
  timestamp: number;
  /** Position in the heap; NOT_CONTAINED when the element is in no heap. */
  heapIndex: number;
}

export const NOT_CONTAINED = -1;

/** Binary min-heap by `timestamp` whose elements carry their index (Flink's HeapPriorityQueue). */
export class HeapPriorityQueue<T extends HeapPriorityQueueElement> {
  private heap: T[] = [];
  get size(): number { return this.heap.length; }
  peek(): T | undefined { return this.heap[0]; }

  push(t: T): void {
    const h = this.heap;
    h.push(t);
    this.siftUp(h.length - 1, t);
  }

  poll(): T | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    this.removeAt(0);
    return top;
  }

  /** Removes `t` if it is in this heap (O(log n)); returns whether it was. */
  remove(t: T): boolean {
    const i = t.heapIndex;
    if (i < 0 || i >= this.heap.length || this.heap[i] !== t) return false;
    this.removeAt(i);
    return true;
  }

  private removeAt(i: number): void {
    const h = this.heap;
    const removed = h[i]!;
    removed.heapIndex = NOT_CONTAINED;
    const last = h.pop()!;
    if (i === h.length) return;
    // The last element takes the hole: it may belong above it (smaller than the parent) or below.
    if (i > 0 && last.timestamp < h[(i - 1) >> 1]!.timestamp) this.siftUp(i, last);
    else this.siftDown(i, last);
  }

  private siftUp(start: number, t: T): void {
    const h = this.heap;
    let i = start;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (parent.timestamp <= t.timestamp) break;
      h[i] = parent; parent.heapIndex = i;
      i = p;
    }
    h[i] = t; t.heapIndex = i;
  }

  private siftDown(start: number, t: T): void {
    const h = this.heap;
    const n = h.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.timestamp < h[l]!.timestamp ? r : l;
      const child = h[c]!;
      if (child.timestamp >= t.timestamp) break;
      h[i] = child; child.heapIndex = i;
      i = c;
    }
    h[i] = t; t.heapIndex = i;
  }

  toArray(): T[] { return [...this.heap]; }
  /** Visits every entry in heap (not timestamp) order, without copying. */
  forEach(fn: (t: T) => void): void { for (const t of this.heap) fn(t); }
  clear(): void {
    for (const t of this.heap) t.heapIndex = NOT_CONTAINED;
    this.heap = [];
  }
}
