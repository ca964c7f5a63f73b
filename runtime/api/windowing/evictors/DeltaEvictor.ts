import { removeWhere, type Evictor, type TimestampedValue } from './Evictor.js';
import type { Window } from '../windows/Window.js';
import { resolveDelta, type DeltaFunction } from '../triggers/DeltaTrigger.js';

/** Drops elements whose delta to the newest element is >= threshold (Flink's DeltaEvictor). */
export class DeltaEvictor<T, W extends Window = Window> implements Evictor<T, W> {
  private constructor(private readonly threshold: number, private readonly delta: (a: T, b: T) => number, private readonly doEvictAfter: boolean) {}
  static of<T, W extends Window = Window>(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T, W> {
    if (!Number.isFinite(threshold)) throw new RangeError(`DeltaEvictor.of(${threshold}, …): the threshold must be a finite number.`);
    return new DeltaEvictor<T, W>(threshold, resolveDelta(deltaFunction, 'DeltaEvictor.of'), doEvictAfter);
  }
  evictBefore(elements: TimestampedValue<T>[]): void { if (!this.doEvictAfter) this.evict(elements); }
  evictAfter(elements: TimestampedValue<T>[]): void { if (this.doEvictAfter) this.evict(elements); }
  private evict(elements: TimestampedValue<T>[]): void {
    if (elements.length === 0) return;
    const last = elements[elements.length - 1];
    removeWhere(elements, (e) => this.delta(e.getValue(), last.getValue()) >= this.threshold);
  }
}
