// One input channel of a SingleInputGate, credit-based (Flink's RemoteInputChannel + BufferManager). One
// channel class serves every transport: the Connection underneath is what differs.
import type { Connection } from './Connection.js';
import { MSG_ADD_CREDIT, MSG_CANCEL, MSG_PARTITION_REQUEST, PARTITION_NOT_FOUND } from './NetworkMessage.js';
import { ChannelError } from './ChannelError.js';
import { RecordDeserializer } from './RecordDeserializer.js';
import type { InputChannelDescriptor } from './InputChannelDescriptor.js';
import { deserializeEvent } from './EventSerializer.js';
import type { ObjectRecords } from './NetworkBuffer.js';

/** What a channel needs from its gate (SingleInputGateImpl). */
export interface ChannelGate {
  readonly owner: string;
  readonly host: {
    registerChannel(conn: Connection, channel: InputChannel): number;
    unregisterChannel(conn: Connection, streamId: number): void;
    readonly partitionRequestBackoff: { initialMs: number; maxMs: number };
  };
  onChannelData(ch: InputChannel): void;
  onChannelError(e: Error): void;
  requestFloating(ch: InputChannel): void;
  releaseFloating(): void;
}

export interface ReceivedBuffer {
  buffer: ArrayBuffer;
  length: number;
  isEvent: boolean;
  /** An object buffer from a producer in this thread: the records themselves, nothing to decode or give back. */
  records?: ObjectRecords;
  /** An unaligned barrier moved to the head of the queue: data buffers it overtook here. */
  overtakenHere?: number;
  /** Decoded ahead of the task (spilled for an unaligned checkpoint); the buffer went back already. */
  decoded?: ObjectRecords;
  /** The checkpoint these records were persisted for when spilled. */
  recordedFor?: number;
}

/** Gets the records of every buffer spilled ahead of the task (unaligned checkpoints). */
export type SpillSink = (values: unknown[], timestamps: number[] | null) => void;

