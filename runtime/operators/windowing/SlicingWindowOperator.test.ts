import { describe, it, expect, afterEach } from 'vitest';
import { WindowOperator } from './WindowOperator.js';
import { SlicingWindowOperator } from './SlicingWindowOperator.js';
import { passThroughWindowFunction, singleValueProcessWindowFunction, type InternalWindowFunction } from './InternalWindowFunction.js';
import { KeyedOneInputStreamOperatorTestHarness, type OperatorSnapshot, type HarnessOutput } from '../../testing/OneInputStreamOperatorTestHarness.js';
import type { TimeWindow } from '../../api/windowing/windows/TimeWindow.js';
import { SlidingEventTimeWindows } from '../../api/windowing/assigners/SlidingEventTimeWindows.js';
import type { WindowAssigner } from '../../api/windowing/assigners/WindowAssigner.js';
import type { Trigger } from '../../api/windowing/triggers/Trigger.js';
import type { AggregateFunction } from '../../api/functions/Functions.js';
import { OutputTag } from '../../api/functions/Collector.js';
import { ValueStateDescriptor } from '../../api/state/StateDescriptor.js';
import type { OneInputStreamOperator } from '../StreamOperator.js';
import { StreamExecutionEnvironment, WatermarkStrategy, ProcessWindowFunction, type ProcessWindowContext, type Collector,
  SlidingProcessingTimeWindows, CountTrigger, CountEvictor, ProcessingTimeTrigger, EventTimeTrigger } from 'tsflink';

type T2 = [string, number];
const key = (t: T2): string => t[0];
/** Flink's SumReducer as an AggregateFunction with merge (what slicing needs). */
const sumAgg: AggregateFunction<T2, T2, T2> = {
  createAccumulator: () => ['', 0],
  add: (v, a) => [v[0], a[1] + v[1]],
  getResult: (a) => a,
  merge: (a, b) => [b[0] === '' ? a[0] : b[0], a[1] + b[1]],
};

interface Spec {
  size: number; slide: number; offset?: number;
  /** SlidingProcessingTimeWindows (ProcessingTimeTrigger) instead of SlidingEventTimeWindows. */
  processingTime?: boolean;
  lateness?: number;
  lateTag?: OutputTag<T2>;
  fn?: () => InternalWindowFunction<unknown, unknown, string, TimeWindow>;
}
type Kind = 'WindowOperator' | 'SlicingWindowOperator';
type Step = readonly ['e', string, number, number] | readonly ['w', number] | readonly ['p', number] | readonly ['snapshot'];

function makeOperator(kind: Kind, s: Spec): OneInputStreamOperator<T2> {
  const windowFunction = (s.fn ? s.fn() : passThroughWindowFunction<T2>()) as InternalWindowFunction<unknown, unknown, string, TimeWindow>;
  const common = { allowedLateness: s.lateness ?? 0, lateDataOutputTag: s.lateTag, windowFunction };
  if (kind === 'SlicingWindowOperator') {
    return new SlicingWindowOperator<T2, unknown, string>({ ...common, size: s.size, slide: s.slide, offset: s.offset ?? 0, processingTime: s.processingTime, aggregate: sumAgg as AggregateFunction<T2, unknown, unknown> });
  }
  const assigner = (s.processingTime ? SlidingProcessingTimeWindows.of(s.size, s.slide, s.offset ?? 0) : SlidingEventTimeWindows.of(s.size, s.slide, s.offset ?? 0)) as unknown as WindowAssigner<T2, TimeWindow>;
  return new WindowOperator<T2, unknown, unknown, string, TimeWindow>({
    ...common, windowAssigner: assigner, trigger: assigner.getDefaultTrigger() as Trigger<T2, TimeWindow>,
    contents: { kind: 'aggregating', aggregate: sumAgg as AggregateFunction<T2, unknown, unknown> },
  });
}

const harnesses: KeyedOneInputStreamOperatorTestHarness<T2, string>[] = [];
afterEach(async () => { for (const h of harnesses.splice(0)) await h.close(); });

async function harness(kind: Kind, s: Spec, restore?: OperatorSnapshot): Promise<KeyedOneInputStreamOperatorTestHarness<T2, string>> {
  const h = new KeyedOneInputStreamOperatorTestHarness<T2, string>(makeOperator(kind, s), key, {}, restore);
  harnesses.push(h);
  await h.open();
  return h;
}

