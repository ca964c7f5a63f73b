// Ported from Flink's AlignedCheckpointsTest and CheckpointBarrierTrackerTest (flink-streaming-java
// .../runtime/io/checkpointing/): same event sequences, driven straight into the handler.
import { describe, it, expect } from 'vitest';
import {
  createBarrierHandler,
  type AbortReason,
  type AlignmentMetrics,
  type BarrierInfo,
  type BlockableGate,
  type CheckpointableTask,
  type CheckpointBarrierHandler,
} from './CheckpointBarrierHandler.js';

/** Strict like Flink's MockInputGate: blocking twice or resuming an unblocked channel is a handler bug. */
class FakeGate implements BlockableGate {
  readonly blocked = new Set<number>();
  readonly calls: string[] = [];
  blockChannel(channel: number): void {
    if (this.blocked.has(channel)) throw new Error(`channel ${channel} blocked twice`);
    this.blocked.add(channel);
    this.calls.push(`block ${channel}`);
  }
  resumeChannel(channel: number): void {
    if (!this.blocked.delete(channel)) throw new Error(`channel ${channel} resumed but not blocked`);
    this.calls.push(`resume ${channel}`);
  }
  blockedList(): number[] {
    return [...this.blocked].sort((a, b) => a - b);
  }
}

/** Like Flink's ValidatingCheckpointHandler / CheckpointSequenceValidator: `log` has +id per trigger, -id per abort. */
class FakeTask implements CheckpointableTask {
  readonly log: number[] = [];
  readonly triggered: { b: BarrierInfo; m: AlignmentMetrics }[] = [];
  readonly aborted: { id: number; reason: AbortReason }[] = [];
  /** Blocked channels at the moment of each trigger (must already be resumed). */
  readonly blockedAtTrigger: number[][] = [];
  constructor(private readonly gate?: FakeGate) {}
  triggerCheckpointOnBarrier(b: BarrierInfo, m: AlignmentMetrics): void {
    this.log.push(b.checkpointId);
    this.triggered.push({ b, m });
    if (this.gate) this.blockedAtTrigger.push(this.gate.blockedList());
  }
  abortCheckpointOnBarrier(checkpointId: number, reason: AbortReason): void {
    this.log.push(-checkpointId);
    this.aborted.push({ id: checkpointId, reason });
  }
  reasons(): AbortReason[] {
    return this.aborted.map((a) => a.reason);
  }
}

type Ev = readonly ['barrier', number, number] | readonly ['cancel', number, number] | readonly ['eop', number] | readonly ['buf', number, number];
const barrier = (id: number, ch: number): Ev => ['barrier', id, ch];
const cancel = (id: number, ch: number): Ev => ['cancel', id, ch];
const eop = (ch: number): Ev => ['eop', ch];
const buf = (ch: number, bytes = 100): Ev => ['buf', ch, bytes];

function setup(
  mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE',
  channels: number,
  opts: { checkpointsAfterTasksFinish?: boolean } = {},
) {
  let now = 1000;
  const gate = new FakeGate();
  const task = new FakeTask(gate);
  const h: CheckpointBarrierHandler = createBarrierHandler(mode, channels, gate, task, { ...opts, clock: () => now });
  const feed = (...evs: Ev[]): void => {
    for (const e of evs) {
      // The gate never delivers anything from a blocked channel; a sequence that needs it means the handler
      // blocked the wrong channel (CheckpointedInputGate's checkState(!isBlocked) in Flink).
      const ch = e[0] === 'barrier' || e[0] === 'cancel' ? e[2] : e[1];
      if (gate.blocked.has(ch)) throw new Error(`${e[0]} from blocked channel ${ch}`);
      switch (e[0]) {
        case 'barrier':
          h.processBarrier(e[2], { checkpointId: e[1], timestamp: 100 + e[1] });
          break;
        case 'cancel':
          h.processCancellationBarrier(e[2], e[1]);
          break;
        case 'eop':
          h.processEndOfPartition(e[1]);
          break;
        case 'buf':
          h.addProcessedBytes(e[2]);
          break;
      }
    }
  };
  return { h, gate, task, feed, tick: (ms: number) => void (now += ms) };
}

