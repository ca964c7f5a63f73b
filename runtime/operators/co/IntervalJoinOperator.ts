import { AbstractUdfStreamOperator } from '../AbstractStreamOperator.js';
import type { TwoInputStreamOperator, StreamOperatorParameters } from '../StreamOperator.js';
import { TimestampedCollector } from '../TimestampedCollector.js';
import type { InternalTimer } from '../timers/InternalTimerService.js';
import type { OutputTag } from '../../api/functions/Collector.js';
import type { ProcessJoinContext, ProcessJoinFunctionLike } from '../../api/functions/JoinFunctions.js';
import type { MapState } from '../../api/state/State.js';
import { MapStateDescriptor, type StateDescriptor } from '../../api/state/StateDescriptor.js';
import { MIN_WATERMARK } from '../../api/eventtime/WatermarkStrategy.js';

export interface IntervalJoinConfig<T1, T2> {
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly lowerBoundInclusive: boolean;
  readonly upperBoundInclusive: boolean;
  readonly leftLateDataOutputTag?: OutputTag<T1>;
  readonly rightLateDataOutputTag?: OutputTag<T2>;
}

/** Flink's precondition: whole milliseconds, lowerBound <= upperBound. */
export function checkIntervalBounds(lowerBound: number, upperBound: number): void {
  for (const [n, v] of [['lowerBound', lowerBound], ['upperBound', upperBound]] as const) {
    if (!(typeof v === 'number' && Number.isInteger(v))) throw new TypeError(`intervalJoin().between: ${n} must be a whole number of milliseconds, got ${String(v)}.`);
  }
  if (lowerBound > upperBound) throw new RangeError(`intervalJoin().between(${lowerBound}, ${upperBound}): lowerBound <= upperBound must be fulfilled.`);
}

const LEFT_BUFFER = 'LEFT_BUFFER';
const RIGHT_BUFFER = 'RIGHT_BUFFER';

/**
 * Flink's IntervalJoinOperator: emits every pair (l, r) of one key with
 * r.ts ∈ [l.ts + lowerBound, l.ts + upperBound] (exclusive bounds move by 1 ms), with timestamp
 * max(l.ts, r.ts). Each side is buffered in keyed MapState (timestamp → elements), so it is
 * checkpointed and rescaled with the key; a cleanup timer per element drops it once the watermark
 * says no partner can arrive any more. Elements behind the watermark are late: dropped, or sent to
 * the side's late-data output.
 *
 * Flink registers the left and right cleanup timers in two namespaces; here both share the key's
 * timer at a time T, and firing removes the left bucket and the right bucket whose cleanup time is T
 * (each side's timestamp → cleanup-time mapping is one to one, so this removes exactly what Flink does).
 */
