import { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './Trigger.js';
import type { Window } from '../windows/Window.js';

/** Never fires: GlobalWindows' default, so a trigger must be set (Flink's GlobalWindows.NeverTrigger). */
export class NeverTrigger extends Trigger<unknown, Window> {
  onElement(): TriggerResult { return TriggerResult.CONTINUE; }
  onEventTime(): TriggerResult { return TriggerResult.CONTINUE; }
  onProcessingTime(): TriggerResult { return TriggerResult.CONTINUE; }
  clear(_w: Window, _ctx: TriggerContext): void {}
  override canMerge(): boolean { return true; }
  override onMerge(_w: Window, _ctx: OnMergeContext): void {}
}

/** Fires a GlobalWindow once, at the end of input (Flink's GlobalWindows.EndOfStreamTrigger). */
export class EndOfStreamTrigger extends Trigger<unknown, Window> {
  onElement(_e: unknown, _ts: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: Window): TriggerResult { return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE; }
  onProcessingTime(): TriggerResult { return TriggerResult.CONTINUE; }
  clear(_w: Window, _ctx: TriggerContext): void {}
}
