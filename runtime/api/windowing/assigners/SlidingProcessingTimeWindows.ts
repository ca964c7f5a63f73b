import { WindowAssigner, type WindowAssignerContext } from './WindowAssigner.js';
import { TimeWindow } from '../windows/TimeWindow.js';
import { ProcessingTimeTrigger } from '../triggers/ProcessingTimeTrigger.js';
import type { Trigger } from '../triggers/Trigger.js';
import type { WindowSerializer } from '../windows/Window.js';
import { slidingWindows, checkSliding } from './SlidingEventTimeWindows.js';

/** Overlapping windows by the operator's clock (Flink's SlidingProcessingTimeWindows). */
export class SlidingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private constructor(readonly size: number, readonly slide: number, readonly offset: number) {
    super();
    checkSliding(size, slide, offset, 'SlidingProcessingTimeWindows');
  }
  static of(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows { return new SlidingProcessingTimeWindows(size, slide, offset); }
  assignWindows(_e: unknown, _ts: number | undefined, context: WindowAssignerContext): TimeWindow[] {
    return slidingWindows(context.getCurrentProcessingTime(), this.size, this.slide, this.offset);
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> { return ProcessingTimeTrigger.create(); }
  getWindowSerializer(): WindowSerializer<TimeWindow> { return TimeWindow.serializer; }
  isEventTime(): boolean { return false; }
  override toString(): string { return `SlidingProcessingTimeWindows(${this.size}, ${this.slide})`; }
}
