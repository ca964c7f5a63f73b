// Task-side checkpoint barrier handling (Flink's flink-streaming-java .../runtime/io/checkpointing/):
// EXACTLY_ONCE = SingleCheckpointBarrierHandler.aligned (WaitingForFirstBarrier ⇄ CollectingBarriers),
// AT_LEAST_ONCE = CheckpointBarrierTracker. Both are driven synchronously by the task's input loop.
import { traceCheckpoint } from '../../checkpoint/CheckpointTrace.js';

export interface BarrierInfo {
  readonly checkpointId: number;
  readonly timestamp: number;
}
export interface AlignmentMetrics {
  readonly alignmentDurationMs: number;
  readonly bytesProcessedDuringAlignment: number;
}
/** What the handler needs from the input gate (SingleInputGate already has these two methods). */
export interface BlockableGate {
  blockChannel(channel: number): void;
  resumeChannel(channel: number): void;
}
/** What the handler calls on the task. Both are synchronous calls made inside process*(). */
export interface CheckpointableTask {
  /** All (non-ended) channels delivered barrier `b` (aligned) / all channels delivered it (tracker): snapshot now. */
  triggerCheckpointOnBarrier(b: BarrierInfo, m: AlignmentMetrics): void;
  /** Checkpoint `checkpointId` cannot complete on this task; `reason` is one of Flink's CheckpointFailureReason names below. */
  abortCheckpointOnBarrier(checkpointId: number, reason: AbortReason): void;
}
export type AbortReason =
  | 'CHECKPOINT_DECLINED_SUBSUMED'
  | 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER'
  | 'CHECKPOINT_DECLINED_INPUT_END_OF_STREAM'
  | 'CHECKPOINT_DECLINED_TASK_CLOSING';
export interface CheckpointBarrierHandler {
  processBarrier(channel: number, b: BarrierInfo): void;
  processCancellationBarrier(channel: number, checkpointId: number): void;
  processEndOfPartition(channel: number): void;
  /** The task itself aborted `checkpointId` (e.g. the coordinator told it): stop aligning it, unblock channels. */
  abortPendingCheckpoint(checkpointId: number): void;
  /** Bytes of record buffers the task consumed (call per records buffer) – counted into bytesProcessedDuringAlignment while aligning. */
  addProcessedBytes(n: number): void;
  /** Highest checkpoint id seen (barrier or cancellation), -1 initially. */
  readonly latestCheckpointId: number;
  /** True while an aligned checkpoint is collecting barriers. */
  readonly isAligning: boolean;
  close(): void;
}

export function createBarrierHandler(
  mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE',
  numberOfChannels: number,
  gate: BlockableGate,
  task: CheckpointableTask,
  opts?: { checkpointsAfterTasksFinish?: boolean /* default true */; clock?: () => number /* ms, default performance.now */ },
): CheckpointBarrierHandler {
  if (!Number.isInteger(numberOfChannels) || numberOfChannels < 0) {
    throw new RangeError(`numberOfChannels must be a non-negative integer, got ${numberOfChannels}`);
  }
  const afterFinish = opts?.checkpointsAfterTasksFinish ?? true;
  const clock = opts?.clock ?? defaultClock;
  if (mode === 'EXACTLY_ONCE') return new AlignedBarrierHandler(numberOfChannels, gate, task, afterFinish, clock);
  if (mode === 'AT_LEAST_ONCE') return new BarrierTracker(numberOfChannels, task, afterFinish, clock);
  throw new Error(`unknown checkpointing mode ${String(mode)}`);
}

const defaultClock = (): number => performance.now();

const ZERO_METRICS: AlignmentMetrics = Object.freeze({ alignmentDurationMs: 0, bytesProcessedDuringAlignment: 0 });

/** Flink's CheckpointBarrierTracker.MAX_CHECKPOINTS_TO_TRACK. */
const MAX_CHECKPOINTS_TO_TRACK = 50;

function checkChannel(channel: number, n: number): void {
  if (!Number.isInteger(channel) || channel < 0 || channel >= n) {
    throw new RangeError(`input channel ${channel} out of range [0, ${n})`);
  }
}

