import { describe, it, expect } from 'vitest';
import { CoBroadcastWithKeyedOperator } from './CoBroadcastWithKeyedOperator.js';
import { TwoInputStreamOperatorTestHarness } from '../../testing/TwoInputStreamOperatorTestHarness.js';
import type { OperatorSnapshot } from '../../testing/OneInputStreamOperatorTestHarness.js';
import { repartitionOperatorState } from '../../state/OperatorStateRepartitioner.js';
import { KeyedBroadcastProcessFunction, type KeyedBroadcastContext, type KeyedReadOnlyContext, type KeyedBroadcastOnTimerContext } from '../../api/functions/BroadcastProcessFunction.js';
import type { Collector } from '../../api/functions/Collector.js';
import { OutputTag } from '../../api/functions/Collector.js';
import { MapStateDescriptor, ListStateDescriptor, ValueStateDescriptor } from '../../api/state/StateDescriptor.js';
import type { ListState } from '../../api/state/State.js';

// Ported from Flink's CoBroadcastWithKeyedOperatorTest.
const STATE_DESCRIPTOR = new MapStateDescriptor<string, number>('broadcast-state');
type Fn = KeyedBroadcastProcessFunction<string, string, number, string>;

async function harness(fn: Fn, restore?: OperatorSnapshot): Promise<TwoInputStreamOperatorTestHarness<string, number>> {
  const op = new CoBroadcastWithKeyedOperator<string, string, number, string>(fn, [STATE_DESCRIPTOR as MapStateDescriptor<unknown, unknown>]);
  const h = new TwoInputStreamOperatorTestHarness<string, number>(op, (v) => v, undefined, { maxParallelism: 10 }, restore);
  await h.open();
  return h;
}
const mapToString = (entries: Iterable<[string, number]>): string => [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])).map(([k, v]) => ` ${k}=${v}`).join('');

