import { DataStream, type SingleOutputStreamOperator } from './DataStream.js';
import { WindowedStream, countWindowOf, type PostAggregationWindowFunction } from './WindowedStream.js';
import type { Window } from '../windowing/windows/Window.js';
import type { GlobalWindow } from '../windowing/windows/GlobalWindow.js';
import type { WindowAssigner } from '../windowing/assigners/WindowAssigner.js';
import { GlobalWindows } from '../windowing/assigners/GlobalWindows.js';
import type { Trigger } from '../windowing/triggers/Trigger.js';
import type { Evictor } from '../windowing/evictors/Evictor.js';
import type { OutputTag, Collector } from '../functions/Collector.js';
import type { AggregateFunction, ReduceFunction } from '../functions/Functions.js';
import { resolveFunction, describe } from '../functions/Functions.js';
import type {
  ProcessAllWindowFunctionLike, AllWindowFunction, ProcessWindowFunctionLike, WindowFunction, ProcessWindowContext,
} from '../windowing/functions/ProcessWindowFunction.js';
import type { RuntimeContext, OpenContext } from '../functions/RuntimeContext.js';

/** A post-aggregation function of windowAll: ProcessAllWindowFunction or AllWindowFunction. */
export type PostAggregationAllWindowFunction<IN, OUT, W extends Window> = ProcessAllWindowFunctionLike<IN, OUT, W> | AllWindowFunction<IN, OUT, W>;

/** Forwards the rich-function lifecycle to the user's function behind a keyed adapter. */
class AllWindowAdapter<IN, OUT, W extends Window> {
  constructor(protected readonly inner: unknown) {}
  setRuntimeContext(ctx: RuntimeContext): void { (this.inner as { setRuntimeContext?(c: RuntimeContext): void }).setRuntimeContext?.(ctx); }
  open(ctx: OpenContext): void | Promise<void> { return (this.inner as { open?(c: OpenContext): void | Promise<void> }).open?.(ctx); }
  close(): void | Promise<void> { return (this.inner as { close?(): void | Promise<void> }).close?.(); }
  declare readonly __types?: [IN, OUT, W];
}

class ProcessAllAdapter<IN, OUT, W extends Window> extends AllWindowAdapter<IN, OUT, W> implements ProcessWindowFunctionLike<IN, OUT, unknown, W> {
  constructor(private readonly f: ProcessAllWindowFunctionLike<IN, OUT, W>) { super(f); }
  process(_key: unknown, ctx: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void { this.f.process(ctx, elements, out); }
  clear(ctx: ProcessWindowContext<W>): void { this.f.clear?.(ctx); }
}

class ApplyAllAdapter<IN, OUT, W extends Window> extends AllWindowAdapter<IN, OUT, W> {
  private readonly fn: (w: W, els: Iterable<IN>, out: Collector<OUT>) => void;
  constructor(f: AllWindowFunction<IN, OUT, W>) {
    super(f);
    this.fn = resolveFunction<(w: W, els: Iterable<IN>, out: Collector<OUT>) => void>(f, 'apply', 'AllWindowedStream.apply');
  }
  apply(_key: unknown, window: W, elements: Iterable<IN>, out: Collector<OUT>): void { this.fn(window, elements, out); }
}

function adapt<IN, OUT, W extends Window>(f: PostAggregationAllWindowFunction<IN, OUT, W>, what: string): PostAggregationWindowFunction<IN, OUT, unknown, W> {
  if (f !== null && typeof f === 'object' && typeof (f as ProcessAllWindowFunctionLike<IN, OUT, W>).process === 'function') {
    return new ProcessAllAdapter<IN, OUT, W>(f as ProcessAllWindowFunctionLike<IN, OUT, W>);
  }
  if (typeof f === 'function' || (f !== null && typeof f === 'object' && typeof (f as { apply?: unknown }).apply === 'function')) {
    return new ApplyAllAdapter<IN, OUT, W>(f as AllWindowFunction<IN, OUT, W>) as unknown as WindowFunction<IN, OUT, unknown, W>;
  }
  throw new TypeError(`${what}: expected a ProcessAllWindowFunction (process(ctx, elements, out)) or an AllWindowFunction ((window, elements, out) => void), got ${describe(f)}.`);
}

/**
 * Windows over a whole (non-keyed) stream (Flink's AllWindowedStream): one window operator with
 * parallelism 1 sees every element.
 */
export class AllWindowedStream<T, W extends Window> {
  private readonly windowed: WindowedStream<T, number, W>;

