// The TaskManager's data port (Flink's NettyServer): listens, accepts connections from other TaskManagers and runs
// the server side of the cluster-secret handshake on each. Authenticated sockets are handed on (onConnection);
// a peer that fails the handshake is dropped and logged, nothing else is read from it.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { serverHandshake } from '../../security/ClusterSecret.js';
import { internalTls } from '../../security/InternalTlsContext.js';
import { guardUnshift } from './guardUnshift.js';
import type { TcpLogger } from './TcpPeer.js';

export interface TcpServerOptions {
  /** Listen address (taskmanager.data.bind-host). */
  bindHost: string;
  /** Listen port (taskmanager.data.port), 0 = ephemeral. */
  port: number;
  secret: string;
  handshakeTimeoutMs: number;
  log: TcpLogger;
  /** An inbound connection passed the handshake. */
  onConnection(sock: Socket): void;
}

export class TcpServer {
  private server: Server | null = null;
  private boundPort = 0;
  /** Inbound sockets still in the handshake. */
  private readonly handshaking = new Set<Socket>();
  private closed = false;
  /** Inbound connections refused for failing the handshake. */
  authFailures = 0;

  constructor(private readonly opts: TcpServerOptions) {}

  /** Starts listening; resolves with the bound data port. */
  start(): Promise<{ port: number }> {
    if (this.server !== null) return Promise.resolve({ port: this.boundPort });
    const { bindHost, port: listenPort, log } = this.opts;
    // security.ssl.internal.enabled: TLS with client certificates; the secret handshake runs inside.
    const tls = internalTls();
    const server = tls
      ? createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: true, noDelay: true }, (sock) => this.onInbound(sock))
      : createServer({ noDelay: true }, (sock) => this.onInbound(sock));
    if (tls) server.on('tlsClientError', (e, sock) => log('WARN', `refused data connection from ${sock.remoteAddress}:${sock.remotePort}: TLS: ${e.message}`));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, bindHost, () => {
        server.off('error', reject);
        server.on('error', (e) => log('ERROR', `data server error: ${e.message}`));
        const addr = server.address();
        this.boundPort = typeof addr === 'object' && addr !== null ? addr.port : listenPort;
        log('INFO', `data plane listening on ${bindHost}:${this.boundPort}${tls ? ' (TLS, client certificates required)' : ''}`);
        resolve({ port: this.boundPort });
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /** Refuses new connections, destroys the sockets still in the handshake and stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.handshaking) s.destroy();
    this.handshaking.clear();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onInbound(sock: Socket): void {
    if (this.closed) {
      sock.destroy();
      return;
    }
    sock.on('error', () => undefined); // reported by 'close' below once the peer exists
    const from = `${sock.remoteAddress}:${sock.remotePort}`;
    guardUnshift(sock);
    this.handshaking.add(sock);
    sock.once('close', () => this.handshaking.delete(sock));
    serverHandshake(sock, this.opts.secret, this.opts.handshakeTimeoutMs).then(
      () => {
        this.handshaking.delete(sock);
        if (this.closed) return void sock.destroy();
        this.opts.onConnection(sock);
      },
      (e: unknown) => {
        this.authFailures++;
        this.opts.log('WARN', `refused data connection from ${from}: ${(e as Error).message}`);
        sock.destroy();
      },
    );
  }
}
