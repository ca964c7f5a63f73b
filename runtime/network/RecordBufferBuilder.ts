// Serializes records into network buffers (format: NetworkBuffer.ts) with a per-subpartition msgpackr Packr,
// and checks that records are plain data.
//
// Record structures (msgpackr's record extension) are defined inline the first time a shape is seen and
// referenced afterwards ("sequential" mode). That only decodes if the consumer sees the buffers of one
// producer→consumer stream in order with one Unpackr, which the credit protocol guarantees: one Packr per
// subpartition, one Unpackr per input channel.
import { REUSE_BUFFER_MODE, RESET_BUFFER_MODE, type Packr as MsgPackr } from 'msgpackr';
import { Packr } from './Packr.js';
import { RecordSerializationError } from './RecordSerializationError.js';
import { FLAG_FLAT_TUPLES, FLAG_RESET_STRUCTURES, HEADER_SIZE, KIND_RECORDS, KIND_RECORDS_TS } from './NetworkBuffer.js';
import type { BufferBuilder, BufferSink } from './BufferBuilder.js';

export type { BufferSink } from './BufferBuilder.js';

const PACK_MODE = REUSE_BUFFER_MODE | RESET_BUFFER_MODE;

function newPackr(describe: () => string): MsgPackr {
  return new Packr({
    sequential: true,
    useRecords: true,
    moreTypes: true,
    // msgpackr would silently write functions as undefined; records must be plain data.
    writeFunction: ((fn: unknown): never => {
      throw new RecordSerializationError(`${describe()}: record contains a ${typeName(fn)}, not plain data. ${FIX_HINT}`);
    }) as () => never,
  });
}

function structuresOf(packr: MsgPackr): { nextId?: number } {
  return (packr as unknown as { structures: { nextId?: number } }).structures;
}

interface PackResult extends Uint8Array {
  start: number;
  end: number;
}

/**
 * Serializes the records of one subpartition into network buffers (Flink's BufferBuilder +
 * RecordSerializer). Hot path: one msgpackr pack + one copy per record, no allocation per record.
 */
export class RecordBufferBuilder implements BufferBuilder {
  private packr: MsgPackr;
  /** The Packr's structure table (stable for its lifetime); `nextId` moves when a new shape is defined. */
  private structures: { nextId?: number };
  private lastStructureId = -1;
  private buf: Uint8Array | null = null;
  private view: DataView | null = null;
  private pos = HEADER_SIZE;
  private count = 0;
  private timestamped = false;
  private timestamps: number[] = [];
  private resetPending = false;
  /** Only flat tuples in the current buffer so far (FLAG_FLAT_TUPLES). */
  private flatOnly = true;
  private inPack = false;
  /** Set once the partition finished or was released: later records are a bug in the caller. */
  closedBecause: string | null = null;
  numBytes = 0;

  constructor(
    private readonly bufferSize: number,
    private readonly sink: BufferSink,
    private readonly describe: () => string,
  ) {
    this.packr = newPackr(describe);
    this.structures = structuresOf(this.packr);
  }

  get hasData(): boolean {
    return this.count > 0;
  }

  add(value: unknown, timestamp: number | undefined): void {
    if (this.closedBecause !== null) throw new Error(`${this.describe()}: cannot emit a record, the partition ${this.closedBecause}`);
    // A buffer holds either only timestamped records or only untimestamped ones.
    const ts = timestamp !== undefined;
    if (ts !== this.timestamped) {
      if (this.count > 0) this.finish();
      this.timestamped = ts;
    }
    checkTopLevel(value, this.describe);
    // No try/catch per record: `inPack` stays set if pack or the shape check throws, and the next add()
    // repairs the structure table (see resetStructures).
    if (this.inPack) this.resetStructures();
    if (Array.isArray(value) && value.length <= 15 && this.writeFlatTuple(value, timestamp)) return;
    this.inPack = true;
    const packed = this.packr.pack(value, PACK_MODE) as unknown as PackResult;
    // A new record structure means a new shape: check that shape once (class instances are otherwise
    // written as plain objects by msgpackr and would arrive without their prototype).
    const sid = this.structures.nextId ?? -1;
    if (sid !== this.lastStructureId) {
      this.lastStructureId = sid;
      if (typeof value === 'object' && value !== null) assertPlainData(value, this.describe);
    }
    this.inPack = false;
    const start = packed.start;
    const len = packed.end - start;
    const need = ts ? len + 8 : len;
    let buf = this.buf;
    if (buf === null || this.pos + need + (ts ? 8 * this.count + 8 : 0) > buf.length) {
      if (this.count > 0) this.finish();
      if (HEADER_SIZE + need + 8 > this.bufferSize) {
        this.writeOversized(packed, start, len, timestamp);
        return;
      }
      buf = this.startBuffer();
    }
    const pos = this.pos;
    if (len < 48) {
      for (let i = 0; i < len; i++) buf[pos + i] = packed[start + i]!;
    } else {
      buf.set(packed.subarray(start, start + len), pos);
    }
    this.pos = pos + len;
    this.count++;
    this.flatOnly = false;
    if (ts) this.timestamps.push(timestamp);
  }

