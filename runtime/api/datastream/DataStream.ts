import type { StreamEnvironment } from '../environment/StreamEnvironment.js';
import {
  type Transformation, OneInputTransformation, TwoInputTransformation, SinkTransformation,
  PartitionTransformation, UnionTransformation, SideOutputTransformation, SourceTransformation,
} from '../dag/Transformation.js';
import {
  type StreamPartitioner, ForwardPartitioner, RebalancePartitioner, RescalePartitioner, ShufflePartitioner,
  BroadcastPartitioner, GlobalPartitioner, KeyGroupStreamPartitioner, CustomPartitionerWrapper,
} from '../../partitioner/StreamPartitioner.js';
import type {
  MapFunction, FlatMapFunction, FilterFunction, KeySelector, ReduceFunction, CoMapFunction, CoFlatMapFunction, PartitionerFunction,
} from '../functions/Functions.js';
import { resolveFunction, describe } from '../functions/Functions.js';
import type { Collector, OutputTag } from '../functions/Collector.js';
import type {
  ProcessFunctionLike, KeyedProcessFunctionLike, CoProcessFunctionLike, KeyedCoProcessFunctionLike,
} from '../functions/ProcessFunction.js';
import type { Sink } from '../connector/Sink.js';
import type { OperatorFactory } from '../../operators/StreamOperator.js';
import { copyUserFunction } from '../../operators/AbstractStreamOperator.js';
import { StreamMap } from '../../operators/StreamMap.js';
import { StreamFlatMap } from '../../operators/StreamFlatMap.js';
import { StreamFilter } from '../../operators/StreamFilter.js';
import { ProcessOperator } from '../../operators/ProcessOperator.js';
import { KeyedProcessOperator } from '../../operators/KeyedProcessOperator.js';
import { CoProcessOperator, KeyedCoProcessOperator } from '../../operators/CoProcessOperator.js';
import { CoStreamMap, CoStreamFlatMap } from '../../operators/CoStreamMap.js';
import { StreamGroupedReduceOperator } from '../../operators/StreamGroupedReduceOperator.js';
import { BatchCombineOperator } from '../../operators/combine/BatchCombineOperator.js';
import { FieldCombiner } from '../../operators/combine/FieldCombiner.js';
import { SinkWriterOperator } from '../../operators/SinkWriterOperator.js';
import { CollectSinkOperator } from '../../operators/CollectSinkOperator.js';
import { fieldAggregator, type AggregationType } from '../../operators/Aggregations.js';
import { PrintSink } from '../../connectors/print/PrintSink.js';
import { TimestampsAndWatermarksOperator } from '../../operators/TimestampsAndWatermarksOperator.js';
import type { WatermarkStrategy } from '../eventtime/WatermarkStrategy.js';
import type { MapStateDescriptor } from '../state/StateDescriptor.js';
import { BroadcastStream } from './BroadcastStream.js';

/** A stream of records of type T (Flink's DataStream). */
export class DataStream<T> {
  constructor(readonly environment: StreamEnvironment, readonly transformation: Transformation<T>) {}

  getExecutionEnvironment(): StreamEnvironment { return this.environment; }
  getParallelism(): number { return this.transformation.parallelism > 0 ? this.transformation.parallelism : this.environment.getParallelism(); }
  getId(): number { return this.transformation.id; }

  // ---- record-at-a-time operators -------------------------------------------------------

  map<R>(f: MapFunction<T, R>): SingleOutputStreamOperator<R> {
    resolveFunction(f, 'map', 'map');
    return this.transform<R>('Map', 'StreamMap', () => {
      const fn = copyUserFunction(f);
      return new StreamMap<T, R>(fn, resolveFunction<(v: T) => R>(fn, 'map', 'map'));
    });
  }

  flatMap<R>(f: FlatMapFunction<T, R>): SingleOutputStreamOperator<R> {
    resolveFunction(f, 'flatMap', 'flatMap');
    return this.transform<R>('Flat Map', 'StreamFlatMap', () => {
      const fn = copyUserFunction(f);
      return new StreamFlatMap<T, R>(fn, resolveFunction<(v: T, out: Collector<R>) => void | Iterable<R>>(fn, 'flatMap', 'flatMap'));
    });
  }

