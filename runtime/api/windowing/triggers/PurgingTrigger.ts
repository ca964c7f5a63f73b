import { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './Trigger.js';
import type { Window } from '../windows/Window.js';

/** Turns every FIRE of the nested trigger into FIRE_AND_PURGE (Flink's PurgingTrigger). */
export class PurgingTrigger<T, W extends Window> extends Trigger<T, W> {
  private constructor(readonly nestedTrigger: Trigger<T, W>) { super(); }
  static of<T, W extends Window>(nestedTrigger: Trigger<T, W>): PurgingTrigger<T, W> {
    if (!(nestedTrigger instanceof Trigger)) throw new TypeError('PurgingTrigger.of: expected a Trigger, e.g. CountTrigger.of(10).');
    return new PurgingTrigger(nestedTrigger);
  }
  private static purging(r: TriggerResult): TriggerResult { return r.isFire() ? TriggerResult.FIRE_AND_PURGE : r; }
  onElement(e: T, ts: number | undefined, w: W, ctx: TriggerContext): TriggerResult { return PurgingTrigger.purging(this.nestedTrigger.onElement(e, ts, w, ctx)); }
  onEventTime(time: number, w: W, ctx: TriggerContext): TriggerResult { return PurgingTrigger.purging(this.nestedTrigger.onEventTime(time, w, ctx)); }
  onProcessingTime(time: number, w: W, ctx: TriggerContext): TriggerResult { return PurgingTrigger.purging(this.nestedTrigger.onProcessingTime(time, w, ctx)); }
  clear(w: W, ctx: TriggerContext): void { this.nestedTrigger.clear(w, ctx); }
  override canMerge(): boolean { return this.nestedTrigger.canMerge(); }
  override onMerge(w: W, ctx: OnMergeContext): void { this.nestedTrigger.onMerge(w, ctx); }
  override toString(): string { return `PurgingTrigger(${this.nestedTrigger.toString()})`; }
}
