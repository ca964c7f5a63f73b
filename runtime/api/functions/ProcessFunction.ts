import { AbstractRichFunction } from './RichFunction.js';
import type { Collector, OutputTag } from './Collector.js';

export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(ts: number): void;
  registerProcessingTimeTimer(ts: number): void;
  deleteEventTimeTimer(ts: number): void;
  deleteProcessingTimeTimer(ts: number): void;
}

export interface ProcessContext {
  /** Event timestamp of the current element, or null. */
  timestamp(): number | null;
  output<X>(tag: OutputTag<X>, value: X): void;
  timerService(): TimerService;
}
export interface OnTimerContext extends ProcessContext { timeDomain(): TimeDomain }
export interface KeyedProcessContext<K> extends ProcessContext { getCurrentKey(): K }
export interface KeyedOnTimerContext<K> extends KeyedProcessContext<K> { timeDomain(): TimeDomain }

export abstract class ProcessFunction<I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}
export abstract class KeyedProcessFunction<K, I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<O>): void;
}
export abstract class CoProcessFunction<I1, I2, O> extends AbstractRichFunction {
  abstract processElement1(value: I1, ctx: ProcessContext, out: Collector<O>): void;
  abstract processElement2(value: I2, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}
export abstract class KeyedCoProcessFunction<K, I1, I2, O> extends AbstractRichFunction {
  abstract processElement1(value: I1, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  abstract processElement2(value: I2, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<O>): void;
}

/** Object-literal shapes accepted wherever the classes above are. */
export interface ProcessFunctionLike<I, O> {
  processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}
export interface KeyedProcessFunctionLike<K, I, O> {
  processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<O>): void;
}
export interface CoProcessFunctionLike<I1, I2, O> {
  processElement1(value: I1, ctx: ProcessContext, out: Collector<O>): void;
  processElement2(value: I2, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}
export interface KeyedCoProcessFunctionLike<K, I1, I2, O> {
  processElement1(value: I1, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  processElement2(value: I2, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<O>): void;
}
