// The hash blocking shuffle (Flink's BoundedBlockingResultPartition with FileChannelBoundedData): one file per
// subpartition, buffers appended as they fill up (a few at a time with one writev). Cheap for small fan-outs;
// for many consumers the sort-merge partition avoids producers × consumers files.
import { closeSync, openSync, rmSync } from 'node:fs';
import type { NetworkBuffer } from '../NetworkBuffer.js';
import { BlockingResultPartition, type BlockingPartitionHost, type BlockingPartitionOptions } from './BlockingResultPartition.js';
import { encodeFrame } from './BufferReaderWriterUtil.js';
import type { FileRange } from './PartitionedFile.js';
import { writeFully } from './PartitionedFileWriter.js';

/** Buffers collected per subpartition before one writev. */
const WRITE_BATCH = 8;

export class BoundedBlockingResultPartition extends BlockingResultPartition {
  private readonly paths: string[] = [];
  private readonly fds: number[];
  private readonly sizes: number[];
  private readonly pending: NetworkBuffer[][];

  constructor(host: BlockingPartitionHost, opts: BlockingPartitionOptions) {
    super(host, opts);
    const prefix = host.newShuffleFilePrefix();
    for (let i = 0; i < opts.numSubpartitions; i++) this.paths.push(`${prefix}.${i}.shuffle.data`);
    this.fds = new Array<number>(opts.numSubpartitions).fill(-1);
    this.sizes = new Array<number>(opts.numSubpartitions).fill(0);
    this.pending = [];
    for (let i = 0; i < opts.numSubpartitions; i++) this.pending.push([]);
  }

  writeBuffer(subpartition: number, buffer: NetworkBuffer): void {
    const p = this.pending[subpartition]!;
    p.push(buffer);
    if (p.length >= WRITE_BATCH) this.writePending(subpartition);
  }

  protected finishWrites(): void {
    for (let i = 0; i < this.numSubpartitions; i++) {
      this.writePending(i);
      if (this.fds[i]! >= 0) closeSync(this.fds[i]!);
      this.fds[i] = -1;
    }
  }

  protected rangesOf(subpartition: number): FileRange[] {
    return [{ path: this.paths[subpartition]!, offset: 0, size: this.sizes[subpartition]! }];
  }

  protected deleteFiles(): void {
    for (let i = 0; i < this.numSubpartitions; i++) {
      if (this.fds[i]! >= 0) closeSync(this.fds[i]!);
      this.fds[i] = -1;
      this.recycle(this.pending[i]!);
      rmSync(this.paths[i]!, { force: true });
    }
  }

  filePaths(): string[] {
    return [...this.paths];
  }

  private writePending(subpartition: number): void {
    const p = this.pending[subpartition]!;
    if (p.length === 0) return;
    let fd = this.fds[subpartition]!;
    if (fd < 0) fd = this.fds[subpartition] = openSync(this.paths[subpartition]!, 'wx');
    const iov: Uint8Array[] = [];
    for (const b of p) {
      const [h, body] = encodeFrame(b, this.compression);
      iov.push(h!, body!);
      this.sizes[subpartition]! += h!.length + body!.length;
    }
    writeFully(fd, iov);
    this.recycle(p);
  }

  private recycle(buffers: NetworkBuffer[]): void {
    const pool = this.host.pool;
    for (const b of buffers) if (!b.isEvent) pool.recycle(b.buffer);
    buffers.length = 0;
  }
}
