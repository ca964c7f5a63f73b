import { AbstractRichFunction } from './RichFunction.js';
import type { Collector, OutputTag } from './Collector.js';
import type { ReadOnlyBroadcastState, BroadcastState, State } from '../state/State.js';
import type { MapStateDescriptor, StateDescriptor } from '../state/StateDescriptor.js';

export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(ts: number): void;
  registerProcessingTimeTimer(ts: number): void;
  deleteEventTimeTimer(ts: number): void;
  deleteProcessingTimeTimer(ts: number): void;
}

export interface ProcessContext {
  /** Event timestamp of the current element, or null. */
  timestamp(): number | null;
  output<X>(tag: OutputTag<X>, value: X): void;
  timerService(): TimerService;
}
export interface OnTimerContext extends ProcessContext { timeDomain(): TimeDomain }
export interface KeyedProcessContext<K> extends ProcessContext { getCurrentKey(): K }
export interface KeyedOnTimerContext<K> extends KeyedProcessContext<K> { timeDomain(): TimeDomain }

export abstract class ProcessFunction<I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}
export abstract class KeyedProcessFunction<K, I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<O>): void;
}
export abstract class CoProcessFunction<I1, I2, O> extends AbstractRichFunction {
  abstract processElement1(value: I1, ctx: ProcessContext, out: Collector<O>): void;
  abstract processElement2(value: I2, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}
export abstract class KeyedCoProcessFunction<K, I1, I2, O> extends AbstractRichFunction {
  abstract processElement1(value: I1, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  abstract processElement2(value: I2, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<O>): void;
}

/** Object-literal shapes accepted wherever the classes above are. */
export interface ProcessFunctionLike<I, O> {
  processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}
export interface KeyedProcessFunctionLike<K, I, O> {
  processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<O>): void;
}
export interface CoProcessFunctionLike<I1, I2, O> {
  processElement1(value: I1, ctx: ProcessContext, out: Collector<O>): void;
  processElement2(value: I2, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}
export interface KeyedCoProcessFunctionLike<K, I1, I2, O> {
  processElement1(value: I1, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  processElement2(value: I2, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<O>): void;
}

// Broadcast-state functions: the API shapes are here so the later broadcast-state issue plugs in.
export interface ReadOnlyBroadcastContext extends ProcessContext {
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}
export interface BroadcastContext extends ProcessContext {
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}
export interface KeyedBroadcastContext<K> extends BroadcastContext {
  applyToKeyedState<S extends State>(desc: StateDescriptor<unknown, unknown>, fn: (key: K, state: S) => void): void;
}
export interface KeyedReadOnlyContext<K> extends ReadOnlyBroadcastContext { getCurrentKey(): K }
export abstract class BroadcastProcessFunction<I, B, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ReadOnlyBroadcastContext, out: Collector<O>): void;
  abstract processBroadcastElement(value: B, ctx: BroadcastContext, out: Collector<O>): void;
}
export abstract class KeyedBroadcastProcessFunction<K, I, B, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: KeyedReadOnlyContext<K>, out: Collector<O>): void;
  abstract processBroadcastElement(value: B, ctx: KeyedBroadcastContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K> & ReadOnlyBroadcastContext, out: Collector<O>): void;
}
