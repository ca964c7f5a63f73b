import { KeyedStream, type SingleOutputStreamOperator } from './DataStream.js';
import type { OutputTag } from '../functions/Collector.js';
import { describe } from '../functions/Functions.js';
import type { ProcessJoinFunctionLike } from '../functions/JoinFunctions.js';
import { copyUserFunction } from '../../operators/AbstractStreamOperator.js';
import { IntervalJoinOperator, checkIntervalBounds } from '../../operators/co/IntervalJoinOperator.js';

/**
 * `keyedA.intervalJoin(keyedB)` (Flink's KeyedStream.IntervalJoin): joins elements of equal keys
 * whose timestamps are close, `b.ts ∈ [a.ts + lower, a.ts + upper]`. Event time only.
 */
export class IntervalJoin<T1, T2, K> {
  private eventTime = true;
  constructor(readonly left: KeyedStream<T1, K>, readonly right: KeyedStream<T2, K>) {}

  inEventTime(): this { this.eventTime = true; return this; }
  /** Flink accepts this call and fails at between(): interval joins need event time. */
  inProcessingTime(): this { this.eventTime = false; return this; }

  /** Both bounds inclusive by default; `lower` may be negative; `lower <= upper`. */
  between(lowerBound: number, upperBound: number): IntervalJoined<T1, T2, K> {
    if (!this.eventTime) throw new Error('Time-bounded stream joins are only supported in event time: remove inProcessingTime().');
    checkIntervalBounds(lowerBound, upperBound);
    return new IntervalJoined<T1, T2, K>(this.left, this.right, lowerBound, upperBound);
  }
}

/** An interval join with its bounds (Flink's IntervalJoined): bound exclusiveness, late-data outputs, then process. */
export class IntervalJoined<T1, T2, K> {
  private lowerBoundInclusive = true;
  private upperBoundInclusive = true;
  private leftLateDataOutputTag: OutputTag<T1> | undefined;
  private rightLateDataOutputTag: OutputTag<T2> | undefined;

  constructor(readonly left: KeyedStream<T1, K>, readonly right: KeyedStream<T2, K>, readonly lowerBound: number, readonly upperBound: number) {}

  lowerBoundExclusive(): this { this.lowerBoundInclusive = false; return this; }
  upperBoundExclusive(): this { this.upperBoundInclusive = false; return this; }
  /** Left elements behind the watermark go to this side output instead of being dropped. */
  sideOutputLeftLateData(tag: OutputTag<T1>): this { this.leftLateDataOutputTag = checkTag(tag, 'sideOutputLeftLateData'); return this; }
  sideOutputRightLateData(tag: OutputTag<T2>): this { this.rightLateDataOutputTag = checkTag(tag, 'sideOutputRightLateData'); return this; }

  /** Calls `f.processElement(left, right, ctx, out)` per joined pair; results carry max(left.ts, right.ts). */
  process<R>(f: ProcessJoinFunctionLike<T1, T2, R>): SingleOutputStreamOperator<R> {
    if (f === null || typeof f !== 'object' || typeof f.processElement !== 'function') {
      throw new TypeError(`intervalJoin().process: expected a ProcessJoinFunction (an object with processElement(left, right, ctx, out)), got ${describe(f)}.`);
    }
    const config = {
      lowerBound: this.lowerBound, upperBound: this.upperBound, lowerBoundInclusive: this.lowerBoundInclusive, upperBoundInclusive: this.upperBoundInclusive,
      leftLateDataOutputTag: this.leftLateDataOutputTag, rightLateDataOutputTag: this.rightLateDataOutputTag,
    };
    return this.left.connect(this.right).transform<R>('Interval Join', 'IntervalJoinOperator',
      () => new IntervalJoinOperator<K, T1, T2, R>(config, copyUserFunction(f)));
  }
}

function checkTag<X>(tag: OutputTag<X>, what: string): OutputTag<X> {
  if (!tag || typeof tag.id !== 'string') throw new TypeError(`${what}: expected an OutputTag.`);
  return tag;
}

declare module './DataStream.js' {
  interface KeyedStream<T, K> {
    /** Event-time interval join with another keyed stream of the same key type (API.md §2). */
    intervalJoin<T2>(other: KeyedStream<T2, K>): IntervalJoin<T, T2, K>;
  }
}

KeyedStream.prototype.intervalJoin = function intervalJoin<T, K, T2>(this: KeyedStream<T, K>, other: KeyedStream<T2, K>): IntervalJoin<T, T2, K> {
  if (!(other instanceof KeyedStream)) throw new TypeError(`intervalJoin: expected a KeyedStream (stream.keyBy(...)), got ${describe(other)}.`);
  return new IntervalJoin<T, T2, K>(this, other);
};
