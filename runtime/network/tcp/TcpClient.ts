// Outbound data connections (Flink's NettyClient): dials another TaskManager's data port, with a connect timeout,
// and runs the client side of the cluster-secret handshake. Reconnecting is dialling again: PeerRegistry.peerFor
// dials whenever there is no live connection to the TaskManager (also after a drop).
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { clientHandshake } from '../../security/ClusterSecret.js';
import { internalTls } from '../../security/InternalTlsContext.js';
import { guardUnshift } from './guardUnshift.js';
import type { RemoteTarget } from './RemoteUplink.js';
import { TcpPeer, type TcpLogger, type TcpPeerHost } from './TcpPeer.js';

/** Where a dialled connection reports to (PeerRegistry). */
export interface DialListener {
  /** A new connection, not connected yet: watch its socket. */
  add(peer: TcpPeer): void;
  /** The handshake passed. */
  onAuthenticated(peer: TcpPeer): void;
  drop(peer: TcpPeer, reason: string): void;
}

export interface TcpClientOptions {
  secret: string;
  /** Connect timeout and handshake timeout. */
  handshakeTimeoutMs: number;
  log: TcpLogger;
  peerHost: TcpPeerHost;
  listener: DialListener;
}

export class TcpClient {
  constructor(private readonly opts: TcpClientOptions) {}

  /** A new connection to `to`; frames written to it wait until it is connected, authenticated and said HELLO. */
  dial(to: RemoteTarget): TcpPeer {
    const { secret, handshakeTimeoutMs, log, listener } = this.opts;
    // security.ssl.internal.enabled: the peer's certificate must be in the truststore; host names are
    // not checked (one internal certificate is usually shared by all processes, as in Flink).
    const tls = internalTls();
    const sock: Socket = tls
      ? connectTls({ ...tls, host: to.host, port: to.port, rejectUnauthorized: true, checkServerIdentity: () => undefined }).setNoDelay(true)
      : connect({ host: to.host, port: to.port, noDelay: true });
    const peer = new TcpPeer(this.opts.peerHost, sock, { taskManagerId: to.taskManagerId, host: to.host, port: to.port });
    listener.add(peer);
    // An unreachable host would otherwise hang for the OS's SYN timeout.
    const connectTimer = setTimeout(() => {
      if (peer.ready || peer.closed) return;
      log('WARN', `data connection to ${peer.describe}: no connection within ${handshakeTimeoutMs} ms`);
      listener.drop(peer, `no connection within ${handshakeTimeoutMs} ms`);
      sock.destroy();
    }, handshakeTimeoutMs);
    connectTimer.unref();
    sock.once('close', () => clearTimeout(connectTimer));
    guardUnshift(sock);
    sock.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      clientHandshake(sock, secret, handshakeTimeoutMs).then(
        () => listener.onAuthenticated(peer),
        (e: unknown) => {
          log('WARN', `data connection to ${peer.describe} failed authentication: ${(e as Error).message}`);
          listener.drop(peer, `authentication failed: ${(e as Error).message}`);
          sock.destroy();
        },
      );
    });
    return peer;
  }
}
