// Bytes of checkpointed state: frames of [format version: u8][payload length: u32 BE][msgpack payload].
// Each frame decodes on its own (a key group, or one operator-state list element), because after
// rescaling a subtask reads only some frames of an old subtask's stream. The version byte lets a
// later format be told apart; the length makes truncation detectable.
import { Unpackr, type Packr as MsgPackr } from 'msgpackr';
import { Packr } from '../network/Packr.js';

export const STATE_FORMAT_VERSION = 1;
const HEADER = 5;

// Records keep plain objects apart from Maps (both are msgpack maps otherwise). A fresh Packr per frame
// defines its record structures inline, so a frame needs no structures from another frame.
function framePackr(what: () => string): MsgPackr {
  return new Packr({
    useRecords: true, sequential: true, moreTypes: true,
    // msgpackr would silently write functions as undefined.
    writeFunction: ((): never => {
      throw new Error(`${what()}: state holds a function, which cannot be checkpointed; keep only data (numbers, strings, bigint, arrays, objects, Maps, Sets, Dates, Uint8Arrays) in state.`);
    }) as () => never,
  });
}

/** Appends frames to one growing buffer (one copy per frame; the final bytes are owned by the caller). */
export class StateFrameWriter {
  private buf = new Uint8Array(4096);
  private pos = 0;

  /** Writes `value` as one frame; returns the offset where the frame starts. */
  write(value: unknown, what: () => string): number {
    const payload = framePackr(what).pack(value);
    const start = this.pos;
    this.ensure(HEADER + payload.length);
    this.buf[start] = STATE_FORMAT_VERSION;
    new DataView(this.buf.buffer).setUint32(start + 1, payload.length);
    this.buf.set(payload, start + HEADER);
    this.pos = start + HEADER + payload.length;
    return start;
  }

  /** The bytes written, in a buffer of their own (nothing later writes to it). */
  finish(): Uint8Array {
    const out = this.pos === this.buf.length ? this.buf : this.buf.slice(0, this.pos);
    this.buf = new Uint8Array(0);
    this.pos = 0;
    return out;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
}

/** Decodes the frame at `offset`; a bad version, a truncated frame or undecodable bytes throw naming `what`. */
export function readFrame(data: Uint8Array, offset: number, what: () => string): unknown {
  if (!Number.isInteger(offset) || offset < 0 || offset + HEADER > data.length) {
    throw new Error(`${what()}: state bytes are corrupt or truncated (frame at offset ${offset} lies outside the ${data.length} bytes).`);
  }
  const version = data[offset];
  if (version !== STATE_FORMAT_VERSION) {
    throw new Error(`${what()}: unknown state format version ${version} at offset ${offset} (this tsflink reads version ${STATE_FORMAT_VERSION}); the bytes are corrupt or were written by a newer tsflink.`);
  }
  const len = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(offset + 1);
  const end = offset + HEADER + len;
  if (end > data.length) {
    throw new Error(`${what()}: state bytes are truncated (frame at offset ${offset} needs ${len} bytes, ${data.length - offset - HEADER} left).`);
  }
  try {
    // Not sequential, so bytes left over after the value are an error. copyBuffers: restored
    // Uint8Arrays must not pin (or alias) the whole checkpoint buffer.
    return new Unpackr({ useRecords: true, moreTypes: true, copyBuffers: true }).unpack(data.subarray(offset + HEADER, end));
  } catch (e) {
    throw new Error(`${what()}: state bytes are corrupt (${(e as Error).message}).`, { cause: e });
  }
}
