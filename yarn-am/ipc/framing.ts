import { decodeVarint } from './varint.js';

/** Wraps the given (already delimited) parts in Hadoop's 4-byte big-endian length frame. */
export function frame(parts: readonly Uint8Array[]): Buffer {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = Buffer.allocUnsafe(4 + len);
  out.writeUInt32BE(len, 0);
  let off = 4;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Splits a frame body into its varint-length-delimited messages. */
export function splitDelimited(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < body.length) {
    const { value: len, next } = decodeVarint(body, off);
    if (next + len > body.length) throw new RangeError(`delimited message overruns frame (${next + len} > ${body.length})`);
    out.push(body.subarray(next, next + len));
    off = next + len;
  }
  return out;
}

/** Returns the first delimited message and the remaining bytes (the response body follows the header). */
export function readDelimited(body: Uint8Array, offset = 0): { message: Uint8Array; next: number } {
  const { value: len, next } = decodeVarint(body, offset);
  if (next + len > body.length) throw new RangeError('delimited message overruns frame');
  return { message: body.subarray(next, next + len), next: next + len };
}

/**
 * Incremental reader of 4-byte length frames from a TCP stream. Keeps a list of chunks so
 * large responses are not re-copied on every 'data' event.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  constructor(private readonly maxFrame = 256 * 1024 * 1024) {}

  /** Feeds bytes; returns every complete frame body now available. */
  push(data: Buffer): Buffer[] {
    this.chunks.push(data);
    this.buffered += data.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const len = head.readUInt32BE(0);
      if (len > this.maxFrame) throw new RangeError(`IPC frame of ${len} bytes exceeds limit ${this.maxFrame}`);
      if (this.buffered < 4 + len) break;
      const all = this.take(4 + len);
      frames.push(all.subarray(4));
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return head;
  }
}
