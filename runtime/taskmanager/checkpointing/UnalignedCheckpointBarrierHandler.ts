// Unaligned checkpoints on the task side (Flink's SingleCheckpointBarrierHandler.unaligned with its
// ChannelStateWriter): the first barrier of a checkpoint triggers the snapshot at once, no channel is
// blocked, and the records that are "before the barrier" in stream order but reach the operators
// after the snapshot are persisted as input channel state:
//   - on a channel whose barrier has not come yet: everything it delivers until its barrier;
//   - after a channel's barrier: the data buffers the barrier overtook (in the producer's queue and
//     in this channel's queue; the barrier carries their number). The gate spills these as soon as
//     they are here (decoded, buffer and credit returned), so the checkpoint does not wait for the
//     backpressured task to reach them.
// With `aligned-checkpoint-timeout` (Flink's alternating handler) a checkpoint starts aligned —
// channels that delivered the barrier are blocked — and switches to unaligned when the timeout since
// the barrier's creation passes or an unaligned barrier arrives: channels are resumed, the snapshot is
// taken then, and the channels still without barrier are recorded from then on.
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

/** The alternating (aligned, then unaligned) variant: the timeout and how to run a callback later in the task's mailbox. */
export interface AlignedTimeout {
  readonly timeoutMs: number;
  schedule(delayMs: number, fn: () => void): { cancel(): void };
  now(): number;
}

export class UnalignedCheckpointBarrierHandler implements CheckpointBarrierHandler, ChannelStateRecorder {
  private current = -1;
  private active = false;
  /** Alternating mode, current checkpoint still aligned: channels that delivered the barrier are blocked. */
  private aligning = false;
  private readonly blocked: Uint8Array;
  private timer: { cancel(): void } | null = null;
  private currentBarrier: BarrierInfo | null = null;
  private unalignedIds = new Set<number>();
  private alignStart = 0;
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

  constructor(private readonly numberOfChannels: number, private readonly gate: Pick<SingleInputGate, 'channelStateRecorder' | 'blockChannel' | 'resumeChannel' | 'spillOvertaken' | 'stopSpilling'>,
    private readonly task: CheckpointableTask, private readonly alignedTimeout?: AlignedTimeout) {
    this.blocked = new Uint8Array(numberOfChannels);
    this.mode = new Uint8Array(numberOfChannels);
    this.remaining = new Int32Array(numberOfChannels);
    this.ended = new Uint8Array(numberOfChannels);
  }

