// CheckpointStorage round trip on hdfs:// (minicluster) and file://.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fsp from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointStorage, FileAlreadyExistsError, getFileSystem } from '../../hdfs/index.js';
import { cluster, hdfsConf } from './cluster.js';

const localBase = path.join(os.tmpdir(), `tsflink-chk-it-${randomUUID().slice(0, 8)}`);
const hdfsBase = `/tmp/it-chk-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  await fsp.rm(localBase, { recursive: true, force: true });
  const fs = getFileSystem('hdfs:///', hdfsConf());
  await fs.delete(hdfsBase, true).catch(() => false);
  await fs.delete(`${hdfsBase}-default`, true).catch(() => false);
});

async function roundTrip(dir: string, conf?: Record<string, unknown>): Promise<void> {
  const jobId = randomUUID().replace(/-/g, '');
  const storage = new CheckpointStorage(dir, jobId, conf);
  await storage.initialize();
  const fs = storage.fs;
  expect(await fs.exists(storage.sharedDir)).toBe(true);
  expect(await fs.exists(storage.taskOwnedDir)).toBe(true);
  expect(await storage.listCompletedCheckpoints()).toEqual([]);

  const handles = [];
  for (const n of [1, 2, 3]) {
    // A multi-chunk state file written as a stream.
    const out = await storage.createStateOutput(n, 'op-1-subtask-0');
    const h = createHash('sha256');
    for (let i = 0; i < 8; i++) {
      const chunk = randomBytes(256 * 1024);
      h.update(chunk);
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
    }
    const handle = await out.closeAndGetHandle();
    expect(handle).toEqual({ path: `${storage.checkpointPath(n)}/op-1-subtask-0`, size: 8 * 256 * 1024 });
    const rh = createHash('sha256');
    for await (const c of await storage.openState(handle)) rh.update(c as Buffer);
    expect(rh.digest('hex')).toBe(h.digest('hex'));

    const shared = await storage.writeState(n, 'sst', `shared-${n}`, { scope: 'shared' });
    expect(shared.path.startsWith(`${storage.sharedDir}/sst-`)).toBe(true);
    expect((await storage.readState(shared)).toString()).toBe(`shared-${n}`);
    handles.push(handle);
    // Not complete until _metadata exists.
    expect((await storage.listCompletedCheckpoints()).map((c) => c.checkpointId)).toEqual([1, 2, 3].filter((x) => x < n));
    const meta = await storage.writeMetadata(n, JSON.stringify({ checkpointId: n, handles: [handle, shared] }));
    expect(meta.path).toBe(`${storage.checkpointPath(n)}/_metadata`);
  }
  // _metadata is written once: a second completion of the same checkpoint fails, nothing left behind.
  await expect(storage.writeMetadata(3, 'again')).rejects.toBeInstanceOf(FileAlreadyExistsError);
  expect((await fs.listStatus(storage.checkpointPath(3))).map((s) => s.path.split('/').pop()).sort()).toEqual(['_metadata', 'op-1-subtask-0']);

  const done = await storage.listCompletedCheckpoints();
  expect(done.map((c) => c.checkpointId)).toEqual([1, 2, 3]);
  expect(JSON.parse((await storage.readMetadata(2)).toString())).toMatchObject({ checkpointId: 2 });
  expect((await storage.latestCompletedCheckpoint())?.checkpointId).toBe(3);

  // An in-progress checkpoint (state but no _metadata) is not listed.
  await storage.writeState(4, 'partial', 'x');
  expect((await storage.listCompletedCheckpoints()).map((c) => c.checkpointId)).toEqual([1, 2, 3]);

  expect(await storage.disposeCheckpoint(1)).toBe(true);
  expect(await fs.exists(handles[0]!.path)).toBe(false);
  expect((await storage.listCompletedCheckpoints()).map((c) => c.checkpointId)).toEqual([2, 3]);
  // Shared state survives disposal of the checkpoint that created it.
  expect((await fs.listStatus(storage.sharedDir)).length).toBe(3);
}

describe('CheckpointStorage', () => {
  it('round-trips checkpoints on hdfs://', async () => {
    await roundTrip(`${cluster().namenode}${hdfsBase}`, hdfsConf());
  });

  it('round-trips checkpoints on hdfs:/// (fs.defaultFS)', async () => {
    await roundTrip(`hdfs://${hdfsBase}-default`, hdfsConf()); // hdfsBase starts with /, so hdfs:///…
  });

  it('round-trips checkpoints on file://', async () => {
    await roundTrip(`file://${localBase}`);
  });
});
