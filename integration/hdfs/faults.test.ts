// Fault injection on a real minicluster: NameNode down, DataNode down (replication 2).
// Runs on its own HDFS-only cluster so stopping NameNodes never disturbs other tests or developers.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NameNodeUnreachableError, getFileSystem, type FileSystem } from '../../hdfs/index.js';
import { releaseLease, startCluster } from '../hadoop/cluster.mjs';
import { FAULTS_RUN_DIR, cluster as clusterAt, control as controlAt, hdfsConf as hdfsConfAt } from './cluster.js';

const cluster = () => clusterAt(FAULTS_RUN_DIR);
const control = (cmd: string) => controlAt(cmd, FAULTS_RUN_DIR);
const hdfsConf = (extra: Record<string, unknown> = {}) => hdfsConfAt(extra, FAULTS_RUN_DIR);

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
  await startCluster({ runDir: FAULTS_RUN_DIR, noYarn: true, lease: true });
  fs = getFileSystem('hdfs:///', hdfsConf());
  await fs.mkdirs(base);
});

afterAll(async () => {
  // Leave the shared cluster whole even if a test failed midway.
  await control('restart-namenode').catch(() => undefined);
  for (const dn of cluster().datanodes) if (!dn.running) await control(`restart-datanode/${dn.index}`).catch(() => undefined);
  await fs?.delete(base, true).catch(() => false);
  await releaseLease(FAULTS_RUN_DIR);
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
    // Default retries ride out the NameNode's start-up (safe mode, DataNodes re-registering).
    await fs.writeFile(`${base}/after`, 'ok', { overwrite: true });
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
      // Metadata keeps working too. (Writes may still pick the dead DataNode until the NameNode marks it stale.)
      expect((await fs.listStatus(base)).length).toBeGreaterThan(0);
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
