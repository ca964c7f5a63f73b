import { WindowAssigner, requireTimestamp, checkDuration, type WindowAssignerContext } from './WindowAssigner.js';
import { TimeWindow } from '../windows/TimeWindow.js';
import { EventTimeTrigger } from '../triggers/EventTimeTrigger.js';
import type { Trigger } from '../triggers/Trigger.js';
import type { WindowSerializer } from '../windows/Window.js';

/** The windows of `size` every `slide` that contain `ts` (Flink's sliding assignment), latest first. */
export function slidingWindows(ts: number, size: number, slide: number, offset: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const lastStart = TimeWindow.getWindowStartWithOffset(ts, offset, slide);
  for (let start = lastStart; start > ts - size; start -= slide) windows.push(new TimeWindow(start, start + size));
  return windows;
}

export function checkSliding(size: number, slide: number, offset: number, name: string): void {
  checkDuration(size, `${name} size`); checkDuration(slide, `${name} slide`); checkDuration(offset, `${name} offset`);
  if (Math.abs(offset) >= slide || size <= 0) {
    throw new RangeError(`${name} parameters must satisfy abs(offset) < slide and size > 0 (got size ${size} ms, slide ${slide} ms, offset ${offset} ms).`);
  }
}

/** Overlapping event-time windows of `size`, one starting every `slide` (Flink's SlidingEventTimeWindows). */
export class SlidingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private constructor(readonly size: number, readonly slide: number, readonly offset: number) {
    super();
    checkSliding(size, slide, offset, 'SlidingEventTimeWindows');
  }
  static of(size: number, slide: number, offset = 0): SlidingEventTimeWindows { return new SlidingEventTimeWindows(size, slide, offset); }
  assignWindows(_e: unknown, timestamp: number | undefined, _c: WindowAssignerContext): TimeWindow[] {
    return slidingWindows(requireTimestamp(timestamp, 'SlidingEventTimeWindows'), this.size, this.slide, this.offset);
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> { return EventTimeTrigger.create(); }
  getWindowSerializer(): WindowSerializer<TimeWindow> { return TimeWindow.serializer; }
  isEventTime(): boolean { return true; }
  override toString(): string { return `SlidingEventTimeWindows(${this.size}, ${this.slide})`; }
}