// Ids the task aborted (abortPendingCheckpoint) before any barrier of theirs arrived, ascending. They need an
// exact list rather than a high-water mark: aborting N+2 must not swallow the barriers of N+1.
function addAbortedAhead(list: number[], id: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > id) i--;
  if (i > 0 && list[i - 1] === id) return;
  list.splice(i, 0, id);
}

/** Drops ids below `id` (they can no longer start) and reports whether `id` itself was aborted by the task. */
function takeAbortedAhead(list: number[], id: number): boolean {
  let i = 0;
  while (i < list.length && list[i]! < id) i++;
  const hit = i < list.length && list[i] === id;
  const drop = hit ? i + 1 : i;
  if (drop > 0) list.splice(0, drop);
  return hit;
}

// ---------------------------------------------------------------------------------------------------------------
// EXACTLY_ONCE: one checkpoint at a time; channels that delivered the barrier are blocked until all open channels have.

class AlignedBarrierHandler implements CheckpointBarrierHandler {
  /** Highest id seen; Flink's currentCheckpointId. */
  private currentCheckpointId = -1;
  /** Flink's lastCancelledOrCompletedCheckpointId: current === lastDone ⇒ nothing pending, later barriers of it are stale. */
  private lastDoneId = -1;
  private pendingBarrier: BarrierInfo | null = null;
  private readonly aligned: Uint8Array;
  private alignedCount = 0;
  /** Open channels when the alignment started (Flink's targetChannelCount); channels ending later count as aligned. */
  private targetChannelCount = 0;
  private readonly blocked: Int32Array;
  private numBlocked = 0;
  private readonly ended: Uint8Array;
  private numOpenChannels: number;
  private alignmentStart = 0;
  // Added unconditionally (one field add per buffer) and zeroed at alignment start, so it holds the bytes since then.
  private bytesSinceAlignmentStart = 0;
  private readonly abortedAhead: number[] = [];
  private closed = false;

  constructor(
    private readonly numberOfChannels: number,
    private readonly gate: BlockableGate,
    private readonly task: CheckpointableTask,
    private readonly checkpointsAfterTasksFinish: boolean,
    private readonly clock: () => number,
  ) {
    this.aligned = new Uint8Array(numberOfChannels);
    this.blocked = new Int32Array(numberOfChannels);
    this.ended = new Uint8Array(numberOfChannels);
    this.numOpenChannels = numberOfChannels;
  }

  get latestCheckpointId(): number {
    return this.currentCheckpointId;
  }

  get isAligning(): boolean {
    return this.isPending();
  }

  private isPending(): boolean {
    return this.currentCheckpointId !== this.lastDoneId && this.currentCheckpointId >= 0;
  }

  addProcessedBytes(n: number): void {
    this.bytesSinceAlignmentStart += n;
  }

  processBarrier(channel: number, b: BarrierInfo): void {
    checkChannel(channel, this.numberOfChannels);
    // An ended channel is already counted as aligned / excluded from the target; a barrier from it would double count.
    if (this.closed || this.ended[channel] === 1) return;
    const id = b.checkpointId;
    const cur = this.currentCheckpointId;
    // Stale: older than the current one, or the current one already completed/aborted.
    if (id < cur || (id === cur && !this.isPending())) return;
    if (id > cur) {
      if (this.isPending()) this.abort(cur, 'CHECKPOINT_DECLINED_SUBSUMED');
      this.currentCheckpointId = id;
      if (this.abortedAhead.length > 0 && takeAbortedAhead(this.abortedAhead, id)) {
        // The task already gave this one up: never align it, its remaining barriers are stale.
        this.lastDoneId = id;
        return;
      }
      this.pendingBarrier = b;
      this.targetChannelCount = this.numOpenChannels;
      this.alignmentStart = this.clock();
      this.bytesSinceAlignmentStart = 0;
    }
    if (this.aligned[channel] === 1) return; // duplicate from the same channel
    traceCheckpoint('barrier-in', id, `ch ${channel}`);
    this.markAligned(channel, true);
  }

