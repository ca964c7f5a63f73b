import { describe, it, expect } from 'vitest';
import {
  StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, SlidingEventTimeWindows, EventTimeSessionWindows,
  OutputTag, ProcessWindowFunction, ProcessAllWindowFunction, CountTrigger, type TimeWindow, type Collector, type ProcessWindowContext,
} from 'tsflink';

type E = { k: string; v: number; ts: number };
// Out of order within 1 s, two keys, one very late element (ts 100 after ts 9000).
const events: E[] = [
  { k: 'a', v: 1, ts: 1000 }, { k: 'b', v: 2, ts: 1500 }, { k: 'a', v: 3, ts: 500 }, { k: 'a', v: 4, ts: 2500 },
  { k: 'b', v: 5, ts: 4100 }, { k: 'a', v: 6, ts: 3900 }, { k: 'a', v: 7, ts: 9000 }, { k: 'a', v: 100, ts: 100 }, { k: 'b', v: 8, ts: 9500 },
];
// Punctuated: a watermark (max ts - 1000 - 1) after every record, so lateness does not depend on the periodic timer.
const strategy = WatermarkStrategy.forGenerator<E>(() => {
  let max = Number.MIN_SAFE_INTEGER + 1001;
  return { onEvent: (_e, ts, out) => { max = Math.max(max, ts); out.emitWatermark(max - 1001); }, onPeriodicEmit: () => {} };
}).withTimestampAssigner((e) => e.ts);

class Describe extends ProcessWindowFunction<number, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<number>, out: Collector<string>): void {
    for (const s of elements) out.collect(`${key} [${ctx.window().start},${ctx.window().end}) ${s}`);
  }
}

async function run(mode: 'STREAMING' | 'BATCH'): Promise<string[]> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(2).setRuntimeMode(mode);
  const src = env.fromElements(...events).assignTimestampsAndWatermarks(strategy).setParallelism(1); // one generator sees all records
  const tumbling = src.keyBy((e) => e.k).window(TumblingEventTimeWindows.of(2000))
    .aggregate({ createAccumulator: () => 0, add: (e: E, acc: number) => acc + e.v, getResult: (acc: number) => acc, merge: (x: number, y: number) => x + y }, new Describe());
  const sessions = src.keyBy((e) => e.k).window(EventTimeSessionWindows.withGap(1500))
    .reduce((x, y) => ({ ...x, v: x.v + y.v })).map((e) => `session ${e.k} ${e.v}`);
  // The copy stays at parallelism 1 (chained): through two parallel map subtasks the window would see the
  // late ts-100 record before or after the other channel's watermark 7999, depending on timing (the old flake).
  const sliding = src.map((e) => ({ ...e })).setParallelism(1).keyBy((e) => e.k).window(SlidingEventTimeWindows.of(4000, 2000)).sum('v').map((e) => `sliding ${e.k} ${e.v}`);
  return (await tumbling.union(sessions, sliding).executeAndCollect()).sort();
}

