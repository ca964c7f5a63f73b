// `hdfs` and `webhdfs` schemes over WebHDFS (REST on the NameNode's HTTP port; data ops redirect to DataNodes).
// Metadata calls go through axios; data legs use node:http directly so bytes stream both ways
// with backpressure and never sit in memory as a whole file. Not the `webhdfs` npm package: its
// 1.2.0 is built on `request` ^2.74 (deprecated and unmaintained since 2020) and offers neither
// typed errors nor retries, so every path would have needed axios anyway.
import axios, { type AxiosInstance } from 'axios';
import http from 'node:http';
import https from 'node:https';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { CreateOptions, FileStatus, FileSystem } from './FileSystem.js';
import {
  FileAlreadyExistsError,
  FileNotFoundError,
  FileSystemError,
  NameNodeUnreachableError,
  PermissionDeniedError,
} from './errors.js';
import {
  KEY_REQUEST_TIMEOUT,
  KEY_RETRY_INITIAL_BACKOFF,
  KEY_RETRY_MAX_ATTEMPTS,
  KEY_RETRY_MAX_BACKOFF,
  KEY_WEBHDFS_ADDRESS,
  confNumber,
  parseHdfsUri,
  resolveHdfsUser,
  resolveWebHdfsEndpoint,
  resolveWebHdfsUriEndpoint,
  type WebHdfsEndpoint,
} from './HadoopConfiguration.js';

export interface RetryPolicy {
  /** Total attempts per request (first try included). */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface WebHdfsOptions {
  endpoint: WebHdfsEndpoint;
  /** URI scheme of the paths it serves: hdfs://<rpc authority>/… (default) or webhdfs://<http authority>/…. */
  scheme?: 'hdfs' | 'webhdfs';
  user: string;
  retry?: Partial<RetryPolicy>;
  /** Timeout of one metadata request, and idle timeout of data connections. */
  requestTimeoutMs?: number;
}

interface RemoteExceptionBody {
  RemoteException?: { exception?: string; javaClassName?: string; message?: string };
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

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'ENOTFOUND', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
]);

// Deterministic answers: retrying cannot change them.
const NON_RETRIABLE = new Set([
  'FileNotFoundException', 'AccessControlException', 'FileAlreadyExistsException', 'ParentNotDirectoryException',
  'PathIsNotEmptyDirectoryException', 'IllegalArgumentException', 'UnsupportedOperationException',
  'HadoopIllegalArgumentException', 'InvalidPathException', 'SecurityException', 'AuthorizationException',
  'AlreadyBeingCreatedException', 'QuotaExceededException', 'NSQuotaExceededException', 'DSQuotaExceededException',
  'UnresolvedPathException', 'SnapshotAccessControlException', 'PathComponentTooLongException',
  'InvalidRequestException',
]);
// Transient: NameNode restarting or in safe mode, or a DataNode's own NameNode connection dropped.
const RETRIABLE = new Set([
  'RetriableException', 'SafeModeException', 'StandbyException', 'ConnectException', 'SocketTimeoutException',
  'ObserverRetryOnActiveException', 'EOFException', 'SocketException', 'NoRouteToHostException',
  'ConnectTimeoutException', 'ClosedChannelException', 'RetryException', 'NotReplicatedYetException',
]);
// For data ops (choosing/using DataNodes) a bare IOException is usually transient, e.g. "No active and
// not excluded nodes contain this block" after a NameNode restart or "All datanodes are bad". For
// namespace ops (rename, mkdirs, …) it is a deterministic answer and is not retried.
const DATA_OPS = new Set(['OPEN', 'CREATE', 'APPEND']);

function errCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' ? c : undefined;
}

function isNetworkError(e: unknown): boolean {
  const code = errCode(e) ?? errCode((e as { cause?: unknown })?.cause);
  if (code && NETWORK_CODES.has(code)) return true;
  const msg = String((e as { message?: unknown })?.message ?? '');
  return /socket hang up|aborted|ECONNRESET|ECONNREFUSED/.test(msg);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Typed error from a WebHDFS error response. */
function remoteError(status: number, body: unknown, path: string, what: string): FileSystemError {
  let parsed: RemoteExceptionBody | undefined;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as RemoteExceptionBody;
    } catch {
      parsed = undefined;
    }
  } else if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    parsed = body as RemoteExceptionBody;
  }
  const re = parsed?.RemoteException;
  const exception = re?.exception ?? (status === 404 ? 'FileNotFoundException' : `HTTP ${status}`);
  const message = re?.message ?? (typeof body === 'string' ? body.slice(0, 300) : `HTTP ${status}`);
  const text = `${what} ${path}: ${message}`;
  switch (exception) {
    case 'FileNotFoundException':
      return new FileNotFoundError(text, path, { code: exception });
    case 'AccessControlException':
    case 'SecurityException':
    case 'AuthorizationException':
      return new PermissionDeniedError(text, path, { code: exception });
    case 'FileAlreadyExistsException':
    case 'AlreadyBeingCreatedException':
      return new FileAlreadyExistsError(text, path, { code: exception });
    default:
      return new FileSystemError(text, path, { code: exception });
  }
}

