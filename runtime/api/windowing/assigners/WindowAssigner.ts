import type { Window, WindowSerializer } from '../windows/Window.js';
import type { Trigger } from '../triggers/Trigger.js';

/** What an assigner may read while assigning (Flink's WindowAssigner.WindowAssignerContext). */
export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

/** Puts each element into zero or more windows (Flink's WindowAssigner). */
export abstract class WindowAssigner<T, W extends Window> {
  /** `timestamp` is the element's event timestamp, undefined when it has none. */
  abstract assignWindows(element: T, timestamp: number | undefined, context: WindowAssignerContext): W[];
  /** The trigger used when the user sets none. */
  abstract getDefaultTrigger(): Trigger<T, W>;
  /** How windows of this assigner name their state. */
  abstract getWindowSerializer(): WindowSerializer<W>;
  /** True if windows end by event time (watermarks); lateness applies only then. */
  abstract isEventTime(): boolean;
}

/** An assigner whose windows merge, such as sessions (Flink's MergingWindowAssigner). */
export abstract class MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /** Calls `callback` for every group of windows that becomes one. */
  abstract mergeWindows(windows: Iterable<W>, callback: (toBeMerged: W[], mergeResult: W) => void): void;
}

/** Flink's message for an element without a timestamp in an event-time window. */
export function requireTimestamp(timestamp: number | undefined, assigner: string): number {
  if (timestamp === undefined || timestamp === Number.MIN_SAFE_INTEGER) {
    throw new Error(`${assigner}: record has no timestamp (= no timestamp marker). Is the time characteristic set to 'ProcessingTime', ` +
      "or did you forget to call 'DataStream.assignTimestampsAndWatermarks(...)' or pass a WatermarkStrategy to fromSource?");
  }
  return timestamp;
}

export function checkDuration(v: number, what: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || !Number.isInteger(v)) throw new TypeError(`${what} must be a whole number of milliseconds, got ${String(v)}.`);
}
