import { KeyedStream, type SingleOutputStreamOperator } from './DataStream.js';
import type { Window } from '../windowing/windows/Window.js';
import { MergingWindowAssigner, WindowAssigner } from '../windowing/assigners/WindowAssigner.js';
import { Trigger } from '../windowing/triggers/Trigger.js';
import type { Evictor } from '../windowing/evictors/Evictor.js';
import { GlobalWindows } from '../windowing/assigners/GlobalWindows.js';
import { PurgingTrigger } from '../windowing/triggers/PurgingTrigger.js';
import { CountTrigger } from '../windowing/triggers/CountTrigger.js';
import { CountEvictor } from '../windowing/evictors/CountEvictor.js';
import type { GlobalWindow } from '../windowing/windows/GlobalWindow.js';
import type { OutputTag } from '../functions/Collector.js';
import type { AggregateFunction, ReduceFunction } from '../functions/Functions.js';
import { resolveFunction, describe } from '../functions/Functions.js';
import type { ProcessWindowFunctionLike, WindowFunction } from '../windowing/functions/ProcessWindowFunction.js';
import { copyUserFunction } from '../../operators/AbstractStreamOperator.js';
import { fieldAggregator, type AggregationType } from '../../operators/Aggregations.js';
import { WindowOperator, type WindowContents } from '../../operators/windowing/WindowOperator.js';
import { EvictingWindowOperator } from '../../operators/windowing/EvictingWindowOperator.js';
import { SlicingWindowOperator } from '../../operators/windowing/SlicingWindowOperator.js';
import { SlidingEventTimeWindows } from '../windowing/assigners/SlidingEventTimeWindows.js';
import { EventTimeTrigger } from '../windowing/triggers/EventTimeTrigger.js';
import { SlidingProcessingTimeWindows } from '../windowing/assigners/SlidingProcessingTimeWindows.js';
import { ProcessingTimeTrigger } from '../windowing/triggers/ProcessingTimeTrigger.js';
import type { TimeWindow } from '../windowing/windows/TimeWindow.js';
import {
  type InternalWindowFunction, passThroughWindowFunction, iterableProcessWindowFunction, singleValueProcessWindowFunction,
  iterableWindowFunction, singleValueWindowFunction, reduceThen, aggregateThen,
} from '../../operators/windowing/InternalWindowFunction.js';

/** A window function after reduce/aggregate: a ProcessWindowFunction or a WindowFunction (apply). */
export type PostAggregationWindowFunction<IN, OUT, K, W extends Window> = ProcessWindowFunctionLike<IN, OUT, K, W> | WindowFunction<IN, OUT, K, W>;

type Internal<K, W extends Window> = InternalWindowFunction<unknown, unknown, K, W>;

/** Builds the internal function of a ProcessWindowFunction or WindowFunction; `single` = after pre-aggregation. */
export function internalWindowFunction<IN, OUT, K, W extends Window>(f: PostAggregationWindowFunction<IN, OUT, K, W>, single: boolean, what: string): Internal<K, W> {
  const fn = copyUserFunction(f);
  if (fn !== null && typeof fn === 'object' && typeof (fn as ProcessWindowFunctionLike<IN, OUT, K, W>).process === 'function') {
    const pwf = fn as ProcessWindowFunctionLike<IN, OUT, K, W>;
    return (single ? singleValueProcessWindowFunction(pwf) : iterableProcessWindowFunction(pwf)) as Internal<K, W>;
  }
  if (typeof fn === 'function' || (fn !== null && typeof fn === 'object' && typeof (fn as { apply?: unknown }).apply === 'function')) {
    const apply = resolveFunction<(k: K, w: W, els: Iterable<IN>, out: import('../functions/Collector.js').Collector<OUT>) => void>(fn, 'apply', what);
    return (single ? singleValueWindowFunction(apply, fn) : iterableWindowFunction(apply, fn)) as Internal<K, W>;
  }
  throw new TypeError(`${what}: expected a ProcessWindowFunction (an object with process(key, ctx, elements, out)) or a WindowFunction ` +
    `((key, window, elements, out) => void or an object with apply()), got ${describe(f)}.`);
}