  filter(f: FilterFunction<T>): SingleOutputStreamOperator<T> {
    resolveFunction(f, 'filter', 'filter');
    return this.transform<T>('Filter', 'StreamFilter', () => {
      const fn = copyUserFunction(f);
      return new StreamFilter<T>(fn, resolveFunction<(v: T) => boolean>(fn, 'filter', 'filter'));
    });
  }

  process<R>(f: ProcessFunctionLike<T, R>): SingleOutputStreamOperator<R> {
    requireMethod(f, 'processElement', 'process');
    return this.transform<R>('Process', 'ProcessOperator', () => new ProcessOperator<T, R>(copyUserFunction(f)));
  }

  /** Assigns event timestamps and generates watermarks here (API.md §5). */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): SingleOutputStreamOperator<T> {
    if (!strategy || !('createGenerator' in strategy)) throw new TypeError('assignTimestampsAndWatermarks: expected a WatermarkStrategy, e.g. WatermarkStrategy.forMonotonousTimestamps().');
    return this.transform<T>('Timestamps/Watermarks', 'TimestampsAndWatermarksOperator', () => new TimestampsAndWatermarksOperator<T>(strategy));
  }

  // ---- partitioning --------------------------------------------------------------------

  keyBy<K>(f: KeySelector<T, K>): KeyedStream<T, K> {
    const ks = resolveFunction<(v: T) => K>(f, 'getKey', 'keyBy');
    return new KeyedStream<T, K>(this, ks);
  }

  partitionCustom<K>(partitioner: PartitionerFunction<K>, keySelector: KeySelector<T, K>): DataStream<T> {
    const p = typeof partitioner === 'function' ? partitioner : resolveFunction<(k: K, n: number) => number>(partitioner, 'partition', 'partitionCustom');
    const ks = resolveFunction<(v: T) => K>(keySelector, 'getKey', 'partitionCustom');
    return this.setConnectionType(new CustomPartitionerWrapper(p as (k: unknown, n: number) => number, ks as (v: unknown) => unknown));
  }

  forward(): DataStream<T> { return this.setConnectionType(new ForwardPartitioner()); }
  rebalance(): DataStream<T> { return this.setConnectionType(new RebalancePartitioner()); }
  rescale(): DataStream<T> { return this.setConnectionType(new RescalePartitioner()); }
  shuffle(): DataStream<T> { return this.setConnectionType(new ShufflePartitioner()); }
  global(): DataStream<T> { return this.setConnectionType(new GlobalPartitioner()); }
  /** Sends every record to every parallel instance of the next operator. */
  broadcast(): DataStream<T>;
  /** With MapStateDescriptors: a BroadcastStream, to connect() to a stream whose function reads these broadcast states. */
  broadcast(...descriptors: MapStateDescriptor<unknown, unknown>[]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<unknown, unknown>[]): DataStream<T> | BroadcastStream<T> {
    const partitioned = this.setConnectionType(new BroadcastPartitioner());
    return descriptors.length === 0 ? partitioned : new BroadcastStream<T>(this.environment, partitioned.transformation, descriptors);
  }

  protected setConnectionType(p: StreamPartitioner): DataStream<T> {
    return new DataStream<T>(this.environment, new PartitionTransformation<T>(this.environment.nextTransformationId(), this.transformation, p));
  }

  // ---- combining -----------------------------------------------------------------------

  union(...others: DataStream<T>[]): DataStream<T> {
    const inputs: Transformation<T>[] = [this.transformation];
    for (const o of others) {
      if (o.environment !== this.environment) throw new Error('union: all streams must belong to the same StreamExecutionEnvironment.');
      inputs.push(o.transformation);
    }
    return new DataStream<T>(this.environment, new UnionTransformation<T>(this.environment.nextTransformationId(), inputs));
  }

  connect<U>(other: DataStream<U>): ConnectedStreams<T, U>;
  // BroadcastConnectedStream.ts adds the connect(broadcastStream) overload, hence the wide implementation signature.
  connect<U>(other: unknown): unknown {
    if (!(other instanceof DataStream)) throw new TypeError(`connect: expected a DataStream or a BroadcastStream, got ${describe(other)}.`);
    if (other.environment !== this.environment) throw new Error('connect: both streams must belong to the same StreamExecutionEnvironment.');
    return new ConnectedStreams<T, U>(this.environment, this, other as DataStream<U>);
  }

  // ---- sinks ---------------------------------------------------------------------------

  sinkTo(sink: Sink<T, unknown>): DataStreamSink<T> {
    if (!sink || typeof (sink as Sink<T, unknown>).createWriter !== 'function') {
      throw new TypeError(`sinkTo: expected a Sink (an object with createWriter()), got ${describe(sink)}.`);
    }
    const name = (sink as { name?: string }).name ?? sink.constructor?.name ?? 'Sink';
    return this.addSink(`Sink: ${name}`, 'SinkWriterOperator', () => new SinkWriterOperator<T>(sink));
  }

  /** Writes each record to stdout (API.md §2): `prefix:subtask> record` when parallelism > 1. */
  print(prefix?: string): DataStreamSink<T> {
    return this.addSink('Sink: Print to Std. Out', 'SinkWriterOperator', () => new SinkWriterOperator<T>(new PrintSink<T>(prefix)));
  }

  /** Like print, to stderr. */
  printToErr(prefix?: string): DataStreamSink<T> {
    return this.addSink('Sink: Print to Std. Err', 'SinkWriterOperator', () => new SinkWriterOperator<T>(new PrintSink<T>(prefix, true)));
  }

  /** Runs the job and returns the records that reached this point (bounded jobs, or the first `limit`). */
  async executeAndCollect(jobName?: string, limit?: number): Promise<T[]> {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new RangeError(`executeAndCollect: limit must be a non-negative integer, got ${limit}.`);
    const sink = this.addSink('Sink: Collect', 'CollectSinkOperator', () => new CollectSinkOperator<T>());
    const result = await this.environment.executeWithCollect(jobName, sink.transformation.id, limit);
    return result as T[];
  }

  protected addSink(name: string, kind: string, factory: OperatorFactory): DataStreamSink<T> {
    const t = new SinkTransformation<T>(this.environment.nextTransformationId(), name, this.transformation, factory, kind);
    this.environment.addOperator(t);
    return new DataStreamSink<T>(t);
  }

  /** Adds a one-input operator after this stream. */
  transform<R>(name: string, kind: string, factory: OperatorFactory): SingleOutputStreamOperator<R> {
    const t = new OneInputTransformation<T, R>(this.environment.nextTransformationId(), name, this.transformation, factory, kind);
    this.environment.addOperator(t);
    return new SingleOutputStreamOperator<R>(this.environment, t);
  }
}