interface Run { output: string[]; side: string[]; dropped: number; windowState: number; panes: number }

/** Runs the steps on one operator; 'snapshot' restores a fresh operator from a snapshot (a failover). */
async function run(kind: Kind, s: Spec, steps: readonly Step[]): Promise<Run> {
  let h = await harness(kind, s);
  let now = 0;
  const output: HarnessOutput[] = [];
  const side: string[] = [];
  let dropped = 0;
  const drain = (): void => {
    output.push(...h.getOutput()); h.clearOutput();
    for (const l of h.sideOutputs.values()) for (const x of l.splice(0)) side.push(`${JSON.stringify(x.value)}@${x.timestamp}`);
  };
  for (const st of steps) {
    if (st[0] === 'e') h.processElement([st[1], st[2]], st[3]);
    else if (st[0] === 'w') h.processWatermark(st[1]);
    else if (st[0] === 'p') { now = st[1]; h.setProcessingTime(now); }
    else {
      drain();
      dropped += h.metrics.counter('numLateRecordsDropped').getCount();
      const snap = await h.snapshot();
      await h.close();
      h = await harness(kind, s, snap);
      if (now !== 0) h.setProcessingTime(now); // the clock goes on; restored timers due by now fire
    }
  }
  drain();
  dropped += h.metrics.counter('numLateRecordsDropped').getCount();
  return {
    output: output.map((o) => o.kind === 'record' ? `${JSON.stringify(o.value)}@${o.timestamp}` : `${o.kind}@${(o as { timestamp?: number }).timestamp}`),
    side, dropped, windowState: h.numKeyedStateEntries('window-state/fires'), panes: kind === 'SlicingWindowOperator' ? h.numKeyedStateEntries('window-panes') : 0,
  };
}

/** The same steps on both operators: identical records, order, timestamps, side output and drop count. */
async function both(s: Spec, steps: readonly Step[]): Promise<Run> {
  const a = await run('WindowOperator', s, steps);
  const b = await run('SlicingWindowOperator', s, steps);
  expect(b.output).toEqual(a.output);
  expect(b.side).toEqual(a.side);
  expect(b.dropped).toBe(a.dropped);
  expect(b.windowState).toBe(a.windowState);
  return b;
}

const r = (k: string, n: number, ts: number): string => `${JSON.stringify([k, n])}@${ts}`;
const wm = (ts: number): string => `watermark@${ts}`;
/** Records between two watermarks sorted (Flink's assertOutputEqualsSorted). */
function sortedSegments(xs: readonly string[]): string[] {
  const res: string[] = [];
  let cur: string[] = [];
  for (const x of xs) { if (x.startsWith('watermark@')) { res.push(...cur.sort(), x); cur = []; } else cur.push(x); }
  return [...res, ...cur.sort()];
}

/** Flink's elements of testSlidingEventTimeWindows: out of order, two keys. */
const outOfOrder: Step[] = [
  ['e', 'key2', 1, 3999], ['e', 'key2', 1, 3000], ['e', 'key1', 1, 20], ['e', 'key1', 1, 0],
  ['e', 'key1', 1, 999], ['e', 'key2', 1, 1998], ['e', 'key2', 1, 1999], ['e', 'key2', 1, 1000],
];