function isRetriableResponse(status: number, err: FileSystemError, op: string): boolean {
  const name = err.code ?? '';
  if (RETRIABLE.has(name)) return true;
  if (name === 'IOException' && DATA_OPS.has(op)) return true;
  if (NON_RETRIABLE.has(name)) return false;
  return status >= 500;
}

function encodePath(p: string): string {
  return p.split('/').map((s) => encodeURIComponent(s)).join('/');
}

/** Collapses duplicate slashes and drops a trailing one (except for "/"). */
function normalize(p: string): string {
  const n = p.replace(/\/{2,}/g, '/');
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Writable over one chunked HTTP upload to a DataNode; 'finish' waits for the DataNode's 200/201. */
class WebHdfsOutputStream extends Writable {
  private response: Promise<void>;
  private failure: Error | undefined;

  constructor(private readonly req: http.ClientRequest, private readonly p: string, private readonly what: string) {
    super({ highWaterMark: 1 << 20 });
    this.response = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(this.netError(e)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(remoteError(status, Buffer.concat(chunks).toString('utf8'), this.p, this.what));
        });
      });
      req.on('error', (e) => {
        // The DataNode may answer with an error and then reset; give that answer a moment to arrive.
        setTimeout(() => reject(this.netError(e)), 50);
      });
    });
    // An early answer (e.g. permission denied) fails the stream right away instead of at end().
    this.response.then(
      () => undefined,
      (e: Error) => {
        this.failure = e;
        if (!this.writableFinished) this.destroy(e);
      },
    );
  }

  private netError(e: unknown): FileSystemError {
    return new FileSystemError(`${this.what} ${this.p}: DataNode connection failed: ${(e as Error)?.message ?? String(e)}`, this.p, { cause: e, code: errCode(e) });
  }

  private send(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.failure) return cb(this.failure);
    if (this.req.write(chunk)) return cb();
    const onDrain = () => {
      this.req.off('close', onClose);
      cb();
    };
    const onClose = () => {
      this.req.off('drain', onDrain);
      cb(this.failure ?? new FileSystemError(`${this.what} ${this.p}: DataNode closed the connection`, this.p));
    };
    this.req.once('drain', onDrain);
    this.req.once('close', onClose);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.send(chunk, cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this.send(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.req.end();
    this.response.then(() => cb(), (e: Error) => cb(e));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.writableFinished) this.req.destroy();
    cb(err);
  }
}

export class WebHdfsFileSystem implements FileSystem {
  readonly scheme: 'hdfs' | 'webhdfs';
  readonly endpoint: WebHdfsEndpoint;
  readonly user: string;
  readonly retry: RetryPolicy;
  readonly requestTimeoutMs: number;
  /** Identifies equivalent instances (endpoint, user, settings). */
  readonly cacheKey: string;
  private readonly nn: AxiosInstance;
  private readonly readAgent: http.Agent;
  private readonly lib: typeof http | typeof https;

  constructor(opts: WebHdfsOptions) {
    this.scheme = opts.scheme ?? 'hdfs';
    this.endpoint = { ...opts.endpoint, baseUrl: opts.endpoint.baseUrl.replace(/\/+$/, '') };
    this.user = opts.user;
    this.retry = {
      maxAttempts: Math.max(1, opts.retry?.maxAttempts ?? 6),
      initialBackoffMs: opts.retry?.initialBackoffMs ?? 200,
      maxBackoffMs: opts.retry?.maxBackoffMs ?? 5000,
    };
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
    this.cacheKey = JSON.stringify([this.scheme, this.endpoint.baseUrl, this.endpoint.authority, this.user, this.retry, this.requestTimeoutMs]);
    const isHttps = this.endpoint.baseUrl.startsWith('https:');
    this.lib = isHttps ? https : http;
    const agentOpts = { keepAlive: true, maxSockets: 64, keepAliveMsecs: 10_000 };
    this.readAgent = isHttps ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
    this.nn = axios.create({
      baseURL: this.endpoint.baseUrl,
      timeout: this.requestTimeoutMs,
      maxRedirects: 0,
      validateStatus: () => true,
      proxy: false,
      httpAgent: isHttps ? undefined : new http.Agent(agentOpts),
      httpsAgent: isHttps ? new https.Agent(agentOpts) : undefined,
      responseType: 'json',
    });
  }

