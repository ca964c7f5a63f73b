import { DataStream, type SingleOutputStreamOperator } from './DataStream.js';
import { type WindowedStream, checkTrigger, checkEvictor, checkAllowedLateness } from './WindowedStream.js';
import type { Window } from '../windowing/windows/Window.js';
import { WindowAssigner } from '../windowing/assigners/WindowAssigner.js';
import type { Trigger } from '../windowing/triggers/Trigger.js';
import type { Evictor } from '../windowing/evictors/Evictor.js';
import type { Collector } from '../functions/Collector.js';
import type { KeySelector } from '../functions/Functions.js';
import { resolveFunction, describe } from '../functions/Functions.js';
import type { CoGroupFunction } from '../functions/JoinFunctions.js';
import { WrappingFunction } from '../functions/WrappingFunction.js';

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
  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W>): this { checkTrigger(this.windowAssigner, trigger); this.windowTrigger = trigger; return this; }
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W>): this { checkEvictor(evictor); this.windowEvictor = evictor; return this; }
  allowedLateness(ms: number): this { checkAllowedLateness(ms); this.lateness = ms; return this; }

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
export class CoGroupWindowFunction<T1, T2, R> extends WrappingFunction<CoGroupFunction<T1, T2, R>> {
  private fn: (first: Iterable<T1>, second: Iterable<T2>, out: Collector<R>) => void;
  constructor(f: CoGroupFunction<T1, T2, R>) {
    super(f);
    this.fn = resolveFunction(f, 'coGroup', 'coGroup');
  }
  protected rewrap(f: CoGroupFunction<T1, T2, R>): void { this.fn = resolveFunction(f, 'coGroup', 'coGroup'); }
  apply(_key: unknown, _window: Window, elements: Iterable<TaggedUnion<T1, T2>>, out: Collector<R>): void {
    const first: T1[] = [], second: T2[] = [];
    for (const e of elements) { if (e[0] === 1) first.push(e[1]); else second.push(e[1] as T2); }
    this.fn(first, second, out);
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
