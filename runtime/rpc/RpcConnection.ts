import { EventEmitter } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as connectTls } from 'node:tls';
import { Unpackr, type Packr as MsgPackr } from 'msgpackr';
// -0-preserving: RPC messages carry user values too (collect sink batches, operator events, accumulators).
import { Packr } from '../network/Packr.js';
import { serverHandshake, clientHandshake, AuthenticationError } from '../security/ClusterSecret.js';
import { type InternalTlsOptions, tlsErrorCode } from '../security/InternalTlsContext.js';

/**
 * The control plane between JobManager and TaskManagers (Flink's RPC): request/response and
 * one-way messages over one persistent, authenticated TCP connection, msgpack frames
 * `[u32 length][msgpack]`. Either side can call the other; calls time out.
 */
type Frame =
  | { t: 'req'; id: number; m: string; a: unknown[] }
  | { t: 'res'; id: number; v: unknown }
  | { t: 'err'; id: number; e: { name: string; message: string; stack?: string } }
  | { t: 'msg'; m: string; a: unknown[] };

export type RpcHandler = (method: string, args: unknown[], conn: RpcConnection) => unknown;

export class RpcTimeoutException extends Error {
  constructor(method: string, peer: string, ms: number) {
    super(`RPC ${method} to ${peer} timed out after ${ms} ms`);
    this.name = 'RpcTimeoutException';
  }
}
export class RpcConnectionClosedException extends Error {
  constructor(peer: string, why: string) { super(`RPC connection to ${peer} closed: ${why}`); this.name = 'RpcConnectionClosedException'; }
}
/** An exception the remote handler threw, with its name, message and stack. */
export class RemoteRpcException extends Error {
  constructor(readonly remoteName: string, message: string, readonly remoteStack?: string) { super(message); this.name = remoteName; }
}

// Records in sequential mode keep plain objects distinct from Maps; structure definitions travel
// inline, in order, so each connection has its own encoder/decoder pair.
const newPackr = (): MsgPackr => new Packr({ useRecords: true, sequential: true, moreTypes: true });
const newUnpackr = (): Unpackr => new Unpackr({ useRecords: true, sequential: true, moreTypes: true, int64AsType: 'bigint' } as ConstructorParameters<typeof Unpackr>[0]);

export class RpcConnection extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; method: string }>();
  private buf: Buffer = Buffer.alloc(0);
  private readonly packr = newPackr();
  private readonly unpackr = newUnpackr();
  private closed = false;
  readonly peer: string;
  /** This side's address of the connection (what a peer on the other host reaches us at). */
  readonly localAddress: string;
  /** Free-form identity the owner attaches (e.g. the TaskManager id). */
  identity: string | undefined;

  constructor(private readonly sock: Socket, private readonly handler: RpcHandler, private readonly defaultTimeoutMs: number) {
    super();
    this.peer = `${sock.remoteAddress}:${sock.remotePort}`;
    this.localAddress = sock.localAddress ?? '127.0.0.1';
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => this.shutdown(e.message));
    sock.on('close', () => this.shutdown('socket closed'));
    sock.resume();
  }

  get isClosed(): boolean { return this.closed; }

  call<T = unknown>(method: string, args: unknown[] = [], timeoutMs = this.defaultTimeoutMs): Promise<T> {
    if (this.closed) return Promise.reject(new RpcConnectionClosedException(this.peer, 'already closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new RpcTimeoutException(method, this.peer, timeoutMs)); }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
      this.send({ t: 'req', id, m: method, a: args });
    });
  }

  tell(method: string, args: unknown[] = []): void {
    if (!this.closed) this.send({ t: 'msg', m: method, a: args });
  }

  private send(f: Frame): void {
    const body = this.packr.pack(f);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(body.length);
    this.sock.write(Buffer.concat([head, body]));
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (this.buf.length < 4 + len) break;
      const body = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      let f: Frame;
      try { f = this.unpackr.unpack(body) as Frame; } catch (e) { this.close(`undecodable frame: ${(e as Error).message}`); return; }
      this.dispatch(f);
    }
  }

  private dispatch(f: Frame): void {
    switch (f.t) {
      case 'res': case 'err': {
        const p = this.pending.get(f.id);
        if (!p) return;
        this.pending.delete(f.id);
        clearTimeout(p.timer);
        if (f.t === 'res') p.resolve(f.v);
        else p.reject(new RemoteRpcException(f.e.name, f.e.message, f.e.stack));
        return;
      }
      case 'msg':
        try { const r = this.handler(f.m, f.a, this); if (r instanceof Promise) r.catch((e: unknown) => this.emit('handler-error', e, f.m)); }
        catch (e) { this.emit('handler-error', e, f.m); }
        return;
      case 'req': {
        let r: unknown;
        try { r = this.handler(f.m, f.a, this); } catch (e) { this.replyError(f.id, e); return; }
        Promise.resolve(r).then((v) => { if (!this.closed) this.send({ t: 'res', id: f.id, v: v === undefined ? null : v }); }, (e: unknown) => this.replyError(f.id, e));
        return;
      }
    }
  }

  private replyError(id: number, e: unknown): void {
    if (this.closed) return;
    const err = e instanceof Error ? e : new Error(String(e));
    this.send({ t: 'err', id, e: { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) } });
  }

  close(why = 'closed locally'): void {
    this.sock.destroy();
    this.shutdown(why);
  }

  private shutdown(why: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, p] of this.pending) { clearTimeout(p.timer); p.reject(new RpcConnectionClosedException(this.peer, why)); }
    this.pending.clear();
    this.emit('close', why);
  }
}

