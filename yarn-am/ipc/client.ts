import { ConnectionClosedError } from './errors.js';
import { IpcConnection, type IpcAuth, type IpcConnectionOptions } from './connection.js';
import { pbDecode, type PbObject } from './protos.js';
import type { HadoopToken } from './credentials.js';

export interface RpcEndpoint {
  host: string;
  port: number;
  /** Where the address came from, for error messages. */
  source?: string;
}

export interface RpcProxyOptions {
  endpoint: RpcEndpoint;
  /** Protocol name, e.g. `org.apache.hadoop.yarn.api.ApplicationMasterProtocolPB`. */
  protocol: string;
  auth: IpcAuth;
  /** Default per-call timeout (0 = none). Hadoop's default ipc.client.rpc-timeout.ms is 0 too. */
  callTimeoutMs?: number;
  connectAttempts?: number;
  connectRetryDelayMs?: number;
  connectTimeoutMs?: number;
  pingIntervalMs?: number;
}

export interface CallOptions {
  timeoutMs?: number;
  /** Safe to resend if the connection broke before the reply (reads, and allocate thanks to response_id). */
  idempotent?: boolean;
}

function authKey(auth: IpcAuth): string {
  if (auth.method === 'SIMPLE') return `simple:${auth.user}`;
  return `token:${auth.token.kind}:${Buffer.from(auth.token.identifier).toString('base64')}`;
}

function connectionKey(opts: IpcConnectionOptions): string {
  return `${opts.host}:${opts.port}|${opts.protocol}|${authKey(opts.auth)}`;
}

/**
 * Shares connections per (address, protocol, user/token), like Hadoop's ipc.Client
 * ConnectionId. Connections are opened lazily and reopened after they break.
 */
export class IpcClient {
  private readonly conns = new Map<string, Promise<IpcConnection>>();

  /** Returns an open connection, (re)connecting when needed. */
  async connection(opts: IpcConnectionOptions): Promise<IpcConnection> {
    const key = connectionKey(opts);
    const existing = this.conns.get(key);
    if (existing) {
      try {
        const c = await existing;
        if (c.isOpen) return c;
      } catch {
        // failed earlier connect: try again below
      }
      if (this.conns.get(key) === existing) this.conns.delete(key);
      else return this.connection(opts); // someone else already reconnecting
    }
    const p = IpcConnection.open(opts);
    this.conns.set(key, p);
    p.catch(() => {
      if (this.conns.get(key) === p) this.conns.delete(key);
    });
    return p;
  }

  /** Stops sharing the connection for these options; it closes once its in-flight calls are answered. */
  retire(opts: IpcConnectionOptions): void {
    const key = connectionKey(opts);
    const p = this.conns.get(key);
    if (!p) return;
    this.conns.delete(key);
    p.then((c) => c.closeWhenIdle(), () => undefined);
  }

  /** Closes every connection (pending calls fail with ConnectionClosedError). */
  close(): void {
    for (const p of this.conns.values()) p.then((c) => c.close(), () => undefined);
    this.conns.clear();
  }
}

/** Process-wide default pool. */
export const defaultIpcClient = new IpcClient();

/**
 * A typed-enough RPC stub for one protocol at one address. `auth` can be swapped
 * (AMRMToken roll-over); the next connection uses the new token.
 */
export class RpcProxy {
  private auth: IpcAuth;
  constructor(
    private readonly opts: RpcProxyOptions,
    private readonly pool: IpcClient = new IpcClient(),
  ) {
    this.auth = opts.auth;
  }

  get endpoint(): RpcEndpoint {
    return this.opts.endpoint;
  }

  /** Replaces the token used for connections opened from now on. */
  setToken(token: HadoopToken): void {
    const old = this.connectionOptions();
    this.auth = { method: 'TOKEN', token };
    // The old connection stays authenticated, but Hadoop clients switch to the new token; close it when idle.
    if (authKey(old.auth) !== authKey(this.auth)) this.pool.retire(old);
  }

  get currentAuth(): IpcAuth {
    return this.auth;
  }

  /** Calls `method` with a request of `requestType`, decoding the reply as `responseType`. */
  async call(method: string, requestType: string, request: PbObject, responseType: string, options: CallOptions = {}): Promise<PbObject> {
    const timeout = options.timeoutMs ?? this.opts.callTimeoutMs ?? 0;
    for (let attempt = 0; ; attempt++) {
      const conn = await this.pool.connection(this.connectionOptions());
      try {
        const body = await conn.call(method, requestType, request, timeout);
        return pbDecode(responseType, body);
      } catch (e) {
        // A connection that died under us (e.g. server restarted, idle close) is retried once for idempotent calls.
        if (e instanceof ConnectionClosedError && options.idempotent && attempt === 0) continue;
        throw e;
      }
    }
  }

  /** Closes all connections of the pool this proxy uses (pending calls fail). */
  close(): void {
    this.pool.close();
  }

  /** Lets this proxy's shared connection go: it closes once idle; other proxies in the pool are unaffected. */
  retire(): void {
    this.pool.retire(this.connectionOptions());
  }

  private connectionOptions(): IpcConnectionOptions {
    const o: IpcConnectionOptions = {
      host: this.opts.endpoint.host,
      port: this.opts.endpoint.port,
      protocol: this.opts.protocol,
      auth: this.auth,
    };
    if (this.opts.endpoint.source !== undefined) o.addressSource = this.opts.endpoint.source;
    if (this.opts.connectAttempts !== undefined) o.connectAttempts = this.opts.connectAttempts;
    if (this.opts.connectRetryDelayMs !== undefined) o.connectRetryDelayMs = this.opts.connectRetryDelayMs;
    if (this.opts.connectTimeoutMs !== undefined) o.connectTimeoutMs = this.opts.connectTimeoutMs;
    if (this.opts.pingIntervalMs !== undefined) o.pingIntervalMs = this.opts.pingIntervalMs;
    return o;
  }
}
