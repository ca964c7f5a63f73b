// Producer side: ResultPartition → ResultSubpartition (pipelined, credit-based), Flink's
// io/network/partition/{ResultPartition,PipelinedSubpartition} + CreditBasedSequenceNumberingViewReader.
import { MSG_BACKLOG, MSG_BUFFER, MSG_ERROR, type Connection } from './Connection.js';
import { RecordBufferBuilder, serializeEvent, type BufferSink, type NetworkBuffer } from './RecordBufferBuilder.js';
import type { BufferPool } from './NetworkBufferPool.js';
import type { StreamEvent } from './NetworkConfig.js';

export interface ResultPartition {
  readonly partitionId: string;
  readonly numSubpartitions: number;
  /** Hot path: serializes into the subpartition's current buffer; never blocks (check isAvailable()). */
  emitRecord(subpartition: number, value: unknown, timestamp: number | undefined): void;
  broadcastRecord(value: unknown, timestamp: number | undefined): void;
  /** Flushes pending data of every subpartition first, so order is preserved per subpartition. */
  broadcastEvent(event: StreamEvent): void;
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
  readonly pool: BufferPool;
  readonly slotIndex: number;
  onPartitionReleased(partition: ResultPartitionImpl, cause: string | null): void;
}

const MAX_ANNOUNCED_BACKLOG = 64;

/** One subpartition: unsent buffers queue here until the consuming channel has credit. */
export class ResultSubpartition implements BufferSink {
  readonly builder: RecordBufferBuilder;
  private queue: NetworkBuffer[] = [];
  private head = 0;
  private dataBuffersQueued = 0;
  private flushRequested = false;
  private sending = false;
  /** The consuming stream, once its partition request arrived. */
  private conn: Connection | null = null;
  private streamId = -1;
  private credit = 0;
  private endSent = false;
  private announcedBacklog = 0;
  private consumed = false;
  released = false;

  constructor(
    private readonly partition: ResultPartitionImpl,
    readonly index: number,
    bufferSize: number,
  ) {
    this.builder = new RecordBufferBuilder(bufferSize, this, () => partition.describe(index));
  }

  get queueLength(): number {
    return this.queue.length - this.head;
  }

  acquireBuffer(): ArrayBuffer {
    return this.partition.host.pool.acquire();
  }

  onBufferFinished(buffer: NetworkBuffer): void {
    this.flushRequested = false;
    this.enqueue(buffer);
  }

  addEvent(buffer: NetworkBuffer): void {
    this.builder.finish();
    this.flushRequested = false;
    this.enqueue(buffer);
  }

  private enqueue(buffer: NetworkBuffer): void {
    if (this.released) return;
    this.queue.push(buffer);
    if (!buffer.isEvent) this.dataBuffersQueued++;
    this.partition.buffersOut++;
    if (this.conn !== null) {
      if (this.credit <= 0 && !buffer.isEvent) this.announceBacklog();
      this.trySend();
    } else {
      this.updateCongestion();
    }
  }

  /**
   * Without credit nothing is sent, so the consumer would never hear of the backlog and could not ask the
   * gate for floating credit. Announce it (bounded: a gate has few floating buffers to give anyway).
   */
  private announceBacklog(): void {
    const backlog = this.dataBuffersQueued + (this.flushRequested && this.builder.hasData ? 1 : 0);
    if (backlog > this.announcedBacklog && backlog <= MAX_ANNOUNCED_BACKLOG) {
      this.announcedBacklog = backlog;
      this.conn!.send({ t: MSG_BACKLOG, id: this.streamId, backlog });
    }
  }

  private congested = false;
  private updateCongestion(): void {
    const c = this.queueLength > this.partition.maxBuffersPerSubpartition;
    if (c !== this.congested) {
      this.congested = c;
      if (c) this.partition.congested++;
      else this.partition.onDecongested();
    }
  }

  /** Partly filled buffer: send it as soon as there is credit; until then it keeps filling up. */
  flush(): void {
    if (!this.builder.hasData) return;
    this.flushRequested = true;
    if (this.conn === null) return;
    if (this.credit > 0) {
      if (this.queueLength === 0) this.builder.finish();
    } else {
      this.announceBacklog(); // the flushed data is backlog the consumer must learn about
    }
  }

  attach(conn: Connection, streamId: number, credit: number): string | null {
    if (this.released) return 'it was released';
    if (this.conn !== null) return 'it is already being consumed by another input channel';
    this.conn = conn;
    this.streamId = streamId;
    this.credit = credit;
    this.announcedBacklog = 0;
    this.trySend();
    if (this.credit <= 0) this.announceBacklog(); // data written before the consumer connected
    return null;
  }

  addCredit(credit: number): void {
    this.credit += credit;
    if (credit > 0) this.trySend();
  }

  /** The consumer went away (cancel or closed connection): drop what is queued. */
  detach(): void {
    this.conn = null;
    this.dropQueue();
  }

  /** Sends queued buffers while there is credit; events need none (as in Flink). */
  private trySend(): void {
    if (this.sending) return; // re-entered from builder.finish() below
    this.sending = true;
    const conn = this.conn!;
    for (;;) {
      if (this.head < this.queue.length) {
        const b = this.queue[this.head]!;
        if (!b.isEvent) {
          if (this.credit <= 0) break;
          this.credit--;
          this.dataBuffersQueued--;
        }
        this.queue[this.head++] = undefined as unknown as NetworkBuffer;
        if (this.head === this.queue.length) {
          this.queue.length = 0;
          this.head = 0;
        } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        const backlog = this.dataBuffersQueued + (this.flushRequested ? 1 : 0);
        this.announcedBacklog = backlog;
        conn.send({ t: MSG_BUFFER, id: this.streamId, buffer: b.buffer, length: b.length, backlog, isEvent: b.isEvent });
        if (b.isEndOfPartition === true) this.endSent = true;
      } else if (this.flushRequested && this.credit > 0 && this.builder.hasData) {
        this.builder.finish(); // enqueues; the loop sends it
      } else {
        break;
      }
    }
    this.sending = false;
    this.updateCongestion();
    if (this.endSent && !this.consumed && this.queueLength === 0) {
      this.consumed = true;
      this.partition.onSubpartitionConsumed(this);
    }
  }

  release(message: string): void {
    if (this.released) return;
    this.builder.discard();
    this.dropQueue();
    this.released = true;
    if (this.conn !== null && !this.endSent) this.conn.send({ t: MSG_ERROR, id: this.streamId, message });
    this.conn = null;
  }

  private dropQueue(): void {
    const pool = this.partition.host.pool;
    for (let i = this.head; i < this.queue.length; i++) {
      const b = this.queue[i]!;
      if (!b.isEvent) pool.recycle(b.buffer);
    }
    this.queue = [];
    this.head = 0;
    this.dataBuffersQueued = 0;
    this.updateCongestion();
  }

  get streamKey(): { conn: Connection; id: number } | null {
    return this.conn === null ? null : { conn: this.conn, id: this.streamId };
  }
}

export class ResultPartitionImpl implements ResultPartition {
  readonly subpartitions: ResultSubpartition[];
  readonly maxBuffersPerSubpartition: number;
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
  ) {
    if (!(numSubpartitions >= 1)) throw new RangeError(`partition ${partitionId}: numSubpartitions must be >= 1`);
    this.maxBuffersPerSubpartition = maxBuffersPerSubpartition;
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
    for (const s of this.subpartitions) n += s.builder.numBytes;
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
