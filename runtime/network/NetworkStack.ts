// The network stack of one thread, behind ShuffleEnvironment (Flink's NettyShuffleEnvironment with the
// protocol handlers PartitionRequestServerHandler and CreditBasedPartitionRequestClientHandler): owns the buffer
// pool, the partitions produced and the gates consumed in this thread, and the connections to other slots.
import type { MessagePort } from 'node:worker_threads';
import type { Connection, ConnectionHandler } from './Connection.js';
import type { InputChannel } from './InputChannel.js';
import type { InputChannelDescriptor } from './InputChannelDescriptor.js';
import { LoopbackConnection } from './LoopbackConnection.js';
import { MessagePortConnection } from './MessagePortConnection.js';
import { NetworkBufferPool } from './NetworkBufferPool.js';
import { resolveNetworkConfig, type NetworkConfig } from './NetworkConfig.js';
import { MSG_ADD_CREDIT, MSG_BACKLOG, MSG_BUFFER, MSG_CANCEL, MSG_ERROR, MSG_PARTITION_REQUEST, PARTITION_NOT_FOUND, type NetworkMessage } from './NetworkMessage.js';
import { ResultPartitionImpl, type PartitionHost, type ResultPartition } from './ResultPartition.js';
import { BlockingResultPartition, type BlockingPartitionHost } from './partition/BlockingResultPartition.js';
import type { BlockingSubpartitionView, SubpartitionView } from './partition/BlockingSubpartitionView.js';
import { ResultPartitionFactory } from './partition/ResultPartitionFactory.js';
import { SingleInputGateImpl, type GateHost, type SingleInputGate } from './SingleInputGate.js';
import type { LocalUplinkPort } from './tcp/LocalUplinkPort.js';
import { RemoteUplink } from './tcp/RemoteUplink.js';

interface ParkedRequest {
  conn: Connection;
  id: number;
  subpartition: number;
  credit: number;
  timer: NodeJS.Timeout;
}

/** Per-connection routing tables: consumer-chosen stream id → producer view / consumer channel. */
interface ConnectionState {
  served: Map<number, SubpartitionView>;
  channels: Map<number, InputChannel>;
}

/** The implementation behind ShuffleEnvironment; its protocol handlers are not part of the public API. */
export class NetworkStack implements ConnectionHandler, PartitionHost, GateHost, BlockingPartitionHost {
  readonly slotIndex: number;
  readonly config: Readonly<Required<NetworkConfig>>;
  readonly pool: NetworkBufferPool;
  private readonly partitions = new Map<string, ResultPartitionImpl>();
  /** BATCH results on local disk, served once finished (runtime/network/partition/). */
  private readonly blockingPartitions = new Map<string, BlockingResultPartition>();
  private readonly partitionFactory: ResultPartitionFactory;
  /** Released partitions and why, so late requests get a precise error (bounded). */
  private readonly releasedPartitions = new Map<string, string>();
  private readonly parked = new Map<string, ParkedRequest[]>();
  private readonly loopback: LoopbackConnection;
  private readonly slotConnections = new Map<number, Connection>();
  private readonly state = new Map<Connection, ConnectionState>();
  private readonly gates = new Set<SingleInputGateImpl>();
  /** Channels to other TaskManagers, through the TaskManager's TcpConnectionManager. */
  private uplink: RemoteUplink | null = null;
  private nextStreamId = 1;
  private closed = false;

  constructor(opts: { slotIndex: number; config: NetworkConfig }) {
    this.slotIndex = opts.slotIndex;
    this.config = resolveNetworkConfig(opts.config);
    // Enough free buffers for every credit in flight on a busy slot; beyond that, leave them to the GC.
    this.pool = new NetworkBufferPool(this.config.bufferSize, 1024);
    this.loopback = new LoopbackConnection(this);
    this.partitionFactory = new ResultPartitionFactory(this.config.blockingShuffle as Required<NonNullable<NetworkConfig['blockingShuffle']>>, this.config.bufferSize, this.slotIndex);
  }

  get buffersPerChannel(): number {
    return this.config.buffersPerChannel;
  }

  get floatingBuffersPerGate(): number {
    return this.config.floatingBuffersPerGate;
  }

  get partitionRequestBackoff(): { initialMs: number; maxMs: number } {
    return this.config.partitionRequestBackoff;
  }

  /** Connect this slot to another slot of the same TaskManager; all channels between the two slots share the port. */
  addSlotConnection(peerSlotIndex: number, port: MessagePort): void {
    if (peerSlotIndex === this.slotIndex) throw new Error(`slot ${this.slotIndex}: cannot add a slot connection to itself`);
    const old = this.slotConnections.get(peerSlotIndex);
    if (old !== undefined) {
      // The peer slot was replaced (its worker died and was respawned) before its old port reported 'close'.
      old.close();
      this.onClose(old, `slot ${peerSlotIndex} was replaced`);
    }
    this.slotConnections.set(peerSlotIndex, new MessagePortConnection(`slot ${peerSlotIndex}`, port, this));
  }

