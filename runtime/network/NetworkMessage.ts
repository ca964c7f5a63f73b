// The data-plane protocol between a consumer (InputChannel) and a producer (ResultSubpartition), Flink's
// NettyMessage. Every transport (Connection) carries the same messages; a stream id (chosen by the consumer)
// multiplexes many channels over one connection.

import type { ObjectRecords } from './NetworkBuffer.js';

export const MSG_PARTITION_REQUEST = 0;
export const MSG_ADD_CREDIT = 1;
export const MSG_CANCEL = 2;
export const MSG_BUFFER = 3;
export const MSG_ERROR = 4;
export const MSG_BACKLOG = 5;

/** How an ERROR message for a finished partition the producer's TaskManager does not have starts; consumers retry those with backoff. */
export const PARTITION_NOT_FOUND = 'PartitionNotFound:';

/** Consumer → producer. */
export type ClientMessage =
  /**
   * `finished`: the consumer reads a finished blocking partition, so the producer side answers at once with
   * PARTITION_NOT_FOUND instead of waiting for the partition to be registered (Flink's PartitionNotFoundException).
   */
  | { t: typeof MSG_PARTITION_REQUEST; id: number; partitionId: string; subpartition: number; credit: number; finished?: boolean }
  /** New credit for the stream plus consumed buffers handed back for reuse (credit may be 0). */
  | { t: typeof MSG_ADD_CREDIT; id: number; credit: number; buffers: ArrayBuffer[] | null }
  | { t: typeof MSG_CANCEL; id: number };

/** Producer → consumer. `backlog` = data buffers still queued behind this one (Flink's backlog announcement). */
export type ServerMessage =
  /** `records`: an object buffer (in-thread connections only; counts one credit like any data buffer; `length` estimated). */
  | { t: typeof MSG_BUFFER; id: number; buffer: ArrayBuffer; length: number; backlog: number; isEvent: boolean; records?: ObjectRecords }
  | { t: typeof MSG_ERROR; id: number; message: string }
  /** Backlog grew while the stream had no credit (Flink's BacklogAnnouncement): ask for floating credit. */
  | { t: typeof MSG_BACKLOG; id: number; backlog: number };

export type NetworkMessage = ClientMessage | ServerMessage;
