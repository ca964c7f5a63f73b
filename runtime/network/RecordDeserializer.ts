// Decodes the network buffers of one input channel (Flink's RecordDeserializer): one msgpackr Unpackr per
// channel, fed the channel's buffers in order, so the record structures defined inline by the producer's Packr
// (see RecordBufferBuilder.ts) stay in sync. Buffers of flat tuples only (FLAG_FLAT_TUPLES) are read by a
// loop of their own: they hold no structure definitions, so skipping the Unpackr keeps it in sync.
import { Unpackr } from 'msgpackr';
import { FLAG_FLAT_TUPLES, FLAG_RESET_STRUCTURES, HEADER_SIZE, KIND_RECORDS_TS } from './NetworkBuffer.js';

function newUnpackr(): Unpackr {
  // copyBuffers: decoded Uint8Arrays must not alias the network buffer, which is recycled right after decoding.
  return new Unpackr({ sequential: true, useRecords: true, moreTypes: true, copyBuffers: true });
}

/** Decodes the buffers of one input channel, in order. */
export class RecordDeserializer {
  private unpackr: Unpackr = newUnpackr();
  private readonly flat = new FlatTupleReader();

  /** Decodes one data buffer; returns the values and, for timestamped buffers, their timestamps. */
  decode(ab: ArrayBuffer, length: number): { values: unknown[]; keys: null; timestamps: number[] | null } {
    const head = new Uint8Array(ab, 0, HEADER_SIZE);
    const view = new DataView(ab, 0, length);
    const flags = head[1]!;
    if (flags & FLAG_RESET_STRUCTURES) this.unpackr = newUnpackr();
    const count = view.getUint32(4, true);
    const dataEnd = view.getUint32(8, true);
    let values: unknown[];
    if (flags & FLAG_FLAT_TUPLES) {
      values = this.flat.read(ab, dataEnd, count);
    } else {
      values = this.unpackr.unpackMultiple(Buffer.from(ab, HEADER_SIZE, dataEnd - HEADER_SIZE)) as unknown[];
      if (values.length !== count) {
        throw new Error(`network buffer decoded into ${values.length} records, header says ${count}`);
      }
    }
    let timestamps: number[] | null = null;
    if (head[0] === KIND_RECORDS_TS) {
      const at = (dataEnd + 7) & ~7;
      timestamps = new Array<number>(count);
      for (let i = 0; i < count; i++) timestamps[i] = view.getFloat64(at + i * 8, true);
    }
    return { values, keys: null, timestamps };
  }
}

/**
 * Reads what RecordBufferBuilder.writeFlatTuple writes: fixarrays of msgpack ints, float64 and ASCII fixstr.
 * Tuples of up to four fields are built as array literals, like the producer's own (packed elements: the
 * consumer's operators see one array shape, whichever thread a record came from).
 */
class FlatTupleReader {
  private bytes = new Uint8Array(0);
  private view = new DataView(this.bytes.buffer);
  private pos = 0;
  /** The current buffer as latin1 text, decoded on the first string longer than 4 characters. */
  private text: string | null = null;

  read(ab: ArrayBuffer, dataEnd: number, count: number): unknown[] {
    this.bytes = new Uint8Array(ab, 0, dataEnd);
    this.text = null;
    this.view = new DataView(ab, 0, dataEnd);
    this.pos = HEADER_SIZE;
    const values = new Array<unknown>(count);
    for (let r = 0; r < count; r++) {
      const h = this.bytes[this.pos++]!;
      switch (h) {
        case 0x92: { const a = this.value(); values[r] = [a, this.value()]; break; }
        case 0x93: { const a = this.value(); const b = this.value(); values[r] = [a, b, this.value()]; break; }
        case 0x91: values[r] = [this.value()]; break;
        case 0x94: { const a = this.value(); const b = this.value(); const c = this.value(); values[r] = [a, b, c, this.value()]; break; }
        default: {
          if ((h & 0xf0) !== 0x90) throw corrupt(h, this.pos - 1);
          const n = h & 0x0f;
          const t: unknown[] = [];
          for (let i = 0; i < n; i++) t.push(this.value());
          values[r] = t;
        }
      }
    }
    this.text = null;
    if (this.pos !== dataEnd) throw new Error(`network buffer of flat tuples: ${count} records end at byte ${this.pos}, header says ${dataEnd}`);
    return values;
  }

  private value(): number | string {
    const b = this.bytes;
    const p = this.pos;
    const h = b[p]!;
    if (h < 0x80) { this.pos = p + 1; return h; }
    if (h >= 0xe0) { this.pos = p + 1; return h - 256; }
    if ((h & 0xe0) === 0xa0) return this.ascii(p + 1, h & 0x1f);
    switch (h) {
      case 0xcc: this.pos = p + 2; return b[p + 1]!;
      case 0xcd: this.pos = p + 3; return (b[p + 1]! << 8) | b[p + 2]!;
      case 0xce: this.pos = p + 5; return this.view.getUint32(p + 1);
      case 0xd0: this.pos = p + 2; return (b[p + 1]! << 24) >> 24;
      case 0xd1: this.pos = p + 3; return this.view.getInt16(p + 1);
      case 0xd2: this.pos = p + 5; return this.view.getInt32(p + 1);
      case 0xcb: this.pos = p + 9; return this.view.getFloat64(p + 1);
      default: throw corrupt(h, p);
    }
  }

  private ascii(at: number, len: number): string {
    const b = this.bytes;
    this.pos = at + len;
    switch (len) {
      case 0: return '';
      case 1: return String.fromCharCode(b[at]!);
      case 2: return String.fromCharCode(b[at]!, b[at + 1]!);
      case 3: return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!);
      case 4: return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
    }
    // Longer strings: cut from the buffer decoded once as latin1 (exact for ASCII). V8 copies substrings
    // under 13 characters; longer ones would be slices keeping the whole buffer's text alive (in state,
    // say), so they are built from pieces instead.
    const text = this.text ??= Buffer.from(b.buffer, 0, b.length).toString('latin1');
    if (len < 13) return text.slice(at, at + len);
    return text.slice(at, at + 8) + text.slice(at + 8, at + 12) + (len === 12 ? '' : this.tail(text, at + 12, len - 12));
  }

  private tail(text: string, at: number, len: number): string {
    return len < 13 ? text.slice(at, at + len) : text.slice(at, at + 12) + text.slice(at + 12, at + len);
  }
}

function corrupt(h: number, at: number): Error {
  return new Error(`network buffer of flat tuples is corrupt: byte 0x${h.toString(16)} at offset ${at} does not start a flat tuple's field`);
}
