import { DataStream, KeyedStream, SingleOutputStreamOperator } from './DataStream.js';
import { BroadcastStream } from './BroadcastStream.js';
import { TwoInputTransformation } from '../dag/Transformation.js';
import { describe } from '../functions/Functions.js';
import {
  BroadcastProcessFunction, KeyedBroadcastProcessFunction,
  type BroadcastProcessFunctionLike, type KeyedBroadcastProcessFunctionLike,
} from '../functions/BroadcastProcessFunction.js';
import type { OperatorFactory } from '../../operators/StreamOperator.js';
import { copyUserFunction } from '../../operators/AbstractStreamOperator.js';
import { CoBroadcastWithKeyedOperator } from '../../operators/co/CoBroadcastWithKeyedOperator.js';
import { CoBroadcastWithNonKeyedOperator } from '../../operators/co/CoBroadcastWithNonKeyedOperator.js';

/**
 * A stream connected to a BroadcastStream (Flink's BroadcastConnectedStream): `process` with a
 * KeyedBroadcastProcessFunction when the first stream is keyed, a BroadcastProcessFunction otherwise.
 * The broadcast side's records reach every parallel instance and update its broadcast state.
 */
export class BroadcastConnectedStream<IN1, IN2> {
  constructor(readonly nonBroadcastStream: DataStream<IN1>, readonly broadcastStream: BroadcastStream<IN2>) {
    if (nonBroadcastStream.environment !== broadcastStream.environment) throw new Error('connect: both streams must belong to the same StreamExecutionEnvironment.');
  }

  getFirstInput(): DataStream<IN1> { return this.nonBroadcastStream; }
  getSecondInput(): BroadcastStream<IN2> { return this.broadcastStream; }

  process<K, R>(f: KeyedBroadcastProcessFunctionLike<K, IN1, IN2, R>): SingleOutputStreamOperator<R>;
  process<R>(f: BroadcastProcessFunctionLike<IN1, IN2, R>): SingleOutputStreamOperator<R>;
  process<R>(f: BroadcastProcessFunctionLike<IN1, IN2, R> | KeyedBroadcastProcessFunctionLike<unknown, IN1, IN2, R>): SingleOutputStreamOperator<R> {
    for (const m of ['processElement', 'processBroadcastElement'] as const) {
      if (f === null || typeof f !== 'object' || typeof f[m] !== 'function') {
        throw new TypeError(`BroadcastConnectedStream.process: expected a (Keyed)BroadcastProcessFunction, an object with processElement() and processBroadcastElement(); ` +
          `got ${f !== null && typeof f === 'object' ? `an object without ${m}()` : describe(f)}.`);
      }
    }
    const keyed = this.nonBroadcastStream instanceof KeyedStream;
    if (keyed && f instanceof BroadcastProcessFunction) throw new Error('A BroadcastProcessFunction can only be used on a non-keyed stream; use a KeyedBroadcastProcessFunction after keyBy.');
    if (!keyed && f instanceof KeyedBroadcastProcessFunction) throw new Error('A KeyedBroadcastProcessFunction can only be used on a keyed stream: keyBy(...) before connect(broadcastStream).');
    const descriptors = this.broadcastStream.getBroadcastStateDescriptors();
    if (keyed) {
      return this.transform<R>('Co-Process-Broadcast-Keyed', 'CoBroadcastWithKeyedOperator',
        () => new CoBroadcastWithKeyedOperator<unknown, IN1, IN2, R>(copyUserFunction(f as KeyedBroadcastProcessFunctionLike<unknown, IN1, IN2, R>), descriptors));
    }
    return this.transform<R>('Co-Process-Broadcast', 'CoBroadcastWithNonKeyedOperator',
      () => new CoBroadcastWithNonKeyedOperator<IN1, IN2, R>(copyUserFunction(f as BroadcastProcessFunctionLike<IN1, IN2, R>), descriptors));
  }

  /** Only the first input is keyed: the broadcast input has no key (its records go to every subtask). */
  private transform<R>(name: string, kind: string, factory: OperatorFactory): SingleOutputStreamOperator<R> {
    const env = this.nonBroadcastStream.environment;
    const t = new TwoInputTransformation<IN1, IN2, R>(env.nextTransformationId(), name, this.nonBroadcastStream.transformation, this.broadcastStream.transformation, factory, kind);
    if (this.nonBroadcastStream instanceof KeyedStream) t.stateKeySelector1 = (this.nonBroadcastStream as KeyedStream<IN1, unknown>).keySelector;
    env.addOperator(t);
    return new SingleOutputStreamOperator<R>(env, t);
  }
}

declare module './DataStream.js' {
  interface DataStream<T> {
    /** Connects a BroadcastStream (API.md §2): `.process(BroadcastProcessFunction | KeyedBroadcastProcessFunction)`. */
    connect<B>(broadcastStream: BroadcastStream<B>): BroadcastConnectedStream<T, B>;
  }
}

const connectStreams = DataStream.prototype.connect as (this: DataStream<unknown>, other: unknown) => unknown;
DataStream.prototype.connect = function connect(this: DataStream<unknown>, other: unknown): unknown {
  return other instanceof BroadcastStream ? new BroadcastConnectedStream(this, other) : connectStreams.call(this, other);
} as DataStream<unknown>['connect'];
