import { HeapPriorityQueue, NOT_CONTAINED, type HeapPriorityQueueElement } from './HeapPriorityQueue.js';
import { keyToMapKey } from '../../util/KeyEncoding.js';

type MapKey = string | number | bigint | boolean;

/** One timer in the heap (Flink's TimerHeapInternalTimer). */
export class TimerHeapInternalTimer implements HeapPriorityQueueElement {
  heapIndex = NOT_CONTAINED;
  constructor(readonly timestamp: number, readonly key: unknown, readonly mapKey: MapKey) {}
}

/**
 * Timers of one domain: a heap by timestamp plus, per key, its timers by timestamp (Flink's
 * HeapPriorityQueueSet, whose dedup maps are per key group): at most one timer per (key, timestamp),
 * and add, delete and a key's timers all without a scan of the heap.
 */
export class HeapPriorityQueueSet {
  private readonly heap = new HeapPriorityQueue<TimerHeapInternalTimer>();
  private readonly byKey = new Map<MapKey, Map<number, TimerHeapInternalTimer>>();

  get size(): number { return this.heap.size; }
  peek(): TimerHeapInternalTimer | undefined { return this.heap.peek(); }

  /** Adds a timer unless the key has one at `timestamp`; returns whether it was added. */
  add(timestamp: number, key: unknown): boolean {
    const mk = keyToMapKey(key);
    let m = this.byKey.get(mk);
    if (m === undefined) { m = new Map(); this.byKey.set(mk, m); } else if (m.has(timestamp)) return false;
    const t = new TimerHeapInternalTimer(timestamp, key, mk);
    m.set(timestamp, t);
    this.heap.push(t);
    return true;
  }

  /** Removes the key's timer at `timestamp` (O(log n)); returns whether there was one. */
  delete(timestamp: number, key: unknown): boolean {
    const mk = keyToMapKey(key);
    const m = this.byKey.get(mk);
    const t = m?.get(timestamp);
    if (t === undefined) return false;
    this.forget(m!, t);
    this.heap.remove(t);
    return true;
  }

  /** Removes and returns the earliest timer. */
  poll(): TimerHeapInternalTimer | undefined {
    const t = this.heap.poll();
    if (t !== undefined) this.forget(this.byKey.get(t.mapKey)!, t);
    return t;
  }

  /** Removes and returns the key's timers, earliest first. */
  takeAllOfKey(key: unknown): TimerHeapInternalTimer[] {
    const mk = keyToMapKey(key);
    const m = this.byKey.get(mk);
    if (m === undefined) return [];
    this.byKey.delete(mk);
    const ts = [...m.values()].sort((a, b) => a.timestamp - b.timestamp);
    for (const t of ts) this.heap.remove(t);
    return ts;
  }

  private forget(m: Map<number, TimerHeapInternalTimer>, t: TimerHeapInternalTimer): void {
    m.delete(t.timestamp);
    if (m.size === 0) this.byKey.delete(t.mapKey);
  }

  /** Visits every timer in heap (not timestamp) order, without copying. */
  forEach(fn: (t: TimerHeapInternalTimer) => void): void { this.heap.forEach(fn); }
  clear(): void { this.heap.clear(); this.byKey.clear(); }
}
