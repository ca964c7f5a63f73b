// Incremental checkpoints of the leveldb backend at the backend level: a base, then deltas of only
// the changed entries; restoring a chain (same range, or split for rescaling) gives exactly the
// state; a new base after max-deltas; hashmap refuses a chain with a clear message.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, StateBackendOptions } from '../../configuration/index.js';
import { createKeyedStateBackend } from '../StateBackendLoader.js';
import type { IncrementalKeyedSnapshot, KeyedStateBackend } from '../KeyedStateBackend.js';
import { DELTA_FORMAT, type KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';
import type { KeyGroupsStateHandle } from '../../checkpoint/StateHandles.js';
import { TtlKeyedStateBackend } from '../ttl/TtlKeyedStateBackend.js';
import { LevelDBKeyedStateBackend } from './LevelDBKeyedStateBackend.js';
import { MapStateDescriptor, ValueStateDescriptor } from '../../api/state/StateDescriptor.js';
import type { MapState, ValueState } from '../../api/state/State.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex, type KeyGroupRange } from '../../util/KeyGroupRangeAssignment.js';

const MAX_P = 128;
const FULL: KeyGroupRange = { startKeyGroup: 0, endKeyGroup: MAX_P - 1 };
let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-incremental-')); });
afterAll(() => {
  try { expect(readdirSync(dir)).toEqual([]); } finally { rmSync(dir, { recursive: true, force: true }); }
});

const made: KeyedStateBackend[] = [];
async function backend(kind: 'leveldb' | 'hashmap', opts: { range?: KeyGroupRange; restore?: readonly KeyGroupsSnapshot[]; maxDeltas?: number } = {}): Promise<KeyedStateBackend> {
  const conf = new Configuration();
  conf.set(StateBackendOptions.STATE_BACKEND, kind);
  conf.setString('execution.checkpointing.incremental', 'true', 'test');
  if (opts.maxDeltas !== undefined) conf.setString('state.backend.leveldb.incremental.max-deltas', String(opts.maxDeltas), 'test');
  const b = createKeyedStateBackend(conf, { keyGroupRange: opts.range ?? FULL, maxParallelism: MAX_P, localDirs: [dir], jobId: 'job', operatorId: '1', subtaskIndex: 0, owner: 'incremental (1/1)' });
  if (opts.restore) b.restore(opts.restore);
  await b.open?.();
  made.push(b);
  return b;
}
afterAll(async () => {
  for (const b of made) {
    const inner = b instanceof TtlKeyedStateBackend ? b.inner : b;
    if (inner instanceof LevelDBKeyedStateBackend) await inner.close(); else b.dispose();
  }
});

const value = new ValueStateDescriptor<number>('count');
const map = new MapStateDescriptor<string, number>('seen');

function put(b: KeyedStateBackend, key: number, v: number): void {
  b.setCurrentKey(key);
  b.getPartitionedState<ValueState<number>>(value).update(v);
  b.getPartitionedState<MapState<string, number>>(map).put(`e${v % 3}`, v);
}

/** What a task does: serialize, "upload" (inline bytes), hand the handle back; then the checkpoint completes. */
async function checkpoint(b: KeyedStateBackend, id: number): Promise<{ parts: KeyGroupsStateHandle[]; snap: IncrementalKeyedSnapshot }> {
  const snap = await b.beginSnapshot({ checkpointId: id, savepoint: false }).serialize(async () => {});
  if (!('kind' in snap)) throw new Error('expected an incremental snapshot');
  const fresh: KeyGroupsStateHandle = { startKeyGroup: snap.fresh.startKeyGroup, endKeyGroup: snap.fresh.endKeyGroup, offsets: snap.fresh.offsets,
    handle: { kind: 'bytes', data: snap.fresh.data }, incremental: { kind: snap.part, uploadedBy: id } };
  snap.uploaded(fresh);
  b.notifyCheckpointComplete!(id);
  return { parts: [...snap.reused, fresh], snap };
}

/** The parts as TaskStateManager hands them to a restoring backend. */
const asRestore = (parts: readonly KeyGroupsStateHandle[]): KeyGroupsSnapshot[] => parts.map((p) => ({
  startKeyGroup: p.startKeyGroup, endKeyGroup: p.endKeyGroup, offsets: p.offsets, data: (p.handle as { data: Uint8Array }).data,
  ...(p.incremental?.kind === 'delta' ? { format: DELTA_FORMAT } : {}),
}));

function read(b: KeyedStateBackend, key: number): { v: number | undefined; m: Array<[string, number]> } {
  b.setCurrentKey(key);
  return { v: b.getPartitionedState<ValueState<number>>(value).value(), m: [...b.getPartitionedState<MapState<string, number>>(map).entries()] };
}

describe('leveldb incremental checkpoints', () => {
  it('a base, then deltas holding only what changed; the chain restores exactly, also split over two subtasks', async () => {
    const N = 5000;
    const b = await backend('leveldb');
    const expected = new Map<number, { v: number | undefined; m: Array<[string, number]> }>();
    for (let k = 0; k < N; k++) put(b, k, k);
    const c1 = await checkpoint(b, 1);
    expect(c1.snap.part).toBe('base');
    expect(c1.parts).toHaveLength(1);
    const baseBytes = c1.snap.fresh.data.byteLength;

    // 1 % of the keys change, a few are cleared, one gets a map entry removed.
    for (let k = 0; k < N; k += 100) put(b, k, k + 1_000_000);
    for (const k of [7, 8, 9]) { b.setCurrentKey(k); b.getPartitionedState<ValueState<number>>(value).clear(); b.getPartitionedState<MapState<string, number>>(map).clear(); }
    b.setCurrentKey(11); b.getPartitionedState<MapState<string, number>>(map).remove('e2');
    const c2 = await checkpoint(b, 2);
    expect(c2.snap.part).toBe('delta');
    expect(c2.parts).toHaveLength(2);
    expect(c2.parts[0]).toBe(c1.parts[0]); // the base is reused as it was uploaded
    const deltaBytes = c2.snap.fresh.data.byteLength;
    expect(deltaBytes).toBeLessThan(baseBytes / 10); // ~1 % of the entries changed (plus per-key-group frame overhead)

    // A third checkpoint with nothing changed carries an (almost) empty delta.
    const c3 = await checkpoint(b, 3);
    expect(c3.snap.part).toBe('delta');
    expect(c3.snap.fresh.offsets.every((o) => o < 0)).toBe(true);

    for (let k = 0; k < N; k++) expected.set(k, read(b, k));
    expect(expected.get(7)).toEqual({ v: undefined, m: [] });
    expect(expected.get(100)!.v).toBe(1_000_100);

    const r = await backend('leveldb', { restore: asRestore(c3.parts) });
    for (let k = 0; k < N; k++) expect(read(r, k)).toEqual(expected.get(k));
    expect(r.numKeys('count')).toBe(b.numKeys('count'));
    expect(r.numKeys('count')).toBe(N - 3);

    // Rescaled: each new subtask reads only its key groups of every part of the chain.
    for (let i = 0; i < 2; i++) {
      const range = computeKeyGroupRangeForOperatorIndex(MAX_P, 2, i);
      const half = await backend('leveldb', { range, restore: asRestore(c3.parts) });
      let seen = 0;
      for (let k = 0; k < N; k++) {
        const kg = assignToKeyGroup(k, MAX_P);
        if (kg < range.startKeyGroup || kg > range.endKeyGroup) continue;
        seen++;
        expect(read(half, k)).toEqual(expected.get(k));
      }
      expect(seen).toBeGreaterThan(N / 3);
    }
  });

  it('a new base after max-deltas deltas; a savepoint is always full and canonical', async () => {
    const b = await backend('leveldb', { maxDeltas: 2 });
    for (let k = 0; k < 100; k++) put(b, k, k);
    const parts = [];
    for (let id = 1; id <= 5; id++) { put(b, id, id * 10); parts.push((await checkpoint(b, id)).snap.part); }
    expect(parts).toEqual(['base', 'delta', 'delta', 'base', 'delta']);
    const sp = await b.beginSnapshot({ checkpointId: 6, savepoint: true }).serialize(async () => {});
    expect('kind' in sp).toBe(false);
    // …so it restores on hashmap too.
    const h = await backend('hashmap', { restore: [sp as KeyGroupsSnapshot] });
    expect(read(h, 3)).toEqual({ v: 30, m: [['e0', 30]] });
  });

  it('an aborted checkpoint is not built upon: the next delta covers its changes too', async () => {
    const b = await backend('leveldb');
    for (let k = 0; k < 50; k++) put(b, k, k);
    const c1 = await checkpoint(b, 1);
    put(b, 1, 111);
    // Checkpoint 2 is serialized and uploaded but never completes.
    const s2 = await b.beginSnapshot({ checkpointId: 2, savepoint: false }).serialize(async () => {});
    if (!('kind' in s2)) throw new Error('expected incremental');
    s2.uploaded({ startKeyGroup: 0, endKeyGroup: MAX_P - 1, offsets: s2.fresh.offsets, handle: { kind: 'bytes', data: s2.fresh.data }, incremental: { kind: 'delta', uploadedBy: 2 } });
    put(b, 2, 222);
    const c3 = await checkpoint(b, 3);
    expect(c3.parts[0]).toBe(c1.parts[0]);
    expect(c3.parts).toHaveLength(2); // base + one delta with both changes
    const r = await backend('leveldb', { restore: asRestore(c3.parts) });
    expect(read(r, 1).v).toBe(111);
    expect(read(r, 2).v).toBe(222);
  });

  it("hashmap refuses an incremental chain, saying how to change backends", async () => {
    const b = await backend('leveldb');
    for (let k = 0; k < 10; k++) put(b, k, k);
    await checkpoint(b, 1);
    put(b, 1, 5);
    const c2 = await checkpoint(b, 2);
    await expect(backend('hashmap', { restore: asRestore(c2.parts) })).rejects.toThrow(/incremental checkpoint of the 'leveldb' state backend: it restores only on 'leveldb'.*take a savepoint/);
  });
});
