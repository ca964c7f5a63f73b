/** Keyed and operator state handles. Synchronous on every backend. */
export interface State { clear(): void }
export interface ValueState<T> extends State { value(): T | undefined; update(value: T | undefined): void }
export interface ListState<T> extends State {
  get(): Iterable<T>;
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  update(values: Iterable<T>): void;
}
export interface MapState<K, V> extends State {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(values: Map<K, V> | Record<string, V>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): Iterable<[K, V]>;
  keys(): Iterable<K>;
  values(): Iterable<V>;
  isEmpty(): boolean;
}
export interface ReducingState<T> extends State { get(): T | undefined; add(value: T): void }
export interface AggregatingState<IN, OUT> extends State { get(): OUT | undefined; add(value: IN): void }
/** Broadcast state: a map replicated to every parallel instance. */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  immutableEntries(): Iterable<[K, V]>;
}
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(values: Map<K, V> | Record<string, V>): void;
  remove(key: K): void;
  entries(): Iterable<[K, V]>;
  clear(): void;
}
