import type { MessagePort } from 'node:worker_threads';
import type { Connection, ConnectionHandler } from './Connection.js';
import { MSG_ADD_CREDIT, MSG_BUFFER, type NetworkMessage } from './NetworkMessage.js';

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
