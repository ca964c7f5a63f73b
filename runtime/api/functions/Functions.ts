import type { Collector } from './Collector.js';

type Fn<M extends string, F extends (...a: never[]) => unknown> = F | { [k in M]: F };

export type MapFunction<T, R> = Fn<'map', (value: T) => R>;
export type FlatMapFunction<T, R> = Fn<'flatMap', (value: T, out: Collector<R>) => void | Iterable<R>>;
export type FilterFunction<T> = Fn<'filter', (value: T) => boolean>;
export type KeySelector<T, K> = Fn<'getKey', (value: T) => K>;
export type ReduceFunction<T> = Fn<'reduce', (a: T, b: T) => T>;
export type CoMapFunction<A, B, R> = { map1(value: A): R; map2(value: B): R };
export type CoFlatMapFunction<A, B, R> = {
  flatMap1(value: A, out: Collector<R>): void | Iterable<R>;
  flatMap2(value: B, out: Collector<R>): void | Iterable<R>;
};
export interface Partitioner<K> { partition(key: K, numPartitions: number): number }
export type PartitionerFunction<K> = Partitioner<K> | ((key: K, numPartitions: number) => number);

export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, acc: ACC): ACC;
  getResult(acc: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

/** Resolves a function-or-object into a callable bound to its object. */
export function resolveFunction<F extends (...a: never[]) => unknown>(f: unknown, method: string, what: string): F {
  if (typeof f === 'function') {
    // A class instance with the method wins over a callable object (classes extending rich bases are objects).
    return f as F;
  }
  if (f !== null && typeof f === 'object' && typeof (f as Record<string, unknown>)[method] === 'function') {
    const m = (f as Record<string, (...a: never[]) => unknown>)[method];
    return m.bind(f) as F;
  }
  throw new TypeError(`${what}: expected a function or an object with a ${method}() method, got ${describe(f)}.`);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return typeof v;
}
