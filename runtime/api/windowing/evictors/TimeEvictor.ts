import { removeWhere, type Evictor, type TimestampedValue } from './Evictor.js';
import type { Window } from '../windows/Window.js';

/** Keeps the elements within `windowSize` ms of the newest one (Flink's TimeEvictor). */
export class TimeEvictor<W extends Window = Window> implements Evictor<unknown, W> {
  private constructor(private readonly windowSize: number, private readonly doEvictAfter: boolean) {}
  static of<W extends Window = Window>(windowSize: number, doEvictAfter = false): TimeEvictor<W> {
    if (!(Number.isFinite(windowSize) && windowSize >= 0)) throw new RangeError(`TimeEvictor.of(${windowSize}): the size must be a non-negative number of milliseconds.`);
    return new TimeEvictor<W>(windowSize, doEvictAfter);
  }
  evictBefore(elements: TimestampedValue<unknown>[]): void { if (!this.doEvictAfter) this.evict(elements); }
  evictAfter(elements: TimestampedValue<unknown>[]): void { if (this.doEvictAfter) this.evict(elements); }
  private evict(elements: TimestampedValue<unknown>[]): void {
    // Without timestamps (processing time) there is nothing to compare: keep everything, as Flink does.
    if (elements.length === 0 || !elements[0].hasTimestamp()) return;
    let max = Number.MIN_SAFE_INTEGER;
    for (const e of elements) if (e.getTimestamp() > max) max = e.getTimestamp();
    const cutoff = max - this.windowSize;
    removeWhere(elements, (e) => e.getTimestamp() <= cutoff);
  }
}
