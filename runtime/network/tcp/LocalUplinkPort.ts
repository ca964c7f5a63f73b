// The two kinds of uplink port between a slot's RemoteUplink and the TaskManager's TcpConnectionManager: a
// MessagePort (slot in a worker thread) or a same-thread LocalUplinkPort, both used through UplinkEndpoint.
import type { MessagePort } from 'node:worker_threads';

/**
 * One end of a same-thread uplink (TcpConnectionManager.attachLocalSlot): for a single-thread TaskManager the
 * slot's ShuffleEnvironment and the data plane share the thread, so messages are handed over by reference
 * instead of a MessagePort round through the event loop. Towards the slot they are delivered in a microtask
 * (batched, never re-entrant into the slot's network stack); towards the data plane synchronously, so a
 * producer's buffer reaches the socket while the producer keeps running (the data plane never calls back into
 * the slot synchronously).
 */
export class LocalUplinkPort {
  /** @internal */ other: LocalUplinkPort | null = null;
  /** Messages to this end are delivered synchronously (the data plane's end). */
  private sync = false;
  private onMessage: ((m: unknown) => void) | null = null;
  private onClose: (() => void) | null = null;
  private queue: unknown[] = [];
  private scheduled = false;
  private closed = false;
  private readonly drain = (): void => {
    this.scheduled = false;
    const q = this.queue;
    this.queue = [];
    for (let i = 0; i < q.length; i++) {
      if (this.closed || this.onMessage === null) return;
      this.onMessage(q[i]);
    }
  };

  /** A connected pair of ends: [data plane's end (synchronous delivery), slot's end]. */
  static pair(): [LocalUplinkPort, LocalUplinkPort] {
    const a = new LocalUplinkPort();
    const b = new LocalUplinkPort();
    a.sync = true;
    a.other = b;
    b.other = a;
    return [a, b];
  }

  /** @internal */
  start(onMessage: (m: unknown) => void, onClose: () => void): void {
    this.onMessage = onMessage;
    this.onClose = onClose;
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drain);
    }
  }

  /** @internal Delivers `m` to the other end (ArrayBuffers by reference: the sender no longer touches them). */
  send(m: unknown): void {
    const o = this.other;
    if (this.closed || o === null || o.closed) return;
    if (o.sync && o.onMessage !== null && !o.scheduled) {
      o.onMessage(m);
      return;
    }
    o.queue.push(m);
    if (!o.scheduled && o.onMessage !== null) {
      o.scheduled = true;
      queueMicrotask(o.drain);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    const o = this.other;
    this.other = null;
    if (o !== null && !o.closed) {
      o.closed = true;
      o.other = null;
      const cb = o.onClose;
      if (cb !== null) queueMicrotask(cb);
    }
  }
}

/** What both uplink ends post through: a MessagePort (slot in a worker thread) or a same-thread LocalUplinkPort. */
export interface UplinkEndpoint {
  send(msg: unknown, transfer: ArrayBuffer[] | null): void;
  close(): void;
}

/** Wraps either kind of port; `onMessage`/`onClose` as for MessagePort. */
export function uplinkEndpoint<M>(port: MessagePort | LocalUplinkPort, onMessage: (m: M) => void, onClose: () => void): UplinkEndpoint {
  if (port instanceof LocalUplinkPort) {
    port.start(onMessage as (m: unknown) => void, onClose);
    return { send: (m) => port.send(m), close: () => port.close() };
  }
  port.on('message', onMessage);
  port.on('close', onClose);
  return {
    send: (m, transfer) => (transfer === null ? port.postMessage(m) : port.postMessage(m, transfer)),
    close: () => {
      port.off('message', onMessage);
      port.off('close', onClose);
      port.close();
    },
  };
}