/** The result of an operator: a DataStream whose properties can still be set. */
export class SingleOutputStreamOperator<T> extends DataStream<T> {
  name(name: string): this { this.transformation.name = name; return this; }
  getName(): string { return this.transformation.name; }
  uid(uid: string): this { this.transformation.uid = uid; return this; }
  setUidHash(uidHash: string): this { this.transformation.uid = uidHash; return this; }
  setParallelism(parallelism: number): this {
    checkParallelism(parallelism, this.transformation.name);
    if (this.transformation instanceof SourceTransformation && (this.transformation as SourceTransformation<T> & { nonParallel?: boolean }).nonParallel && parallelism !== 1) {
      throw new Error(`The parallelism of non parallel operator '${this.transformation.name}' must be 1 (it emits a fixed collection); got ${parallelism}. Use fromSequence or a parallel Source instead.`);
    }
    this.transformation.parallelism = parallelism;
    return this;
  }
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) throw new RangeError(`setMaxParallelism(${maxParallelism}) on '${this.transformation.name}': must be an integer in 1..32768.`);
    this.transformation.maxParallelism = maxParallelism;
    return this;
  }
  disableChaining(): this { this.transformation.chainingStrategy = 'NEVER'; return this; }
  startNewChain(): this { this.transformation.chainingStrategy = 'HEAD'; return this; }
  slotSharingGroup(group: string): this { this.transformation.slotSharingGroup = group; return this; }
  setBufferTimeout(ms: number): this { this.transformation.bufferTimeout = ms; return this; }
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    return new DataStream<X>(this.environment, new SideOutputTransformation<X>(this.environment.nextTransformationId(), this.transformation, tag.id));
  }
}

