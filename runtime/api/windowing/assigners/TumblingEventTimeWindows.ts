import { WindowAssigner, requireTimestamp, checkDuration, type WindowAssignerContext } from './WindowAssigner.js';
import { TimeWindow } from '../windows/TimeWindow.js';
import { EventTimeTrigger } from '../triggers/EventTimeTrigger.js';
import type { Trigger } from '../triggers/Trigger.js';
import type { WindowSerializer } from '../windows/Window.js';
import { WindowStagger } from './WindowStagger.js';

/**
 * Fixed-size, non-overlapping event-time windows (Flink's TumblingEventTimeWindows).
 * `of(Duration.ofDays(1), Duration.ofHours(-8))` gives days of UTC+8.
 */
export class TumblingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private staggerOffset: number | null = null;
  private constructor(readonly size: number, readonly globalOffset: number, readonly windowStagger: WindowStagger) {
    super();
    checkDuration(size, 'TumblingEventTimeWindows size'); checkDuration(globalOffset, 'TumblingEventTimeWindows offset');
    if (Math.abs(globalOffset) >= size) {
      throw new RangeError(`TumblingEventTimeWindows parameters must satisfy abs(offset) < size (got size ${size} ms, offset ${globalOffset} ms).`);
    }
  }

  static of(size: number, offset = 0, windowStagger: WindowStagger = WindowStagger.ALIGNED): TumblingEventTimeWindows {
    return new TumblingEventTimeWindows(size, offset, windowStagger);
  }

  assignWindows(_e: unknown, timestamp: number | undefined, context: WindowAssignerContext): TimeWindow[] {
    const ts = requireTimestamp(timestamp, 'TumblingEventTimeWindows');
    if (this.staggerOffset === null) this.staggerOffset = this.windowStagger.getStaggerOffset(context.getCurrentProcessingTime(), this.size);
    const start = TimeWindow.getWindowStartWithOffset(ts, (this.globalOffset + this.staggerOffset) % this.size, this.size);
    return [new TimeWindow(start, start + this.size)];
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> { return EventTimeTrigger.create(); }
  getWindowSerializer(): WindowSerializer<TimeWindow> { return TimeWindow.serializer; }
  isEventTime(): boolean { return true; }
  override toString(): string { return `TumblingEventTimeWindows(${this.size})`; }
}
