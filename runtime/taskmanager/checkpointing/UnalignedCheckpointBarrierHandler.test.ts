import { describe, it, expect } from 'vitest';
import { Unpackr } from 'msgpackr';
import { UnalignedCheckpointBarrierHandler, type InputChannelStateSnapshot } from './UnalignedCheckpointBarrierHandler.js';
import type { ChannelStateRecorder } from '../../network/index.js';

function setup(channels: number): { h: UnalignedCheckpointBarrierHandler; gate: { channelStateRecorder: ChannelStateRecorder | null }; triggered: number[]; aborted: Array<[number, string]> } {
  const gate = { channelStateRecorder: null as ChannelStateRecorder | null };
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
});
