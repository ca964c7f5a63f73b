// The TaskManager's TCP data plane (Flink's NettyShuffleService: NettyServer + PartitionRequestClientFactory +
// the credit-based client/server handlers). Lives in the TaskManager's main thread. One authenticated TCP
// connection per TaskManager pair multiplexes every channel between them, in both directions; slots reach it
// through their uplink MessagePort (attachSlot). It only routes: credits, backlog and ordering are the slots'
// (the ordinary credit-based protocol, end to end), so a congested channel never blocks the connection —
// data is only sent against credit, and this side always reads the socket.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { clientHandshake, serverHandshake } from '../../security/ClusterSecret.js';
import { MSG_ADD_CREDIT, MSG_BACKLOG, MSG_BUFFER, MSG_CANCEL, MSG_ERROR, MSG_PARTITION_REQUEST } from '../NetworkMessage.js';
import { NetworkBufferPool } from '../NetworkBufferPool.js';
import { deserializeEvent } from '../EventSerializer.js';
import { DEFAULT_NETWORK_CONFIG } from '../NetworkConfig.js';
import {
  F_ADD_CREDIT,
  F_BACKLOG,
  F_BUFFER,
  F_CANCEL,
  F_ERROR,
  F_HELLO,
  F_PARTITION_REQUEST,
  FrameDecoder,
  FrameWriter,
  type FrameSink,
} from './frames.js';
import { LocalUplinkPort, uplinkEndpoint, type UplinkEndpoint } from './LocalUplinkPort.js';
import type { RemoteTarget, UplinkIn, UplinkOut } from './RemoteUplink.js';

export type TcpLogger = (level: 'INFO' | 'WARN' | 'ERROR', msg: string) => void;

export interface TcpConnectionManagerOptions {
  /** This TaskManager's id (sent to peers, used in their error messages). */
  taskManagerId: string;
  /** The cluster secret; every connection is authenticated with it (ClusterSecret handshake). */
  secret: string;
  /** Listen address (taskmanager.data.bind-host), default 0.0.0.0. */
  bindHost?: string;
  /** Listen port (taskmanager.data.port), default 0 = ephemeral. */
  port?: number;
  /** Network buffer size of this TaskManager (receive buffers handed to consumer slots), default 32768. */
  bufferSize?: number;
  /** Handshake timeout, default 10000 ms. */
  handshakeTimeoutMs?: number;
  log?: TcpLogger;
}

/** Counters (metrics, tests). */
export interface TcpConnectionStats {
  connections: number;
  bytesSent: number;
  bytesReceived: number;
  authFailures: number;
  /** ArrayBuffers allocated for received data buffers (steady state: they come back from the consumers). */
  receiveBuffersAllocated: number;
  /** Open streams routed through this TaskManager (consumed + served); 0 once every channel ended. */
  streams: number;
}

interface StreamRef {
  peer: TcpPeer;
  tcpId: number;
}

/** One attached slot: its uplink port and its streams on TCP connections. */
class SlotLink {
  /** Consumer streams of this slot, by the slot's stream id. */
  readonly consumers = new Map<number, StreamRef>();
  /** Streams this slot serves to remote consumers, by the id we assigned. */
  readonly served = new Map<number, StreamRef>();
  nextServedId = 1;
  /** Producer buffers already written to a socket, going back to the slot's pool (one post per turn). */
  returns: ArrayBuffer[] = [];
  port!: UplinkEndpoint;
  constructor(readonly slotIndex: number) {}
}

interface ClientStream {
  slot: SlotLink;
  id: number;
  c: number;
}

interface ServerStream {
  slot: SlotLink;
  servedId: number;
}

/** One TCP connection to another TaskManager (either direction of connect). */
class TcpPeer implements FrameSink {
  readonly writer: FrameWriter;
  readonly decoder: FrameDecoder;
  /** Streams we consume (we sent PARTITION_REQUEST), by our id. */
  readonly clientStreams = new Map<number, ClientStream>();
  /** Streams the peer consumes from our slots, by the peer's id. */
  readonly serverStreams = new Map<number, ServerStream>();
  nextClientId = 1;
  /** A duplicate connection of a simultaneous open: closed when its last stream ends. */
  retiring = false;
  remoteTaskManagerId: string | null;
  ready = false;
  closed = false;