/** What WindowedStream.trigger checks (also for joins): a Trigger, able to merge if the assigner merges. */
export function checkTrigger<T, W extends Window>(assigner: WindowAssigner<T, W>, trigger: Trigger<T, W>): void {
  if (!(trigger instanceof Trigger)) throw new TypeError(`trigger: expected a Trigger (e.g. CountTrigger.of(10)), got ${describe(trigger)}.`);
  if (assigner instanceof MergingWindowAssigner && !trigger.canMerge()) {
    throw new Error(`A merging window assigner cannot be used with a trigger that does not support merging (${trigger.toString()}).`);
  }
}

export function checkAllowedLateness(ms: number): void {
  if (!(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)) throw new RangeError(`allowedLateness(${String(ms)}): The allowed lateness cannot be negative.`);
}

/** What WindowedStream.evictor checks (also for joins). */
export function checkEvictor<T, W extends Window>(evictor: Evictor<T, W>): void {
  if (!evictor || typeof evictor.evictBefore !== 'function' || typeof evictor.evictAfter !== 'function') {
    throw new TypeError(`evictor: expected an Evictor (e.g. CountEvictor.of(10)), got ${describe(evictor)}.`);
  }
}

/**
 * A keyed stream cut into windows (Flink's WindowedStream): set trigger, evictor and lateness,
 * then reduce / aggregate / process / apply to get a stream of window results.
 */
export class WindowedStream<T, K, W extends Window> {
  private windowTrigger: Trigger<T, W>;
  private windowEvictor: Evictor<T, W> | undefined;
  private lateness = 0;
  private lateDataOutputTag: OutputTag<T> | undefined;
  /** Set by AllWindowedStream: the operator runs with parallelism 1. */
  nonParallel = false;

  constructor(readonly input: KeyedStream<T, K>, readonly windowAssigner: WindowAssigner<T, W>) {
    if (!(windowAssigner instanceof WindowAssigner)) {
      throw new TypeError(`window: expected a WindowAssigner such as TumblingEventTimeWindows.of(5000), got ${describe(windowAssigner)}.`);
    }
    this.windowTrigger = windowAssigner.getDefaultTrigger();
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    checkTrigger(this.windowAssigner, trigger);
    this.windowTrigger = trigger;
    return this;
  }

  /** Removes elements before/after the window function; disables pre-aggregation (all elements are kept). */
  evictor(evictor: Evictor<T, W>): this {
    checkEvictor(evictor);
    this.windowEvictor = evictor;
    return this;
  }

  /** Keeps windows for `ms` after the watermark passed their end; each late element fires the window again. */
  allowedLateness(ms: number): this {
    checkAllowedLateness(ms);
    this.lateness = ms;
    return this;
  }

  /** Elements too late for all their windows go to this side output (read it with getSideOutput). */
  sideOutputLateData(tag: OutputTag<T>): this {
    if (!tag || typeof tag.id !== 'string') throw new TypeError('sideOutputLateData: expected an OutputTag.');
    this.lateDataOutputTag = tag;
    return this;
  }

  /** Incremental aggregation; with windowFn, it gets the reduced value per window. */
  reduce<R = T>(f: ReduceFunction<T>, windowFn?: PostAggregationWindowFunction<T, R, K, W>): SingleOutputStreamOperator<R> {
    resolveFunction(f, 'reduce', 'WindowedStream.reduce');
    return this.build<R>('reduce', () => {
      const reduce = resolveFunction<(a: T, b: T) => T>(copyUserFunction(f), 'reduce', 'WindowedStream.reduce');
      const inner = windowFn === undefined ? passThroughWindowFunction<T>() as Internal<K, W> : internalWindowFunction(windowFn, true, 'WindowedStream.reduce');
      return this.windowEvictor
        ? { contents: { kind: 'list' }, fn: reduceThen(reduce, inner as InternalWindowFunction<T, unknown, K, W>) as Internal<K, W> }
        : { contents: { kind: 'reducing', reduce }, fn: inner };
    });
  }

