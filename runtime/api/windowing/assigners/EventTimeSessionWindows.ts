import { MergingWindowAssigner, requireTimestamp, checkDuration, type WindowAssignerContext } from './WindowAssigner.js';
import { TimeWindow } from '../windows/TimeWindow.js';
import { EventTimeTrigger } from '../triggers/EventTimeTrigger.js';
import type { Trigger } from '../triggers/Trigger.js';
import type { WindowSerializer } from '../windows/Window.js';

/** The gap of a session, per element (Flink's SessionWindowTimeGapExtractor). */
export type SessionWindowTimeGapExtractor<T> = ((element: T) => number) | { extract(element: T): number };

export function resolveGapExtractor<T>(f: SessionWindowTimeGapExtractor<T>, where: string): (e: T) => number {
  if (typeof f === 'function') return f;
  if (f && typeof f.extract === 'function') return (e) => f.extract(e);
  throw new TypeError(`${where}: expected a gap extractor (element) => ms or an object with extract(element).`);
}

export function dynamicGap(gap: number): number {
  if (!(typeof gap === 'number' && gap > 0)) throw new RangeError(`Dynamic session time gap must satisfy 0 < gap (the gap extractor returned ${String(gap)}).`);
  return gap;
}

/**
 * Event-time sessions: each element opens [ts, ts + gap) and windows that overlap or touch
 * merge (Flink's EventTimeSessionWindows); withDynamicGap takes the gap from each element.
 */
export class EventTimeSessionWindows<T = unknown> extends MergingWindowAssigner<T, TimeWindow> {
  private constructor(private readonly gapOf: (e: T) => number, readonly sessionTimeout: number | null) { super(); }

  static withGap(size: number): EventTimeSessionWindows {
    checkDuration(size, 'EventTimeSessionWindows gap');
    if (size <= 0) throw new RangeError(`EventTimeSessionWindows parameters must satisfy 0 < size (got ${size} ms).`);
    return new EventTimeSessionWindows<unknown>(() => size, size);
  }

  /** Flink's DynamicEventTimeSessionWindows. */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): EventTimeSessionWindows<T> {
    const f = resolveGapExtractor(extractor, 'EventTimeSessionWindows.withDynamicGap');
    return new EventTimeSessionWindows<T>((e) => dynamicGap(f(e)), null);
  }

  assignWindows(element: T, timestamp: number | undefined, _c: WindowAssignerContext): TimeWindow[] {
    const ts = requireTimestamp(timestamp, 'EventTimeSessionWindows');
    return [new TimeWindow(ts, ts + this.gapOf(element))];
  }
  mergeWindows(windows: Iterable<TimeWindow>, callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, callback);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> { return EventTimeTrigger.create(); }
  getWindowSerializer(): WindowSerializer<TimeWindow> { return TimeWindow.serializer; }
  isEventTime(): boolean { return true; }
  override toString(): string { return this.sessionTimeout === null ? 'DynamicEventTimeSessionWindows()' : `EventTimeSessionWindows(${this.sessionTimeout})`; }
}
