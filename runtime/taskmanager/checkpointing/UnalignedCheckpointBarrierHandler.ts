// Unaligned checkpoints on the task side (Flink's SingleCheckpointBarrierHandler.unaligned with its
// ChannelStateWriter): the first barrier of a checkpoint triggers the snapshot at once, no channel is
// blocked, and the records that are "before the barrier" in stream order but reach the operators
// after the snapshot are persisted as input channel state:
//   - on a channel whose barrier has not come yet: everything it delivers until its barrier;
//   - after a channel's barrier: the data buffers the barrier overtook (in the producer's queue and
//     in this channel's queue; the barrier carries their number).
// Records are persisted decoded (msgpack of [values, timestamps] per buffer), because a network
// buffer alone cannot be decoded (record structures are defined by earlier buffers of the stream).
import { Packr } from 'msgpackr';
import type { AbortReason, BarrierInfo, CheckpointBarrierHandler, CheckpointableTask } from './CheckpointBarrierHandler.js';
import type { ChannelStateRecorder, SingleInputGate } from '../../network/index.js';

/** The in-flight records of one input channel for one checkpoint: packed [values, timestamps] per buffer. */
export interface InputChannelStateSnapshot { readonly channel: number; readonly batches: readonly Uint8Array[] }

const DONE = 0;
const UNTIL_BARRIER = 1;
const COUNTING = 2;

const packr = new Packr({ useRecords: false, moreTypes: true });

export class UnalignedCheckpointBarrierHandler implements CheckpointBarrierHandler, ChannelStateRecorder {
  private current = -1;
  private active = false;
  /** Highest checkpoint id finished here (completed recording, aborted or cancelled). */
  private lastDone = -1;
  private readonly mode: Uint8Array;
  private readonly remaining: Int32Array;
  private readonly ended: Uint8Array;
  private recorded: Uint8Array[][] = [];
  private resolve: ((s: InputChannelStateSnapshot[]) => void) | null = null;
  private reject: ((e: Error) => void) | null = null;
  private future: Promise<InputChannelStateSnapshot[]> | null = null;
  private persistedBytes = 0;

  constructor(private readonly numberOfChannels: number, private readonly gate: Pick<SingleInputGate, 'channelStateRecorder'>, private readonly task: CheckpointableTask) {
    this.mode = new Uint8Array(numberOfChannels);
    this.remaining = new Int32Array(numberOfChannels);
    this.ended = new Uint8Array(numberOfChannels);
  }

  get latestCheckpointId(): number { return Math.max(this.current, this.lastDone); }
  get isAligning(): boolean { return this.active; }
  /** Bytes persisted for the current checkpoint so far. */
  get bytesPersisted(): number { return this.persistedBytes; }

  /** The input channel state of `checkpointId`, complete once every channel delivered its part (undefined: not this handler's current one). */
  channelState(checkpointId: number): Promise<InputChannelStateSnapshot[]> | undefined {
    return checkpointId === this.current ? this.future ?? undefined : undefined;
  }

  processBarrier(channel: number, b: BarrierInfo & { overtaken?: number }): void {
    if (this.ended[channel]) return;
    const id = b.checkpointId;
    if (id <= this.lastDone || id < this.current) return;
    if (id > this.current) {
      if (this.active) this.abortCurrent('CHECKPOINT_DECLINED_SUBSUMED', true);
      this.start(id);
      this.task.triggerCheckpointOnBarrier({ checkpointId: id, timestamp: b.timestamp }, { alignmentDurationMs: 0, bytesProcessedDuringAlignment: 0 });
    }
    if (!this.active || this.mode[channel] !== UNTIL_BARRIER) return;
    const n = b.overtaken ?? 0;
    this.remaining[channel] = n;
    this.mode[channel] = n > 0 ? COUNTING : DONE;
    this.maybeComplete();
  }

  onRecords(channel: number, values: unknown[], timestamps: number[] | null): void {
    const m = this.mode[channel];
    if (m === DONE) return;
    // Copied: the packer reuses its buffer, and operators may hold on to (or mutate) the values later.
    const bytes = new Uint8Array(packr.pack([values, timestamps]));
    this.recorded[channel]!.push(bytes);
    this.persistedBytes += bytes.byteLength;
    if (m === COUNTING && --this.remaining[channel]! <= 0) { this.mode[channel] = DONE; this.maybeComplete(); }
  }

  processCancellationBarrier(_channel: number, checkpointId: number): void {
    if (checkpointId <= this.lastDone || checkpointId < this.current) return;
    if (checkpointId === this.current && this.active) { this.abortCurrent('CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER', true); return; }
    if (checkpointId > this.current) {
      if (this.active) this.abortCurrent('CHECKPOINT_DECLINED_SUBSUMED', true);
      this.lastDone = checkpointId;
      this.task.abortCheckpointOnBarrier(checkpointId, 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER');
    }
  }

  processEndOfPartition(channel: number): void {
    this.ended[channel] = 1;
    if (this.active && this.mode[channel] !== DONE) { this.mode[channel] = DONE; this.maybeComplete(); }
  }

  abortPendingCheckpoint(checkpointId: number): void {
    if (checkpointId === this.current && this.active) this.abortCurrent(null, false);
    if (checkpointId > this.lastDone && checkpointId > this.current) this.lastDone = checkpointId;
  }

  addProcessedBytes(_n: number): void { /* nothing is blocked, so nothing is "processed during alignment" */ }

  close(): void {
    if (this.active) this.abortCurrent(null, false);
  }

  private start(id: number): void {
    this.current = id;
    this.active = true;
    this.persistedBytes = 0;
    this.recorded = Array.from({ length: this.numberOfChannels }, () => []);
    for (let c = 0; c < this.numberOfChannels; c++) this.mode[c] = this.ended[c] ? DONE : UNTIL_BARRIER;
    this.future = new Promise((res, rej) => { this.resolve = res; this.reject = rej; });
    void this.future.catch(() => { /* an aborted checkpoint's state is not awaited */ });
    this.gate.channelStateRecorder = this;
  }

  private maybeComplete(): void {
    for (let c = 0; c < this.numberOfChannels; c++) if (this.mode[c] !== DONE) return;
    const state: InputChannelStateSnapshot[] = [];
    for (let c = 0; c < this.numberOfChannels; c++) if (this.recorded[c]!.length > 0) state.push({ channel: c, batches: this.recorded[c]! });
    this.finish();
    this.resolve?.(state);
  }

  private abortCurrent(reason: AbortReason | null, tellTask: boolean): void {
    const id = this.current;
    this.finish();
    this.reject?.(new Error(`checkpoint ${id} was aborted`));
    if (tellTask && reason !== null) this.task.abortCheckpointOnBarrier(id, reason);
  }

  private finish(): void {
    this.active = false;
    this.lastDone = Math.max(this.lastDone, this.current);
    this.mode.fill(DONE);
    this.gate.channelStateRecorder = null;
    this.recorded = [];
  }
}
