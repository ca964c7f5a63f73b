import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStorage } from './CheckpointStorage.js';
import { FileAlreadyExistsError, FileNotFoundError, FileSystemError, PermissionDeniedError } from './errors.js';
import { closeOutput, getFileSystem } from './FileSystems.js';

let dir: string;
const fs = getFileSystem('file:///');

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsflink-localfs-'));
});
afterEach(async () => {
  await fsp.chmod(dir, 0o755).catch(() => undefined);
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('file scheme', () => {
  it('plain paths, file:/ and file:/// all map to the local file system', async () => {
    expect(getFileSystem('/tmp').scheme).toBe('file');
    expect(getFileSystem('relative/dir').scheme).toBe('file');
    await fs.writeFile(`file://${dir}/a.txt`, 'A');
    expect((await fs.readFile(`file:${dir}/a.txt`)).toString()).toBe('A');
    expect((await fs.readFile(`${dir}/a.txt`)).toString()).toBe('A');
  });

  it('streams writes and ranged reads; create makes parents; closeOutput means durable', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const w = await fs.create(`${dir}/sub/deeper/big.bin`);
    await pipeline(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), w);
    await closeOutput(w);
    const st = await fs.getFileStatus(`${dir}/sub/deeper/big.bin`);
    expect(st).toMatchObject({ length: data.length, isDirectory: false });
    const h = createHash('sha256');
    for await (const c of await fs.open(`${dir}/sub/deeper/big.bin`)) h.update(c as Buffer);
    expect(h.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    const parts: Buffer[] = [];
    for await (const c of await fs.open(`${dir}/sub/deeper/big.bin`, { offset: 10, length: 5 })) parts.push(c as Buffer);
    expect(Buffer.concat(parts)).toEqual(data.subarray(10, 15));
  });

  it('create refuses to overwrite unless asked; append extends', async () => {
    await fs.writeFile(`${dir}/f`, 'one');
    await expect(fs.writeFile(`${dir}/f`, 'two')).rejects.toBeInstanceOf(FileAlreadyExistsError);
    await fs.writeFile(`${dir}/f`, 'three', { overwrite: true });
    const a = await fs.append(`${dir}/f`);
    a.write('+');
    a.end('four');
    await closeOutput(a);
    expect((await fs.readFile(`${dir}/f`)).toString()).toBe('three+four');
    await expect(fs.append(`${dir}/missing`)).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('rename never replaces an existing destination', async () => {
    await fs.writeFile(`${dir}/src`, 's');
    await fs.writeFile(`${dir}/dst`, 'd');
    await expect(fs.rename(`${dir}/src`, `${dir}/dst`)).rejects.toBeInstanceOf(FileAlreadyExistsError);
    expect((await fs.readFile(`${dir}/dst`)).toString()).toBe('d');
    await fs.rename(`${dir}/src`, `${dir}/moved`);
    expect(await fs.exists(`${dir}/src`)).toBe(false);
    expect((await fs.readFile(`${dir}/moved`)).toString()).toBe('s');
    await fs.mkdirs(`${dir}/d1/x`);
    await fs.mkdirs(`${dir}/d2`);
    await expect(fs.rename(`${dir}/d1`, `${dir}/d2`)).rejects.toBeInstanceOf(FileAlreadyExistsError);
    await fs.rename(`${dir}/d1`, `${dir}/d3`);
    expect(await fs.exists(`${dir}/d3/x`)).toBe(true);
    await expect(fs.rename(`${dir}/nope`, `${dir}/n2`)).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('lists, deletes and reports typed errors', async () => {
    await fs.mkdirs(`${dir}/l`);
    await Promise.all(['b', 'a', 'c'].map((n) => fs.writeFile(`${dir}/l/${n}`, n)));
    await fs.mkdirs(`${dir}/l/sub`);
    const ls = await fs.listStatus(`${dir}/l`);
    expect(ls.map((s) => path.basename(s.path))).toEqual(['a', 'b', 'c', 'sub']);
    expect(ls.find((s) => s.path.endsWith('sub'))?.isDirectory).toBe(true);
    expect(await fs.listStatus(`${dir}/l/a`)).toHaveLength(1);
    await expect(fs.listStatus(`${dir}/none`)).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(fs.open(`${dir}/none`)).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(fs.open(`${dir}/l`)).rejects.toBeInstanceOf(FileSystemError);
    await expect(fs.delete(`${dir}/l`, false)).rejects.toThrow(/not empty; pass recursive=true/);
    expect(await fs.delete(`${dir}/l`, true)).toBe(true);
    expect(await fs.delete(`${dir}/l`, true)).toBe(false);
    const err = await fs.getFileStatus(`${dir}/none`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileNotFoundError);
    expect((err as FileNotFoundError).path).toBe(`${dir}/none`);
  });

  it('maps EACCES to PermissionDeniedError', async () => {
    await fs.mkdirs(`${dir}/locked`);
    await fsp.chmod(`${dir}/locked`, 0o000);
    if (process.getuid?.() !== 0) {
      await expect(fs.listStatus(`${dir}/locked`)).rejects.toBeInstanceOf(PermissionDeniedError);
      return;
    }
    // root reads anything: check from a child process running as nobody (the compiled FileSystem)
    await fsp.chmod(dir, 0o755);
    const script = `const { getFileSystem } = await import(${JSON.stringify(path.resolve(import.meta.dirname, '..', 'dist', 'hdfs', 'index.js'))});` +
      `try { await getFileSystem('file:///').listStatus(${JSON.stringify(`${dir}/locked`)}); console.log('no error'); } catch (e) { console.log(e.constructor.name, e.path); }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`PermissionDeniedError ${dir}/locked`);
  });
});

describe('CheckpointStorage on file://', () => {
  it('lays out chk-<n>/, shared/, taskowned/ and completes with an atomic _metadata', async () => {
    const s = new CheckpointStorage(`file://${dir}/checkpoints`, 'job1');
    await s.initialize();
    const out = await s.createStateOutput(7, 'state');
    out.write('abc');
    out.end('def');
    const h = await out.closeAndGetHandle();
    expect(h).toEqual({ path: `file://${dir}/checkpoints/job1/chk-7/state`, size: 6 });
    expect((await s.readState(h)).toString()).toBe('abcdef');
    expect(await s.listCompletedCheckpoints()).toEqual([]);
    await s.writeMetadata(7, 'meta');
    expect((await s.listCompletedCheckpoints()).map((c) => c.checkpointId)).toEqual([7]);
    expect((await fsp.readdir(`${dir}/checkpoints/job1/chk-7`)).sort()).toEqual(['_metadata', 'state']);
    expect((await fsp.readdir(`${dir}/checkpoints/job1`)).sort()).toEqual(['chk-7', 'shared', 'taskowned']);
    await expect(s.createStateOutput(7, '../escape')).rejects.toThrow(/invalid state file name/);
    await s.disposeCheckpoint(7);
    expect(await s.listCompletedCheckpoints()).toEqual([]);
  });
});