/** A sink at the end of a stream; its properties can still be set. */
export class DataStreamSink<T> {
  constructor(readonly transformation: SinkTransformation<T>) {}
  name(name: string): this { this.transformation.name = name; return this; }
  uid(uid: string): this { this.transformation.uid = uid; return this; }
  setParallelism(p: number): this { checkParallelism(p, this.transformation.name); this.transformation.parallelism = p; return this; }
  disableChaining(): this { this.transformation.chainingStrategy = 'NEVER'; return this; }
  startNewChain(): this { this.transformation.chainingStrategy = 'HEAD'; return this; }
  slotSharingGroup(group: string): this { this.transformation.slotSharingGroup = group; return this; }
}

/** A DataStream partitioned by key (Flink's KeyedStream). */
export class KeyedStream<T, K> extends DataStream<T> {
  constructor(readonly input: DataStream<T>, readonly keySelector: (v: T) => K) {
    super(input.environment, new PartitionTransformation<T>(input.environment.nextTransformationId(), input.transformation,
      new KeyGroupStreamPartitioner(keySelector as (v: unknown) => unknown, -1)));
  }
  getKeySelector(): (v: T) => K { return this.keySelector; }

  /** Every operator on a keyed stream is keyed (Flink's KeyedStream#doTransform): map, flatMap, filter, … can use keyed state and timers. */
  override transform<R>(name: string, kind: string, factory: OperatorFactory): SingleOutputStreamOperator<R> {
    const out = super.transform<R>(name, kind, factory);
    (out.transformation as OneInputTransformation<T, R>).stateKeySelector = this.keySelector;
    return out;
  }

  private keyed<R>(name: string, kind: string, factory: OperatorFactory): SingleOutputStreamOperator<R> { return this.transform<R>(name, kind, factory); }

  override process<R>(f: KeyedProcessFunctionLike<K, T, R> | ProcessFunctionLike<T, R>): SingleOutputStreamOperator<R> {
    requireMethod(f, 'processElement', 'process');
    return this.keyed<R>('KeyedProcess', 'KeyedProcessOperator', () => new KeyedProcessOperator<K, T, R>(copyUserFunction(f as KeyedProcessFunctionLike<K, T, R>)));
  }

  /** Rolling reduce: every update in STREAMING, the final value per key in BATCH. */
  reduce(f: ReduceFunction<T>): SingleOutputStreamOperator<T> {
    resolveFunction(f, 'reduce', 'reduce');
    const out = this.keyed<T>('Keyed Reduce', 'StreamGroupedReduceOperator', () => {
      const fn = copyUserFunction(f);
      return new StreamGroupedReduceOperator<T>(fn, resolveFunction<(a: T, b: T) => T>(fn, 'reduce', 'reduce'));
    });
    return this.withBatchCombiner(out, (maxKeys) => {
      const fn = copyUserFunction(f);
      return new BatchCombineOperator<T>(fn, resolveFunction<(a: T, b: T) => T>(fn, 'reduce', 'reduce'), this.keySelector, maxKeys);
    });
  }

  private withBatchCombiner(out: SingleOutputStreamOperator<T>, factory: (maxKeys: number) => BatchCombineOperator<T>): SingleOutputStreamOperator<T> {
    (out.transformation as OneInputTransformation<T, T>).batchCombiner = factory;
    return out;
  }

  sum(field: string | number): SingleOutputStreamOperator<T> { return this.aggregate('sum', field); }
  min(field: string | number): SingleOutputStreamOperator<T> { return this.aggregate('min', field); }
  max(field: string | number): SingleOutputStreamOperator<T> { return this.aggregate('max', field); }
  minBy(field: string | number): SingleOutputStreamOperator<T> { return this.aggregate('minBy', field); }
  maxBy(field: string | number): SingleOutputStreamOperator<T> { return this.aggregate('maxBy', field); }

  private aggregate(type: AggregationType, field: string | number): SingleOutputStreamOperator<T> {
    if (typeof field !== 'string' && !(Number.isInteger(field) && field >= 0)) {
      throw new TypeError(`${type}(${String(field)}): field must be a property name or a tuple index.`);
    }
    return this.withBatchCombiner(
      this.keyed<T>('Keyed Aggregation', 'StreamGroupedReduceOperator', () => new StreamGroupedReduceOperator<T>(null, fieldAggregator<T>(type, field))),
      (maxKeys) => {
        const reducer = fieldAggregator<T>(type, field);
        return new BatchCombineOperator<T>(null, reducer, this.keySelector, maxKeys, FieldCombiner.of<T>(type, field, reducer));
      });
  }
}

