import { describe, expect, it } from 'vitest';
import { ShuffleEnvironment } from './index.js';
import type { SingleInputGateImpl } from './SingleInputGate.js';
import { sleep } from './localChannelPair.js';

// Unaligned checkpoints: a priority barrier overtakes the producer's queue and the channel's queue;
// the consumer spills the overtaken buffers as soon as they are here (buffer + credit returned), so
// they drain while the task is not polling at all (backpressure), and the task later gets every
// record once, in stream order.
describe('spilling data overtaken by an unaligned barrier', () => {
  it('persists every overtaken buffer without the task polling, then delivers all records in order', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config: { bufferSize: 4096, buffersPerChannel: 2, floatingBuffersPerGate: 0, maxBuffersPerSubpartition: 1000 } });
    const p = env.createResultPartition({ partitionId: 'p', numSubpartitions: 1, bufferTimeout: -1, owner: 'Producer' });
    const gate = env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 0, location: { kind: 'local' as const } }], owner: 'Consumer' });
    const ch = (gate as SingleInputGateImpl).channels[0]!;
    const before = 3000;
    for (let i = 0; i < before; i++) p.emitRecord(0, { i, pad: 'x'.repeat(40) }, undefined);
    await sleep(10);
    expect(ch.numQueued).toBe(2); // the credit is used up: the rest waits in the producer's queue
    p.broadcastPriorityBarrier({ type: 'CheckpointBarrier', checkpointId: 1, timestamp: 0, unaligned: true, savepoint: false });
    for (let i = before; i < before + 500; i++) p.emitRecord(0, { i, pad: 'x'.repeat(40) }, undefined);
    p.finish();
    await sleep(10);
    const first = gate.pollNext();
    expect(first?.kind).toBe('event');
    const barrier = (first as { event: { type: string; overtaken?: number } }).event;
    expect(barrier.type).toBe('CheckpointBarrier');
    const overtaken = barrier.overtaken!;
    expect(overtaken).toBeGreaterThan(10);
    const spilled: number[] = [];
    gate.spillOvertaken(0, 1, overtaken, (values) => { for (const v of values) spilled.push((v as { i: number }).i); });
    // No poll in between: the overtaken buffers arrive because each spilled one returned its credit.
    for (let k = 0; k < 50 && spilled.length < before; k++) await sleep(5);
    expect(spilled).toEqual(Array.from({ length: before }, (_, i) => i));
    // The task then reads everything once, in order; records after the barrier were not spilled.
    const all: number[] = [];
    let ended = false;
    const recordedFor: Array<number | undefined> = [];
    gate.channelStateRecorder = { onRecords: (_c, values, _t, r) => { recordedFor.push(r); void values; } };
    while (!ended) {
      const b = gate.pollNext();
      if (b === null) { await Promise.race([gate.getAvailableFuture(), sleep(20)]); continue; }
      if (b.kind === 'records') for (const v of b.values) all.push((v as { i: number }).i);
      else if (b.event.type === 'EndOfPartition') ended = true;
    }
    expect(all).toEqual(Array.from({ length: before + 500 }, (_, i) => i));
    expect(spilled.length).toBe(before);
    // Spilled batches come tagged with their checkpoint, so the recorder does not persist them twice.
    expect(recordedFor.filter((r) => r === 1).length).toBe(overtaken);
    expect(recordedFor.filter((r) => r === undefined).length).toBeGreaterThan(0);
    env.close();
  });
});
