// `file` scheme: local disk, with the same semantics as the hdfs scheme (typed errors, no-replace rename).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { CreateOptions, FileStatus, FileSystem } from './FileSystem.js';
import { FileAlreadyExistsError, FileNotFoundError, FileSystemError, PermissionDeniedError } from './errors.js';

/** file:///a/b, file:/a/b, /a/b or a relative path → absolute local path. */
export function toLocalPath(p: string): string {
  if (/^file:/i.test(p)) {
    // file:/x and file:///x are both common; fileURLToPath wants the latter.
    const u = p.replace(/^file:(?!\/\/)/i, 'file://');
    return fileURLToPath(u);
  }
  return path.resolve(p);
}

function mapError(e: unknown, p: string, what: string): Error {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const msg = `${what} ${p}: ${err?.message ?? String(e)}`;
  switch (code) {
    case 'ENOENT':
      return new FileNotFoundError(`${what}: no such file or directory: ${p}`, p, { cause: e, code });
    case 'EACCES':
    case 'EPERM':
      return new PermissionDeniedError(`${what}: permission denied: ${p} (check its owner and mode)`, p, { cause: e, code });
    case 'EEXIST':
      return new FileAlreadyExistsError(`${what}: already exists: ${p}`, p, { cause: e, code });
    default:
      return new FileSystemError(msg, p, { cause: e, code });
  }
}

function toStatus(p: string, st: fs.Stats): FileStatus {
  return {
    path: p,
    length: st.isDirectory() ? 0 : st.size,
    isDirectory: st.isDirectory(),
    modificationTime: Math.floor(st.mtimeMs),
    owner: String(st.uid),
    group: String(st.gid),
    permission: (st.mode & 0o7777).toString(8),
    replication: 1,
    blockSize: st.blksize,
  };
}

/** Writes to a file handle; `_final` fsyncs so 'finish' means durable. */
class LocalOutputStream extends Writable {
  /** `pos` set: positional writes from there (append); unset: the handle's own position. */
  constructor(private readonly fh: fsp.FileHandle, private readonly p: string, private pos?: number) {
    super({ highWaterMark: 1 << 20 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writeAll(chunk).then(() => cb(), (e: unknown) => cb(mapError(e, this.p, 'write')));
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this.writeAll(Buffer.concat(chunks.map((c) => c.chunk))).then(() => cb(), (e: unknown) => cb(mapError(e, this.p, 'write')));
  }
  private async writeAll(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.length - off, this.pos ?? null);
      off += bytesWritten;
      if (this.pos !== undefined) this.pos += bytesWritten;
    }
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.fh.datasync().then(() => this.fh.close()).then(() => cb(), (e: unknown) => cb(mapError(e, this.p, 'close')));
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // After _final the handle is closed already; closing twice only rejects, which we ignore.
    this.fh.close().catch(() => undefined).finally(() => cb(err));
  }
}

/**
 * Modes: new directories 777 and files 644 (or CreateOptions.permission), masked by the process
 * umask like any local program's; fs.permissions.umask-mode is for Hadoop file systems only.
 */
export class LocalFileSystem implements FileSystem {
  readonly scheme = 'file' as const;

