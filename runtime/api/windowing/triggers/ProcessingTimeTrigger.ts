import { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './Trigger.js';
import type { Window } from '../windows/Window.js';

/** Fires when processing time reaches the window's end (Flink's ProcessingTimeTrigger). */
export class ProcessingTimeTrigger extends Trigger<unknown, Window> {
  private constructor() { super(); }
  static create(): ProcessingTimeTrigger { return new ProcessingTimeTrigger(); }

  onElement(_e: unknown, _ts: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult { return TriggerResult.CONTINUE; }
  onProcessingTime(): TriggerResult { return TriggerResult.FIRE; }
  override canMerge(): boolean { return true; }
  override onMerge(window: Window, ctx: OnMergeContext): void {
    const max = window.maxTimestamp();
    if (max > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(max);
  }
  clear(window: Window, ctx: TriggerContext): void { ctx.deleteProcessingTimeTimer(window.maxTimestamp()); }
  override toString(): string { return 'ProcessingTimeTrigger()'; }
}
