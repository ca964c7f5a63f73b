// The in-thread exchange (issue 18): records handed over as references in object buffers, in order with
// events, bounded by credit; and the serialized path (pipeline.object-reuse false) with its flat-tuple writer.
import { describe, expect, it } from 'vitest';
import { ShuffleEnvironment, RecordSerializationError, type InputBatch, type StreamEvent } from './index.js';
import { drainGate } from './drainGate.js';
import { LOCAL_TEST_CONFIG, sleep } from './localChannelPair.js';
import { estimateSize } from './ObjectBufferBuilder.js';

const local = { kind: 'local' } as const;

function pair(opts: { bufferTimeout?: number; handover?: boolean; config?: Partial<typeof LOCAL_TEST_CONFIG> & { maxBuffersPerSubpartition?: number; inThreadBufferRecords?: number } } = {}) {
  const env = new ShuffleEnvironment({ slotIndex: 0, config: { ...LOCAL_TEST_CONFIG, ...opts.config } });
  const partition = env.createResultPartition({ partitionId: 'p', numSubpartitions: 1, bufferTimeout: opts.bufferTimeout ?? -1, owner: 'Producer (1/1)', inThreadHandover: opts.handover });
  const gate = env.createInputGate({ channels: [{ partitionId: 'p', subpartition: 0, location: local }], owner: 'Consumer (1/1)' });
  return { env, partition, gate };
}

/** Polls everything available now (and what the loopback delivers meanwhile) until EndOfPartition. */
async function drainBatches(gate: ReturnType<typeof pair>['gate']): Promise<InputBatch[]> {
  const out: InputBatch[] = [];
  for (;;) {
    const b = gate.pollNext();
    if (b === null) { await Promise.race([gate.getAvailableFuture(), sleep(200)]); continue; }
    out.push(b);
    if (b.kind === 'event' && b.event.type === 'EndOfPartition') return out;
  }
}

