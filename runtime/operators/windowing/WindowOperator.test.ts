import { describe, it, expect, afterEach } from 'vitest';
import { WindowOperator, type WindowContents } from './WindowOperator.js';
import { EvictingWindowOperator } from './EvictingWindowOperator.js';
import {
  passThroughWindowFunction, iterableProcessWindowFunction, singleValueProcessWindowFunction, type InternalWindowFunction,
} from './InternalWindowFunction.js';
import { KeyedOneInputStreamOperatorTestHarness, type OperatorSnapshot, type HarnessOutput } from '../../testing/OneInputStreamOperatorTestHarness.js';
import type { Window } from '../../api/windowing/windows/Window.js';
import { TimeWindow } from '../../api/windowing/windows/TimeWindow.js';
import type { WindowAssigner } from '../../api/windowing/assigners/WindowAssigner.js';
import { TumblingEventTimeWindows } from '../../api/windowing/assigners/TumblingEventTimeWindows.js';
import { SlidingEventTimeWindows } from '../../api/windowing/assigners/SlidingEventTimeWindows.js';
import { EventTimeSessionWindows } from '../../api/windowing/assigners/EventTimeSessionWindows.js';
import { TumblingProcessingTimeWindows } from '../../api/windowing/assigners/TumblingProcessingTimeWindows.js';
import { SlidingProcessingTimeWindows } from '../../api/windowing/assigners/SlidingProcessingTimeWindows.js';
import { ProcessingTimeSessionWindows } from '../../api/windowing/assigners/ProcessingTimeSessionWindows.js';
import { GlobalWindows } from '../../api/windowing/assigners/GlobalWindows.js';
import type { Trigger } from '../../api/windowing/triggers/Trigger.js';
import { EventTimeTrigger } from '../../api/windowing/triggers/EventTimeTrigger.js';
import { CountTrigger } from '../../api/windowing/triggers/CountTrigger.js';
import { PurgingTrigger } from '../../api/windowing/triggers/PurgingTrigger.js';
import { ContinuousEventTimeTrigger } from '../../api/windowing/triggers/ContinuousEventTimeTrigger.js';
import { ContinuousProcessingTimeTrigger } from '../../api/windowing/triggers/ContinuousProcessingTimeTrigger.js';
import { DeltaTrigger } from '../../api/windowing/triggers/DeltaTrigger.js';
import { CountEvictor } from '../../api/windowing/evictors/CountEvictor.js';
import { TimeEvictor } from '../../api/windowing/evictors/TimeEvictor.js';
import { DeltaEvictor } from '../../api/windowing/evictors/DeltaEvictor.js';
import { OutputTag } from '../../api/functions/Collector.js';
import { MapStateDescriptor, ValueStateDescriptor } from '../../api/state/StateDescriptor.js';
import { MAX_WATERMARK } from '../../api/eventtime/WatermarkStrategy.js';
import type { ProcessWindowContext } from '../../api/windowing/functions/ProcessWindowFunction.js';
import type { Collector } from '../../api/functions/Collector.js';

type T2 = [string, number];
const sum = (a: T2, b: T2): T2 => [a[0], a[1] + b[1]];
const key = (t: T2): string => t[0];
const harnesses: KeyedOneInputStreamOperatorTestHarness<T2, string>[] = [];
afterEach(async () => { for (const h of harnesses.splice(0)) await h.close(); });

interface Spec<W extends Window> {
  assigner: WindowAssigner<unknown, W>;
  trigger?: Trigger<unknown, W>;
  lateness?: number;
  lateTag?: OutputTag<T2>;
  contents?: WindowContents<T2>;
  fn?: InternalWindowFunction<unknown, unknown, string, W>;
  evictor?: import('../../api/windowing/evictors/Evictor.js').Evictor<T2, W>;
}

function makeOperator<W extends Window>(s: Spec<W>): WindowOperator<T2, unknown, unknown, string, W> {
  const config = {
    windowAssigner: s.assigner as WindowAssigner<T2, W>, trigger: (s.trigger ?? s.assigner.getDefaultTrigger()) as Trigger<T2, W>,
    allowedLateness: s.lateness ?? 0, lateDataOutputTag: s.lateTag,
    windowFunction: (s.fn ?? passThroughWindowFunction<T2>()) as InternalWindowFunction<unknown, unknown, string, W>,
  };
  if (s.evictor) return new EvictingWindowOperator<T2, unknown, string, W>(config, s.evictor) as unknown as WindowOperator<T2, unknown, unknown, string, W>;
  return new WindowOperator<T2, unknown, unknown, string, W>({ ...config, contents: s.contents ?? { kind: 'reducing', reduce: sum } });
}

