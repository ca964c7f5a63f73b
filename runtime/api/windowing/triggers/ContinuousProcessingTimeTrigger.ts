import { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './Trigger.js';
import type { Window } from '../windows/Window.js';
import { ReducingStateDescriptor } from '../../state/StateDescriptor.js';
import type { ReducingState } from '../../state/State.js';

/** Fires every `interval` of processing time (Flink's ContinuousProcessingTimeTrigger). */
export class ContinuousProcessingTimeTrigger<W extends Window = Window> extends Trigger<unknown, W> {
  private readonly stateDesc = new ReducingStateDescriptor<number>('fire-time', (a, b) => Math.min(a, b));
  private constructor(readonly interval: number) { super(); }

  static of<W extends Window = Window>(interval: number): ContinuousProcessingTimeTrigger<W> {
    if (!(Number.isFinite(interval) && interval > 0)) throw new RangeError(`ContinuousProcessingTimeTrigger.of(${interval}): the interval must be a positive number of milliseconds.`);
    return new ContinuousProcessingTimeTrigger<W>(interval);
  }

  onElement(_e: unknown, _ts: number | undefined, window: W, ctx: TriggerContext): TriggerResult {
    const state = ctx.getPartitionedState(this.stateDesc);
    const now = ctx.getCurrentProcessingTime();
    if (state.get() === undefined) this.registerNextFireTimestamp(now - (now % this.interval), window, ctx, state);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult { return TriggerResult.CONTINUE; }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    const state = ctx.getPartitionedState(this.stateDesc);
    if (state.get() === time) {
      state.clear();
      this.registerNextFireTimestamp(time, window, ctx, state);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  clear(_w: W, ctx: TriggerContext): void {
    const state = ctx.getPartitionedState(this.stateDesc);
    const ts = state.get();
    if (ts !== undefined) { ctx.deleteProcessingTimeTimer(ts); state.clear(); }
  }

  override canMerge(): boolean { return true; }
  override onMerge(_w: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = ctx.getPartitionedState(this.stateDesc).get();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }

  private registerNextFireTimestamp(time: number, window: W, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    state.add(next);
    ctx.registerProcessingTimeTimer(next);
  }
  override toString(): string { return `ContinuousProcessingTimeTrigger(${this.interval})`; }
}