  constructor(
    private readonly mgr: TcpConnectionManager,
    readonly socket: Socket,
    /** Set for connections we opened. */
    readonly target: { taskManagerId: string; host: string; port: number } | null,
  ) {
    this.remoteTaskManagerId = target?.taskManagerId ?? null;
    this.writer = new FrameWriter((data) => {
      socket.write(data);
    });
    this.decoder = new FrameDecoder(this);
  }

  get describe(): string {
    const addr = this.target !== null ? `${this.target.host}:${this.target.port}` : `${this.socket.remoteAddress}:${this.socket.remotePort}`;
    return `TaskManager ${this.remoteTaskManagerId ?? '(unidentified)'} (${addr})`;
  }

  // ---- FrameSink ----

  allocate(length: number, isEvent: boolean): ArrayBuffer {
    return isEvent ? new ArrayBuffer(length) : this.mgr.receiveBuffer(length);
  }

  onBuffer(id: number, backlog: number, isEvent: boolean, buffer: ArrayBuffer, length: number): void {
    const s = this.clientStreams.get(id);
    if (s === undefined) {
      if (!isEvent) this.mgr.recycleReceiveBuffer(buffer); // channel gone (cancelled): memory stays here, credit is moot
      return;
    }
    if (isEvent && isEndOfPartition(buffer, length)) this.endClientStream(id, s);
    postToSlot(s.slot, { c: s.c, m: { t: MSG_BUFFER, id: s.id, buffer, length, backlog, isEvent } }, buffer);
  }

  onFrame(kind: number, id: number, body: Buffer): void {
    switch (kind) {
      case F_PARTITION_REQUEST: {
        const slotIndex = body.readUInt32BE(0);
        const credit = body.readInt32BE(4);
        const subpartition = body.readUInt32BE(8);
        const partitionId = body.toString('utf8', 12);
        this.mgr.onRemotePartitionRequest(this, id, slotIndex, partitionId, subpartition, credit);
        return;
      }
      case F_ADD_CREDIT: {
        const s = this.serverStreams.get(id);
        if (s !== undefined) postToSlot(s.slot, { c: 0, m: { t: MSG_ADD_CREDIT, id: s.servedId, credit: body.readInt32BE(0), buffers: null } }, null);
        return;
      }
      case F_CANCEL: {
        const s = this.serverStreams.get(id);
        if (s !== undefined) {
          this.serverStreams.delete(id);
          s.slot.served.delete(s.servedId);
          postToSlot(s.slot, { c: 0, m: { t: MSG_CANCEL, id: s.servedId } }, null);
          this.retireIfIdle();
        }
        return;
      }
      case F_ERROR: {
        const s = this.clientStreams.get(id);
        if (s !== undefined) {
          this.endClientStream(id, s);
          postToSlot(s.slot, { c: s.c, m: { t: MSG_ERROR, id: s.id, message: body.toString('utf8') } }, null);
        }
        return;
      }
      case F_BACKLOG: {
        const s = this.clientStreams.get(id);
        if (s !== undefined) postToSlot(s.slot, { c: s.c, m: { t: MSG_BACKLOG, id: s.id, backlog: body.readUInt32BE(0) } }, null);
        return;
      }
      case F_HELLO:
        this.mgr.onHello(this, body.toString('utf8'));
        return;
      default:
        this.onProtocolError(`unexpected frame kind ${kind}`);
    }
  }

  onProtocolError(message: string): void {
    this.mgr.log('WARN', `data connection to ${this.describe}: protocol error: ${message}; closing it`);
    this.socket.destroy();
  }

  endClientStream(id: number, s: ClientStream): void {
    this.clientStreams.delete(id);
    s.slot.consumers.delete(s.id);
    this.retireIfIdle();
  }

  retireIfIdle(): void {
    if (this.retiring && this.clientStreams.size === 0 && this.serverStreams.size === 0) this.mgr.retire(this);
  }
}