export class IntervalJoinOperator<K, T1, T2, OUT> extends AbstractUdfStreamOperator<OUT, ProcessJoinFunctionLike<T1, T2, OUT>>
  implements TwoInputStreamOperator<T1, T2> {
  private readonly lowerBound: number;
  private readonly upperBound: number;
  private readonly leftLateTag: OutputTag<T1> | undefined;
  private readonly rightLateTag: OutputTag<T2> | undefined;
  private leftBuffer!: MapState<number, T1[]>;
  private rightBuffer!: MapState<number, T2[]>;
  private collector!: TimestampedCollector<OUT>;
  private readonly context = new IntervalJoinContext((tag, v, ts) => this.output.collectSide(tag.id, v, ts));

  constructor(config: IntervalJoinConfig<T1, T2>, udf: ProcessJoinFunctionLike<T1, T2, OUT>) {
    super(udf);
    const { lowerBound, upperBound } = config;
    checkIntervalBounds(lowerBound, upperBound);
    // Exclusive bounds become inclusive ones a millisecond inside, so the join never checks inclusiveness.
    this.lowerBound = config.lowerBoundInclusive ? lowerBound : lowerBound + 1;
    this.upperBound = config.upperBoundInclusive ? upperBound : upperBound - 1;
    this.leftLateTag = config.leftLateDataOutputTag;
    this.rightLateTag = config.rightLateDataOutputTag;
  }

  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    this.collector = new TimestampedCollector(this.output);
    this.leftBuffer = this.keyedBackend.getPartitionedState(new MapStateDescriptor<number, T1[]>(LEFT_BUFFER) as StateDescriptor<unknown, unknown>);
    this.rightBuffer = this.keyedBackend.getPartitionedState(new MapStateDescriptor<number, T2[]>(RIGHT_BUFFER) as StateDescriptor<unknown, unknown>);
    this.getTimerService();
  }

  processElement1(value: T1, timestamp: number | undefined): void {
    this.setKeyContextElement1(value);
    this.processElement(value, timestamp, this.leftBuffer, this.rightBuffer, this.lowerBound, this.upperBound, true);
  }

  processElement2(value: T2, timestamp: number | undefined): void {
    this.setKeyContextElement2(value);
    this.processElement(value, timestamp, this.rightBuffer, this.leftBuffer, -this.upperBound, -this.lowerBound, false);
  }

  private processElement<OUR, OTHER>(value: OUR, timestamp: number | undefined, ourBuffer: MapState<number, OUR[]>, otherBuffer: MapState<number, OTHER[]>,
    relativeLowerBound: number, relativeUpperBound: number, isLeft: boolean): void {
    if (timestamp === undefined || timestamp === MIN_WATERMARK) {
      throw new Error(`Interval join '${this.operatorName}': an element of the ${isLeft ? 'left' : 'right'} input has no timestamp. ` +
        'Elements used in interval stream joins need to have meaningful timestamps: assign them with assignTimestampsAndWatermarks(...) or a WatermarkStrategy in fromSource.');
    }
    if (this.isLate(timestamp)) {
      const tag = isLeft ? this.leftLateTag : this.rightLateTag;
      if (tag) this.output.collectSide(tag.id, value, timestamp);
      return;
    }
    const bucket = ourBuffer.get(timestamp);
    if (bucket === undefined) ourBuffer.put(timestamp, [value]);
    else { bucket.push(value); ourBuffer.put(timestamp, bucket); }

    const lo = timestamp + relativeLowerBound, hi = timestamp + relativeUpperBound;
    // Keys first: only buckets in range are read (on leveldb the others are never deserialized).
    for (const ts of otherBuffer.keys()) {
      if (ts < lo || ts > hi) continue;
      for (const other of otherBuffer.get(ts)!) {
        if (isLeft) this.collect(value as unknown as T1, other as unknown as T2, timestamp, ts);
        else this.collect(other as unknown as T1, value as unknown as T2, ts, timestamp);
      }
    }
    this.getTimerService().registerEventTimeTimer(relativeUpperBound > 0 ? timestamp + relativeUpperBound : timestamp);
  }

  private isLate(timestamp: number): boolean {
    const wm = this.getTimerService().currentWatermark;
    return wm !== MIN_WATERMARK && timestamp < wm;
  }

  private collect(left: T1, right: T2, leftTs: number, rightTs: number): void {
    const ts = Math.max(leftTs, rightTs);
    this.collector.timestamp = ts;
    this.context.left = leftTs; this.context.right = rightTs;
    this.userFunction.processElement(left, right, this.context, this.collector);
  }

  override onEventTime(timer: InternalTimer): void {
    const t = timer.timestamp;
    this.leftBuffer.remove(this.upperBound <= 0 ? t : t - this.upperBound);
    this.rightBuffer.remove(this.lowerBound <= 0 ? t + this.lowerBound : t);
  }

  /** @internal for tests: the buffered timestamps of the current key. */
  leftBufferTimestamps(): number[] { return [...this.leftBuffer.keys()]; }
  /** @internal for tests */
  rightBufferTimestamps(): number[] { return [...this.rightBuffer.keys()]; }
}

class IntervalJoinContext implements ProcessJoinContext {
  left = MIN_WATERMARK;
  right = MIN_WATERMARK;
  constructor(private readonly side: (tag: OutputTag<unknown>, v: unknown, ts: number) => void) {}
  getLeftTimestamp(): number { return this.left; }
  getRightTimestamp(): number { return this.right; }
  getTimestamp(): number { return Math.max(this.left, this.right); }
  output<X>(tag: OutputTag<X>, value: X): void {
    if (!tag || typeof tag.id !== 'string') throw new TypeError('ProcessJoinFunction ctx.output: expected an OutputTag.');
    this.side(tag as OutputTag<unknown>, value, this.getTimestamp());
  }
}
