// Decodes the network buffers of one input channel (Flink's RecordDeserializer): one msgpackr Unpackr per
// channel, fed the channel's buffers in order, so the record structures defined inline by the producer's Packr
// (see RecordBufferBuilder.ts) stay in sync.
import { Unpackr } from 'msgpackr';
import { FLAG_RESET_STRUCTURES, HEADER_SIZE, KIND_RECORDS_TS } from './NetworkBuffer.js';

function newUnpackr(): Unpackr {
  // copyBuffers: decoded Uint8Arrays must not alias the network buffer, which is recycled right after decoding.
  return new Unpackr({ sequential: true, useRecords: true, moreTypes: true, copyBuffers: true });
}

/** Decodes the buffers of one input channel, in order. */
export class RecordDeserializer {
  private unpackr: Unpackr = newUnpackr();

  /** Decodes one data buffer; returns the values and, for timestamped buffers, their timestamps. */
  decode(ab: ArrayBuffer, length: number): { values: unknown[]; keys: null; timestamps: number[] | null } {
    const head = new Uint8Array(ab, 0, HEADER_SIZE);
    const view = new DataView(ab, 0, length);
    if (head[1]! & FLAG_RESET_STRUCTURES) this.unpackr = newUnpackr();
    const count = view.getUint32(4, true);
    const dataEnd = view.getUint32(8, true);
    const values = this.unpackr.unpackMultiple(Buffer.from(ab, HEADER_SIZE, dataEnd - HEADER_SIZE)) as unknown[];
    if (values.length !== count) {
      throw new Error(`network buffer decoded into ${values.length} records, header says ${count}`);
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
