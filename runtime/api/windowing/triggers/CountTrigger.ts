import { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './Trigger.js';
import type { Window } from '../windows/Window.js';
import { ReducingStateDescriptor } from '../../state/StateDescriptor.js';

/** Fires once a window holds `maxCount` elements since it last fired (Flink's CountTrigger). */
export class CountTrigger<W extends Window = Window> extends Trigger<unknown, W> {
  private readonly stateDesc = new ReducingStateDescriptor<number>('count', (a, b) => a + b);
  private constructor(private readonly maxCount: number) { super(); }

  static of<W extends Window = Window>(maxCount: number): CountTrigger<W> {
    if (!(Number.isInteger(maxCount) && maxCount > 0)) throw new RangeError(`CountTrigger.of(${maxCount}): the count must be a positive integer.`);
    return new CountTrigger<W>(maxCount);
  }

  onElement(_e: unknown, _ts: number | undefined, _w: W, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(this.stateDesc);
    count.add(1);
    if ((count.get() ?? 0) >= this.maxCount) { count.clear(); return TriggerResult.FIRE; }
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult { return TriggerResult.CONTINUE; }
  onProcessingTime(): TriggerResult { return TriggerResult.CONTINUE; }
  clear(_w: W, ctx: TriggerContext): void { ctx.getPartitionedState(this.stateDesc).clear(); }
  override canMerge(): boolean { return true; }
  override onMerge(_w: W, ctx: OnMergeContext): void { ctx.mergePartitionedState(this.stateDesc); }
  override toString(): string { return `CountTrigger(${this.maxCount})`; }
}
