import { AbstractRichFunction } from './RichFunction.js';
import type { Collector, OutputTag } from './Collector.js';

type Fn<M extends string, F extends (...a: never[]) => unknown> = F | { [k in M]: F };

/** Window join: called once per pair of elements with the same key in the same window. */
export type JoinFunction<IN1, IN2, OUT> = Fn<'join', (first: IN1, second: IN2) => OUT>;
/** Window join emitting any number of results per pair; a function with a third (collector) parameter. */
export type FlatJoinFunction<IN1, IN2, OUT> = Fn<'join', (first: IN1, second: IN2, out: Collector<OUT>) => void>;
/** Window coGroup: called once per key and window with both sides' elements (either may be empty). */
export type CoGroupFunction<IN1, IN2, OUT> = Fn<'coGroup', (first: Iterable<IN1>, second: Iterable<IN2>, out: Collector<OUT>) => void>;

export abstract class RichJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract join(first: IN1, second: IN2): OUT;
}
/** Always a flat join, whatever the arity of its join method. */
export abstract class RichFlatJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract join(first: IN1, second: IN2, out: Collector<OUT>): void;
}
export abstract class RichCoGroupFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract coGroup(first: Iterable<IN1>, second: Iterable<IN2>, out: Collector<OUT>): void;
}

/** What an interval join's function sees about the pair being joined (Flink's ProcessJoinFunction.Context). */
export interface ProcessJoinContext {
  getLeftTimestamp(): number;
  getRightTimestamp(): number;
  /** The result's timestamp: the larger of the two. */
  getTimestamp(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Interval join: called once per joined pair (Flink's ProcessJoinFunction). */
export abstract class ProcessJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}
export interface ProcessJoinFunctionLike<IN1, IN2, OUT> {
  processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}
