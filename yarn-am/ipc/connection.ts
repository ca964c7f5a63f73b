import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { ConnectionClosedError, IpcConnectError, RemoteException, RpcTimeoutError, SaslException, remoteException } from './errors.js';
import { FrameReader, frame, readDelimited } from './framing.js';
import { pbDecode, pbEncodeDelimited, type PbObject } from './protos.js';
import { DigestMd5Client } from './sasl.js';
import type { HadoopToken } from './credentials.js';

/** How a connection authenticates. */
export type IpcAuth =
  | { readonly method: 'SIMPLE'; readonly user: string }
  | { readonly method: 'TOKEN'; readonly token: HadoopToken };

export interface IpcConnectionOptions {
  host: string;
  port: number;
  /** Where host:port came from (shown in connection errors), e.g. `yarn.resourcemanager.address in /etc/hadoop/yarn-site.xml`. */
  addressSource?: string;
  /** Protocol name sent in the connection context and request headers, e.g. `org.apache.hadoop.yarn.api.ApplicationClientProtocolPB`. */
  protocol: string;
  auth: IpcAuth;
  /** TCP connect timeout per attempt (Hadoop ipc.client.connect.timeout: 20 s). */
  connectTimeoutMs?: number;
  /** Connect attempts before giving up (Hadoop ipc.client.connect.max.retries: 10; we default lower to fail fast). */
  connectAttempts?: number;
  /** Delay between connect attempts. */
  connectRetryDelayMs?: number;
  /** Idle time after which a ping (callId -4) is sent (Hadoop ipc.ping.interval: 60 s). */
  pingIntervalMs?: number;
}

/** Hadoop IPC constants (org.apache.hadoop.ipc.RpcConstants). */
const RPC_VERSION = 9;
const AUTH_NONE = 0x00;
const AUTH_SASL = 0xdf; // -33
const CALLID_CONNECTION_CONTEXT = -3;
const CALLID_PING = -4;
const CALLID_SASL = -33;
const RPC_PROTOCOL_BUFFER = 2;
const RPC_FINAL_PACKET = 0;
const STATUS_SUCCESS = 0;
const STATUS_FATAL = 2;
const SASL_SUCCESS = 0;
const SASL_NEGOTIATE = 1;
const SASL_INITIATE = 2;
const SASL_CHALLENGE = 3;
const SASL_RESPONSE = 4;

interface PendingCall {
  resolve(body: Uint8Array): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | undefined;
}

/** User name for SIMPLE auth: HADOOP_USER_NAME, else the OS user (as Hadoop's UserGroupInformation does). */
export function currentHadoopUser(): string {
  return process.env['HADOOP_USER_NAME'] || userInfo().username;
}

/**
 * One TCP connection speaking Hadoop RPC v9 (protobuf engine). Calls are multiplexed by
 * callId; replies may come in any order. Not reconnecting by itself — see IpcClient.
 */
export class IpcConnection {
  readonly address: string;
  private readonly clientId = randomBytes(16);
  private nextCallId = 0;
  private readonly pending = new Map<number, PendingCall>();
  private readonly reader = new FrameReader();
  private pingTimer: NodeJS.Timeout | undefined;
  private lastWrite = Date.now();
  private closedReason: string | undefined;
  /** A server FATAL that closed the connection (e.g. auth refused): reported to later calls too. */
  private closedError: RemoteException | undefined;
  /** Frames received while the SASL handshake is running (before normal dispatch). */
  private handshakeWaiter: { resolve(f: Buffer): void; reject(e: Error): void } | undefined;
  private handshakeQueue: Buffer[] = [];
  private handshaking = true;
  private retiring = false;

