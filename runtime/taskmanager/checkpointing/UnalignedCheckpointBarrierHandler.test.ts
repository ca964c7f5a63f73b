import { describe, it, expect } from 'vitest';
import { Unpackr } from 'msgpackr';
import { UnalignedCheckpointBarrierHandler, type InputChannelStateSnapshot } from './UnalignedCheckpointBarrierHandler.js';
import type { ChannelStateRecorder } from '../../network/index.js';

type FakeGate = { channelStateRecorder: ChannelStateRecorder | null; blockChannel(c: number): void; resumeChannel(c: number): void; spillOvertaken(): void; stopSpilling(): void };
function setup(channels: number): { h: UnalignedCheckpointBarrierHandler; gate: FakeGate; triggered: number[]; aborted: Array<[number, string]> } {
  const gate: FakeGate = { channelStateRecorder: null, blockChannel: () => { throw new Error('unaligned checkpoints never block'); }, resumeChannel: () => {}, spillOvertaken: () => {}, stopSpilling: () => {} };
  const triggered: number[] = [];
  const aborted: Array<[number, string]> = [];
  const h = new UnalignedCheckpointBarrierHandler(channels, gate, {
    triggerCheckpointOnBarrier: (b) => { triggered.push(b.checkpointId); },
    abortCheckpointOnBarrier: (id, reason) => { aborted.push([id, reason]); },
  });
  return { h, gate, triggered, aborted };
}
const unpack = new Unpackr({ useRecords: false, moreTypes: true });
const records = (s: InputChannelStateSnapshot[]): Record<number, unknown[]> =>
  Object.fromEntries(s.map((c) => [c.channel, c.batches.flatMap((b) => (unpack.unpack(b) as [unknown[], unknown])[0])]));
/** Feeds records the way the gate does: only while the handler is recording. */
const deliver = (gate: { channelStateRecorder: ChannelStateRecorder | null }, ch: number, values: unknown[]): void => { gate.channelStateRecorder?.onRecords(ch, values, null); };