export class InputChannel {
  /** Changes when a finished partition is requested again (PartitionNotFound backoff). */
  streamId: number;
  private readonly queue: ReceivedBuffer[] = [];
  private head = 0;
  private readonly deserializer = new RecordDeserializer();
  /** Credits the producer holds and has not used yet (exclusive + floating). */
  private creditsAtProducer: number;
  /** Floating credits borrowed from the gate. */
  floatingHeld = 0;
  /** Backlog announced with the last buffer. */
  lastBacklog = 0;
  waitingForFloating = false;
  inAvailableQueue = false;
  blocked = false;
  ended = false;
  closed = false;
  /** Overtaken data buffers still to spill on arrival for checkpoint `spillCheckpoint`. */
  private spillRemaining = 0;
  private spillCheckpoint = -1;
  private spillSink: SpillSink | null = null;
  /** PartitionNotFound backoff of a finished partition: the last wait (0 = none yet) and its timer. */
  private backoffMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly gate: ChannelGate,
    readonly index: number,
    readonly descriptor: InputChannelDescriptor,
    readonly conn: Connection,
    initialCredit: number,
  ) {
    this.creditsAtProducer = initialCredit;
    this.streamId = gate.host.registerChannel(conn, this);
    this.sendRequest();
  }

  private sendRequest(): void {
    const d = this.descriptor;
    this.conn.send({ t: MSG_PARTITION_REQUEST, id: this.streamId, partitionId: d.partitionId, subpartition: d.subpartition, credit: this.creditsAtProducer, ...(d.finished ? { finished: true } : {}) });
  }

  /** The same request under a new stream id (the producer side forgot the old one when it answered PartitionNotFound). */
  private requestAgain(): void {
    this.retryTimer = null;
    if (this.closed) return;
    this.gate.host.unregisterChannel(this.conn, this.streamId);
    this.streamId = this.gate.host.registerChannel(this.conn, this);
    this.sendRequest();
  }

  get hasData(): boolean {
    return this.head < this.queue.length;
  }

  /** Received, not yet polled buffers (tests, metrics). */
  get numQueued(): number {
    return this.queue.length - this.head;
  }

  onBuffer(buffer: ArrayBuffer, length: number, backlog: number, isEvent: boolean, records?: ObjectRecords): void {
    if (this.closed) {
      if (!isEvent && records === undefined) this.conn.send({ t: MSG_ADD_CREDIT, id: this.streamId, credit: 0, buffers: [buffer] });
      return;
    }
    if (isEvent && this.isUnalignedBarrier(buffer, length)) {
      // Priority: the barrier goes ahead of what is queued (Flink's unaligned checkpoints); the
      // buffers it overtook are counted so the task persists them as channel state.
      let data = 0;
      for (let i = this.head; i < this.queue.length; i++) if (!this.queue[i]!.isEvent) data++;
      this.queue.splice(this.head, 0, { buffer, length, isEvent, overtakenHere: data });
      this.gate.onChannelData(this);
      return;
    }
    const entry: ReceivedBuffer = { buffer, length, isEvent, records };
    this.queue.push(entry);
    if (!isEvent) {
      this.creditsAtProducer--;
      this.lastBacklog = backlog;
      if (backlog > this.creditsAtProducer) this.gate.requestFloating(this);
      if (this.spillRemaining > 0) this.spill(entry);
    }
    this.gate.onChannelData(this);
  }

  private isUnalignedBarrier(buffer: ArrayBuffer, length: number): boolean {
    const e = deserializeEvent(buffer, length);
    return e.type === 'CheckpointBarrier' && e.unaligned;
  }

  onBacklog(backlog: number): void {
    if (this.closed) return;
    this.lastBacklog = backlog;
    if (backlog > this.creditsAtProducer) this.gate.requestFloating(this);
  }

  /** Floating credits the channel could use right now. */
  get floatingNeed(): number {
    return this.closed || this.ended ? 0 : this.lastBacklog - this.creditsAtProducer;
  }

  grantFloating(n: number): void {
    this.floatingHeld += n;
    this.creditsAtProducer += n;
    this.conn.send({ t: MSG_ADD_CREDIT, id: this.streamId, credit: n, buffers: null });
  }

  next(): ReceivedBuffer {
    const b = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as ReceivedBuffer;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return b;
  }

  decode(b: ReceivedBuffer): ObjectRecords {
    return b.decoded ?? b.records ?? this.deserializer.decode(b.buffer, b.length);
  }

  /**
   * An unaligned barrier of `checkpointId` overtook `n` data buffers (queued here and still to come
   * from the producer's queue): persist them now instead of when the task reaches them. Each is
   * decoded in stream order, handed to `sink`, and its buffer and credit go back at once — so the
   * overtaken data drains at network speed, not at the speed of the backpressured task. The decoded
   * records stay queued in order for the task.
   */
  spillOvertaken(checkpointId: number, n: number, sink: SpillSink): void {
    this.spillCheckpoint = checkpointId;
    this.spillSink = sink;
    this.spillRemaining = n;
    for (let i = this.head; i < this.queue.length && this.spillRemaining > 0; i++) {
      const e = this.queue[i]!;
      if (!e.isEvent) this.spill(e);
    }
  }

  /** Stops spilling (the checkpoint ended or was aborted). */
  stopSpilling(): void {
    this.spillRemaining = 0;
    this.spillSink = null;
  }

  private spill(e: ReceivedBuffer): void {
    if (e.decoded === undefined) {
      e.decoded = this.decode(e);
      this.recycle(e);
    }
    e.recordedFor = this.spillCheckpoint;
    const sink = this.spillSink!;
    if (--this.spillRemaining <= 0) this.stopSpilling();
    sink(e.decoded.values, e.decoded.timestamps);
  }

  /**
   * A data buffer was decoded: its memory goes back to the producer's pool, and its credit either back to
   * the producer or — if this channel holds floating credit it no longer needs — back to the gate.
   */
  recycle(b: ReceivedBuffer): void {
    let credit = 1;
    if (this.floatingHeld > 0 && this.creditsAtProducer >= this.lastBacklog) {
      this.floatingHeld--;
      credit = 0;
      this.gate.releaseFloating();
    } else {
      this.creditsAtProducer++;
    }
    this.conn.send({ t: MSG_ADD_CREDIT, id: this.streamId, credit, buffers: b.records === undefined ? [b.buffer] : null });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const returned: ArrayBuffer[] = [];
    for (let i = this.head; i < this.queue.length; i++) { const e = this.queue[i]!; if (!e.isEvent && e.decoded === undefined && e.records === undefined) returned.push(e.buffer); }
    this.queue.length = 0;
    this.head = 0;
    if (returned.length > 0) this.conn.send({ t: MSG_ADD_CREDIT, id: this.streamId, credit: 0, buffers: returned });
    if (this.retryTimer !== null) { clearTimeout(this.retryTimer); this.retryTimer = null; }
    else if (!this.ended) this.conn.send({ t: MSG_CANCEL, id: this.streamId });
    this.gate.host.unregisterChannel(this.conn, this.streamId);
  }

  onError(message: string): void {
    if (this.closed || this.ended) return;
    const d = this.descriptor;
    // Flink's PartitionNotFound retries: the producer's TaskManager may still be registering it; past the
    // maximum backoff the channel fails and the JobMaster reruns the producer.
    if (d.finished && message.startsWith(PARTITION_NOT_FOUND)) {
      const { initialMs, maxMs } = this.gate.host.partitionRequestBackoff;
      const next = this.backoffMs === 0 ? initialMs : this.backoffMs * 2;
      if (next <= maxMs) {
        this.backoffMs = next;
        this.retryTimer = setTimeout(() => this.requestAgain(), next);
        this.retryTimer.unref();
        return;
      }
    }
    this.gate.onChannelError(
      new ChannelError(`${this.gate.owner}: input channel ${this.index} (partition ${d.partitionId}, subpartition ${d.subpartition}, via ${this.conn.peer}) failed: ${message}`, d.partitionId, d.subpartition),
    );
  }
}