describe('CoBroadcastWithKeyedOperatorTest', () => {
  it('testKeyQuerying', async () => {
    const op = new CoBroadcastWithKeyedOperator<number, [number, string], string, string>({
      processElement(v, ctx, out) { expect(ctx.getCurrentKey()).toBe(v[0]); out.collect(v[1]); },
      processBroadcastElement() {},
    }, []);
    const h = new TwoInputStreamOperatorTestHarness<[number, string], string>(op, (v) => v[0]);
    await h.open();
    h.processElement1([5, '5'], 12);
    h.processElement1([42, '42'], 13);
    expect(h.getOutput()).toEqual([{ kind: 'record', value: '5', timestamp: 12 }, { kind: 'record', value: '42', timestamp: 13 }]);
    await h.close();
  });

  it('testAccessToKeyedStateIt', async () => {
    const listDesc = new ListStateDescriptor<string>('listStateTest');
    const seen = new Map<string, string[]>();
    const h = await harness(new (class extends KeyedBroadcastProcessFunction<string, string, number, string> {
      processElement(v: string): void { this.getRuntimeContext().getListState(listDesc).add(v); }
      processBroadcastElement(_v: number, ctx: KeyedBroadcastContext<string>): void {
        ctx.applyToKeyedState(listDesc, (key: string, state: ListState<string>) => { seen.set(key, [...state.get()]); });
      }
    })());
    for (const [k, n] of [['test1', 2], ['test2', 3], ['test3', 3], ['test2', 1]] as const) for (let i = 0; i < n; i++) h.processElement1(k, 12);
    h.processElement2(1, 13);
    expect(Object.fromEntries(seen)).toEqual({ test1: ['test1', 'test1'], test2: ['test2', 'test2', 'test2', 'test2'], test3: ['test3', 'test3', 'test3'] });
    await h.close();
  });

  it('applyToKeyedState can update and clear every key\'s state', async () => {
    const listDesc = new ListStateDescriptor<string>('l');
    const h = await harness(new (class extends KeyedBroadcastProcessFunction<string, string, number, string> {
      processElement(v: string, _c: KeyedReadOnlyContext<string>, out: Collector<string>): void {
        const s = this.getRuntimeContext().getListState(listDesc);
        s.add(v); out.collect(`${v}:${[...s.get()].length}`);
      }
      processBroadcastElement(v: number, ctx: KeyedBroadcastContext<string>): void {
        ctx.applyToKeyedState(listDesc, (key: string, state: ListState<string>) => { if (v === 0) state.clear(); else state.add(`${key}!`); });
      }
    })());
    h.processElement1('a'); h.processElement1('b'); h.processElement2(1); h.processElement1('a'); h.processElement2(0); h.processElement1('b');
    expect(h.extractOutputValues()).toEqual(['a:1', 'b:1', 'a:3', 'b:1']);
    await h.close();
  });

  it('testFunctionWithTimer', async () => {
    const h = await harness(new (class extends KeyedBroadcastProcessFunction<string, string, number, string> {
      processBroadcastElement(v: number, ctx: KeyedBroadcastContext<string>, out: Collector<string>): void { out.collect(`BR:${v} WM:${ctx.currentWatermark()} TS:${ctx.timestamp()}`); }
      processElement(v: string, ctx: KeyedReadOnlyContext<string>, out: Collector<string>): void {
        ctx.timerService().registerEventTimeTimer(41);
        out.collect(`NON-BR:${v} WM:${ctx.currentWatermark()} TS:${ctx.timestamp()}`);
      }
      override onTimer(ts: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
        expect(ctx.getCurrentKey()).toBe('6');
        expect(ctx.timeDomain()).toBe('EVENT_TIME');
        out.collect(`TIMER:${ts}`);
      }
    })());
    h.processWatermark1(10); h.processWatermark2(10);
    h.processElement2(5, 12);
    h.processWatermark1(40); h.processWatermark2(40);
    h.processElement1('6', 13); h.processElement1('6', 15);
    h.processWatermark1(50); h.processWatermark2(50);
    expect(h.getOutput()).toEqual([
      { kind: 'watermark', timestamp: 10 },
      { kind: 'record', value: 'BR:5 WM:10 TS:12', timestamp: 12 },
      { kind: 'watermark', timestamp: 40 },
      { kind: 'record', value: 'NON-BR:6 WM:40 TS:13', timestamp: 13 },
      { kind: 'record', value: 'NON-BR:6 WM:40 TS:15', timestamp: 15 },
      { kind: 'record', value: 'TIMER:41', timestamp: 41 },
      { kind: 'watermark', timestamp: 50 },
    ]);
    await h.close();
  });

  it('testSideOutput', async () => {
    const br = new OutputTag<string>('br-out'), nonBr = new OutputTag<string>('non-br-out');
    const h = await harness(new (class extends KeyedBroadcastProcessFunction<string, string, number, string> {
      processBroadcastElement(v: number, ctx: KeyedBroadcastContext<string>): void { ctx.output(br, `BR:${v} WM:${ctx.currentWatermark()} TS:${ctx.timestamp()}`); }
      processElement(v: string, ctx: KeyedReadOnlyContext<string>): void { ctx.output(nonBr, `NON-BR:${v} WM:${ctx.currentWatermark()} TS:${ctx.timestamp()}`); }
    })());
    h.processWatermark1(10); h.processWatermark2(10);
    h.processElement2(5, 12);
    h.processWatermark1(40); h.processWatermark2(40);
    h.processElement1('6', 13); h.processElement1('6', 15);
    expect(h.sideOutputs.get('br-out')).toEqual([{ value: 'BR:5 WM:10 TS:12', timestamp: 12 }]);
    expect(h.sideOutputs.get('non-br-out')).toEqual([{ value: 'NON-BR:6 WM:40 TS:13', timestamp: 13 }, { value: 'NON-BR:6 WM:40 TS:15', timestamp: 15 }]);
    await h.close();
  });

  it('testFunctionWithBroadcastState', async () => {
    const expected = new Map<string, number>([['5.key', 5], ['34.key', 34], ['53.key', 53], ['12.key', 12], ['98.key', 98]]);
    const h = await harness(new (class extends KeyedBroadcastProcessFunction<string, string, number, string> {
      processBroadcastElement(v: number, ctx: KeyedBroadcastContext<string>): void { ctx.getBroadcastState(STATE_DESCRIPTOR).put(`${v}.key`, v); }
      processElement(_v: string, ctx: KeyedReadOnlyContext<string>): void {
        expect(new Map(ctx.getBroadcastState(STATE_DESCRIPTOR).immutableEntries())).toEqual(expected);
        ctx.timerService().registerEventTimeTimer(41);
      }
      override onTimer(ts: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
        expect(ctx.getCurrentKey()).toBe('trigger');
        out.collect(`TS:${ts}${mapToString(ctx.getBroadcastState(STATE_DESCRIPTOR).immutableEntries())}`);
      }
    })());
    h.processWatermark1(10); h.processWatermark2(10);
    for (const [v, ts] of [[5, 10], [34, 12], [53, 15], [12, 16], [98, 19]]) h.processElement2(v, ts);
    h.processElement1('trigger', 13);
    h.processElement2(51, 21);
    h.processWatermark1(50); h.processWatermark2(50);
    expected.set('51.key', 51);
    expect(h.getOutput()).toEqual([
      { kind: 'watermark', timestamp: 10 },
      { kind: 'record', value: `TS:41${mapToString(expected)}`, timestamp: 41 },
      { kind: 'watermark', timestamp: 50 },
    ]);
    await h.close();
  });

  /** Flink's TestFunctionWithOutput: the broadcast side registers three keys, the keyed side emits the whole state. */
  const withOutput = (): Fn => new (class extends KeyedBroadcastProcessFunction<string, string, number, string> {
    processBroadcastElement(v: number, ctx: KeyedBroadcastContext<string>): void { for (const k of ['test1', 'test2', 'test3']) ctx.getBroadcastState(STATE_DESCRIPTOR).put(k, v); }
    processElement(_v: string, ctx: KeyedReadOnlyContext<string>, out: Collector<string>): void {
      for (const [k, v] of ctx.getBroadcastState(STATE_DESCRIPTOR).immutableEntries()) out.collect(`${k}=${v}`);
    }
  })();

  /** Snapshots `from` subtasks that all saw the broadcast element 3, restores `to` subtasks from them (broadcast redistribution). */
  async function rescale(from: number, to: number): Promise<void> {
    const snaps: OperatorSnapshot[] = [];
    for (let i = 0; i < from; i++) {
      const h = await harness(withOutput());
      h.processElement2(3);
      snaps.push(await h.snapshot(0));
      await h.close();
    }
    const parts = repartitionOperatorState(snaps.map((s) => [s.operator]), to);
    expect(parts).toHaveLength(to);
    for (let i = 0; i < to; i++) {
      expect(parts[i]).toHaveLength(1);
      const h = await harness(withOutput(), { keyed: undefined, operator: parts[i][0] });
      h.processElement1(String(i));
      expect(h.extractOutputValues<string>().sort()).toEqual(['test1=3', 'test2=3', 'test3=3']);
      await h.close();
    }
  }
  it('testScaleUp', () => rescale(2, 3));
  it('testScaleDown', () => rescale(3, 2));

  it('testNoKeyedStateOnBroadcastSide (applyToKeyedState and the keyed side still reach it)', async () => {
    const valueState = new ValueStateDescriptor<string>('any');
    const errors: string[] = [];
    const h = await harness(new (class extends KeyedBroadcastProcessFunction<string, string, number, string> {
      processBroadcastElement(_v: number, ctx: KeyedBroadcastContext<string>, out: Collector<string>): void {
        try { this.getRuntimeContext().getState(valueState).value(); } catch (e) { errors.push((e as Error).message); }
        ctx.applyToKeyedState(valueState, (key: string) => out.collect(`${key}=${this.getRuntimeContext().getState(valueState).value()}`));
      }
      processElement(v: string, _ctx: KeyedReadOnlyContext<string>): void { this.getRuntimeContext().getState(valueState).update(`seen ${v}`); }
    })());
    h.processWatermark1(10); h.processWatermark2(10);
    h.processElement1('k', 11);
    h.processElement2(5, 12);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^No key set\. This method should not be called outside of a keyed context/);
    expect(h.extractOutputValues()).toEqual(['k=seen k']);
    await h.close();
  });

  it('broadcast state is read-only on the keyed side; an unregistered descriptor is a clear error', async () => {
    const h = await harness(new (class extends KeyedBroadcastProcessFunction<string, string, number, string> {
      processBroadcastElement(): void {}
      processElement(v: string, ctx: KeyedReadOnlyContext<string>): void {
        if (v === 'write') (ctx.getBroadcastState(STATE_DESCRIPTOR) as unknown as { put(k: string, v: number): void }).put('x', 1);
        else ctx.getBroadcastState(new MapStateDescriptor<string, number>('typo'));
      }
    })());
    expect(() => h.processElement1('write')).toThrow(/read-only in processElement/);
    expect(() => h.processElement1('other')).toThrow(/broadcast state 'typo' does not exist.*datastream\.broadcast/);
    await h.close();
  });
});
