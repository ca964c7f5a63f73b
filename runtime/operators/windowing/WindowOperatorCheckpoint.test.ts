import { describe, it, expect } from 'vitest';
import { WindowOperator } from './WindowOperator.js';
import { EvictingWindowOperator } from './EvictingWindowOperator.js';
import { passThroughWindowFunction, iterableProcessWindowFunction, type InternalWindowFunction } from './InternalWindowFunction.js';
import { KeyedOneInputStreamOperatorTestHarness, type HarnessOutput } from '../../testing/OneInputStreamOperatorTestHarness.js';
import type { Window } from '../../api/windowing/windows/Window.js';
import type { WindowAssigner } from '../../api/windowing/assigners/WindowAssigner.js';
import { SlidingEventTimeWindows } from '../../api/windowing/assigners/SlidingEventTimeWindows.js';
import { EventTimeSessionWindows } from '../../api/windowing/assigners/EventTimeSessionWindows.js';
import { TumblingEventTimeWindows } from '../../api/windowing/assigners/TumblingEventTimeWindows.js';
import { ContinuousEventTimeTrigger } from '../../api/windowing/triggers/ContinuousEventTimeTrigger.js';
import { CountEvictor } from '../../api/windowing/evictors/CountEvictor.js';
import { OutputTag } from '../../api/functions/Collector.js';
import { TimestampsAndWatermarksOperator } from '../TimestampsAndWatermarksOperator.js';
import { OneInputStreamOperatorTestHarness } from '../../testing/OneInputStreamOperatorTestHarness.js';
import { WatermarkStrategy } from '../../api/eventtime/WatermarkStrategy.js';

type T2 = [string, number];
type Step = { kind: 'el'; v: T2; ts: number } | { kind: 'wm'; ts: number };

/** Seeded out-of-order input: 4 keys, gaps that open and close sessions, some very late elements. */
function input(seed: number, n: number): Step[] {
  let x = seed;
  const rnd = (): number => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
  const steps: Step[] = [];
  let t = 0, maxTs = 0;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 400);
    const late = rnd() < 0.08 ? Math.floor(rnd() * 8000) : Math.floor(rnd() * 800);
    const ts = Math.max(0, t - late);
    maxTs = Math.max(maxTs, ts);
    steps.push({ kind: 'el', v: [`k${Math.floor(rnd() * 4)}`, 1 + Math.floor(rnd() * 9)], ts });
    if (i % 7 === 6) steps.push({ kind: 'wm', ts: maxTs - 1000 });
  }
  steps.push({ kind: 'wm', ts: maxTs + 100_000 });
  return steps;
}

const late = new OutputTag<T2>('late');
const describeFn = iterableProcessWindowFunction<T2, string, string, Window>({
  process(k, ctx, els, out) { out.collect(`${k} ${String(ctx.window())} ${[...els].map((e) => e[1]).join(',')}`); },
}) as InternalWindowFunction<unknown, unknown, string, Window>;

const operators: Record<string, () => WindowOperator<T2, unknown, unknown, string, Window>> = {
  'sliding reduce with lateness': () => new WindowOperator<T2, unknown, unknown, string, Window>({
    windowAssigner: SlidingEventTimeWindows.of(3000, 1000) as WindowAssigner<T2, Window>, trigger: SlidingEventTimeWindows.of(3000, 1000).getDefaultTrigger() as never,
    allowedLateness: 1500, lateDataOutputTag: late, contents: { kind: 'reducing', reduce: (a, b) => [a[0], a[1] + b[1]] },
    windowFunction: passThroughWindowFunction<T2>() as InternalWindowFunction<unknown, unknown, string, Window>,
  }),
  'sessions with a continuous trigger': () => new WindowOperator<T2, unknown, unknown, string, Window>({
    windowAssigner: EventTimeSessionWindows.withGap(700) as unknown as WindowAssigner<T2, Window>, trigger: ContinuousEventTimeTrigger.of(1000) as never,
    allowedLateness: 500, lateDataOutputTag: late, contents: { kind: 'list' }, windowFunction: describeFn,
  }),
  'evicting tumbling': () => new EvictingWindowOperator<T2, unknown, string, Window>({
    windowAssigner: TumblingEventTimeWindows.of(2000) as WindowAssigner<T2, Window>, trigger: TumblingEventTimeWindows.of(2000).getDefaultTrigger() as never,
    allowedLateness: 1000, lateDataOutputTag: late, windowFunction: describeFn,
  }, CountEvictor.of(3)) as unknown as WindowOperator<T2, unknown, unknown, string, Window>,
};

