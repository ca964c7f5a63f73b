import type { DataStream, SingleOutputStreamOperator } from './DataStream.js';
import { type AsyncFunction, resolveAsyncFunction } from '../functions/AsyncFunction.js';
import { type AsyncRetryStrategy, AsyncRetryStrategies } from '../functions/AsyncRetryStrategy.js';
import { copyUserFunction } from '../../operators/AbstractStreamOperator.js';
import { AsyncWaitOperator, type OutputMode } from '../../operators/async/AsyncWaitOperator.js';

/** Flink's AsyncDataStream.DEFAULT_QUEUE_CAPACITY. */
export const DEFAULT_QUEUE_CAPACITY = 100;

/**
 * Async I/O on a stream (API.md §4, Flink's AsyncDataStream): every record calls
 * `asyncFn.asyncInvoke(record)`; at most `capacity` requests are in flight (then the input is
 * back-pressured); a request not answered within `timeoutMs` (≤ 0: no timeout) goes to
 * `asyncFn.timeout(record)` or fails the job. `orderedWait` emits results in input order;
 * `unorderedWait` as they come, but never across a watermark. In-flight requests are part of
 * checkpoints and are issued again after a restore. Results keep their input's timestamp.
 */
export class AsyncDataStream {
  private constructor() {}

  static orderedWait<IN, OUT>(stream: DataStream<IN>, asyncFn: AsyncFunction<IN, OUT>, timeoutMs: number, capacity = DEFAULT_QUEUE_CAPACITY): SingleOutputStreamOperator<OUT> {
    return add(stream, asyncFn, timeoutMs, capacity, 'ORDERED', AsyncRetryStrategies.NO_RETRY_STRATEGY);
  }

  static unorderedWait<IN, OUT>(stream: DataStream<IN>, asyncFn: AsyncFunction<IN, OUT>, timeoutMs: number, capacity = DEFAULT_QUEUE_CAPACITY): SingleOutputStreamOperator<OUT> {
    return add(stream, asyncFn, timeoutMs, capacity, 'UNORDERED', AsyncRetryStrategies.NO_RETRY_STRATEGY);
  }

  /** As orderedWait, retrying per `retryStrategy` (AsyncRetryStrategies); `timeoutMs` (> 0) covers all attempts. */
  static orderedWaitWithRetry<IN, OUT>(stream: DataStream<IN>, asyncFn: AsyncFunction<IN, OUT>, timeoutMs: number, retryStrategy: AsyncRetryStrategy<OUT>): SingleOutputStreamOperator<OUT>;
  static orderedWaitWithRetry<IN, OUT>(stream: DataStream<IN>, asyncFn: AsyncFunction<IN, OUT>, timeoutMs: number, capacity: number, retryStrategy: AsyncRetryStrategy<OUT>): SingleOutputStreamOperator<OUT>;
  static orderedWaitWithRetry<IN, OUT>(stream: DataStream<IN>, asyncFn: AsyncFunction<IN, OUT>, timeoutMs: number,
    capacityOrStrategy: number | AsyncRetryStrategy<OUT>, retryStrategy?: AsyncRetryStrategy<OUT>): SingleOutputStreamOperator<OUT> {
    const [capacity, strategy] = retryArgs(capacityOrStrategy, retryStrategy, 'orderedWaitWithRetry');
    return add(stream, asyncFn, timeoutMs, capacity, 'ORDERED', strategy);
  }

  /** As unorderedWait, retrying per `retryStrategy` (AsyncRetryStrategies); `timeoutMs` (> 0) covers all attempts. */
  static unorderedWaitWithRetry<IN, OUT>(stream: DataStream<IN>, asyncFn: AsyncFunction<IN, OUT>, timeoutMs: number, retryStrategy: AsyncRetryStrategy<OUT>): SingleOutputStreamOperator<OUT>;
  static unorderedWaitWithRetry<IN, OUT>(stream: DataStream<IN>, asyncFn: AsyncFunction<IN, OUT>, timeoutMs: number, capacity: number, retryStrategy: AsyncRetryStrategy<OUT>): SingleOutputStreamOperator<OUT>;
  static unorderedWaitWithRetry<IN, OUT>(stream: DataStream<IN>, asyncFn: AsyncFunction<IN, OUT>, timeoutMs: number,
    capacityOrStrategy: number | AsyncRetryStrategy<OUT>, retryStrategy?: AsyncRetryStrategy<OUT>): SingleOutputStreamOperator<OUT> {
    const [capacity, strategy] = retryArgs(capacityOrStrategy, retryStrategy, 'unorderedWaitWithRetry');
    return add(stream, asyncFn, timeoutMs, capacity, 'UNORDERED', strategy);
  }
}

function retryArgs<OUT>(capacityOrStrategy: number | AsyncRetryStrategy<OUT>, retryStrategy: AsyncRetryStrategy<OUT> | undefined, what: string): [number, AsyncRetryStrategy<OUT>] {
  const [capacity, strategy] = typeof capacityOrStrategy === 'number' ? [capacityOrStrategy, retryStrategy] : [DEFAULT_QUEUE_CAPACITY, capacityOrStrategy];
  if (!strategy || typeof strategy.canRetry !== 'function') throw new TypeError(`AsyncDataStream.${what}: pass an AsyncRetryStrategy (AsyncRetryStrategies.FixedDelayRetryStrategyBuilder(...).build(), ...).`);
  return [capacity, strategy];
}

function add<IN, OUT>(stream: DataStream<IN>, asyncFn: AsyncFunction<IN, OUT>, timeoutMs: number, capacity: number, mode: OutputMode,
  strategy: AsyncRetryStrategy<OUT>): SingleOutputStreamOperator<OUT> {
  resolveAsyncFunction(asyncFn, 'AsyncDataStream');
  // Checks the arguments now, where the job is built, not in the task.
  new AsyncWaitOperator<IN, OUT>(asyncFn, timeoutMs, capacity, mode, strategy);
  return stream.transform<OUT>('async wait operator', 'AsyncWaitOperator',
    () => new AsyncWaitOperator<IN, OUT>(copyUserFunction(asyncFn), timeoutMs, capacity, mode, strategy));
}