  /** Incremental aggregation with an accumulator; with windowFn, it gets getResult(acc) per window. */
  aggregate<ACC, V, R = V>(agg: AggregateFunction<T, ACC, V>, windowFn?: PostAggregationWindowFunction<V, R, K, W>): SingleOutputStreamOperator<R> {
    for (const m of ['createAccumulator', 'add', 'getResult'] as const) {
      if (!agg || typeof agg[m] !== 'function') throw new TypeError(`WindowedStream.aggregate: expected an AggregateFunction with createAccumulator(), add(), getResult() and merge(); ${m}() is missing.`);
    }
    return this.build<R>('aggregate', () => {
      const a = copyUserFunction(agg);
      const inner = windowFn === undefined ? passThroughWindowFunction<V>() as Internal<K, W> : internalWindowFunction(windowFn, true, 'WindowedStream.aggregate');
      return this.windowEvictor
        ? { contents: { kind: 'list' }, fn: aggregateThen(a, inner as InternalWindowFunction<V, unknown, K, W>) as Internal<K, W> }
        : { contents: { kind: 'aggregating', aggregate: a as AggregateFunction<T, unknown, unknown> }, fn: inner };
    });
  }

  /** Evaluates each window with all its elements. */
  process<R>(f: ProcessWindowFunctionLike<T, R, K, W>): SingleOutputStreamOperator<R> {
    if (!f || typeof f !== 'object' || typeof f.process !== 'function') {
      throw new TypeError(`WindowedStream.process: expected a ProcessWindowFunction (an object with process(key, ctx, elements, out)), got ${describe(f)}.`);
    }
    return this.build<R>('process', () => ({ contents: { kind: 'list' }, fn: internalWindowFunction(f, false, 'WindowedStream.process') }));
  }

  /** Evaluates each window with all its elements: `(key, window, elements, out)` (Flink's WindowFunction). */
  apply<R>(f: WindowFunction<T, R, K, W>): SingleOutputStreamOperator<R> {
    internalWindowFunction(f, false, 'WindowedStream.apply');
    return this.build<R>('apply', () => ({ contents: { kind: 'list' }, fn: internalWindowFunction(f, false, 'WindowedStream.apply') }));
  }

  sum(field: string | number): SingleOutputStreamOperator<T> { return this.fieldAggregation('sum', field); }
  min(field: string | number): SingleOutputStreamOperator<T> { return this.fieldAggregation('min', field); }
  max(field: string | number): SingleOutputStreamOperator<T> { return this.fieldAggregation('max', field); }
  minBy(field: string | number): SingleOutputStreamOperator<T> { return this.fieldAggregation('minBy', field); }
  maxBy(field: string | number): SingleOutputStreamOperator<T> { return this.fieldAggregation('maxBy', field); }

  private fieldAggregation(type: AggregationType, field: string | number): SingleOutputStreamOperator<T> {
    if (typeof field !== 'string' && !(Number.isInteger(field) && field >= 0)) throw new TypeError(`${type}(${String(field)}): field must be a property name or a tuple index.`);
    return this.reduce<T>(fieldAggregator<T>(type, field));
  }

