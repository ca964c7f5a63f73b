import { AbstractRichFunction } from '../../functions/RichFunction.js';
import type { Collector, OutputTag } from '../../functions/Collector.js';
import type { Window } from '../windows/Window.js';
import type { ValueState, ListState, MapState, ReducingState, AggregatingState } from '../../state/State.js';
import type { ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor } from '../../state/StateDescriptor.js';

/** Keyed state handles of one scope: the current window (windowState) or the whole key (globalState). */
export interface KeyedStateStore {
  getState<T>(desc: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(desc: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(desc: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(desc: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(desc: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/** What a window function sees besides the elements (Flink's ProcessWindowFunction.Context). */
export interface ProcessWindowContext<W extends Window> {
  window(): W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** State of this key and window; cleared with the window (ProcessWindowFunction.clear). */
  windowState(): KeyedStateStore;
  /** State of this key across all its windows. */
  globalState(): KeyedStateStore;
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Evaluates a window with all its elements, or with the single pre-aggregated value when used
 * after reduce/aggregate (Flink's ProcessWindowFunction).
 */
export abstract class ProcessWindowFunction<IN, OUT, K, W extends Window> extends AbstractRichFunction {
  abstract process(key: K, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  /** The window is purged: delete its windowState(). */
  clear(_context: ProcessWindowContext<W>): void {}
}

/** The non-keyed variant for windowAll (Flink's ProcessAllWindowFunction). */
export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window> extends AbstractRichFunction {
  abstract process(context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  clear(_context: ProcessWindowContext<W>): void {}
}

/** What `process` accepts: a ProcessWindowFunction or any object with a process(key, ctx, elements, out) method. */
export interface ProcessWindowFunctionLike<IN, OUT, K, W extends Window> {
  process(key: K, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  clear?(context: ProcessWindowContext<W>): void;
}
export interface ProcessAllWindowFunctionLike<IN, OUT, W extends Window> {
  process(context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  clear?(context: ProcessWindowContext<W>): void;
}

/** The older window function (Flink's WindowFunction): `apply(key, window, elements, out)`. */
export type WindowFunction<IN, OUT, K, W extends Window> =
  | ((key: K, window: W, elements: Iterable<IN>, out: Collector<OUT>) => void)
  | { apply(key: K, window: W, elements: Iterable<IN>, out: Collector<OUT>): void };
export type AllWindowFunction<IN, OUT, W extends Window> =
  | ((window: W, elements: Iterable<IN>, out: Collector<OUT>) => void)
  | { apply(window: W, elements: Iterable<IN>, out: Collector<OUT>): void };
