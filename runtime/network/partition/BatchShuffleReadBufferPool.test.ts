// The TaskManager-wide shuffle read budget: reservations wait while the budget is taken, and the budget is
// one counter across worker threads (the slots of a TaskManager).
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BatchShuffleReadBufferPool, newBatchShuffleReadBudget } from './BatchShuffleReadBufferPool.js';

const KiB = 1024;

describe('BatchShuffleReadBufferPool', () => {
  it('a reservation over the budget waits for a release; a read larger than the budget takes all of it', async () => {
    const budget = newBatchShuffleReadBudget(128 * KiB);
    const a = new BatchShuffleReadBufferPool(budget, 64 * KiB);
    const b = new BatchShuffleReadBufferPool(budget, 64 * KiB); // another slot's view of the same budget
    const t1 = await a.reserve(64 * KiB);
    const t2 = await b.reserve(64 * KiB);
    let third = false;
    const p3 = a.reserve(10 * KiB).then((t) => { third = true; return t; });
    await new Promise((r) => setTimeout(r, 30));
    expect(third).toBe(false);
    b.release(t2);
    const t3 = await p3;
    expect(a.reservedUnits).toBe(64 + 10);
    a.release(t1); a.release(t3);
    const all = await b.reserve(1024 * KiB); // an oversized frame: clamped to the whole budget
    expect(b.reservedUnits).toBe(128);
    b.release(all);
    expect(a.reservedUnits).toBe(0);
  });

  it('spans worker threads: a slot thread holding the budget delays this thread until it releases', async () => {
    const budget = newBatchShuffleReadBudget(64 * KiB);
    const here = new BatchShuffleReadBufferPool(budget, 64 * KiB);
    // The other "slot": takes the whole budget, says so, holds it 150 ms, gives it back.
    const w = new Worker(`
      const { workerData, parentPort } = require('node:worker_threads');
      const c = new Int32Array(workerData);
      Atomics.add(c, 0, 64);
      parentPort.postMessage('taken');
      setTimeout(() => { Atomics.sub(c, 0, 64); Atomics.notify(c, 0); }, 150);
    `, { eval: true, workerData: budget.shared });
    try {
      await new Promise((r) => w.once('message', r));
      expect(here.reservedUnits).toBe(64);
      const t0 = performance.now();
      const t = await here.reserve(4 * KiB);
      expect(performance.now() - t0).toBeGreaterThan(100);
      here.release(t);
      expect(here.reservedUnits).toBe(0);
    } finally {
      await w.terminate();
    }
  });

  it('refuses a budget smaller than one read chunk', () => {
    expect(() => new BatchShuffleReadBufferPool({ bytes: 1000 }, 4096)).toThrow(/batch-shuffle\.size \(1000 bytes\) is smaller than one shuffle read chunk \(4096 bytes\); set it to at least 4096 bytes/);
  });
});
