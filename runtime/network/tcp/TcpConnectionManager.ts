// The TaskManager's TCP data plane (Flink's NettyConnectionManager: NettyServer + NettyClient + PartitionRequestClientFactory +
// the credit-based client/server handlers). Lives in the TaskManager's main thread. One authenticated TCP
// connection per TaskManager pair multiplexes every channel between them, in both directions; slots reach it
// through their uplink MessagePort (attachSlot). It only routes: credits, backlog and ordering are the slots'
// (the ordinary credit-based protocol, end to end), so a congested channel never blocks the connection —
// data is only sent against credit, and this side always reads the socket.
//
// Pieces (all in this thread): TcpServer accepts and authenticates inbound connections, TcpClient dials and
// authenticates outbound ones, PeerRegistry keeps one connection (TcpPeer) per TaskManager pair, SlotRouter
// routes between the slots' uplinks and the streams on those connections.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { NetworkBufferPool } from '../NetworkBufferPool.js';
import { DEFAULT_NETWORK_CONFIG } from '../NetworkConfig.js';
import { LocalUplinkPort } from './LocalUplinkPort.js';
import { PeerRegistry } from './PeerRegistry.js';
import { SlotRouter } from './SlotRouter.js';
import type { TcpLogger, TcpPeerHost } from './TcpPeer.js';
import { TcpServer } from './TcpServer.js';

export type { TcpLogger } from './TcpPeer.js';

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
  readonly log: TcpLogger;
  /** Receive buffers (consumer side): handed to consumer slots, back with their credit. */
  private readonly pool: NetworkBufferPool;
  private readonly server: TcpServer;
  private readonly peers: PeerRegistry;
  private readonly router: SlotRouter;
  private closed = false;

  constructor(opts: TcpConnectionManagerOptions) {
    const taskManagerId = (this.taskManagerId = opts.taskManagerId);
    const secret = opts.secret;
    const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
    const log = (this.log = opts.log ?? ((level, msg) => process.stderr.write(`${level} TcpConnectionManager(${opts.taskManagerId}) - ${msg}\n`)));
    const pool = (this.pool = new NetworkBufferPool(opts.bufferSize ?? DEFAULT_NETWORK_CONFIG.bufferSize, 1024));
    const peerHost: TcpPeerHost = {
      log,
      receiveBuffer: (length) => (length <= pool.bufferSize ? pool.acquire() : new ArrayBuffer(length)),
      recycleReceiveBuffer: (b) => pool.recycle(b),
      onRemotePartitionRequest: (peer, tcpId, slotIndex, partitionId, subpartition, credit, finished) =>
        this.router.onRemotePartitionRequest(peer, tcpId, slotIndex, partitionId, subpartition, credit, finished),
      onHello: (peer, remoteId) => this.peers.onHello(peer, remoteId),
      retire: (peer) => this.peers.retire(peer),
    };
    this.peers = new PeerRegistry({ taskManagerId, secret, handshakeTimeoutMs, log, peerHost });
    this.router = new SlotRouter({ taskManagerId, pool, peers: this.peers, isClosed: () => this.closed });
    this.server = new TcpServer({
      bindHost: opts.bindHost ?? '0.0.0.0',
      port: opts.port ?? 0,
      secret,
      handshakeTimeoutMs,
      log,
      onConnection: (sock) => this.peers.accept(sock),
    });
  }

  /** Starts listening; resolves with the bound data port. */
  start(): Promise<{ port: number }> {
    return this.server.start();
  }

  get port(): number {
    return this.server.port;
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
    this.router.attach(slotIndex, port);
  }

  /** Fails the slot's remote streams (remote consumers get an error, remote producers a cancel). */
  detachSlot(slotIndex: number, reason = `slot ${slotIndex} of TaskManager ${this.taskManagerId} was detached`): void {
    this.router.detach(slotIndex, reason);
  }

  /** Drops the connection(s) to a TaskManager (e.g. the JobMaster declared it lost); its streams fail, new ones reconnect. */
  closeConnection(taskManagerId: string): void {
    this.peers.closeConnection(taskManagerId);
  }

  getStats(): TcpConnectionStats {
    const { connections, bytesSent, bytesReceived, streams } = this.peers.stats();
    return { connections, bytesSent, bytesReceived, authFailures: this.server.authFailures, receiveBuffersAllocated: this.pool.numAllocated, streams };
  }

  /** Closes the server, every connection (their streams fail) and the slot uplinks. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const reason = `TaskManager ${this.taskManagerId} is shutting down`;
    this.peers.closeAll(reason);
    this.router.detachAll(reason);
    await this.server.close();
  }
}

export type { RemoteTarget } from './RemoteUplink.js';
