import { describe, it, expect } from 'vitest';
import { CoBroadcastWithNonKeyedOperator } from './CoBroadcastWithNonKeyedOperator.js';
import { TwoInputStreamOperatorTestHarness } from '../../testing/TwoInputStreamOperatorTestHarness.js';
import type { OperatorSnapshot } from '../../testing/OneInputStreamOperatorTestHarness.js';
import { repartitionOperatorState } from '../../state/OperatorStateRepartitioner.js';
import { BroadcastProcessFunction, type BroadcastContext, type ReadOnlyBroadcastContext } from '../../api/functions/BroadcastProcessFunction.js';
import type { Collector } from '../../api/functions/Collector.js';
import { MapStateDescriptor } from '../../api/state/StateDescriptor.js';

// Ported from Flink's CoBroadcastWithNonKeyedOperatorTest.
const STATE_DESCRIPTOR = new MapStateDescriptor<string, number>('broadcast-state');
const STATE_DESCRIPTOR_A = new MapStateDescriptor<number, string>('broadcast-state-A');
type Desc = MapStateDescriptor<unknown, unknown>;

async function harness<IN1, IN2>(fn: BroadcastProcessFunction<IN1, IN2, string>, descs: Desc[], restore?: OperatorSnapshot, runtimeMode: 'STREAMING' | 'BATCH' = 'STREAMING'): Promise<TwoInputStreamOperatorTestHarness<IN1, IN2>> {
  const h = new TwoInputStreamOperatorTestHarness<IN1, IN2>(new CoBroadcastWithNonKeyedOperator<IN1, IN2, string>(fn, descs), undefined, undefined, { runtimeMode }, restore);
  await h.open();
  return h;
}

describe('CoBroadcastWithNonKeyedOperatorTest', () => {
  it('testMultiStateSupport', async () => {
    const h = await harness(new (class extends BroadcastProcessFunction<string, number, string> {
      processBroadcastElement(v: number, ctx: BroadcastContext): void {
        ctx.getBroadcastState(STATE_DESCRIPTOR).put(`${v}`, v);
        ctx.getBroadcastState(STATE_DESCRIPTOR_A).put(v, `${v}`);
      }
      processElement(v: string, ctx: ReadOnlyBroadcastContext, out: Collector<string>): void {
        for (const [k, n] of ctx.getBroadcastState(STATE_DESCRIPTOR).immutableEntries()) out.collect(`${v}:${k}->${n}`);
        for (const [n, k] of ctx.getBroadcastState(STATE_DESCRIPTOR_A).immutableEntries()) out.collect(`${v}:${n}->${k}`);
      }
    })(), [STATE_DESCRIPTOR as Desc, STATE_DESCRIPTOR_A as Desc]);
    h.processElement2(5, 12);
    h.processElement2(6, 13);
    h.processElement1('9', 15);
    expect(h.getOutput()).toEqual(['9:5->5', '9:6->6', '9:5->5', '9:6->6'].map((value) => ({ kind: 'record', value, timestamp: 15 })));
    await h.close();
  });

  it('testBroadcastState (with watermarks and timestamps in the context)', async () => {
    const h = await harness(new (class extends BroadcastProcessFunction<string, number, string> {
      processBroadcastElement(v: number, ctx: BroadcastContext, out: Collector<string>): void {
        ctx.getBroadcastState(STATE_DESCRIPTOR).put(`${v}.key`, v);
        out.collect(`BR:${v} WM:${ctx.currentWatermark()} TS:${ctx.timestamp()}`);
      }
      processElement(v: string, ctx: ReadOnlyBroadcastContext, out: Collector<string>): void {
        const keys = [...ctx.getBroadcastState(STATE_DESCRIPTOR).immutableEntries()].map(([k]) => k).sort().join(',');
        out.collect(`NON-BR:${v} WM:${ctx.currentWatermark()} TS:${ctx.timestamp()} ${keys}`);
      }
    })(), [STATE_DESCRIPTOR as Desc]);
    h.processWatermark1(10); h.processWatermark2(10);
    h.processElement2(5, 12);
    h.processWatermark1(40); h.processWatermark2(40);
    h.processElement1('6', 13);
    h.processElement2(7, 14);
    h.processElement1('6', 15);
    expect(h.getOutput()).toEqual([
      { kind: 'watermark', timestamp: 10 },
      { kind: 'record', value: 'BR:5 WM:10 TS:12', timestamp: 12 },
      { kind: 'watermark', timestamp: 40 },
      { kind: 'record', value: 'NON-BR:6 WM:40 TS:13 5.key', timestamp: 13 },
      { kind: 'record', value: 'BR:7 WM:40 TS:14', timestamp: 14 },
      { kind: 'record', value: 'NON-BR:6 WM:40 TS:15 5.key,7.key', timestamp: 15 },
    ]);
    await h.close();
  });

  it('BATCH: data-side records and the watermark wait for the end of input, then see the whole broadcast state', async () => {
    const h = await harness(new (class extends BroadcastProcessFunction<string, number, string> {
      processBroadcastElement(v: number, ctx: BroadcastContext): void { ctx.getBroadcastState(STATE_DESCRIPTOR).put('last', v); }
      processElement(v: string, ctx: ReadOnlyBroadcastContext, out: Collector<string>): void { out.collect(`${v}:${ctx.getBroadcastState(STATE_DESCRIPTOR).get('last')}`); }
    })(), [STATE_DESCRIPTOR as Desc], undefined, 'BATCH');
    h.processElement1('a', 1);
    h.processWatermark1(5); h.processWatermark2(5);
    h.processElement2(3, 2);
    h.processElement1('b', 3);
    h.processElement2(4, 4);
    expect(h.getOutput()).toEqual([]);
    await h.endInput();
    expect(h.getOutput()).toEqual([
      { kind: 'record', value: 'a:4', timestamp: 1 }, { kind: 'record', value: 'b:4', timestamp: 3 }, { kind: 'watermark', timestamp: 5 },
    ]);
    await h.close();
  });

  it('testScaleUp / testScaleDown: every subtask restores a full copy', async () => {
    const fn = (): BroadcastProcessFunction<string, number, string> => new (class extends BroadcastProcessFunction<string, number, string> {
      processBroadcastElement(v: number, ctx: BroadcastContext): void { for (const k of ['test1', 'test2', 'test3']) ctx.getBroadcastState(STATE_DESCRIPTOR).put(k, v); }
      processElement(_v: string, ctx: ReadOnlyBroadcastContext, out: Collector<string>): void {
        for (const [k, v] of ctx.getBroadcastState(STATE_DESCRIPTOR).immutableEntries()) out.collect(`${k}=${v}`);
      }
    })();
    for (const [from, to] of [[2, 3], [3, 2], [1, 4]] as const) {
      const snaps: OperatorSnapshot[] = [];
      for (let i = 0; i < from; i++) {
        const h = await harness(fn(), [STATE_DESCRIPTOR as Desc]);
        h.processElement2(3);
        snaps.push(await h.snapshot(0));
        await h.close();
      }
      const parts = repartitionOperatorState(snaps.map((s) => [s.operator]), to);
      for (let i = 0; i < to; i++) {
        const h = await harness(fn(), [STATE_DESCRIPTOR as Desc], { keyed: undefined, operator: parts[i][0] });
        h.processElement1('x');
        expect(h.extractOutputValues<string>().sort()).toEqual(['test1=3', 'test2=3', 'test3=3']);
        await h.close();
      }
    }
  });
});
