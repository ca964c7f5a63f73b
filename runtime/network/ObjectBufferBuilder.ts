// The in-thread exchange (Flink's LocalInputChannel, without its serializer copy): when a subpartition's
// consumer runs in the same thread, its records are handed over as references in "object buffers" that
// travel the same queue, credit and backlog protocol as network buffers, so events keep their place
// between records and credits still bound what is queued.
import type { BufferBuilder, BufferSink } from './BufferBuilder.js';
import { OBJECT_BUFFER } from './NetworkBuffer.js';
import { assertPlainData, checkTopLevel } from './RecordBufferBuilder.js';

/**
 * Collects the records of one subpartition into object buffers. A buffer holds about what a network
 * buffer of `bufferSize` bytes would (estimated from its first record, at most `maxRecords`), so credits
 * bound memory as they do for serialized buffers. Records stay plain data as between threads: every
 * record gets the O(1) top-level check, the first of each buffer the full walk.
 */
export class ObjectBufferBuilder implements BufferBuilder {
  private values: unknown[] = [];
  private keys: unknown[] = [];
  private timestamps: number[] = [];
  private count = 0;
  private capacity = 1;
  /** Estimated bytes of the current buffer's first record: buffer lengths and byte metrics are estimates. */
  private recordBytes = 0;
  private keyed = false;
  private timestamped = false;
  closedBecause: string | null = null;
  /** Estimated: what these records would take serialized (numBytesOut/numBytesIn stay meaningful). */
  numBytes = 0;

  /**
   * `predecessor`: the serializing builder used before the consumer attached; its unfinished buffer goes
   * out before the first record written here (or at the next flush), so order is kept.
   */
  constructor(
    private readonly bufferSize: number,
    private readonly maxRecords: number,
    private readonly sink: BufferSink,
    private readonly describe: () => string,
    private predecessor: BufferBuilder | null = null,
  ) {
    if (!(Number.isInteger(maxRecords) && maxRecords >= 1)) throw new RangeError(`${describe()}: records per in-thread buffer must be an integer >= 1, got ${maxRecords}`);
  }

  get hasData(): boolean {
    return this.count > 0 || (this.predecessor !== null && this.predecessor.hasData);
  }

  add(value: unknown, timestamp: number | undefined): void {
    if (this.closedBecause !== null) this.refuse();
    const ts = timestamp !== undefined;
    // A buffer holds records of one kind (keyed or not, timestamped or not), as network buffers do.
    if (ts !== this.timestamped || this.keyed || this.predecessor !== null) this.switchKind(false, ts);
    this.check(value);
    const i = this.count;
    this.values[i] = value;
    if (ts) this.timestamps[i] = timestamp;
    if ((this.count = i + 1) >= this.capacity) this.finish();
  }

  addKeyed(value: unknown, key: unknown, timestamp: number | undefined): void {
    if (this.closedBecause !== null) this.refuse();
    const ts = timestamp !== undefined;
    if (ts !== this.timestamped || !this.keyed || this.predecessor !== null) this.switchKind(true, ts);
    this.check(value);
    const i = this.count;
    this.values[i] = value;
    this.keys[i] = key;
    if (ts) this.timestamps[i] = timestamp;
    if ((this.count = i + 1) >= this.capacity) this.finish();
  }

  private refuse(): never {
    throw new Error(`${this.describe()}: cannot emit a record, the partition ${this.closedBecause}`);
  }

  private check(value: unknown): void {
    if (this.count === 0) {
      assertPlainData(value, this.describe);
      this.recordBytes = estimateSize(value, this.bufferSize);
      this.capacity = Math.max(1, Math.min(this.maxRecords, Math.floor(this.bufferSize / this.recordBytes)));
      // Arrays of the buffer's size at once: growing them by push allocated about three times their size per buffer.
      this.values = new Array<unknown>(this.capacity);
      if (this.keyed) this.keys = new Array<unknown>(this.capacity);
      if (this.timestamped) this.timestamps = new Array<number>(this.capacity);
    } else {
      checkTopLevel(value, this.describe);
    }
  }

  private switchKind(keyed: boolean, timestamped: boolean): void {
    this.finish();
    this.keyed = keyed;
    this.timestamped = timestamped;
  }

  finish(): void {
    const pred = this.predecessor;
    if (pred !== null) {
      this.predecessor = null;
      pred.finish();
    }
    const n = this.count;
    if (n === 0) return;
    if (n < this.values.length) {
      // Flushed before full: the consumer reads `values.length` records.
      this.values.length = n;
      if (this.keyed) this.keys.length = n;
      if (this.timestamped) this.timestamps.length = n;
    }
    const records = { values: this.values, keys: this.keyed ? this.keys : null, timestamps: this.timestamped ? this.timestamps : null };
    this.values = [];
    if (this.keyed) this.keys = [];
    if (this.timestamped) this.timestamps = [];
    const length = this.recordBytes * this.count;
    this.numBytes += length;
    this.count = 0;
    this.sink.onBufferFinished({ buffer: OBJECT_BUFFER, length, isEvent: false, records });
  }

  discard(): void {
    this.predecessor?.discard();
    this.predecessor = null;
    this.values = [];
    this.keys = [];
    this.timestamps = [];
    this.count = 0;
  }
}

/** Rough serialized size of a record (msgpack-like), stopping once it exceeds `limit`. */
export function estimateSize(v: unknown, limit: number): number {
  switch (typeof v) {
    case 'number': case 'bigint': return 9;
    case 'string': return 5 + v.length;
    case 'object': break;
    default: return 1;
  }
  if (v === null) return 1;
  let n = 5;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && n <= limit; i++) n += estimateSize(v[i], limit);
  } else if (ArrayBuffer.isView(v)) {
    n += v.byteLength;
  } else if (v instanceof ArrayBuffer) {
    n += v.byteLength;
  } else if (v instanceof Map) {
    for (const [k, x] of v) { n += estimateSize(k, limit) + estimateSize(x, limit); if (n > limit) break; }
  } else if (v instanceof Set) {
    for (const x of v) { n += estimateSize(x, limit); if (n > limit) break; }
  } else if (!(v instanceof Date)) {
    for (const k in v) { n += 1 + k.length + estimateSize((v as Record<string, unknown>)[k], limit); if (n > limit) break; }
  }
  return n;
}
