import { describe, it, expect } from 'vitest';
import {
  StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, EventTimeSessionWindows, CountTrigger, CountEvictor,
  RichCoGroupFunction, RichFlatJoinFunction, type Collector, type OpenContext, type DataStream, type TaggedUnion,
} from 'tsflink';
import { KeyedOneInputStreamOperatorTestHarness } from '../../testing/OneInputStreamOperatorTestHarness.js';
import type { OneInputStreamOperator } from '../../operators/StreamOperator.js';

type T2 = [string, number];
type T3 = [string, string, number];
const fmt = (t: readonly unknown[]): string => `(${t.join(',')})`;

/** Flink's punctuated extractor of the ITCase: timestamp = last field, watermark = timestamp - 1 after every element. */
function punctuated<T extends readonly unknown[]>(): WatermarkStrategy<T> {
  return WatermarkStrategy.forGenerator<T>(() => ({
    onEvent: (_e, ts, out) => out.emitWatermark(ts - 1),
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e) => e[e.length - 1] as number);
}

function source<T extends readonly unknown[]>(env: StreamExecutionEnvironment, ...xs: T[]): DataStream<T> {
  return env.fromElements(...xs).assignTimestampsAndWatermarks(punctuated<T>());
}

const source3a: T3[] = [['a', 'x', 0], ['a', 'y', 1], ['a', 'z', 2], ['b', 'u', 3], ['b', 'w', 5], ['a', 'i', 6], ['a', 'j', 7], ['a', 'k', 8]];
const source3b: T3[] = [['a', 'u', 0], ['a', 'w', 1], ['b', 'i', 3], ['b', 'k', 5], ['a', 'x', 6], ['a', 'z', 8]];

// Ported from Flink's CoGroupJoinITCase (tumbling 3 ms windows, punctuated watermarks, bounded sources).
describe('CoGroupJoinITCase', () => {
  for (const mode of ['STREAMING', 'BATCH'] as const) {
    it(`testCoGroup (${mode})`, async () => {
      const env = StreamExecutionEnvironment.createLocalEnvironment(1).setRuntimeMode(mode);
      const s1 = source<T2>(env, ['a', 0], ['a', 1], ['a', 2], ['b', 3], ['b', 4], ['b', 5], ['a', 6], ['a', 7], ['a', 8]);
      const s2 = source<T2>(env, ['a', 0], ['a', 1], ['b', 3], ['c', 6], ['c', 7], ['c', 8]);
      const out = await s1.coGroup(s2).where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(3))
        .apply((first: Iterable<T2>, second: Iterable<T2>, o: Collector<string>) => {
          o.collect(`F:${[...first].map(fmt).join('')} S:${[...second].map(fmt).join('')}`);
        })
        .executeAndCollect();
      expect(out.sort()).toEqual([
        'F:(a,0)(a,1)(a,2) S:(a,0)(a,1)',
        'F:(b,3)(b,4)(b,5) S:(b,3)',
        'F:(a,6)(a,7)(a,8) S:',
        'F: S:(c,6)(c,7)(c,8)',
      ].sort());
    });

    it(`testJoin (${mode})`, async () => {
      const env = StreamExecutionEnvironment.createLocalEnvironment(1).setRuntimeMode(mode);
      const out = await source<T3>(env, ...source3a).join(source<T3>(env, ...source3b))
        .where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(3))
        .apply((a, b) => `${fmt(a)}:${fmt(b)}`)
        .executeAndCollect();
      expect(out.sort()).toEqual([
        '(a,x,0):(a,u,0)', '(a,x,0):(a,w,1)', '(a,y,1):(a,u,0)', '(a,y,1):(a,w,1)', '(a,z,2):(a,u,0)', '(a,z,2):(a,w,1)',
        '(b,u,3):(b,i,3)', '(b,u,3):(b,k,5)', '(b,w,5):(b,i,3)', '(b,w,5):(b,k,5)',
        '(a,i,6):(a,x,6)', '(a,i,6):(a,z,8)', '(a,j,7):(a,x,6)', '(a,j,7):(a,z,8)', '(a,k,8):(a,x,6)', '(a,k,8):(a,z,8)',
      ].sort());
    });

    it(`testSelfJoin (${mode})`, async () => {
      const env = StreamExecutionEnvironment.createLocalEnvironment(1).setRuntimeMode(mode);
      const s = source<T3>(env, ...source3a);
      const out = await s.join(s).where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(3))
        .apply((a, b) => `${fmt(a)}:${fmt(b)}`)
        .executeAndCollect();
      const expected: string[] = [];
      for (const w of [[0, 1, 2], [3, 5], [6, 7, 8]]) {
        const inW = source3a.filter((t) => w.includes(t[2]));
        for (const a of inW) for (const b of inW) expected.push(`${fmt(a)}:${fmt(b)}`);
      }
      expect(expected).toHaveLength(22);
      expect(out.sort()).toEqual(expected.sort());
    });
  }
});