  processCancellationBarrier(channel: number, checkpointId: number): void {
    checkChannel(channel, this.numberOfChannels);
    if (this.closed) return;
    const cur = this.currentCheckpointId;
    // Flink: only a newer id, or the current one while it still collects barriers. A newer id while aligning an
    // older one drops the older alignment without notifying it (Flink's abortInternal only reports the cancelled id).
    if (checkpointId > cur || (checkpointId === cur && this.alignedCount > 0)) {
      const silent = this.abortedAhead.length > 0 && takeAbortedAhead(this.abortedAhead, checkpointId);
      this.abort(checkpointId, silent ? null : 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER');
    }
  }

  processEndOfPartition(channel: number): void {
    checkChannel(channel, this.numberOfChannels);
    if (this.closed || this.ended[channel] === 1) return;
    this.ended[channel] = 1;
    this.numOpenChannels--;
    if (!this.isPending()) return;
    if (!this.checkpointsAfterTasksFinish) {
      this.abort(this.currentCheckpointId, 'CHECKPOINT_DECLINED_INPUT_END_OF_STREAM');
      return;
    }
    // A finished channel will never send the barrier: it counts as aligned (FLIP-147).
    if (this.aligned[channel] === 0) this.markAligned(channel, false);
  }

  abortPendingCheckpoint(checkpointId: number): void {
    if (this.closed) return;
    const cur = this.currentCheckpointId;
    if (checkpointId > cur) addAbortedAhead(this.abortedAhead, checkpointId);
    else if (checkpointId === cur && this.isPending()) this.abort(checkpointId, null);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lastDoneId = this.currentCheckpointId;
    this.resetAlignment();
    this.unblockAll();
  }

  private markAligned(channel: number, block: boolean): void {
    this.aligned[channel] = 1;
    if (++this.alignedCount >= this.targetChannelCount) {
      this.complete();
    } else if (block) {
      this.gate.blockChannel(channel);
      this.blocked[this.numBlocked++] = channel;
    }
  }

  private complete(): void {
    const b = this.pendingBarrier!;
    // Single channel: Flink's markAlignmentStartAndEnd reports a zero alignment.
    const metrics: AlignmentMetrics =
      this.targetChannelCount > 1
        ? {
            alignmentDurationMs: Math.max(0, this.clock() - this.alignmentStart),
            bytesProcessedDuringAlignment: this.bytesSinceAlignmentStart,
          }
        : ZERO_METRICS;
    this.lastDoneId = this.currentCheckpointId;
    this.resetAlignment();
    // Resume before the callback so a throwing task cannot leave channels blocked; the gate only marks
    // availability, so no record is consumed before the task has snapshotted and forwarded the barrier.
    this.unblockAll();
    traceCheckpoint('aligned', b.checkpointId, `${metrics.alignmentDurationMs.toFixed(2)}ms`);
    this.task.triggerCheckpointOnBarrier(b, metrics);
  }

  /** Flink's abortInternal; `reason` null = the task aborted it itself, so do not report it back. */
  private abort(checkpointId: number, reason: AbortReason | null): void {
    // current = id with nothing pending: no barrier of id (or older) can start a new alignment.
    if (checkpointId > this.currentCheckpointId) this.currentCheckpointId = checkpointId;
    if (checkpointId > this.lastDoneId) this.lastDoneId = checkpointId;
    this.resetAlignment();
    this.unblockAll();
    if (reason !== null) this.task.abortCheckpointOnBarrier(checkpointId, reason);
  }

  private resetAlignment(): void {
    this.pendingBarrier = null;
    if (this.alignedCount > 0) this.aligned.fill(0);
    this.alignedCount = 0;
    this.targetChannelCount = 0;
  }

  private unblockAll(): void {
    const n = this.numBlocked;
    this.numBlocked = 0;
    for (let i = 0; i < n; i++) this.gate.resumeChannel(this.blocked[i]!);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// AT_LEAST_ONCE: never blocks; counts barriers per id for several concurrent checkpoints.

class PendingCheckpoint {
  private readonly aligned: Uint8Array;
  count = 0;
  aborted = false;

  constructor(
    readonly checkpointId: number,
    /** null for the marker of a checkpoint that was cancelled before any barrier of it arrived. */
    readonly barrier: BarrierInfo | null,
    readonly targetChannelCount: number,
    numberOfChannels: number,
  ) {
    this.aligned = new Uint8Array(numberOfChannels);
  }

  /** Set semantics (Flink 1.14+): a channel that delivered the barrier and then ended is counted once. */
  markAligned(channel: number): number {
    if (this.aligned[channel] === 0) {
      this.aligned[channel] = 1;
      this.count++;
    }
    return this.count;
  }

  /** True on the first abort only, so each checkpoint is reported once. */
  markAborted(): boolean {
    const first = !this.aborted;
    this.aborted = true;
    return first;
  }
}

class BarrierTracker implements CheckpointBarrierHandler {
  /** Ascending by id: checkpoints that have some but not all barriers (aborted ones kept to absorb the rest). */
  private readonly pending: PendingCheckpoint[] = [];
  /** Flink's latestPendingCheckpointID: a first barrier of an id ≤ this can no longer start a checkpoint. */
  private latestPendingId = -1;
  private maxSeenId = -1;
  private readonly ended: Uint8Array;
  private numOpenChannels: number;
  /** The checkpoint whose alignment is being timed (the newest started one), -1 if none. */
  private alignmentId = -1;
  private alignmentStart = 0;
  private bytesSinceAlignmentStart = 0;
  private readonly abortedAhead: number[] = [];
  private closed = false;

  constructor(
    private readonly numberOfChannels: number,
    private readonly task: CheckpointableTask,
    private readonly checkpointsAfterTasksFinish: boolean,
    private readonly clock: () => number,
  ) {
    this.ended = new Uint8Array(numberOfChannels);
    this.numOpenChannels = numberOfChannels;
  }

  get latestCheckpointId(): number {
    return this.maxSeenId;
  }

  get isAligning(): boolean {
    return this.pending.length > 0;
  }

  addProcessedBytes(n: number): void {
    this.bytesSinceAlignmentStart += n;
  }

  processBarrier(channel: number, b: BarrierInfo): void {
    checkChannel(channel, this.numberOfChannels);
    if (this.closed || this.ended[channel] === 1) return;
    const id = b.checkpointId;
    if (id > this.maxSeenId) this.maxSeenId = id;

    // Fast path only for new ids: an older pending one may still wait for this channel after others ended.
    if (id > this.latestPendingId && this.numOpenChannels === 1) {
      // Unlike Flink we also advance latestPendingId here, so a repeated/older barrier on the lone channel is ignored.
      this.latestPendingId = id;
      this.pending.length = 0; // older pending ones are subsumed (silently, as in Flink)
      this.alignmentId = -1;
      if (this.abortedAhead.length > 0 && takeAbortedAhead(this.abortedAhead, id)) return;
      this.task.triggerCheckpointOnBarrier(b, ZERO_METRICS);
      return;
    }

    const pending = this.pending;
    let pos = -1;
    for (let i = 0; i < pending.length; i++) {
      if (pending[i]!.checkpointId === id) {
        pos = i;
        break;
      }
    }
    if (pos >= 0) {
      const cp = pending[pos]!;
      if (cp.markAligned(channel) === cp.targetChannelCount) {
        // Complete (or aborted and fully drained): it and every older pending one are done. Flink drops the
        // older ones without an abort notification; the coordinator subsumes them when this one completes.
        pending.splice(0, pos + 1);
        if (!cp.aborted) this.trigger(cp);
      }
    } else if (id > this.latestPendingId) {
      this.latestPendingId = id;
      const cp = new PendingCheckpoint(id, b, this.numOpenChannels, this.numberOfChannels);
      cp.markAligned(channel);
      if (this.abortedAhead.length > 0 && takeAbortedAhead(this.abortedAhead, id)) {
        cp.aborted = true;
      } else {
        this.alignmentId = id;
        this.alignmentStart = this.clock();
        this.bytesSinceAlignmentStart = 0;
      }
      pending.push(cp);
      if (pending.length > MAX_CHECKPOINTS_TO_TRACK) pending.shift();
    }
    // else: first barrier of an id not newer than the latest – it can never complete here.
  }

  processCancellationBarrier(channel: number, checkpointId: number): void {
    checkChannel(channel, this.numberOfChannels);
    if (this.closed || this.ended[channel] === 1) return;
    if (checkpointId > this.maxSeenId) this.maxSeenId = checkpointId;
    const pending = this.pending;

    if (checkpointId > this.latestPendingId && this.numOpenChannels === 1) {
      this.latestPendingId = checkpointId;
      // Same treatment of older pending ones as the general path (Flink's fast path leaves them in the queue).
      this.abortOlderThan(checkpointId);
      this.alignmentId = -1;
      const silent = this.abortedAhead.length > 0 && takeAbortedAhead(this.abortedAhead, checkpointId);
      if (!silent) this.task.abortCheckpointOnBarrier(checkpointId, 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER');
      return;
    }

    this.abortOlderThan(checkpointId);
    const head = pending.length > 0 ? pending[0]! : null;
    if (head !== null && head.checkpointId === checkpointId) {
      if (head.markAborted()) {
        if (checkpointId === this.alignmentId) this.alignmentId = -1;
        this.task.abortCheckpointOnBarrier(checkpointId, 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER');
      }
      // Keep counting so the entry goes away once every channel delivered barrier or cancellation.
      if (head.markAligned(channel) === head.targetChannelCount) pending.shift();
    } else if (checkpointId > this.latestPendingId) {
      this.latestPendingId = checkpointId;
      const silent = this.abortedAhead.length > 0 && takeAbortedAhead(this.abortedAhead, checkpointId);
      if (!silent) this.task.abortCheckpointOnBarrier(checkpointId, 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER');
      // The marker makes the remaining barriers of this id stale; the queue is empty here (all older ids removed).
      const marker = new PendingCheckpoint(checkpointId, null, this.numOpenChannels, this.numberOfChannels);
      marker.aborted = true;
      if (marker.markAligned(channel) < marker.targetChannelCount) pending.push(marker);
    }
    // else: trailing cancellation of an id already aborted or completed.
  }

  processEndOfPartition(channel: number): void {
    checkChannel(channel, this.numberOfChannels);
    if (this.closed || this.ended[channel] === 1) return;
    this.ended[channel] = 1;
    this.numOpenChannels--;
    const pending = this.pending;
    if (!this.checkpointsAfterTasksFinish) {
      for (let i = 0; i < pending.length; i++) {
        const cp = pending[i]!;
        if (cp.markAborted()) this.task.abortCheckpointOnBarrier(cp.checkpointId, 'CHECKPOINT_DECLINED_INPUT_END_OF_STREAM');
      }
      pending.length = 0;
      this.alignmentId = -1;
      return;
    }
    // The ended channel counts as aligned for every pending one; the newest that becomes complete wins and
    // subsumes the older ones (Flink's checkAlignmentOnEndOfPartitionIfEnabled).
    for (let i = pending.length - 1; i >= 0; i--) {
      const cp = pending[i]!;
      if (cp.markAligned(channel) === cp.targetChannelCount) {
        pending.splice(0, i + 1);
        if (!cp.aborted) this.trigger(cp);
        return;
      }
    }
  }

  abortPendingCheckpoint(checkpointId: number): void {
    if (this.closed) return;
    for (let i = 0; i < this.pending.length; i++) {
      const cp = this.pending[i]!;
      if (cp.checkpointId === checkpointId) {
        // Stays queued (aborted) to absorb its remaining barriers; other concurrent checkpoints are unaffected.
        cp.aborted = true;
        if (checkpointId === this.alignmentId) this.alignmentId = -1;
        return;
      }
    }
    if (checkpointId > this.latestPendingId) addAbortedAhead(this.abortedAhead, checkpointId);
  }

  close(): void {
    this.closed = true;
    this.pending.length = 0;
    this.alignmentId = -1;
  }

  private abortOlderThan(checkpointId: number): void {
    const pending = this.pending;
    while (pending.length > 0 && pending[0]!.checkpointId < checkpointId) {
      const cp = pending.shift()!;
      if (cp.checkpointId === this.alignmentId) this.alignmentId = -1;
      if (cp.markAborted()) this.task.abortCheckpointOnBarrier(cp.checkpointId, 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER');
    }
  }

  private trigger(cp: PendingCheckpoint): void {
    let metrics = ZERO_METRICS;
    // Only one alignment is timed at once (Flink): the newest started checkpoint; older completions report zero.
    if (cp.checkpointId === this.alignmentId) {
      metrics = {
        alignmentDurationMs: Math.max(0, this.clock() - this.alignmentStart),
        bytesProcessedDuringAlignment: this.bytesSinceAlignmentStart,
      };
      this.alignmentId = -1;
    }
    this.task.triggerCheckpointOnBarrier(cp.barrier!, metrics);
  }
}
