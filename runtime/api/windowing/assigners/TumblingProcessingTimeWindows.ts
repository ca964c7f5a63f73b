import { WindowAssigner, checkDuration, type WindowAssignerContext } from './WindowAssigner.js';
import { TimeWindow } from '../windows/TimeWindow.js';
import { ProcessingTimeTrigger } from '../triggers/ProcessingTimeTrigger.js';
import type { Trigger } from '../triggers/Trigger.js';
import type { WindowSerializer } from '../windows/Window.js';
import { WindowStagger } from './WindowStagger.js';

/** Fixed-size, non-overlapping windows by the operator's clock (Flink's TumblingProcessingTimeWindows). */
export class TumblingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private staggerOffset: number | null = null;
  private constructor(readonly size: number, readonly globalOffset: number, readonly windowStagger: WindowStagger) {
    super();
    checkDuration(size, 'TumblingProcessingTimeWindows size'); checkDuration(globalOffset, 'TumblingProcessingTimeWindows offset');
    if (Math.abs(globalOffset) >= size) {
      throw new RangeError(`TumblingProcessingTimeWindows parameters must satisfy abs(offset) < size (got size ${size} ms, offset ${globalOffset} ms).`);
    }
  }
  static of(size: number, offset = 0, windowStagger: WindowStagger = WindowStagger.ALIGNED): TumblingProcessingTimeWindows {
    return new TumblingProcessingTimeWindows(size, offset, windowStagger);
  }
  assignWindows(_e: unknown, _ts: number | undefined, context: WindowAssignerContext): TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    if (this.staggerOffset === null) this.staggerOffset = this.windowStagger.getStaggerOffset(now, this.size);
    const start = TimeWindow.getWindowStartWithOffset(now, (this.globalOffset + this.staggerOffset) % this.size, this.size);
    return [new TimeWindow(start, start + this.size)];
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> { return ProcessingTimeTrigger.create(); }
  getWindowSerializer(): WindowSerializer<TimeWindow> { return TimeWindow.serializer; }
  isEventTime(): boolean { return false; }
  override toString(): string { return `TumblingProcessingTimeWindows(${this.size})`; }
}
