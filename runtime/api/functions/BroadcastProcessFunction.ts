import { AbstractRichFunction } from './RichFunction.js';
import type { Collector, OutputTag } from './Collector.js';
import type { TimeDomain, TimerService } from './ProcessFunction.js';
import type {
  ReadOnlyBroadcastState, BroadcastState, ValueState, ListState, MapState, ReducingState, AggregatingState,
} from '../state/State.js';
import type {
  MapStateDescriptor, ValueStateDescriptor, ListStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor,
} from '../state/StateDescriptor.js';

/** What both sides of a broadcast function see (Flink's BaseBroadcastProcessFunction.BaseContext). */
export interface BaseBroadcastContext {
  /** Event timestamp of the current element, or null. */
  timestamp(): number | null;
  output<X>(tag: OutputTag<X>, value: X): void;
  currentProcessingTime(): number;
  currentWatermark(): number;
}
/** The broadcast side: broadcast state is writable (Flink's BaseBroadcastProcessFunction.Context). */
export interface BroadcastContext extends BaseBroadcastContext {
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}
/** The non-broadcast side: broadcast state is read-only, so all parallel instances stay equal. */
export interface ReadOnlyBroadcastContext extends BaseBroadcastContext {
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** Runs `fn` for every key that has the state, with the state of that key (Flink's KeyedStateFunction). */
export interface KeyedStateApplier<K> {
  applyToKeyedState<T>(desc: ValueStateDescriptor<T>, fn: (key: K, state: ValueState<T>) => void): void;
  applyToKeyedState<T>(desc: ListStateDescriptor<T>, fn: (key: K, state: ListState<T>) => void): void;
  applyToKeyedState<UK, UV>(desc: MapStateDescriptor<UK, UV>, fn: (key: K, state: MapState<UK, UV>) => void): void;
  applyToKeyedState<T>(desc: ReducingStateDescriptor<T>, fn: (key: K, state: ReducingState<T>) => void): void;
  applyToKeyedState<IN, ACC, OUT>(desc: AggregatingStateDescriptor<IN, ACC, OUT>, fn: (key: K, state: AggregatingState<IN, OUT>) => void): void;
}
/** The broadcast side of a keyed broadcast function: writable broadcast state and all keys' keyed state. */
export interface KeyedBroadcastContext<K> extends BroadcastContext, KeyedStateApplier<K> {}
/** The keyed side: read-only broadcast state, the current key and its timers. */
export interface KeyedReadOnlyContext<K> extends ReadOnlyBroadcastContext {
  timerService(): TimerService;
  getCurrentKey(): K;
}
export interface KeyedBroadcastOnTimerContext<K> extends KeyedReadOnlyContext<K> {
  timeDomain(): TimeDomain;
}

/** `stream.connect(broadcastStream).process(f)` on a non-keyed stream (Flink's BroadcastProcessFunction). */
export abstract class BroadcastProcessFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: ReadOnlyBroadcastContext, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<OUT>): void;
}
/** `keyed.connect(broadcastStream).process(f)` (Flink's KeyedBroadcastProcessFunction). */
export abstract class KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: KeyedReadOnlyContext<K>, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: KeyedBroadcastOnTimerContext<K>, out: Collector<OUT>): void;
}

/** Object-literal shapes accepted wherever the classes above are. */
export interface BroadcastProcessFunctionLike<IN1, IN2, OUT> {
  processElement(value: IN1, ctx: ReadOnlyBroadcastContext, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<OUT>): void;
}
export interface KeyedBroadcastProcessFunctionLike<K, IN1, IN2, OUT> {
  processElement(value: IN1, ctx: KeyedReadOnlyContext<K>, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: KeyedBroadcastOnTimerContext<K>, out: Collector<OUT>): void;
}
