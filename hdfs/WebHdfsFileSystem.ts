// `hdfs` and `webhdfs` schemes: the FileSystem operations over WebHDFS (REST on the NameNode's HTTP
// port; data ops redirect to DataNodes). HTTP, retries and streams live in ./webhdfs/. Not the
// `webhdfs` npm package: its 1.2.0 is built on `request` ^2.74 (deprecated and unmaintained since
// 2020) and offers neither typed errors nor retries, so every path would have needed axios anyway.
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CreateOptions, FileStatus, FileSystem } from './FileSystem.js';
import { FileAlreadyExistsError, FileNotFoundError, FileSystemError, NameNodeUnreachableError } from './errors.js';
import {
  KEY_REQUEST_TIMEOUT,
  KEY_RETRY_INITIAL_BACKOFF,
  KEY_RETRY_MAX_ATTEMPTS,
  KEY_RETRY_MAX_BACKOFF,
  HadoopConfiguration,
  confNumber,
  parseHdfsUri,
  resolveHdfsUser,
  resolveWebHdfsEndpoint,
  resolveWebHdfsUriEndpoint,
  type WebHdfsEndpoint,
} from './HadoopConfiguration.js';
import { RETRIABLE, errCode, isNetworkError } from './webhdfs/errors.js';
import { WebHdfsClient, readAll, type RetryPolicy, type WebHdfsClientOptions } from './webhdfs/WebHdfsClient.js';
import { WebHdfsInputStream } from './webhdfs/WebHdfsInputStream.js';
import { DEFAULT_UMASK, DIR_DEFAULT_MODE, FILE_DEFAULT_MODE, maskedMode, umaskOf } from './umask.js';

export type { RetryPolicy } from './webhdfs/WebHdfsClient.js';

export interface WebHdfsOptions extends WebHdfsClientOptions {
  /** URI scheme of the paths it serves: hdfs://<rpc authority>/… (default) or webhdfs://<http authority>/…. */
  scheme?: 'hdfs' | 'webhdfs';
  /** Applied to every MKDIRS and CREATE (fs.permissions.umask-mode; default 022 → dirs 755, files 644). */
  umask?: number;
}

interface WebHdfsFileStatus {
  accessTime?: number;
  blockSize?: number;
  group?: string;
  length: number;
  modificationTime: number;
  owner?: string;
  pathSuffix: string;
  permission?: string;
  replication?: number;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
}

