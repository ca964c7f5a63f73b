// hdfs FileSystem against the real minicluster (WebHDFS on the NameNode, data via DataNodes).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileAlreadyExistsError,
  FileNotFoundError,
  PermissionDeniedError,
  WebHdfsFileSystem,
  closeOutput,
  getFileSystem,
  type FileSystem,
} from '../../hdfs/index.js';
import { cluster, hdfsConf } from './cluster.js';

const MB = 1024 * 1024;
const base = `/tmp/it-webhdfs-${randomUUID().slice(0, 8)}`;
let fs: FileSystem;

/** Generates `total` pseudo-random bytes in 1 MiB chunks, hashing as it goes (never all in memory). */
function generated(total: number, hash: ReturnType<typeof createHash>): Readable {
  let left = total;
  return new Readable({
    highWaterMark: 4 * MB,
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(MB, left);
      const chunk = randomBytes(n);
      left -= n;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

beforeAll(async () => {
  fs = getFileSystem(`${cluster().namenode}${base}`, hdfsConf());
  await fs.mkdirs(base);
});

afterAll(async () => {
  await fs?.delete(base, true);
});

describe('hdfs FileSystem on the minicluster', () => {
  it('resolves hdfs:///, hdfs://nn:port and plain paths to the same NameNode', async () => {
    const viaDefault = getFileSystem('hdfs:///', hdfsConf());
    expect(viaDefault.scheme).toBe('hdfs');
    await viaDefault.writeFile(`hdfs://${base}/hello.txt`.replace('hdfs:///', 'hdfs:///'), 'hello hdfs');
    expect((await fs.readFile(`${base}/hello.txt`)).toString()).toBe('hello hdfs');
    const st = await fs.getFileStatus(`${cluster().namenode}${base}/hello.txt`);
    expect(st).toMatchObject({ length: 10, isDirectory: false, path: `${cluster().namenode}${base}/hello.txt`, replication: 2 });
    expect(await fs.exists(`${base}/hello.txt`)).toBe(true);
    expect(await fs.exists(`${base}/nope.txt`)).toBe(false);
    // Explicit WebHDFS address wins over the conf dir.
    const explicit = getFileSystem(`hdfs://${cluster().namenode.slice(7)}/`, { 'fs.hdfs.webhdfs.address': cluster().webhdfs.replace('http://', '') });
    expect((await explicit.readFile(`${base}/hello.txt`)).toString()).toBe('hello hdfs');
  });

  it('streams a 300 MB file across many blocks and reads it back with the same checksum', async () => {
    const path = `${base}/big.bin`;
    const total = 300 * MB;
    const blockSize = 16 * MB;
    const wHash = createHash('sha256');
    const t0 = Date.now();
    const out = await fs.create(path, { blockSize, replication: 2 });
    await pipeline(generated(total, wHash), out);
    await closeOutput(out);
    const tw = Date.now() - t0;
    const st = await fs.getFileStatus(path);
    expect(st.length).toBe(total);
    expect(st.blockSize).toBe(blockSize);

    const rHash = createHash('sha256');
    let read = 0;
    const t1 = Date.now();
    const heapBefore = process.memoryUsage().rss;
    for await (const c of await fs.open(path)) {
      rHash.update(c as Buffer);
      read += (c as Buffer).length;
    }
    const tr = Date.now() - t1;
    expect(read).toBe(total);
    expect(rHash.digest('hex')).toBe(wHash.digest('hex'));
    // Streaming, not buffering: resident memory must not grow by anything near the file size.
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(150 * MB);
    console.log(`300 MB: write ${(300 / (tw / 1000)).toFixed(0)} MB/s, read ${(300 / (tr / 1000)).toFixed(0)} MB/s, ${Math.ceil(total / blockSize)} blocks`);

    // Ranged read from the middle of a block boundary.
    const off = blockSize - 10;
    const part = await fs.open(path, { offset: off, length: 20 });
    const chunks: Buffer[] = [];
    for await (const c of part) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).length).toBe(20);
  });

  it('creates 1,000 small files concurrently and lists them', async () => {
    const dir = `${base}/many`;
    await fs.mkdirs(dir);
    const names = Array.from({ length: 1000 }, (_, i) => `f-${String(i).padStart(4, '0')}`);
    const t0 = Date.now();
    await pool(names, 32, async (n) => fs.writeFile(`${dir}/${n}`, `content of ${n}`));
    const listed = await fs.listStatus(dir);
    console.log(`1000 files written in ${Date.now() - t0} ms`);
    expect(listed).toHaveLength(1000);
    expect(listed.map((s) => s.path.slice(s.path.lastIndexOf('/') + 1)).sort()).toEqual(names);
    expect(listed.every((s) => !s.isDirectory && s.length === `content of f-0000`.length)).toBe(true);
    expect((await fs.readFile(`${dir}/f-0999`)).toString()).toBe('content of f-0999');
  });

  it('renames atomically and refuses to replace an existing destination', async () => {
    await fs.writeFile(`${base}/r-src`, 'src');
    await fs.writeFile(`${base}/r-dst`, 'dst');
    await expect(fs.rename(`${base}/r-src`, `${base}/r-dst`)).rejects.toBeInstanceOf(FileAlreadyExistsError);
    expect((await fs.readFile(`${base}/r-dst`)).toString()).toBe('dst');
    expect(await fs.exists(`${base}/r-src`)).toBe(true);
    await fs.rename(`${base}/r-src`, `${base}/r-new`);
    expect(await fs.exists(`${base}/r-src`)).toBe(false);
    expect((await fs.readFile(`${base}/r-new`)).toString()).toBe('src');
    // Existing directory as destination is also an error (no "move into").
    await fs.mkdirs(`${base}/r-dir`);
    await expect(fs.rename(`${base}/r-new`, `${base}/r-dir`)).rejects.toBeInstanceOf(FileAlreadyExistsError);
    await expect(fs.rename(`${base}/missing`, `${base}/r-x`)).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('reports not-found, already-exists and delete semantics', async () => {
    await expect(fs.open(`${base}/missing`)).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(fs.getFileStatus(`${base}/missing`)).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(fs.listStatus(`${base}/missing`)).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(fs.append(`${base}/missing`)).rejects.toBeInstanceOf(FileNotFoundError);
    expect(await fs.delete(`${base}/missing`, false)).toBe(false);

    await fs.writeFile(`${base}/once`, 'one');
    const err = await fs.writeFile(`${base}/once`, 'two').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileAlreadyExistsError);
    expect((err as FileAlreadyExistsError).path).toBe(`${base}/once`);
    await fs.writeFile(`${base}/once`, 'three', { overwrite: true });
    expect((await fs.readFile(`${base}/once`)).toString()).toBe('three');

    const w = await fs.append(`${base}/once`);
    w.end(' + more');
    await closeOutput(w);
    expect((await fs.readFile(`${base}/once`)).toString()).toBe('three + more');

    await fs.mkdirs(`${base}/d/e`);
    await fs.writeFile(`${base}/d/e/f`, 'x');
    await expect(fs.delete(`${base}/d`, false)).rejects.toThrow(/not empty/);
    expect(await fs.delete(`${base}/d`, true)).toBe(true);
    expect(await fs.exists(`${base}/d`)).toBe(false);
  });

  it('reports permission denied for another user\'s 700 directory', async () => {
    const root = new WebHdfsFileSystem({
      endpoint: { baseUrl: cluster().webhdfs, authority: cluster().namenode.slice(7), configKey: 'test', configSource: 'test' },
      user: cluster().superuser,
    });
    const dir = `${base}/private`;
    await root.mkdirs(dir);
    await root.writeFile(`${dir}/secret`, 'secret');
    await root.setOwner(dir, 'alice');
    await root.setPermission(dir, '700');
    const bob = getFileSystem(`hdfs:///`, hdfsConf({ 'fs.hdfs.user': 'bob' }));
    const alice = getFileSystem(`hdfs:///`, hdfsConf({ 'fs.hdfs.user': 'alice' }));
    await expect(bob.listStatus(dir)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(bob.open(`${dir}/secret`)).rejects.toBeInstanceOf(PermissionDeniedError);
    const e = await bob.writeFile(`${dir}/new`, 'x').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(String((e as Error).message)).toMatch(/bob/);
    expect((await alice.listStatus(dir)).map((s) => s.path.split('/').pop())).toEqual(['secret']);
    root.close();
  });
});
