// Producer side: ResultPartition → ResultSubpartition (pipelined, credit-based), Flink's
// io/network/partition/{ResultPartition,PipelinedSubpartition} + CreditBasedSequenceNumberingViewReader.
import { serializeEvent } from './EventSerializer.js';
import type { NetworkBufferPool } from './NetworkBufferPool.js';
import { ResultSubpartition } from './ResultSubpartition.js';
import type { StreamEvent } from './StreamEvent.js';

export interface ResultPartition {
  readonly partitionId: string;
  readonly numSubpartitions: number;
  /** Hot path: serializes into the subpartition's current buffer; never blocks (check isAvailable()). */
  emitRecord(subpartition: number, value: unknown, timestamp: number | undefined): void;
  /**
   * A record of a keyed edge with its key, computed once by the partitioner: a consumer in this thread
   * gets it with the record (Flink's setCurrentKey before processElement); serialized buffers drop it.
   */
  emitKeyedRecord(subpartition: number, value: unknown, key: unknown, timestamp: number | undefined): void;
  broadcastRecord(value: unknown, timestamp: number | undefined): void;
  /** Flushes pending data of every subpartition first, so order is preserved per subpartition. */
  broadcastEvent(event: StreamEvent): void;
  /** An unaligned checkpoint barrier ahead of everything queued (each subpartition's copy counts what it overtook). */
  broadcastPriorityBarrier(barrier: Extract<StreamEvent, { type: 'CheckpointBarrier' }>): void;
  flushAll(): void;
  /** False while any subpartition's unsent backlog exceeds maxBuffersPerSubpartition (backpressure). */
  isAvailable(): boolean;
  getAvailableFuture(): Promise<void>;
  /** EndOfPartition on all subpartitions + flush. */
  finish(): void;
  /** Cancel/failure: stops the flush timer, drops buffers; consumers' channels fail with the cause. */
  release(cause?: Error): void;
  readonly numRecordsOut: number;
  readonly numBytesOut: number;
  readonly numBuffersOut: number;
}

/** What a partition needs from its ShuffleEnvironment. */
export interface PartitionHost {
  readonly pool: NetworkBufferPool;
  readonly slotIndex: number;
  onPartitionReleased(partition: ResultPartitionImpl, cause: string | null): void;
}

export class ResultPartitionImpl implements ResultPartition {
  readonly subpartitions: ResultSubpartition[];
  readonly maxBuffersPerSubpartition: number;
  readonly inThreadBufferRecords: number;
  /** Subpartitions whose queue exceeds the bound. */
  congested = 0;
  buffersOut = 0;
  /** Records emitted; a broadcast record counts once (as Flink's numRecordsOut). */
  numRecordsOut = 0;
  private availableResolve: (() => void) | null = null;
  private availablePromise: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly flushEveryRecord: boolean;
  private finished = false;
  private released = false;
  private consumedSubpartitions = 0;

  constructor(
    readonly host: PartitionHost,
    readonly partitionId: string,
    readonly numSubpartitions: number,
    readonly bufferTimeout: number,
    readonly owner: string,
    bufferSize: number,
    maxBuffersPerSubpartition: number,
    inThreadBufferRecords = 0,
  ) {
    if (!(numSubpartitions >= 1)) throw new RangeError(`partition ${partitionId}: numSubpartitions must be >= 1`);
    this.maxBuffersPerSubpartition = maxBuffersPerSubpartition;
    this.inThreadBufferRecords = inThreadBufferRecords;
    this.subpartitions = [];
    for (let i = 0; i < numSubpartitions; i++) this.subpartitions.push(new ResultSubpartition(this, i, bufferSize));
    this.flushEveryRecord = bufferTimeout === 0;
    if (bufferTimeout > 0) {
      // Flink's OutputFlusher: one timer per partition. unref: a partition must not keep a process alive.
      this.timer = setInterval(() => this.flushAll(), bufferTimeout);
      this.timer.unref();
    }
  }

  describe(subpartition: number): string {
    return `${this.owner} (partition ${this.partitionId}, subpartition ${subpartition})`;
  }


