// Consumer side: SingleInputGate → InputChannel, credit-based (Flink's io/network/partition/consumer/
// {SingleInputGate,RemoteInputChannel,BufferManager}). One channel class serves every transport: the
// Connection underneath is what differs.
import { MSG_ADD_CREDIT, MSG_CANCEL, MSG_PARTITION_REQUEST, type Connection } from './Connection.js';
import { ChannelError } from './ChannelError.js';
import { RecordDeserializer, deserializeEvent } from './RecordBufferBuilder.js';
import type { InputBatch, InputChannelDescriptor } from './NetworkConfig.js';

export interface SingleInputGate {
  readonly numberOfChannels: number;
  /** Non-blocking; null = nothing available now. Throws the first channel error. */
  pollNext(): InputBatch | null;
  /** Resolves when pollNext() may return non-null, or an error occurred (then pollNext throws it). */
  getAvailableFuture(): Promise<void>;
  /** Stop delivering from that channel until resumed (aligned checkpoints). */
  blockChannel(channel: number): void;
  resumeChannel(channel: number): void;
  close(): void;
  readonly numRecordsIn: number;
  readonly numBytesIn: number;
}

/** What a gate needs from its ShuffleEnvironment. */
export interface GateHost {
  readonly buffersPerChannel: number;
  readonly floatingBuffersPerGate: number;
  connectionFor(desc: InputChannelDescriptor, owner: string): Connection;
  registerChannel(conn: Connection, channel: InputChannel): number;
  unregisterChannel(conn: Connection, streamId: number): void;
  onGateClosed(gate: SingleInputGateImpl): void;
}

interface ReceivedBuffer {
  buffer: ArrayBuffer;
  length: number;
  isEvent: boolean;
}

export class InputChannel {
  readonly streamId: number;
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

  constructor(
    private readonly gate: SingleInputGateImpl,
    readonly index: number,
    readonly descriptor: InputChannelDescriptor,
    readonly conn: Connection,
    initialCredit: number,
  ) {
    this.creditsAtProducer = initialCredit;
    this.streamId = gate.host.registerChannel(conn, this);
    conn.send({ t: MSG_PARTITION_REQUEST, id: this.streamId, partitionId: descriptor.partitionId, subpartition: descriptor.subpartition, credit: initialCredit });
  }

  get hasData(): boolean {
    return this.head < this.queue.length;
  }

  /** Received, not yet polled buffers (tests, metrics). */
  get numQueued(): number {
    return this.queue.length - this.head;
  }

  onBuffer(buffer: ArrayBuffer, length: number, backlog: number, isEvent: boolean): void {
    if (this.closed) {
      if (!isEvent) this.conn.send({ t: MSG_ADD_CREDIT, id: this.streamId, credit: 0, buffers: [buffer] });
      return;
    }
    this.queue.push({ buffer, length, isEvent });
    if (!isEvent) {
      this.creditsAtProducer--;
      this.lastBacklog = backlog;
      if (backlog > this.creditsAtProducer) this.gate.requestFloating(this);
    }
    this.gate.onChannelData(this);
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

  decode(b: ReceivedBuffer): { values: unknown[]; timestamps: number[] | null } {
    return this.deserializer.decode(b.buffer, b.length);
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
    this.conn.send({ t: MSG_ADD_CREDIT, id: this.streamId, credit, buffers: [b.buffer] });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const returned: ArrayBuffer[] = [];
    for (let i = this.head; i < this.queue.length; i++) if (!this.queue[i]!.isEvent) returned.push(this.queue[i]!.buffer);
    this.queue.length = 0;
    this.head = 0;
    if (returned.length > 0) this.conn.send({ t: MSG_ADD_CREDIT, id: this.streamId, credit: 0, buffers: returned });
    if (!this.ended) this.conn.send({ t: MSG_CANCEL, id: this.streamId });
    this.gate.host.unregisterChannel(this.conn, this.streamId);
  }

  onError(message: string): void {
    if (this.closed || this.ended) return;
    const d = this.descriptor;
    this.gate.onChannelError(
      new ChannelError(`${this.gate.owner}: input channel ${this.index} (partition ${d.partitionId}, subpartition ${d.subpartition}, via ${this.conn.peer}) failed: ${message}`, d.partitionId, d.subpartition),
    );
  }
}

export class SingleInputGateImpl implements SingleInputGate {
  readonly channels: InputChannel[] = [];
  /** Round-robin queue of channels with data (Flink's inputChannelsWithData). */
  private available: InputChannel[] = [];
  private availableHead = 0;
  private floatingAvailable: number;
  private readonly floatingWaiters: InputChannel[] = [];
  private error: Error | null = null;
  private resolveAvailable: (() => void) | null = null;
  private availablePromise: Promise<void> | null = null;
  private closed = false;
  numRecordsIn = 0;
  numBytesIn = 0;

