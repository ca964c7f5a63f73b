import { DataStream, type SingleOutputStreamOperator } from './DataStream.js';
import type { WindowedStream } from './WindowedStream.js';
import './WindowedStream.js'; // adds KeyedStream.window
import type { Window } from '../windowing/windows/Window.js';
import { WindowAssigner, MergingWindowAssigner } from '../windowing/assigners/WindowAssigner.js';
import { Trigger } from '../windowing/triggers/Trigger.js';
import type { Evictor } from '../windowing/evictors/Evictor.js';
import type { Collector } from '../functions/Collector.js';
import type { KeySelector } from '../functions/Functions.js';
import { resolveFunction, describe } from '../functions/Functions.js';
import type { RuntimeContext, OpenContext } from '../functions/RuntimeContext.js';
import type { CoGroupFunction } from '../functions/JoinFunctions.js';
import { copyUserFunction } from '../../operators/AbstractStreamOperator.js';

/**
 * An element of either input of a coGroup or join, as the window operator holds it (Flink's
 * CoGroupedStreams.TaggedUnion): `[1, v]` from the first input, `[2, v]` from the second. A custom
 * trigger or evictor of a join sees these. A plain tuple, so it crosses the network as it is.
 */
export type TaggedUnion<T1, T2> = readonly [1, T1] | readonly [2, T2];

/**
 * Two streams grouped by key and window (Flink's CoGroupedStreams):
 * `a.coGroup(b).where(k1).equalTo(k2).window(assigner).apply((as, bs, out) => …)`. The function runs
 * for every key and window with elements on either side, so outer joins are possible.
 */
export class CoGroupedStreams<T1, T2> {
  constructor(readonly input1: DataStream<T1>, readonly input2: DataStream<T2>) {
    if (input1.environment !== input2.environment) throw new Error('coGroup: both streams must belong to the same StreamExecutionEnvironment.');
  }

  /** The key of the first input's elements. */
  where<K>(keySelector: KeySelector<T1, K>): CoGroupedStreamsWhere<T1, T2, K> {
    return new CoGroupedStreamsWhere<T1, T2, K>(this.input1, this.input2, resolveFunction<(v: T1) => K>(keySelector, 'getKey', 'coGroup().where'));
  }
}

export class CoGroupedStreamsWhere<T1, T2, K> {
  constructor(private readonly input1: DataStream<T1>, private readonly input2: DataStream<T2>, private readonly key1: (v: T1) => K) {}

  /** The key of the second input's elements; equal keys (equal encodings) are grouped together. */
  equalTo(keySelector: KeySelector<T2, K>): CoGroupedStreamsEqualTo<T1, T2, K> {
    return new CoGroupedStreamsEqualTo<T1, T2, K>(this.input1, this.input2, this.key1, resolveFunction<(v: T2) => K>(keySelector, 'getKey', 'coGroup().equalTo'));
  }
}

export class CoGroupedStreamsEqualTo<T1, T2, K> {
  constructor(private readonly input1: DataStream<T1>, private readonly input2: DataStream<T2>,
    private readonly key1: (v: T1) => K, private readonly key2: (v: T2) => K) {}

  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): CoGroupedStreamsWithWindow<T1, T2, K, W> {
    return new CoGroupedStreamsWithWindow<T1, T2, K, W>(this.input1, this.input2, this.key1, this.key2, assigner);
  }
}

/** A coGroup (or join) with its window; set trigger, evictor and lateness, then apply. */
export class CoGroupedStreamsWithWindow<T1, T2, K, W extends Window> {
  private windowTrigger: Trigger<TaggedUnion<T1, T2>, W> | undefined;
  private windowEvictor: Evictor<TaggedUnion<T1, T2>, W> | undefined;
  private lateness = 0;

  constructor(readonly input1: DataStream<T1>, readonly input2: DataStream<T2>, readonly key1: (v: T1) => K, readonly key2: (v: T2) => K,
    readonly windowAssigner: WindowAssigner<TaggedUnion<T1, T2>, W>) {
    if (!(windowAssigner instanceof WindowAssigner)) {
      throw new TypeError(`window: expected a WindowAssigner such as TumblingEventTimeWindows.of(5000), got ${describe(windowAssigner)}.`);
    }
  }