/**
 * Accepts authenticated RPC connections; peers that fail the handshake are dropped and logged.
 * With `tls` (security.ssl.internal.*) peers must also present a trusted certificate, and the secret
 * handshake runs inside the TLS session.
 */
export class RpcServer {
  private server: Server | null = null;
  private readonly conns = new Set<RpcConnection>();
  /** Every accepted socket, also those still in the TLS or secret handshake: close() ends them too. */
  private readonly sockets = new Set<Socket>();
  constructor(private readonly secret: string, private readonly handler: RpcHandler, private readonly onConnection: (c: RpcConnection) => void,
    private readonly log: (msg: string) => void, private readonly timeoutMs = 10_000, private readonly tls?: InternalTlsOptions) {}

  get encrypted(): boolean { return this.tls !== undefined; }

  start(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const accept = (sock: Socket): void => {
        sock.pause();
        serverHandshake(sock, this.secret).then(() => {
          const c = new RpcConnection(sock, this.handler, this.timeoutMs);
          this.conns.add(c);
          c.on('close', () => this.conns.delete(c));
          this.onConnection(c);
        }, (e: unknown) => {
          this.log(`Dropped RPC connection from ${sock.remoteAddress}:${sock.remotePort}: ${e instanceof Error ? e.message : String(e)}`);
          sock.destroy();
        });
      };
      const srv = this.tls ? createTlsServer({ ...this.tls, requestCert: true, rejectUnauthorized: true }, accept) : createServer(accept);
      srv.on('connection', (sock: Socket) => { this.sockets.add(sock); sock.once('close', () => this.sockets.delete(sock)); });
      if (this.tls) srv.on('tlsClientError', (e, sock) => this.log(`Refused RPC connection from ${sock.remoteAddress}:${sock.remotePort}: TLS: ${e.message}`));
      srv.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`Cannot listen for RPC on ${host}:${port} ('jobmanager.rpc.port'): ${e.message}`)));
      srv.listen(port, host, () => {
        this.server = srv;
        const a = srv.address() as { address: string; port: number };
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.close('server shutting down');
    const closed = new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    for (const sock of this.sockets) sock.destroy();
    await closed;
  }
}

/** Connects (over TLS with `opts.tls`) and authenticates; retries refused connections with backoff up to `attempts`. */
export async function connectRpc(host: string, port: number, secret: string, handler: RpcHandler,
  opts: { attempts?: number; timeoutMs?: number; what?: string; tls?: InternalTlsOptions } = {}): Promise<RpcConnection> {
  const tls = opts.tls;
  const attempts = opts.attempts ?? 10;
  let delay = 200;
  let last: Error | null = null;
  for (let i = 0; i < attempts; i++) {
    try {
      const sock = await new Promise<Socket>((resolve, reject) => {
        const s = tls ? connectTls({ ...tls, host, port, rejectUnauthorized: true, checkServerIdentity: () => undefined }) : connect(port, host);
        s.once(tls ? 'secureConnect' : 'connect', () => { s.off('error', reject); s.pause(); resolve(s); });
        s.once('error', reject);
      });
      // TLS 1.3 rejects a client certificate after the client's side of the handshake: the alert
      // may arrive as an error just after the close the secret handshake sees; report the TLS cause.
      let socketError: unknown;
      const onSocketError = (e: unknown): void => { socketError ??= e; };
      if (tls) sock.on('error', onSocketError);
      try {
        await clientHandshake(sock, secret);
      } catch (e) {
        if (tls) await new Promise((r) => setTimeout(r, 20));
        if (isTlsFailure(socketError)) throw socketError;
        // Under TLS 1.3 a refused client certificate shows as a close right after the TLS handshake.
        if (tls && e instanceof AuthenticationError && /closed the connection/.test(e.message)) {
          throw new AuthenticationError('the peer closed the TLS connection during the handshake: it refused this process\'s certificate ' +
            '(security.ssl.internal.keystore must be in the peer\'s security.ssl.internal.truststore), or the cluster secret differs');
        }
        throw e;
      } finally {
        sock.off('error', onSocketError);
      }
      return new RpcConnection(sock, handler, opts.timeoutMs ?? 10_000);
    } catch (e) {
      last = e as Error;
      if (e instanceof AuthenticationError) break; // a wrong secret does not get better with retries
      if (tls && isTlsFailure(e)) {
        last = new Error(`TLS handshake failed: ${(e as Error).message}. With security.ssl.internal.enabled every process of the cluster ` +
          'needs it, and each needs a certificate the others\' security.ssl.internal.truststore holds', { cause: e });
        break;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
  const err = new Error(`Cannot connect to ${opts.what ?? 'the JobManager'} at ${host}:${port} after ${attempts} attempt(s): ${last?.message}`, { cause: last });
  throw err;
}

/** An OpenSSL-level failure (not a refused or reset connection, which a retry may fix). */
const isTlsFailure = (e: unknown): boolean => tlsErrorCode(e) !== undefined;