  async open(p: string, opts?: { offset?: number; length?: number }): Promise<NodeJS.ReadableStream & Readable> {
    const lp = toLocalPath(p);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(lp, 'r');
      const st = await fh.stat();
      if (st.isDirectory()) {
        await fh.close();
        throw new FileSystemError(`open: ${lp} is a directory`, lp, { code: 'EISDIR' });
      }
    } catch (e) {
      throw e instanceof FileSystemError ? e : mapError(e, lp, 'open');
    }
    const start = opts?.offset ?? 0;
    const end = opts?.length !== undefined ? start + opts.length - 1 : undefined;
    if (end !== undefined && end < start) {
      await fh.close();
      return Readable.from([]);
    }
    return fh.createReadStream({ start, end, highWaterMark: 1 << 20, autoClose: true });
  }

  async create(p: string, opts?: CreateOptions): Promise<Writable> {
    const lp = toLocalPath(p);
    try {
      await fsp.mkdir(path.dirname(lp), { recursive: true });
      const mode = opts?.permission ? parseInt(opts.permission, 8) : 0o644;
      const fh = await fsp.open(lp, opts?.overwrite ? 'w' : 'wx', mode);
      return new LocalOutputStream(fh, lp);
    } catch (e) {
      throw mapError(e, lp, 'create');
    }
  }

  async append(p: string): Promise<Writable> {
    const lp = toLocalPath(p);
    try {
      const fh = await fsp.open(lp, 'r+');
      const st = await fh.stat();
      // Not 'a': that would create a missing file, and Hadoop's append requires it to exist.
      return new LocalOutputStream(fh, lp, st.size);
    } catch (e) {
      throw mapError(e, lp, 'append');
    }
  }

  async readFile(p: string): Promise<Buffer> {
    const lp = toLocalPath(p);
    try {
      return await fsp.readFile(lp);
    } catch (e) {
      throw mapError(e, lp, 'read');
    }
  }

  async writeFile(p: string, data: Uint8Array | string, opts?: CreateOptions): Promise<void> {
    const w = await this.create(p, opts);
    w.end(typeof data === 'string' ? Buffer.from(data) : data);
    await finished(w);
  }

  async mkdirs(p: string): Promise<void> {
    const lp = toLocalPath(p);
    try {
      await fsp.mkdir(lp, { recursive: true });
    } catch (e) {
      throw mapError(e, lp, 'mkdirs');
    }
  }

  async rename(src: string, dst: string): Promise<void> {
    const ls = toLocalPath(src);
    const ld = toLocalPath(dst);
    let st: fs.Stats;
    try {
      st = await fsp.lstat(ls);
    } catch (e) {
      throw mapError(e, ls, 'rename: source');
    }
    try {
      await fsp.access(path.dirname(ld));
    } catch (e) {
      throw mapError(e, path.dirname(ld), 'rename: destination parent');
    }
    if (!st.isDirectory()) {
      // link() fails with EEXIST atomically, so an existing dst is never replaced.
      try {
        await fsp.link(ls, ld);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new FileAlreadyExistsError(`rename ${ls} → ${ld}: destination already exists`, ld, { cause: e, code });
        if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw mapError(e, ld, 'rename');
        return this.renameChecked(ls, ld);
      }
      try {
        await fsp.unlink(ls);
      } catch (e) {
        throw mapError(e, ls, 'rename: remove source');
      }
      return;
    }
    return this.renameChecked(ls, ld);
  }

  private async renameChecked(ls: string, ld: string): Promise<void> {
    if (await this.exists(ld)) throw new FileAlreadyExistsError(`rename ${ls} → ${ld}: destination already exists`, ld);
    try {
      await fsp.rename(ls, ld);
    } catch (e) {
      throw mapError(e, ld, 'rename');
    }
  }

  async delete(p: string, recursive: boolean): Promise<boolean> {
    const lp = toLocalPath(p);
    let st: fs.Stats;
    try {
      st = await fsp.lstat(lp);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw mapError(e, lp, 'delete');
    }
    try {
      if (st.isDirectory()) {
        if (recursive) await fsp.rm(lp, { recursive: true, force: true });
        else await fsp.rmdir(lp);
      } else {
        await fsp.unlink(lp);
      }
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw new FileSystemError(`delete: directory ${lp} is not empty; pass recursive=true to delete it with its contents`, lp, { cause: e, code });
      }
      throw mapError(e, lp, 'delete');
    }
  }

  async listStatus(p: string): Promise<FileStatus[]> {
    const lp = toLocalPath(p);
    const st = await this.getFileStatus(lp);
    if (!st.isDirectory) return [st];
    let names: string[];
    try {
      names = await fsp.readdir(lp);
    } catch (e) {
      throw mapError(e, lp, 'list');
    }
    const out: FileStatus[] = [];
    for (const n of names.sort()) {
      const cp = path.join(lp, n);
      try {
        out.push(toStatus(cp, await fsp.stat(cp)));
      } catch (e) {
        // Deleted between readdir and stat: it is simply not there any more.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw mapError(e, cp, 'list');
      }
    }
    return out;
  }

  async getFileStatus(p: string): Promise<FileStatus> {
    const lp = toLocalPath(p);
    try {
      return toStatus(lp, await fsp.stat(lp));
    } catch (e) {
      throw mapError(e, lp, 'getFileStatus');
    }
  }

  /** Like HDFS: only shortens (a longer length is an error, not zero padding); durable on return. */
  async truncate(p: string, length: number): Promise<void> {
    const lp = toLocalPath(p);
    if (!Number.isSafeInteger(length) || length < 0) throw new FileSystemError(`truncate ${lp}: invalid length ${length}`, lp);
    let fh: fsp.FileHandle | undefined;
    try {
      fh = await fsp.open(lp, 'r+');
      const st = await fh.stat();
      if (length > st.size) throw new FileSystemError(`truncate ${lp}: cannot truncate to ${length} bytes, the file has only ${st.size}`, lp);
      if (length < st.size) {
        await fh.truncate(length);
        await fh.datasync();
      }
    } catch (e) {
      throw e instanceof FileSystemError ? e : mapError(e, lp, 'truncate');
    } finally {
      await fh?.close().catch(() => undefined);
    }
  }

  async exists(p: string): Promise<boolean> {
    try {
      await fsp.stat(toLocalPath(p));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
      throw mapError(e, toLocalPath(p), 'exists');
    }
  }
}
