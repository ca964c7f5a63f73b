import { describe, expect, it } from 'vitest';
import { HeapPriorityQueueSet } from './HeapPriorityQueueSet.js';
import { HeapPriorityQueue, NOT_CONTAINED, type HeapPriorityQueueElement } from './HeapPriorityQueue.js';

/** A seeded LCG, so a failing order is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

const drain = (q: HeapPriorityQueueSet): number[] => {
  const out: number[] = [];
  for (let t = q.poll(); t !== undefined; t = q.poll()) out.push(t.timestamp);
  return out;
};

// Cases of Flink's InternalPriorityQueueTestBase (testPeekPollOrder, testRemoveInsertMixKeepsOrder, testAdd, testRemove).
describe('HeapPriorityQueueSet', () => {
  it('testPeekPollOrder: polls in timestamp order', () => {
    const q = new HeapPriorityQueueSet();
    const r = rng(7);
    const ts: number[] = [];
    for (let i = 0; i < 500; i++) { const t = Math.floor(r() * 1000); ts.push(t); q.add(t, i); }
    expect(q.peek()!.timestamp).toBe(Math.min(...ts));
    expect(drain(q)).toEqual([...ts].sort((a, b) => a - b));
    expect(q.size).toBe(0);
  });

  it('testRemoveInsertMixKeepsOrder: random deletes anywhere in the heap keep the heap order', () => {
    const q = new HeapPriorityQueueSet();
    const r = rng(42);
    const live = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const key = Math.floor(r() * 50);
      const ts = Math.floor(r() * 200);
      if (r() < 0.4) {
        expect(q.delete(ts, key)).toBe(live.delete(`${key}/${ts}`));
      } else {
        expect(q.add(ts, key)).toBe(!live.has(`${key}/${ts}`));
        live.set(`${key}/${ts}`, ts);
      }
      expect(q.size).toBe(live.size);
    }
    expect(drain(q)).toEqual([...live.values()].sort((a, b) => a - b));
  });

  it('testAdd: at most one timer per key and timestamp; keys compare like state keys', () => {
    const q = new HeapPriorityQueueSet();
    expect(q.add(10, 'a')).toBe(true);
    expect(q.add(10, 'a')).toBe(false);
    expect(q.add(10, 1)).toBe(true);
    expect(q.add(10, '1')).toBe(true); // the number 1 and the string '1' are different keys
    expect(q.add(10, ['a', 1])).toBe(true);
    expect(q.add(10, ['a', 1])).toBe(false); // composite keys compare by value
    expect(q.size).toBe(4);
  });

  it('testRemove: deleting a timer that is not there changes nothing', () => {
    const q = new HeapPriorityQueueSet();
    q.add(5, 'k');
    expect(q.delete(6, 'k')).toBe(false);
    expect(q.delete(5, 'other')).toBe(false);
    expect(q.delete(5, 'k')).toBe(true);
    expect(q.delete(5, 'k')).toBe(false);
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
  });

  it('takeAllOfKey returns one key\'s timers earliest first and leaves the others', () => {
    const q = new HeapPriorityQueueSet();
    for (const t of [30, 10, 20]) q.add(t, 'a');
    for (const t of [15, 5]) q.add(t, 'b');
    expect(q.takeAllOfKey('a').map((t) => t.timestamp)).toEqual([10, 20, 30]);
    expect(q.takeAllOfKey('a')).toEqual([]);
    expect(drain(q)).toEqual([5, 15]);
  });
});

describe('HeapPriorityQueue', () => {
  it('tracks each element\'s index and forgets it on removal', () => {
    const q = new HeapPriorityQueue<HeapPriorityQueueElement>();
    const es = [5, 3, 8, 1, 9, 2].map((timestamp) => ({ timestamp, heapIndex: NOT_CONTAINED }));
    for (const e of es) q.push(e);
    q.forEach((e) => expect(q.toArray()[e.heapIndex]).toBe(e));
    expect(q.remove(es[2]!)).toBe(true);
    expect(es[2]!.heapIndex).toBe(NOT_CONTAINED);
    expect(q.remove(es[2]!)).toBe(false);
    const out: number[] = [];
    for (let e = q.poll(); e; e = q.poll()) out.push(e.timestamp);
    expect(out).toEqual([1, 2, 3, 5, 9]);
  });
});
