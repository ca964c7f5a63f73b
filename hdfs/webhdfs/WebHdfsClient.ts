// The HTTP side of WebHDFS: NameNode calls with retries and backoff, the NameNode → DataNode
// redirect of data ops, and the DataNode connections themselves. Metadata calls go through axios;
// data legs use node:http directly so bytes stream both ways with backpressure and never sit in
// memory as a whole file.
import axios, { type AxiosInstance } from 'axios';
import http from 'node:http';
import https from 'node:https';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileSystemError, NameNodeUnreachableError } from '../errors.js';
import { KEY_RETRY_MAX_ATTEMPTS, KEY_WEBHDFS_ADDRESS, type WebHdfsEndpoint } from '../HadoopConfiguration.js';
import { errCode, isNetworkError, isRetriableResponse, remoteError } from './errors.js';
import { WebHdfsOutputStream } from './WebHdfsOutputStream.js';

export interface RetryPolicy {
  /** Total attempts per request (first try included). */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface WebHdfsClientOptions {
  endpoint: WebHdfsEndpoint;
  user: string;
  retry?: Partial<RetryPolicy>;
  /** Timeout of one metadata request, and idle timeout of data connections. */
  requestTimeoutMs?: number;
}

/** WebHDFS query parameters; undefined ones are left out. */
export type QueryParams = Record<string, string | number | boolean | undefined>;

function encodePath(p: string): string {
  return p.split('/').map((s) => encodeURIComponent(s)).join('/');
}

export class WebHdfsClient {
  readonly endpoint: WebHdfsEndpoint;
  readonly user: string;
  readonly retry: RetryPolicy;
  readonly requestTimeoutMs: number;
  private readonly nn: AxiosInstance;
  private readonly readAgent: http.Agent;
  private readonly lib: typeof http | typeof https;

  constructor(opts: WebHdfsClientOptions) {
    this.endpoint = { ...opts.endpoint, baseUrl: opts.endpoint.baseUrl.replace(/\/+$/, '') };
    this.user = opts.user;
    this.retry = {
      maxAttempts: Math.max(1, opts.retry?.maxAttempts ?? 6),
      initialBackoffMs: opts.retry?.initialBackoffMs ?? 200,
      maxBackoffMs: opts.retry?.maxBackoffMs ?? 5000,
    };
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
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

  /** Jittered exponential backoff before retry `attempt + 1`. */
  backoff(attempt: number): number {
    const base = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * 2 ** (attempt - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private url(op: string, p: string, params: QueryParams): string {
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
  async call<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', op: string, p: string, params: QueryParams = {}): Promise<T> {
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
  private async locate(method: 'GET' | 'PUT' | 'POST', op: string, p: string, params: QueryParams): Promise<string> {
    const body = await this.call<{ Location?: string }>(method, op, p, { ...params, noredirect: true });
    if (!body?.Location) throw new FileSystemError(`WebHDFS ${op} ${p}: NameNode answered without a DataNode location`, p);
    return body.Location;
  }

  /** Opens a DataNode read at `offset`; retries through the NameNode if the DataNode fails. */
  async openAt(p: string, offset: number, end: number | undefined): Promise<http.IncomingMessage> {
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

  /**
   * Step 2 of a write: connect to the DataNode and send headers; retries the pair on connection errors.
   * `ready` (e.g. parent directories being made) must settle before the DataNode is contacted.
   */
  async upload(method: 'PUT' | 'POST', op: string, p: string, params: QueryParams, ready?: Promise<unknown>): Promise<Writable> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      const location = await this.locate(method, op, p, params);
      await ready;
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

  /** Closes idle keep-alive connections (lets a short-lived process exit promptly). */
  close(): void {
    this.readAgent.destroy();
    const a = this.nn.defaults.httpAgent as http.Agent | undefined;
    a?.destroy();
    (this.nn.defaults.httpsAgent as https.Agent | undefined)?.destroy();
  }
}

export async function readAll(r: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}