async function harness<W extends Window>(s: Spec<W>, restore?: OperatorSnapshot): Promise<KeyedOneInputStreamOperatorTestHarness<T2, string>> {
  const h = new KeyedOneInputStreamOperatorTestHarness<T2, string>(makeOperator(s), key, {}, restore);
  harnesses.push(h);
  await h.open();
  return h;
}

/** A fresh operator restored from `h`'s snapshot (the old one is closed), as after a failover. */
async function snapshotAndRestore<W extends Window>(h: KeyedOneInputStreamOperatorTestHarness<T2, string>, s: Spec<W>): Promise<KeyedOneInputStreamOperatorTestHarness<T2, string>> {
  const snap = await h.snapshot();
  await h.close();
  return harness(s, snap);
}

/** Output as strings; records between two watermarks sorted (Flink's assertOutputEqualsSorted). */
function normalized(out: readonly HarnessOutput[]): string[] {
  const res: string[] = [];
  let seg: string[] = [];
  const flush = (): void => { res.push(...seg.sort()); seg = []; };
  for (const o of out) {
    if (o.kind === 'record') seg.push(`${JSON.stringify(o.value)}@${o.timestamp}`);
    else if (o.kind === 'watermark') { flush(); res.push(`WM@${o.timestamp}`); }
  }
  flush();
  return res;
}
/** Expected output in the same normal form. */
const seg = (xs: string[]): string[] => normalizedStrings(xs);
function normalizedStrings(xs: string[]): string[] {
  const res: string[] = [];
  let cur: string[] = [];
  for (const x of xs) { if (x.startsWith('WM@')) { res.push(...cur.sort(), x); cur = []; } else cur.push(x); }
  return [...res, ...cur.sort()];
}
const r = (k: string, n: number, ts: number): string => `${JSON.stringify([k, n])}@${ts}`;
const wm = (ts: number): string => `WM@${ts}`;
const MAX = MAX_WATERMARK;

/** Flink's elements of testTumbling/SlidingEventTimeWindows: out of order, two keys. */
function feedOutOfOrder(h: KeyedOneInputStreamOperatorTestHarness<T2, string>): void {
  h.processElement(['key2', 1], 3999);
  h.processElement(['key2', 1], 3000);
  h.processElement(['key1', 1], 20);
  h.processElement(['key1', 1], 0);
  h.processElement(['key1', 1], 999);
  h.processElement(['key2', 1], 1998);
  h.processElement(['key2', 1], 1999);
  h.processElement(['key2', 1], 1000);
}

/** Sums the elements and names the window: "key-sum" with start and end (Flink's SessionWindowFunction). */
const sessionFunction = iterableProcessWindowFunction<T2, [string, number, number], string, TimeWindow>({
  process(k: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<T2>, out: Collector<[string, number, number]>) {
    let s = 0;
    for (const e of elements) s += e[1];
    out.collect([`${k}-${s}`, ctx.window().start, ctx.window().end]);
  },
}) as InternalWindowFunction<unknown, unknown, string, TimeWindow>;
const s3 = (name: string, start: number, end: number, ts: number): string => `${JSON.stringify([name, start, end])}@${ts}`;

