// Routes between the slots' uplinks and the TCP streams (the slot-facing half of Flink's credit-based
// client and server handlers): a partition request from a consumer slot opens a stream on the connection to the
// producer's TaskManager, a request from a remote consumer opens a served stream on the producer slot; buffers,
// credits, backlog, errors and cancels then follow their stream. Producer buffers already written to a socket go
// back to their slot's pool, one post per slot and turn.
import type { MessagePort } from 'node:worker_threads';
import type { NetworkBufferPool } from '../NetworkBufferPool.js';
import { MSG_ADD_CREDIT, MSG_BACKLOG, MSG_BUFFER, MSG_CANCEL, MSG_ERROR, MSG_PARTITION_REQUEST } from '../NetworkMessage.js';
import { F_ERROR } from './frames.js';
import { uplinkEndpoint, type LocalUplinkPort } from './LocalUplinkPort.js';
import type { PeerRegistry } from './PeerRegistry.js';
import type { RemoteTarget, UplinkIn, UplinkOut } from './RemoteUplink.js';
import { SlotLink, isEndOfPartition, postToSlot, type TcpPeer } from './TcpPeer.js';

export interface SlotRouterOptions {
  taskManagerId: string;
  /** The TaskManager's receive buffers; consumer slots hand them back with their credit. */
  pool: NetworkBufferPool;
  peers: PeerRegistry;
  /** True once the data plane is shutting down: new partition requests fail. */
  isClosed: () => boolean;
}

export class SlotRouter {
  private readonly taskManagerId: string;
  private readonly pool: NetworkBufferPool;
  private readonly peers: PeerRegistry;
  private readonly isClosed: () => boolean;
  private readonly slots = new Map<number, SlotLink>();
  private pendingReturns: SlotLink[] = [];
  private returnsScheduled = false;

  constructor(opts: SlotRouterOptions) {
    this.taskManagerId = opts.taskManagerId;
    this.pool = opts.pool;
    this.peers = opts.peers;
    this.isClosed = opts.isClosed;
  }

  /** Attaches a slot's uplink; a slot attached again (restarted worker) has its old streams failed first. */
  attach(slotIndex: number, port: MessagePort | LocalUplinkPort): void {
    this.detach(slotIndex, `slot ${slotIndex} of TaskManager ${this.taskManagerId} was restarted`);
    const link = new SlotLink(slotIndex);
    this.slots.set(slotIndex, link);
    link.port = uplinkEndpoint(
      port,
      (msg: UplinkOut) => this.onSlotMessage(link, msg),
      () => {
        if (this.slots.get(slotIndex) === link) this.detach(slotIndex, `slot ${slotIndex} of TaskManager ${this.taskManagerId} went away`);
      },
    );
  }

  /** Fails the slot's remote streams (remote consumers get an error, remote producers a cancel). */
  detach(slotIndex: number, reason: string): void {
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

  /** Detaches every slot (shutdown). */
  detachAll(reason: string): void {
    for (const i of [...this.slots.keys()]) this.detach(i, reason);
  }

  /** A remote consumer requests a partition of one of our slots (PARTITION_REQUEST frame). */
  onRemotePartitionRequest(peer: TcpPeer, tcpId: number, slotIndex: number, partitionId: string, subpartition: number, credit: number, finished: boolean): void {
    const link = this.slots.get(slotIndex);
    if (link === undefined) {
      peer.writer.text(F_ERROR, tcpId, `TaskManager ${this.taskManagerId} has no slot ${slotIndex} attached to its data plane (partition ${partitionId}, subpartition ${subpartition})`);
      return;
    }
    const servedId = link.nextServedId++;
    peer.serverStreams.set(tcpId, { slot: link, servedId });
    link.served.set(servedId, { peer, tcpId });
    postToSlot(link, { c: 0, m: { t: MSG_PARTITION_REQUEST, id: servedId, partitionId, subpartition, credit, ...(finished ? { finished } : {}) } }, null);
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
        this.requestPartition(link, msg.c, m.id, m.partitionId, m.subpartition, m.credit, m.finished === true, msg.to);
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

  private requestPartition(link: SlotLink, c: number, id: number, partitionId: string, subpartition: number, credit: number, finished: boolean, to: RemoteTarget | undefined): void {
    const fail = (message: string): void => postToSlot(link, { c, m: { t: MSG_ERROR, id, message } }, null);
    if (to === undefined) return fail('partition request without a remote target');
    if (this.isClosed()) return fail(`TaskManager ${this.taskManagerId} is shutting down`);
    const peer = this.peers.peerFor(to);
    const tcpId = peer.nextClientId++;
    peer.clientStreams.set(tcpId, { slot: link, id, c });
    link.consumers.set(id, { peer, tcpId });
    peer.writer.partitionRequest(tcpId, to.slotIndex, credit, subpartition, partitionId, finished);
  }
}
