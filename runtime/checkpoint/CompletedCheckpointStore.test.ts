// CompletedCheckpointStore (Flink's DefaultCompletedCheckpointStoreTest / CompletedCheckpointStoreTest):
// num-retained, subsuming the oldest (its files deleted through the discard callback, best
// effort), removing an unreadable one, and shutdown that keeps or discards everything.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CompletedCheckpoint, CompletedCheckpointStore } from './CompletedCheckpointStore.js';
import { CheckpointStorage } from '../../hdfs/index.js';

function cp(id: number, externalPath?: string): CompletedCheckpoint {
  return {
    checkpointId: id, timestamp: id * 1000, completionTimestamp: id * 1000 + 10, externalPath, stateSize: id,
    metadata: { checkpointId: id, timestamp: id * 1000, type: 'CHECKPOINT', operators: {} },
  };
}

function recording(): { discarded: number[]; discard: (c: CompletedCheckpoint) => Promise<void> } {
  const discarded: number[] = [];
  return { discarded, discard: async (c) => { discarded.push(c.checkpointId); } };
}

const ids = (s: CompletedCheckpointStore): number[] => s.getAllCheckpoints().map((c) => c.checkpointId);

describe('CompletedCheckpointStore', () => {
  it('starts empty', () => {
    const s = new CompletedCheckpointStore(1, recording().discard);
    expect(s.getLatestCheckpoint()).toBeUndefined();
    expect(s.numberOfRetainedCheckpoints).toBe(0);
    expect(s.getAllCheckpoints()).toEqual([]);
  });

  it('num-retained=1: each new checkpoint subsumes the previous one, which is discarded (testAddCheckpointMoreThanMaxRetained)', () => {
    const r = recording();
    const s = new CompletedCheckpointStore(1, r.discard);
    expect(s.addCheckpointAndSubsumeOldestOne(cp(1))).toEqual([]);
    expect(s.addCheckpointAndSubsumeOldestOne(cp(2)).map((c) => c.checkpointId)).toEqual([1]);
    expect(s.addCheckpointAndSubsumeOldestOne(cp(3)).map((c) => c.checkpointId)).toEqual([2]);
    expect(ids(s)).toEqual([3]);
    expect(s.getLatestCheckpoint()?.checkpointId).toBe(3);
    expect(r.discarded).toEqual([1, 2]);
  });

  it('num-retained=3: nothing is subsumed until the fourth (testNotSubsumedIfNotNeeded), newest last', () => {
    const r = recording();
    const s = new CompletedCheckpointStore(3, r.discard);
    for (const id of [1, 2, 3]) s.addCheckpointAndSubsumeOldestOne(cp(id));
    expect(ids(s)).toEqual([1, 2, 3]);
    expect(r.discarded).toEqual([]);
    s.addCheckpointAndSubsumeOldestOne(cp(4));
    expect(ids(s)).toEqual([2, 3, 4]);
    expect(s.numberOfRetainedCheckpoints).toBe(3);
    expect(r.discarded).toEqual([1]);
  });

  it('a failing discard does not fail adding, nor leave the subsumed checkpoint in the store (testAddCheckpointWithFailedRemove)', async () => {
    // A plain function: vi.fn would observe (handle) the rejected promise itself.
    let calls = 0;
    const discard = async (c: CompletedCheckpoint): Promise<void> => { calls++; throw new Error(`cannot delete ${c.checkpointId}`); };
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => { unhandled.push(e); };
    process.on('unhandledRejection', onUnhandled);
    try {
      const s = new CompletedCheckpointStore(1, discard);
      s.addCheckpointAndSubsumeOldestOne(cp(1));
      expect(() => s.addCheckpointAndSubsumeOldestOne(cp(2))).not.toThrow();
      await new Promise((r) => setTimeout(r, 20));
      expect(calls).toBe(1);
      expect(ids(s)).toEqual([2]);
      // Best effort: the failed deletion is not an unhandled rejection.
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('remove() drops one checkpoint (an unreadable one) without discarding it; the previous becomes the latest', () => {
    const r = recording();
    const s = new CompletedCheckpointStore(3, r.discard);
    for (const id of [1, 2, 3]) s.addCheckpointAndSubsumeOldestOne(cp(id));
    s.remove(3);
    expect(s.getLatestCheckpoint()?.checkpointId).toBe(2);
    s.remove(99);
    s.remove(1);
    expect(ids(s)).toEqual([2]);
    expect(r.discarded).toEqual([]);
  });

  it('shutdown(false) discards every retained checkpoint before resolving and empties the store', async () => {
    const done: number[] = [];
    const s = new CompletedCheckpointStore(2, async (c) => { await new Promise((r) => setTimeout(r, 5)); done.push(c.checkpointId); });
    s.addCheckpointAndSubsumeOldestOne(cp(1));
    s.addCheckpointAndSubsumeOldestOne(cp(2));
    await s.shutdown(false);
    expect(done.sort()).toEqual([1, 2]);
    expect(s.numberOfRetainedCheckpoints).toBe(0);
    expect(s.getLatestCheckpoint()).toBeUndefined();
  });

  it('shutdown(true) keeps the files (nothing discarded) but forgets the checkpoints', async () => {
    const r = recording();
    const s = new CompletedCheckpointStore(2, r.discard);
    s.addCheckpointAndSubsumeOldestOne(cp(1));
    s.addCheckpointAndSubsumeOldestOne(cp(2));
    await s.shutdown(true);
    expect(r.discarded).toEqual([]);
    expect(s.numberOfRetainedCheckpoints).toBe(0);
  });

  it('shutdown(false) still discards the others when one discard fails, and resolves', async () => {
    const tried: number[] = [];
    const s = new CompletedCheckpointStore(3, async (c) => { tried.push(c.checkpointId); if (c.checkpointId === 1) throw new Error('nope'); });
    for (const id of [1, 2, 3]) s.addCheckpointAndSubsumeOldestOne(cp(id));
    await expect(s.shutdown(false)).resolves.toBeUndefined();
    expect(tried.sort()).toEqual([1, 2, 3]);
  });
});

describe('CompletedCheckpointStore with CheckpointStorage on file://', () => {
  let tmp: string;
  beforeEach(async () => { tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsflink-cpstore-')); });
  afterEach(async () => { await fsp.rm(tmp, { recursive: true, force: true }); });

  const exists = (p: string): Promise<boolean> => fsp.stat(p).then(() => true, () => false);

  it('num-retained=2: the third checkpoint deletes chk-1 and only chk-1; shutdown(false) deletes the rest', async () => {
    const storage = new CheckpointStorage(`file://${tmp}/cp`, 'job-s');
    await storage.initialize();
    const s = new CompletedCheckpointStore(2, async (c) => { await storage.disposeCheckpoint(c.checkpointId); });
    for (const id of [1, 2, 3]) {
      await storage.writeState(id, 'state', `state of ${id}`);
      await storage.writeMetadata(id, `meta ${id}`);
      s.addCheckpointAndSubsumeOldestOne(cp(id, storage.checkpointPath(id)));
    }
    await vi.waitFor(async () => expect(await exists(`${tmp}/cp/job-s/chk-1`)).toBe(false));
    expect(await exists(`${tmp}/cp/job-s/chk-2/_metadata`)).toBe(true);
    expect(await exists(`${tmp}/cp/job-s/chk-3/state`)).toBe(true);
    expect((await storage.listCompletedCheckpoints()).map((c) => c.checkpointId)).toEqual([2, 3]);
    await s.shutdown(false);
    expect(await storage.listCompletedCheckpoints()).toEqual([]);
    // Only chk-<n> directories go; the job's shared/ and taskowned/ stay.
    expect((await fsp.readdir(`${tmp}/cp/job-s`)).sort()).toEqual(['shared', 'taskowned']);
  });
});
