import type { RuntimeContext, TaskInfo, MetricGroup } from '../api/functions/RuntimeContext.js';
import type { Accumulator } from '../api/functions/Accumulator.js';
import type { ValueState, ListState, MapState, ReducingState, AggregatingState, State } from '../api/state/State.js';
import type {
  StateDescriptor, ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor,
} from '../api/state/StateDescriptor.js';
import type { StreamOperatorParameters } from './StreamOperator.js';

export class StreamingRuntimeContext implements RuntimeContext {
  constructor(private readonly p: StreamOperatorParameters) {}
  getTaskInfo(): TaskInfo { return this.p.taskInfo; }
  getMetricGroup(): MetricGroup { return this.p.metricGroup; }
  protected keyed<S extends State>(desc: StateDescriptor<unknown, unknown>): S {
    const b = this.p.keyedStateBackend;
    if (!b) {
      throw new Error(`Keyed state '${desc.name}' is only available on a keyed stream (after keyBy) — operator '${this.p.operatorName}' is not keyed. ` +
        'Use keyBy(...) before this operator, or operator state through CheckpointedFunction.');
    }
    return b.getPartitionedState<S>(desc);
  }
  getState<T>(desc: ValueStateDescriptor<T>): ValueState<T> { return this.keyed(desc as StateDescriptor<unknown, unknown>); }
  getListState<T>(desc: ListStateDescriptor<T>): ListState<T> { return this.keyed(desc as StateDescriptor<unknown, unknown>); }
  getMapState<K, V>(desc: MapStateDescriptor<K, V>): MapState<K, V> { return this.keyed(desc as StateDescriptor<unknown, unknown>); }
  getReducingState<T>(desc: ReducingStateDescriptor<T>): ReducingState<T> { return this.keyed(desc as StateDescriptor<unknown, unknown>); }
  getAggregatingState<IN, ACC, OUT>(desc: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.keyed(desc as StateDescriptor<unknown, unknown>);
  }
  addAccumulator<V, R>(name: string, acc: Accumulator<V, R>): void { this.p.accumulators.add(name, acc as Accumulator<unknown, unknown>); }
  getAccumulator<V, R>(name: string): Accumulator<V, R> | undefined { return this.p.accumulators.get(name) as Accumulator<V, R> | undefined; }
  getGlobalJobParameters(): Readonly<Record<string, string>> { return this.p.jobParameters ?? {}; }
  getJobParameter(key: string, defaultValue: string): string {
    const p = this.p.jobParameters;
    return p !== undefined && Object.hasOwn(p, key) ? p[key]! : defaultValue;
  }
}