  /** Client for an hdfs:// or webhdfs:// URI, configured from HADOOP_CONF_DIR and tsflink's fs.hdfs.* keys. */
  static forUri(uri: string, conf?: Record<string, unknown>): WebHdfsFileSystem {
    const scheme = /^webhdfs:/i.test(uri) ? 'webhdfs' : 'hdfs';
    return new WebHdfsFileSystem({
      scheme,
      endpoint: scheme === 'webhdfs' ? resolveWebHdfsUriEndpoint(uri, conf) : resolveWebHdfsEndpoint(uri, conf),
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

  private backoff(attempt: number): number {
    const base = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * 2 ** (attempt - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private url(op: string, p: string, params: Record<string, string | number | boolean | undefined>): string {
    const q = new URLSearchParams({ op, 'user.name': this.user });
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    return `/webhdfs/v1${encodePath(p)}?${q.toString()}`;
  }

  private unreachable(op: string, p: string, attempts: number, startedAt: number, cause: unknown): NameNodeUnreachableError {
    const code = errCode(cause) ?? errCode((cause as { cause?: unknown })?.cause) ?? (cause as Error)?.message;
    return new NameNodeUnreachableError(
      `NameNode unreachable: WebHDFS ${op} ${p} at ${this.endpoint.baseUrl} failed ${attempts} time(s) over ${((Date.now() - startedAt) / 1000).toFixed(1)} s (${code}). ` +
        `The address comes from ${this.endpoint.configKey} (${this.endpoint.configSource}); check that the NameNode is running and its HTTP port is reachable, ` +
        `or set ${KEY_WEBHDFS_ADDRESS} (e.g. http://namenode:9870). Retries: ${KEY_RETRY_MAX_ATTEMPTS}.`,
      p,
      this.endpoint.baseUrl,
      this.endpoint.configKey,
      { cause, code: errCode(cause) },
    );
  }

  /** One NameNode call with retries; resolves with the JSON body of a 2xx answer (or a 307's Location). */
  private async call<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', op: string, p: string, params: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    const startedAt = Date.now();
    let last: unknown;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      let res;
      try {
        res = await this.nn.request({ method, url: this.url(op, p, params) });
      } catch (e) {
        last = e;
        if (!isNetworkError(e)) throw new FileSystemError(`WebHDFS ${op} ${p}: ${(e as Error).message}`, p, { cause: e, code: errCode(e) });
        if (attempt < this.retry.maxAttempts) await sleep(this.backoff(attempt));
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res.data as T;
      if (res.status === 307 && typeof res.headers['location'] === 'string') return { Location: res.headers['location'] } as T;
      const err = remoteError(res.status, res.data, p, op);
      if (!isRetriableResponse(res.status, err, op) || attempt === this.retry.maxAttempts) throw err;
      last = err;
      await sleep(this.backoff(attempt));
    }
    if (last instanceof FileSystemError) throw last;
    throw this.unreachable(op, p, this.retry.maxAttempts, startedAt, last);
  }

  /** Step 1 of a data op: the NameNode names the DataNode URL (noredirect=true → JSON Location). */
  private async locate(method: 'GET' | 'PUT' | 'POST', op: string, p: string, params: Record<string, string | number | boolean | undefined>): Promise<string> {
    const body = await this.call<{ Location?: string }>(method, op, p, { ...params, noredirect: true });
    if (!body?.Location) throw new FileSystemError(`WebHDFS ${op} ${p}: NameNode answered without a DataNode location`, p);
    return body.Location;
  }

  /** Opens a DataNode read at `offset`; retries through the NameNode if the DataNode fails. */
  private async openAt(p: string, offset: number, end: number | undefined): Promise<http.IncomingMessage> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      const location = await this.locate('GET', 'OPEN', p, { offset, length: end === undefined ? undefined : end - offset });
      try {
        const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
          const req = this.lib.get(location, { agent: this.readAgent, timeout: this.requestTimeoutMs }, resolve);
          req.on('error', reject);
          req.on('timeout', () => req.destroy(Object.assign(new Error('DataNode read timed out'), { code: 'ETIMEDOUT' })));
        });
        const status = res.statusCode ?? 0;
        if (status === 200) return res;
        const body = await readAll(res);
        const err = remoteError(status, body.toString('utf8'), p, 'open');
        if (!isRetriableResponse(status, err, 'OPEN')) throw err;
        last = err;
      } catch (e) {
        if (e instanceof FileSystemError) throw e;
        if (!isNetworkError(e)) throw new FileSystemError(`open ${p}: ${(e as Error).message}`, p, { cause: e });
        last = e;
      }
      if (attempt < this.retry.maxAttempts) await sleep(this.backoff(attempt));
    }
    if (last instanceof FileSystemError) throw last;
    throw new FileSystemError(`open ${p}: no DataNode could serve offset ${offset} after ${this.retry.maxAttempts} attempts (${(last as Error)?.message}); are the DataNodes up?`, p, { cause: last, code: errCode(last) });
  }

