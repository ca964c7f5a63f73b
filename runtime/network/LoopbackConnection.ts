import type { Connection, ConnectionHandler } from './Connection.js';
import type { NetworkMessage } from './NetworkMessage.js';

/**
 * In-thread transport: messages are handed over in a microtask (batched), so producer and consumer never
 * re-enter each other synchronously. Buffers are passed by reference, not copied, and so are the records
 * of object buffers (see ObjectBufferBuilder).
 */
export class LoopbackConnection implements Connection {
  readonly peer = 'this thread';
  readonly inThread = true;
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