async function run(make: () => WindowOperator<T2, unknown, unknown, string, Window>, steps: Step[], restoreAt: number[]): Promise<{ out: HarnessOutput[]; late: unknown[] }> {
  const out: HarnessOutput[] = [];
  const lateOut: unknown[] = [];
  let h = new KeyedOneInputStreamOperatorTestHarness<T2, string>(make(), (t) => t[0]);
  await h.open();
  const drain = (): void => { out.push(...h.getOutput()); h.clearOutput(); lateOut.push(...(h.sideOutputs.get('late') ?? [])); h.sideOutputs.clear(); };
  for (let i = 0; i < steps.length; i++) {
    if (restoreAt.includes(i)) {
      drain();
      const snap = await h.snapshot(i);
      await h.close();
      h = new KeyedOneInputStreamOperatorTestHarness<T2, string>(make(), (t) => t[0], {}, snap);
      await h.open();
    }
    const s = steps[i]!;
    if (s.kind === 'el') h.processElement(s.v, s.ts); else h.processWatermark(s.ts);
  }
  drain();
  await h.close();
  return { out, late: lateOut };
}

function bySegment(out: HarnessOutput[]): string[] {
  const res: string[] = [];
  let seg: string[] = [];
  for (const o of out) {
    if (o.kind === 'record') seg.push(`${JSON.stringify(o.value)}@${o.timestamp}`);
    else if (o.kind === 'watermark') { res.push(...seg.sort(), `WM@${o.timestamp}`); seg = []; }
  }
  return [...res, ...seg.sort()];
}

describe('window state survives snapshot/restore mid-stream', () => {
  for (const [name, make] of Object.entries(operators)) {
    it(`${name}: restored runs give exactly the output of an uninterrupted run`, async () => {
      const steps = input(42, 300);
      const straight = await run(make, steps, []);
      expect(straight.out.filter((o) => o.kind === 'record').length).toBeGreaterThan(50);
      expect(straight.late.length).toBeGreaterThan(0);
      const restored = await run(make, steps, [17, 60, 61, 150, 222, steps.length - 1]);
      // Windows of different keys due at the same watermark fire in no defined order (as in Flink): compare per watermark.
      expect(bySegment(restored.out)).toEqual(bySegment(straight.out));
      expect(restored.late).toEqual(straight.late);
    });
  }
});

describe('TimestampsAndWatermarksOperator', () => {
  it('emits a record before the watermark its generator derives from it', async () => {
    const strategy = WatermarkStrategy.forGenerator<number>(() => ({ onEvent: (_e, ts, o) => o.emitWatermark(ts), onPeriodicEmit: () => {} }))
      .withTimestampAssigner((n) => n);
    const h = new OneInputStreamOperatorTestHarness<number>(new TimestampsAndWatermarksOperator<number>(strategy));
    await h.open();
    h.processElement(5);
    h.processElement(7);
    expect(h.getOutput()).toEqual([
      { kind: 'record', value: 5, timestamp: 5 }, { kind: 'watermark', timestamp: 5 },
      { kind: 'record', value: 7, timestamp: 7 }, { kind: 'watermark', timestamp: 7 },
    ]);
    await h.close();
  });

  it('withIdleness marks the input idle after the timeout and active again before the next record', async () => {
    const { WatermarksWithIdleness } = await import('../../api/eventtime/WatermarkStrategy.js');
    let now = 1;
    const events: string[] = [];
    const out = { emitWatermark: (t: number) => events.push(`wm ${t}`), markIdle: () => events.push('idle'), markActive: () => events.push('active') };
    const g = new WatermarksWithIdleness<number>({ onEvent: () => {}, onPeriodicEmit: (o) => o.emitWatermark(1) }, 100, () => now);
    g.onEvent(1, 1, out);
    g.onPeriodicEmit(out); // activity since last check
    g.onPeriodicEmit(out); // starts the inactivity clock
    now = 50; g.onPeriodicEmit(out);
    now = 200; g.onPeriodicEmit(out); // idle for > 100 ms
    now = 300; g.onPeriodicEmit(out);
    g.onEvent(2, 2, out);
    g.onPeriodicEmit(out);
    expect(events).toEqual(['wm 1', 'wm 1', 'wm 1', 'idle', 'active', 'wm 1']);
  });
});
