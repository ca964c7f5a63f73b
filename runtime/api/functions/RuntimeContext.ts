import type { ValueState, ListState, MapState, ReducingState, AggregatingState } from '../state/State.js';
import type {
  ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor,
} from '../state/StateDescriptor.js';
import type { Accumulator } from './Accumulator.js';

export interface TaskInfo {
  readonly indexOfThisSubtask: number;
  readonly numberOfParallelSubtasks: number;
  readonly maxNumberOfParallelSubtasks: number;
  readonly attemptNumber: number;
  readonly taskName: string;
  readonly taskNameWithSubtasks: string;
}

export interface Counter { inc(n?: number): void; dec(n?: number): void; getCount(): number }
export interface Histogram { update(value: number): void; getCount(): number; getStatistics(): { min: number; max: number; mean: number; p50: number; p95: number; p99: number } }
export interface MetricGroup {
  counter(name: string): Counter;
  gauge<T>(name: string, fn: () => T): void;
  histogram(name: string): Histogram;
  addGroup(name: string): MetricGroup;
}

export interface RuntimeContext {
  getTaskInfo(): TaskInfo;
  getMetricGroup(): MetricGroup;
  getState<T>(desc: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(desc: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(desc: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(desc: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(desc: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  addAccumulator<V, R>(name: string, accumulator: Accumulator<V, R>): void;
  getAccumulator<V, R>(name: string): Accumulator<V, R> | undefined;
}

export interface OpenContext {
  readonly taskInfo: TaskInfo;
}