  get latestCheckpointId(): number { return Math.max(this.current, this.lastDone); }
  get isAligning(): boolean { return this.active; }
  /** Whether `checkpointId` was (or is being) taken unaligned here; an aligned one has no channel state. */
  isUnaligned(checkpointId: number): boolean { return this.unalignedIds.has(checkpointId); }

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
    const unalignedBarrier = (b as { unaligned?: boolean }).unaligned === true;
    if (id > this.current) {
      if (this.active) this.abortCurrent('CHECKPOINT_DECLINED_SUBSUMED', true);
      this.start(id, b);
      const t = this.alignedTimeout;
      // Savepoints are always aligned.
      const savepoint = (b as { savepoint?: boolean }).savepoint === true;
      const late = t !== undefined && t.now() - b.timestamp >= t.timeoutMs;
      if (!savepoint && (t === undefined || late || unalignedBarrier)) this.switchToUnaligned();
      else {
        this.aligning = true;
        this.alignStart = this.now();
        if (!savepoint && t) this.timer = t.schedule(Math.max(0, b.timestamp + t.timeoutMs - t.now()), () => { if (this.aligning && this.current === id) this.switchToUnaligned(); });
      }
    } else if (this.aligning && unalignedBarrier) {
      // Its producer went unaligned: the data it overtook cannot wait behind a blocked channel.
      this.switchToUnaligned();
    }
    if (!this.active || this.mode[channel] !== UNTIL_BARRIER) return;
    if (this.aligning) {
      this.mode[channel] = DONE;
      if (!this.allDone()) { this.blocked[channel] = 1; this.gate.blockChannel(channel); return; }
      this.completeAligned();
      return;
    }
    const n = b.overtaken ?? 0;
    this.remaining[channel] = n;
    this.mode[channel] = n > 0 ? COUNTING : DONE;
    if (n > 0) {
      this.gate.spillOvertaken(channel, id, n, (values, timestamps) => { if (this.active && this.current === id) this.record(channel, values, timestamps); });
      if (!this.active) return; // the spill completed the checkpoint
    }
    this.maybeComplete();
  }

  onRecords(channel: number, values: unknown[], timestamps: number[] | null, recordedFor?: number): void {
    if (recordedFor === this.current) return; // spilled for this checkpoint already
    this.record(channel, values, timestamps);
  }

  private record(channel: number, values: unknown[], timestamps: number[] | null): void {
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
    if (this.active && this.mode[channel] !== DONE) {
      this.mode[channel] = DONE;
      if (this.aligning) { if (this.allDone()) this.completeAligned(); } else this.maybeComplete();
    }
  }

  private allDone(): boolean {
    for (let c = 0; c < this.numberOfChannels; c++) if (this.mode[c] !== DONE) return false;
    return true;
  }

  /** Every channel delivered the barrier while aligned: an aligned checkpoint, nothing to persist. */
  private completeAligned(): void {
    const b = this.currentBarrier!;
    const duration = this.now() - this.alignStart;
    this.finish();
    this.resolve?.([]);
    this.task.triggerCheckpointOnBarrier(b, { alignmentDurationMs: duration, bytesProcessedDuringAlignment: 0 });
  }

  /** Snapshot now, unblock everything, record the channels whose barrier is still to come. */
  private switchToUnaligned(): void {
    this.aligning = false;
    this.timer?.cancel();
    this.timer = null;
    this.unalignedIds.add(this.current);
    this.resumeBlocked();
    this.gate.channelStateRecorder = this;
    const b = this.currentBarrier!;
    this.task.triggerCheckpointOnBarrier(b, { alignmentDurationMs: this.alignStart > 0 ? this.now() - this.alignStart : 0, bytesProcessedDuringAlignment: 0 });
    this.maybeComplete();
  }

  private now(): number { return this.alignedTimeout ? this.alignedTimeout.now() : Date.now(); }

  private resumeBlocked(): void {
    for (let c = 0; c < this.numberOfChannels; c++) if (this.blocked[c]) { this.blocked[c] = 0; this.gate.resumeChannel(c); }
  }

  abortPendingCheckpoint(checkpointId: number): void {
    if (checkpointId === this.current && this.active) this.abortCurrent(null, false);
    if (checkpointId > this.lastDone && checkpointId > this.current) this.lastDone = checkpointId;
  }

  addProcessedBytes(_n: number): void { /* nothing is blocked, so nothing is "processed during alignment" */ }

  close(): void {
    if (this.active) this.abortCurrent(null, false);
  }

  private start(id: number, b: BarrierInfo): void {
    this.current = id;
    this.currentBarrier = { checkpointId: id, timestamp: b.timestamp };
    this.active = true;
    this.aligning = false;
    this.alignStart = 0;
    if (this.unalignedIds.size > 16) this.unalignedIds = new Set([...this.unalignedIds].filter((x) => x > id - 16));
    this.persistedBytes = 0;
    this.recorded = Array.from({ length: this.numberOfChannels }, () => []);
    for (let c = 0; c < this.numberOfChannels; c++) this.mode[c] = this.ended[c] ? DONE : UNTIL_BARRIER;
    this.future = new Promise((res, rej) => { this.resolve = res; this.reject = rej; });
    void this.future.catch(() => { /* an aborted checkpoint's state is not awaited */ });
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
    for (let c = 0; c < this.numberOfChannels; c++) if (this.mode[c] === COUNTING) this.gate.stopSpilling(c);
    this.active = false;
    this.aligning = false;
    this.timer?.cancel();
    this.timer = null;
    this.resumeBlocked();
    this.lastDone = Math.max(this.lastDone, this.current);
    this.mode.fill(DONE);
    this.gate.channelStateRecorder = null;
    this.recorded = [];
  }
}
