// The sort-merge blocking shuffle (Flink's SortMergeResultPartition with a HashBasedDataBuffer): finished
// buffers are grouped by subpartition in memory; when `numWriteBuffers` are held (or at finish) they are spilled
// as one region — subpartition 0's buffers, then 1's, … — appended to a single data file, and the index records
// each region's (offset, size) per subpartition. Two files per producer whatever the consumer parallelism.
import type { NetworkBuffer } from '../NetworkBuffer.js';
import { BlockingResultPartition, type BlockingPartitionHost, type BlockingPartitionOptions } from './BlockingResultPartition.js';
import type { FileRange, PartitionedFile } from './PartitionedFile.js';
import { PartitionedFileWriter } from './PartitionedFileWriter.js';

export interface SortMergePartitionOptions extends BlockingPartitionOptions {
  /** Buffers held before a spill (taskmanager.network.sort-shuffle.min-buffers). */
  numWriteBuffers: number;
}

export class SortMergeResultPartition extends BlockingResultPartition {
  private readonly writer: PartitionedFileWriter;
  private file: PartitionedFile | null = null;
  private readonly buffered: NetworkBuffer[][] = [];
  private numBuffered = 0;
  private readonly numWriteBuffers: number;
  /** Regions spilled so far (tests: a spill per full sort buffer). */
  numSpills = 0;

  constructor(host: BlockingPartitionHost, opts: SortMergePartitionOptions) {
    super(host, opts);
    if (!(opts.numWriteBuffers >= 1)) throw new RangeError(`partition ${opts.partitionId}: numWriteBuffers must be >= 1, got ${opts.numWriteBuffers}`);
    this.numWriteBuffers = opts.numWriteBuffers;
    for (let i = 0; i < opts.numSubpartitions; i++) this.buffered.push([]);
    const prefix = host.newShuffleFilePrefix();
    this.writer = new PartitionedFileWriter(`${prefix}.shuffle.data`, `${prefix}.shuffle.index`, opts.numSubpartitions, opts.compression);
  }

  writeBuffer(subpartition: number, buffer: NetworkBuffer): void {
    this.buffered[subpartition]!.push(buffer);
    if (++this.numBuffered >= this.numWriteBuffers) this.spill();
  }

  protected finishWrites(): void {
    this.spill();
    this.file = this.writer.finish();
  }

  protected rangesOf(subpartition: number): FileRange[] {
    return this.file!.rangesOf(subpartition);
  }

  protected deleteFiles(): void {
    this.recycleBuffered();
    if (this.file !== null) this.file.deleteQuietly();
    else this.writer.abort();
  }

  filePaths(): string[] {
    return [this.writer.dataPath, this.writer.indexPath];
  }

  /** The partitioned file (after finish; tests read its index). */
  get partitionedFile(): PartitionedFile | null {
    return this.file;
  }

  private spill(): void {
    if (this.numBuffered === 0) return;
    // The builders' partly filled buffers stay: they keep filling and go into a later region.
    this.writer.writeRegion(this.buffered);
    this.numSpills++;
    this.recycleBuffered();
  }

  private recycleBuffered(): void {
    const pool = this.host.pool;
    for (const list of this.buffered) {
      for (const b of list) if (!b.isEvent) pool.recycle(b.buffer);
      list.length = 0;
    }
    this.numBuffered = 0;
  }
}