  /**
   * Keyed records are mostly short tuples of numbers and short ASCII strings: written here as plain
   * msgpack (fixarray of ints, float64, fixstr), which any msgpack decoder reads back exactly, without
   * the per-call cost of msgpackr's pack; a buffer of nothing else is flagged FLAG_FLAT_TUPLES and decoded
   * without msgpackr too. One pass: nothing is committed until the whole tuple is written. Returns false
   * (nothing written) for anything else.
   */
  private writeFlatTuple(value: unknown[], timestamp: number | undefined): boolean {
    const n = value.length;
    const tsRoom = timestamp !== undefined ? 8 * this.count + 16 : 0;
    let buf = this.buf;
    // 32 bytes per field bound every flat field (float64: 9, string: 1 + at most 31); the exact size
    // is computed only near the end of a buffer.
    if (buf === null || this.pos + 1 + 32 * n + tsRoom > buf.length) {
      const size = flatTupleSize(value);
      if (size < 0) return false;
      if (buf === null || this.pos + size + tsRoom > buf.length) {
        if (this.count > 0) this.finish();
        buf = this.startBuffer();
      }
    }
    const view = this.view!;
    let p = this.pos;
    buf[p++] = 0x90 | n;
    for (let i = 0; i < n; i++) {
      const x = value[i];
      if (typeof x === 'number') {
        if ((x | 0) === x && (x !== 0 || 1 / x > 0)) {
          if (x >= 0) {
            if (x < 0x80) buf[p++] = x;
            else if (x < 0x100) { buf[p++] = 0xcc; buf[p++] = x; }
            else if (x < 0x10000) { buf[p++] = 0xcd; buf[p++] = x >>> 8; buf[p++] = x & 0xff; }
            else { buf[p++] = 0xce; view.setUint32(p, x); p += 4; }
          } else if (x >= -32) buf[p++] = x & 0xff;
          else if (x >= -128) { buf[p++] = 0xd0; buf[p++] = x & 0xff; }
          else if (x >= -32768) { buf[p++] = 0xd1; view.setInt16(p, x); p += 2; }
          else { buf[p++] = 0xd2; view.setInt32(p, x); p += 4; }
        } else {
          buf[p++] = 0xcb; // float64: exact for every double, -0 and NaN included
          view.setFloat64(p, x);
          p += 8;
        }
      } else if (typeof x === 'string' && x.length < 32) {
        buf[p++] = 0xa0 | x.length;
        for (let j = 0; j < x.length; j++) {
          const c = x.charCodeAt(j);
          if (c >= 0x80) return false; // not ASCII: msgpackr writes it (nothing committed yet)
          buf[p++] = c;
        }
      } else {
        return false;
      }
    }
    this.pos = p;
    this.count++;
    if (timestamp !== undefined) this.timestamps.push(timestamp);
    return true;
  }

  /** Serialized buffers do not carry keys: the consumer computes them again from the values. */
  addKeyed(value: unknown, _key: unknown, timestamp: number | undefined): void {
    this.add(value, timestamp);
  }

  /** Closes the current buffer (if it has records) and hands it to the sink. */
  finish(): void {
    const buf = this.buf;
    if (buf === null || this.count === 0) return;
    const view = this.view!;
    let end = this.pos;
    const ts = this.timestamped;
    buf[0] = ts ? KIND_RECORDS_TS : KIND_RECORDS;
    buf[1] = (this.resetPending ? FLAG_RESET_STRUCTURES : 0) | (this.flatOnly ? FLAG_FLAT_TUPLES : 0);
    this.resetPending = false;
    view.setUint32(4, this.count, true);
    view.setUint32(8, end, true);
    if (ts) {
      end = (end + 7) & ~7;
      const t = this.timestamps;
      for (let i = 0; i < t.length; i++) view.setFloat64(end + i * 8, t[i]!, true);
      end += t.length * 8;
      t.length = 0;
    }
    this.buf = null;
    this.view = null;
    this.count = 0;
    this.pos = HEADER_SIZE;
    this.numBytes += end;
    this.sink.onBufferFinished({ buffer: buf.buffer as ArrayBuffer, length: end, isEvent: false });
  }

  /** Drops the unfinished buffer (release). */
  discard(): void {
    this.buf = null;
    this.view = null;
    this.count = 0;
    this.pos = HEADER_SIZE;
    this.timestamps.length = 0;
  }

  private startBuffer(): Uint8Array {
    const ab = this.sink.acquireBuffer();
    const buf = new Uint8Array(ab, 0, this.bufferSize);
    this.buf = buf;
    this.view = new DataView(ab, 0, this.bufferSize);
    this.pos = HEADER_SIZE;
    this.flatOnly = true;
    return buf;
  }

