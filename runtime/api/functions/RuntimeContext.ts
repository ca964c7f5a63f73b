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
/** Quantiles of a histogram's recent values (Prometheus reports p50…p999 as a summary). */
export interface HistogramStatistics { min: number; max: number; mean: number; stddev: number; size: number; p50: number; p75: number; p95: number; p98: number; p99: number; p999: number }
export interface Histogram { update(value: number): void; getCount(): number; getStatistics(): HistogramStatistics }
/** Events per second (Flink's Meter); the default is a MeterView over the last 60 s. */
export interface Meter { markEvent(n?: number): void; getRate(): number; getCount(): number }
/** Flink's MetricGroup (docs/metrics.md): metrics of an operator, a task, a TaskManager or a job. */
export interface MetricGroup {
  /** The group's counter of that name (created on first use, the same one afterwards). */
  counter(name: string, counter?: Counter): Counter;
  /** Registers a gauge: `fn` is called when a reporter or the JobManager reads the metrics. */
  gauge<T>(name: string, fn: () => T): void;
  histogram(name: string, histogram?: Histogram): Histogram;
  meter(name: string, meter?: Meter): Meter;
  /** A subgroup: `addGroup(name)` adds a scope component; `addGroup(key, value)` also a variable `<key>` = value (a Prometheus label). */
  addGroup(name: string, value?: string): MetricGroup;
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
  /** The job's global parameters (pipeline.global-job-parameters; a scheduled run's ds, run_id, …). */
  getGlobalJobParameters(): Readonly<Record<string, string>>;
  /** One global job parameter, or `defaultValue` if the job has none of that name. */
  getJobParameter(key: string, defaultValue: string): string;
}

export interface OpenContext {
  readonly taskInfo: TaskInfo;
}
