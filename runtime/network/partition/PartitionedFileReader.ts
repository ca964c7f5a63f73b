// Reads the buffers of one subpartition from shuffle files, in order (Flink's PartitionedFileReader, also used
// for the hash partition's file per subpartition): the ranges are read sequentially in chunks of bounded size,
// so a reader holds at most one chunk plus the buffers it decoded and has not sent yet.
import { open, type FileHandle } from 'node:fs/promises';
import type { NetworkBuffer } from '../NetworkBuffer.js';
import type { NetworkBufferPool } from '../NetworkBufferPool.js';
import { FLAG_END_OF_PARTITION, FLAG_EVENT, FRAME_HEADER_SIZE, decodeFrameBody, readFrameHeader } from './BufferReaderWriterUtil.js';
import type { FileRange } from './PartitionedFile.js';
import type { BatchShuffleReadBufferPool } from './BatchShuffleReadBufferPool.js';

export class PartitionedFileReader {
  private rangeIndex = 0;
  /** Offset within the current range of the first byte not yet read into `carry`. */
  private rangePos = 0;
  private handle: FileHandle | null = null;
  private handlePath: string | null = null;
  /** Bytes read but not yet decoded (an incomplete frame at a chunk boundary). */
  private carry: Uint8Array = new Uint8Array(0);
  private closed = false;
  bytesRead = 0;

  constructor(
    private readonly ranges: readonly FileRange[],
    private readonly pool: NetworkBufferPool,
    private readonly chunkSize: number,
    /** The TaskManager's read budget: each chunk's bytes are reserved from it until decoded. */
    private readonly readBudget?: BatchShuffleReadBufferPool,
  ) {}

  get hasRemaining(): boolean {
    return !this.closed && (this.rangeIndex < this.ranges.length || this.carry.length > 0);
  }

  /**
   * Reads the next chunk and appends every complete buffer in it to `out`; returns how many it appended
   * (0 at the end). Data buffers come from the pool (they travel to the consumer and come back with credit).
   */
  async readBuffers(out: NetworkBuffer[]): Promise<number> {
    let appended = 0;
    while (appended === 0 && this.rangeIndex < this.ranges.length && !this.closed) {
      const r = this.ranges[this.rangeIndex]!;
      // A frame may be larger than a chunk (an oversized record): read at least what the carried header announces.
      let want = this.chunkSize;
      if (this.carry.length >= FRAME_HEADER_SIZE) want = Math.max(want, FRAME_HEADER_SIZE + readFrameHeader(this.carry, 0).storedLength - this.carry.length);
      const n = Math.min(want, r.size - this.rangePos);
      const token = this.readBudget ? await this.readBudget.reserve(this.carry.length + n) : 0;
      try {
        if (this.closed) return 0;
        const chunk = new Uint8Array(this.carry.length + n);
        chunk.set(this.carry, 0);
        const h = await this.handleFor(r.path);
        if (this.closed) return 0;
        const { bytesRead } = await h.read(chunk, this.carry.length, n, r.offset + this.rangePos);
        if (bytesRead !== n) throw new Error(`shuffle file ${r.path} is shorter than its index says: read ${bytesRead} of ${n} bytes at ${r.offset + this.rangePos} (was it deleted or truncated?)`);
        this.bytesRead += n;
        this.rangePos += n;
        appended += this.decode(chunk, out);
      } finally {
        if (token > 0) this.readBudget!.release(token);
      }
      if (this.rangePos === r.size) {
        if (this.carry.length > 0) throw new Error(`shuffle file ${r.path}: ${this.carry.length} trailing bytes at the end of range ${r.offset}+${r.size} do not form a buffer`);
        this.rangeIndex++;
        this.rangePos = 0;
      }
    }
    if (this.rangeIndex >= this.ranges.length) await this.close();
    return appended;
  }

  private decode(chunk: Uint8Array, out: NetworkBuffer[]): number {
    let at = 0;
    let appended = 0;
    while (chunk.length - at >= FRAME_HEADER_SIZE) {
      const h = readFrameHeader(chunk, at);
      if (chunk.length - at - FRAME_HEADER_SIZE < h.storedLength) break;
      const isEvent = (h.flags & FLAG_EVENT) !== 0;
      const target = !isEvent && h.originalLength <= this.pool.bufferSize ? this.pool.acquire() : new ArrayBuffer(h.originalLength);
      const start = at + FRAME_HEADER_SIZE;
      decodeFrameBody(chunk.subarray(start, start + h.storedLength), h, target);
      out.push({ buffer: target, length: h.originalLength, isEvent, isEndOfPartition: (h.flags & FLAG_END_OF_PARTITION) !== 0 });
      appended++;
      at = start + h.storedLength;
    }
    this.carry = at === chunk.length ? new Uint8Array(0) : chunk.slice(at);
    return appended;
  }

  private async handleFor(path: string): Promise<FileHandle> {
    if (this.handle !== null && this.handlePath === path) return this.handle;
    if (this.handle !== null) await this.handle.close();
    this.handle = null;
    const h = await open(path, 'r');
    if (this.closed) {
      await h.close();
      return h;
    }
    this.handle = h;
    this.handlePath = path;
    return h;
  }

  async close(): Promise<void> {
    this.closed = true;
    const h = this.handle;
    this.handle = null;
    if (h !== null) await h.close();
  }
}