  /** Replaces the assigner's default trigger (it sees TaggedUnion elements). */
  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W>): this {
    if (!(trigger instanceof Trigger)) throw new TypeError(`trigger: expected a Trigger (e.g. CountTrigger.of(10)), got ${describe(trigger)}.`);
    if (this.windowAssigner instanceof MergingWindowAssigner && !trigger.canMerge()) {
      throw new Error(`A merging window assigner cannot be used with a trigger that does not support merging (${trigger.toString()}).`);
    }
    this.windowTrigger = trigger;
    return this;
  }
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W>): this {
    if (!evictor || typeof evictor.evictBefore !== 'function' || typeof evictor.evictAfter !== 'function') {
      throw new TypeError(`evictor: expected an Evictor (e.g. CountEvictor.of(10)), got ${describe(evictor)}.`);
    }
    this.windowEvictor = evictor;
    return this;
  }
  allowedLateness(ms: number): this {
    if (!(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)) throw new RangeError(`allowedLateness(${String(ms)}): The allowed lateness cannot be negative.`);
    this.lateness = ms;
    return this;
  }

  getTrigger(): Trigger<TaggedUnion<T1, T2>, W> | undefined { return this.windowTrigger; }
  getEvictor(): Evictor<TaggedUnion<T1, T2>, W> | undefined { return this.windowEvictor; }
  getAllowedLateness(): number { return this.lateness; }

  /** Calls `f(firstElements, secondElements, out)` per key and window; results carry the window's maxTimestamp. */
  apply<R>(f: CoGroupFunction<T1, T2, R>): SingleOutputStreamOperator<R> {
    resolveFunction(f, 'coGroup', 'CoGroupedStreams.apply');
    return this.windowed().apply<R>(new CoGroupWindowFunction<T1, T2, R>(f));
  }

  /** The union of both tagged inputs, keyed and windowed: one WindowOperator serves both sides (as in Flink). */
  private windowed(): WindowedStream<TaggedUnion<T1, T2>, K, W> {
    const tag1 = this.input1.map((v: T1): TaggedUnion<T1, T2> => [1, v]);
    const tag2 = this.input2.map((v: T2): TaggedUnion<T1, T2> => [2, v]);
    // The taggers run where their input runs (Flink sets the input's parallelism on them).
    if (this.input1.transformation.parallelism > 0) tag1.setParallelism(this.input1.transformation.parallelism);
    if (this.input2.transformation.parallelism > 0) tag2.setParallelism(this.input2.transformation.parallelism);
    const key1 = this.key1, key2 = this.key2;
    const ws = tag1.union(tag2).keyBy((u: TaggedUnion<T1, T2>): K => (u[0] === 1 ? key1(u[1]) : key2(u[1])))
      .window<W>(this.windowAssigner);
    if (this.windowTrigger) ws.trigger(this.windowTrigger);
    if (this.windowEvictor) ws.evictor(this.windowEvictor);
    return ws.allowedLateness(this.lateness);
  }
}

/**
 * The window function behind coGroup and join (Flink's CoGroupWindowFunction): splits a window's
 * tagged elements by side and hands both to the user's function, opening and closing it with the operator.
 */
export class CoGroupWindowFunction<T1, T2, R> {
  private fn: (first: Iterable<T1>, second: Iterable<T2>, out: Collector<R>) => void;
  private user: unknown;
  constructor(private readonly original: CoGroupFunction<T1, T2, R>) {
    this.user = original;
    this.fn = resolveFunction(original, 'coGroup', 'coGroup');
  }
  apply(_key: unknown, _window: Window, elements: Iterable<TaggedUnion<T1, T2>>, out: Collector<R>): void {
    const first: T1[] = [], second: T2[] = [];
    for (const e of elements) { if (e[0] === 1) first.push(e[1]); else second.push(e[1] as T2); }
    this.fn(first, second, out);
  }
  /** Called once per subtask before any window fires: the subtask gets its own copy of the user's object. */
  setRuntimeContext(ctx: RuntimeContext): void {
    this.user = copyUserFunction(this.original);
    this.fn = resolveFunction(this.user, 'coGroup', 'coGroup');
    const rf = this.user as { setRuntimeContext?: (c: RuntimeContext) => void };
    if (rf !== null && typeof rf === 'object' && typeof rf.setRuntimeContext === 'function') rf.setRuntimeContext(ctx);
  }
  async open(ctx: OpenContext): Promise<void> {
    const rf = this.user as { open?: (c: OpenContext) => unknown };
    if (rf !== null && typeof rf === 'object' && typeof rf.open === 'function') await rf.open(ctx);
  }
  async close(): Promise<void> {
    const rf = this.user as { close?: () => unknown };
    if (rf !== null && typeof rf === 'object' && typeof rf.close === 'function') await rf.close();
  }
}

declare module './DataStream.js' {
  interface DataStream<T> {
    /** Groups this stream and `other` by key and window (API.md §2): `.where(k1).equalTo(k2).window(assigner).apply((as, bs, out) => …)`. */
    coGroup<T2>(other: DataStream<T2>): CoGroupedStreams<T, T2>;
  }
}

DataStream.prototype.coGroup = function coGroup<T, T2>(this: DataStream<T>, other: DataStream<T2>): CoGroupedStreams<T, T2> {
  if (!(other instanceof DataStream)) throw new TypeError(`coGroup: expected a DataStream, got ${describe(other)}.`);
  return new CoGroupedStreams<T, T2>(this, other);
};