describe('EXACTLY_ONCE (aligned, SingleCheckpointBarrierHandler)', () => {
  it('testSingleChannelNoBarriers / testMultiChannelNoBarriers: nothing triggered, nothing blocked', () => {
    const one = setup('EXACTLY_ONCE', 1);
    one.feed(buf(0), buf(0), buf(0), eop(0));
    const four = setup('EXACTLY_ONCE', 4);
    four.feed(buf(2), buf(2), buf(0), buf(1), buf(0), eop(0), buf(3), buf(1), eop(3), buf(1), eop(1), buf(2), eop(2));
    for (const s of [one, four]) {
      expect(s.task.log).toEqual([]);
      expect(s.gate.calls).toEqual([]);
      expect(s.h.latestCheckpointId).toBe(-1);
      expect(s.h.isAligning).toBe(false);
    }
  });

  it('testSingleChannelWithBarriers: every barrier triggers at once, no blocking, zero alignment', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 1);
    feed(buf(0), buf(0), buf(0), barrier(1, 0), buf(0), buf(0), buf(0), buf(0), barrier(2, 0), barrier(3, 0));
    feed(buf(0), buf(0), barrier(4, 0), barrier(5, 0), barrier(6, 0), buf(0), eop(0));
    expect(task.log).toEqual([1, 2, 3, 4, 5, 6]);
    expect(gate.calls).toEqual([]);
    expect(task.triggered.every((t) => t.m.alignmentDurationMs === 0 && t.m.bytesProcessedDuringAlignment === 0)).toBe(true);
    expect(task.triggered[2]!.b).toEqual({ checkpointId: 3, timestamp: 103 });
    expect(h.latestCheckpointId).toBe(6);
  });

  it('testMultiChannelWithBarriers: blocks exactly the channels that delivered, resumes all before triggering, measures alignment', () => {
    const { feed, task, gate, h, tick } = setup('EXACTLY_ONCE', 3);
    // checkpoint with data from multiple channels
    feed(buf(0), buf(2), buf(0));
    feed(barrier(1, 1));
    expect(gate.blockedList()).toEqual([1]);
    expect(h.isAligning).toBe(true);
    feed(barrier(1, 2));
    expect(gate.blockedList()).toEqual([1, 2]);
    feed(buf(0, 40));
    tick(7);
    feed(barrier(1, 0));
    expect(task.log).toEqual([1]);
    expect(gate.calls).toEqual(['block 1', 'block 2', 'resume 1', 'resume 2']);
    expect(task.blockedAtTrigger[0]).toEqual([]);
    expect(task.triggered[0]!.m).toEqual({ alignmentDurationMs: 7, bytesProcessedDuringAlignment: 40 });
    expect(h.isAligning).toBe(false);

    // another checkpoint, barriers come together
    feed(buf(0), buf(0), buf(1), buf(1), buf(2), barrier(2, 0), barrier(2, 1), barrier(2, 2));
    expect(task.log).toEqual([1, 2]);
    expect(task.triggered[1]!.m.alignmentDurationMs).toBe(0);
    expect(gate.blocked.size).toBe(0);

    // checkpoint with data only from one channel
    feed(buf(2), buf(2), barrier(3, 2), buf(0), buf(0));
    tick(3);
    feed(barrier(3, 0));
    expect(gate.blockedList()).toEqual([0, 2]);
    feed(barrier(3, 1));
    expect(task.log).toEqual([1, 2, 3]);
    expect(task.triggered[2]!.m).toEqual({ alignmentDurationMs: 3, bytesProcessedDuringAlignment: 200 });
    expect(gate.blocked.size).toBe(0);

    // empty checkpoint, then trailing data
    feed(barrier(4, 1), barrier(4, 2), barrier(4, 0), buf(0), eop(0), eop(1), eop(2));
    expect(task.log).toEqual([1, 2, 3, 4]);
    expect(task.aborted).toEqual([]);
    expect(gate.blocked.size).toBe(0);
  });

  it('testMultiChannelJumpingOverCheckpoint: newer barriers subsume the pending alignment (checkpoints-after-tasks-finish off)', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 3, { checkpointsAfterTasksFinish: false });
    feed(buf(0), buf(2), buf(0), barrier(1, 1));
    expect(h.latestCheckpointId).toBe(1);
    feed(barrier(1, 2), buf(0), barrier(1, 0));
    expect(gate.blocked.size).toBe(0);
    feed(buf(1), buf(0));
    // checkpoint 2 will not complete: premature barrier of 3
    feed(barrier(2, 1));
    expect(h.latestCheckpointId).toBe(2);
    feed(buf(2), barrier(2, 0), buf(2));
    expect(gate.blockedList()).toEqual([0, 1]);
    feed(barrier(3, 2));
    expect(h.latestCheckpointId).toBe(3);
    expect(gate.blockedList()).toEqual([2]);
    feed(buf(1), buf(0), barrier(3, 0));
    expect(gate.blockedList()).toEqual([0, 2]);
    feed(barrier(4, 1));
    expect(h.latestCheckpointId).toBe(4);
    expect(gate.blockedList()).toEqual([1]);
    feed(buf(2), buf(0));
    // end of partition aborts checkpoint 4
    feed(eop(0));
    expect(gate.blocked.size).toBe(0);
    feed(buf(2), eop(2), buf(1), eop(1));

    expect(task.log).toEqual([1, -2, -3, -4]);
    expect(task.reasons()).toEqual(['CHECKPOINT_DECLINED_SUBSUMED', 'CHECKPOINT_DECLINED_SUBSUMED', 'CHECKPOINT_DECLINED_INPUT_END_OF_STREAM']);
  });

  it('testMultiChannelJumpingOverCheckpoint with checkpoints-after-tasks-finish (default): ended channels complete checkpoint 4', () => {
    const { feed, task, gate } = setup('EXACTLY_ONCE', 3);
    feed(buf(0), buf(2), buf(0), barrier(1, 1), barrier(1, 2), buf(0), barrier(1, 0), buf(1), buf(0));
    feed(barrier(2, 1), buf(2), barrier(2, 0), buf(2), barrier(3, 2), buf(1), buf(0), barrier(3, 0), barrier(4, 1), buf(2), buf(0));
    feed(eop(0));
    expect(task.log).toEqual([1, -2, -3]);
    expect(gate.blockedList()).toEqual([1]);
    feed(buf(2), eop(2));
    expect(task.log).toEqual([1, -2, -3, 4]);
    expect(task.blockedAtTrigger[1]).toEqual([]);
    feed(buf(1), eop(1));
    expect(task.log).toEqual([1, -2, -3, 4]);
  });

  it('testMultiChannelSkippingCheckpoints: a checkpoint missing on some channels is subsumed by the next one', () => {
    const { feed, task, gate } = setup('EXACTLY_ONCE', 3);
    feed(buf(0), buf(2), buf(0), barrier(1, 1), barrier(1, 2), buf(0), barrier(1, 0));
    feed(buf(0), buf(0), buf(1), buf(1), buf(2), barrier(2, 0), barrier(2, 1), barrier(2, 2));
    feed(buf(2), buf(2), barrier(3, 2), buf(0), buf(1));
    expect(gate.blockedList()).toEqual([2]);
    // jump to checkpoint 4
    feed(barrier(4, 0));
    expect(gate.blockedList()).toEqual([0]);
    feed(buf(1), barrier(4, 1), barrier(4, 2), buf(0));
    expect(task.log).toEqual([1, 2, -3, 4]);
    expect(task.aborted[0]).toEqual({ id: 3, reason: 'CHECKPOINT_DECLINED_SUBSUMED' });
    expect(gate.blocked.size).toBe(0);
  });

  it('testSingleChannelAbortCheckpoint: cancellation markers abort once, the next barrier still triggers', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 1);
    feed(buf(0), barrier(1, 0), buf(0), barrier(2, 0), buf(0), cancel(4, 0));
    expect(h.latestCheckpointId).toBe(4);
    expect(task.log).toEqual([1, 2, -4]);
    feed(barrier(5, 0));
    expect(h.latestCheckpointId).toBe(5);
    feed(buf(0), cancel(6, 0), buf(0));
    expect(h.latestCheckpointId).toBe(6);
    expect(task.log).toEqual([1, 2, -4, 5, -6]);
    expect(new Set(task.reasons())).toEqual(new Set(['CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER']));
    expect(gate.calls).toEqual([]);
  });

  it('testMultiChannelAbortCheckpoint: cancellation on the last barrier, on the first barrier, and repeated cancellations', () => {
    const { feed, task, gate } = setup('EXACTLY_ONCE', 3);
    feed(buf(0), buf(2), buf(0), barrier(1, 1));
    expect(gate.blockedList()).toEqual([1]);
    feed(barrier(1, 2));
    expect(gate.blockedList()).toEqual([1, 2]);
    feed(buf(0), barrier(1, 0), buf(0), buf(2));
    expect(gate.blocked.size).toBe(0);
    // aborted on last barrier
    feed(barrier(2, 0));
    expect(gate.blockedList()).toEqual([0]);
    feed(barrier(2, 2));
    expect(gate.blockedList()).toEqual([0, 2]);
    feed(buf(1), cancel(2, 1));
    expect(task.aborted.at(-1)).toEqual({ id: 2, reason: 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER' });
    expect(gate.blocked.size).toBe(0);
    // successful checkpoint
    feed(buf(2), buf(1), barrier(3, 1), barrier(3, 2), barrier(3, 0));
    expect(gate.blocked.size).toBe(0);
    // aborted on first barrier: later barriers of 4 are stale and block nothing
    feed(buf(0), buf(1), cancel(4, 1));
    expect(task.aborted.at(-1)!.id).toBe(4);
    feed(barrier(4, 2), buf(2), barrier(4, 0));
    expect(gate.blocked.size).toBe(0);
    // another successful checkpoint
    feed(buf(0), buf(1), buf(2), barrier(5, 2), barrier(5, 1), barrier(5, 0), buf(0), buf(1));
    // multiple cancellations and a barrier after them
    feed(cancel(6, 1), cancel(6, 2), barrier(6, 0), buf(0));
    expect(gate.blocked.size).toBe(0);
    expect(task.log).toEqual([1, -2, 3, -4, 5, -6]);
  });

  it('testAbortOnCanceledBarriers: a barrier of the cancelled checkpoint after the next one started is ignored', () => {
    const { feed, task, gate } = setup('EXACTLY_ONCE', 3);
    feed(buf(1), barrier(1, 1), buf(2), buf(0), cancel(1, 0), buf(1));
    expect(task.log).toEqual([-1]);
    expect(gate.blocked.size).toBe(0);
    feed(barrier(2, 1), buf(2), buf(0), barrier(1, 2));
    expect(gate.blockedList()).toEqual([1]);
    feed(buf(0), buf(2), barrier(2, 0), barrier(2, 2), buf(0), buf(1), buf(2));
    expect(task.log).toEqual([-1, 2]);
    expect(gate.blocked.size).toBe(0);
  });

  it('testIgnoreCancelBarrierIfCheckpointSubsumed: a cancellation of an already subsumed id does nothing', () => {
    const { feed, task, gate } = setup('EXACTLY_ONCE', 3);
    feed(buf(2), barrier(3, 1), barrier(3, 0), buf(2));
    expect(gate.blockedList()).toEqual([0, 1]);
    feed(barrier(5, 2));
    expect(task.aborted).toEqual([{ id: 3, reason: 'CHECKPOINT_DECLINED_SUBSUMED' }]);
    expect(gate.blockedList()).toEqual([2]);
    feed(buf(1), buf(0), cancel(3, 0), buf(0), buf(1), barrier(5, 0), barrier(5, 1), buf(0), buf(1), buf(2));
    expect(task.log).toEqual([-3, 5]);
    expect(gate.blocked.size).toBe(0);
  });

  it('testMissingCancellationBarriers: cancelling a newer id drops the older alignment without reporting it (as Flink)', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 2);
    feed(barrier(1, 0));
    expect(gate.blockedList()).toEqual([0]);
    feed(cancel(3, 1));
    expect(gate.blocked.size).toBe(0);
    expect(h.isAligning).toBe(false);
    feed(cancel(2, 0), cancel(3, 0), buf(0));
    expect(task.aborted).toEqual([{ id: 3, reason: 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER' }]);
    expect(task.triggered).toEqual([]);
    expect(h.latestCheckpointId).toBe(3);
    // barriers of 1 or 3 are stale now, 4 aligns normally
    feed(barrier(1, 1), barrier(3, 1), barrier(4, 1), barrier(4, 0));
    expect(task.log).toEqual([-3, 4]);
  });

  it('testStartAlignmentWithClosedChannels: the alignment target is the channels still open', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 4);
    feed(eop(2), eop(1), buf(0), buf(0), buf(3), barrier(2, 3));
    expect(gate.blockedList()).toEqual([3]);
    feed(barrier(2, 0));
    expect(h.latestCheckpointId).toBe(2);
    expect(gate.blocked.size).toBe(0);
    feed(barrier(3, 0), barrier(3, 3));
    expect(h.latestCheckpointId).toBe(3);
    feed(buf(0), buf(0), buf(3), eop(0), buf(3), barrier(4, 3));
    expect(h.latestCheckpointId).toBe(4);
    feed(buf(3), eop(3));
    expect(task.log).toEqual([2, 3, 4]);
    // the last open channel's barrier triggers directly, like a single channel
    expect(gate.calls).toEqual(['block 3', 'resume 3', 'block 0', 'resume 0']);
  });

  it('testEndOfStreamWhileCheckpoint: without checkpoints-after-tasks-finish an EndOfPartition aborts the alignment', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 3, { checkpointsAfterTasksFinish: false });
    feed(barrier(1, 0), barrier(1, 1), barrier(1, 2), buf(0), buf(0), buf(2), barrier(2, 2), barrier(2, 0), buf(1));
    expect(gate.blockedList()).toEqual([0, 2]);
    feed(eop(1));
    expect(gate.blocked.size).toBe(0);
    expect(h.isAligning).toBe(false);
    feed(eop(2), buf(0), eop(0));
    expect(task.log).toEqual([1, -2]);
    expect(task.aborted[0]!.reason).toBe('CHECKPOINT_DECLINED_INPUT_END_OF_STREAM');
  });

  it('EndOfPartition mid-alignment with checkpoints-after-tasks-finish: the ended channel counts as aligned, once', () => {
    const { feed, task, gate } = setup('EXACTLY_ONCE', 3);
    feed(barrier(2, 0), buf(1), eop(1));
    expect(task.log).toEqual([]);
    expect(gate.blockedList()).toEqual([0]);
    // an ended channel that already delivered the barrier is not counted twice (testDeduplicateChannels...)
    feed(barrier(2, 2));
    expect(task.log).toEqual([2]);
    expect(gate.blocked.size).toBe(0);

    const s = setup('EXACTLY_ONCE', 3);
    s.feed(barrier(7, 0), barrier(7, 1));
    s.h.processEndOfPartition(2);
    expect(s.task.log).toEqual([7]);
    expect(s.task.triggered[0]!.b.checkpointId).toBe(7);
    expect(s.gate.blocked.size).toBe(0);
  });

  it('all channels ended: nothing more is triggered, stray events are ignored', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 2);
    feed(barrier(1, 0), barrier(1, 1), eop(0), eop(1));
    h.processBarrier(0, { checkpointId: 2, timestamp: 0 });
    h.processBarrier(1, { checkpointId: 2, timestamp: 0 });
    h.processEndOfPartition(1);
    expect(task.log).toEqual([1]);
    expect(h.isAligning).toBe(false);
    expect(gate.blocked.size).toBe(0);
  });

  it('duplicate and stale barriers are ignored', () => {
    const { feed, task, gate } = setup('EXACTLY_ONCE', 3);
    feed(barrier(1, 0), barrier(1, 1), barrier(1, 2));
    // stale: already completed
    feed(barrier(1, 0));
    expect(gate.blocked.size).toBe(0);
    feed(barrier(2, 0));
    expect(gate.blockedList()).toEqual([0]);
    // a second barrier from a blocked channel can only reach the handler by bypassing the gate
    const s = setup('EXACTLY_ONCE', 2);
    s.feed(barrier(5, 0));
    s.h.processBarrier(0, { checkpointId: 5, timestamp: 0 });
    expect(s.task.log).toEqual([]);
    expect(s.gate.calls).toEqual(['block 0']);
    s.feed(barrier(4, 1)); // older than the pending one
    expect(s.gate.blockedList()).toEqual([0]);
    s.feed(barrier(5, 1));
    expect(s.task.log).toEqual([5]);
    expect(task.log).toEqual([1]);
  });

  it('testMetrics: bytes consumed during the alignment only, duration from first to last barrier', () => {
    const { feed, task, tick } = setup('EXACTLY_ONCE', 3);
    feed(buf(0), buf(1), buf(2));
    tick(10);
    feed(barrier(1, 1), buf(0), buf(2), barrier(1, 0), buf(2));
    tick(10);
    feed(barrier(1, 2), buf(0), buf(1), buf(2), eop(0), eop(1), eop(2));
    expect(task.triggered[0]!.m).toEqual({ alignmentDurationMs: 10, bytesProcessedDuringAlignment: 300 });
    expect(task.triggered[0]!.b).toEqual({ checkpointId: 1, timestamp: 101 });

    const one = setup('EXACTLY_ONCE', 1);
    one.feed(buf(0));
    one.tick(10);
    one.feed(barrier(1, 0), buf(0), eop(0));
    expect(one.task.triggered[0]!.m).toEqual({ alignmentDurationMs: 0, bytesProcessedDuringAlignment: 0 });
  });

  it('abortPendingCheckpoint: ends the alignment silently, unblocks, and its later barriers are stale', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 3);
    feed(barrier(1, 0), barrier(1, 1));
    expect(gate.blockedList()).toEqual([0, 1]);
    h.abortPendingCheckpoint(1);
    expect(gate.blocked.size).toBe(0);
    expect(h.isAligning).toBe(false);
    feed(barrier(1, 2), buf(0));
    expect(gate.blocked.size).toBe(0);
    // aborting an id that is not pending (older, or already done) changes nothing
    h.abortPendingCheckpoint(0);
    feed(barrier(2, 0), barrier(2, 1), barrier(2, 2));
    expect(task.log).toEqual([2]);
  });

  it('abortPendingCheckpoint of a future id: its barriers never align, the current and other ids are unaffected', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 2);
    feed(barrier(1, 0));
    h.abortPendingCheckpoint(3);
    expect(gate.blockedList()).toEqual([0]);
    feed(barrier(1, 1));
    feed(barrier(2, 0), barrier(2, 1)); // 2 was not aborted
    feed(barrier(3, 0));
    expect(gate.blocked.size).toBe(0);
    expect(h.isAligning).toBe(false);
    feed(barrier(3, 1), barrier(4, 1), barrier(4, 0));
    expect(task.log).toEqual([1, 2, 4]);
    expect(h.latestCheckpointId).toBe(4);
    // a cancellation of a task-aborted id is not reported a second time
    h.abortPendingCheckpoint(6);
    feed(cancel(6, 0), barrier(6, 1));
    expect(task.log).toEqual([1, 2, 4]);
  });

  it('close() resumes every blocked channel and ignores later events', () => {
    const { feed, task, gate, h } = setup('EXACTLY_ONCE', 3);
    feed(barrier(1, 0), barrier(1, 2));
    expect(gate.blockedList()).toEqual([0, 2]);
    h.close();
    expect(gate.blocked.size).toBe(0);
    expect(h.isAligning).toBe(false);
    h.processBarrier(1, { checkpointId: 1, timestamp: 0 });
    h.close();
    expect(task.log).toEqual([]);
    expect(gate.calls).toEqual(['block 0', 'block 2', 'resume 0', 'resume 2']);
  });

  it('rejects channel indexes outside the gate', () => {
    const { h } = setup('EXACTLY_ONCE', 2);
    expect(() => h.processBarrier(2, { checkpointId: 1, timestamp: 0 })).toThrow(RangeError);
    expect(() => h.processEndOfPartition(-1)).toThrow(RangeError);
    expect(() => createBarrierHandler('EXACTLY_ONCE', -1, new FakeGate(), new FakeTask())).toThrow(RangeError);
  });
});

