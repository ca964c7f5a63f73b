import { describe, expect, it } from 'vitest';
import { ShuffleEnvironment, RecordSerializationError, type InputBatch, type StreamEvent } from './index.js';
import { drainGate } from './drainGate.js';
import { localChannelPair, LOCAL_TEST_CONFIG, sleep } from './localChannelPair.js';
import { PLAIN_VALUES } from './plainValues.js';

const config = LOCAL_TEST_CONFIG;
const local = { kind: 'local' } as const;
const pair = localChannelPair;

describe('in-thread channel', () => {
  it('round-trips every plain data type exactly', async () => {
    const { partition, gate } = pair();
    for (const v of PLAIN_VALUES) partition.emitRecord(0, v, undefined);
    partition.finish();
    const got = await drainGate(gate);
    expect(got.records[0]!.length).toBe(PLAIN_VALUES.length);
    for (let i = 0; i < PLAIN_VALUES.length; i++) {
      const v = PLAIN_VALUES[i];
      const g = got.records[0]![i];
      if (typeof v === 'number') expect(Object.is(g, v), `value #${i} ${String(v)} came back as ${String(g)}`).toBe(true);
      else expect(g).toStrictEqual(v);
      if (typeof v === 'object' && v !== null) expect(Object.getPrototypeOf(g) === Object.getPrototypeOf(v), `value #${i} came back as ${Object.prototype.toString.call(g)}`).toBe(true);
    }
  });

  it('keeps records and events in order per channel, with timestamps', async () => {
    const { partition, gate } = pair({ numSubpartitions: 2 });
    const events: StreamEvent[] = [
      { type: 'Watermark', timestamp: 100 },
      { type: 'CheckpointBarrier', checkpointId: 7, timestamp: 123, unaligned: false, savepoint: true },
      { type: 'WatermarkStatus', idle: true },
      { type: 'CancelCheckpointMarker', checkpointId: 7 },
      { type: 'EndOfData', drain: false },
    ];
    const expected: [string, unknown][][] = [[], []];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3000; i++) {
        const sp = i % 2;
        const ts = i % 1000 < 300 ? undefined : round * 10_000 + i; // switches between timestamped and untimestamped buffers
        partition.emitRecord(sp, { round, i }, ts);
        expected[sp]!.push(['r', { round, i }]);
      }
      partition.broadcastEvent(events[round]!);
      for (const e of expected) e.push(['e', events[round]!.type]);
    }
    partition.finish();
    for (const e of expected) e.push(['e', 'EndOfPartition']);
    const got = await drainGate(gate);
    expect(got.sequence).toEqual(expected);
    const evs = got.events.filter((b): b is Extract<InputBatch, { kind: 'event' }> => b.kind === 'event' && b.channel === 0).map((b) => b.event);
    expect(evs.slice(0, 5)).toEqual(events);
    // timestamps line up with their records
    for (let c = 0; c < 2; c++) {
      got.records[c]!.forEach((r, k) => {
        const { round, i } = r as { round: number; i: number };
        expect(got.timestamps[c]![k]).toBe(i % 1000 < 300 ? null : round * 10_000 + i);
      });
    }
    expect(partition.numRecordsOut).toBe(15_000);
    expect(gate.numRecordsIn).toBe(15_000);
  });

  it('decodes many record shapes (structure ids cycle) in order, across buffers', async () => {
    const { partition, gate } = pair();
    const sent: unknown[] = [];
    for (let i = 0; i < 20_000; i++) {
      // 1000 distinct shapes, revisited in varying order, some nested
      const k = (i * 7919) % 1000;
      const v = i % 3 === 0 ? { [`k${k}`]: i, inner: { [`j${k % 77}`]: [i] } } : { [`k${k}`]: i, common: 'x' };
      sent.push(v);
      partition.emitRecord(0, v, undefined);
    }
    partition.finish();
    const got = await drainGate(gate);
    expect(got.records[0]).toEqual(sent);
  });

  it('sends a record larger than a buffer in a buffer of its own', async () => {
    const { partition, gate } = pair();
    const big = { blob: new Uint8Array(200_000).fill(7), text: 'é'.repeat(100_000), list: Array.from({ length: 20_000 }, (_, i) => i) };
    partition.emitRecord(0, 'before', undefined);
    partition.emitRecord(0, big, 5);
    partition.emitRecord(0, 'after', undefined);
    partition.finish();
    const got = await drainGate(gate);
    expect(got.records[0]).toStrictEqual(['before', big, 'after']);
    expect(got.timestamps[0]).toEqual([null, 5, null]);
  });

  it('bufferTimeout > 0 flushes a partly filled buffer on its own', async () => {
    const { partition, gate } = pair({ bufferTimeout: 50 });
    const t0 = Date.now();
    partition.emitRecord(0, 'lonely', undefined);
    let b: InputBatch | null = null;
    while ((b = gate.pollNext()) === null && Date.now() - t0 < 1000) await Promise.race([gate.getAvailableFuture(), sleep(300)]);
    const dt = Date.now() - t0;
    expect(b).toMatchObject({ kind: 'records', values: ['lonely'] });
    // flushed by the 50 ms timer: not immediately, and well before anything else would send it
    expect(dt).toBeGreaterThanOrEqual(30);
    expect(dt).toBeLessThan(300);
    partition.release();
  });

  it('bufferTimeout 0 flushes after every record', async () => {
    const { partition, gate } = pair({ bufferTimeout: 0 });
    partition.emitRecord(0, 'now', undefined);
    await gate.getAvailableFuture();
    expect(gate.pollNext()).toMatchObject({ kind: 'records', values: ['now'] });
    partition.release();
  });

  it('bufferTimeout -1 sends only on flush / full buffer / event / finish', async () => {
    const { partition, gate } = pair({ bufferTimeout: -1 });
    partition.emitRecord(0, 'a', undefined);
    await sleep(150);
    expect(gate.pollNext()).toBeNull();
    partition.flushAll();
    await gate.getAvailableFuture();
    expect(gate.pollNext()).toMatchObject({ kind: 'records', values: ['a'] });
    partition.emitRecord(0, 'b', undefined);
    partition.finish();
    const got = await drainGate(gate);
    expect(got.sequence[0]).toEqual([['r', 'b'], ['e', 'EndOfPartition']]);
  });

  it('4 producers × 4 consumers all-to-all', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config });
    const N = 4;
    const perPair = 20_000;
    const partitions = Array.from({ length: N }, (_, p) => env.createResultPartition({ partitionId: `src-${p}`, numSubpartitions: N, bufferTimeout: 10, owner: `Source (${p + 1}/${N})` }));
    const gates = Array.from({ length: N }, (_, c) =>
      env.createInputGate({ channels: Array.from({ length: N }, (_, p) => ({ partitionId: `src-${p}`, subpartition: c, location: local })), owner: `Sink (${c + 1}/${N})` }),
    );
    const consumers = gates.map((g) => drainGate(g));
    // Producers write in slices and respect backpressure, like tasks do.
    await Promise.all(
      partitions.map(async (part, p) => {
        for (let i = 0; i < perPair; i++) {
          for (let c = 0; c < N; c++) part.emitRecord(c, [p, i, `r${p}-${c}-${i}`], undefined);
          if (!part.isAvailable()) await part.getAvailableFuture();
          if (i % 1000 === 0) await sleep(0);
        }
        part.finish();
      }),
    );
    const results = await Promise.all(consumers);
    for (const g of gates) g.close();
    await sleep(0);
    // everything consumed and closed: no partition, route or request left behind
    expect(env.stack.debugCounts()).toEqual({ partitions: 0, servedStreams: 0, channels: 0, parkedRequests: 0, gates: 0 });
    for (let c = 0; c < N; c++) {
      for (let p = 0; p < N; p++) {
        const recs = results[c]!.records[p] as [number, number, string][];
        expect(recs.length).toBe(perPair);
        for (let i = 0; i < perPair; i++) if (recs[i]![1] !== i || recs[i]![2] !== `r${p}-${c}-${i}`) throw new Error(`bad record ${p}->${c} #${i}: ${JSON.stringify(recs[i])}`);
      }
    }
    env.close();
  });

  it('backpressure: a consumer that does not poll makes the producer unavailable, memory stays bounded', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config: { ...config, maxBuffersPerSubpartition: 4 } });
    const partition = env.createResultPartition({ partitionId: 'p', numSubpartitions: 1, bufferTimeout: -1, owner: 'Producer' });
    const gate = env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 0, location: local }], owner: 'Slow' });
    let written = 0;
    const payload = 'x'.repeat(1000);
    const stop = Date.now() + 3000;
    while (Date.now() < stop) {
      while (partition.isAvailable() && written < 1_000_000) {
        partition.emitRecord(0, { n: written++, payload }, undefined);
      }
      if (!partition.isAvailable()) {
        // give the transport a chance; it must not make us available again while nobody polls
        await sleep(20);
        if (!partition.isAvailable()) break;
      }
    }
    expect(partition.isAvailable()).toBe(false);
    // ~32 records/buffer: credits (2 exclusive + up to 8 floating) + queue bound (4) + 1 open buffer
    expect(written).toBeLessThan(32 * (2 + 8 + 5 + 2));
    expect(env.pool.numAllocated).toBeLessThan(2 + 8 + 5 + 3);
    let resolved = false;
    void partition.getAvailableFuture().then(() => (resolved = true));
    await sleep(10);
    expect(resolved).toBe(false);
    // polling drains the backlog and makes the producer available again
    let seen = 0;
    while (!resolved) {
      const b = gate.pollNext();
      if (b?.kind === 'records') seen += b.values.length;
      else await Promise.race([gate.getAvailableFuture(), sleep(5)]);
    }
    expect(seen).toBeGreaterThan(0);
    expect(partition.isAvailable()).toBe(true);
    env.close();
  });

  it('a congested channel does not stall another channel of the same partition', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config: { ...config, maxBuffersPerSubpartition: 1000 } });
    const partition = env.createResultPartition({ partitionId: 'p', numSubpartitions: 2, bufferTimeout: -1, owner: 'Producer' });
    const stuck = env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 0, location: local }], owner: 'Stuck' });
    const fast = env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 1, location: local }], owner: 'Fast' });
    const consumed = drainGate(fast);
    for (let i = 0; i < 50_000; i++) {
      partition.emitRecord(0, { i, pad: 'y'.repeat(100) }, undefined);
      partition.emitRecord(1, { i }, undefined);
      if (i % 500 === 0) await sleep(0);
    }
    partition.broadcastEvent({ type: 'EndOfPartition' });
    const got = await consumed;
    expect(got.records[0]!.length).toBe(50_000);
    expect(stuck.pollNext()).not.toBeNull();
    env.close();
  });

  it('release(cause) fails the consumer with the cause', async () => {
    const { env, partition, gate } = pair();
    partition.emitRecord(0, 1, undefined);
    partition.release(new Error('task failed: boom'));
    await gate.getAvailableFuture();
    expect(() => gate.pollNext()).toThrow(/boom/);
    gate.close();
    await sleep(0);
    expect(env.stack.debugCounts()).toEqual({ partitions: 0, servedStreams: 0, channels: 0, parkedRequests: 0, gates: 0 });
  });

  it('parks a partition request until the producer registers', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 0, config });
    const gate = env.createInputGate({ channels: [{ partitionId: 'late', subpartition: 0, location: local }], owner: 'Early consumer' });
    await sleep(20);
    const partition = env.createResultPartition({ partitionId: 'late', numSubpartitions: 1, bufferTimeout: -1, owner: 'Late producer' });
    partition.emitRecord(0, 'hi', undefined);
    partition.finish();
    const got = await drainGate(gate);
    expect(got.records[0]).toEqual(['hi']);
  });

  it('a request for a partition that never registers fails with its name after the timeout', async () => {
    const env = new ShuffleEnvironment({ slotIndex: 3, config: { ...config, partitionRequestTimeoutMs: 100 } });
    const gate = env.createInputGate({ channels: [{ partitionId: 'ghost-partition', subpartition: 0, location: local }], owner: 'Consumer' });
    await gate.getAvailableFuture();
    expect(() => gate.pollNext()).toThrow(/ghost-partition.*not registered in slot 3 within 100 ms/);
  });
});

