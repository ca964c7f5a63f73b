import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClusterProcesses } from '../../testing/ClusterProcesses.js';
import { waitFor } from '../../testing/waitFor.js';

// State ≥ 10× the slot's heap: a TaskManager (127.0.0.3) with one slot whose V8 heap is capped at
// 128 MB runs a keyed job holding 330,000 values of 4 KiB (1.35 GB of state, 10.5× the heap).
// On 'leveldb' it completes and every value reads back exactly; on 'hashmap' the slot runs out of
// memory and the job fails with the message naming the slot and its heap limit.
const root = resolve(import.meta.dirname, '../../..');
const KEYS = 330_000;
const BYTES = 4096;
let work: string;
let cluster: ClusterProcesses;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsflink-leveldb-large-'));
  cluster = new ClusterProcesses(work, '127.0.0.2', ['-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=10 s', '-D', 'taskmanager.memory.task.heap.size=128m']);
  await cluster.startJobManager(['-D', 'restart-strategy.type=none']);
  cluster.startTaskManager('127.0.0.3', 1);
  await cluster.waitForTaskManagers(1);
}, 60_000);

afterAll(async () => {
  await cluster.close();
  rmSync(work, { recursive: true, force: true });
});

describe('keyed state larger than the slot heap (real processes)', () => {
  it('completes on leveldb with every value read back, and the LevelDB directory is removed at the end', async () => {
    const out = join(work, 'out-leveldb');
    const local = join(work, 'leveldb');
    const job = cluster.cli(['run', '-m', cluster.restAddress, '-D', 'state.backend.type=leveldb', '-D', `state.backend.leveldb.localdir=${local}`,
      join(root, 'runtime/state/leveldb/fixtures/large-state.ts'), out, String(KEYS), String(BYTES)]);
    const code = await job.exited;
    expect(code, `${job.stdout()}\n${job.stderr()}\n${cluster.dumpLogs()}`).toBe(0);
    expect(readFileSync(join(out, 'verified'), 'utf8')).toBe(`${KEYS} 0`);
    // The task deletes its directory when it ends (closing LevelDB is asynchronous, so shortly after the job).
    await waitFor('the LevelDB directory deleted', () => !existsSync(local) || readdirSync(local).length === 0, 15_000, 50);
  }, 600_000);

  it('fails on hashmap with an out-of-memory error naming the slot', async () => {
    const job = cluster.cli(['run', '-m', cluster.restAddress, '-D', 'state.backend.type=hashmap',
      join(root, 'runtime/state/leveldb/fixtures/large-state.ts'), join(work, 'out-hashmap'), String(KEYS), String(BYTES)]);
    const code = await job.exited;
    expect(code).not.toBe(0);
    expect(`${job.stdout()}\n${job.stderr()}`).toMatch(/Slot 0 of TaskManager \S+ ran out of memory \(heap limit 128 MB\)/);
  }, 600_000);
});
