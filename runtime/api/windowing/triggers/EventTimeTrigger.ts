import { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './Trigger.js';
import type { Window } from '../windows/Window.js';

/** Fires once the watermark passes the window's end (Flink's EventTimeTrigger; default of event-time assigners). */
export class EventTimeTrigger extends Trigger<unknown, Window> {
  private constructor() { super(); }
  static create(): EventTimeTrigger { return new EventTimeTrigger(); }

  onElement(_e: unknown, _ts: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    // The watermark is already past the window: a late element within allowed lateness fires at once.
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: Window): TriggerResult { return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE; }
  onProcessingTime(): TriggerResult { return TriggerResult.CONTINUE; }
  override canMerge(): boolean { return true; }
  override onMerge(window: Window, ctx: OnMergeContext): void {
    // Only re-register if the merged window is not already late (the watermark passed its end).
    const max = window.maxTimestamp();
    if (max > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(max);
  }
  clear(window: Window, ctx: TriggerContext): void { ctx.deleteEventTimeTimer(window.maxTimestamp()); }
  override toString(): string { return 'EventTimeTrigger()'; }
}
