// How network buffers are laid out in shuffle files (Flink's BufferReaderWriterUtil): a 12-byte header per
// buffer, then the buffer's bytes as the transports carry them, so a consumer decodes a file-served stream
// exactly like a pipelined one.
//
//   [u32 stored length][u32 original length][u8 flags][3 reserved][stored bytes]   (little-endian)
//   flags: 1 = event, 2 = compressed (deflate-raw), 4 = EndOfPartition
import { deflateRawSync, inflateRawSync, constants as zc } from 'node:zlib';
import type { NetworkBuffer } from '../NetworkBuffer.js';

export const FRAME_HEADER_SIZE = 12;
export const FLAG_EVENT = 1;
export const FLAG_COMPRESSED = 2;
export const FLAG_END_OF_PARTITION = 4;

/** Events and buffers smaller than this are never compressed (no gain, only cost). */
const MIN_COMPRESS_BYTES = 512;

/**
 * Header + body of one buffer, ready for writev. Compression (Flink's BufferCompressor) keeps the raw bytes
 * when the compressed form is not smaller. The body may alias `b.buffer`: write it before recycling the buffer.
 */
export function encodeFrame(b: NetworkBuffer, compress: boolean): Uint8Array[] {
  let body = new Uint8Array(b.buffer, 0, b.length);
  let flags = (b.isEvent ? FLAG_EVENT : 0) | (b.isEndOfPartition === true ? FLAG_END_OF_PARTITION : 0);
  if (compress && !b.isEvent && b.length >= MIN_COMPRESS_BYTES) {
    const c = deflateRawSync(body, { level: zc.Z_BEST_SPEED });
    if (c.length < b.length) {
      body = c;
      flags |= FLAG_COMPRESSED;
    }
  }
  const header = new Uint8Array(FRAME_HEADER_SIZE);
  const v = new DataView(header.buffer);
  v.setUint32(0, body.length, true);
  v.setUint32(4, b.length, true);
  header[8] = flags;
  return [header, body];
}

export interface FrameHeader {
  storedLength: number;
  originalLength: number;
  flags: number;
}

export function readFrameHeader(bytes: Uint8Array, at: number): FrameHeader {
  const v = new DataView(bytes.buffer, bytes.byteOffset + at, FRAME_HEADER_SIZE);
  return { storedLength: v.getUint32(0, true), originalLength: v.getUint32(4, true), flags: bytes[at + 8]! };
}

/** Copies (or inflates) one stored body into `target` (at least originalLength bytes). */
export function decodeFrameBody(stored: Uint8Array, h: FrameHeader, target: ArrayBuffer): void {
  const out = new Uint8Array(target, 0, h.originalLength);
  if ((h.flags & FLAG_COMPRESSED) !== 0) {
    const n = inflateRawSync(stored, { info: false }) as Buffer;
    if (n.length !== h.originalLength) throw new Error(`corrupt shuffle frame: inflated ${n.length} bytes, header says ${h.originalLength}`);
    out.set(n);
  } else {
    out.set(stored);
  }
}
