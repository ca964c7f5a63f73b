import type { Window } from '../windows/Window.js';
import type { MetricGroup } from '../../functions/RuntimeContext.js';

/** An element with its event timestamp, as evictors see it (Flink's TimestampedValue). */
export class TimestampedValue<T> {
  constructor(readonly value: T, readonly timestamp: number | undefined) {}
  getValue(): T { return this.value; }
  getTimestamp(): number {
    if (this.timestamp === undefined) throw new Error('TimestampedValue.getTimestamp: the element has no timestamp; check hasTimestamp() first.');
    return this.timestamp;
  }
  hasTimestamp(): boolean { return this.timestamp !== undefined; }
}

export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getMetricGroup(): MetricGroup;
  getCurrentWatermark(): number;
}

/**
 * Removes elements from a window before and/or after the window function runs (Flink's Evictor).
 * `elements` is the window's contents in arrival order; remove entries from the array in place.
 */
export interface Evictor<T, W extends Window> {
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
}

/** Removes, in place, the entries `drop` selects. */
export function removeWhere<T>(elements: TimestampedValue<T>[], drop: (e: TimestampedValue<T>, index: number) => boolean): void {
  let w = 0;
  for (let i = 0; i < elements.length; i++) if (!drop(elements[i], i)) elements[w++] = elements[i];
  elements.length = w;
}