  constructor(
    readonly host: GateHost,
    descriptors: InputChannelDescriptor[],
    readonly owner: string,
  ) {
    this.floatingAvailable = host.floatingBuffersPerGate;
    // Resolve every connection before requesting anything, so a bad descriptor leaves nothing half-open.
    const conns = descriptors.map((d) => host.connectionFor(d, owner));
    for (let i = 0; i < descriptors.length; i++) {
      this.channels.push(new InputChannel(this, i, descriptors[i]!, conns[i]!, host.buffersPerChannel));
    }
  }

  get numberOfChannels(): number {
    return this.channels.length;
  }

  pollNext(): InputBatch | null {
    if (this.error !== null) throw this.error;
    const q = this.available;
    while (this.availableHead < q.length) {
      const ch = q[this.availableHead]!;
      q[this.availableHead++] = undefined as unknown as InputChannel;
      if (this.availableHead === q.length) {
        q.length = 0;
        this.availableHead = 0;
      }
      if (ch.blocked || !ch.hasData) {
        ch.inAvailableQueue = false;
        continue;
      }
      const b = ch.next();
      // Round robin: a channel with more data goes to the back of the queue.
      if (ch.hasData) q.push(ch);
      else ch.inAvailableQueue = false;
      if (b.isEvent) {
        const event = deserializeEvent(b.buffer, b.length);
        if (event.type === 'EndOfPartition') {
          ch.ended = true;
          // The stream is complete: floating credit it borrowed serves other channels now.
          while (ch.floatingHeld > 0) {
            ch.floatingHeld--;
            this.releaseFloating();
          }
        }
        return { kind: 'event', channel: ch.index, event };
      }
      const { values, timestamps } = ch.decode(b);
      this.numRecordsIn += values.length;
      this.numBytesIn += b.length;
      // The whole buffer is decoded into `values` (strings and bytes copied), so it is recycled right away.
      ch.recycle(b);
      return { kind: 'records', channel: ch.index, values, timestamps };
    }
    return null;
  }

  getAvailableFuture(): Promise<void> {
    if (this.error !== null || this.availableHead < this.available.length || this.closed) return Promise.resolve();
    if (this.availablePromise === null) {
      this.availablePromise = new Promise<void>((resolve) => {
        this.resolveAvailable = resolve;
      });
    }
    return this.availablePromise;
  }

  private notifyAvailable(): void {
    const r = this.resolveAvailable;
    if (r !== null) {
      this.resolveAvailable = null;
      this.availablePromise = null;
      r();
    }
  }

  onChannelData(ch: InputChannel): void {
    if (!ch.inAvailableQueue && !ch.blocked) {
      ch.inAvailableQueue = true;
      this.available.push(ch);
      this.notifyAvailable();
    }
  }

  onChannelError(e: Error): void {
    if (this.error === null) this.error = e;
    this.notifyAvailable();
  }

  requestFloating(ch: InputChannel): void {
    const need = ch.floatingNeed;
    if (need <= 0) return;
    const n = Math.min(need, this.floatingAvailable);
    if (n > 0) {
      this.floatingAvailable -= n;
      ch.grantFloating(n);
    }
    if (need > n && !ch.waitingForFloating) {
      ch.waitingForFloating = true;
      this.floatingWaiters.push(ch);
    }
  }

  /** A floating credit came back: hand it to the first channel still announcing backlog. */
  releaseFloating(): void {
    this.floatingAvailable++;
    while (this.floatingWaiters.length > 0 && this.floatingAvailable > 0) {
      const ch = this.floatingWaiters[0]!;
      const need = ch.floatingNeed;
      if (need <= 0) {
        this.floatingWaiters.shift();
        ch.waitingForFloating = false;
        continue;
      }
      this.floatingAvailable--;
      ch.grantFloating(1);
      if (need === 1) {
        this.floatingWaiters.shift();
        ch.waitingForFloating = false;
      }
    }
  }

  blockChannel(channel: number): void {
    this.channel(channel).blocked = true;
  }

  resumeChannel(channel: number): void {
    const ch = this.channel(channel);
    if (!ch.blocked) return;
    ch.blocked = false;
    if (ch.hasData && !ch.inAvailableQueue) {
      ch.inAvailableQueue = true;
      this.available.push(ch);
      this.notifyAvailable();
    }
  }

  private channel(i: number): InputChannel {
    const ch = this.channels[i];
    if (ch === undefined) throw new RangeError(`${this.owner}: input channel ${i} out of range [0, ${this.channels.length})`);
    return ch;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ch of this.channels) ch.close();
    this.available = [];
    this.availableHead = 0;
    this.notifyAvailable();
    this.host.onGateClosed(this);
  }
}