function isEndOfPartition(buffer: ArrayBuffer, length: number): boolean {
  try {
    return deserializeEvent(buffer, length).type === 'EndOfPartition';
  } catch {
    return false;
  }
}

/**
 * ClusterSecret's readExactly unshifts surplus handshake bytes while its 'data' listener is still attached and the
 * socket flowing, so the bytes are re-emitted into the same listener, endlessly (a peer sending more than the
 * handshake in one segment crashes the process). Pausing first makes unshift only buffer them; they are read
 * after the handshake like any other data. (Harmless once readExactly detaches before unshifting.)
 */
function guardUnshift(sock: Socket): void {
  sock.unshift = function (this: Socket, chunk: Parameters<Socket['unshift']>[0], encoding?: BufferEncoding): void {
    this.pause();
    Object.getPrototypeOf(sock).unshift.call(this, chunk, encoding);
  };
}

function postToSlot(slot: SlotLink, msg: UplinkIn, transfer: ArrayBuffer | null): void {
  slot.port.send(msg, transfer !== null ? [transfer] : null);
}

/**
 * The TaskManager's data-plane endpoint. Wiring (TaskManager main thread):
 *
 *   const tcp = new TcpConnectionManager({ taskManagerId, secret, bindHost, port: conf 'taskmanager.data.port' });
 *   const { port } = await tcp.start();              // register `port` as the TaskManager's data port
 *   for each slot i: p = tcp.attachSlot(i); worker.postMessage({ t: 'uplink', port: p }, [p])
 *                    → in the slot: shuffle.setRemoteUplink(p)      (again after a slot worker is respawned)
 *   single-thread TaskManager: shuffle.setRemoteUplink(tcp.attachLocalSlot(0))
 *   on shutdown: await tcp.close()
 */
export class TcpConnectionManager {
  readonly taskManagerId: string;
  private readonly secret: string;
  private readonly bindHost: string;
  private readonly listenPort: number;
  private readonly handshakeTimeoutMs: number;
  readonly log: TcpLogger;
  private server: Server | null = null;
  private readonly slots = new Map<number, SlotLink>();
  /** Established (or connecting) connections by remote TaskManager id; others (duplicates) still serve their streams. */
  private readonly peers = new Map<string, TcpPeer>();
  private readonly allPeers = new Set<TcpPeer>();
  /** Inbound sockets still in the handshake. */
  private readonly handshaking = new Set<Socket>();
  private readonly pool: NetworkBufferPool;
  private pendingReturns: SlotLink[] = [];
  private returnsScheduled = false;
  private closed = false;
  private boundPort = 0;
  private readonly stats = { bytesSent: 0, bytesReceived: 0, authFailures: 0 };

  constructor(opts: TcpConnectionManagerOptions) {
    this.taskManagerId = opts.taskManagerId;
    this.secret = opts.secret;
    this.bindHost = opts.bindHost ?? '0.0.0.0';
    this.listenPort = opts.port ?? 0;
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
    this.log = opts.log ?? ((level, msg) => process.stderr.write(`${level} TcpConnectionManager(${opts.taskManagerId}) - ${msg}\n`));
    this.pool = new NetworkBufferPool(opts.bufferSize ?? DEFAULT_NETWORK_CONFIG.bufferSize, 1024);
  }