  /** A record larger than a buffer travels alone in a buffer of its own size. */
  private writeOversized(packed: PackResult, start: number, len: number, timestamp: number | undefined): void {
    const ts = timestamp !== undefined;
    const dataEnd = HEADER_SIZE + len;
    const total = ts ? ((dataEnd + 7) & ~7) + 8 : dataEnd;
    const ab = new ArrayBuffer(total);
    const buf = new Uint8Array(ab);
    const view = new DataView(ab);
    buf.set(packed.subarray(start, start + len), HEADER_SIZE);
    buf[0] = ts ? KIND_RECORDS_TS : KIND_RECORDS;
    buf[1] = this.resetPending ? FLAG_RESET_STRUCTURES : 0;
    this.resetPending = false;
    view.setUint32(4, 1, true);
    view.setUint32(8, dataEnd, true);
    if (ts) view.setFloat64((dataEnd + 7) & ~7, timestamp, true);
    this.numBytes += total;
    this.sink.onBufferFinished({ buffer: ab, length: total, isEvent: false });
  }

  /**
   * After a failed pack the Packr may have registered a structure whose definition never reached a
   * buffer: start a fresh structure table and tell the consumer to do the same with the next buffer.
   * Records already in the current buffer were encoded with the old table, so that buffer is closed first.
   */
  private resetStructures(): void {
    this.finish();
    this.inPack = false;
    this.packr = newPackr(this.describe);
    this.structures = structuresOf(this.packr);
    this.lastStructureId = -1;
    this.resetPending = true;
  }
}

/** Bytes of `value` as a flat tuple (upper bound for numbers), or -1 if it is not one. */
function flatTupleSize(value: unknown[]): number {
  let size = 1;
  for (let i = 0; i < value.length; i++) {
    const x = value[i];
    if (typeof x === 'number') size += 9;
    else if (typeof x === 'string' && x.length < 32) size += 1 + x.length;
    else return -1;
  }
  return size;
}

const FIX_HINT =
  'Records sent between tasks must be plain data (primitives, bigint, arrays, plain objects, Map, Set, Date, ' +
  'Uint8Array/Buffer and other typed arrays); ' +
  'convert it before emitting, e.g. map(x => ({ ...x })) or a tuple.';

// Binary types msgpackr (moreTypes) restores with their exact class; Uint8Array is the documented one.
const PLAIN_CONSTRUCTORS = new Set<unknown>([
  Object, Array, Map, Set, Date, undefined, ArrayBuffer, DataView, Buffer,
  Uint8Array, Uint8ClampedArray, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
]);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'function') return `function ${(v as { name?: string }).name || '(anonymous)'}`;
  if (typeof v !== 'object') return typeof v;
  const c = (v as { constructor?: { name?: string } }).constructor;
  return c?.name ? c.name : 'object';
}

/** Cheap top-level check (O(1)) of every record: a class instance fails here even when its shape is already known. */
export function checkTopLevel(value: unknown, describe: () => string): void {
  if (typeof value === 'object' && value !== null) {
    const c = (value as { constructor?: unknown }).constructor;
    if (c !== Object && c !== Array && !PLAIN_CONSTRUCTORS.has(c)) assertPlainData(value, describe);
  } else if (typeof value === 'function' || typeof value === 'symbol') {
    assertPlainData(value, describe);
  }
}

/** Full recursive plain-data check; only called for the first record of a new shape or an unusual top-level type. */
export function assertPlainData(value: unknown, describe: () => string): void {
  const bad = findNonPlain(value, 'record', 0);
  if (bad !== null) {
    throw new RecordSerializationError(`${describe()}: ${bad.path} is ${bad.what}, not plain data. ${FIX_HINT}`);
  }
}

function findNonPlain(v: unknown, path: string, depth: number): { path: string; what: string } | null {
  const t = typeof v;
  if (t === 'function') return { path, what: `a ${typeName(v)}` };
  if (t === 'symbol') return { path, what: 'a symbol' };
  if (t !== 'object' || v === null || depth > 64) return null;
  const o = v as object;
  const proto = Object.getPrototypeOf(o) as { constructor?: unknown } | null;
  const ctor = proto === null ? undefined : proto.constructor;
  if (!PLAIN_CONSTRUCTORS.has(ctor) || (proto !== null && Object.getPrototypeOf(proto) !== null && ctor === Object)) {
    return { path, what: `an instance of class ${typeName(o)}` };
  }
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const r = findNonPlain(o[i], `${path}[${i}]`, depth + 1);
      if (r) return r;
    }
    return null;
  }
  if (o instanceof Map) {
    for (const [k, val] of o) {
      const r = findNonPlain(k, `${path}.<map key>`, depth + 1) ?? findNonPlain(val, `${path}.get(${String(k)})`, depth + 1);
      if (r) return r;
    }
    return null;
  }
  if (o instanceof Set) {
    for (const val of o) {
      const r = findNonPlain(val, `${path}.<set element>`, depth + 1);
      if (r) return r;
    }
    return null;
  }
  if (o instanceof Date || ArrayBuffer.isView(o) || o instanceof ArrayBuffer) return null;
  if (Object.getOwnPropertySymbols(o).length > 0) return { path, what: 'an object with symbol keys' };
  for (const k of Object.keys(o)) {
    const r = findNonPlain((o as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
    if (r) return r;
  }
  return null;
}
