import { describe, it, expect, afterEach } from 'vitest';
import { WindowOperator } from './WindowOperator.js';
import { iterableProcessWindowFunction, type InternalWindowFunction } from './InternalWindowFunction.js';
import { KeyedOneInputStreamOperatorTestHarness } from '../../testing/OneInputStreamOperatorTestHarness.js';
import type { TimeWindow } from '../../api/windowing/windows/TimeWindow.js';
import type { WindowAssigner } from '../../api/windowing/assigners/WindowAssigner.js';
import { SlidingEventTimeWindows } from '../../api/windowing/assigners/SlidingEventTimeWindows.js';
import { TumblingEventTimeWindows } from '../../api/windowing/assigners/TumblingEventTimeWindows.js';
import { TumblingProcessingTimeWindows } from '../../api/windowing/assigners/TumblingProcessingTimeWindows.js';
import { EventTimeSessionWindows } from '../../api/windowing/assigners/EventTimeSessionWindows.js';
import { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from '../../api/windowing/triggers/Trigger.js';
import { ReducingStateDescriptor, ValueStateDescriptor } from '../../api/state/StateDescriptor.js';

// Flink's WindowOperatorContractTest: what the WindowOperator promises a custom trigger — one
// onElement call per window of an element, FIRE/PURGE acted on, its own timers delivered to
// onEventTime/onProcessingTime with their window, onMerge for merged windows with mergeable state,
// and clear() at the window's cleanup time, with trigger state scoped to key and window.

type E = [string, number];
const key = (e: E): string => e[0];
const harnesses: KeyedOneInputStreamOperatorTestHarness<E, string>[] = [];
afterEach(async () => { for (const h of harnesses.splice(0)) await h.close(); });

/** A trigger whose decisions the test scripts, recording every call (Flink's mock trigger). */
class ScriptedTrigger extends Trigger<E, TimeWindow> {
  readonly calls: string[] = [];
  onElementResult = TriggerResult.CONTINUE;
  onTimeResult = TriggerResult.FIRE;
  /** Event-time (or processing-time) timer the trigger registers per element: at the element's timestamp + this. */
  timerDelay: number | null = null;
  processingTimers = false;
  static readonly COUNT = new ReducingStateDescriptor<number>('count', (a, b) => a + b);
  onElement(e: E, ts: number | undefined, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.getPartitionedState(ScriptedTrigger.COUNT).add(1);
    this.calls.push(`onElement ${e[1]} [${w.start},${w.end}) count=${ctx.getPartitionedState(ScriptedTrigger.COUNT).get()}`);
    if (this.timerDelay !== null) {
      if (this.processingTimers) ctx.registerProcessingTimeTimer(ctx.getCurrentProcessingTime() + this.timerDelay);
      else ctx.registerEventTimeTimer((ts ?? 0) + this.timerDelay);
    }
    return this.onElementResult;
  }
  onEventTime(time: number, w: TimeWindow): TriggerResult { this.calls.push(`onEventTime ${time} [${w.start},${w.end})`); return this.onTimeResult; }
  onProcessingTime(time: number, w: TimeWindow): TriggerResult { this.calls.push(`onProcessingTime ${time} [${w.start},${w.end})`); return this.onTimeResult; }
  override canMerge(): boolean { return true; }
  override onMerge(w: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(ScriptedTrigger.COUNT);
    this.calls.push(`onMerge [${w.start},${w.end}) count=${ctx.getPartitionedState(ScriptedTrigger.COUNT).get()}`);
  }
  clear(w: TimeWindow, ctx: TriggerContext): void {
    this.calls.push(`clear [${w.start},${w.end})`);
    ctx.getPartitionedState(ScriptedTrigger.COUNT).clear();
  }
}

const listFn = iterableProcessWindowFunction<E, string, string, TimeWindow>({
  process(k, ctx, els, out) { out.collect(`${k} [${ctx.window().start},${ctx.window().end}) ${[...els].map((e) => e[1]).join(',')}`); },
}) as InternalWindowFunction<unknown, unknown, string, TimeWindow>;

async function harness(assigner: WindowAssigner<unknown, TimeWindow>, trigger: ScriptedTrigger, allowedLateness = 0): Promise<KeyedOneInputStreamOperatorTestHarness<E, string>> {
  const op = new WindowOperator<E, unknown, unknown, string, TimeWindow>({
    windowAssigner: assigner as WindowAssigner<E, TimeWindow>, trigger, allowedLateness, lateDataOutputTag: undefined, windowFunction: listFn, contents: { kind: 'list' },
  });
  const h = new KeyedOneInputStreamOperatorTestHarness<E, string>(op, key);
  harnesses.push(h);
  await h.open();
  return h;
}

describe('WindowOperatorContractTest', () => {
  it('testOnElementCalledPerWindow: a sliding window element reaches onElement once per window, with per-window trigger state', async () => {
    const t = new ScriptedTrigger();
    const h = await harness(SlidingEventTimeWindows.of(2000, 1000) as WindowAssigner<unknown, TimeWindow>, t);
    h.processElement(['a', 1], 500);
    h.processElement(['a', 2], 1500);
    h.processElement(['b', 3], 1500);
    expect(t.calls).toEqual([
      'onElement 1 [0,2000) count=1', 'onElement 1 [-1000,1000) count=1',
      'onElement 2 [1000,3000) count=1', 'onElement 2 [0,2000) count=2',
      'onElement 3 [1000,3000) count=1', 'onElement 3 [0,2000) count=1', // another key: its own state
    ]);
  });

  it('testOnElementFire / testOnElementFireAndPurge / testOnElementPurge', async () => {
    const t = new ScriptedTrigger();
    const h = await harness(TumblingEventTimeWindows.of(1000) as WindowAssigner<unknown, TimeWindow>, t);
    t.onElementResult = TriggerResult.FIRE;
    h.processElement(['a', 1], 0);
    h.processElement(['a', 2], 1);
    expect(h.extractOutputValues()).toEqual(['a [0,1000) 1', 'a [0,1000) 1,2']);
    t.onElementResult = TriggerResult.FIRE_AND_PURGE;
    h.processElement(['a', 3], 2);
    t.onElementResult = TriggerResult.FIRE;
    h.processElement(['a', 4], 3);
    t.onElementResult = TriggerResult.PURGE;
    h.processElement(['a', 5], 4);
    t.onElementResult = TriggerResult.CONTINUE;
    h.processElement(['a', 6], 5);
    // PURGE drops without emitting; the window fires at its end with what came after.
    h.processWatermark(999);
    expect(h.extractOutputValues()).toEqual(['a [0,1000) 1', 'a [0,1000) 1,2', 'a [0,1000) 1,2,3', 'a [0,1000) 4', 'a [0,1000) 6']);
  });

  it('testOnEventTimeFire / testOnEventTimeContinue: the trigger\'s timers come back with their window; the cleanup timer too, then clear()', async () => {
    const t = new ScriptedTrigger();
    t.timerDelay = 100;
    const h = await harness(TumblingEventTimeWindows.of(1000) as WindowAssigner<unknown, TimeWindow>, t);
    h.processElement(['a', 1], 200);
    h.processWatermark(299);
    expect(t.calls.slice(1)).toEqual([]);
    h.processWatermark(300);
    expect(t.calls.slice(1)).toEqual(['onEventTime 300 [0,1000)']);
    expect(h.extractOutputValues()).toEqual(['a [0,1000) 1']);
    t.onTimeResult = TriggerResult.CONTINUE;
    h.processWatermark(999);
    expect(t.calls.slice(1)).toEqual(['onEventTime 300 [0,1000)', 'onEventTime 999 [0,1000)', 'clear [0,1000)']);
    expect(h.extractOutputValues()).toEqual(['a [0,1000) 1']); // CONTINUE at the end: no second result
  });

  it('testOnProcessingTimeFire and clear() at the processing-time window end', async () => {
    const t = new ScriptedTrigger();
    t.timerDelay = 50;
    t.processingTimers = true;
    const h = await harness(TumblingProcessingTimeWindows.of(1000) as WindowAssigner<unknown, TimeWindow>, t);
    h.setProcessingTime(100);
    h.processElement(['a', 1]);
    t.onTimeResult = TriggerResult.FIRE_AND_PURGE;
    h.setProcessingTime(150);
    expect(h.extractOutputValues()).toEqual(['a [0,1000) 1']);
    h.processElement(['a', 2]);
    t.onTimeResult = TriggerResult.CONTINUE;
    h.setProcessingTime(1000);
    expect(t.calls).toEqual([
      'onElement 1 [0,1000) count=1', 'onProcessingTime 150 [0,1000)', 'onElement 2 [0,1000) count=2',
      'onProcessingTime 200 [0,1000)', 'onProcessingTime 999 [0,1000)', 'clear [0,1000)',
    ]);
    expect(h.extractOutputValues()).toEqual(['a [0,1000) 1']);
  });

  it('testStateAndTimerCleanupAtEventTimeGC: with allowed lateness clear() comes at maxTimestamp + lateness, and trigger state is gone after it', async () => {
    const t = new ScriptedTrigger();
    t.onTimeResult = TriggerResult.CONTINUE;
    const h = await harness(TumblingEventTimeWindows.of(1000) as WindowAssigner<unknown, TimeWindow>, t, 500);
    h.processElement(['a', 1], 10);
    h.processWatermark(1000);
    expect(t.calls).toEqual(['onElement 1 [0,1000) count=1']);
    h.processElement(['a', 2], 20); // within lateness
    expect(h.numKeyedStateEntries('window-state/count')).toBe(1);
    h.processWatermark(1499);
    expect(t.calls).toEqual(['onElement 1 [0,1000) count=1', 'onElement 2 [0,1000) count=2', 'onEventTime 1499 [0,1000)', 'clear [0,1000)']);
    expect(h.numKeyedStateEntries('window-state/count')).toBe(0);
  });

  it('testMergeWindowsIsCalled: merging sessions call onMerge on the merged window with mergeable trigger state, and clear() the windows merged away', async () => {
    const t = new ScriptedTrigger();
    const h = await harness(EventTimeSessionWindows.withGap(200) as WindowAssigner<unknown, TimeWindow>, t);
    h.processElement(['a', 1], 0);
    h.processElement(['a', 2], 300);
    h.processElement(['a', 3], 150); // [150,350) bridges [0,200) and [300,500)
    expect(t.calls).toEqual([
      'onElement 1 [0,200) count=1', 'onElement 2 [300,500) count=1',
      'onMerge [0,500) count=2', 'clear [0,200)', 'clear [300,500)',
      'onElement 3 [0,500) count=3',
    ]);
    t.onTimeResult = TriggerResult.FIRE;
    h.processWatermark(499);
    expect(h.extractOutputValues()).toEqual(['a [0,500) 1,2,3']);
    expect(t.calls.slice(-2)).toEqual(['onEventTime 499 [0,500)', 'clear [0,500)']);
  });
});
