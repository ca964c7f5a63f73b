// Fault injection on the real minicluster: NameNode down, DataNode down (replication 2).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NameNodeUnreachableError, getFileSystem, type FileSystem } from '../../hdfs/index.js';
import { cluster, control, hdfsConf } from './cluster.js';

const MB = 1024 * 1024;
const base = `/tmp/it-faults-${randomUUID().slice(0, 8)}`;
let fs: FileSystem;

async function sha(stream: AsyncIterable<unknown>, onChunk?: (read: number) => Promise<void>): Promise<{ hex: string; n: number }> {
  const h = createHash('sha256');
  let n = 0;
  for await (const c of stream) {
    h.update(c as Buffer);
    n += (c as Buffer).length;
    if (onChunk) await onChunk(n);
  }
  return { hex: h.digest('hex'), n };
}

beforeAll(async () => {
  fs = getFileSystem('hdfs:///', hdfsConf());
  await fs.mkdirs(base);
});

afterAll(async () => {
  // Leave the shared cluster whole even if a test failed midway.
  await control('restart-namenode').catch(() => undefined);
  for (const dn of cluster().datanodes) if (!dn.running) await control(`restart-datanode/${dn.index}`).catch(() => undefined);
  await fs?.delete(base, true).catch(() => false);
});

describe('hdfs FileSystem under faults', () => {
  it('fails with NameNodeUnreachableError after bounded retries when the NameNode is down, and recovers', async () => {
    const quick = getFileSystem('hdfs:///', hdfsConf({ 'fs.hdfs.retry.max-attempts': 4, 'fs.hdfs.retry.initial-backoff-ms': 100 }));
    await quick.writeFile(`${base}/before`, 'written before the outage');
    const webhdfs = cluster().webhdfs;
    await control('stop-namenode');
    try {
      const t0 = Date.now();
      const err = await quick.getFileStatus(`${base}/before`).catch((e: unknown) => e);
      const elapsed = Date.now() - t0;
      expect(err).toBeInstanceOf(NameNodeUnreachableError);
      const e = err as NameNodeUnreachableError;
      expect(e.address).toBe(webhdfs);
      expect(e.configKey).toBe('dfs.namenode.http-address');
      expect(e.message).toContain(webhdfs);
      expect(e.message).toContain('dfs.namenode.http-address');
      expect(e.message).toContain('4 time(s)');
      expect(e.path).toBe(`${base}/before`);
      // 3 backoffs of ~100, 200, 400 ms (±20%) between the 4 attempts.
      expect(elapsed).toBeGreaterThanOrEqual(500);
      expect(elapsed).toBeLessThan(10_000);
      await expect(quick.open(`${base}/before`)).rejects.toBeInstanceOf(NameNodeUnreachableError);
      await expect(quick.create(`${base}/during`)).rejects.toBeInstanceOf(NameNodeUnreachableError);

      // A patient client rides out a short outage: the NameNode comes back while it retries.
      const patient = getFileSystem('hdfs:///', hdfsConf({ 'fs.hdfs.retry.max-attempts': 10, 'fs.hdfs.retry.initial-backoff-ms': 500, 'fs.hdfs.retry.max-backoff-ms': 2000 }));
      const pending = patient.readFile(`${base}/before`);
      pending.catch(() => undefined); // awaited below; avoid an unhandled-rejection report meanwhile
      await new Promise((r) => setTimeout(r, 700));
      await control('restart-namenode');
      expect((await pending).toString()).toBe('written before the outage');
    } finally {
      await control('restart-namenode');
    }
    await quick.writeFile(`${base}/after`, 'ok', { overwrite: true });
    expect((await fs.readFile(`${base}/after`)).toString()).toBe('ok');
  });

  it('reads a replication-2 file while one DataNode is down, also when it dies mid-stream', async () => {
    const path = `${base}/replicated.bin`;
    const total = 40 * MB;
    const data = randomBytes(total);
    const expected = createHash('sha256').update(data).digest('hex');
    await fs.writeFile(path, data, { replication: 2, blockSize: 4 * MB });
    expect((await fs.getFileStatus(path)).replication).toBe(2);

    await control('stop-datanode/0');
    try {
      expect(cluster().datanodes[0]!.running).toBe(false);
      const r = await sha(await fs.open(path));
      expect(r.n).toBe(total);
      expect(r.hex).toBe(expected);
      // Small reads and metadata keep working too.
      await fs.writeFile(`${base}/small-while-down`, 'still writable with one DataNode', { replication: 1 });
      expect((await fs.readFile(`${base}/small-while-down`)).toString()).toBe('still writable with one DataNode');
    } finally {
      await control('restart-datanode/0');
    }
    expect(cluster().datanodes.every((d) => d.running)).toBe(true);

    // Kill a DataNode while a read is in flight: the stream resumes at its offset from the other replica.
    let killed = false;
    const r2 = await sha(await fs.open(path), async (n) => {
      if (!killed && n >= 8 * MB) {
        killed = true;
        await control('stop-datanode/1');
      }
    });
    try {
      expect(killed).toBe(true);
      expect(r2.n).toBe(total);
      expect(r2.hex).toBe(expected);
    } finally {
      await control('restart-datanode/1');
    }
  });
});
