// What a subpartition writes its records through: RecordBufferBuilder (msgpackr into network buffers) or,
// for a consumer in the same thread, ObjectBufferBuilder (the records themselves, no serialization).
import type { NetworkBuffer } from './NetworkBuffer.js';

/** Where finished buffers go and where fresh ones come from (the subpartition and the buffer pool). */
export interface BufferSink {
  acquireBuffer(): ArrayBuffer;
  /** A finished buffer; `length` bytes are valid. */
  onBufferFinished(buffer: NetworkBuffer): void;
}

/** Flink's BufferBuilder + RecordSerializer behind one subpartition. Hot path: no allocation per record. */
export interface BufferBuilder {
  readonly hasData: boolean;
  /** Bytes written into finished buffers (object buffers: an estimate of what they would take serialized). */
  readonly numBytes: number;
  /** Set once the partition finished or was released: later records are a bug in the caller. */
  closedBecause: string | null;
  add(value: unknown, timestamp: number | undefined): void;
  /** `key`: the record's key, already computed by the keyed edge's partitioner (kept only by object buffers). */
  addKeyed(value: unknown, key: unknown, timestamp: number | undefined): void;
  /** Closes the current buffer (if it has records) and hands it to the sink. */
  finish(): void;
  /** Drops the unfinished buffer (release). */
  discard(): void;
}