  get numBytesOut(): number {
    let n = 0;
    for (const s of this.subpartitions) n += s.numBytes;
    return n;
  }

  get numBuffersOut(): number {
    return this.buffersOut;
  }

  emitRecord(subpartition: number, value: unknown, timestamp: number | undefined): void {
    const sp = this.subpartitions[subpartition];
    if (sp === undefined) throw new RangeError(`${this.owner}: subpartition ${subpartition} out of range [0, ${this.numSubpartitions}) of partition ${this.partitionId}`);
    sp.builder.add(value, timestamp);
    this.numRecordsOut++;
    if (this.flushEveryRecord) sp.flush();
  }

  emitKeyedRecord(subpartition: number, value: unknown, key: unknown, timestamp: number | undefined): void {
    const sp = this.subpartitions[subpartition];
    if (sp === undefined) throw new RangeError(`${this.owner}: subpartition ${subpartition} out of range [0, ${this.numSubpartitions}) of partition ${this.partitionId}`);
    sp.builder.addKeyed(value, key, timestamp);
    this.numRecordsOut++;
    if (this.flushEveryRecord) sp.flush();
  }

  broadcastRecord(value: unknown, timestamp: number | undefined): void {
    const subs = this.subpartitions;
    for (let i = 0; i < subs.length; i++) {
      subs[i]!.builder.add(value, timestamp);
      if (this.flushEveryRecord) subs[i]!.flush();
    }
    this.numRecordsOut++;
  }

  broadcastEvent(event: StreamEvent): void {
    if (this.released) return;
    const subs = this.subpartitions;
    const proto = serializeEvent(event);
    const isEnd = event.type === 'EndOfPartition';
    for (let i = 0; i < subs.length; i++) {
      // Each consumer gets (and may transfer away) its own copy.
      const buffer = i === subs.length - 1 ? proto.buffer : proto.buffer.slice(0);
      subs[i]!.addEvent({ buffer, length: proto.length, isEvent: true, isEndOfPartition: isEnd });
    }
  }

  broadcastPriorityBarrier(barrier: Extract<StreamEvent, { type: 'CheckpointBarrier' }>): void {
    if (this.released) return;
    for (const sp of this.subpartitions) {
      sp.addPriorityEvent((overtaken) => {
        const b = serializeEvent({ ...barrier, overtaken });
        return { buffer: b.buffer, length: b.length, isEvent: true };
      });
    }
  }

  flushAll(): void {
    const subs = this.subpartitions;
    for (let i = 0; i < subs.length; i++) subs[i]!.flush();
  }

  isAvailable(): boolean {
    return this.congested === 0;
  }

  getAvailableFuture(): Promise<void> {
    if (this.congested === 0 || this.released) return Promise.resolve();
    if (this.availablePromise === null) {
      this.availablePromise = new Promise<void>((resolve) => {
        this.availableResolve = resolve;
      });
    }
    return this.availablePromise;
  }

  onDecongested(): void {
    this.congested--;
    if (this.congested === 0) this.resolveAvailable();
  }

  private resolveAvailable(): void {
    const r = this.availableResolve;
    this.availableResolve = null;
    this.availablePromise = null;
    if (r !== null) r();
  }

  finish(): void {
    if (this.finished || this.released) return;
    this.finished = true;
    this.stopTimer();
    this.broadcastEvent({ type: 'EndOfPartition' });
    for (const sp of this.subpartitions) sp.builder.closedBecause = 'already finished';
  }

  onSubpartitionConsumed(_sp: ResultSubpartition): void {
    if (++this.consumedSubpartitions === this.numSubpartitions) this.host.onPartitionReleased(this, null);
  }

  release(cause?: Error): void {
    if (this.released) return;
    this.released = true;
    this.stopTimer();
    const message = `partition ${this.partitionId} of ${this.owner} was released${cause ? `: ${cause.message}` : ''}`;
    // Unregister first: the environment drops its routes to the subpartitions' streams while they still know them.
    this.host.onPartitionReleased(this, message);
    for (const s of this.subpartitions) {
      s.release(message);
      s.builder.closedBecause = 'was released';
    }
    this.resolveAvailable();
  }

  private stopTimer(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
