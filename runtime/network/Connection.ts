// The data-plane protocol between a consumer (InputChannel) and a producer (ResultSubpartition), and the
// transports that carry it (Flink's NettyMessage + PartitionRequestClient/Server). Every transport carries
// the same messages; a stream id (chosen by the consumer) multiplexes many channels over one connection.
import type { MessagePort } from 'node:worker_threads';

export const MSG_PARTITION_REQUEST = 0;
export const MSG_ADD_CREDIT = 1;
export const MSG_CANCEL = 2;
export const MSG_BUFFER = 3;
export const MSG_ERROR = 4;
export const MSG_BACKLOG = 5;

/** Consumer → producer. */
export type ClientMessage =
  | { t: typeof MSG_PARTITION_REQUEST; id: number; partitionId: string; subpartition: number; credit: number }
  /** New credit for the stream plus consumed buffers handed back for reuse (credit may be 0). */
  | { t: typeof MSG_ADD_CREDIT; id: number; credit: number; buffers: ArrayBuffer[] | null }
  | { t: typeof MSG_CANCEL; id: number };

/** Producer → consumer. `backlog` = data buffers still queued behind this one (Flink's backlog announcement). */
export type ServerMessage =
  | { t: typeof MSG_BUFFER; id: number; buffer: ArrayBuffer; length: number; backlog: number; isEvent: boolean }
  | { t: typeof MSG_ERROR; id: number; message: string }
  /** Backlog grew while the stream had no credit (Flink's BacklogAnnouncement): ask for floating credit. */
  | { t: typeof MSG_BACKLOG; id: number; backlog: number };

export type NetworkMessage = ClientMessage | ServerMessage;

/** What a transport delivers to; implemented by ShuffleEnvironment. */
export interface ConnectionHandler {
  onMessage(conn: Connection, msg: NetworkMessage): void;
  onClose(conn: Connection, reason: string): void;
}

/**
 * One bidirectional connection to a peer (this thread, another slot, later another TaskManager over TCP).
 * A TCP implementation frames the same messages and plugs in here.
 */
export interface Connection {
  /** Human-readable peer, used in error messages. */
  readonly peer: string;
  readonly closed: boolean;
  send(msg: NetworkMessage): void;
  close(): void;
}

/**
 * In-thread transport: messages are handed over in a microtask (batched), so producer and consumer never
 * re-enter each other synchronously. Buffers are passed by reference, not copied.
 */
export class LoopbackConnection implements Connection {
  readonly peer = 'this thread';
  closed = false;
  private queue: NetworkMessage[] = [];
  private scheduled = false;
  private readonly drain = (): void => {
    this.scheduled = false;
    const q = this.queue;
    this.queue = [];
    for (let i = 0; i < q.length; i++) {
      if (this.closed) return;
      this.handler.onMessage(this, q[i]!);
    }
  };

  constructor(private readonly handler: ConnectionHandler) {}

  send(msg: NetworkMessage): void {
    if (this.closed) return;
    this.queue.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drain);
    }
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }
}

/**
 * Transport between two worker-thread slots of one TaskManager: one MessagePort per slot pair carries all
 * streams in both directions. Data ArrayBuffers are transferred (zero-copy) both ways: to the consumer with
 * the data, back to the producer's pool with the credit.
 */
export class MessagePortConnection implements Connection {
  closed = false;
  private readonly onPortMessage = (msg: NetworkMessage): void => this.handler.onMessage(this, msg);
  private readonly onPortClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.handler.onClose(this, `connection to ${this.peer} closed`);
  };

  constructor(
    readonly peer: string,
    private readonly port: MessagePort,
    private readonly handler: ConnectionHandler,
  ) {
    port.on('message', this.onPortMessage);
    port.on('close', this.onPortClose);
    // A message that cannot be deserialized means the stream is corrupt: fail every channel on this port.
    port.on('messageerror', (e: Error) => {
      if (this.closed) return;
      this.close();
      this.handler.onClose(this, `connection to ${this.peer} received an undecodable message: ${e.message}`);
    });
  }

  send(msg: NetworkMessage): void {
    if (this.closed) return;
    if (msg.t === MSG_BUFFER) this.port.postMessage(msg, [msg.buffer]);
    else if (msg.t === MSG_ADD_CREDIT && msg.buffers !== null) this.port.postMessage(msg, msg.buffers);
    else this.port.postMessage(msg);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.off('message', this.onPortMessage);
    this.port.close();
  }
}