describe('SlicingWindowOperator (sliding windows by panes) gives WindowOperator\'s output', () => {
  it('testSlidingEventTimeWindowsAggregate (size 3 s, slide 1 s, out-of-order, snapshot/restore mid-stream)', async () => {
    const res = await both({ size: 3000, slide: 1000 }, [...outOfOrder, ['w', 999], ['snapshot'], ['w', 1999], ['w', 2999], ['w', 3999], ['w', 4999], ['w', 5999]]);
    expect(sortedSegments(res.output)).toEqual(sortedSegments([
      r('key1', 3, 999), wm(999),
      r('key1', 3, 1999), r('key2', 3, 1999), wm(1999),
      r('key1', 3, 2999), r('key2', 3, 2999), wm(2999),
      r('key2', 5, 3999), wm(3999),
      r('key2', 2, 4999), wm(4999),
      r('key2', 2, 5999), wm(5999),
    ]));
    expect(res.panes).toBe(0); // every pane went with the last window that held it
  });

  it('testDropDueToLatenessSliding: an element is late only if all its windows are', async () => {
    const res = await both({ size: 3000, slide: 1000 }, [
      ['w', 2500], ['e', 'key2', 1, 2000], ['e', 'key2', 1, 900], ['w', 3500], ['e', 'key2', 1, 500], ['w', 6000],
    ]);
    expect(res.output).toEqual([wm(2500), r('key2', 2, 2999), wm(3500), r('key2', 1, 3999), r('key2', 1, 4999), wm(6000)]);
    expect(res.dropped).toBe(1);
  });

  it('testSideOutputDueToLatenessSliding', async () => {
    const res = await both({ size: 3000, slide: 1000, lateTag: new OutputTag<T2>('late-data') }, [
      ['w', 3500], ['e', 'key2', 1, 500], ['e', 'key2', 1, 2000], ['w', 6000],
    ]);
    expect(res.side).toEqual([`${JSON.stringify(['key2', 1])}@500`]);
    expect(res.dropped).toBe(0);
  });

  it('allowedLateness: a late element re-fires every window it is in that is past its end but not cleaned up', async () => {
    const res = await both({ size: 3000, slide: 1000, lateness: 1500 }, [
      ['e', 'key1', 1, 1500], ['w', 2999], ['snapshot'],
      ['e', 'key1', 1, 1200],
      ['w', 3499], // cleanup of the window ending 1999
      ['e', 'key1', 1, 1100],
      ['w', 4499], ['e', 'key1', 1, 1000], ['e', 'key1', 1, 500], // 500: too late for all its windows, dropped
      ['w', 9999],
    ]);
    // After the restore the watermark starts again from MIN (Flink's too): 1200 is not late then.
    expect(res.output).toEqual([
      r('key1', 1, 1999), r('key1', 1, 2999), wm(2999),
      r('key1', 2, 1999), r('key1', 2, 2999), wm(3499),
      r('key1', 3, 2999), // 1100: the window ending 2999 re-fires at once; 3999 waits
      r('key1', 3, 3999), wm(4499),
      r('key1', 4, 3999), // 1000: only [1000, 4000) is not cleaned up yet
      wm(9999),
    ]);
    expect(res.dropped).toBe(1);
    expect(res.panes).toBe(0);
  });

  it('aggregate + ProcessWindowFunction: per-window state is kept until cleanup and cleared with the window', async () => {
    const fires = new ValueStateDescriptor<number>('fires');
    const fn = (): InternalWindowFunction<unknown, unknown, string, TimeWindow> => singleValueProcessWindowFunction<T2, string, string, TimeWindow>({
      process(k, ctx, els, out) {
        const st = ctx.windowState().getState(fires);
        st.update((st.value() ?? 0) + 1);
        for (const e of els) out.collect(`${k}:${e[1]}:${ctx.window().start}:${st.value()}`);
      },
      clear(ctx) { ctx.windowState().getState(fires).clear(); },
    }) as InternalWindowFunction<unknown, unknown, string, TimeWindow>;
    const res = await both({ size: 4000, slide: 1500, offset: 500, lateness: 2000, fn }, [
      ['e', 'a', 1, 100], ['e', 'b', 2, 2600], ['w', 2000], ['e', 'a', 1, 1900], ['snapshot'], ['w', 3000], ['e', 'a', 5, 600], ['w', 20000],
    ]);
    const o = (x: string, ts: number): string => `${JSON.stringify(x)}@${ts}`;
    expect(res.output).toEqual([
      o('a:1:-2500:1', 1499), wm(2000), o('b:2:-1000:1', 2999), o('a:2:-1000:1', 2999), wm(3000),
      // 600 (after the restore, at watermark 3000) re-fires two windows past their end; their state says "second firing"
      o('a:7:-1000:2', 2999), o('a:6:-2500:2', 1499),
      o('a:6:500:1', 4499), o('b:2:500:1', 4499), o('b:2:2000:1', 5999), wm(20000),
    ]);
    expect(res.windowState).toBe(0);
  });

  it('seeded out-of-order streams: size/slide/offset/lateness matrix with restores, identical output', async () => {
    const shapes: Spec[] = [
      { size: 3000, slide: 1000 }, { size: 5000, slide: 2000 }, { size: 4000, slide: 1500, offset: 700 },
      { size: 10000, slide: 2000, offset: -1300 }, { size: 3000, slide: 1000, lateness: 1200 },
      { size: 5000, slide: 2000, lateness: 4000, lateTag: new OutputTag<T2>('late') }, { size: 7000, slide: 3000, offset: 1000, lateness: 2500 },
    ];
    let seed = 42;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (const shape of [...shapes, ...shapes]) {
      const steps: Step[] = [];
      let t = -3000;
      for (let i = 0; i < 600; i++) {
        const x = rnd(100);
        if (x < 8) steps.push(['w', t - 1500 + rnd(1000)]);
        else if (x < 9) steps.push(['snapshot']);
        else {
          // mostly a little out of order, sometimes very late
          const ts = x < 15 ? t - 6000 - rnd(4000) : t - rnd(2500);
          steps.push(['e', `k${rnd(4)}`, 1 + rnd(3), ts]);
          t += rnd(120);
        }
      }
      // watermarks must not go back
      let last = -Infinity;
      const mono = steps.filter((s) => s[0] !== 'w' || (s[1] > last && (last = s[1], true)));
      mono.push(['w', t + 50000]);
      const res = await both(shape, mono);
      expect(res.output.filter((o) => !o.startsWith('watermark')).length).toBeGreaterThan(20);
      expect(res.panes).toBe(0);
    }
  });

  it('testProcessingTimeSlidingWindows by panes: seeded streams with restores, size/slide/offset matrix; lateness and watermarks play no part', async () => {
    const shapes: Spec[] = [
      { size: 3000, slide: 1000 }, { size: 5000, slide: 2000, offset: 700 }, { size: 10000, slide: 2000, offset: -1300 },
      { size: 3000, slide: 1000, lateness: 5000 }, // Flink: lateness is for event time only
    ];
    let seed = 7;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.floor(seed / 65536) % n; };
    for (const shape of shapes) {
      const steps: Step[] = [['p', 10]];
      let t = 10;
      for (let i = 0; i < 500; i++) {
        const x = rnd(100);
        if (x < 20) steps.push(['p', (t += rnd(700))]);
        else if (x < 22) steps.push(['snapshot']);
        else if (x < 25) steps.push(['w', t]); // ignored by processing-time windows
        else steps.push(['e', `k${rnd(4)}`, 1 + rnd(3), rnd(100000)]);
      }
      steps.push(['p', t + 20000]);
      const res = await both({ ...shape, processingTime: true }, steps);
      expect(res.output.filter((o) => !o.startsWith('watermark')).length).toBeGreaterThan(40);
      expect(res.panes).toBe(0);
    }
  });

  it('rejects an AggregateFunction without merge and bad sizes with a clear error', () => {
    const noMerge = { ...sumAgg, merge: undefined } as unknown as AggregateFunction<T2, unknown, unknown>;
    expect(() => new SlicingWindowOperator({ size: 3000, slide: 1000, offset: 0, allowedLateness: 0, lateDataOutputTag: undefined, aggregate: noMerge, windowFunction: passThroughWindowFunction() as InternalWindowFunction<unknown, unknown, string, TimeWindow> }))
      .toThrow(/merge/);
    expect(() => new SlicingWindowOperator({ size: 3000, slide: 0, offset: 0, allowedLateness: 0, lateDataOutputTag: undefined, aggregate: sumAgg as AggregateFunction<T2, unknown, unknown>, windowFunction: passThroughWindowFunction() as InternalWindowFunction<unknown, unknown, string, TimeWindow> }))
      .toThrow(/positive integers/);
  });
});

