import type { Window } from '../windows/Window.js';
import type { MetricGroup } from '../../functions/RuntimeContext.js';
import type { ValueState, ListState, ReducingState, AggregatingState, MapState } from '../../state/State.js';
import type {
  ValueStateDescriptor, ListStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor, MapStateDescriptor, StateDescriptor,
} from '../../state/StateDescriptor.js';

/** What a trigger decides for a window (Flink's TriggerResult). */
export class TriggerResult {
  /** Do nothing. */
  static readonly CONTINUE = new TriggerResult('CONTINUE', false, false);
  /** Evaluate the window function and emit its result; the window keeps its contents. */
  static readonly FIRE = new TriggerResult('FIRE', true, false);
  /** Drop the window's contents without emitting. */
  static readonly PURGE = new TriggerResult('PURGE', false, true);
  /** Emit, then drop the contents. */
  static readonly FIRE_AND_PURGE = new TriggerResult('FIRE_AND_PURGE', true, true);

  private constructor(readonly name: string, private readonly fire: boolean, private readonly purge: boolean) {}
  isFire(): boolean { return this.fire; }
  isPurge(): boolean { return this.purge; }
  toString(): string { return this.name; }

  /** Fires if either fires, purges if either purges (used when a merge and an element both decide). */
  static merge(a: TriggerResult, b: TriggerResult): TriggerResult {
    const fire = a.fire || b.fire, purge = a.purge || b.purge;
    return fire ? (purge ? TriggerResult.FIRE_AND_PURGE : TriggerResult.FIRE) : (purge ? TriggerResult.PURGE : TriggerResult.CONTINUE);
  }
}

/** Scoped state of the window the trigger is called for (Flink's partitioned state: key and window). */
export interface PartitionedStateStore {
  getPartitionedState<T>(desc: ValueStateDescriptor<T>): ValueState<T>;
  getPartitionedState<T>(desc: ListStateDescriptor<T>): ListState<T>;
  getPartitionedState<T>(desc: ReducingStateDescriptor<T>): ReducingState<T>;
  getPartitionedState<IN, ACC, OUT>(desc: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  getPartitionedState<K, V>(desc: MapStateDescriptor<K, V>): MapState<K, V>;
}

/** What a trigger may do: read time, register timers and keep state, all for the current key and window. */
export interface TriggerContext extends PartitionedStateStore {
  getCurrentProcessingTime(): number;
  getMetricGroup(): MetricGroup;
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
}

/** onMerge's context: also merges the trigger's state of the merged windows into the result window. */
export interface OnMergeContext extends TriggerContext {
  mergePartitionedState(desc: ListStateDescriptor<unknown> | ReducingStateDescriptor<never> | AggregatingStateDescriptor<never, unknown, unknown> | StateDescriptor<unknown, unknown>): void;
}

/**
 * Decides when a window is evaluated or purged (Flink's Trigger). Called per element and per
 * timer the trigger registered; state and timers are scoped to the key and window.
 */
export abstract class Trigger<T, W extends Window> {
  abstract onElement(element: T, timestamp: number | undefined, window: W, ctx: TriggerContext): TriggerResult;
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** True if this trigger works with merging (session) windows; then onMerge must be implemented. */
  canMerge(): boolean { return false; }
  onMerge(_window: W, _ctx: OnMergeContext): void {
    throw new Error(`${this.constructor.name} does not support merging windows; implement canMerge() and onMerge().`);
  }
  /** The window is gone: delete the timers and state this trigger keeps for it. */
  abstract clear(window: W, ctx: TriggerContext): void;
  toString(): string { return `${this.constructor.name}()`; }
}