/** Two streams of possibly different types, processed by one operator (Flink's ConnectedStreams). */
export class ConnectedStreams<A, B> {
  constructor(readonly environment: StreamEnvironment, readonly first: DataStream<A>, readonly second: DataStream<B>) {}

  getFirstInput(): DataStream<A> { return this.first; }
  getSecondInput(): DataStream<B> { return this.second; }

  keyBy<K>(k1: KeySelector<A, K>, k2: KeySelector<B, K>): ConnectedStreams<A, B> {
    return new ConnectedStreams<A, B>(this.environment, this.first.keyBy(k1), this.second.keyBy(k2));
  }

  map<R>(f: CoMapFunction<A, B, R> | ((v: A) => R), f2?: (v: B) => R): SingleOutputStreamOperator<R> {
    const fn: CoMapFunction<A, B, R> = typeof f === 'function' ? { map1: f, map2: requireFn(f2, 'map') } : f;
    requireMethod(fn, 'map1', 'map'); requireMethod(fn, 'map2', 'map');
    return this.transform<R>('Co-Map', 'CoStreamMap', () => new CoStreamMap<A, B, R>(copyUserFunction(fn)));
  }

  flatMap<R>(f: CoFlatMapFunction<A, B, R> | ((v: A, out: Collector<R>) => void | Iterable<R>), f2?: (v: B, out: Collector<R>) => void | Iterable<R>): SingleOutputStreamOperator<R> {
    const fn: CoFlatMapFunction<A, B, R> = typeof f === 'function' ? { flatMap1: f, flatMap2: requireFn(f2, 'flatMap') } : f;
    requireMethod(fn, 'flatMap1', 'flatMap'); requireMethod(fn, 'flatMap2', 'flatMap');
    return this.transform<R>('Co-Flat Map', 'CoStreamFlatMap', () => new CoStreamFlatMap<A, B, R>(copyUserFunction(fn)));
  }

  process<R>(f: CoProcessFunctionLike<A, B, R> | KeyedCoProcessFunctionLike<unknown, A, B, R>): SingleOutputStreamOperator<R> {
    requireMethod(f, 'processElement1', 'process'); requireMethod(f, 'processElement2', 'process');
    const keyed = this.first instanceof KeyedStream && this.second instanceof KeyedStream;
    if (keyed) {
      return this.transform<R>('KeyedCoProcess', 'KeyedCoProcessOperator',
        () => new KeyedCoProcessOperator<unknown, A, B, R>(copyUserFunction(f as KeyedCoProcessFunctionLike<unknown, A, B, R>)));
    }
    return this.transform<R>('Co-Process', 'CoProcessOperator', () => new CoProcessOperator<A, B, R>(copyUserFunction(f as CoProcessFunctionLike<A, B, R>)));
  }

  transform<R>(name: string, kind: string, factory: OperatorFactory): SingleOutputStreamOperator<R> {
    const t = new TwoInputTransformation<A, B, R>(this.environment.nextTransformationId(), name, this.first.transformation, this.second.transformation, factory, kind);
    if (this.first instanceof KeyedStream) t.stateKeySelector1 = (this.first as KeyedStream<A, unknown>).keySelector;
    if (this.second instanceof KeyedStream) t.stateKeySelector2 = (this.second as KeyedStream<B, unknown>).keySelector;
    if ((t.stateKeySelector1 === undefined) !== (t.stateKeySelector2 === undefined)) {
      throw new Error(`${name}: either both connected streams are keyed or neither is; use connectedStreams.keyBy(k1, k2).`);
    }
    this.environment.addOperator(t);
    return new SingleOutputStreamOperator<R>(this.environment, t);
  }
}

function requireMethod(f: unknown, method: string, what: string): void {
  if (f === null || typeof f !== 'object' || typeof (f as Record<string, unknown>)[method] !== 'function') {
    throw new TypeError(`${what}: expected an object or class instance with a ${method}() method, got ${describe(f)}.`);
  }
}
function requireFn<F>(f: F | undefined, what: string): F {
  if (typeof f !== 'function') throw new TypeError(`${what}: with a function for the first input, pass a second function for the second input.`);
  return f;
}
export function checkParallelism(p: number, where: string): void {
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`setParallelism(${p}) on '${where}': parallelism must be a positive integer.`);
}
