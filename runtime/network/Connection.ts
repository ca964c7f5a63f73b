// The transport abstraction under the data-plane protocol (NetworkMessage.ts): Flink's PartitionRequestClient
// and the server side of a Netty channel in one bidirectional interface. Implementations: LoopbackConnection
// (in-thread), MessagePortConnection (slot ↔ slot), tcp/RemoteUplink (to other TaskManagers).
import type { NetworkMessage } from './NetworkMessage.js';

/** What a transport delivers to; implemented by NetworkStack. */
export interface ConnectionHandler {
  onMessage(conn: Connection, msg: NetworkMessage): void;
  onClose(conn: Connection, reason: string): void;
}

/**
 * One bidirectional connection to a peer (this thread, another slot, another TaskManager over TCP).
 * A TCP implementation frames the same messages and plugs in here.
 */
export interface Connection {
  /** Human-readable peer, used in error messages. */
  readonly peer: string;
  readonly closed: boolean;
  /**
   * Messages reach the peer by reference in this thread (LoopbackConnection): a subpartition consumed over
   * it hands records over as objects instead of serializing them (ObjectBufferBuilder).
   */
  readonly inThread?: boolean;
  send(msg: NetworkMessage): void;
  close(): void;
}
