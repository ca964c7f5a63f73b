import { describe, expect, it } from 'vitest';
import { ShuffleEnvironment } from './index.js';
import { drainGate } from './drainGate.js';
import { localChannelPair, LOCAL_TEST_CONFIG, sleep } from './localChannelPair.js';

// Credit-based flow control, partition lifecycle and gate behaviour of in-thread channels (network.test.ts has
// the data path; flowControl.stress.test.ts random schedules).
const config = LOCAL_TEST_CONFIG;
const local = { kind: 'local' } as const;
const pair = localChannelPair;

describe('credit-based flow control', () => {
  it('hands floating credit to channels that announce backlog, bounded by the gate', async () => {
    const { SingleInputGateImpl } = await import('./SingleInputGate.js');
    const env = new ShuffleEnvironment({ slotIndex: 0, config: { bufferSize: 4096, buffersPerChannel: 2, floatingBuffersPerGate: 3, maxBuffersPerSubpartition: 100 } });
    const partition = env.createResultPartition({ partitionId: 'p', numSubpartitions: 2, bufferTimeout: -1, owner: 'Producer' });
    const gate = env.createInputGate({ channels: [0, 1].map((s) => ({ partitionId: 'p', subpartition: s, location: local })), owner: 'Consumer' });
    const impl = gate as InstanceType<typeof SingleInputGateImpl>;
    // channel 0 alone is backlogged: it gets its 2 exclusive + all 3 floating credits
    for (let i = 0; i < 2000; i++) partition.emitRecord(0, { i, pad: 'z'.repeat(50) }, undefined);
    await sleep(10);
    expect(impl.channels[0]!.numQueued).toBe(5);
    expect(impl.channels[0]!.floatingHeld).toBe(3);
    // consuming lets more flow, and floating credit is not lost
    let got = 0;
    while (got < 2000) {
      const b = gate.pollNext();
      if (b?.kind === 'records') got += b.values.length;
      else {
        partition.flushAll();
        await Promise.race([gate.getAvailableFuture(), sleep(20)]);
      }
    }
    expect(got).toBe(2000);
    // channel 1 backlogged now: the floating credit moves over once channel 0 no longer needs it
    for (let i = 0; i < 2000; i++) partition.emitRecord(1, { i, pad: 'z'.repeat(50) }, undefined);
    await sleep(10);
    expect(impl.channels[1]!.numQueued).toBe(5);
    expect(impl.channels[0]!.floatingHeld + impl.channels[1]!.floatingHeld).toBeLessThanOrEqual(3);
    env.close();
  });
});

describe('credit-based flow control without exclusive buffers', () => {
  it('buffersPerChannel 0: channels live on floating credit alone', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config: { bufferSize: 4096, buffersPerChannel: 0, floatingBuffersPerGate: 1 } });
    const n = 3;
    const p = env.createResultPartition({ partitionId: 'p', numSubpartitions: n, bufferTimeout: 5, owner: 'Producer' });
    const gate = env.createInputGate({ channels: Array.from({ length: n }, (_, s) => ({ partitionId: 'p', subpartition: s, location: local })), owner: 'Consumer' });
    const drained = drainGate(gate);
    for (let i = 0; i < 20_000; i++) {
      p.emitRecord(i % n, { i, pad: 'q'.repeat(20) }, undefined);
      if (!p.isAvailable()) await p.getAvailableFuture();
    }
    p.finish();
    const got = await drained;
    expect(got.records.map((r) => r.length)).toEqual([6667, 6667, 6666]);
    env.close();
  });
});