describe('WindowedStream chooses slicing for sliding aggregate windows (event and processing time)', () => {
  type E = { k: string; v: number; ts: number };
  const events: E[] = [];
  let seed = 3;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let i = 0, t = 0; i < 400; i++, t += rnd(60)) events.push({ k: `k${rnd(5)}`, v: 1 + rnd(9), ts: rnd(10) === 0 ? t - 3000 - rnd(3000) : t - rnd(800) });
  const strategy = WatermarkStrategy.forGenerator<E>(() => {
    let max = Number.MIN_SAFE_INTEGER + 1001;
    return { onEvent: (_e, ts, out) => { max = Math.max(max, ts); out.emitWatermark(max - 1001); }, onPeriodicEmit: () => {} };
  }).withTimestampAssigner((e) => e.ts);
  class Name extends ProcessWindowFunction<number, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, sums: Iterable<number>, out: Collector<string>): void {
      for (const s of sums) out.collect(`${key} [${ctx.window().start},${ctx.window().end}) ${s}`);
    }
  }
  const sumOf = { createAccumulator: () => 0, add: (e: E, a: number) => a + e.v, getResult: (a: number) => a, merge: (a: number, b: number) => a + b };

  async function job(mode: 'STREAMING' | 'BATCH', withMerge: boolean): Promise<{ kind: string; out: string[] }> {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2).setRuntimeMode(mode);
    const late = new OutputTag<E>('late');
    const agg = withMerge ? sumOf : { ...sumOf, merge: undefined as unknown as (a: number, b: number) => number };
    const w = env.fromElements(...events).assignTimestampsAndWatermarks(strategy).setParallelism(1).keyBy((e) => e.k)
      .window(SlidingEventTimeWindows.of(2500, 500, 100)).allowedLateness(1500).sideOutputLateData(late).aggregate(agg, new Name());
    const lateOut = w.getSideOutput(late).map((e) => `late ${e.k} ${e.ts}`);
    const kind = (w as unknown as { transformation: { operatorKind: string } }).transformation.operatorKind;
    return { kind, out: (await w.union(lateOut).executeAndCollect()).sort() };
  }

  it('every other sliding shape stays on the WindowOperator (reduce, process, a non-default trigger, evictor, size = slide)', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const keyed = env.fromElements(...events).assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k);
    const kind = (s: unknown): string => (s as { transformation: { operatorKind: string } }).transformation.operatorKind;
    const sliding = () => keyed.window(SlidingEventTimeWindows.of(2500, 500));
    expect(kind(sliding().aggregate(sumOf))).toBe('SlicingWindowOperator');
    expect(kind(sliding().trigger(EventTimeTrigger.create()).aggregate(sumOf))).toBe('SlicingWindowOperator');
    expect(kind(sliding().reduce((a, b) => ({ ...a, v: a.v + b.v })))).toBe('WindowOperator');
    expect(kind(sliding().sum('v'))).toBe('WindowOperator');
    expect(kind(sliding().process(new (class extends ProcessWindowFunction<E, string, string, TimeWindow> { process(): void {} })()))).toBe('WindowOperator');
    expect(kind(keyed.window(SlidingProcessingTimeWindows.of(2500, 500)).aggregate(sumOf))).toBe('SlicingWindowOperator');
    expect(kind(keyed.window(SlidingProcessingTimeWindows.of(2500, 500)).reduce((a, b) => ({ ...a, v: a.v + b.v })))).toBe('WindowOperator');
    expect(kind(keyed.window(SlidingProcessingTimeWindows.of(2500, 500)).trigger(EventTimeTrigger.create()).aggregate(sumOf))).toBe('WindowOperator');
    expect(kind(sliding().trigger(CountTrigger.of(3)).aggregate(sumOf))).toBe('WindowOperator');
    expect(kind(sliding().trigger(ProcessingTimeTrigger.create()).aggregate(sumOf))).toBe('WindowOperator');
    expect(kind(sliding().evictor(CountEvictor.of(2)).aggregate(sumOf))).toBe('EvictingWindowOperator');
    expect(kind(keyed.window(SlidingEventTimeWindows.of(500, 500)).aggregate(sumOf))).toBe('WindowOperator');
  });

  it('aggregate with merge runs on the SlicingWindowOperator, with the WindowOperator\'s results in STREAMING and BATCH', async () => {
    for (const mode of ['STREAMING', 'BATCH'] as const) {
      const sliced = await job(mode, true);
      const plain = await job(mode, false);
      expect(sliced.kind).toBe('SlicingWindowOperator');
      expect(plain.kind).toBe('WindowOperator');
      expect(sliced.out).toEqual(plain.out);
      expect(sliced.out.length).toBeGreaterThan(100);
      if (mode === 'STREAMING') expect(sliced.out.some((x) => x.startsWith('late '))).toBe(true);
    }
  });
});