  private constructor(
    private readonly socket: Socket,
    private readonly opts: IpcConnectionOptions,
  ) {
    this.address = `${opts.host}:${opts.port}`;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(`${e.message}`));
    socket.on('close', () => this.fail('connection closed by peer'));
  }

  /** Opens a connection (retrying refused/unreachable connects) and completes the handshake. */
  static async open(opts: IpcConnectionOptions): Promise<IpcConnection> {
    const attempts = Math.max(1, opts.connectAttempts ?? 3);
    const delay = opts.connectRetryDelayMs ?? 1000;
    let lastErr: (Error & { code?: string }) | undefined;
    for (let i = 1; i <= attempts; i++) {
      let socket: Socket;
      try {
        socket = await tcpConnect(opts.host, opts.port, opts.connectTimeoutMs ?? 20_000);
      } catch (e) {
        lastErr = e as Error & { code?: string };
        if (i < attempts) await sleep(delay);
        continue;
      }
      const conn = new IpcConnection(socket, opts);
      try {
        await conn.handshake();
      } catch (e) {
        conn.close();
        throw e; // auth/protocol failures are not retried: they would fail the same way again
      }
      return conn;
    }
    throw new IpcConnectError(`${opts.host}:${opts.port}`, opts.addressSource, attempts, lastErr ?? new Error('connect failed'));
  }

  get isOpen(): boolean {
    return this.closedReason === undefined;
  }

  /** Sends one call; resolves with the response message bytes. */
  call(method: string, requestType: string, request: PbObject, timeoutMs?: number): Promise<Uint8Array> {
    if (this.closedReason !== undefined) return Promise.reject(this.closedError ?? new ConnectionClosedError(this.address, this.closedReason));
    const callId = this.nextCallId;
    this.nextCallId = (this.nextCallId + 1) & 0x7fffffff; // wraps like Java's AtomicInteger & 0x7fffffff
    const parts = [
      pbEncodeDelimited('hadoop.common.RpcRequestHeaderProto', {
        rpcKind: RPC_PROTOCOL_BUFFER,
        rpcOp: RPC_FINAL_PACKET,
        callId,
        clientId: this.clientId,
        retryCount: 0,
      }),
      pbEncodeDelimited('hadoop.common.RequestHeaderProto', {
        methodName: method,
        declaringClassProtocolName: this.opts.protocol,
        clientProtocolVersion: 1,
      }),
      pbEncodeDelimited(requestType, request),
    ];
    return new Promise<Uint8Array>((resolve, reject) => {
      const p: PendingCall = { resolve, reject, timer: undefined };
      if (timeoutMs !== undefined && timeoutMs > 0) {
        p.timer = setTimeout(() => {
          this.pending.delete(callId);
          this.updateRef();
          reject(new RpcTimeoutError(this.address, method, timeoutMs));
        }, timeoutMs);
      }
      this.pending.set(callId, p);
      this.updateRef();
      this.write(frame(parts));
    });
  }

  close(): void {
    this.fail('closed by client');
    this.socket.destroy();
  }

  /** Closes once no call is outstanding (used when a rolled-over token replaces this connection). */
  closeWhenIdle(): void {
    this.retiring = true;
    if (this.pending.size === 0) this.close();
  }

  private async handshake(): Promise<void> {
    const token = this.opts.auth.method === 'TOKEN';
    this.socket.write(Buffer.concat([Buffer.from('hrpc', 'latin1'), Uint8Array.of(RPC_VERSION, 0, token ? AUTH_SASL : AUTH_NONE)]));
    if (this.opts.auth.method === 'TOKEN') await this.saslToken(this.opts.auth.token);
    this.handshaking = false;
    // Frames that arrived in the same chunk as the SASL success (unlikely) go through normal dispatch.
    for (const f of this.handshakeQueue.splice(0)) this.dispatch(f);
    const userInfoMsg: PbObject = this.opts.auth.method === 'SIMPLE' ? { effectiveUser: this.opts.auth.user } : {};
    this.write(
      frame([
        pbEncodeDelimited('hadoop.common.RpcRequestHeaderProto', {
          rpcKind: RPC_PROTOCOL_BUFFER,
          rpcOp: RPC_FINAL_PACKET,
          callId: CALLID_CONNECTION_CONTEXT,
          clientId: this.clientId,
          retryCount: -1,
        }),
        // With TOKEN auth the token identifies the user; the context carries an empty userInfo (Hadoop ProtoUtil).
        pbEncodeDelimited('hadoop.common.IpcConnectionContextProto', { userInfo: userInfoMsg, protocol: this.opts.protocol }),
      ]),
    );
    this.startPing();
    this.updateRef();
  }

  /** SASL negotiation for TOKEN / DIGEST-MD5 (Hadoop SaslRpcClient.saslConnect). */
  private async saslToken(token: HadoopToken): Promise<void> {
    this.sendSasl({ state: SASL_NEGOTIATE });
    let digest: DigestMd5Client | undefined;
    for (;;) {
      const sasl = await this.readSasl();
      const state = Number(sasl['state']);
      if (state === SASL_NEGOTIATE) {
        const auths = (sasl['auths'] as PbObject[] | undefined) ?? [];
        const chosen = auths.find((a) => a['method'] === 'TOKEN' && a['mechanism'] === 'DIGEST-MD5');
        if (!chosen) {
          const offered = auths.map((a) => `${String(a['method'])}/${String(a['mechanism'])}`).join(', ');
          throw new SaslException('javax.security.sasl.SaslException', `Server ${this.address} does not offer TOKEN/DIGEST-MD5 (offered: ${offered || 'none'})`);
        }
        const protocol = String(chosen['protocol'] ?? '');
        const serverId = String(chosen['serverId'] ?? '');
        digest = new DigestMd5Client(Buffer.from(token.identifier).toString('base64'), Buffer.from(token.password).toString('base64'), protocol, serverId);
        const challenge = chosen['challenge'] as Uint8Array | undefined;
        const response = challenge && challenge.length ? digest.evaluateChallenge(challenge) : Buffer.alloc(0);
        const authNoChallenge: PbObject = { method: chosen['method'], mechanism: chosen['mechanism'], protocol, serverId };
        this.sendSasl({ state: SASL_INITIATE, token: response, auths: [authNoChallenge] });
      } else if (state === SASL_CHALLENGE) {
        if (!digest) throw new SaslException('javax.security.sasl.SaslException', 'SASL CHALLENGE before NEGOTIATE');
        const t = (sasl['token'] as Uint8Array | undefined) ?? new Uint8Array();
        const text = Buffer.from(t).toString('utf8');
        if (text.startsWith('rspauth=')) {
          digest.verifyServerFinal(t);
          this.sendSasl({ state: SASL_RESPONSE, token: Buffer.alloc(0) });
        } else {
          this.sendSasl({ state: SASL_RESPONSE, token: digest.evaluateChallenge(t) });
        }
      } else if (state === SASL_SUCCESS) {
        const t = sasl['token'] as Uint8Array | undefined;
        if (digest && t && t.length) digest.verifyServerFinal(t);
        return;
      } else {
        throw new SaslException('javax.security.sasl.SaslException', `unexpected SASL state ${state} from ${this.address}`);
      }
    }
  }

  private sendSasl(msg: PbObject): void {
    this.write(
      frame([
        pbEncodeDelimited('hadoop.common.RpcRequestHeaderProto', {
          rpcKind: RPC_PROTOCOL_BUFFER,
          rpcOp: RPC_FINAL_PACKET,
          callId: CALLID_SASL,
          clientId: Buffer.alloc(0),
          retryCount: -1,
        }),
        pbEncodeDelimited('hadoop.common.RpcSaslProto', msg),
      ]),
    );
  }

  private async readSasl(): Promise<PbObject> {
    const f = await this.nextHandshakeFrame();
    const { message, next } = readDelimited(f);
    const header = pbDecode('hadoop.common.RpcResponseHeaderProto', message);
    if (Number(header['status']) !== STATUS_SUCCESS) throw this.headerError(header);
    if ((Number(header['callId']) | 0) !== CALLID_SASL) {
      throw new SaslException('javax.security.sasl.SaslException', `unexpected callId ${Number(header['callId']) | 0} during SASL with ${this.address}`);
    }
    return pbDecode('hadoop.common.RpcSaslProto', readDelimited(f, next).message);
  }

  private nextHandshakeFrame(): Promise<Buffer> {
    const queued = this.handshakeQueue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closedReason !== undefined) return Promise.reject(new ConnectionClosedError(this.address, this.closedReason));
    return new Promise((resolve, reject) => {
      this.handshakeWaiter = { resolve, reject };
    });
  }

  private onData(d: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.reader.push(d);
    } catch (e) {
      this.fail((e as Error).message);
      this.socket.destroy();
      return;
    }
    for (const f of frames) {
      if (this.handshaking) {
        const w = this.handshakeWaiter;
        if (w) {
          this.handshakeWaiter = undefined;
          w.resolve(f);
        } else this.handshakeQueue.push(f);
      } else this.dispatch(f);
    }
  }

  private dispatch(f: Buffer): void {
    let header: PbObject;
    let next: number;
    try {
      const r = readDelimited(f);
      header = pbDecode('hadoop.common.RpcResponseHeaderProto', r.message);
      next = r.next;
    } catch (e) {
      this.fail(`malformed response: ${(e as Error).message}`);
      this.socket.destroy();
      return;
    }
    const callId = Number(header['callId']) | 0; // uint32 on the wire; negative ids come back as 2^32-n
    const status = Number(header['status']);
    if (status === STATUS_FATAL && !this.pending.has(callId)) {
      // Connection-level failure (e.g. callId -1 AUTHORIZATION_FAILED): fail every call.
      const err = this.headerError(header);
      this.fail(err.message, err);
      this.socket.destroy();
      return;
    }
    const p = this.pending.get(callId);
    if (!p) return; // late reply of a timed-out call
    this.pending.delete(callId);
    if (p.timer) clearTimeout(p.timer);
    this.updateRef();
    if (status === STATUS_SUCCESS) {
      try {
        p.resolve(readDelimited(f, next).message);
      } catch (e) {
        p.reject(e as Error);
      }
    } else {
      const err = this.headerError(header);
      p.reject(err);
      if (status === STATUS_FATAL) {
        this.fail(err.message, err);
        this.socket.destroy();
      }
    }
  }

  private headerError(header: PbObject): RemoteException {
    return remoteException(
      String(header['exceptionClassName'] ?? 'org.apache.hadoop.ipc.RemoteException'),
      String(header['errorMsg'] ?? '(no message)'),
      header['errorDetail'] === undefined ? undefined : Number(header['errorDetail']),
      Number(header['status']) === STATUS_FATAL,
    );
  }

  private write(buf: Buffer): void {
    this.lastWrite = Date.now();
    this.socket.write(buf);
  }

  /** Ping when nothing was written for a ping interval, so servers and middleboxes keep the idle connection. */
  private startPing(): void {
    const interval = this.opts.pingIntervalMs ?? 60_000;
    if (interval <= 0) return;
    this.pingTimer = setInterval(() => {
      if (this.closedReason !== undefined || Date.now() - this.lastWrite < interval) return;
      this.write(
        frame([
          pbEncodeDelimited('hadoop.common.RpcRequestHeaderProto', {
            rpcKind: RPC_PROTOCOL_BUFFER,
            rpcOp: RPC_FINAL_PACKET,
            callId: CALLID_PING,
            clientId: this.clientId,
            retryCount: -1,
          }),
        ]),
      );
    }, Math.max(1000, Math.floor(interval / 2)));
    this.pingTimer.unref(); // a ping must never keep the process alive
  }

  /** An idle connection must not keep Node's event loop alive; one with calls in flight must. */
  private updateRef(): void {
    if (this.retiring && this.pending.size === 0 && this.closedReason === undefined) {
      queueMicrotask(() => this.close()); // after the last reply has been delivered
      return;
    }
    if (this.pending.size > 0 || this.handshaking) this.socket.ref();
    else this.socket.unref();
  }

  private fail(reason: string, err?: Error): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    if (err instanceof RemoteException) this.closedError = err;
    if (this.pingTimer) clearInterval(this.pingTimer);
    const e = err ?? new ConnectionClosedError(this.address, reason);
    if (this.handshakeWaiter) {
      const w = this.handshakeWaiter;
      this.handshakeWaiter = undefined;
      w.reject(e);
    }
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
