// Slot side of the TCP data plane. A slot (worker thread, or the main thread in single-thread mode) reaches
// other TaskManagers through its TaskManager's TcpConnectionManager, over one MessagePort (the "uplink").
// The uplink carries the ordinary protocol messages, tagged with a virtual connection number:
//   c = 0    streams this slot *serves* to remote consumers (ids assigned by the TcpConnectionManager)
//   c >= 1   one per remote producer slot this slot consumes from (ids chosen by this slot's channels)
// Data ArrayBuffers are transferred in both directions, as on slot ↔ slot ports.
import type { MessagePort } from 'node:worker_threads';
import { MSG_ADD_CREDIT, MSG_BUFFER, MSG_ERROR, MSG_PARTITION_REQUEST, type Connection, type ConnectionHandler, type NetworkMessage } from '../Connection.js';

/** Where a remote partition lives: the producer's TaskManager and slot. */
export interface RemoteTarget {
  taskManagerId: string;
  host: string;
  port: number;
  slotIndex: number;
}

/** Slot → TaskManager main thread. `to` is set on PARTITION_REQUEST only. */
export interface UplinkOut {
  c: number;
  m: NetworkMessage;
  to?: RemoteTarget;
}

/** TaskManager main thread → slot. */
export interface UplinkIn {
  c: number;
  m: NetworkMessage;
}

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

export function describeTarget(t: RemoteTarget): string {
  return `TaskManager ${t.taskManagerId} (${t.host}:${t.port}, slot ${t.slotIndex})`;
}

/** One virtual connection over the uplink (see file comment). */
class UplinkConnection implements Connection {
  closed = false;
  constructor(
    private readonly uplink: RemoteUplink,
    readonly c: number,
    readonly peer: string,
    private readonly target: RemoteTarget | undefined,
  ) {}

  send(msg: NetworkMessage): void {
    if (this.closed) {
      // A channel created after the uplink went away must fail, not wait forever.
      if (msg.t === MSG_PARTITION_REQUEST) this.uplink.failLater(this, msg.id);
      return;
    }
    this.uplink.post(this.c, msg, msg.t === MSG_PARTITION_REQUEST ? this.target : undefined);
  }

  close(): void {
    this.closed = true;
  }
}

export class RemoteUplink {
  private readonly conns: UplinkConnection[] = [];
  private readonly byTarget = new Map<string, UplinkConnection>();
  private readonly port: UplinkEndpoint;
  private closed = false;
  private closeReason = 'the TaskManager network uplink is closed';
  private readonly onPortMessage = (msg: UplinkIn): void => {
    const conn = this.conns[msg.c];
    if (conn !== undefined && !conn.closed) this.handler.onMessage(conn, msg.m);
  };
  private readonly onPortClose = (): void => this.shutdown('the TaskManager network uplink closed');

  constructor(
    port: MessagePort | LocalUplinkPort,
    private readonly handler: ConnectionHandler,
  ) {
    this.conns.push(new UplinkConnection(this, 0, 'remote consumers (TaskManager network)', undefined));
    this.port = uplinkEndpoint(port, this.onPortMessage, this.onPortClose);
  }

  connectionFor(target: RemoteTarget): Connection {
    const key = `${target.taskManagerId}\u0000${target.host}\u0000${target.port}\u0000${target.slotIndex}`;
    let conn = this.byTarget.get(key);
    if (conn === undefined) {
      conn = new UplinkConnection(this, this.conns.length, describeTarget(target), { ...target });
      conn.closed = this.closed;
      this.conns.push(conn);
      this.byTarget.set(key, conn);
    }
    return conn;
  }

  failLater(conn: Connection, id: number): void {
    const reason = this.closeReason;
    queueMicrotask(() => this.handler.onMessage(conn, { t: MSG_ERROR, id, message: reason }));
  }

  post(c: number, m: NetworkMessage, to: RemoteTarget | undefined): void {
    if (this.closed) return;
    const out: UplinkOut = to === undefined ? { c, m } : { c, m, to };
    if (m.t === MSG_BUFFER) this.port.send(out, [m.buffer]);
    else if (m.t === MSG_ADD_CREDIT && m.buffers !== null) this.port.send(out, m.buffers);
    else this.port.send(out, null);
  }

  /** Fails every stream on the uplink (the handler's onClose) and closes the port. */
  shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    for (const c of this.conns) {
      if (c.closed) continue;
      c.closed = true;
      this.handler.onClose(c, reason);
    }
    this.port.close();
  }

  /** Closes the port without failing streams (the environment is closing anyway). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.conns) c.closed = true;
    this.port.close();
  }
}
