// The network buffer (Flink's NetworkBuffer / Buffer): the unit the transports carry and credits count.
//
// One network buffer = one ArrayBuffer (pooled, `bufferSize` bytes; oversized for a single large record):
//   [0]      u8   kind: KIND_RECORDS | KIND_RECORDS_TS | KIND_EVENT
//   [1]      u8   flags: FLAG_RESET_STRUCTURES = the consumer must start a fresh record-structure table;
//                 FLAG_FLAT_TUPLES = every record is a flat tuple (fixarray of msgpack ints, float64 and
//                 ASCII fixstr, nothing else), so the consumer may decode it without msgpackr
//   [4..8)   u32  number of records
//   [8..12)  u32  end offset of the msgpack data (data starts at HEADER_SIZE)
//   [16..)        msgpack values back to back (sequential record structures)
//   then, for KIND_RECORDS_TS, 8-byte aligned float64 timestamps, one per record.
//
// Written by RecordBufferBuilder (records) and EventSerializer (events), read by RecordDeserializer.

export const HEADER_SIZE = 16;
export const KIND_RECORDS = 1;
export const KIND_RECORDS_TS = 2;
export const KIND_EVENT = 3;
export const FLAG_RESET_STRUCTURES = 1;
export const FLAG_FLAT_TUPLES = 2;

/**
 * The records of an object buffer (in-thread exchange, ObjectBufferBuilder): handed over by reference,
 * never serialized. `keys` are the keys the producer's KeyGroupStreamPartitioner computed (keyed edges).
 */
export interface ObjectRecords {
  values: unknown[];
  keys: unknown[] | null;
  timestamps: number[] | null;
}

/** The `buffer` of every object buffer: it has no bytes, and the pool never takes it (wrong size). */
export const OBJECT_BUFFER = new ArrayBuffer(0);

/** Buffers handed to the transport: the ArrayBuffer plus the number of valid bytes. */
export interface NetworkBuffer {
  buffer: ArrayBuffer;
  length: number;
  /** An object buffer: the records themselves (then `buffer` is OBJECT_BUFFER and `length` an estimate of their serialized size). */
  records?: ObjectRecords;
  /** Events need no credit (Flink sends them regardless); data buffers do. */
  isEvent: boolean;
  /** Set on EndOfPartition so the subpartition knows its stream is complete. */
  isEndOfPartition?: boolean;
}

export function bufferKind(ab: ArrayBuffer): number {
  return new Uint8Array(ab, 0, 1)[0]!;
}