/** Collapses duplicate slashes and drops a trailing one (except for "/"). */
function normalize(p: string): string {
  const n = p.replace(/\/{2,}/g, '/');
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export class WebHdfsFileSystem implements FileSystem {
  readonly scheme: 'hdfs' | 'webhdfs';
  readonly endpoint: WebHdfsEndpoint;
  readonly user: string;
  readonly retry: RetryPolicy;
  readonly requestTimeoutMs: number;
  readonly umask: number;
  /** Identifies equivalent instances (endpoint, user, settings). */
  readonly cacheKey: string;
  private readonly client: WebHdfsClient;

  constructor(opts: WebHdfsOptions) {
    this.scheme = opts.scheme ?? 'hdfs';
    this.client = new WebHdfsClient(opts);
    this.endpoint = this.client.endpoint;
    this.user = this.client.user;
    this.retry = this.client.retry;
    this.requestTimeoutMs = this.client.requestTimeoutMs;
    this.umask = opts.umask ?? DEFAULT_UMASK;
    this.cacheKey = JSON.stringify([this.scheme, this.endpoint.baseUrl, this.endpoint.authority, this.user, this.retry, this.requestTimeoutMs, this.umask]);
  }

  /** Client for an hdfs:// or webhdfs:// URI, configured from HADOOP_CONF_DIR and tsflink's fs.hdfs.* keys. */
  static forUri(uri: string, conf?: Record<string, unknown>): WebHdfsFileSystem {
    const scheme = /^webhdfs:/i.test(uri) ? 'webhdfs' : 'hdfs';
    const hc = HadoopConfiguration.fromConf(conf);
    return new WebHdfsFileSystem({
      scheme,
      endpoint: scheme === 'webhdfs' ? resolveWebHdfsUriEndpoint(uri, conf, hc) : resolveWebHdfsEndpoint(uri, conf, hc),
      umask: umaskOf(hc),
      user: resolveHdfsUser(conf),
      retry: {
        maxAttempts: confNumber(conf, KEY_RETRY_MAX_ATTEMPTS, 6),
        initialBackoffMs: confNumber(conf, KEY_RETRY_INITIAL_BACKOFF, 200),
        maxBackoffMs: confNumber(conf, KEY_RETRY_MAX_BACKOFF, 5000),
      },
      requestTimeoutMs: confNumber(conf, KEY_REQUEST_TIMEOUT, 60_000),
    });
  }

  /** hdfs://authority/p, hdfs:///p, /p → /p (webhdfs:// likewise); relative paths are under /user/<user> like Hadoop's. */
  toPath(p: string): string {
    if (p.slice(0, this.scheme.length + 1).toLowerCase() === `${this.scheme}:`) {
      const u = parseHdfsUri(p, this.scheme);
      if (!u) throw new FileSystemError(`malformed ${this.scheme} URI ${p}; expected ${this.scheme}://namenode:port/path or ${this.scheme}:///path`, p);
      if (u.authority && this.endpoint.authority && u.authority !== this.endpoint.authority) {
        throw new FileSystemError(
          `${p} belongs to NameNode ${u.authority}, but this file system talks to ${this.endpoint.authority}; get one with getFileSystem('${p}')`,
          p,
        );
      }
      return normalize(u.path);
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) throw new FileSystemError(`${p} is not a ${this.scheme}:// path`, p);
    return normalize(p.startsWith('/') ? p : `/user/${this.user}/${p}`);
  }

  qualify(p: string): string {
    return `${this.scheme}://${this.endpoint.authority}${p}`;
  }

  async open(path: string, opts?: { offset?: number; length?: number }): Promise<NodeJS.ReadableStream & Readable> {
    const p = this.toPath(path);
    let pos = opts?.offset ?? 0;
    const end = opts?.length !== undefined ? pos + opts.length : undefined;
    if (end !== undefined && end <= pos) {
      await this.getFileStatus(p); // still report a missing file
      return Readable.from([]);
    }
    const first = await this.client.openAt(p, pos, end);
    return new WebHdfsInputStream(first, pos, {
      maxAttempts: this.retry.maxAttempts,
      backoff: (n) => this.client.backoff(n),
      reopen: (at) => this.client.openAt(p, at, end),
      fail: (e, at) => (e instanceof FileSystemError ? e : new FileSystemError(`read ${p} at offset ${at}: ${(e as Error).message}`, p, { cause: e, code: errCode(e) })),
    });
  }

  async create(path: string, opts?: CreateOptions): Promise<Writable> {
    return this.createStream(path, opts, true);
  }

  private async createStream(path: string, opts: CreateOptions | undefined, precheck: boolean): Promise<Writable> {
    const p = this.toPath(path);
    const overwrite = opts?.overwrite ?? false;
    const permission = maskedMode(opts?.permission, this.umask, FILE_DEFAULT_MODE, p);
    // The DataNode would make missing parents 777, ignoring the umask: make them first, alongside
    // the NameNode's redirect (upload waits for this before the DataNode leg).
    const parent = p.lastIndexOf('/') > 0 ? this.mkdirs(p.slice(0, p.lastIndexOf('/'))) : Promise.resolve();
    parent.catch(() => undefined); // awaited in upload; this only covers throwing before that
    // The NameNode only redirects; the DataNode would report "exists" only once data flows. Fail fast.
    if (precheck && !overwrite && (await this.exists(p))) {
      throw new FileAlreadyExistsError(`create ${this.qualify(p)}: already exists (pass { overwrite: true } to replace it)`, p);
    }
    return this.client.upload('PUT', 'CREATE', p, {
      overwrite,
      replication: opts?.replication,
      blocksize: opts?.blockSize,
      permission,
    }, parent);
  }

  async append(path: string): Promise<Writable> {
    const p = this.toPath(path);
    return this.client.upload('POST', 'APPEND', p, {});
  }

  async readFile(path: string): Promise<Buffer> {
    return readAll(await this.open(path));
  }

  async writeFile(path: string, data: Uint8Array | string, opts?: CreateOptions): Promise<void> {
    // No pre-check: the whole payload is at hand, so the DataNode's own "already exists" answer
    // arrives before this resolves, and small-file writes save a NameNode round trip.
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let attempt = 1; ; attempt++) {
      try {
        const w = await this.createStream(path, opts, false);
        w.end(bytes);
        await finished(w);
        return;
      } catch (e) {
        // The payload is still here, so a transient DataNode-side failure (e.g. its NameNode
        // connection dropped) can be retried; a partial file left behind surfaces as "already exists".
        const transient = e instanceof FileSystemError && !(e instanceof NameNodeUnreachableError) && (RETRIABLE.has(e.code ?? '') || e.code === 'IOException' || isNetworkError(e.cause));
        if (!transient || attempt >= this.retry.maxAttempts) throw e;
        await sleep(this.client.backoff(attempt));
      }
    }
  }

  async mkdirs(path: string): Promise<void> {
    const p = this.toPath(path);
    const r = await this.client.call<{ boolean?: boolean }>('PUT', 'MKDIRS', p, { permission: maskedMode(undefined, this.umask, DIR_DEFAULT_MODE, p) });
    if (r?.boolean !== true) throw new FileSystemError(`mkdirs ${this.qualify(p)}: the NameNode refused (a file in the way?)`, p);
  }

  async rename(src: string, dst: string): Promise<void> {
    const s = this.toPath(src);
    const d = this.toPath(dst);
    // renameoptions=NONE selects rename2: atomic, never moves into an existing directory, typed errors.
    let r: { boolean?: boolean } | null;
    try {
      r = await this.client.call<{ boolean?: boolean } | null>('PUT', 'RENAME', s, { destination: d, renameoptions: 'NONE' });
    } catch (e) {
      // e.g. file onto an existing directory: HDFS says "must both be directories"; the cause is the same.
      if (e instanceof FileSystemError && !(e instanceof FileNotFoundError) && e.constructor === FileSystemError && (await this.exists(d))) {
        throw new FileAlreadyExistsError(`rename ${this.qualify(s)} → ${this.qualify(d)}: destination already exists (${e.message})`, d, { cause: e, code: e.code });
      }
      throw e;
    }
    if (r && r.boolean === false) {
      if (!(await this.exists(s))) throw new FileNotFoundError(`rename ${this.qualify(s)}: source does not exist`, s);
      if (await this.exists(d)) throw new FileAlreadyExistsError(`rename ${this.qualify(s)} → ${this.qualify(d)}: destination already exists`, d);
      throw new FileSystemError(`rename ${this.qualify(s)} → ${this.qualify(d)} failed (does the destination's parent exist?)`, s);
    }
  }

  async delete(path: string, recursive: boolean): Promise<boolean> {
    const p = this.toPath(path);
    try {
      const r = await this.client.call<{ boolean?: boolean }>('DELETE', 'DELETE', p, { recursive });
      return r?.boolean === true;
    } catch (e) {
      if (e instanceof FileSystemError && e.code === 'PathIsNotEmptyDirectoryException') {
        throw new FileSystemError(`delete ${this.qualify(p)}: directory is not empty; pass recursive=true to delete it with its contents`, p, { cause: e, code: e.code });
      }
      throw e;
    }
  }

  private toStatus(parent: string, s: WebHdfsFileStatus): FileStatus {
    const p = s.pathSuffix ? (parent === '/' ? `/${s.pathSuffix}` : `${parent}/${s.pathSuffix}`) : parent;
    return {
      path: this.qualify(p),
      length: s.length,
      isDirectory: s.type === 'DIRECTORY',
      modificationTime: s.modificationTime,
      owner: s.owner,
      group: s.group,
      permission: s.permission,
      replication: s.replication,
      blockSize: s.blockSize,
    };
  }

  async listStatus(path: string): Promise<FileStatus[]> {
    const p = this.toPath(path);
    const r = await this.client.call<{ FileStatuses?: { FileStatus?: WebHdfsFileStatus[] } }>('GET', 'LISTSTATUS', p);
    return (r?.FileStatuses?.FileStatus ?? []).map((s) => this.toStatus(p, s));
  }

  async getFileStatus(path: string): Promise<FileStatus> {
    const p = this.toPath(path);
    const r = await this.client.call<{ FileStatus?: WebHdfsFileStatus }>('GET', 'GETFILESTATUS', p);
    if (!r?.FileStatus) throw new FileSystemError(`getFileStatus ${this.qualify(p)}: malformed NameNode answer`, p);
    return this.toStatus(p, r.FileStatus);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.getFileStatus(path);
      return true;
    } catch (e) {
      if (e instanceof FileNotFoundError) return false;
      throw e;
    }
  }

  /**
   * WebHDFS TRUNCATE. When the new length is not on a block boundary HDFS answers false and recovers
   * the last block in the background; the file stays under construction until then. WebHDFS has no
   * isFileClosed (Flink's HadoopRecoverableFsDataOutputStream polls that over RPC), so an empty
   * append probes until the NameNode lets a writer in again.
   */
  async truncate(path: string, length: number): Promise<void> {
    const p = this.toPath(path);
    if (!Number.isSafeInteger(length) || length < 0) throw new FileSystemError(`truncate ${this.qualify(p)}: invalid length ${length}`, p);
    const r = await this.client.call<{ boolean?: boolean }>('POST', 'TRUNCATE', p, { newlength: length });
    if (r?.boolean === true) return;
    const deadline = Date.now() + this.requestTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const w = await this.append(p);
        w.end();
        await finished(w);
        return;
      } catch (e) {
        const recovering = e instanceof FileSystemError && (e.code === 'RecoveryInProgressException' || e.code === 'AlreadyBeingCreatedException');
        if (!recovering || Date.now() >= deadline) {
          if (!recovering) throw e;
          throw new FileSystemError(`truncate ${this.qualify(p)}: the last block was still being recovered after ${this.requestTimeoutMs} ms`, p, { cause: e, code: e.code });
        }
        await sleep(this.client.backoff(Math.min(attempt, 4)));
      }
    }
  }

  /** Changes permission bits (octal string), e.g. for tests and staging dirs. */
  async setPermission(path: string, permission: string): Promise<void> {
    await this.client.call('PUT', 'SETPERMISSION', this.toPath(path), { permission });
  }

  /** Changes owner/group; only the HDFS superuser may do this. */
  async setOwner(path: string, owner?: string, group?: string): Promise<void> {
    await this.client.call('PUT', 'SETOWNER', this.toPath(path), { owner, group });
  }

  /** Closes idle keep-alive connections (lets a short-lived process exit promptly). */
  close(): void {
    this.client.close();
  }
}