describe('window join and coGroup', () => {
  it('results carry the window maxTimestamp, at parallelism 3 with keys spread over subtasks', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(3);
    const a = source<T2>(env, ...Array.from({ length: 60 }, (_, i): T2 => [`k${i % 7}`, i]));
    const b = source<T2>(env, ...Array.from({ length: 30 }, (_, i): T2 => [`k${i % 5}`, i * 2]));
    const out = await a.join(b).where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(10))
      .apply((x, y) => [x[0], x[1], y[1]] as [string, number, number])
      .process({ processElement(v: [string, number, number], ctx, o: Collector<string>) { o.collect(`${v.join(' ')} @${ctx.timestamp()}`); } })
      .executeAndCollect();
    const expected: string[] = [];
    for (let i = 0; i < 60; i++) {
      for (let j = 0; j < 30; j++) {
        if (`k${i % 7}` === `k${j % 5}` && Math.floor(i / 10) === Math.floor((j * 2) / 10)) expected.push(`k${i % 7} ${i} ${j * 2} @${Math.floor(i / 10) * 10 + 9}`);
      }
    }
    expect(expected.length).toBeGreaterThan(10);
    expect(out.sort()).toEqual(expected.sort());
  });

  it('a FlatJoinFunction (rich, opened per subtask) emits any number of results per pair', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    class Repeat extends RichFlatJoinFunction<T2, T2, string> {
      private prefix = '';
      override open(_ctx: OpenContext): void { this.prefix = `p${this.getRuntimeContext().getTaskInfo().numberOfParallelSubtasks}`; }
      join(x: T2, y: T2, out: Collector<string>): void { for (let i = 0; i < y[1] % 3; i++) out.collect(`${this.prefix} ${x[1]}-${y[1]}`); }
    }
    const out = await source<T2>(env, ['a', 1], ['b', 2]).join(source<T2>(env, ['a', 2], ['a', 4], ['b', 5]))
      .where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(10)).apply(new Repeat())
      .executeAndCollect();
    expect(out.sort()).toEqual(['p2 1-2', 'p2 1-2', 'p2 1-4', 'p2 2-5', 'p2 2-5']);
  });

  it('session windows merge elements of both sides into one session', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    // Side 1 alone has two sessions (gap 5: 0 and 8); the element of side 2 at 4 bridges them.
    const out = await source<T2>(env, ['a', 0], ['a', 8], ['a', 30]).coGroup(source<T2>(env, ['a', 4]))
      .where((t) => t[0]).equalTo((t) => t[0]).window(EventTimeSessionWindows.withGap(5))
      .apply(new (class extends RichCoGroupFunction<T2, T2, string> {
        coGroup(f: Iterable<T2>, s: Iterable<T2>, o: Collector<string>): void { o.collect(`${[...f].map((t) => t[1]).join(',')}|${[...s].map((t) => t[1]).join(',')}`); }
      })())
      .executeAndCollect();
    expect(out.sort()).toEqual(['0,8|4', '30|']);
  });

  it('trigger, evictor and allowedLateness reach the window operator', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const joined = source<T2>(env, ['a', 1], ['a', 2], ['a', 3]).coGroup(source<T2>(env, ['a', 1]))
      .where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(100))
      .trigger(CountTrigger.of(2)).evictor(CountEvictor.of(2)).allowedLateness(50);
    expect(joined.getAllowedLateness()).toBe(50);
    const out = await joined.apply((f: Iterable<T2>, s: Iterable<T2>, o: Collector<string>) => o.collect(`${[...f].length}/${[...s].length}`)).executeAndCollect();
    // Fires at the 2nd and 4th element of the window (3 + 1 elements), each time with the last 2 kept.
    expect(out.length).toBe(2);
    expect(out.every((r) => ['2/0', '1/1'].includes(r))).toBe(true);
  });

  // Flink's JoinedStreamsTest / CoGroupedStreamsTest: the settings reach the one window operator of the join.
  it('testDelegateToCoGrouped / testSetAllowedLateness: trigger and lateness reach the WindowOperator', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const a = env.fromElements<T2>(['a', 1]);
    const trigger = CountTrigger.of(3);
    const joined = a.join(a).where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(5))
      .trigger(trigger).allowedLateness(100).apply((x, y) => x[1] + y[1]);
    const op = (joined.transformation as unknown as { operatorFactory: () => unknown }).operatorFactory() as { allowedLateness: number; trigger: unknown; constructor: { name: string } };
    expect(op.constructor.name).toBe('WindowOperator');
    expect(op.allowedLateness).toBe(100);
    expect(op.trigger).toBeInstanceOf(CountTrigger);
    const evicting = a.coGroup(a).where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(5)).evictor(CountEvictor.of(2))
      .apply((_x: Iterable<T2>, _y: Iterable<T2>, _o: Collector<number>) => {});
    expect(((evicting.transformation as unknown as { operatorFactory: () => object }).operatorFactory()).constructor.name).toBe('EvictingWindowOperator');
  });

  it('testCoGroupOperatorWithCheckpoint: the coGroup window operator snapshots and restores its contents', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const cg = env.fromElements<T2>(['a', 0], ['b', 3]).coGroup(env.fromElements<T2>(['a', 1], ['b', 6]))
      .where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(3))
      .apply((f: Iterable<T2>, s: Iterable<T2>, o: Collector<string>) => o.collect(`${[...f].map(fmt).join('')}:${[...s].map(fmt).join('')}`));
    const make = (cg.transformation as unknown as { operatorFactory: () => OneInputStreamOperator<TaggedUnion<T2, T2>> }).operatorFactory;
    const key = (u: TaggedUnion<T2, T2>): string => u[1][0];
    const first = new KeyedOneInputStreamOperatorTestHarness<TaggedUnion<T2, T2>, string>(make(), key);
    await first.open();
    first.processElement([1, ['a', 0]], 0); first.processElement([2, ['a', 1]], 1); first.processElement([1, ['b', 3]], 3);
    const snap = await first.snapshot(0);
    await first.close();
    const second = new KeyedOneInputStreamOperatorTestHarness<TaggedUnion<T2, T2>, string>(make(), key, {}, snap);
    await second.open();
    second.processElement([2, ['b', 5]], 5);
    second.processWatermark(10);
    expect(second.extractOutputValues()).toEqual(['(a,0):(a,1)', '(b,3):(b,5)']);
    await second.close();
  });

  it('bad input gets clear errors', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const a = env.fromElements<T2>(['a', 1]);
    expect(() => a.join(a).where((t) => t[0]).equalTo((t) => t[0]).window({} as never)).toThrow(/expected a WindowAssigner/);
    expect(() => a.join(a).where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(5)).apply(42 as never)).toThrow(/expected a JoinFunction/);
    expect(() => a.coGroup(a).where((t) => t[0]).equalTo((t) => t[0]).window(EventTimeSessionWindows.withGap(5)).trigger(CountTrigger.of(2) as never))
      .not.toThrow();
    expect(() => a.coGroup(a).where((t) => t[0]).equalTo((t) => t[0]).window(TumblingEventTimeWindows.of(5)).allowedLateness(-1)).toThrow(/cannot be negative/);
    expect(() => a.join(42 as never)).toThrow(/expected a DataStream/);
  });
});