  async open(path: string, opts?: { offset?: number; length?: number }): Promise<NodeJS.ReadableStream & Readable> {
    const p = this.toPath(path);
    let pos = opts?.offset ?? 0;
    const end = opts?.length !== undefined ? pos + opts.length : undefined;
    if (end !== undefined && end <= pos) {
      await this.getFileStatus(p); // still report a missing file
      return Readable.from([]);
    }
    const first = await this.openAt(p, pos, end);
    return new WebHdfsInputStream(first, pos, {
      maxAttempts: this.retry.maxAttempts,
      backoff: (n) => this.backoff(n),
      reopen: (at) => this.openAt(p, at, end),
      fail: (e, at) => (e instanceof FileSystemError ? e : new FileSystemError(`read ${p} at offset ${at}: ${(e as Error).message}`, p, { cause: e, code: errCode(e) })),
    });
  }

  /** Step 2 of a write: connect to the DataNode and send headers; retries the pair on connection errors. */
  private async upload(method: 'PUT' | 'POST', op: string, p: string, params: Record<string, string | number | boolean | undefined>): Promise<Writable> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      const location = await this.locate(method, op, p, params);
      try {
        const req = await new Promise<http.ClientRequest>((resolve, reject) => {
          // A fresh connection per upload: a stale keep-alive socket would fail after data was written.
          const r = this.lib.request(location, {
            method,
            agent: false,
            headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
          });
          r.once('error', reject);
          r.once('socket', (s) => {
            // No idle timeout (a sink may write slowly for minutes); TCP keep-alive detects a dead DataNode host.
            s.setKeepAlive(true, 30_000);
            if (!s.connecting) return resolve(r);
            s.once('connect', () => {
              r.off('error', reject);
              resolve(r);
            });
          });
          r.flushHeaders();
        });
        return new WebHdfsOutputStream(req, p, op.toLowerCase());
      } catch (e) {
        if (!isNetworkError(e)) throw new FileSystemError(`${op.toLowerCase()} ${p}: ${(e as Error).message}`, p, { cause: e });
        last = e;
      }
      if (attempt < this.retry.maxAttempts) await sleep(this.backoff(attempt));
    }
    throw new FileSystemError(`${op.toLowerCase()} ${p}: could not connect to a DataNode after ${this.retry.maxAttempts} attempts (${(last as Error)?.message}); are the DataNodes up?`, p, { cause: last, code: errCode(last) });
  }

  async create(path: string, opts?: CreateOptions): Promise<Writable> {
    return this.createStream(path, opts, true);
  }

  private async createStream(path: string, opts: CreateOptions | undefined, precheck: boolean): Promise<Writable> {
    const p = this.toPath(path);
    const overwrite = opts?.overwrite ?? false;
    // The NameNode only redirects; the DataNode would report "exists" only once data flows. Fail fast.
    if (precheck && !overwrite && (await this.exists(p))) {
      throw new FileAlreadyExistsError(`create ${this.qualify(p)}: already exists (pass { overwrite: true } to replace it)`, p);
    }
    return this.upload('PUT', 'CREATE', p, {
      overwrite,
      replication: opts?.replication,
      blocksize: opts?.blockSize,
      permission: opts?.permission,
    });
  }

  async append(path: string): Promise<Writable> {
    const p = this.toPath(path);
    return this.upload('POST', 'APPEND', p, {});
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
        await sleep(this.backoff(attempt));
      }
    }
  }

  async mkdirs(path: string): Promise<void> {
    const p = this.toPath(path);
    const r = await this.call<{ boolean?: boolean }>('PUT', 'MKDIRS', p);
    if (r?.boolean !== true) throw new FileSystemError(`mkdirs ${this.qualify(p)}: the NameNode refused (a file in the way?)`, p);
  }

  async rename(src: string, dst: string): Promise<void> {
    const s = this.toPath(src);
    const d = this.toPath(dst);
    // renameoptions=NONE selects rename2: atomic, never moves into an existing directory, typed errors.
    let r: { boolean?: boolean } | null;
    try {
      r = await this.call<{ boolean?: boolean } | null>('PUT', 'RENAME', s, { destination: d, renameoptions: 'NONE' });
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
      const r = await this.call<{ boolean?: boolean }>('DELETE', 'DELETE', p, { recursive });
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
    const r = await this.call<{ FileStatuses?: { FileStatus?: WebHdfsFileStatus[] } }>('GET', 'LISTSTATUS', p);
    return (r?.FileStatuses?.FileStatus ?? []).map((s) => this.toStatus(p, s));
  }

  async getFileStatus(path: string): Promise<FileStatus> {
    const p = this.toPath(path);
    const r = await this.call<{ FileStatus?: WebHdfsFileStatus }>('GET', 'GETFILESTATUS', p);
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

  /** Changes permission bits (octal string), e.g. for tests and staging dirs. */
  async setPermission(path: string, permission: string): Promise<void> {
    await this.call('PUT', 'SETPERMISSION', this.toPath(path), { permission });
  }

  /** Changes owner/group; only the HDFS superuser may do this. */
  async setOwner(path: string, owner?: string, group?: string): Promise<void> {
    await this.call('PUT', 'SETOWNER', this.toPath(path), { owner, group });
  }

  /** Closes idle keep-alive connections (lets a short-lived process exit promptly). */
  close(): void {
    this.readAgent.destroy();
    const a = this.nn.defaults.httpAgent as http.Agent | undefined;
    a?.destroy();
    (this.nn.defaults.httpsAgent as https.Agent | undefined)?.destroy();
  }
}

async function readAll(r: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

/**
 * A DataNode read as a Readable: chunks are pushed as they arrive (no per-chunk promises), the
 * response is paused while the reader is behind (backpressure), and a DataNode that dies
 * mid-stream is replaced by another replica from the current offset (through the NameNode).
 */
class WebHdfsInputStream extends Readable {
  private res: http.IncomingMessage | null = null;
  private failures = 0;

  constructor(
    first: http.IncomingMessage,
    private pos: number,
    private readonly opts: {
      maxAttempts: number;
      backoff: (attempt: number) => number;
      reopen: (offset: number) => Promise<http.IncomingMessage>;
      fail: (e: unknown, offset: number) => Error;
    },
  ) {
    super({ highWaterMark: 1 << 20 });
    this.attach(first);
  }

  private attach(res: http.IncomingMessage): void {
    this.res = res;
    res.on('data', (c: Buffer) => {
      this.pos += c.length;
      if (!this.push(c)) res.pause();
    });
    res.on('end', () => {
      if (this.res !== res) return;
      // A connection closed before the whole body arrived is a failure, not the end of the file.
      if (!res.complete) this.onFailure(res, Object.assign(new Error('DataNode connection closed mid-stream'), { code: 'ECONNRESET' }));
      else this.push(null);
    });
    res.on('error', (e) => this.onFailure(res, e));
  }

  private onFailure(res: http.IncomingMessage, e: unknown): void {
    if (this.res !== res || this.destroyed) return;
    this.res = null;
    res.destroy();
    if (!isNetworkError(e) || ++this.failures >= this.opts.maxAttempts) {
      this.destroy(this.opts.fail(e, this.pos));
      return;
    }
    // Resume at the current offset from another replica.
    void sleep(this.opts.backoff(this.failures))
      .then(() => this.opts.reopen(this.pos))
      .then(
        (next) => {
          if (this.destroyed) next.destroy();
          else this.attach(next);
        },
        (err: unknown) => this.destroy(this.opts.fail(err, this.pos)),
      );
  }

  override _read(): void {
    this.res?.resume();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    // An early close must release the DataNode connection.
    if (this.res !== null && !this.res.complete) this.res.destroy();
    this.res = null;
    cb(err);
  }
}
