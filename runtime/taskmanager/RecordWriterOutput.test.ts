import { describe, expect, it } from 'vitest';
import { RecordWriterOutput, KeyedRecordWriterOutput } from './RecordWriterOutput.js';
import { KeyGroupStreamPartitioner, RebalancePartitioner } from '../partitioner/StreamPartitioner.js';
import { assignKeyToParallelOperator } from '../util/KeyGroupRangeAssignment.js';
import type { ResultPartition } from '../network/index.js';

/** Records what the output writes (a unit fake of the partition). */
function recordingPartition(n: number): ResultPartition & { keyed: unknown[][]; plain: unknown[][] } {
  const keyed: unknown[][] = [], plain: unknown[][] = [];
  return {
    partitionId: 'p', numSubpartitions: n, keyed, plain, numRecordsOut: 0, numBytesOut: 0, numBuffersOut: 0,
    emitRecord: (sp, v, ts) => { plain.push([sp, v, ts]); },
    emitKeyedRecord: (sp, v, k, ts) => { keyed.push([sp, v, k, ts]); },
    broadcastRecord: () => {}, broadcastEvent: () => {}, broadcastPriorityBarrier: () => {}, flushAll: () => {},
    isAvailable: () => true, getAvailableFuture: () => Promise.resolve(), finish: () => {}, release: () => {},
  };
}

describe('RecordWriterOutput on a keyBy edge', () => {
  it('selects the key once, routes by key group (Flink formulas) and passes the key along', () => {
    for (const n of [2, 3, 7]) {
      const part = recordingPartition(n);
      let calls = 0;
      const p = new KeyGroupStreamPartitioner((v) => { calls++; return (v as [unknown, number])[0]; }, 128);
      p.setup(n, 0);
      const out = RecordWriterOutput.create(part, p);
      expect(out).toBeInstanceOf(KeyedRecordWriterOutput);
      const keys: unknown[] = [0, 1, -0, 42, 1.5, -7, 'word', 'é', 7n, true, ['a', 1]];
      keys.forEach((k, i) => out.collect([k, i], i));
      expect(calls).toBe(keys.length);
      expect(part.plain).toEqual([]);
      keys.forEach((k, i) => expect(part.keyed[i]).toEqual([assignKeyToParallelOperator(k, 128, n), [k, i], k, i]));
    }
  });

  it('with one consumer every record goes to it without hashing, invalid keys included (the consumer state rejects them)', () => {
    const part = recordingPartition(1);
    const p = new KeyGroupStreamPartitioner((v) => v, 128);
    p.setup(1, 0);
    const out = RecordWriterOutput.create(part, p);
    out.collect({ not: 'a key' }, undefined);
    expect(part.keyed).toEqual([[0, { not: 'a key' }, { not: 'a key' }, undefined]]);
    const p2 = new KeyGroupStreamPartitioner((v) => v, 128);
    p2.setup(2, 0);
    expect(() => RecordWriterOutput.create(recordingPartition(2), p2).collect({ not: 'a key' }, undefined)).toThrow(/Invalid key/);
  });

  it('other edges write records without keys', () => {
    const part = recordingPartition(2);
    const p = new RebalancePartitioner();
    p.setup(2, 0);
    const out = RecordWriterOutput.create(part, p);
    expect(out).not.toBeInstanceOf(KeyedRecordWriterOutput);
    out.collect('a', undefined);
    out.collect('b', 5);
    expect(part.plain).toEqual([[0, 'a', undefined], [1, 'b', 5]]);
  });
});
