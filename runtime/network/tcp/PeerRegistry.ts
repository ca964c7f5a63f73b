// The TCP connections of one TaskManager to the others (Flink's PartitionRequestClientFactory plus the channel
// bookkeeping of its NettyServer): one per TaskManager pair, used in either direction and dialled on demand; the
// HELLO exchange after the handshake, the resolution of simultaneous opens, and what becomes of a connection's
// streams when it is dropped.
import type { Socket } from 'node:net';
import { MSG_CANCEL, MSG_ERROR } from '../NetworkMessage.js';
import { F_HELLO, FrameWriter } from './frames.js';
import type { RemoteTarget } from './RemoteUplink.js';
import { TcpClient, type DialListener } from './TcpClient.js';
import { TcpPeer, postToSlot, type TcpLogger, type TcpPeerHost } from './TcpPeer.js';

export interface PeerRegistryOptions {
  /** This TaskManager's id (sent in HELLO). */
  taskManagerId: string;
  secret: string;
  handshakeTimeoutMs: number;
  log: TcpLogger;
  peerHost: TcpPeerHost;
}

export class PeerRegistry implements DialListener {
  /** Established (or connecting) connections by remote TaskManager id; others (duplicates) still serve their streams. */
  private readonly byId = new Map<string, TcpPeer>();
  private readonly all = new Set<TcpPeer>();
  private readonly client: TcpClient;
  private readonly taskManagerId: string;
  private readonly log: TcpLogger;
  /** Bytes of the connections already dropped. */
  private bytesSent = 0;
  private bytesReceived = 0;

  constructor(private readonly opts: PeerRegistryOptions) {
    this.taskManagerId = opts.taskManagerId;
    this.log = opts.log;
    this.client = new TcpClient({ secret: opts.secret, handshakeTimeoutMs: opts.handshakeTimeoutMs, log: opts.log, peerHost: opts.peerHost, listener: this });
  }

  /** The connection to a TaskManager: an existing one (either direction), or a new one (reconnect on demand). */
  peerFor(to: RemoteTarget): TcpPeer {
    const existing = this.byId.get(to.taskManagerId);
    if (existing !== undefined && !existing.closed) return existing;
    const peer = this.client.dial(to);
    this.byId.set(to.taskManagerId, peer);
    return peer;
  }

  /** An inbound connection that passed the handshake (TcpServer). */
  accept(sock: Socket): void {
    const peer = new TcpPeer(this.opts.peerHost, sock, null);
    this.add(peer);
    this.onAuthenticated(peer);
  }

  add(peer: TcpPeer): void {
    this.all.add(peer);
    const sock = peer.socket;
    // A peer host that vanishes without FIN/RST is noticed by keep-alive probes (and by the JobMaster's heartbeats).
    sock.setKeepAlive(true, 15_000);
    sock.on('error', (e: Error) => {
      if (!peer.closed) this.log('WARN', `data connection to ${peer.describe}: ${e.message}`);
      this.drop(peer, e.message);
    });
    sock.on('close', () => this.drop(peer, 'the connection was closed'));
  }

  onAuthenticated(peer: TcpPeer): void {
    if (peer.closed) return;
    peer.ready = true;
    const sock = peer.socket;
    sock.on('data', (chunk: Buffer) => peer.decoder.push(chunk));
    sock.resume();
    // The client speaks first (HELLO, then what was queued during the handshake); the server answers only
    // after the client's HELLO, so no protocol bytes reach a peer that is still reading its handshake.
    if (peer.target !== null) this.sendHello(peer);
  }

  private sendHello(peer: TcpPeer): void {
    const hello = new FrameWriter((data) => peer.socket.write(data));
    hello.open();
    hello.text(F_HELLO, 0, this.taskManagerId);
    hello.flush();
    peer.writer.open();
  }

  onHello(peer: TcpPeer, remoteId: string): void {
    if (peer.target !== null) {
      if (remoteId !== peer.target.taskManagerId) {
        this.log('WARN', `expected TaskManager ${peer.target.taskManagerId} at ${peer.target.host}:${peer.target.port} but ${remoteId} answered; closing`);
        this.drop(peer, `${peer.target.host}:${peer.target.port} is TaskManager ${remoteId} now, not ${peer.target.taskManagerId}`);
        peer.socket.destroy();
      }
      return;
    }
    if (peer.remoteTaskManagerId !== null) return;
    peer.remoteTaskManagerId = remoteId;
    this.sendHello(peer);
    // One connection per pair: new streams to that TaskManager use this inbound connection too. If both sides
    // dialled at once, both keep the connection dialled by the smaller TaskManager id; the larger side's own
    // connection only carries the streams it already opened (the smaller side never opens streams on it) and
    // is closed by the larger side once they are done.
    const existing = this.byId.get(remoteId);
    if (existing === undefined || existing.closed) {
      this.byId.set(remoteId, peer);
    } else if (remoteId < this.taskManagerId && existing !== peer) {
      this.byId.set(remoteId, peer);
      existing.retiring = true;
      existing.retireIfIdle();
    }
  }

  /** A duplicate connection (see onHello) with no streams left: close it. */
  retire(peer: TcpPeer): void {
    if (peer.closed) return;
    this.log('INFO', `closing duplicate data connection to ${peer.describe}`);
    peer.writer.flush();
    this.drop(peer, 'duplicate connection retired');
    peer.socket.end();
  }

  /** A connection is gone: its consumer streams fail (naming the TaskManager), its served streams are cancelled. */
  drop(peer: TcpPeer, reason: string): void {
    if (peer.closed) return;
    peer.closed = true;
    peer.writer.close();
    this.all.delete(peer);
    this.bytesSent += peer.writer.bytesWritten;
    this.bytesReceived += peer.decoder.bytesRead;
    for (const [k, p] of this.byId) if (p === peer) this.byId.delete(k);
    const message = `connection to ${peer.describe} lost: ${reason}`;
    for (const s of peer.clientStreams.values()) {
      s.slot.consumers.delete(s.id);
      postToSlot(s.slot, { c: s.c, m: { t: MSG_ERROR, id: s.id, message } }, null);
    }
    peer.clientStreams.clear();
    for (const s of peer.serverStreams.values()) {
      s.slot.served.delete(s.servedId);
      postToSlot(s.slot, { c: 0, m: { t: MSG_CANCEL, id: s.servedId } }, null);
    }
    peer.serverStreams.clear();
    if (peer.ready || peer.target !== null) this.log('INFO', `data ${message}`);
  }

  /** Drops the connection(s) to a TaskManager; its streams fail, new ones reconnect. */
  closeConnection(taskManagerId: string): void {
    for (const p of [...this.all]) {
      if (p.remoteTaskManagerId !== taskManagerId) continue;
      this.drop(p, 'closed by this TaskManager');
      p.socket.destroy();
    }
  }

  /** Shutdown: flushes and drops every connection (their streams fail with `reason`) and ends the sockets. */
  closeAll(reason: string): void {
    for (const p of [...this.all]) {
      p.writer.flush();
      this.drop(p, reason);
      p.socket.end();
      p.socket.destroySoon();
    }
  }

  /** Open connections, bytes over all connections so far, and the streams they carry now. */
  stats(): { connections: number; bytesSent: number; bytesReceived: number; streams: number } {
    let sent = this.bytesSent;
    let recv = this.bytesReceived;
    let streams = 0;
    for (const p of this.all) {
      sent += p.writer.bytesWritten;
      recv += p.decoder.bytesRead;
      streams += p.clientStreams.size + p.serverStreams.size;
    }
    return { connections: this.all.size, bytesSent: sent, bytesReceived: recv, streams };
  }
}
