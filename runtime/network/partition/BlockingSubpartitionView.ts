// Serves one subpartition of a finished blocking partition to one consumer over the ordinary credit protocol
// (Flink's BoundedBlockingSubpartitionReader / SortMergeSubpartitionReader behind a
// CreditBasedSequenceNumberingViewReader): buffers are read from the file ahead of demand only as far as the
// consumer's credit reaches, so read memory per consumer stays bounded.
import type { Connection } from '../Connection.js';
import { MSG_BACKLOG, MSG_BUFFER, MSG_ERROR } from '../NetworkMessage.js';
import type { NetworkBuffer } from '../NetworkBuffer.js';
import type { NetworkBufferPool } from '../NetworkBufferPool.js';
import type { FileRange } from './PartitionedFile.js';
import { PartitionedFileReader } from './PartitionedFileReader.js';
import type { BatchShuffleReadBufferPool } from './BatchShuffleReadBufferPool.js';

/** What the network stack keeps per served stream (ResultSubpartition is the pipelined one). */
export interface SubpartitionView {
  addCredit(credit: number): void;
  /** The consumer cancelled or its connection closed. */
  detach(): void;
}

export interface ViewOwner {
  readonly pool: NetworkBufferPool;
  readonly readBufferPool: BatchShuffleReadBufferPool;
  describe(subpartition: number): string;
  /** The view sent EndOfPartition, failed or was detached; it no longer reads the partition's files. */
  onViewClosed(view: BlockingSubpartitionView, fullyConsumed: boolean): void;
}

/** Decoded buffers a view keeps beyond the consumer's credit (so the next credit finds data ready). */
const READ_AHEAD = 2;

export class BlockingSubpartitionView implements SubpartitionView {
  private reader: PartitionedFileReader | null = null;
  private readonly ready: NetworkBuffer[] = [];
  private head = 0;
  private reading = false;
  private closed = false;
  private announcedBacklog = 0;

  constructor(
    private readonly owner: ViewOwner,
    readonly subpartition: number,
    readonly conn: Connection,
    readonly streamId: number,
    private credit: number,
    private readonly readChunkSize: number,
    /** Called once the view is closed, so the stack drops its route. */
    private readonly onRouteClosed: (view: BlockingSubpartitionView) => void,
  ) {}

  /** The partition finished: start reading `ranges` (in order). */
  start(ranges: readonly FileRange[]): void {
    if (this.closed) return;
    this.reader = new PartitionedFileReader(ranges, this.owner.pool, this.readChunkSize, this.owner.readBufferPool);
    this.pump();
  }

  addCredit(credit: number): void {
    this.credit += credit;
    if (credit > 0 && this.reader !== null) this.pump();
  }

  detach(): void {
    this.close(false);
  }

  /** The partition was released under the consumer: its channel fails with `message`. */
  fail(message: string): void {
    if (this.closed) return;
    if (!this.conn.closed) this.conn.send({ t: MSG_ERROR, id: this.streamId, message });
    this.close(false);
  }

  private pump(): void {
    if (this.closed) return;
    const conn = this.conn;
    while (this.head < this.ready.length) {
      const b = this.ready[this.head]!;
      if (!b.isEvent) {
        if (this.credit <= 0) break;
        this.credit--;
      }
      this.ready[this.head++] = undefined as unknown as NetworkBuffer;
      const backlog = this.backlog();
      this.announcedBacklog = backlog;
      conn.send({ t: MSG_BUFFER, id: this.streamId, buffer: b.buffer, length: b.length, backlog, isEvent: b.isEvent });
      if (b.isEndOfPartition === true) {
        this.close(true);
        return;
      }
    }
    if (this.head === this.ready.length) {
      this.ready.length = 0;
      this.head = 0;
    }
    const queued = this.ready.length - this.head;
    if (this.credit <= 0 && queued > 0 && this.announcedBacklog === 0) {
      this.announcedBacklog = this.backlog();
      conn.send({ t: MSG_BACKLOG, id: this.streamId, backlog: this.announcedBacklog });
    }
    if (!this.reading && queued < Math.max(this.credit, 0) + READ_AHEAD && this.reader!.hasRemaining) this.readMore();
  }

  private backlog(): number {
    let n = 0;
    for (let i = this.head; i < this.ready.length; i++) if (!this.ready[i]!.isEvent) n++;
    return n + (this.reader!.hasRemaining ? 1 : 0);
  }

  private readMore(): void {
    this.reading = true;
    this.reader!.readBuffers(this.ready).then(
      () => {
        this.reading = false;
        if (this.closed) this.recycleReady();
        else this.pump();
      },
      (e: unknown) => {
        this.reading = false;
        this.fail(`${this.owner.describe(this.subpartition)}: reading the shuffle file failed: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  private close(fullyConsumed: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.reading) this.recycleReady();
    const r = this.reader;
    this.reader = null;
    const done = (): void => this.owner.onViewClosed(this, fullyConsumed);
    this.onRouteClosed(this);
    // Files may only be deleted once no read is in flight on them.
    if (r !== null) void r.close().then(done, done);
    else done();
  }

  private recycleReady(): void {
    const pool = this.owner.pool;
    for (let i = this.head; i < this.ready.length; i++) {
      const b = this.ready[i]!;
      if (!b.isEvent) pool.recycle(b.buffer);
    }
    this.ready.length = 0;
    this.head = 0;
  }
}
