// Consumer side: SingleInputGate → InputChannel, credit-based (Flink's io/network/partition/consumer/
// {SingleInputGate,RemoteInputChannel,BufferManager}): round-robin over channels with data, floating credit.
import type { Connection } from './Connection.js';
import { deserializeEvent } from './EventSerializer.js';
import { InputChannel } from './InputChannel.js';
import type { InputChannelDescriptor } from './InputChannelDescriptor.js';
import type { StreamEvent } from './StreamEvent.js';

/** What SingleInputGate.pollNext() returns: the decoded records of one buffer, or one event (Flink's BufferOrEvent). */
export type InputBatch =
  /** `keys`: the records' keys when they came in-thread over a keyed edge (computed by the producer's partitioner), else null. */
  | { kind: 'records'; channel: number; values: unknown[]; keys: unknown[] | null; timestamps: number[] | null }
  | { kind: 'event'; channel: number; event: StreamEvent };

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
  /** Sees every decoded data buffer while set (unaligned checkpoints persist in-flight records); null = off. */
  channelStateRecorder: ChannelStateRecorder | null;
  /**
   * Unaligned checkpoints: the barrier of `checkpointId` on `channel` overtook `n` data buffers; hand
   * their records to `sink` as soon as each is here (see InputChannel.spillOvertaken).
   */
  spillOvertaken(channel: number, checkpointId: number, n: number, sink: (values: unknown[], timestamps: number[] | null) => void): void;
  /** Stops a spill still waiting for buffers (checkpoint aborted or subsumed). */
  stopSpilling(channel: number): void;
  readonly numRecordsIn: number;
  readonly numBytesIn: number;
}

/** Receives the decoded records of every data buffer the gate hands out while it is set. */
export interface ChannelStateRecorder {
  /** `recordedFor`: the checkpoint these records were already persisted for when spilled (if any). */
  onRecords(channel: number, values: unknown[], timestamps: number[] | null, recordedFor?: number): void;
}

/** What a gate needs from its ShuffleEnvironment. */
export interface GateHost {
  readonly buffersPerChannel: number;
  readonly floatingBuffersPerGate: number;
  readonly partitionRequestBackoff: { initialMs: number; maxMs: number };
  connectionFor(desc: InputChannelDescriptor, owner: string): Connection;
  registerChannel(conn: Connection, channel: InputChannel): number;
  unregisterChannel(conn: Connection, streamId: number): void;
  onGateClosed(gate: SingleInputGateImpl): void;
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
  channelStateRecorder: ChannelStateRecorder | null = null;

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
        if (event.type === 'CheckpointBarrier' && event.unaligned) event.overtaken = (event.overtaken ?? 0) + (b.overtakenHere ?? 0);
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
      const spilled = b.decoded !== undefined;
      const { values, keys, timestamps } = ch.decode(b);
      this.numRecordsIn += values.length;
      this.numBytesIn += b.length;
      if (this.channelStateRecorder !== null) this.channelStateRecorder.onRecords(ch.index, values, timestamps, b.recordedFor);
      // The whole buffer is decoded into `values` (strings and bytes copied), so it is recycled right
      // away (a spilled one was recycled when it was spilled).
      if (!spilled) ch.recycle(b);
      return { kind: 'records', channel: ch.index, values, keys, timestamps };
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

  spillOvertaken(channel: number, checkpointId: number, n: number, sink: (values: unknown[], timestamps: number[] | null) => void): void {
    this.channel(channel).spillOvertaken(checkpointId, n, sink);
  }

  stopSpilling(channel: number): void {
    this.channel(channel).stopSpilling();
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
