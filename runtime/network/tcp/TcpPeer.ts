// One TCP connection to another TaskManager, either direction of connect (the per-connection state of the data
// plane, Flink's Netty channel with its handlers): its frame writer and decoder, the streams it carries both ways,
// and the dispatch of incoming frames to the slots' uplinks. Also the per-slot state (SlotLink) its streams point to.
import type { Socket } from 'node:net';
import { deserializeEvent } from '../EventSerializer.js';
import { MSG_ADD_CREDIT, MSG_BACKLOG, MSG_BUFFER, MSG_CANCEL, MSG_ERROR } from '../NetworkMessage.js';
import { F_ADD_CREDIT, F_BACKLOG, F_CANCEL, F_ERROR, F_HELLO, F_PARTITION_REQUEST, FrameDecoder, FrameWriter, type FrameSink } from './frames.js';
import type { UplinkEndpoint } from './LocalUplinkPort.js';
import type { UplinkIn } from './RemoteUplink.js';

export type TcpLogger = (level: 'INFO' | 'WARN' | 'ERROR', msg: string) => void;

export interface StreamRef {
  peer: TcpPeer;
  tcpId: number;
}

/** One attached slot: its uplink port and its streams on TCP connections. */
export class SlotLink {
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

export interface ClientStream {
  slot: SlotLink;
  id: number;
  c: number;
}

export interface ServerStream {
  slot: SlotLink;
  servedId: number;
}

/** What a connection needs from its TaskManager's data plane (TcpConnectionManager). */
export interface TcpPeerHost {
  readonly log: TcpLogger;
  /** Destination for a received data buffer of `length` bytes (handed to the consumer slot). */
  receiveBuffer(length: number): ArrayBuffer;
  recycleReceiveBuffer(b: ArrayBuffer): void;
  onRemotePartitionRequest(peer: TcpPeer, tcpId: number, slotIndex: number, partitionId: string, subpartition: number, credit: number, finished: boolean): void;
  onHello(peer: TcpPeer, remoteId: string): void;
  /** A duplicate connection (see PeerRegistry.onHello) has no streams left. */
  retire(peer: TcpPeer): void;
}

/** One TCP connection to another TaskManager (either direction of connect). */
export class TcpPeer implements FrameSink {
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
    private readonly dataPlane: TcpPeerHost,
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
    return isEvent ? new ArrayBuffer(length) : this.dataPlane.receiveBuffer(length);
  }

  onBuffer(id: number, backlog: number, isEvent: boolean, buffer: ArrayBuffer, length: number): void {
    const s = this.clientStreams.get(id);
    if (s === undefined) {
      if (!isEvent) this.dataPlane.recycleReceiveBuffer(buffer); // channel gone (cancelled): memory stays here, credit is moot
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
        const finished = (body.readUInt8(12) & 1) !== 0;
        const partitionId = body.toString('utf8', 13);
        this.dataPlane.onRemotePartitionRequest(this, id, slotIndex, partitionId, subpartition, credit, finished);
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
        this.dataPlane.onHello(this, body.toString('utf8'));
        return;
      default:
        this.onProtocolError(`unexpected frame kind ${kind}`);
    }
  }

  onProtocolError(message: string): void {
    this.dataPlane.log('WARN', `data connection to ${this.describe}: protocol error: ${message}; closing it`);
    this.socket.destroy();
  }

  endClientStream(id: number, s: ClientStream): void {
    this.clientStreams.delete(id);
    s.slot.consumers.delete(s.id);
    this.retireIfIdle();
  }

  retireIfIdle(): void {
    if (this.retiring && this.clientStreams.size === 0 && this.serverStreams.size === 0) this.dataPlane.retire(this);
  }
}

export function isEndOfPartition(buffer: ArrayBuffer, length: number): boolean {
  try {
    return deserializeEvent(buffer, length).type === 'EndOfPartition';
  } catch {
    return false;
  }
}

export function postToSlot(slot: SlotLink, msg: UplinkIn, transfer: ArrayBuffer | null): void {
  slot.port.send(msg, transfer !== null ? [transfer] : null);
}
