// What the hash and the sort-merge blocking partitions share (Flink's ResultPartition for BLOCKING results):
// records are serialized per subpartition exactly as for a pipelined exchange, but finished buffers go to
// files instead of a consumer; consumers are served only once the partition has finished, from the files.
import { BatchShuffleReadBufferPool, DEFAULT_BATCH_SHUFFLE_READ_MEMORY } from './BatchShuffleReadBufferPool.js';
import type { Connection } from '../Connection.js';
import { serializeEvent } from '../EventSerializer.js';
import type { NetworkBuffer } from '../NetworkBuffer.js';
import type { NetworkBufferPool } from '../NetworkBufferPool.js';
import type { ResultPartition } from '../ResultPartition.js';
import { RecordBufferBuilder, type BufferSink } from '../RecordBufferBuilder.js';
import type { StreamEvent } from '../StreamEvent.js';
import { BlockingSubpartitionView, type ViewOwner } from './BlockingSubpartitionView.js';
import type { FileRange } from './PartitionedFile.js';

/** What a blocking partition needs from its network stack. */
export interface BlockingPartitionHost {
  readonly pool: NetworkBufferPool;
  /** A fresh path prefix (no extension) in one of the TaskManager's shuffle dirs, round-robin. */
  newShuffleFilePrefix(): string;
  onBlockingPartitionReleased(p: BlockingResultPartition, cause: string | null): void;
}

export interface BlockingPartitionOptions {
  partitionId: string;
  numSubpartitions: number;
  owner: string;
  bufferSize: number;
  compression: boolean;
  /** Bytes a view reads from a file at once. */
  readChunkSize: number;
  /**
   * Release (delete the files) once every subpartition was read to its end. False when the JobMaster releases
   * partitions (they outlive their consumers for region failover).
   */
  releaseOnConsumption: boolean;
  /** The TaskManager's read budget its views reserve from (default: 64 MiB of this partition's own). */
  readBufferPool?: BatchShuffleReadBufferPool;
}

class SubpartitionSink implements BufferSink {
  constructor(
    private readonly partition: BlockingResultPartition,
    private readonly index: number,
  ) {}

  acquireBuffer(): ArrayBuffer {
    return this.partition.host.pool.acquire();
  }

  onBufferFinished(buffer: NetworkBuffer): void {
    this.partition.buffersOut++;
    this.partition.writeBuffer(this.index, buffer);
  }
}

export abstract class BlockingResultPartition implements ResultPartition, ViewOwner {
  readonly partitionId: string;
  readonly numSubpartitions: number;
  readonly owner: string;
  readonly builders: RecordBufferBuilder[] = [];
  numRecordsOut = 0;
  buffersOut = 0;
  protected readonly compression: boolean;
  private readonly readChunkSize: number;
  readonly readBufferPool: BatchShuffleReadBufferPool;
  private readonly releaseOnConsumption: boolean;
  private finished = false;
  private released = false;
  private releaseMessage: string | null = null;
  /** Views waiting for the partition to finish. */
  private readonly waiting: BlockingSubpartitionView[] = [];
  private readonly activeViews = new Set<BlockingSubpartitionView>();
  private readonly consumed: boolean[];
  private numConsumed = 0;
  private filesDeleted = false;

  constructor(
    readonly host: BlockingPartitionHost,
    opts: BlockingPartitionOptions,
  ) {
    if (!(opts.numSubpartitions >= 1)) throw new RangeError(`partition ${opts.partitionId}: numSubpartitions must be >= 1`);
    this.partitionId = opts.partitionId;
    this.numSubpartitions = opts.numSubpartitions;
    this.owner = opts.owner;
    this.compression = opts.compression;
    this.readChunkSize = opts.readChunkSize;
    this.readBufferPool = opts.readBufferPool ?? new BatchShuffleReadBufferPool({ bytes: DEFAULT_BATCH_SHUFFLE_READ_MEMORY }, opts.readChunkSize);
    this.releaseOnConsumption = opts.releaseOnConsumption;
    this.consumed = new Array<boolean>(opts.numSubpartitions).fill(false);
    for (let i = 0; i < opts.numSubpartitions; i++) {
      this.builders.push(new RecordBufferBuilder(opts.bufferSize, new SubpartitionSink(this, i), () => this.describe(i)));
    }
  }

