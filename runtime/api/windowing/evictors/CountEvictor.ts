import type { Evictor, TimestampedValue } from './Evictor.js';
import type { Window } from '../windows/Window.js';

/** Keeps at most `maxCount` elements, dropping the oldest (Flink's CountEvictor). */
export class CountEvictor<W extends Window = Window> implements Evictor<unknown, W> {
  private constructor(private readonly maxCount: number, private readonly doEvictAfter: boolean) {}
  /** `doEvictAfter`: evict after the window function instead of before. */
  static of<W extends Window = Window>(maxCount: number, doEvictAfter = false): CountEvictor<W> {
    if (!(Number.isInteger(maxCount) && maxCount >= 0)) throw new RangeError(`CountEvictor.of(${maxCount}): the count must be a non-negative integer.`);
    return new CountEvictor<W>(maxCount, doEvictAfter);
  }
  evictBefore(elements: TimestampedValue<unknown>[], size: number): void { if (!this.doEvictAfter) this.evict(elements, size); }
  evictAfter(elements: TimestampedValue<unknown>[], size: number): void { if (this.doEvictAfter) this.evict(elements, size); }
  private evict(elements: TimestampedValue<unknown>[], size: number): void {
    if (size <= this.maxCount) return;
    elements.splice(0, size - this.maxCount);
  }
}