  constructor(readonly input: DataStream<T>, readonly windowAssigner: WindowAssigner<T, W>) {
    this.windowed = new WindowedStream<T, number, W>(input.keyBy(() => 0), windowAssigner);
    this.windowed.nonParallel = true;
  }

  trigger(trigger: Trigger<T, W>): this { this.windowed.trigger(trigger); return this; }
  evictor(evictor: Evictor<T, W>): this { this.windowed.evictor(evictor); return this; }
  allowedLateness(ms: number): this { this.windowed.allowedLateness(ms); return this; }
  sideOutputLateData(tag: OutputTag<T>): this { this.windowed.sideOutputLateData(tag); return this; }

  reduce<R = T>(f: ReduceFunction<T>, windowFn?: PostAggregationAllWindowFunction<T, R, W>): SingleOutputStreamOperator<R> {
    return this.windowed.reduce<R>(f, windowFn === undefined ? undefined : adapt(windowFn, 'AllWindowedStream.reduce'));
  }
  aggregate<ACC, V, R = V>(agg: AggregateFunction<T, ACC, V>, windowFn?: PostAggregationAllWindowFunction<V, R, W>): SingleOutputStreamOperator<R> {
    return this.windowed.aggregate<ACC, V, R>(agg, windowFn === undefined ? undefined : adapt(windowFn, 'AllWindowedStream.aggregate'));
  }
  process<R>(f: ProcessAllWindowFunctionLike<T, R, W>): SingleOutputStreamOperator<R> {
    if (!f || typeof f !== 'object' || typeof f.process !== 'function') {
      throw new TypeError(`AllWindowedStream.process: expected a ProcessAllWindowFunction (an object with process(ctx, elements, out)), got ${describe(f)}.`);
    }
    return this.windowed.process<R>(adapt(f, 'AllWindowedStream.process') as ProcessWindowFunctionLike<T, R, number, W>);
  }
  apply<R>(f: AllWindowFunction<T, R, W>): SingleOutputStreamOperator<R> {
    return this.windowed.apply<R>(adapt(f, 'AllWindowedStream.apply') as WindowFunction<T, R, number, W>);
  }
  sum(field: string | number): SingleOutputStreamOperator<T> { return this.windowed.sum(field); }
  min(field: string | number): SingleOutputStreamOperator<T> { return this.windowed.min(field); }
  max(field: string | number): SingleOutputStreamOperator<T> { return this.windowed.max(field); }
  minBy(field: string | number): SingleOutputStreamOperator<T> { return this.windowed.minBy(field); }
  maxBy(field: string | number): SingleOutputStreamOperator<T> { return this.windowed.maxBy(field); }
}

declare module './DataStream.js' {
  interface DataStream<T> {
    /** Non-keyed windows over the whole stream, parallelism 1 (API.md §2). */
    windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W>;
    countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow>;
  }
}

DataStream.prototype.windowAll = function windowAll<T, W extends Window>(this: DataStream<T>, assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
  return new AllWindowedStream<T, W>(this, assigner);
};

DataStream.prototype.countWindowAll = function countWindowAll<T>(this: DataStream<T>, size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
  const all = new AllWindowedStream<T, GlobalWindow>(this, GlobalWindows.create() as WindowAssigner<T, GlobalWindow>);
  countWindowOf(all['windowed'], size, slide);
  return all;
};