  /** Connect this slot to the TaskManager's TcpConnectionManager (port from its attachSlot()); carries all remote channels. */
  setRemoteUplink(port: MessagePort | LocalUplinkPort): void {
    this.checkOpen();
    if (this.uplink !== null) this.uplink.shutdown(`slot ${this.slotIndex}: the TaskManager network uplink was replaced`);
    this.uplink = new RemoteUplink(port, this);
  }

  createResultPartition(opts: { partitionId: string; numSubpartitions: number; bufferTimeout: number; owner: string; type?: 'PIPELINED' | 'BLOCKING'; inThreadHandover?: boolean }): ResultPartition {
    this.checkOpen();
    const existing = this.partitions.get(opts.partitionId) ?? this.blockingPartitions.get(opts.partitionId);
    if (existing !== undefined) throw new Error(`slot ${this.slotIndex}: partition ${opts.partitionId} is already registered (by ${existing.owner})`);
    if (opts.type === 'BLOCKING') return this.createBlockingPartition(opts);
    const p = new ResultPartitionImpl(this, opts.partitionId, opts.numSubpartitions, opts.bufferTimeout, opts.owner, this.config.bufferSize, this.config.maxBuffersPerSubpartition, opts.inThreadHandover === false ? 0 : this.config.inThreadBufferRecords);
    this.partitions.set(opts.partitionId, p);
    this.releasedPartitions.delete(opts.partitionId);
    this.serveParked(opts.partitionId, (r) => this.attachRequest(p, r.conn, r.id, r.subpartition, r.credit));
    return p;
  }

  private createBlockingPartition(opts: { partitionId: string; numSubpartitions: number; owner: string }): BlockingResultPartition {
    const p = this.partitionFactory.createBlocking(this, opts);
    this.blockingPartitions.set(opts.partitionId, p);
    this.releasedPartitions.delete(opts.partitionId);
    this.serveParked(opts.partitionId, (r) => this.attachBlockingRequest(p, r.conn, r.id, r.subpartition, r.credit));
    return p;
  }

  /** Requests that arrived before their partition was created: served now. */
  private serveParked(partitionId: string, attach: (r: ParkedRequest) => void): void {
    const waiting = this.parked.get(partitionId);
    if (waiting === undefined) return;
    this.parked.delete(partitionId);
    for (const r of waiting) {
      clearTimeout(r.timer);
      attach(r);
    }
  }

  /**
   * The JobMaster releases blocking partitions (their consumers are done, their producer reruns, or the job
   * ended): consumers still reading fail with `cause`, the files go once the last reader closed them.
   */
  releaseBlockingPartitions(match: (partitionId: string) => boolean, cause: string): number {
    let n = 0;
    for (const p of [...this.blockingPartitions.values()]) {
      if (!match(p.partitionId)) continue;
      p.release(new Error(cause));
      n++;
    }
    return n;
  }

  /** The shuffle directories this stack created (tests check they are gone after close). */
  get shuffleDirs(): string[] {
    return this.partitionFactory.shuffleDirs;
  }

  createInputGate(opts: { channels: InputChannelDescriptor[]; owner: string }): SingleInputGate {
    this.checkOpen();
    const gate = new SingleInputGateImpl(this, opts.channels, opts.owner);
    this.gates.add(gate);
    return gate;
  }

  /** Releases all partitions, closes all gates and slot connections. */
  close(): void {
    if (this.closed) return;
    for (const g of [...this.gates]) g.close();
    for (const p of [...this.partitions.values()]) p.release(new Error(`network environment of slot ${this.slotIndex} closed`));
    for (const p of [...this.blockingPartitions.values()]) p.release(new Error(`network environment of slot ${this.slotIndex} closed`));
    // Readers still closing their file handles do not matter: the directories go with everything in them.
    this.partitionFactory.close();
    for (const list of this.parked.values()) for (const r of list) clearTimeout(r.timer);
    this.parked.clear();
    this.closed = true;
    // Let the messages above (cancels, errors) go out before the ports close.
    for (const c of this.slotConnections.values()) setImmediate(() => c.close());
    this.slotConnections.clear();
    const uplink = this.uplink;
    if (uplink !== null) setImmediate(() => uplink.close());
    this.uplink = null;
    this.loopback.close();
  }

