// One subpartition of a ResultPartition, pipelined and credit-based (Flink's PipelinedSubpartition +
// CreditBasedSequenceNumberingViewReader): unsent buffers queue here until the consuming channel has credit.
import type { Connection } from './Connection.js';
import { MSG_BACKLOG, MSG_BUFFER, MSG_ERROR } from './NetworkMessage.js';
import type { NetworkBuffer } from './NetworkBuffer.js';
import type { NetworkBufferPool } from './NetworkBufferPool.js';
import { RecordBufferBuilder } from './RecordBufferBuilder.js';
import { ObjectBufferBuilder } from './ObjectBufferBuilder.js';
import type { BufferBuilder, BufferSink } from './BufferBuilder.js';

/** What a subpartition needs from its partition (ResultPartitionImpl). */
export interface SubpartitionParent {
  readonly host: { readonly pool: NetworkBufferPool };
  readonly maxBuffersPerSubpartition: number;
  /** Records per object buffer for a consumer in this thread; 0 = serialize in-thread too. */
  readonly inThreadBufferRecords: number;
  /** Subpartitions whose queue exceeds the bound. */
  congested: number;
  buffersOut: number;
  describe(subpartition: number): string;
  onDecongested(): void;
  onSubpartitionConsumed(sp: ResultSubpartition): void;
}

const MAX_ANNOUNCED_BACKLOG = 64;

/** One subpartition: unsent buffers queue here until the consuming channel has credit. */
export class ResultSubpartition implements BufferSink {
  /** Serializing until a consumer in this thread attaches, then handing over objects (ObjectBufferBuilder). */
  builder: BufferBuilder;
  /** The serializing builder used before the switch to objects (its bytes still count). */
  private serializedBefore: BufferBuilder | null = null;
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
    private readonly partition: SubpartitionParent,
    readonly index: number,
    private readonly bufferSize: number,
  ) {
    this.builder = new RecordBufferBuilder(bufferSize, this, () => partition.describe(index));
  }

  get numBytes(): number {
    return (this.serializedBefore === null ? 0 : this.serializedBefore.numBytes) + this.builder.numBytes;
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

  /**
   * An unaligned checkpoint barrier: goes ahead of every queued buffer (Flink's priority event) and is
   * sent at once (events need no credit). Data still in the builder is finished first, so it counts
   * among the overtaken buffers, whose number the event carries to the consumer.
   */
  addPriorityEvent(makeEvent: (overtakenDataBuffers: number) => NetworkBuffer): void {
    if (this.released) return;
    this.builder.finish();
    this.flushRequested = false;
    const ev = makeEvent(this.dataBuffersQueued);
    this.queue.splice(this.head, 0, ev);
    this.partition.buffersOut++;
    if (this.conn !== null) this.trySend();
    else this.updateCongestion();
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
    if (conn.inThread === true) this.handOverObjects();
    this.trySend();
    if (this.credit <= 0) this.announceBacklog(); // data written before the consumer connected
    return null;
  }

  /**
   * The consumer runs in this thread: from now on records travel as references. What was written before
   * stays serialized and goes out first (ObjectBufferBuilder's predecessor), so the consumer sees every
   * record in order.
   */
  private handOverObjects(): void {
    const n = this.partition.inThreadBufferRecords;
    const old = this.builder;
    if (n <= 0 || old.closedBecause !== null || old instanceof ObjectBufferBuilder) return;
    this.serializedBefore = old;
    this.builder = new ObjectBufferBuilder(this.bufferSize, n, this, () => this.partition.describe(this.index), old.hasData ? old : null);
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
        conn.send({ t: MSG_BUFFER, id: this.streamId, buffer: b.buffer, length: b.length, backlog, isEvent: b.isEvent, records: b.records });
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
      if (!b.isEvent && b.records === undefined) pool.recycle(b.buffer);
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