describe('RecordSerializationError', () => {
  class Trade {
    constructor(public id: number) {}
    total(): number {
      return this.id;
    }
  }
  it.each([
    ['function', () => 1, /function/],
    ['function field', { id: 1, f: function handler() {} }, /function handler/],
    ['class instance', new Trade(1), /Trade/],
    ['nested class instance', { ok: 1, t: new Trade(2) }, /record\.t is an instance of class Trade/],
    ['symbol', Symbol('s'), /symbol/],
    ['symbol keys', { [Symbol('k')]: 1, a: 1 }, /symbol/],
  ])('rejects a %s with owner, type and a hint', (_name, value, pattern) => {
    const { partition } = pair();
    let err: unknown;
    try {
      partition.emitRecord(0, value, undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecordSerializationError);
    const msg = (err as Error).message;
    expect(msg).toMatch(pattern);
    expect(msg).toContain('Map (1/1)');
    expect(msg).toMatch(/plain data/);
    partition.release();
  });

  it('rejects a class instance even when a plain object of the same shape was sent before', () => {
    const { partition } = pair();
    partition.emitRecord(0, { id: 1 }, undefined);
    expect(() => partition.emitRecord(0, new Trade(2), undefined)).toThrow(/instance of class Trade/);
    partition.release();
  });

  it('the channel keeps working after a rejected record', async () => {
    const { partition, gate } = pair();
    partition.emitRecord(0, { a: 1 }, undefined);
    expect(() => partition.emitRecord(0, { a: 1, fn: () => 2 }, undefined)).toThrow(RecordSerializationError);
    expect(() => partition.emitRecord(0, { b: new Trade(1) }, undefined)).toThrow(RecordSerializationError);
    partition.emitRecord(0, { a: 2 }, undefined);
    partition.emitRecord(0, { c: [1] }, undefined);
    partition.finish();
    const got = await drainGate(gate);
    expect(got.records[0]).toEqual([{ a: 1 }, { a: 2 }, { c: [1] }]);
  });
});