describe('WindowedStream end to end', () => {
  it('tumbling (aggregate + ProcessWindowFunction), session (reduce) and sliding (sum) windows; BATCH gives the same results as STREAMING', async () => {
    const streaming = await run('STREAMING');
    expect(streaming).toEqual([
      'a [0,2000) 4', 'a [2000,4000) 10', 'a [8000,10000) 7', 'b [0,2000) 2', 'b [4000,6000) 5', 'b [8000,10000) 8',
      'session a 14', 'session a 7', 'session b 2', 'session b 5', 'session b 8',
      'sliding a 10', 'sliding a 14', 'sliding a 4', 'sliding a 7', 'sliding a 7', 'sliding b 2', 'sliding b 2', 'sliding b 5', 'sliding b 5', 'sliding b 8', 'sliding b 8',
    ].sort());
    // BATCH has no late data: the element at ts 100 joins its windows, as Flink's BATCH mode does (watermarks only at the end).
    const batch = await run('BATCH');
    expect(batch).toContain('a [0,2000) 104');
    const lateFree = (xs: string[]): string[] => xs.filter((x) => !x.startsWith('a [0,2000)') && !x.startsWith('session a') && !x.startsWith('sliding a'));
    expect(lateFree(batch)).toEqual(lateFree(streaming));
  });

  it('bounded input without late data: BATCH equals STREAMING exactly', async () => {
    const inOrder = events.filter((e) => e.v !== 100);
    const job = async (mode: 'STREAMING' | 'BATCH'): Promise<string[]> => {
      const env = StreamExecutionEnvironment.createLocalEnvironment(2).setRuntimeMode(mode);
      return (await env.fromElements(...inOrder).assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k)
        .window(EventTimeSessionWindows.withGap(1500)).reduce((x, y) => ({ ...x, v: x.v + y.v }), new (class extends ProcessWindowFunction<E, string, string, TimeWindow> {
          process(key: string, ctx: ProcessWindowContext<TimeWindow>, els: Iterable<E>, out: Collector<string>): void { for (const e of els) out.collect(`${key} ${ctx.window().start}-${ctx.window().end} ${e.v}`); }
        })()).executeAndCollect()).sort();
    };
    const s = await job('STREAMING');
    expect(s).toEqual(['a 500-5400 14', 'a 9000-10500 7', 'b 1500-3000 2', 'b 4100-5600 5', 'b 9500-11000 8']);
    expect(await job('BATCH')).toEqual(s);
  });

  it('late data goes to the side output (sideOutputLateData + getSideOutput)', async () => {
    const late = new OutputTag<E>('late');
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const windowed = env.fromElements(...events).assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k)
      .window(TumblingEventTimeWindows.of(2000)).sideOutputLateData(late).sum('v');
    const lateOut = windowed.getSideOutput(late).map((e) => `late ${e.k} ${e.v} @${e.ts}`);
    const out = await windowed.map((e) => `${e.k} ${e.v}`).union(lateOut).executeAndCollect();
    expect(out).toContain('late a 100 @100');
    expect(out.filter((x) => x.startsWith('late'))).toHaveLength(1);
  });

  it('countWindow, countWindow with slide, windowAll and countWindowAll', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const nums = env.fromElements(1, 2, 3, 4, 5, 6, 7, 8);
    const counts = nums.keyBy((n) => n % 2).countWindow(2).reduce((a, b) => a + b).map((s) => `count ${s}`);
    const sliding = nums.keyBy(() => 'all').countWindow(3, 2).process(new (class extends ProcessWindowFunction<number, string, string, import('tsflink').GlobalWindow> {
      process(_k: string, _c: unknown, els: Iterable<number>, out: Collector<string>): void { out.collect(`slide ${[...els].length}`); }
    })());
    const all = nums.countWindowAll(4).reduce((a, b) => a + b).map((s) => `all ${s}`);
    const stamped = nums.assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n * 1000)).setParallelism(1);
    const timed = stamped
      .windowAll(TumblingEventTimeWindows.of(4000)).process(new (class extends ProcessAllWindowFunction<number, string, TimeWindow> {
        process(ctx: ProcessWindowContext<TimeWindow>, els: Iterable<number>, out: Collector<string>): void { out.collect(`windowAll ${ctx.window().start} ${[...els].sort().join('')}`); }
      })());
    const triggered = stamped.windowAll(TumblingEventTimeWindows.of(100000)).trigger(CountTrigger.of(3)).reduce((a, b) => Math.max(a, b)).map((m) => `trig ${m}`);
    const out = await counts.union(sliding, all, timed, triggered).executeAndCollect();
    expect(out.filter((x) => x.startsWith('count')).sort()).toEqual(['count 12', 'count 14', 'count 4', 'count 6']);
    expect(out.filter((x) => x.startsWith('slide')).sort()).toEqual(['slide 2', 'slide 3', 'slide 3', 'slide 3']);
    expect(out.filter((x) => x.startsWith('all')).sort()).toEqual(['all 10', 'all 26']);
    expect(out.filter((x) => x.startsWith('windowAll')).sort()).toEqual(['windowAll 0 123', 'windowAll 4000 4567', 'windowAll 8000 8']);
    expect(out.filter((x) => x.startsWith('trig')).sort()).toEqual(['trig 3', 'trig 6']);
  });
});
