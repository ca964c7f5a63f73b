import { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './Trigger.js';
import type { Window } from '../windows/Window.js';
import { ReducingStateDescriptor } from '../../state/StateDescriptor.js';
import type { ReducingState } from '../../state/State.js';

/** Fires every `interval` of event time and at the window's end (Flink's ContinuousEventTimeTrigger). */
export class ContinuousEventTimeTrigger<W extends Window = Window> extends Trigger<unknown, W> {
  /** On merge the earliest next fire time wins. */
  private readonly stateDesc = new ReducingStateDescriptor<number>('fire-time', (a, b) => Math.min(a, b));
  private constructor(readonly interval: number) { super(); }

  static of<W extends Window = Window>(interval: number): ContinuousEventTimeTrigger<W> {
    if (!(Number.isFinite(interval) && interval > 0)) throw new RangeError(`ContinuousEventTimeTrigger.of(${interval}): the interval must be a positive number of milliseconds.`);
    return new ContinuousEventTimeTrigger<W>(interval);
  }

  onElement(_e: unknown, timestamp: number | undefined, window: W, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTimestamp = ctx.getPartitionedState(this.stateDesc);
    if (fireTimestamp.get() === undefined) {
      const ts = timestamp ?? ctx.getCurrentWatermark();
      this.registerNextFireTimestamp(ts - (ts % this.interval), window, ctx, fireTimestamp);
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    const state = ctx.getPartitionedState(this.stateDesc);
    if (state.get() === time) {
      state.clear();
      this.registerNextFireTimestamp(time, window, ctx, state);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult { return TriggerResult.CONTINUE; }

  clear(_w: W, ctx: TriggerContext): void {
    const state = ctx.getPartitionedState(this.stateDesc);
    const ts = state.get();
    if (ts !== undefined) { ctx.deleteEventTimeTimer(ts); state.clear(); }
  }

  override canMerge(): boolean { return true; }
  override onMerge(window: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = ctx.getPartitionedState(this.stateDesc).get();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
    void window;
  }

  private registerNextFireTimestamp(time: number, window: W, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    state.add(next);
    ctx.registerEventTimeTimer(next);
  }
  override toString(): string { return `ContinuousEventTimeTrigger(${this.interval})`; }
}
