import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { PLAIN_VALUES } from './plainValues.js';
import { SLOT_TEST_CONFIG as config, WorkerSlots, type DrainResult, type Slot } from './WorkerSlots.js';

// Worker threads run JS: the network module is bundled once (see WorkerSlots.ts).
const slots = new WorkerSlots('tsflink-network-test');
beforeAll(() => slots.bundle());
afterEach(() => slots.terminateAll());
const startSlot = (slotIndex: number, cfg: Record<string, unknown> = config): Promise<Slot> => slots.start(slotIndex, cfg);

/** Two slots joined by one MessageChannel, as the TaskManager wires them. */
async function twoSlots(cfg: Record<string, unknown> = config): Promise<[Slot, Slot, MessageChannel]> {
  const [a, b] = await Promise.all([startSlot(0, cfg), startSlot(1, cfg)]);
  const ch = new MessageChannel();
  await a.call('connect', { peer: 1, port: ch.port1 }, [ch.port1]);
  await b.call('connect', { peer: 0, port: ch.port2 }, [ch.port2]);
  return [a, b, ch];
}

const slot0 = { kind: 'slot', slotIndex: 0 } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MessagePort channel between worker-thread slots', () => {
  it('round-trips every plain data type exactly, with timestamps', async () => {
    const [a, b] = await twoSlots();
    await a.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: -1 });
    await b.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: slot0 }] });
    const drained = b.call<DrainResult>('drain', { gateId: 'g', collect: 'ts' });
    await a.call('produce', { partitionId: 'p', values: PLAIN_VALUES, subpartition: 0, finish: true, timestamps: true });
    const got = await drained;
    const recs = got.records![0] as [unknown, number][];
    expect(recs.length).toBe(PLAIN_VALUES.length);
    recs.forEach(([v, ts], i) => {
      expect(ts).toBe(i);
      const want = PLAIN_VALUES[i];
      if (typeof want === 'number') expect(Object.is(v, want), `#${i} ${String(want)} -> ${String(v)}`).toBe(true);
      // results come back to this thread by structured clone, which turns a Buffer into a Uint8Array
      else if (Buffer.isBuffer(want)) expect(v).toStrictEqual(new Uint8Array(want));
      else expect(v).toStrictEqual(want);
    });
  });

  it('multiplexes many channels over one port, in order, and reuses transferred buffers', async () => {
    const [a, b] = await twoSlots();
    // producers in both slots, consumers in both slots: traffic both ways on the same port
    await a.call('createPartition', { partitionId: 'pa', numSubpartitions: 8, bufferTimeout: 5 });
    await b.call('createPartition', { partitionId: 'pb', numSubpartitions: 8, bufferTimeout: 5 });
    const chans = (pid: string, slotIndex: number, sub: number) => ({ partitionId: pid, subpartition: sub, location: { kind: 'slot', slotIndex } });
    for (let s = 0; s < 4; s++) {
      await b.call('createGate', { gateId: `gb${s}`, channels: [chans('pa', 0, s), chans('pb', 1, s)] });
      await a.call('createGate', { gateId: `ga${s}`, channels: [chans('pb', 1, s + 4), chans('pa', 0, s + 4)] });
    }
    const drains = [0, 1, 2, 3].flatMap((s) => [b.call<DrainResult>('drain', { gateId: `gb${s}`, collect: true }), a.call<DrainResult>('drain', { gateId: `ga${s}`, collect: true })]);
    const n = 400_000;
    const [pa, pb] = await Promise.all([
      a.call<{ poolAllocated: number }>('produce', { partitionId: 'pa', count: n, kind: 'object', subpartition: 'rr', finish: true }),
      b.call<{ poolAllocated: number }>('produce', { partitionId: 'pb', count: n, kind: 'tuple', subpartition: 'rr', finish: true }),
    ]);
    const results = await Promise.all(drains);
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.count).toBe(n / 4); // two channels × n/8 each
      for (const ch of r.records!) {
        expect(ch.length).toBe(n / 8);
        // round-robin: record i went to subpartition i % 8, so ids step by 8 in order
        const ids = ch.map((v) => (Array.isArray(v) ? v[1] : (v as { id: number }).id)) as number[];
        for (let k = 1; k < ids.length; k++) if (ids[k] !== ids[k - 1]! + 8) throw new Error(`out of order at ${k}: ${ids[k - 1]} then ${ids[k]}`);
      }
    }
    // Buffers travel back with the credits: far fewer ArrayBuffers than buffers sent.
    const status = await a.call<{ poolAllocated: number; numBuffersOut: number }>('status', { partitionId: 'pa' });
    expect(status.numBuffersOut).toBeGreaterThan(100);
    expect(pa.poolAllocated).toBeLessThan(status.numBuffersOut / 2);
    expect(pb.poolAllocated).toBeLessThan(status.numBuffersOut / 2);
  });

  it('keeps records and events in order across the port', async () => {
    const [a, b] = await twoSlots();
    await a.call('createPartition', { partitionId: 'p', numSubpartitions: 2, bufferTimeout: 7 });
    await b.call('createGate', { gateId: 'g', channels: [0, 1].map((s) => ({ partitionId: 'p', subpartition: s, location: slot0 })) });
    const drained = b.call<DrainResult>('drain', { gateId: 'g', collect: true });
    const events = [
      { type: 'Watermark', timestamp: 1000 },
      { type: 'CheckpointBarrier', checkpointId: 1, timestamp: 5, unaligned: false, savepoint: false },
      { type: 'EndOfData', drain: true },
    ];
    let next = 0;
    for (const ev of events) {
      await a.call('produce', { partitionId: 'p', values: Array.from({ length: 5000 }, (_, i) => next + i), subpartition: 'rr' });
      next += 5000;
      await a.call('event', { partitionId: 'p', event: ev });
    }
    await a.call('finish', { partitionId: 'p' });
    const r = await drained;
    for (let c = 0; c < 2; c++) {
      expect(r.events.filter(([ch]) => ch === c).map(([, e]) => e)).toEqual([...events, { type: 'EndOfPartition' }]);
      const recs = r.records![c] as number[];
      expect(recs).toEqual(Array.from({ length: 7500 }, (_, k) => 2 * k + c));
    }
  });

  it('steady state allocates no new ArrayBuffers: buffers come back with the credit', async () => {
    const [a, b] = await twoSlots();
    await a.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: -1 });
    await b.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: slot0 }] });
    const drained = b.call<DrainResult>('drain', { gateId: 'g' });
    const first = await a.call<{ poolAllocated: number }>('produce', { partitionId: 'p', count: 200_000, kind: 'object', subpartition: 0 });
    const second = await a.call<{ poolAllocated: number }>('produce', { partitionId: 'p', count: 1_000_000, kind: 'object', subpartition: 0, finish: true });
    expect((await drained).count).toBe(1_200_000);
    const st = await a.call<{ numBuffersOut: number; poolAllocated: number }>('status', { partitionId: 'p' });
    expect(st.numBuffersOut).toBeGreaterThan(900);
    // bounded by credits + queue bound, not by the number of buffers sent
    expect(st.poolAllocated).toBeLessThanOrEqual(2 + 8 + 11 + 2);
    expect(second.poolAllocated - first.poolAllocated).toBeLessThanOrEqual(4);
  });

  it('backpressure: a consumer slot that does not poll makes the producer unavailable, memory stays bounded', async () => {
    const [a, b] = await twoSlots({ ...config, maxBuffersPerSubpartition: 4 });
    await a.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: -1 });
    await b.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: slot0 }] });
    const produced = a.call<{ unavailable: number }>('produce', { partitionId: 'p', count: 300_000, kind: 'object', subpartition: 0, finish: true });
    await sleep(500);
    const st = await a.call<{ available: boolean; poolAllocated: number }>('status', { partitionId: 'p' });
    expect(st.available).toBe(false);
    // exclusive (2) + floating (8) + queued (5) + the open buffer, whatever the producer wanted to write
    expect(st.poolAllocated).toBeLessThanOrEqual(2 + 8 + 5 + 2);
    const drained = await b.call<DrainResult>('drain', { gateId: 'g' });
    expect(drained.count).toBe(300_000);
    expect((await produced).unavailable).toBeGreaterThan(0);
  });

  it('a congested channel does not stall another channel on the same port', async () => {
    const [a, b] = await twoSlots({ ...config, maxBuffersPerSubpartition: 1_000_000 });
    await a.call('createPartition', { partitionId: 'p', numSubpartitions: 2, bufferTimeout: 1 });
    await b.call('createGate', { gateId: 'stuck', channels: [{ partitionId: 'p', subpartition: 0, location: slot0 }] });
    await b.call('createGate', { gateId: 'fast', channels: [{ partitionId: 'p', subpartition: 1, location: slot0 }] });
    const fast = b.call<DrainResult>('drain', { gateId: 'fast', timeoutMs: 20_000 });
    // the writer ignores isAvailable(): subpartition 0 queues up at the producer, subpartition 1 must flow
    await a.call('produce', { partitionId: 'p', count: 100_000, kind: 'object', subpartition: 0, ignoreBackpressure: true });
    await a.call('produce', { partitionId: 'p', count: 100_000, kind: 'tuple', subpartition: 1, ignoreBackpressure: true, finish: true });
    const r = await fast;
    expect(r.timeout).toBeUndefined();
    expect(r.count).toBe(100_000);
    const st = await a.call<{ available: boolean }>('status', { partitionId: 'p' });
    expect(st.available).toBe(true); // bound not reached here; the point is that channel 1 finished while 0 is stuck
    expect(await b.call('pollOnce', { gateId: 'stuck' })).toBe('records');
  });

  it('a backpressured producer does not slow another producer on the same port', async () => {
    const [a, b] = await twoSlots({ ...config, maxBuffersPerSubpartition: 2 });
    await a.call('createPartition', { partitionId: 'slow', numSubpartitions: 1, bufferTimeout: 1 });
    await a.call('createPartition', { partitionId: 'fast', numSubpartitions: 1, bufferTimeout: 1 });
    await b.call('createGate', { gateId: 'stuck', channels: [{ partitionId: 'slow', subpartition: 0, location: slot0 }] });
    await b.call('createGate', { gateId: 'flowing', channels: [{ partitionId: 'fast', subpartition: 0, location: slot0 }] });
    // both producers honour isAvailable(); the slow one blocks for good, the fast one must finish
    const slow = a.call('produce', { partitionId: 'slow', count: 1_000_000, kind: 'object', subpartition: 0, finish: true });
    void slow.catch(() => undefined);
    const flowing = b.call<DrainResult>('drain', { gateId: 'flowing', timeoutMs: 20_000 });
    await a.call('produce', { partitionId: 'fast', count: 300_000, kind: 'tuple', subpartition: 0, finish: true });
    expect((await flowing).count).toBe(300_000);
    expect((await a.call<{ available: boolean }>('status', { partitionId: 'slow' })).available).toBe(false);
  });

  it('works on floating credit alone (buffersPerChannel 0) across the port', async () => {
    const [a, b] = await twoSlots({ bufferSize: 2048, buffersPerChannel: 0, floatingBuffersPerGate: 1, maxBuffersPerSubpartition: 2 });
    await a.call('createPartition', { partitionId: 'p', numSubpartitions: 3, bufferTimeout: 2 });
    await b.call('createGate', { gateId: 'g', channels: [0, 1, 2].map((s) => ({ partitionId: 'p', subpartition: s, location: slot0 })) });
    const drained = b.call<DrainResult>('drain', { gateId: 'g', timeoutMs: 20_000 });
    await a.call('produce', { partitionId: 'p', count: 50_000, kind: 'object', subpartition: 'rr', finish: true });
    const r = await drained;
    expect(r.timeout).toBeUndefined();
    expect(r.count).toBe(50_000);
  });

  it('release(cause) in the producer slot fails the consumer gate in the other slot', async () => {
    const [a, b] = await twoSlots();
    await a.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: 1 });
    await b.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: slot0 }] });
    const drained = b.call<DrainResult>('drain', { gateId: 'g' });
    await a.call('produce', { partitionId: 'p', count: 10, kind: 'tuple', subpartition: 0 });
    await sleep(50);
    await a.call('release', { partitionId: 'p', cause: 'upstream task failed: disk on fire' });
    const r = await drained;
    expect(r.name).toBe('ChannelError');
    expect(r.error).toMatch(/partition p .*disk on fire/);
  });

  it('a request parked before the producer registers is served once it does', async () => {
    const [a, b] = await twoSlots();
    await b.call('createGate', { gateId: 'g', channels: [{ partitionId: 'late', subpartition: 0, location: slot0 }] });
    const drained = b.call<DrainResult>('drain', { gateId: 'g', collect: true });
    await sleep(100);
    await a.call('createPartition', { partitionId: 'late', numSubpartitions: 1, bufferTimeout: -1 });
    await a.call('produce', { partitionId: 'late', values: ['x', 'y'], subpartition: 0, finish: true });
    expect((await drained).records).toEqual([['x', 'y']]);
  });

  it('reconnecting a slot pair (respawned peer) fails the old channels and serves new ones', async () => {
    const [a, b] = await twoSlots();
    await a.call('createPartition', { partitionId: 'old', numSubpartitions: 1, bufferTimeout: 1 });
    await b.call('createGate', { gateId: 'old', channels: [{ partitionId: 'old', subpartition: 0, location: slot0 }] });
    const oldDrain = b.call<DrainResult>('drain', { gateId: 'old' });
    // the TaskManager wires a fresh port pair, as after a slot restart
    const ch = new MessageChannel();
    await a.call('connect', { peer: 1, port: ch.port1 }, [ch.port1]);
    await b.call('connect', { peer: 0, port: ch.port2 }, [ch.port2]);
    expect((await oldDrain).error).toMatch(/slot (0|1) (was replaced|closed)|connection to slot 0 closed/);
    await a.call('createPartition', { partitionId: 'new', numSubpartitions: 1, bufferTimeout: 1 });
    await b.call('createGate', { gateId: 'new', channels: [{ partitionId: 'new', subpartition: 0, location: slot0 }] });
    const newDrain = b.call<DrainResult>('drain', { gateId: 'new', collect: true });
    await a.call('produce', { partitionId: 'new', values: [1, 2, 3], subpartition: 0, finish: true });
    expect((await newDrain).records).toEqual([[1, 2, 3]]);
  });

  it('a closed peer fails the channels on that connection', async () => {
    const [a, b] = await twoSlots();
    await a.call('createPartition', { partitionId: 'p', numSubpartitions: 1, bufferTimeout: 1 });
    await b.call('createGate', { gateId: 'g', channels: [{ partitionId: 'p', subpartition: 0, location: slot0 }] });
    const drained = b.call<DrainResult>('drain', { gateId: 'g' });
    await a.call('produce', { partitionId: 'p', count: 10, kind: 'tuple', subpartition: 0 });
    await a.worker.terminate();
    const r = await drained;
    expect(r.name).toBe('ChannelError');
    expect(r.error).toMatch(/connection to slot 0 closed/);
  });
});
