import { DataStream, type SingleOutputStreamOperator } from './DataStream.js';
import { CoGroupedStreams, type CoGroupedStreamsWithWindow, type TaggedUnion } from './CoGroupedStreams.js';
import type { Window } from '../windowing/windows/Window.js';
import type { WindowAssigner } from '../windowing/assigners/WindowAssigner.js';
import type { Trigger } from '../windowing/triggers/Trigger.js';
import type { Evictor } from '../windowing/evictors/Evictor.js';
import type { Collector } from '../functions/Collector.js';
import type { KeySelector } from '../functions/Functions.js';
import { describe } from '../functions/Functions.js';
import { RichFlatJoinFunction, type JoinFunction, type FlatJoinFunction } from '../functions/JoinFunctions.js';
import { WrappingFunction } from '../functions/WrappingFunction.js';

/**
 * An inner window join (Flink's JoinedStreams): `a.join(b).where(k1).equalTo(k2).window(assigner).apply((x, y) => …)`
 * calls the function for every pair of elements with equal keys in the same window; a window with
 * elements on one side only gives nothing. Built on coGroup, as in Flink: one WindowOperator over both inputs.
 */
export class JoinedStreams<T1, T2> {
  private readonly coGrouped: CoGroupedStreams<T1, T2>;
  constructor(readonly input1: DataStream<T1>, readonly input2: DataStream<T2>) {
    if (input1.environment !== input2.environment) throw new Error('join: both streams must belong to the same StreamExecutionEnvironment.');
    this.coGrouped = new CoGroupedStreams<T1, T2>(input1, input2);
  }
  where<K>(keySelector: KeySelector<T1, K>): JoinedStreamsWhere<T1, T2, K> {
    const where = this.coGrouped.where(keySelector);
    return { equalTo: (k2) => ({ window: (assigner) => new JoinedStreamsWithWindow(where.equalTo(k2).window(assigner)) }) };
  }
}

export interface JoinedStreamsWhere<T1, T2, K> {
  equalTo(keySelector: KeySelector<T2, K>): JoinedStreamsEqualTo<T1, T2>;
}
export interface JoinedStreamsEqualTo<T1, T2> {
  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): JoinedStreamsWithWindow<T1, T2, W>;
}

export class JoinedStreamsWithWindow<T1, T2, W extends Window> {
  constructor(private readonly coGroup: CoGroupedStreamsWithWindow<T1, T2, unknown, W>) {}

  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W>): this { this.coGroup.trigger(trigger); return this; }
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W>): this { this.coGroup.evictor(evictor); return this; }
  allowedLateness(ms: number): this { this.coGroup.allowedLateness(ms); return this; }
  getTrigger(): Trigger<TaggedUnion<T1, T2>, W> | undefined { return this.coGroup.getTrigger(); }
  getEvictor(): Evictor<TaggedUnion<T1, T2>, W> | undefined { return this.coGroup.getEvictor(); }
  getAllowedLateness(): number { return this.coGroup.getAllowedLateness(); }

  /**
   * `(first, second) => result` per pair (JoinFunction), or `(first, second, out) => void` emitting
   * any number of results (FlatJoinFunction: a function or join method with a third parameter, or a
   * RichFlatJoinFunction). Results carry the window's maxTimestamp.
   */
  apply<R>(f: JoinFunction<T1, T2, R>): SingleOutputStreamOperator<R>;
  apply<R>(f: FlatJoinFunction<T1, T2, R>): SingleOutputStreamOperator<R>;
  apply<R>(f: JoinFunction<T1, T2, R> | FlatJoinFunction<T1, T2, R>): SingleOutputStreamOperator<R> {
    joinMethod(f);
    return this.coGroup.apply<R>(new JoinCoGroupFunction<T1, T2, R>(f));
  }
}

type JoinCall<T1, T2, R> = { flat: boolean; call: (a: T1, b: T2, out: Collector<R>) => unknown };

function joinMethod<T1, T2, R>(f: unknown): JoinCall<T1, T2, R> {
  if (typeof f === 'function') return { flat: f.length >= 3, call: f as JoinCall<T1, T2, R>['call'] };
  if (f !== null && typeof f === 'object' && typeof (f as { join?: unknown }).join === 'function') {
    const m = (f as { join: (...a: unknown[]) => unknown }).join;
    return { flat: f instanceof RichFlatJoinFunction || m.length >= 3, call: m.bind(f) as JoinCall<T1, T2, R>['call'] };
  }
  throw new TypeError(`join().apply: expected a JoinFunction ((first, second) => result), a FlatJoinFunction ((first, second, out) => void) ` +
    `or an object with a join() method, got ${describe(f)}.`);
}

/** The coGroup function of a join (Flink's JoinCoGroupFunction / FlatJoinCoGroupFunction): every pair of the window's two sides. */
class JoinCoGroupFunction<T1, T2, R> extends WrappingFunction<JoinFunction<T1, T2, R> | FlatJoinFunction<T1, T2, R>> {
  private join: JoinCall<T1, T2, R>;
  constructor(f: JoinFunction<T1, T2, R> | FlatJoinFunction<T1, T2, R>) {
    super(f);
    this.join = joinMethod(f);
  }
  protected rewrap(f: JoinFunction<T1, T2, R> | FlatJoinFunction<T1, T2, R>): void { this.join = joinMethod(f); }
  coGroup(first: Iterable<T1>, second: Iterable<T2>, out: Collector<R>): void {
    const { flat, call } = this.join;
    const seconds = second as T2[];
    for (const a of first) {
      for (let i = 0; i < seconds.length; i++) {
        if (flat) call(a, seconds[i], out);
        else out.collect(call(a, seconds[i], out) as R);
      }
    }
  }
}

declare module './DataStream.js' {
  interface DataStream<T> {
    /** Inner window join with `other` (API.md §2): `.where(k1).equalTo(k2).window(assigner).apply((a, b) => R)`. */
    join<T2>(other: DataStream<T2>): JoinedStreams<T, T2>;
  }
}

DataStream.prototype.join = function join<T, T2>(this: DataStream<T>, other: DataStream<T2>): JoinedStreams<T, T2> {
  if (!(other instanceof DataStream)) throw new TypeError(`join: expected a DataStream, got ${describe(other)}.`);
  return new JoinedStreams<T, T2>(this, other);
};
