import { MergingWindowAssigner, checkDuration, type WindowAssignerContext } from './WindowAssigner.js';
import { TimeWindow } from '../windows/TimeWindow.js';
import { ProcessingTimeTrigger } from '../triggers/ProcessingTimeTrigger.js';
import type { Trigger } from '../triggers/Trigger.js';
import type { WindowSerializer } from '../windows/Window.js';
import { resolveGapExtractor, dynamicGap, type SessionWindowTimeGapExtractor } from './EventTimeSessionWindows.js';

/** Sessions by the operator's clock (Flink's ProcessingTimeSessionWindows / DynamicProcessingTimeSessionWindows). */
export class ProcessingTimeSessionWindows<T = unknown> extends MergingWindowAssigner<T, TimeWindow> {
  private constructor(private readonly gapOf: (e: T) => number, readonly sessionTimeout: number | null) { super(); }

  static withGap(size: number): ProcessingTimeSessionWindows {
    checkDuration(size, 'ProcessingTimeSessionWindows gap');
    if (size <= 0) throw new RangeError(`ProcessingTimeSessionWindows parameters must satisfy 0 < size (got ${size} ms).`);
    return new ProcessingTimeSessionWindows<unknown>(() => size, size);
  }
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): ProcessingTimeSessionWindows<T> {
    const f = resolveGapExtractor(extractor, 'ProcessingTimeSessionWindows.withDynamicGap');
    return new ProcessingTimeSessionWindows<T>((e) => dynamicGap(f(e)), null);
  }
  assignWindows(element: T, _ts: number | undefined, context: WindowAssignerContext): TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return [new TimeWindow(now, now + this.gapOf(element))];
  }
  mergeWindows(windows: Iterable<TimeWindow>, callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, callback);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> { return ProcessingTimeTrigger.create(); }
  getWindowSerializer(): WindowSerializer<TimeWindow> { return TimeWindow.serializer; }
  isEventTime(): boolean { return false; }
  override toString(): string { return this.sessionTimeout === null ? 'DynamicProcessingTimeSessionWindows()' : `ProcessingTimeSessionWindows(${this.sessionTimeout})`; }
}
