// Slot side of the TCP data plane. A slot (worker thread, or the main thread in single-thread mode) reaches
// other TaskManagers through its TaskManager's TcpConnectionManager, over one MessagePort (the "uplink").
// The uplink carries the ordinary protocol messages, tagged with a virtual connection number:
//   c = 0    streams this slot *serves* to remote consumers (ids assigned by the TcpConnectionManager)
//   c >= 1   one per remote producer slot this slot consumes from (ids chosen by this slot's channels)
// Data ArrayBuffers are transferred in both directions, as on slot ↔ slot ports.
import type { MessagePort } from 'node:worker_threads';
import type { Connection, ConnectionHandler } from '../Connection.js';
import { MSG_ADD_CREDIT, MSG_BUFFER, MSG_ERROR, MSG_PARTITION_REQUEST, type NetworkMessage } from '../NetworkMessage.js';
import { uplinkEndpoint, type LocalUplinkPort, type UplinkEndpoint } from './LocalUplinkPort.js';

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