describe('AT_LEAST_ONCE (CheckpointBarrierTracker)', () => {
  it('testSingleChannelWithBarriers / testSingleChannelWithSkippedBarriers', () => {
    const a = setup('AT_LEAST_ONCE', 1);
    a.feed(buf(0), buf(0), buf(0), barrier(1, 0), buf(0), buf(0), barrier(2, 0), barrier(3, 0), buf(0), barrier(4, 0), barrier(5, 0), barrier(6, 0), buf(0));
    expect(a.task.log).toEqual([1, 2, 3, 4, 5, 6]);
    const b = setup('AT_LEAST_ONCE', 1);
    b.feed(buf(0), barrier(1, 0), buf(0), barrier(3, 0), buf(0), barrier(4, 0), barrier(6, 0), buf(0), barrier(7, 0), buf(0), barrier(10, 0), buf(0));
    expect(b.task.log).toEqual([1, 3, 4, 6, 7, 10]);
    expect(b.h.latestCheckpointId).toBe(10);
    expect([...a.gate.calls, ...b.gate.calls]).toEqual([]);
  });

  it('testMultiChannelWithBarriers: triggers when every channel delivered, never blocks', () => {
    const { feed, task, gate, h } = setup('AT_LEAST_ONCE', 3);
    feed(buf(0), buf(2), buf(0), barrier(1, 1), barrier(1, 2));
    expect(h.isAligning).toBe(true);
    // records keep flowing from channels that delivered the barrier (the feed would throw if they were blocked)
    feed(buf(2), buf(1), barrier(1, 0), buf(0), buf(0), buf(1), buf(1), buf(2));
    expect(h.isAligning).toBe(false);
    feed(barrier(2, 0), barrier(2, 1), barrier(2, 2), buf(2), buf(2));
    feed(barrier(3, 2), buf(2), buf(2), barrier(3, 0), barrier(3, 1));
    feed(barrier(4, 1), barrier(4, 2), barrier(4, 0), buf(0));
    expect(task.log).toEqual([1, 2, 3, 4]);
    expect(gate.calls).toEqual([]);
  });

  it('testMultiChannelSkippingCheckpoints: an incomplete checkpoint is dropped without an abort when a newer one completes', () => {
    const { feed, task, gate } = setup('AT_LEAST_ONCE', 3);
    feed(buf(0), buf(2), buf(0), barrier(1, 1), barrier(1, 2), buf(2), buf(1), barrier(1, 0));
    feed(buf(0), buf(0), buf(1), buf(1), buf(2), barrier(2, 0), barrier(2, 1), barrier(2, 2));
    feed(buf(2), buf(2), barrier(3, 2), buf(2), buf(2));
    feed(barrier(4, 0), buf(0), buf(1), buf(2), barrier(4, 1), buf(1), barrier(4, 2), buf(0));
    expect(task.log).toEqual([1, 2, 4]);
    expect(gate.calls).toEqual([]);
  });

  it('testCompleteCheckpointsOnLateBarriers: concurrent checkpoints complete in order despite early newer barriers', () => {
    const { feed, task, h } = setup('AT_LEAST_ONCE', 3);
    feed(buf(1), buf(1), buf(0), buf(2), barrier(2, 1), barrier(2, 0), barrier(2, 2)); // 2
    feed(buf(1), buf(0), barrier(3, 1), barrier(3, 2)); // incomplete 3
    feed(buf(1), buf(0), barrier(4, 2), barrier(4, 1), buf(1), buf(2)); // some of 4
    feed(barrier(3, 0)); // last of 3
    expect(task.log).toEqual([2, 3]);
    feed(buf(0), barrier(4, 0)); // complete 4
    feed(buf(1), buf(2), barrier(5, 1), buf(0), barrier(5, 0), buf(1), barrier(5, 2)); // 5
    feed(buf(1), barrier(6, 1), buf(0), barrier(6, 0)); // incomplete 6
    feed(buf(1), barrier(7, 1), buf(0), barrier(7, 2), buf(2), barrier(8, 2), buf(0), barrier(8, 1), buf(1), barrier(9, 1));
    expect(h.latestCheckpointId).toBe(9);
    feed(barrier(7, 0), buf(0), barrier(9, 2), buf(2), barrier(10, 2)); // 7 completes, subsumes 6
    feed(barrier(8, 0), buf(1), buf(2), barrier(9, 0)); // 8 and 9
    feed(buf(1), buf(0), buf(2), barrier(10, 0), barrier(10, 1));
    expect(task.log).toEqual([2, 3, 4, 5, 7, 8, 9, 10]);
    // an old id arriving late starts nothing
    feed(barrier(6, 2), barrier(9, 2));
    expect(h.isAligning).toBe(false);
  });

  it('testSingleChannelAbortCheckpoint', () => {
    const { feed, task } = setup('AT_LEAST_ONCE', 1);
    feed(buf(0), barrier(1, 0), buf(0), barrier(2, 0), cancel(4, 0), barrier(5, 0), buf(0), cancel(6, 0), buf(0));
    expect(task.log).toEqual([1, 2, -4, 5, -6]);
    expect(task.reasons()).toEqual(['CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER', 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER']);
    // the barrier of a cancelled id is not triggered afterwards, and a repeated barrier is ignored
    feed(barrier(6, 0), barrier(5, 0));
    expect(task.log).toEqual([1, 2, -4, 5, -6]);
  });

  it('testMultiChannelAbortCheckpoint', () => {
    const { feed, task, h } = setup('AT_LEAST_ONCE', 3);
    feed(buf(0), buf(2), buf(0), barrier(1, 1), barrier(1, 2), buf(2), buf(1), barrier(1, 0));
    feed(buf(0), buf(2), barrier(2, 0), barrier(2, 2), buf(0), buf(2), cancel(2, 1)); // aborted on last barrier
    feed(buf(2), buf(1), barrier(3, 1), barrier(3, 2), barrier(3, 0));
    feed(buf(0), buf(1), cancel(4, 1), barrier(4, 2), buf(0), barrier(4, 0)); // aborted on first barrier
    feed(buf(0), buf(1), buf(2), barrier(5, 2), barrier(5, 1), barrier(5, 0));
    feed(buf(0), buf(1), cancel(6, 1), cancel(6, 2), barrier(6, 0), buf(0));
    expect(task.log).toEqual([1, -2, 3, -4, 5, -6]);
    expect(h.isAligning).toBe(false);
  });

  it('testInterleavedCancellationBarriers: each checkpoint aborted once; a newer cancellation aborts older pending ones', () => {
    const { feed, task, gate } = setup('AT_LEAST_ONCE', 3);
    feed(barrier(1, 0), cancel(2, 0), cancel(1, 1), cancel(2, 1), cancel(1, 2), cancel(2, 2), buf(0));
    expect(task.log).toEqual([-1, -2]);
    expect(gate.calls).toEqual([]);
  });

  it('testNextFirstCheckpointBarrierOvertakesCancellationBarrier / testTwoLastBarriersOneByOne: alignment time of the newest checkpoint', () => {
    const a = setup('AT_LEAST_ONCE', 2);
    for (const e of [barrier(1, 1), barrier(2, 1), cancel(1, 0), barrier(2, 0)]) {
      a.feed(e);
      a.tick(1000);
    }
    expect(a.task.log).toEqual([-1, 2]);
    expect(a.task.triggered[0]!.m.alignmentDurationMs).toBe(2000);

    const b = setup('AT_LEAST_ONCE', 2);
    for (const e of [barrier(1, 1), barrier(2, 1), barrier(1, 0), barrier(2, 0)]) {
      b.feed(e);
      b.tick(1000);
    }
    expect(b.task.log).toEqual([1, 2]);
    // only one alignment is timed at once: the older checkpoint reports none
    expect(b.task.triggered.map((t) => t.m.alignmentDurationMs)).toEqual([0, 2000]);
  });

  it('testMetrics: bytes and duration of the alignment window', () => {
    const { feed, task, tick } = setup('AT_LEAST_ONCE', 3);
    feed(buf(0), buf(1), buf(2));
    tick(10);
    feed(barrier(1, 1), buf(0), buf(2), barrier(1, 0), buf(2));
    tick(10);
    feed(barrier(1, 2), buf(0), buf(1), buf(2), eop(0), eop(1), eop(2));
    expect(task.triggered[0]!.m).toEqual({ alignmentDurationMs: 10, bytesProcessedDuringAlignment: 300 });
  });

  it('testTriggerCheckpointsWithEndOfPartition / testTriggerCheckpointsAfterReceivedEndOfPartition', () => {
    const a = setup('AT_LEAST_ONCE', 3);
    a.feed(barrier(1, 0), barrier(2, 0), barrier(2, 1), barrier(3, 0), barrier(4, 0), barrier(4, 1), barrier(5, 1), eop(2));
    // only 4 is triggered, the older ones are dropped silently, 5 stays pending
    expect(a.task.log).toEqual([4]);
    expect(a.h.isAligning).toBe(true);
    a.feed(barrier(5, 0));
    expect(a.task.log).toEqual([4, 5]);

    const b = setup('AT_LEAST_ONCE', 3);
    b.feed(eop(2), barrier(5, 0), barrier(6, 0), barrier(6, 1), eop(1), barrier(7, 0));
    expect(b.task.log).toEqual([6, 7]);
  });

  it('testDeduplicateChannelsWithBothBarrierAndEndOfPartition / testNoFastPathWithChannelFinishedDuringCheckpoints', () => {
    const a = setup('AT_LEAST_ONCE', 3);
    a.feed(barrier(2, 0), barrier(2, 1), eop(1));
    expect(a.task.log).toEqual([]);
    a.feed(barrier(2, 2));
    expect(a.task.log).toEqual([2]);

    const b = setup('AT_LEAST_ONCE', 2);
    b.feed(barrier(1, 0), eop(0), barrier(1, 1));
    expect(b.task.log).toEqual([1]);
    expect(b.h.isAligning).toBe(false);

    const c = setup('AT_LEAST_ONCE', 2);
    c.feed(barrier(1, 0), eop(0), cancel(1, 1));
    expect(c.task.log).toEqual([-1]);
    expect(c.h.isAligning).toBe(false);
  });

  it('testCompleteAndRemoveAbortedCheckpointWithEndOfPartition / testAbortCheckpointsAfterEndOfPartitionReceived', () => {
    const a = setup('AT_LEAST_ONCE', 3);
    a.feed(cancel(4, 0), barrier(4, 1), barrier(5, 1), eop(2));
    expect(a.task.log).toEqual([-4]);
    expect(a.h.isAligning).toBe(true); // 5 still pending
    a.feed(barrier(5, 0));
    expect(a.task.log).toEqual([-4, 5]);

    const b = setup('AT_LEAST_ONCE', 3);
    b.feed(eop(2), barrier(5, 0), barrier(6, 0), cancel(6, 1), eop(1), cancel(7, 0));
    expect(b.task.log).toEqual([-5, -6, -7]);
  });

  it('without checkpoints-after-tasks-finish an EndOfPartition aborts every pending checkpoint once', () => {
    const { feed, task, h } = setup('AT_LEAST_ONCE', 3, { checkpointsAfterTasksFinish: false });
    feed(barrier(1, 0), barrier(2, 0), cancel(3, 1), barrier(4, 1), barrier(5, 1), eop(2));
    expect(task.log).toEqual([-1, -2, -3, -4, -5]);
    expect(task.aborted.slice(-2).map((x) => x.reason)).toEqual(['CHECKPOINT_DECLINED_INPUT_END_OF_STREAM', 'CHECKPOINT_DECLINED_INPUT_END_OF_STREAM']);
    expect(h.isAligning).toBe(false);
    feed(barrier(4, 0), barrier(6, 0), barrier(6, 1));
    expect(task.log).toEqual([-1, -2, -3, -4, -5, 6]);
  });

  it('abortPendingCheckpoint: the aborted id never triggers and is not reported; concurrent ones still complete', () => {
    const { feed, task, h } = setup('AT_LEAST_ONCE', 2);
    feed(barrier(1, 0), barrier(2, 0));
    h.abortPendingCheckpoint(1);
    h.abortPendingCheckpoint(4); // not started yet
    feed(barrier(1, 1), barrier(2, 1));
    feed(barrier(3, 0), barrier(4, 0), barrier(3, 1), barrier(4, 1));
    feed(barrier(5, 1), barrier(5, 0));
    expect(task.log).toEqual([2, 3, 5]);
    expect(h.isAligning).toBe(false);
  });

  it('never blocks, even with cancellations, EndOfPartition, abort and close', () => {
    const { feed, gate, h, task } = setup('AT_LEAST_ONCE', 4);
    feed(barrier(1, 0), barrier(1, 1), cancel(2, 2), barrier(3, 3), eop(0), barrier(1, 2), barrier(1, 3));
    h.abortPendingCheckpoint(3);
    h.close();
    h.processBarrier(1, { checkpointId: 9, timestamp: 0 });
    expect(gate.calls).toEqual([]);
    expect(task.log).toEqual([-1, -2]);
    expect(h.latestCheckpointId).toBe(3);
  });
});