describe('in-thread exchange (references)', () => {
  it('hands over the records themselves, with their keys, in order with watermarks and end of partition', async () => {
    const { env, partition, gate } = pair();
    await sleep(0); // the consumer's partition request arrives: from now on records go as references
    const sent: unknown[] = [];
    const expected: Array<['r', unknown, unknown, number | null] | ['e', string]> = [];
    for (let i = 0; i < 5000; i++) {
      const v = [i % 7, { n: i }];
      sent.push(v);
      if (i % 3 === 0) { partition.emitRecord(0, v, i); expected.push(['r', v, null, i]); }
      else { partition.emitKeyedRecord(0, v, i % 7, undefined); expected.push(['r', v, i % 7, null]); }
      if (i % 1000 === 999) {
        const wm: StreamEvent = { type: 'Watermark', timestamp: i };
        partition.broadcastEvent(wm);
        expected.push(['e', 'Watermark']);
      }
    }
    partition.finish();
    expected.push(['e', 'EndOfPartition']);
    const got: typeof expected = [];
    for (const b of await drainBatches(gate)) {
      if (b.kind === 'event') { got.push(['e', b.event.type]); continue; }
      for (let i = 0; i < b.values.length; i++) got.push(['r', b.values[i], b.keys === null ? null : b.keys[i], b.timestamps === null ? null : b.timestamps[i]!]);
    }
    expect(got.length).toBe(expected.length);
    for (let i = 0; i < got.length; i++) {
      const [g, e] = [got[i]!, expected[i]!];
      expect(g[0]).toBe(e[0]);
      if (g[0] === 'r' && e[0] === 'r') {
        expect(g[1]).toBe(e[1]); // the same object, not a copy
        expect(g[2]).toBe(e[2]);
        expect(g[3]).toBe(e[3]);
      } else expect(g[1]).toBe(e[1]);
    }
    expect(partition.numBytesOut).toBeGreaterThan(0); // estimated, so byte metrics stay meaningful
    env.close();
  });

  it('records written before the consumer attached (serialized) come first, then the references', async () => {
    const { env, partition, gate } = pair();
    partition.emitRecord(0, { early: 1 }, undefined);
    partition.emitRecord(0, { early: 2 }, undefined);
    await sleep(0);
    const late = { late: 3 };
    partition.emitRecord(0, late, undefined);
    partition.finish();
    const got = await drainGate(gate);
    expect(got.records[0]).toStrictEqual([{ early: 1 }, { early: 2 }, { late: 3 }]);
    expect(got.records[0]![2]).toBe(late);
    env.close();
  });

  it('bufferTimeout -1: nothing is sent before a flush, a full buffer, an event or the end', async () => {
    const { env, partition, gate } = pair({ bufferTimeout: -1 });
    await sleep(0);
    partition.emitRecord(0, 'a', undefined);
    await sleep(50);
    expect(gate.pollNext()).toBeNull();
    partition.flushAll();
    await gate.getAvailableFuture();
    expect(gate.pollNext()).toMatchObject({ kind: 'records', values: ['a'] });
    env.close();
  });

  it('backpressure: a consumer that does not poll stops the producer; credits bound what is queued', async () => {
    const { env, partition, gate } = pair({ config: { maxBuffersPerSubpartition: 4, inThreadBufferRecords: 100 } });
    await sleep(0);
    let written = 0;
    for (let round = 0; round < 50 && partition.isAvailable(); round++) {
      while (partition.isAvailable() && written < 1_000_000) partition.emitKeyedRecord(0, [written, 1], written++ % 10, undefined);
      await sleep(5); // the transport delivers what credit allows; it must not make us available again
    }
    expect(partition.isAvailable()).toBe(false);
    // 100 records per object buffer: 2 exclusive + 8 floating credits + 4 queued + 1 over the bound + 1 open
    expect(written).toBeLessThanOrEqual(100 * (2 + 8 + 4 + 2));
    let resolved = false;
    void partition.getAvailableFuture().then(() => { resolved = true; });
    await sleep(10);
    expect(resolved).toBe(false);
    let seen = 0;
    while (!resolved) {
      const b = gate.pollNext();
      if (b?.kind === 'records') {
        for (let i = 0; i < b.values.length; i++) expect((b.values[i] as number[])[0]).toBe(seen + i);
        seen += b.values.length;
      } else await Promise.race([gate.getAvailableFuture(), sleep(5)]);
    }
    expect(seen).toBeGreaterThan(0);
    expect(partition.isAvailable()).toBe(true);
    env.close();
  });

  it('object buffers hold about what a network buffer would: few large records, many small ones', async () => {
    const { env, partition, gate } = pair({ config: { bufferSize: 32768, inThreadBufferRecords: 1024 } });
    await sleep(0);
    const big = { payload: 'x'.repeat(4000) };
    for (let i = 0; i < 40; i++) partition.emitRecord(0, { ...big, i }, undefined);
    for (let i = 0; i < 3000; i++) partition.emitRecord(0, [i, 1], undefined);
    partition.finish();
    const sizes = (await drainBatches(gate)).filter((b) => b.kind === 'records').map((b) => (b as { values: unknown[] }).values.length);
    expect(sizes.slice(0, 5)).toEqual([8, 8, 8, 8, 8]); // 32768 / ~4 KB
    expect(Math.max(...sizes)).toBe(1024); // capped: small tuples would fit thousands
    expect(estimateSize([1, 'ab', { c: true }], 1 << 20)).toBeGreaterThan(0);
    env.close();
  });

  it('records stay plain data: a class instance is refused at emit, as between threads', async () => {
    const { env, partition } = pair();
    await sleep(0);
    class Point { constructor(readonly x: number) {} }
    expect(() => partition.emitRecord(0, new Point(1), undefined)).toThrow(RecordSerializationError);
    partition.emitRecord(0, { ok: true }, undefined);
    expect(() => partition.emitRecord(0, { ok: true, fn: () => 1 }, undefined)).not.toThrow(); // only the first record of a buffer is walked
    expect(() => partition.emitRecord(0, [new Point(2)], undefined)).not.toThrow();
    partition.flushAll();
    expect(() => partition.emitRecord(0, [new Point(2)], undefined)).toThrow(RecordSerializationError); // first of the next buffer
    env.close();
  });
});

describe('in-thread exchange with pipeline.object-reuse false (copies)', () => {
  it('serializes: the consumer gets equal copies, flat tuples of every number kind exactly', async () => {
    const { env, partition, gate } = pair({ handover: false });
    await sleep(0);
    const nums = [0, -0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, -1, -32, -33, -128, -129, -32768, -32769,
      -(2 ** 31), -(2 ** 31) - 1, 0.5, -2.25, 1e-300, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity, 2 ** 53 + 2];
    const records: unknown[] = [];
    for (const x of nums) records.push([x, 'k', x]);
    records.push(['ascii', ''], ['é non-ascii', 1], ['x'.repeat(31), 2], ['y'.repeat(32), 3], [1, null], [1, [2, 3]], [{ a: 1 }, 2]);
    records.push(Array.from({ length: 15 }, (_, i) => i), Array.from({ length: 16 }, (_, i) => i));
    for (let i = 0; i < records.length; i++) partition.emitRecord(0, records[i], i % 2 === 0 ? i : undefined);
    partition.finish();
    const got = await drainGate(gate);
    expect(got.records[0]!.length).toBe(records.length);
    for (let i = 0; i < records.length; i++) {
      expect(got.records[0]![i]).not.toBe(records[i]);
      expect(got.records[0]![i]).toStrictEqual(records[i]);
      expect(got.timestamps[0]![i]).toBe(i % 2 === 0 ? i : null);
    }
    for (let i = 0; i < nums.length; i++) expect(Object.is((got.records[0]![i] as number[])[0], nums[i]), `number ${nums[i]}`).toBe(true);
    env.close();
  });
});