  /** Starts listening; resolves with the bound data port. */
  start(): Promise<{ port: number }> {
    if (this.server !== null) return Promise.resolve({ port: this.boundPort });
    const server = createServer({ noDelay: true }, (sock) => this.onInbound(sock));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, this.bindHost, () => {
        server.off('error', reject);
        server.on('error', (e) => this.log('ERROR', `data server error: ${e.message}`));
        const addr = server.address();
        this.boundPort = typeof addr === 'object' && addr !== null ? addr.port : this.listenPort;
        this.log('INFO', `data plane listening on ${this.bindHost}:${this.boundPort}`);
        resolve({ port: this.boundPort });
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /**
   * A new uplink for slot `slotIndex` (hand it to that slot's ShuffleEnvironment.setRemoteUplink, transferring it
   * to the slot worker). Attaching a slot again (restarted worker) fails the old slot's remote streams first.
   */
  attachSlot(slotIndex: number): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.attach(slotIndex, port1);
    return port2;
  }

  /**
   * Same as attachSlot for a ShuffleEnvironment in this thread (single-thread TaskManager): messages and buffers
   * are handed over by reference, without a MessagePort round through the event loop.
   */
  attachLocalSlot(slotIndex: number): LocalUplinkPort {
    const [mine, theirs] = LocalUplinkPort.pair(); // slot → here synchronously: a data buffer hits the socket at once
    this.attach(slotIndex, mine);
    return theirs;
  }

  private attach(slotIndex: number, port: MessagePort | LocalUplinkPort): void {
    if (this.closed) throw new Error(`TcpConnectionManager of ${this.taskManagerId} is closed`);
    this.detachSlot(slotIndex, `slot ${slotIndex} of TaskManager ${this.taskManagerId} was restarted`);
    const link = new SlotLink(slotIndex);
    this.slots.set(slotIndex, link);
    link.port = uplinkEndpoint(
      port,
      (msg: UplinkOut) => this.onSlotMessage(link, msg),
      () => {
        if (this.slots.get(slotIndex) === link) this.detachSlot(slotIndex, `slot ${slotIndex} of TaskManager ${this.taskManagerId} went away`);
      },
    );
  }

  /** Fails the slot's remote streams (remote consumers get an error, remote producers a cancel). */
  detachSlot(slotIndex: number, reason = `slot ${slotIndex} of TaskManager ${this.taskManagerId} was detached`): void {
    const link = this.slots.get(slotIndex);
    if (link === undefined) return;
    this.slots.delete(slotIndex);
    for (const { peer, tcpId } of link.served.values()) {
      if (peer.serverStreams.delete(tcpId)) peer.writer.text(F_ERROR, tcpId, reason);
    }
    for (const { peer, tcpId } of link.consumers.values()) {
      if (peer.clientStreams.delete(tcpId)) peer.writer.cancel(tcpId);
    }
    link.served.clear();
    link.consumers.clear();
    link.port.close();
  }

  /** Drops the connection(s) to a TaskManager (e.g. the JobMaster declared it lost); its streams fail, new ones reconnect. */
  closeConnection(taskManagerId: string): void {
    for (const p of [...this.allPeers]) {
      if (p.remoteTaskManagerId !== taskManagerId) continue;
      this.dropPeer(p, 'closed by this TaskManager');
      p.socket.destroy();
    }
  }

  getStats(): TcpConnectionStats {
    let sent = this.stats.bytesSent;
    let recv = this.stats.bytesReceived;
    let streams = 0;
    for (const p of this.allPeers) {
      sent += p.writer.bytesWritten;
      recv += p.decoder.bytesRead;
      streams += p.clientStreams.size + p.serverStreams.size;
    }
    return { connections: this.allPeers.size, bytesSent: sent, bytesReceived: recv, authFailures: this.stats.authFailures, receiveBuffersAllocated: this.pool.numAllocated, streams };
  }

  /** Closes the server, every connection (their streams fail) and the slot uplinks. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.allPeers]) {
      p.writer.flush();
      this.dropPeer(p, `TaskManager ${this.taskManagerId} is shutting down`);
      p.socket.end();
      p.socket.destroySoon();
    }
    for (const s of this.handshaking) s.destroy();
    this.handshaking.clear();
    for (const i of [...this.slots.keys()]) this.detachSlot(i, `TaskManager ${this.taskManagerId} is shutting down`);
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- receive buffers (consumer side) ----

  receiveBuffer(length: number): ArrayBuffer {
    return length <= this.pool.bufferSize ? this.pool.acquire() : new ArrayBuffer(length);
  }

  recycleReceiveBuffer(b: ArrayBuffer): void {
    this.pool.recycle(b);
  }

  // ---- slot → TCP ----

  private onSlotMessage(link: SlotLink, msg: UplinkOut): void {
    const m = msg.m;
    switch (m.t) {
      case MSG_BUFFER: {
        const ref = link.served.get(m.id);
        if (ref !== undefined) {
          ref.peer.writer.buffer(ref.tcpId, m.backlog, m.isEvent, m.buffer, m.length);
          if (m.isEvent && isEndOfPartition(m.buffer, m.length)) {
            link.served.delete(m.id);
            ref.peer.serverStreams.delete(ref.tcpId);
            ref.peer.retireIfIdle();
          }
        }
        if (!m.isEvent) this.returnToSlot(link, m.buffer); // copied into the socket chunk: back to the producer's pool
        return;
      }
      case MSG_ADD_CREDIT: {
        const bufs = m.buffers;
        if (bufs !== null) for (let i = 0; i < bufs.length; i++) this.pool.recycle(bufs[i]!);
        if (m.credit > 0) {
          const ref = link.consumers.get(m.id);
          if (ref !== undefined) ref.peer.writer.addCredit(ref.tcpId, m.credit);
        }
        return;
      }
      case MSG_PARTITION_REQUEST:
        this.requestPartition(link, msg.c, m.id, m.partitionId, m.subpartition, m.credit, msg.to);
        return;
      case MSG_CANCEL: {
        const ref = link.consumers.get(m.id);
        if (ref !== undefined) {
          link.consumers.delete(m.id);
          if (ref.peer.clientStreams.delete(ref.tcpId)) ref.peer.writer.cancel(ref.tcpId);
          ref.peer.retireIfIdle();
        }
        return;
      }
      case MSG_ERROR: {
        const ref = link.served.get(m.id);
        if (ref !== undefined) {
          link.served.delete(m.id);
          if (ref.peer.serverStreams.delete(ref.tcpId)) ref.peer.writer.text(F_ERROR, ref.tcpId, m.message);
          ref.peer.retireIfIdle();
        }
        return;
      }
      case MSG_BACKLOG: {
        const ref = link.served.get(m.id);
        if (ref !== undefined) ref.peer.writer.backlog(ref.tcpId, m.backlog);
        return;
      }
    }
  }

  private returnToSlot(link: SlotLink, buffer: ArrayBuffer): void {
    if (link.returns.length === 0) this.pendingReturns.push(link);
    link.returns.push(buffer);
    if (!this.returnsScheduled) {
      this.returnsScheduled = true;
      setImmediate(this.flushReturns);
    }
  }

  private readonly flushReturns = (): void => {
    this.returnsScheduled = false;
    const links = this.pendingReturns;
    this.pendingReturns = [];
    for (const link of links) {
      const buffers = link.returns;
      link.returns = [];
      if (this.slots.get(link.slotIndex) !== link) continue;
      const msg: UplinkIn = { c: 0, m: { t: MSG_ADD_CREDIT, id: 0, credit: 0, buffers } };
      link.port.send(msg, buffers);
    }
  };

  private requestPartition(link: SlotLink, c: number, id: number, partitionId: string, subpartition: number, credit: number, to: RemoteTarget | undefined): void {
    const fail = (message: string): void => postToSlot(link, { c, m: { t: MSG_ERROR, id, message } }, null);
    if (to === undefined) return fail('partition request without a remote target');
    if (this.closed) return fail(`TaskManager ${this.taskManagerId} is shutting down`);
    const peer = this.peerFor(to);
    const tcpId = peer.nextClientId++;
    peer.clientStreams.set(tcpId, { slot: link, id, c });
    link.consumers.set(id, { peer, tcpId });
    peer.writer.partitionRequest(tcpId, to.slotIndex, credit, subpartition, partitionId);
  }

  /** The connection to a TaskManager: an existing one (either direction), or a new one (reconnect on demand). */
  private peerFor(to: RemoteTarget): TcpPeer {
    const existing = this.peers.get(to.taskManagerId);
    if (existing !== undefined && !existing.closed) return existing;
    const sock = connect({ host: to.host, port: to.port, noDelay: true });
    const peer = new TcpPeer(this, sock, { taskManagerId: to.taskManagerId, host: to.host, port: to.port });
    this.addPeer(peer);
    this.peers.set(to.taskManagerId, peer);
    // An unreachable host would otherwise hang for the OS's SYN timeout.
    const connectTimer = setTimeout(() => {
      if (peer.ready || peer.closed) return;
      this.log('WARN', `data connection to ${peer.describe}: no connection within ${this.handshakeTimeoutMs} ms`);
      this.dropPeer(peer, `no connection within ${this.handshakeTimeoutMs} ms`);
      sock.destroy();
    }, this.handshakeTimeoutMs);
    connectTimer.unref();
    sock.once('close', () => clearTimeout(connectTimer));
    guardUnshift(sock);
    sock.once('connect', () => {
      clearTimeout(connectTimer);
      clientHandshake(sock, this.secret, this.handshakeTimeoutMs).then(
        () => this.onAuthenticated(peer),
        (e: unknown) => {
          this.log('WARN', `data connection to ${peer.describe} failed authentication: ${(e as Error).message}`);
          this.dropPeer(peer, `authentication failed: ${(e as Error).message}`);
          sock.destroy();
        },
      );
    });
    return peer;
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
    serverHandshake(sock, this.secret, this.handshakeTimeoutMs).then(
      () => {
        this.handshaking.delete(sock);
        if (this.closed) return void sock.destroy();
        const peer = new TcpPeer(this, sock, null);
        this.addPeer(peer);
        this.onAuthenticated(peer);
      },
      (e: unknown) => {
        this.stats.authFailures++;
        this.log('WARN', `refused data connection from ${from}: ${(e as Error).message}`);
        sock.destroy();
      },
    );
  }

  private addPeer(peer: TcpPeer): void {
    this.allPeers.add(peer);
    const sock = peer.socket;
    // A peer host that vanishes without FIN/RST is noticed by keep-alive probes (and by the JobMaster's heartbeats).
    sock.setKeepAlive(true, 15_000);
    sock.on('error', (e: Error) => {
      if (!peer.closed) this.log('WARN', `data connection to ${peer.describe}: ${e.message}`);
      this.dropPeer(peer, e.message);
    });
    sock.on('close', () => this.dropPeer(peer, 'the connection was closed'));
  }

  private onAuthenticated(peer: TcpPeer): void {
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
        this.dropPeer(peer, `${peer.target.host}:${peer.target.port} is TaskManager ${remoteId} now, not ${peer.target.taskManagerId}`);
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
    const existing = this.peers.get(remoteId);
    if (existing === undefined || existing.closed) {
      this.peers.set(remoteId, peer);
    } else if (remoteId < this.taskManagerId && existing !== peer) {
      this.peers.set(remoteId, peer);
      existing.retiring = true;
      existing.retireIfIdle();
    }
  }

  /** A duplicate connection (see onHello) with no streams left: close it. */
  retire(peer: TcpPeer): void {
    if (peer.closed) return;
    this.log('INFO', `closing duplicate data connection to ${peer.describe}`);
    peer.writer.flush();
    this.dropPeer(peer, 'duplicate connection retired');
    peer.socket.end();
  }

  onRemotePartitionRequest(peer: TcpPeer, tcpId: number, slotIndex: number, partitionId: string, subpartition: number, credit: number): void {
    const link = this.slots.get(slotIndex);
    if (link === undefined) {
      peer.writer.text(F_ERROR, tcpId, `TaskManager ${this.taskManagerId} has no slot ${slotIndex} attached to its data plane (partition ${partitionId}, subpartition ${subpartition})`);
      return;
    }
    const servedId = link.nextServedId++;
    peer.serverStreams.set(tcpId, { slot: link, servedId });
    link.served.set(servedId, { peer, tcpId });
    postToSlot(link, { c: 0, m: { t: MSG_PARTITION_REQUEST, id: servedId, partitionId, subpartition, credit } }, null);
  }

  /** A connection is gone: its consumer streams fail (naming the TaskManager), its served streams are cancelled. */
  private dropPeer(peer: TcpPeer, reason: string): void {
    if (peer.closed) return;
    peer.closed = true;
    peer.writer.close();
    this.allPeers.delete(peer);
    this.stats.bytesSent += peer.writer.bytesWritten;
    this.stats.bytesReceived += peer.decoder.bytesRead;
    for (const [k, p] of this.peers) if (p === peer) this.peers.delete(k);
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
}

export type { RemoteTarget } from './RemoteUplink.js';