  /** Registered partitions, open routes and parked requests (tests: nothing may leak after a job). */
  debugCounts(): { partitions: number; servedStreams: number; channels: number; parkedRequests: number; gates: number } {
    let servedStreams = 0;
    let channels = 0;
    for (const st of this.state.values()) {
      servedStreams += st.served.size;
      channels += st.channels.size;
    }
    let parkedRequests = 0;
    for (const l of this.parked.values()) parkedRequests += l.length;
    return { partitions: this.partitions.size + this.blockingPartitions.size, servedStreams, channels, parkedRequests, gates: this.gates.size };
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`network environment of slot ${this.slotIndex} is closed`);
  }

  // ---- GateHost ----

  connectionFor(desc: InputChannelDescriptor, owner: string): Connection {
    const loc = desc.location;
    if (loc.kind === 'local' || (loc.kind === 'slot' && loc.slotIndex === this.slotIndex)) return this.loopback;
    if (loc.kind === 'slot') {
      const c = this.slotConnections.get(loc.slotIndex);
      if (c === undefined) {
        throw new Error(`${owner}: no connection from slot ${this.slotIndex} to slot ${loc.slotIndex} for partition ${desc.partitionId}; the TaskManager must call addSlotConnection() for every slot pair before deploying tasks`);
      }
      return c;
    }
    if (this.uplink === null) {
      throw new Error(`${owner}: partition ${desc.partitionId} is on TaskManager ${loc.taskManagerId} (${loc.host}:${loc.port}) but slot ${this.slotIndex} has no TaskManager network uplink; the TaskManager must call setRemoteUplink(tcp.attachSlot(slot)) before deploying tasks`);
    }
    if (loc.slotIndex === undefined) {
      throw new Error(`${owner}: remote location of partition ${desc.partitionId} on TaskManager ${loc.taskManagerId} (${loc.host}:${loc.port}) has no producer slotIndex`);
    }
    return this.uplink.connectionFor({ taskManagerId: loc.taskManagerId, host: loc.host, port: loc.port, slotIndex: loc.slotIndex });
  }

  registerChannel(conn: Connection, channel: InputChannel): number {
    const id = this.nextStreamId++;
    this.stateOf(conn).channels.set(id, channel);
    return id;
  }

  unregisterChannel(conn: Connection, streamId: number): void {
    this.state.get(conn)?.channels.delete(streamId);
  }

  onGateClosed(gate: SingleInputGateImpl): void {
    this.gates.delete(gate);
  }

  // ---- BlockingPartitionHost ----

  newShuffleFilePrefix(): string {
    return this.partitionFactory.newShuffleFilePrefix();
  }

  onBlockingPartitionReleased(partition: BlockingResultPartition, cause: string | null): void {
    if (this.blockingPartitions.get(partition.partitionId) !== partition) return;
    this.blockingPartitions.delete(partition.partitionId);
    this.rememberReleased(partition.partitionId, cause ?? `partition ${partition.partitionId} of ${partition.owner} was fully consumed and released`);
  }

  // ---- PartitionHost ----

  onPartitionReleased(partition: ResultPartitionImpl, cause: string | null): void {
    if (this.partitions.get(partition.partitionId) !== partition) return;
    this.partitions.delete(partition.partitionId);
    for (const s of partition.subpartitions) {
      const key = s.streamKey;
      if (key !== null) this.state.get(key.conn)?.served.delete(key.id);
    }
    if (cause !== null) this.rememberReleased(partition.partitionId, cause);
  }

  private rememberReleased(partitionId: string, cause: string): void {
    this.releasedPartitions.set(partitionId, cause);
    if (this.releasedPartitions.size > 1000) this.releasedPartitions.delete(this.releasedPartitions.keys().next().value!);
  }

  // ---- ConnectionHandler: the protocol ----

  onMessage(conn: Connection, msg: NetworkMessage): void {
    switch (msg.t) {
      case MSG_BUFFER: {
        const ch = this.state.get(conn)?.channels.get(msg.id);
        if (ch !== undefined) ch.onBuffer(msg.buffer, msg.length, msg.backlog, msg.isEvent, msg.records);
        else if (!msg.isEvent && msg.records === undefined) conn.send({ t: MSG_ADD_CREDIT, id: msg.id, credit: 0, buffers: [msg.buffer] }); // channel gone: give the memory back
        return;
      }
      case MSG_ADD_CREDIT: {
        const bufs = msg.buffers;
        if (bufs !== null) for (let i = 0; i < bufs.length; i++) this.pool.recycle(bufs[i]!);
        if (msg.credit > 0) this.state.get(conn)?.served.get(msg.id)?.addCredit(msg.credit);
        return;
      }
      case MSG_PARTITION_REQUEST:
        this.onPartitionRequest(conn, msg.id, msg.partitionId, msg.subpartition, msg.credit, msg.finished === true);
        return;
      case MSG_CANCEL: {
        const served = this.state.get(conn)?.served;
        const sp = served?.get(msg.id);
        if (sp !== undefined) {
          served!.delete(msg.id);
          sp.detach();
        }
        this.unpark(conn, msg.id);
        return;
      }
      case MSG_ERROR:
        this.state.get(conn)?.channels.get(msg.id)?.onError(msg.message);
        return;
      case MSG_BACKLOG:
        this.state.get(conn)?.channels.get(msg.id)?.onBacklog(msg.backlog);
        return;
    }
  }

  onClose(conn: Connection, reason: string): void {
    const st = this.state.get(conn);
    this.state.delete(conn);
    for (const [peer, c] of this.slotConnections) if (c === conn) this.slotConnections.delete(peer);
    for (const [pid, list] of this.parked) {
      const keep = list.filter((r) => {
        if (r.conn !== conn) return true;
        clearTimeout(r.timer);
        return false;
      });
      if (keep.length > 0) this.parked.set(pid, keep);
      else this.parked.delete(pid);
    }
    if (st === undefined) return;
    for (const sp of st.served.values()) sp.detach();
    for (const ch of st.channels.values()) ch.onError(reason);
  }

  private onPartitionRequest(conn: Connection, id: number, partitionId: string, subpartition: number, credit: number, finished: boolean): void {
    const p = this.partitions.get(partitionId);
    if (p !== undefined) {
      this.attachRequest(p, conn, id, subpartition, credit);
      return;
    }
    const bp = this.blockingPartitions.get(partitionId);
    if (bp !== undefined) {
      this.attachBlockingRequest(bp, conn, id, subpartition, credit);
      return;
    }
    const released = this.releasedPartitions.get(partitionId);
    if (released !== undefined) {
      conn.send({ t: MSG_ERROR, id, message: released });
      return;
    }
    // A finished blocking partition is registered or gone: the consumer retries with backoff, then reports it lost.
    if (finished) {
      conn.send({ t: MSG_ERROR, id, message: `${PARTITION_NOT_FOUND} partition ${partitionId} (subpartition ${subpartition}) is not in slot ${this.slotIndex}; its producer finished elsewhere or its files are gone` });
      return;
    }
    // Pipelined: the producer may not have registered yet (its task is being deployed). Park the request.
    const timeoutMs = this.config.partitionRequestTimeoutMs;
    const timer = setTimeout(() => {
      this.unpark(conn, id);
      conn.send({
        t: MSG_ERROR,
        id,
        message: `partition ${partitionId} (subpartition ${subpartition}) was not registered in slot ${this.slotIndex} within ${timeoutMs} ms; its producer task was not deployed there or failed before starting`,
      });
    }, timeoutMs);
    timer.unref();
    let list = this.parked.get(partitionId);
    if (list === undefined) this.parked.set(partitionId, (list = []));
    list.push({ conn, id, subpartition, credit, timer });
  }

  private unpark(conn: Connection, id: number): void {
    for (const [pid, list] of this.parked) {
      const i = list.findIndex((r) => r.conn === conn && r.id === id);
      if (i >= 0) {
        clearTimeout(list[i]!.timer);
        list.splice(i, 1);
        if (list.length === 0) this.parked.delete(pid);
        return;
      }
    }
  }

  private attachRequest(p: ResultPartitionImpl, conn: Connection, id: number, subpartition: number, credit: number): void {
    const sp = p.subpartitions[subpartition];
    if (sp === undefined) {
      conn.send({ t: MSG_ERROR, id, message: `partition ${p.partitionId} has ${p.numSubpartitions} subpartitions, subpartition ${subpartition} was requested` });
      return;
    }
    this.stateOf(conn).served.set(id, sp);
    const refused = sp.attach(conn, id, credit);
    if (refused !== null) {
      this.stateOf(conn).served.delete(id);
      conn.send({ t: MSG_ERROR, id, message: `subpartition ${subpartition} of partition ${p.partitionId} cannot be consumed: ${refused}` });
    }
  }

  private attachBlockingRequest(p: BlockingResultPartition, conn: Connection, id: number, subpartition: number, credit: number): void {
    const served = this.stateOf(conn).served;
    const onRouteClosed = (v: BlockingSubpartitionView): void => {
      const st = this.state.get(conn);
      if (st !== undefined && st.served.get(id) === v) st.served.delete(id);
    };
    const view = p.createView(subpartition, conn, id, credit, onRouteClosed);
    if (typeof view === 'string') {
      conn.send({ t: MSG_ERROR, id, message: `subpartition ${subpartition} of partition ${p.partitionId} cannot be consumed: ${view}` });
      return;
    }
    // Reads are asynchronous, so the view cannot have closed (and dropped its route) before this line.
    served.set(id, view);
  }

  private stateOf(conn: Connection): ConnectionState {
    let st = this.state.get(conn);
    if (st === undefined) this.state.set(conn, (st = { served: new Map(), channels: new Map() }));
    return st;
  }
}
