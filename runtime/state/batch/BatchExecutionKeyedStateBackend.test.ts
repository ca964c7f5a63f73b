// Modelled on Flink's BatchExecutionStateBackendTest (values, lists, maps and reducing state of one key; the
// previous key's state gone once the key changes) plus the wiring: a BATCH keyed head gets this backend.
import { describe, it, expect } from 'vitest';
import { StreamExecutionEnvironment, KeyedProcessFunction, ValueStateDescriptor as PublicValueStateDescriptor, type Collector } from 'tsflink';
import { BatchExecutionKeyedStateBackend } from './BatchExecutionKeyedStateBackend.js';
import { ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor } from '../../api/state/StateDescriptor.js';
import type { ValueState, ListState, MapState, ReducingState } from '../../api/state/State.js';
import { createKeyedStateBackend } from '../StateBackendLoader.js';
import { Configuration } from '../../configuration/index.js';

const FULL = { startKeyGroup: 0, endKeyGroup: 127 };

describe('BatchExecutionKeyedStateBackend', () => {
  it('keeps value, list, map and reducing state of the current key; a new key starts empty and the old one is dropped', () => {
    const b = new BatchExecutionKeyedStateBackend(FULL, 128);
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v'));
    const l = b.getPartitionedState<ListState<string>>(new ListStateDescriptor<string>('l'));
    const m = b.getPartitionedState<MapState<string, number>>(new MapStateDescriptor<string, number>('m'));
    const r = b.getPartitionedState<ReducingState<number>>(new ReducingStateDescriptor<number>('r', (x, y) => x + y));
    b.setCurrentKey('a');
    v.update(1); l.add('x'); m.put('k', 2); r.add(3); r.add(4);
    b.setCurrentKey('a'); // the same key again (its next record): state kept
    expect([v.value(), [...l.get()], m.get('k'), r.get()]).toEqual([1, ['x'], 2, 7]);
    b.setCurrentKey('b');
    expect([v.value(), [...(l.get() ?? [])], m.get('k'), r.get()]).toEqual([undefined, [], undefined, undefined]);
    v.update(10);
    b.setCurrentKey('a'); // sorted input never returns to a key: if it did, its state is gone
    expect(v.value()).toBeUndefined();
  });

  it('state memory is one key: after 10,000 keys at most one key has state', () => {
    const b = new BatchExecutionKeyedStateBackend(FULL, 128);
    const v = b.getPartitionedState<ValueState<number>>(new ValueStateDescriptor<number>('v'));
    const m = b.getPartitionedState<MapState<number, number>>(new MapStateDescriptor<number, number>('m'));
    for (let k = 0; k < 10_000; k++) {
      b.setCurrentKey([k, `k${k}`]);
      v.update(k); m.put(k, k);
      b.setCurrentKey([k, `k${k}`]);
      expect(v.value()).toBe(k);
      expect(b.numKeys('v')).toBe(1);
      expect(b.numKeys('m')).toBe(1);
    }
  });

  it('takes no checkpoints: snapshot and restore fail with a clear error', () => {
    const b = new BatchExecutionKeyedStateBackend(FULL, 128, Date.now, 'Reduce (1/1)');
    expect(() => b.snapshot()).toThrow(/Reduce \(1\/1\): cannot snapshot keyed state in BATCH execution/);
    expect(() => b.restore([{ startKeyGroup: 0, endKeyGroup: 127, offsets: [], data: new Uint8Array() }] as never)).toThrow(/cannot restore/);
    expect(() => b.restore([])).not.toThrow();
  });

  it('is what a BATCH keyed head gets (execution.batch-state-backend.enabled, default true); otherwise the configured backend', () => {
    const ctx = { keyGroupRange: FULL, maxParallelism: 128, localDirs: [], jobId: 'j', operatorId: '1', subtaskIndex: 0, owner: 'op (1/1)' };
    const inner = (conf: Configuration, batch: boolean): unknown => (createKeyedStateBackend(conf, { ...ctx, batchSortedInput: batch }) as unknown as { inner: unknown }).inner;
    expect(inner(new Configuration(), true)).toBeInstanceOf(BatchExecutionKeyedStateBackend);
    expect(inner(new Configuration(), false)).not.toBeInstanceOf(BatchExecutionKeyedStateBackend);
    expect(inner(Configuration.fromMap({ 'execution.batch-state-backend.enabled': 'false' }), true)).not.toBeInstanceOf(BatchExecutionKeyedStateBackend);
  });

  it('a BATCH KeyedProcessFunction with value state over many keys: exact per-key results', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    env.setRuntimeMode('BATCH');
    class CountAndSum extends KeyedProcessFunction<number, [number, number], [number, number, number]> {
      private s!: import('tsflink').ValueState<[number, number]>;
      override open(): void { this.s = this.getRuntimeContext().getState(new PublicValueStateDescriptor<[number, number]>('s')); }
      processElement(v: [number, number], ctx: KeyedProcessFunction.Context, out: Collector<[number, number, number]>): void {
        const [n, sum] = this.s.value() ?? [0, 0];
        this.s.update([n + 1, sum + v[1]]);
        ctx.timerService().registerEventTimeTimer(Number.MAX_SAFE_INTEGER);
        void out;
      }
      override onTimer(_ts: number, ctx: KeyedProcessFunction.OnTimerContext, out: Collector<[number, number, number]>): void {
        const [n, sum] = this.s.value()!;
        out.collect([ctx.getCurrentKey() as number, n, sum]);
      }
    }
    const n = 20_000;
    const out = await env.fromSequence(0, n - 1).map((x): [number, number] => [x % 997, x]).keyBy((t) => t[0]).process(new CountAndSum()).executeAndCollect();
    const expected = new Map<number, [number, number]>();
    for (let x = 0; x < n; x++) { const e = expected.get(x % 997) ?? [0, 0]; expected.set(x % 997, [e[0] + 1, e[1] + x]); }
    expect(out).toHaveLength(997);
    expect(new Map(out.map((r) => [r[0], [r[1], r[2]]]))).toEqual(expected);
  });
});
