import { Trigger, TriggerResult, type TriggerContext } from './Trigger.js';
import type { Window } from '../windows/Window.js';
import { ValueStateDescriptor } from '../../state/StateDescriptor.js';

/** Distance between two elements (Flink's DeltaFunction). */
export type DeltaFunction<T> = ((oldDataPoint: T, newDataPoint: T) => number) | { getDelta(oldDataPoint: T, newDataPoint: T): number };

export function resolveDelta<T>(f: DeltaFunction<T>, where: string): (a: T, b: T) => number {
  if (typeof f === 'function') return f;
  if (f && typeof f.getDelta === 'function') return (a, b) => f.getDelta(a, b);
  throw new TypeError(`${where}: expected a delta function (old, new) => number or an object with getDelta().`);
}

/**
 * Fires when the delta between the element that last fired and the current one exceeds
 * `threshold` (Flink's DeltaTrigger); the first element only becomes the reference.
 */
export class DeltaTrigger<T, W extends Window = Window> extends Trigger<T, W> {
  private readonly stateDesc = new ValueStateDescriptor<T>('last-element');
  private constructor(private readonly threshold: number, private readonly delta: (a: T, b: T) => number) { super(); }

  static of<T, W extends Window = Window>(threshold: number, deltaFunction: DeltaFunction<T>): DeltaTrigger<T, W> {
    if (!Number.isFinite(threshold)) throw new RangeError(`DeltaTrigger.of(${threshold}, …): the threshold must be a finite number.`);
    return new DeltaTrigger<T, W>(threshold, resolveDelta(deltaFunction, 'DeltaTrigger.of'));
  }

  onElement(element: T, _ts: number | undefined, _w: W, ctx: TriggerContext): TriggerResult {
    const last = ctx.getPartitionedState(this.stateDesc);
    const prev = last.value();
    if (prev === undefined) { last.update(element); return TriggerResult.CONTINUE; }
    if (this.delta(prev, element) > this.threshold) { last.update(element); return TriggerResult.FIRE; }
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult { return TriggerResult.CONTINUE; }
  onProcessingTime(): TriggerResult { return TriggerResult.CONTINUE; }
  clear(_w: W, ctx: TriggerContext): void { ctx.getPartitionedState(this.stateDesc).clear(); }
  override toString(): string { return `DeltaTrigger(${this.threshold})`; }
}
