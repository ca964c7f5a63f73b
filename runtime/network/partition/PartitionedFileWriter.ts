// Writes a PartitionedFile (Flink's PartitionedFileWriter): each spill of the sort buffer is one region
// appended to the data file with one writev; the index is written when the partition finishes.
import { closeSync, openSync, rmSync, writeSync, writevSync } from 'node:fs';
import type { NetworkBuffer } from '../NetworkBuffer.js';
import { encodeFrame } from './BufferReaderWriterUtil.js';
import { INDEX_ENTRY_SIZE, INDEX_HEADER_SIZE, INDEX_MAGIC, PartitionedFile } from './PartitionedFile.js';

/** writev takes at most IOV_MAX (1024 on Linux) vectors per call. */
const MAX_IOV = 1024;

export class PartitionedFileWriter {
  private fd: number;
  private position = 0;
  private readonly entries: number[] = [];
  private numRegions = 0;
  private closed = false;

  constructor(
    readonly dataPath: string,
    readonly indexPath: string,
    readonly numSubpartitions: number,
    private readonly compress: boolean,
  ) {
    this.fd = openSync(dataPath, 'wx');
  }

  /** Bytes written to the data file so far. */
  get dataBytes(): number {
    return this.position;
  }

  /**
   * Appends one region: `buffersBySubpartition[sp]` in subpartition order. Synchronous, as Flink's spill is on
   * the task thread: the task stops producing while its sort buffer goes to disk.
   */
  writeRegion(buffersBySubpartition: readonly (readonly NetworkBuffer[])[]): void {
    if (this.closed) throw new Error(`${this.dataPath}: writer is closed`);
    if (buffersBySubpartition.length !== this.numSubpartitions) throw new Error(`${this.dataPath}: region with ${buffersBySubpartition.length} subpartitions, expected ${this.numSubpartitions}`);
    let iov: Uint8Array[] = [];
    for (let sp = 0; sp < this.numSubpartitions; sp++) {
      const start = this.position;
      for (const b of buffersBySubpartition[sp]!) {
        const [h, body] = encodeFrame(b, this.compress);
        iov.push(h!, body!);
        this.position += h!.length + body!.length;
        if (iov.length >= MAX_IOV) iov = this.flush(iov);
      }
      this.entries.push(start, this.position - start);
    }
    this.flush(iov);
    this.numRegions++;
  }

  /** Closes the data file and writes the index. */
  finish(): PartitionedFile {
    if (this.closed) throw new Error(`${this.dataPath}: writer is closed`);
    this.closed = true;
    closeSync(this.fd);
    const n = this.entries.length / 2;
    const bytes = new Uint8Array(INDEX_HEADER_SIZE + n * INDEX_ENTRY_SIZE);
    const v = new DataView(bytes.buffer);
    v.setUint32(0, INDEX_MAGIC, true);
    v.setUint32(4, this.numRegions, true);
    v.setUint32(8, this.numSubpartitions, true);
    const index = new Float64Array(this.entries.length);
    for (let i = 0; i < n; i++) {
      v.setBigUint64(INDEX_HEADER_SIZE + i * INDEX_ENTRY_SIZE, BigInt(this.entries[2 * i]!), true);
      v.setBigUint64(INDEX_HEADER_SIZE + i * INDEX_ENTRY_SIZE + 8, BigInt(this.entries[2 * i + 1]!), true);
      index[2 * i] = this.entries[2 * i]!;
      index[2 * i + 1] = this.entries[2 * i + 1]!;
    }
    const fd = openSync(this.indexPath, 'wx');
    try {
      writeSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    return new PartitionedFile(this.dataPath, this.indexPath, this.numRegions, this.numSubpartitions, index);
  }

  /** Release before finish: close and delete what was written. */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
    rmSync(this.dataPath, { force: true });
    rmSync(this.indexPath, { force: true });
  }

  private flush(iov: Uint8Array[]): Uint8Array[] {
    let i = 0;
    while (i < iov.length) {
      const part = i === 0 && iov.length <= MAX_IOV ? iov : iov.slice(i, i + MAX_IOV);
      writeFully(this.fd, part);
      i += part.length;
    }
    return [];
  }
}

/** writev may write less than asked (large totals); continue where it stopped. */
export function writeFully(fd: number, iov: Uint8Array[]): void {
  let total = 0;
  for (const b of iov) total += b.length;
  let written = writevSync(fd, iov);
  if (written === total) return;
  let rest = iov;
  while (written < total) {
    let skip = written;
    const next: Uint8Array[] = [];
    for (const b of rest) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      next.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    total -= written;
    rest = next;
    written = writevSync(fd, rest);
  }
}