describe('WindowOperatorTest', () => {
  it('testTumblingEventTimeWindowsReduce (out-of-order input, snapshot/restore mid-stream)', async () => {
    const spec: Spec<TimeWindow> = { assigner: TumblingEventTimeWindows.of(3000) };
    let h = await harness(spec);
    feedOutOfOrder(h);
    h.processWatermark(999);
    h.processWatermark(1999);
    expect(normalized(h.getOutput())).toEqual(seg([wm(999), wm(1999)]));
    h = await snapshotAndRestore(h, spec);
    h.processWatermark(2999);
    h.processWatermark(3999);
    h.processWatermark(4999);
    h.processWatermark(5999);
    expect(normalized(h.getOutput())).toEqual(seg([r('key1', 3, 2999), r('key2', 3, 2999), wm(2999), wm(3999), wm(4999), r('key2', 2, 5999), wm(5999)]));
  });

  it('testTumblingEventTimeWindowsApply: a process function sees all elements, also after restore', async () => {
    const fn = iterableProcessWindowFunction<T2, T2, string, TimeWindow>({
      process(k, _c, els, out) { let n = 0; for (const e of els) n += e[1]; out.collect([k, n]); },
    }) as InternalWindowFunction<unknown, unknown, string, TimeWindow>;
    const spec: Spec<TimeWindow> = { assigner: TumblingEventTimeWindows.of(3000), contents: { kind: 'list' }, fn };
    let h = await harness(spec);
    feedOutOfOrder(h);
    h = await snapshotAndRestore(h, spec);
    h.processWatermark(2999);
    h.processWatermark(5999);
    expect(normalized(h.getOutput())).toEqual(seg([r('key1', 3, 2999), r('key2', 3, 2999), wm(2999), r('key2', 2, 5999), wm(5999)]));
  });

  it('testSlidingEventTimeWindowsReduce (size 3 s, slide 1 s, snapshot/restore mid-stream)', async () => {
    const spec: Spec<TimeWindow> = { assigner: SlidingEventTimeWindows.of(3000, 1000) };
    let h = await harness(spec);
    feedOutOfOrder(h);
    h.processWatermark(999);
    expect(normalized(h.getOutput())).toEqual(seg([r('key1', 3, 999), wm(999)]));
    h = await snapshotAndRestore(h, spec);
    for (const w of [1999, 2999, 3999, 4999, 5999]) h.processWatermark(w);
    expect(normalized(h.getOutput())).toEqual(seg([
      r('key1', 3, 1999), r('key2', 3, 1999), wm(1999),
      r('key1', 3, 2999), r('key2', 3, 2999), wm(2999),
      r('key2', 5, 3999), wm(3999),
      r('key2', 2, 4999), wm(4999),
      r('key2', 2, 5999), wm(5999),
    ]));
  });

  it('testSessionWindows (gap 3 s, snapshot/restore twice)', async () => {
    const spec: Spec<TimeWindow> = { assigner: EventTimeSessionWindows.withGap(3000), contents: { kind: 'list' }, fn: sessionFunction };
    let h = await harness(spec);
    h.processElement(['key2', 1], 0);
    h.processElement(['key2', 2], 1000);
    h.processElement(['key2', 3], 2500);
    h.processElement(['key1', 1], 10);
    h.processElement(['key1', 2], 1000);
    h = await snapshotAndRestore(h, spec);
    h.processElement(['key1', 3], 2500);
    h.processElement(['key2', 4], 5501);
    h.processElement(['key2', 5], 6000);
    h.processElement(['key2', 5], 6000);
    h.processElement(['key2', 6], 6050);
    h.processWatermark(12000);
    expect(normalized(h.getOutput())).toEqual(seg([s3('key1-6', 10, 5500, 5499), s3('key2-6', 0, 5500, 5499), s3('key2-20', 5501, 9050, 9049), wm(12000)]));
    h.clearOutput();
    h.processElement(['key1', 10], 15000);
    h.processElement(['key1', 20], 15000);
    h = await snapshotAndRestore(h, spec);
    h.processWatermark(17999);
    expect(normalized(h.getOutput())).toEqual(seg([s3('key1-30', 15000, 18000, 17999), wm(17999)]));
  });

  it('testReduceSessionWindows: pre-aggregated sessions merge their reduced state', async () => {
    const fn = singleValueProcessWindowFunction<T2, [string, number, number], string, TimeWindow>({
      process(k, ctx, els, out) { for (const e of els) out.collect([`${k}-${e[1]}`, ctx.window().start, ctx.window().end]); },
    }) as InternalWindowFunction<unknown, unknown, string, TimeWindow>;
    const spec: Spec<TimeWindow> = { assigner: EventTimeSessionWindows.withGap(3000), fn };
    let h = await harness(spec);
    h.processElement(['key2', 1], 0);
    h.processElement(['key2', 2], 1000);
    h.processElement(['key2', 3], 2500);
    h.processElement(['key1', 1], 10);
    h.processElement(['key1', 2], 1000);
    h = await snapshotAndRestore(h, spec);
    h.processElement(['key1', 3], 2500);
    h.processElement(['key2', 4], 5501);
    h.processElement(['key2', 5], 6000);
    h.processElement(['key2', 5], 6000);
    h.processElement(['key2', 6], 6050);
    h.processWatermark(12000);
    expect(normalized(h.getOutput())).toEqual(seg([s3('key1-6', 10, 5500, 5499), s3('key2-6', 0, 5500, 5499), s3('key2-20', 5501, 9050, 9049), wm(12000)]));
  });

  it('testSessionWindowsWithCountTrigger: the count of merged sessions is merged too', async () => {
    const spec: Spec<TimeWindow> = { assigner: EventTimeSessionWindows.withGap(3000), trigger: PurgingTrigger.of(CountTrigger.of<TimeWindow>(4)), contents: { kind: 'list' }, fn: sessionFunction };
    let h = await harness(spec);
    h.processElement(['key2', 1], 0);
    h.processElement(['key2', 2], 1000);
    h.processElement(['key2', 3], 2500);
    h.processElement(['key2', 4], 3500);
    h.processElement(['key1', 1], 10);
    h.processElement(['key1', 2], 1000);
    // The fourth key2 element fires and purges [0, 6500); the window stays in flight (empty).
    expect(normalized(h.getOutput())).toEqual([s3('key2-10', 0, 6500, 6499)]);
    h = await snapshotAndRestore(h, spec);
    h.processElement(['key1', 3], 2500);
    h.processElement(['key2', 4], 5501);
    h.processElement(['key2', 5], 6000);
    h.processElement(['key2', 5], 6000);
    h.processElement(['key2', 6], 6050);
    h.processWatermark(12000);
    expect(normalized(h.getOutput())).toEqual(seg([s3('key2-20', 0, 9050, 9049), wm(12000)]));
  });

  it('testPointSessions: elements with the same timestamp share one session', async () => {
    const spec: Spec<TimeWindow> = { assigner: EventTimeSessionWindows.withGap(3000), contents: { kind: 'list' }, fn: sessionFunction };
    let h = await harness(spec);
    h.processElement(['key2', 1], 0);
    h.processElement(['key2', 2], 0);
    h.processElement(['key1', 1], 10);
    h = await snapshotAndRestore(h, spec);
    h.processElement(['key2', 3], 0);
    h.processElement(['key1', 3], 10);
    h.processWatermark(12000);
    expect(normalized(h.getOutput())).toEqual(seg([s3('key1-4', 10, 3010, 3009), s3('key2-6', 0, 3000, 2999), wm(12000)]));
  });

  it('dynamic-gap sessions take the gap from each element', async () => {
    const spec: Spec<TimeWindow> = { assigner: EventTimeSessionWindows.withDynamicGap<T2>((e) => e[1] * 1000) as WindowAssigner<unknown, TimeWindow>, contents: { kind: 'list' }, fn: sessionFunction };
    const h = await harness(spec);
    h.processElement(['a', 1], 0); // [0, 1000)
    h.processElement(['a', 3], 1000); // [1000, 4000) touches [0, 1000) -> [0, 4000)
    h.processElement(['a', 1], 5000); // [5000, 6000)
    h.processWatermark(10000);
    expect(normalized(h.getOutput())).toEqual(seg([s3('a-1', 5000, 6000, 5999), s3('a-4', 0, 4000, 3999), wm(10000)]));
  });

  it('testCountTrigger: GlobalWindows with PurgingTrigger(CountTrigger(4))', async () => {
    const spec: Spec<Window> = { assigner: GlobalWindows.create() as WindowAssigner<unknown, Window>, trigger: PurgingTrigger.of(CountTrigger.of(4)) };
    let h = await harness(spec);
    h.processElement(['key2', 1], 3999);
    h.processElement(['key2', 1], 3000);
    h.processElement(['key1', 1], 20);
    h.processElement(['key1', 1], 0);
    h.processElement(['key1', 1], 999);
    h = await snapshotAndRestore(h, spec);
    h.processElement(['key2', 1], 1998);
    h.processElement(['key2', 1], 1999);
    h.processElement(['key2', 1], 1000);
    expect(normalized(h.getOutput())).toEqual(seg([r('key2', 4, MAX)]));
    h.processElement(['key1', 1], 0);
    h.processElement(['key2', 1], 0);
    h.processElement(['key2', 1], 0);
    h.processElement(['key2', 1], 0);
    h.processElement(['key2', 1], 0);
    expect(normalized(h.getOutput())).toEqual(seg([r('key2', 4, MAX), r('key1', 4, MAX), r('key2', 4, MAX)]));
  });

  it('testContinuousWatermarkTrigger: fires every interval and at the window end, then cleans up', async () => {
    const spec: Spec<TimeWindow> = { assigner: TumblingEventTimeWindows.of(10000), trigger: ContinuousEventTimeTrigger.of<TimeWindow>(3000) };
    let h = await harness(spec);
    h.processElement(['key1', 1], 1000);
    h.processWatermark(3000);
    expect(normalized(h.getOutput())).toEqual(seg([r('key1', 1, 9999), wm(3000)]));
    h.clearOutput();
    h.processElement(['key1', 1], 4000);
    h = await snapshotAndRestore(h, spec);
    h.processWatermark(6000);
    h.processWatermark(8999);
    h.processWatermark(9000);
    h.processWatermark(9999);
    expect(normalized(h.getOutput())).toEqual(seg([r('key1', 2, 9999), wm(6000), wm(8999), r('key1', 2, 9999), wm(9000), r('key1', 2, 9999), wm(9999)]));
    expect(h.numKeyedStateEntries('window-contents')).toBe(0);
    expect(h.numKeyedStateEntries('window-state/fire-time')).toBe(0);
  });

  it('testProcessingTimeTumblingWindows', async () => {
    const spec: Spec<TimeWindow> = { assigner: TumblingProcessingTimeWindows.of(3000) };
    let h = await harness(spec);
    h.setProcessingTime(3);
    h.processElement(['key2', 1]);
    h.processElement(['key2', 1]);
    h.setProcessingTime(1000);
    h.processElement(['key1', 1]);
    h = await snapshotAndRestore(h, spec);
    h.setProcessingTime(1000); // the restored clock starts at 0 again
    h.processElement(['key2', 1]);
    h.setProcessingTime(2999);
    expect(normalized(h.getOutput())).toEqual(seg([r('key1', 1, 2999), r('key2', 3, 2999)]));
    h.clearOutput();
    h.setProcessingTime(3000);
    h.processElement(['key1', 1]);
    h.processElement(['key1', 1]);
    h.setProcessingTime(7000);
    expect(normalized(h.getOutput())).toEqual([r('key1', 2, 5999)]);
  });

  it('testProcessingTimeSlidingWindows (size 3 s, slide 1 s)', async () => {
    const h = await harness({ assigner: SlidingProcessingTimeWindows.of(3000, 1000) });
    h.setProcessingTime(3);
    h.processElement(['key2', 1]); // windows [-2000,1000) [-1000,2000) [0,3000)
    h.setProcessingTime(1000);
    expect(normalized(h.getOutput())).toEqual(seg([r('key2', 1, 999)]));
    h.processElement(['key2', 1]); // [-1000,2000) [0,3000) [1000,4000)
    h.setProcessingTime(5000);
    expect(normalized(h.getOutput())).toEqual(seg([r('key2', 1, 999), r('key2', 1, 3999), r('key2', 2, 1999), r('key2', 2, 2999)]));
  });

  it('testProcessingTimeSessionWindows', async () => {
    const spec: Spec<TimeWindow> = { assigner: ProcessingTimeSessionWindows.withGap(3000), contents: { kind: 'list' }, fn: sessionFunction };
    const h = await harness(spec);
    h.setProcessingTime(0);
    h.processElement(['key2', 1]);
    h.setProcessingTime(1000);
    h.processElement(['key2', 2]);
    h.setProcessingTime(5000); // fires [0, 4000)
    h.processElement(['key2', 3]);
    h.setProcessingTime(6000);
    h.processElement(['key2', 4]);
    h.setProcessingTime(20000);
    expect(normalized(h.getOutput())).toEqual(seg([s3('key2-3', 0, 4000, 3999), s3('key2-7', 5000, 9000, 8999)]));
  });

  it('testLateness: an element within allowed lateness fires the window again, later ones are dropped', async () => {
    const h = await harness({ assigner: TumblingEventTimeWindows.of(2000), lateness: 500 });
    h.processElement(['key2', 1], 500);
    h.processWatermark(1999);
    h.processElement(['key2', 1], 1000); // late but allowed: fires [0, 2000) again at once
    h.processWatermark(2500); // cleanup time 1999 + 500
    h.processElement(['key2', 1], 1500); // too late
    h.processWatermark(6000);
    expect(normalized(h.getOutput())).toEqual(seg([r('key2', 1, 1999), wm(1999), r('key2', 2, 1999), wm(2500), wm(6000)]));
    expect(h.metrics.counter('numLateRecordsDropped').getCount()).toBe(1);
    expect(h.numKeyedStateEntries('window-contents')).toBe(0);
  });

  it('testCleanupTimeOverflow: a cleanup time past the end of time registers no cleanup timer', async () => {
    const h = await harness({ assigner: TumblingEventTimeWindows.of(3000), lateness: MAX - 2000 });
    h.processElement(['key1', 1], 1000);
    h.processWatermark(2999);
    h.processWatermark(MAX - 1);
    expect(normalized(h.getOutput())).toEqual(seg([r('key1', 1, 2999), wm(2999), wm(MAX - 1)]));
    // No cleanup happened: the window is still there.
    expect(h.numKeyedStateEntries('window-contents')).toBe(1);
  });

  it('testDropDueToLatenessTumbling', async () => {
    const h = await harness({ assigner: TumblingEventTimeWindows.of(2000) });
    h.processElement(['key2', 1], 500);
    h.processWatermark(1500);
    h.processElement(['key2', 1], 1300);
    h.processWatermark(2300);
    h.processElement(['key2', 1], 1998); // late: [0, 2000) is gone
    h.processElement(['key2', 1], 2500);
    h.processWatermark(4000);
    expect(normalized(h.getOutput())).toEqual(seg([wm(1500), r('key2', 2, 1999), wm(2300), r('key2', 1, 3999), wm(4000)]));
    expect(h.metrics.counter('numLateRecordsDropped').getCount()).toBe(1);
  });

  it('testDropDueToLatenessSliding: an element is late only if all its windows are', async () => {
    const h = await harness({ assigner: SlidingEventTimeWindows.of(3000, 1000) });
    h.processWatermark(2500);
    h.processElement(['key2', 1], 2000); // windows ending 2999, 3999, 4999: not late
    h.processElement(['key2', 1], 900); // [-2000,1000) [-1000,2000) late, [0,3000) not late
    h.processWatermark(3500);
    h.processElement(['key2', 1], 500); // all its windows (max 999, 1999, 2999) are late
    h.processWatermark(6000);
    expect(normalized(h.getOutput())).toEqual(seg([wm(2500), r('key2', 2, 2999), wm(3500), r('key2', 1, 3999), r('key2', 1, 4999), wm(6000)]));
    expect(h.metrics.counter('numLateRecordsDropped').getCount()).toBe(1);
  });

  it('testDropDueToLatenessSessionZeroLateness', async () => {
    const spec: Spec<TimeWindow> = { assigner: EventTimeSessionWindows.withGap(3000), contents: { kind: 'list' }, fn: sessionFunction };
    const h = await harness(spec);
    h.processElement(['key2', 1], 999);
    h.processWatermark(1998);
    h.processElement(['key2', 1], 1000); // merges into [999, 4000)
    h.processWatermark(4998);
    h.processElement(['key2', 1], 1500); // [1500, 4500) is late
    h.processElement(['key2', 1], 5500);
    h.processWatermark(20000);
    expect(normalized(h.getOutput())).toEqual(seg([wm(1998), s3('key2-2', 999, 4000, 3999), wm(4998), s3('key2-1', 5500, 8500, 8499), wm(20000)]));
    expect(h.metrics.counter('numLateRecordsDropped').getCount()).toBe(1);
  });

  it('testDropDueToLatenessSessionWithLateness: a late element within lateness re-fires the merged session', async () => {
    const spec: Spec<TimeWindow> = { assigner: EventTimeSessionWindows.withGap(3000), lateness: 10, contents: { kind: 'list' }, fn: sessionFunction };
    const h = await harness(spec);
    h.processElement(['key2', 1], 1000);
    h.processWatermark(4003);
    h.processElement(['key2', 1], 1003); // [1003, 4003) merges into [1000, 4003); cleanup 4002 + 10 > 4003: fires again
    h.processWatermark(4020);
    h.processElement(['key2', 1], 1005); // window [1000,4005) cleanup 4014 <= 4020: late
    h.processWatermark(10000);
    expect(normalized(h.getOutput())).toEqual(seg([s3('key2-1', 1000, 4000, 3999), wm(4003), s3('key2-2', 1000, 4003, 4002), wm(4020), wm(10000)]));
    expect(h.metrics.counter('numLateRecordsDropped').getCount()).toBe(1);
  });

  it('testSideOutputDueToLatenessTumbling / Sliding / Session', async () => {
    const tag = new OutputTag<T2>('late-data');
    const t = await harness({ assigner: TumblingEventTimeWindows.of(2000), lateTag: tag });
    t.processElement(['key2', 1], 500);
    t.processWatermark(2300);
    t.processElement(['key2', 1], 1998);
    expect(t.sideOutputs.get('late-data')).toEqual([{ value: ['key2', 1], timestamp: 1998 }]);
    expect(t.metrics.counter('numLateRecordsDropped').getCount()).toBe(0);

    const s = await harness({ assigner: SlidingEventTimeWindows.of(3000, 1000), lateTag: tag });
    s.processWatermark(3500);
    s.processElement(['key2', 1], 500);
    s.processElement(['key2', 1], 2000);
    expect(s.sideOutputs.get('late-data')).toEqual([{ value: ['key2', 1], timestamp: 500 }]);

    const x = await harness({ assigner: EventTimeSessionWindows.withGap(3000), lateTag: tag, contents: { kind: 'list' }, fn: sessionFunction });
    x.processElement(['key2', 1], 999);
    x.processWatermark(4998);
    x.processElement(['key2', 1], 1500);
    expect(x.sideOutputs.get('late-data')).toEqual([{ value: ['key2', 1], timestamp: 1500 }]);
    expect(normalized(x.getOutput())).toEqual(seg([s3('key2-1', 999, 3999, 3998), wm(4998)]));
  });

  it('testCleanupTimerWithEmptyReduceStateForTumblingWindows: contents, trigger timers and window timers go at maxTimestamp + lateness', async () => {
    const h = await harness({ assigner: TumblingEventTimeWindows.of(2000), lateness: 100 });
    h.processElement(['key1', 1], 1000);
    h.processWatermark(1999);
    expect(h.numKeyedStateEntries('window-contents')).toBe(1);
    h.processWatermark(2098);
    expect(h.numKeyedStateEntries('window-contents')).toBe(1);
    h.processWatermark(2099);
    expect(h.numKeyedStateEntries('window-contents')).toBe(0);
    expect(h.numKeyedStateEntries('window-timers/event')).toBe(0);
    expect(normalized(h.getOutput())).toEqual(seg([r('key1', 1, 1999), wm(1999), wm(2098), wm(2099)]));
  });

  it('testCleanupTimerWithEmptyListStateForSessionWindows: the merging window set is emptied too', async () => {
    const h = await harness({ assigner: EventTimeSessionWindows.withGap(3000), lateness: 0, contents: { kind: 'list' }, fn: sessionFunction });
    h.processElement(['key1', 1], 1000);
    h.processElement(['key1', 1], 2000);
    expect(h.numKeyedStateEntries('merging-window-set')).toBe(1);
    h.processWatermark(4999);
    expect(h.numKeyedStateEntries('merging-window-set')).toBe(0);
    expect(h.numKeyedStateEntries('window-contents')).toBe(0);
    expect(h.numKeyedStateEntries('window-timers/event')).toBe(0);
  });

  it('ProcessWindowFunction: windowState is per window and cleared with it, globalState lives on, side output at maxTimestamp', async () => {
    const side = new OutputTag<string>('side');
    const fn = iterableProcessWindowFunction<T2, string, string, TimeWindow>({
      process(k, ctx, els, out) {
        const fires = ctx.windowState().getState(new ValueStateDescriptor<number>('fires', 0));
        const total = ctx.globalState().getState(new ValueStateDescriptor<number>('total', 0));
        fires.update((fires.value() ?? 0) + 1);
        total.update((total.value() ?? 0) + 1);
        out.collect(`${k} ${ctx.window().start} n=${[...els].length} fires=${fires.value()} total=${total.value()} wm=${ctx.currentWatermark()}`);
        ctx.output(side, `side ${k}`);
      },
      clear(ctx) { ctx.windowState().getState(new ValueStateDescriptor<number>('fires')).clear(); },
    }) as InternalWindowFunction<unknown, unknown, string, TimeWindow>;
    const h = await harness({ assigner: TumblingEventTimeWindows.of(1000), lateness: 1000, contents: { kind: 'list' }, fn });
    h.processElement(['a', 1], 100);
    h.processWatermark(999);
    h.processElement(['a', 1], 200); // late, allowed: fires again
    h.processElement(['a', 1], 1100);
    h.processWatermark(3000);
    expect(h.extractOutputValues()).toEqual(['a 0 n=1 fires=1 total=1 wm=999', 'a 0 n=2 fires=2 total=2 wm=999', 'a 1000 n=1 fires=1 total=3 wm=3000']);
    expect(h.sideOutputs.get('side')).toEqual([{ value: 'side a', timestamp: 999 }, { value: 'side a', timestamp: 999 }, { value: 'side a', timestamp: 1999 }]);
    expect(h.numKeyedStateEntries('window-state/fires')).toBe(0);
    expect(h.numKeyedStateEntries('total')).toBe(1);
  });

  it('ProcessWindowFunction: MapState in windowState is per window, survives snapshot/restore and is cleared with the window', async () => {
    const seen = new MapStateDescriptor<number, number>('seen');
    const fn = iterableProcessWindowFunction<T2, string, string, TimeWindow>({
      process(k, ctx, els, out) {
        const m = ctx.windowState().getMapState(seen);
        for (const [, v] of els) m.put(v, (m.get(v) ?? 0) + 1);
        const entries = [...m.entries()].sort((a, b) => a[0] - b[0]).map(([v, n]) => `${v}:${n}`).join(',');
        out.collect(`${k} ${ctx.window().start} ${entries} contains2=${m.contains(2)} empty=${m.isEmpty()}`);
      },
      clear(ctx) { ctx.windowState().getMapState(seen).clear(); },
    }) as InternalWindowFunction<unknown, unknown, string, TimeWindow>;
    const spec: Spec<TimeWindow> = { assigner: TumblingEventTimeWindows.of(1000), lateness: 1000, contents: { kind: 'list' }, fn };
    let h = await harness(spec);
    h.processElement(['a', 1], 100);
    h.processElement(['a', 2], 200);
    h.processElement(['a', 5], 1500); // the next window: its own map
    h.processWatermark(999);
    expect(h.extractOutputValues()).toEqual(['a 0 1:1,2:1 contains2=true empty=false']);
    h = await snapshotAndRestore(h, spec);
    h.processElement(['a', 2], 300); // late, allowed: fires window 0 again on its restored map
    h.processElement(['a', 1], 400);
    h.processWatermark(1999); // window 1000 fires; window 0's cleanup time (999 + 1000)
    expect(h.numKeyedStateEntries('window-state/seen')).toBe(1); // only key 'a' holds entries (window 1000's)
    h.processWatermark(3000);
    expect(h.extractOutputValues()).toEqual(['a 0 1:3,2:3 contains2=true empty=false', 'a 1000 5:1 contains2=false empty=false']);
    expect(h.numKeyedStateEntries('window-state/seen')).toBe(0);
  });

  it('ContinuousProcessingTimeTrigger fires every interval of processing time', async () => {
    const h = await harness({ assigner: GlobalWindows.create() as WindowAssigner<unknown, Window>, trigger: ContinuousProcessingTimeTrigger.of(1000) });
    h.setProcessingTime(10);
    h.processElement(['a', 1]);
    h.setProcessingTime(999);
    expect(h.extractOutputValues()).toEqual([]);
    h.setProcessingTime(1000);
    h.processElement(['a', 2]);
    h.setProcessingTime(2500);
    expect(h.extractOutputValues()).toEqual([['a', 1], ['a', 3]]);
  });

  it('DeltaTrigger fires when the delta to the last fired element exceeds the threshold', async () => {
    const h = await harness({ assigner: GlobalWindows.create() as WindowAssigner<unknown, Window>, trigger: DeltaTrigger.of<T2>(5, (a, b) => b[1] - a[1]) as Trigger<unknown, Window>,
      contents: { kind: 'list' }, fn: iterableProcessWindowFunction<T2, string, string, Window>({ process(_k, _c, els, out) { out.collect([...els].map((e) => e[1]).join(',')); } }) as InternalWindowFunction<unknown, unknown, string, Window> });
    for (const v of [1, 3, 6, 7, 13, 14]) h.processElement(['a', v], 0);
    expect(h.extractOutputValues()).toEqual(['1,3,6,7', '1,3,6,7,13']);
  });

  it('EvictingWindowOperator: CountEvictor keeps the last n, TimeEvictor the last ms, DeltaEvictor by delta', async () => {
    const list = iterableProcessWindowFunction<T2, string, string, Window>({ process(_k, _c, els, out) { out.collect([...els].map((e) => e[1]).join(',')); } }) as InternalWindowFunction<unknown, unknown, string, Window>;
    const c = await harness({ assigner: GlobalWindows.create() as WindowAssigner<unknown, Window>, trigger: CountTrigger.of(2), evictor: CountEvictor.of(3), fn: list });
    for (let i = 1; i <= 6; i++) c.processElement(['a', i], i);
    expect(c.extractOutputValues()).toEqual(['1,2', '2,3,4', '4,5,6']);

    const t = await harness({ assigner: TumblingEventTimeWindows.of(10000) as WindowAssigner<unknown, Window>, evictor: TimeEvictor.of(1000), fn: list });
    for (const ts of [100, 2000, 2500, 3000]) t.processElement(['a', ts], ts);
    t.processWatermark(9999);
    expect(t.extractOutputValues()).toEqual(['2500,3000']);

    const d = await harness({ assigner: GlobalWindows.create() as WindowAssigner<unknown, Window>, trigger: CountTrigger.of(4), evictor: DeltaEvictor.of<T2>(5, (a, b) => Math.abs(b[1] - a[1])), fn: list });
    for (const v of [1, 8, 10, 12]) d.processElement(['a', v], 0);
    expect(d.extractOutputValues()).toEqual(['8,10,12']);
  });

  it('a merging assigner with a trigger that cannot merge is rejected', () => {
    expect(() => makeOperator({ assigner: EventTimeSessionWindows.withGap(10), trigger: DeltaTrigger.of(1, () => 0) as Trigger<unknown, TimeWindow> }))
      .toThrow(/merging window assigner cannot be used with a trigger that does not support merging/);
  });

  it('event-time windows need timestamps: a clear error', async () => {
    const h = await harness({ assigner: TumblingEventTimeWindows.of(1000) });
    expect(() => h.processElement(['a', 1])).toThrow(/no timestamp.*assignTimestampsAndWatermarks/);
  });

  it('checks EventTimeTrigger is the default of event-time assigners (testProperties)', () => {
    expect(TumblingEventTimeWindows.of(5000).getDefaultTrigger()).toBeInstanceOf(EventTimeTrigger);
    expect(TumblingEventTimeWindows.of(5000).isEventTime()).toBe(true);
  });
});