describe('partition lifecycle', () => {
  it('rejects records after finish() and after release()', () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config });
    const a = env.createResultPartition({ partitionId: 'a', numSubpartitions: 1, bufferTimeout: -1, owner: 'Op A' });
    a.finish();
    expect(() => a.emitRecord(0, 1, undefined)).toThrow(/Op A .*already finished/);
    const b = env.createResultPartition({ partitionId: 'b', numSubpartitions: 1, bufferTimeout: 10, owner: 'Op B' });
    b.release(new Error('cancelled'));
    expect(() => b.broadcastRecord(1, undefined)).toThrow(/Op B .*was released/);
    expect(b.isAvailable()).toBe(true);
    env.close();
  });

  it('a producer waiting for availability is woken by release()', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config: { ...config, maxBuffersPerSubpartition: 1 } });
    const p = env.createResultPartition({ partitionId: 'p', numSubpartitions: 1, bufferTimeout: -1, owner: 'Op' });
    for (let i = 0; i < 10_000 && p.isAvailable(); i++) p.emitRecord(0, 'x'.repeat(500), undefined);
    expect(p.isAvailable()).toBe(false);
    const woke = p.getAvailableFuture();
    p.release();
    await woke;
    env.close();
  });
});

describe('input gate', () => {
  it('blockChannel stops delivery from that channel until resumeChannel', async () => {
    const { partition, gate } = pair({ numSubpartitions: 2 });
    gate.blockChannel(0);
    partition.emitRecord(0, 'a0', undefined);
    partition.emitRecord(1, 'b0', undefined);
    partition.broadcastEvent({ type: 'CheckpointBarrier', checkpointId: 1, timestamp: 0, unaligned: false, savepoint: false });
    partition.emitRecord(0, 'a1', undefined);
    partition.emitRecord(1, 'b1', undefined);
    partition.flushAll();
    await sleep(10);
    const seen: unknown[] = [];
    for (let b = gate.pollNext(); b !== null; b = gate.pollNext()) seen.push(b.kind === 'records' ? [b.channel, ...b.values] : [b.channel, b.event.type]);
    expect(seen).toEqual([[1, 'b0'], [1, 'CheckpointBarrier'], [1, 'b1']]);
    gate.resumeChannel(0);
    await gate.getAvailableFuture();
    for (let b = gate.pollNext(); b !== null; b = gate.pollNext()) seen.push(b.kind === 'records' ? [b.channel, ...b.values] : [b.channel, b.event.type]);
    expect(seen.slice(3)).toEqual([[0, 'a0'], [0, 'CheckpointBarrier'], [0, 'a1']]);
    partition.release();
  });

  it('close() cancels the subscription; the producer keeps its memory bounded', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config: { ...config, maxBuffersPerSubpartition: 2 } });
    const p = env.createResultPartition({ partitionId: 'p', numSubpartitions: 1, bufferTimeout: 1, owner: 'Producer' });
    const gate = env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 0, location: local }], owner: 'Consumer' });
    p.emitRecord(0, 1, undefined);
    await sleep(10);
    gate.close();
    expect(gate.pollNext()).toBeNull();
    await gate.getAvailableFuture(); // resolves once closed
    await sleep(5);
    for (let i = 0; i < 5000 && p.isAvailable(); i++) p.emitRecord(0, 'y'.repeat(100), undefined);
    expect(p.isAvailable()).toBe(false);
    env.close();
  });

  it('a request for a subpartition the partition does not have fails clearly', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config });
    env.createResultPartition({ partitionId: 'p', numSubpartitions: 2, bufferTimeout: -1, owner: 'Producer' });
    const gate = env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 5, location: local }], owner: 'Consumer' });
    await gate.getAvailableFuture();
    expect(() => gate.pollNext()).toThrow(/partition p has 2 subpartitions, subpartition 5 was requested/);
    env.close();
  });

  it('a remote location without a TaskManager uplink, or an unwired slot, fails with a hint', () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config });
    expect(() =>
      env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 0, location: { kind: 'remote', taskManagerId: 'tm-2', host: '10.0.0.2', port: 6121 } }], owner: 'Consumer' }),
    ).toThrow(/partition p is on TaskManager tm-2 \(10\.0\.0\.2:6121\)/);
    expect(() => env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 0, location: { kind: 'slot', slotIndex: 4 } }], owner: 'Consumer' })).toThrow(
      /no connection from slot 0 to slot 4.*addSlotConnection/,
    );
    env.close();
  });
});