  /**
   * Sliding event- or processing-time windows with the default trigger, no evictor and an aggregate with merge()
   * are computed by slicing (one accumulator per pane of gcd(size, slide) ms, merged per window)
   * instead of adding each element to size/slide windows; docs/windows.md §"Sliding windows by slicing".
   */
  private slicing(contents: WindowContents<T>): SlidingEventTimeWindows | SlidingProcessingTimeWindows | null {
    const a = this.windowAssigner as WindowAssigner<T, W>;
    const eventTime = a instanceof SlidingEventTimeWindows;
    if (!(eventTime || a instanceof SlidingProcessingTimeWindows) || a.size <= a.slide || this.windowEvictor) return null;
    if (this.windowTrigger.constructor !== (eventTime ? EventTimeTrigger : ProcessingTimeTrigger)) return null;
    return contents.kind === 'aggregating' && typeof contents.aggregate.merge === 'function' ? a : null;
  }

  private build<R>(what: string, make: () => { contents: WindowContents<T>; fn: Internal<K, W> }): SingleOutputStreamOperator<R> {
    const sliced = this.slicing(make().contents); // make() also validates the functions now, not when the job starts
    const assigner = this.windowAssigner, trigger = this.windowTrigger, evictor = this.windowEvictor;
    const allowedLateness = this.lateness, lateDataOutputTag = this.lateDataOutputTag;
    const name = `Window(${assigner.toString()}, ${trigger.toString()}${evictor ? `, ${evictor.constructor.name}` : ''}, ${what})`;
    const out = this.input.transform<R>(name, sliced ? 'SlicingWindowOperator' : evictor ? 'EvictingWindowOperator' : 'WindowOperator', () => {
      const { contents, fn } = make();
      if (sliced && contents.kind === 'aggregating') {
        return new SlicingWindowOperator<T, R, K>({
          size: sliced.size, slide: sliced.slide, offset: sliced.offset, processingTime: sliced instanceof SlidingProcessingTimeWindows, allowedLateness, lateDataOutputTag,
          aggregate: contents.aggregate, windowFunction: fn as unknown as InternalWindowFunction<unknown, unknown, K, TimeWindow>,
        });
      }
      // Assigners and triggers may hold per-instance fields (a stagger offset): one copy per subtask.
      const config = { windowAssigner: copyUserFunction(assigner), trigger: copyUserFunction(trigger), allowedLateness, lateDataOutputTag, windowFunction: fn };
      return evictor ? new EvictingWindowOperator<T, R, K, W>(config, copyUserFunction(evictor)) : new WindowOperator<T, unknown, R, K, W>({ ...config, contents });
    });
    if (this.nonParallel) out.setParallelism(1).setMaxParallelism(1);
    return out;
  }
}

// KeyedStream.window/countWindow live here: DataStream.ts cannot import this module (import circle).
declare module './DataStream.js' {
  interface KeyedStream<T, K> {
    /** Cuts this keyed stream into windows (API.md §2). */
    window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W>;
    /** Windows of `size` elements per key; with `slide`, a window of the last `size` elements every `slide` elements. */
    countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow>;
  }
}

KeyedStream.prototype.window = function window<T, K, W extends Window>(this: KeyedStream<T, K>, assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
  return new WindowedStream<T, K, W>(this, assigner);
};

KeyedStream.prototype.countWindow = function countWindow<T, K>(this: KeyedStream<T, K>, size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
  return countWindowOf(new WindowedStream<T, K, GlobalWindow>(this, GlobalWindows.create() as WindowAssigner<T, GlobalWindow>), size, slide);
};

/** Flink's countWindow: purging count trigger, or count evictor + count trigger when sliding. */
export function countWindowOf<T, K>(ws: WindowedStream<T, K, GlobalWindow>, size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`countWindow(${size}): the size must be a positive integer.`);
  if (slide === undefined) return ws.trigger(PurgingTrigger.of(CountTrigger.of<GlobalWindow>(size)));
  if (!(Number.isInteger(slide) && slide > 0)) throw new RangeError(`countWindow(${size}, ${slide}): the slide must be a positive integer.`);
  return ws.evictor(CountEvictor.of<GlobalWindow>(size)).trigger(CountTrigger.of<GlobalWindow>(slide));
}