  get pool(): NetworkBufferPool {
    return this.host.pool;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  get isReleased(): boolean {
    return this.released;
  }

  describe(subpartition: number): string {
    return `${this.owner} (blocking partition ${this.partitionId}, subpartition ${subpartition})`;
  }

  get numBytesOut(): number {
    let n = 0;
    for (const b of this.builders) n += b.numBytes;
    return n;
  }

  get numBuffersOut(): number {
    return this.buffersOut;
  }

  /** A finished buffer (records or event) of `subpartition`, in order; ownership passes to the partition. */
  abstract writeBuffer(subpartition: number, buffer: NetworkBuffer): void;
  /** All data written: flush and close the files. */
  protected abstract finishWrites(): void;
  /** Where `subpartition`'s buffers are, in order (only after finishWrites). */
  protected abstract rangesOf(subpartition: number): FileRange[];
  /** Deletes every file of the partition (also before finish). */
  protected abstract deleteFiles(): void;
  /** Paths of the partition's files (tests, diagnostics). */
  abstract filePaths(): string[];

  emitRecord(subpartition: number, value: unknown, timestamp: number | undefined): void {
    const b = this.builders[subpartition];
    if (b === undefined) throw new RangeError(`${this.owner}: subpartition ${subpartition} out of range [0, ${this.numSubpartitions}) of partition ${this.partitionId}`);
    b.add(value, timestamp);
    this.numRecordsOut++;
  }

  /** Files hold serialized records only: the key is computed again by the consumer. */
  emitKeyedRecord(subpartition: number, value: unknown, _key: unknown, timestamp: number | undefined): void {
    this.emitRecord(subpartition, value, timestamp);
  }

  broadcastRecord(value: unknown, timestamp: number | undefined): void {
    const bs = this.builders;
    for (let i = 0; i < bs.length; i++) bs[i]!.add(value, timestamp);
    this.numRecordsOut++;
  }

  broadcastEvent(event: StreamEvent): void {
    if (this.released || this.finished) return;
    const proto = serializeEvent(event);
    const isEnd = event.type === 'EndOfPartition';
    for (let i = 0; i < this.numSubpartitions; i++) {
      this.builders[i]!.finish();
      this.writeBuffer(i, { buffer: proto.buffer, length: proto.length, isEvent: true, isEndOfPartition: isEnd });
    }
  }

  /** BATCH has no checkpoints; a barrier, should one come, travels in order like any event. */
  broadcastPriorityBarrier(barrier: Extract<StreamEvent, { type: 'CheckpointBarrier' }>): void {
    this.broadcastEvent(barrier);
  }

  /** Files are written as buffers fill up; there is no consumer to flush to before the partition finishes. */
  flushAll(): void {}

  /** Writes are synchronous: a blocking partition never backpressures its producer. */
  isAvailable(): boolean {
    return true;
  }

  getAvailableFuture(): Promise<void> {
    return Promise.resolve();
  }

  finish(): void {
    if (this.finished || this.released) return;
    this.broadcastEvent({ type: 'EndOfPartition' });
    this.finishWrites();
    this.finished = true;
    for (const b of this.builders) b.closedBecause = 'already finished';
    const waiting = this.waiting.splice(0);
    for (const v of waiting) v.start(this.rangesOf(v.subpartition));
  }

  /**
   * A consumer's partition request. Before the partition finished the view waits (consumers of a blocking
   * result may be deployed early); the error string says why a request is refused.
   */
  createView(subpartition: number, conn: Connection, streamId: number, credit: number, onRouteClosed: (v: BlockingSubpartitionView) => void): BlockingSubpartitionView | string {
    if (this.released) return `it was released${this.releaseMessage !== null ? ` (${this.releaseMessage})` : ''}`;
    if (!(subpartition >= 0 && subpartition < this.numSubpartitions)) return `partition ${this.partitionId} has ${this.numSubpartitions} subpartitions, subpartition ${subpartition} was requested`;
    const v = new BlockingSubpartitionView(this, subpartition, conn, streamId, credit, this.readChunkSize, onRouteClosed);
    this.activeViews.add(v);
    if (this.finished) v.start(this.rangesOf(subpartition));
    else this.waiting.push(v);
    return v;
  }

  onViewClosed(view: BlockingSubpartitionView, fullyConsumed: boolean): void {
    this.activeViews.delete(view);
    const w = this.waiting.indexOf(view);
    if (w >= 0) this.waiting.splice(w, 1);
    if (fullyConsumed && !this.consumed[view.subpartition]) {
      this.consumed[view.subpartition] = true;
      this.numConsumed++;
    }
    if (this.released) this.deleteWhenUnread();
    else if (this.releaseOnConsumption && this.numConsumed === this.numSubpartitions && this.activeViews.size === 0) this.releaseConsumed();
  }

  /** Every consumer read its data: the files go, the stack forgets the partition. */
  private releaseConsumed(): void {
    this.released = true;
    this.releaseMessage = 'it was fully consumed';
    this.host.onBlockingPartitionReleased(this, null);
    this.deleteWhenUnread();
  }

  /** Cancel/failure, or the JobMaster/TaskManager releases the result: consumers still reading fail. */
  release(cause?: Error): void {
    if (this.released) return;
    this.released = true;
    const message = `partition ${this.partitionId} of ${this.owner} was released${cause ? `: ${cause.message}` : ''}`;
    this.releaseMessage = message;
    this.host.onBlockingPartitionReleased(this, message);
    for (const b of this.builders) {
      b.discard();
      b.closedBecause = 'was released';
    }
    for (const v of [...this.activeViews]) v.fail(message);
    this.deleteWhenUnread();
  }

  /** Files are deleted once no view reads them (Flink's testReleaseWhileReading: files stay until the last reader is gone). */
  private deleteWhenUnread(): void {
    if (this.activeViews.size > 0 || this.filesDeleted) return;
    this.filesDeleted = true;
    this.deleteFiles();
  }
}