describe('UnalignedCheckpointBarrierHandler', () => {
  it('triggers on the first barrier without blocking, and records what channels deliver until their barrier', async () => {
    const { h, gate, triggered } = setup(3);
    h.processBarrier(0, { checkpointId: 1, timestamp: 0, overtaken: 0 });
    expect(triggered).toEqual([1]);
    expect(gate.channelStateRecorder).toBe(h);
    const state = h.channelState(1)!;
    deliver(gate, 0, ['after-barrier']); // channel 0 already delivered its barrier: not in-flight data
    deliver(gate, 1, ['a', 'b']);
    deliver(gate, 2, ['c']);
    h.processBarrier(1, { checkpointId: 1, timestamp: 0, overtaken: 0 });
    deliver(gate, 1, ['post']);
    deliver(gate, 2, ['d']);
    h.processBarrier(2, { checkpointId: 1, timestamp: 0 });
    expect(records(await state)).toEqual({ 1: ['a', 'b'], 2: ['c', 'd'] });
    expect(gate.channelStateRecorder).toBe(null);
  });

  it('records the buffers a barrier overtook, counted from the barrier', async () => {
    const { h, gate } = setup(1);
    h.processBarrier(0, { checkpointId: 4, timestamp: 0, overtaken: 2 });
    const state = h.channelState(4)!;
    deliver(gate, 0, [1, 2]);
    deliver(gate, 0, [3]);
    deliver(gate, 0, [4]); // the third buffer after the barrier is post-barrier data
    expect(records(await state)).toEqual({ 0: [1, 2, 3] });
  });

  it('a newer barrier subsumes the pending checkpoint; a cancellation aborts it; ended channels count as done', async () => {
    const { h, gate, triggered, aborted } = setup(2);
    h.processBarrier(0, { checkpointId: 1, timestamp: 0 });
    const first = h.channelState(1)!;
    h.processBarrier(0, { checkpointId: 2, timestamp: 0 });
    await expect(first).rejects.toThrow(/aborted/);
    expect(aborted).toEqual([[1, 'CHECKPOINT_DECLINED_SUBSUMED']]);
    h.processCancellationBarrier(1, 2);
    expect(aborted).toEqual([[1, 'CHECKPOINT_DECLINED_SUBSUMED'], [2, 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER']]);
    h.processBarrier(1, { checkpointId: 2, timestamp: 0 }); // late barrier of an aborted checkpoint: ignored
    expect(triggered).toEqual([1, 2]);
    h.processBarrier(0, { checkpointId: 3, timestamp: 0 });
    const third = h.channelState(3)!;
    deliver(gate, 1, ['x']);
    h.processEndOfPartition(1);
    expect(records(await third)).toEqual({ 1: ['x'] });
  });

  describe('alternating (aligned-checkpoint-timeout)', () => {
    function alternating(channels: number) {
      let now = 1000;
      let pending: (() => void) | null = null;
      const blocked = new Set<number>();
      const gate = { channelStateRecorder: null as ChannelStateRecorder | null, blockChannel: (c: number) => { blocked.add(c); }, resumeChannel: (c: number) => { blocked.delete(c); }, spillOvertaken: () => {}, stopSpilling: () => {} };
      const triggered: Array<[number, number]> = [];
      const h = new UnalignedCheckpointBarrierHandler(channels, gate, {
        triggerCheckpointOnBarrier: (b, m) => { triggered.push([b.checkpointId, m.alignmentDurationMs]); },
        abortCheckpointOnBarrier: () => {},
      }, { timeoutMs: 50, now: () => now, schedule: (_d, fn) => { pending = fn; return { cancel: () => { pending = null; } }; } });
      return { h, gate, blocked, triggered, advance: (ms: number) => { now += ms; }, fire: () => { const f = pending; pending = null; f?.(); } };
    }

    it('all barriers within the timeout: an aligned checkpoint (channels blocked meanwhile, nothing persisted)', async () => {
      const a = alternating(2);
      a.h.processBarrier(0, { checkpointId: 1, timestamp: 1000 });
      expect(a.blocked).toEqual(new Set([0]));
      expect(a.triggered).toEqual([]);
      a.advance(10);
      a.h.processBarrier(1, { checkpointId: 1, timestamp: 1000 });
      expect(a.triggered).toEqual([[1, 10]]);
      expect(a.blocked.size).toBe(0);
      expect(a.h.isUnaligned(1)).toBe(false);
      expect(await a.h.channelState(1)).toEqual([]);
    });

    it('past the timeout it switches to unaligned: unblocks, snapshots, and records channels until their barrier', async () => {
      const a = alternating(2);
      a.h.processBarrier(0, { checkpointId: 2, timestamp: 1000 });
      const state = a.h.channelState(2)!;
      deliver(a.gate, 1, ['before-switch']); // processed while aligned: in the snapshot, not channel state
      a.advance(60);
      a.fire();
      expect(a.triggered).toEqual([[2, 60]]);
      expect(a.blocked.size).toBe(0);
      expect(a.h.isUnaligned(2)).toBe(true);
      deliver(a.gate, 1, ['in-flight']);
      a.h.processBarrier(1, { checkpointId: 2, timestamp: 1000 });
      expect(records(await state)).toEqual({ 1: ['in-flight'] });
    });

    it('an unaligned barrier from upstream switches at once; a barrier already older than the timeout starts unaligned', () => {
      const a = alternating(2);
      a.h.processBarrier(0, { checkpointId: 3, timestamp: 1000 });
      a.h.processBarrier(1, { checkpointId: 3, timestamp: 1000, unaligned: true, overtaken: 0 } as never);
      expect(a.h.isUnaligned(3)).toBe(true);
      a.advance(100);
      a.h.processBarrier(0, { checkpointId: 4, timestamp: 1000 });
      expect(a.h.isUnaligned(4)).toBe(true);
      expect(a.triggered.map((t) => t[0])).toEqual([3, 4]);
    });
  });
});
