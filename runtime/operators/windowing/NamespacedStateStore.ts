import type { KeyedStateBackend } from '../../state/KeyedStateBackend.js';
import type { State, MapState, ValueState, ListState, ReducingState, AggregatingState } from '../../api/state/State.js';
import {
  MapStateDescriptor, type StateDescriptor, type ValueStateDescriptor, type ReducingStateDescriptor, type AggregatingStateDescriptor,
} from '../../api/state/StateDescriptor.js';

/**
 * Keyed state scoped to a namespace (a window) as well as the key (Flink's InternalKvState with
 * setCurrentNamespace). Each state is one keyed MapState from namespace to value, so it is
 * snapshotted, restored and rescaled by key group with all other keyed state.
 */
export class NamespacedStateStore {
  /** The namespace the handles read and write; set before each use. */
  namespace = '';
  private readonly states = new Map<string, NamespacedState>();

  constructor(private readonly backend: KeyedStateBackend, private readonly prefix: string, private readonly where: string) {}

  /** The handle for `desc` in the current namespace; `backingName` overrides the stored state's name. */
  get<S extends State>(desc: StateDescriptor<unknown, unknown>, backingName?: string): S {
    const existing = this.states.get(desc.name);
    if (existing) {
      if (existing.kind !== desc.kind) throw new Error(`${this.where}: state '${desc.name}' was registered as ${existing.kind} state and is now requested as ${desc.kind} state; use a different name.`);
      return existing as unknown as S;
    }
    if (desc.ttlConfig) throw new Error(`${this.where}: state '${desc.name}' has a TTL; per-window state is cleaned up with its window, so TTL is not supported there. Remove enableTimeToLive.`);
    const map = this.backend.getPartitionedState<MapState<string, unknown>>(new MapStateDescriptor<string, unknown>(backingName ?? this.prefix + desc.name) as StateDescriptor<unknown, unknown>);
    let s: NamespacedState;
    switch (desc.kind) {
      case 'value': s = new NsValueState(this, map, (desc as ValueStateDescriptor<unknown>).defaultValue); break;
      case 'list': s = new NsListState(this, map); break;
      case 'reducing': s = new NsReducingState(this, map, (desc as ReducingStateDescriptor<unknown>).reduceFunction); break;
      case 'aggregating': s = new NsAggregatingState(this, map, (desc as AggregatingStateDescriptor<unknown, unknown, unknown>).aggregateFunction); break;
      case 'map': s = new NsMapState(this, map, this.where, desc.name); break;
      default: throw new Error(`${this.where}: ${desc.kind} state '${desc.name}' is not supported per window; use value, list, map, reducing or aggregating state.`);
    }
    this.states.set(desc.name, s);
    return s as unknown as S;
  }

  /** Merges the state of `sources` into `target` and removes it from the sources (Flink's mergeNamespaces). */
  mergeNamespaces(desc: StateDescriptor<unknown, unknown>, target: string, sources: readonly string[], backingName?: string): void {
    const s = this.get<NamespacedState & State>(desc, backingName);
    if (!s.mergeInto) throw new Error(`${this.where}: ${desc.kind} state '${desc.name}' cannot be merged for merging (session) windows; use list, reducing or aggregating state.`);
    s.mergeInto(target, sources);
  }
}

interface NamespacedState {
  readonly kind: string;
  mergeInto?(target: string, sources: readonly string[]): void;
}

abstract class NsState {
  constructor(protected readonly store: NamespacedStateStore, protected readonly map: MapState<string, unknown>) {}
  protected raw(): unknown { return this.map.get(this.store.namespace); }
  protected put(v: unknown): void { this.map.put(this.store.namespace, v); }
  clear(): void { this.map.remove(this.store.namespace); }
  /** Removes and returns each source's value that exists. */
  protected takeSources(sources: readonly string[]): unknown[] {
    const vs: unknown[] = [];
    for (const s of sources) {
      const v = this.map.get(s);
      if (v !== undefined) { vs.push(v); this.map.remove(s); }
    }
    return vs;
  }
}

class NsValueState extends NsState implements NamespacedState, ValueState<unknown> {
  readonly kind = 'value';
  constructor(store: NamespacedStateStore, map: MapState<string, unknown>, private readonly defaultValue: unknown) { super(store, map); }
  value(): unknown { const v = this.raw(); return v === undefined ? this.defaultValue : v; }
  update(v: unknown): void { if (v === undefined || v === null) this.clear(); else this.put(v); }
}

class NsListState extends NsState implements NamespacedState, ListState<unknown> {
  readonly kind = 'list';
  get(): Iterable<unknown> { return (this.raw() as unknown[] | undefined) ?? []; }
  /** The stored array itself (undefined when empty), for operators that read it without copying. */
  getArray(): unknown[] | undefined { return this.raw() as unknown[] | undefined; }
  add(v: unknown): void {
    if (v === undefined || v === null) throw new TypeError('ListState.add: null/undefined values are not allowed.');
    const l = this.raw() as unknown[] | undefined;
    if (l) l.push(v); else this.put([v]);
  }
  addAll(vs: Iterable<unknown>): void { for (const v of vs) this.add(v); }
  update(vs: Iterable<unknown>): void { const l = [...vs]; if (l.length === 0) this.clear(); else this.put(l); }
  mergeInto(target: string, sources: readonly string[]): void {
    const parts = this.takeSources(sources) as unknown[][];
    if (parts.length === 0) return;
    const t = (this.map.get(target) as unknown[] | undefined) ?? [];
    for (const p of parts) for (const v of p) t.push(v);
    this.map.put(target, t);
  }
}

class NsReducingState extends NsState implements NamespacedState, ReducingState<unknown> {
  readonly kind = 'reducing';
  constructor(store: NamespacedStateStore, map: MapState<string, unknown>, private readonly fn: (a: unknown, b: unknown) => unknown) { super(store, map); }
  get(): unknown { return this.raw(); }
  add(v: unknown): void { const cur = this.raw(); this.put(cur === undefined ? v : this.fn(cur, v)); }
  mergeInto(target: string, sources: readonly string[]): void {
    const parts = this.takeSources(sources);
    if (parts.length === 0) return;
    let merged = parts[0];
    for (let i = 1; i < parts.length; i++) merged = this.fn(merged, parts[i]);
    const t = this.map.get(target);
    this.map.put(target, t === undefined ? merged : this.fn(t, merged));
  }
}

interface AggFn { createAccumulator(): unknown; add(v: unknown, acc: unknown): unknown; getResult(acc: unknown): unknown; merge(a: unknown, b: unknown): unknown }

class NsAggregatingState extends NsState implements NamespacedState, AggregatingState<unknown, unknown> {
  readonly kind = 'aggregating';
  constructor(store: NamespacedStateStore, map: MapState<string, unknown>, private readonly fn: AggFn) { super(store, map); }
  get(): unknown { const acc = this.raw(); return acc === undefined ? undefined : this.fn.getResult(acc); }
  add(v: unknown): void { const acc = this.raw(); this.put(this.fn.add(v, acc === undefined ? this.fn.createAccumulator() : acc)); }
  mergeInto(target: string, sources: readonly string[]): void {
    if (typeof this.fn.merge !== 'function') throw new Error('An AggregateFunction used with merging (session) windows needs merge(a, b).');
    const parts = this.takeSources(sources);
    if (parts.length === 0) return;
    let merged = parts[0];
    for (let i = 1; i < parts.length; i++) merged = this.fn.merge(merged, parts[i]);
    const t = this.map.get(target);
    this.map.put(target, t === undefined ? merged : this.fn.merge(t, merged));
  }
}

/**
 * Map state per window: one backing entry per (window, user key), keyed `<namespace>\u0000<tagged key>`
 * and holding [key, value], so a put never copies the window's other entries. Iteration scans the
 * current key's entries (all of its windows); like Flink's, it cannot be merged for session windows.
 */
class NsMapState implements NamespacedState, MapState<unknown, unknown> {
  readonly kind = 'map';
  constructor(private readonly store: NamespacedStateStore, private readonly map: MapState<string, unknown>,
    private readonly where: string, private readonly name: string) {}
  private entryKey(k: unknown): string {
    const ns = this.store.namespace;
    switch (typeof k) {
      case 'string': return `${ns}\u0000s${k}`;
      case 'number': return `${ns}\u0000n${k}`;
      case 'bigint': return `${ns}\u0000b${k}`;
      case 'boolean': return `${ns}\u0000${k ? 't' : 'f'}`;
      default:
        throw new TypeError(`${this.where}: map state '${this.name}' in windowState(): keys must be strings, numbers, bigints or booleans, got ${k === null ? 'null' : typeof k}.`);
    }
  }
  private own(entryKey: string): boolean {
    const ns = this.store.namespace;
    return entryKey.length > ns.length && entryKey.charCodeAt(ns.length) === 0 && entryKey.startsWith(ns);
  }
  get(k: unknown): unknown { return (this.map.get(this.entryKey(k)) as [unknown, unknown] | undefined)?.[1]; }
  put(k: unknown, v: unknown): void {
    if (v === undefined) throw new TypeError(`${this.where}: map state '${this.name}': undefined values are not allowed; use remove(key).`);
    this.map.put(this.entryKey(k), [k, v]);
  }
  putAll(values: Map<unknown, unknown> | Record<string, unknown>): void {
    const es = values instanceof Map ? values.entries() : Object.entries(values);
    for (const [k, v] of es) this.put(k, v);
  }
  remove(k: unknown): void { this.map.remove(this.entryKey(k)); }
  contains(k: unknown): boolean { return this.map.contains(this.entryKey(k)); }
  *entries(): Iterable<[unknown, unknown]> {
    // Collected first: the caller may put or remove while iterating.
    const own: Array<[unknown, unknown]> = [];
    for (const [ek, kv] of this.map.entries()) if (this.own(ek)) own.push(kv as [unknown, unknown]);
    yield* own;
  }
  *keys(): Iterable<unknown> { for (const [k] of this.entries()) yield k; }
  *values(): Iterable<unknown> { for (const [, v] of this.entries()) yield v; }
  isEmpty(): boolean { for (const ek of this.map.keys()) if (this.own(ek)) return false; return true; }
  clear(): void {
    const own: string[] = [];
    for (const ek of this.map.keys()) if (this.own(ek)) own.push(ek);
    for (const ek of own) this.map.remove(ek);
  }
}

export type { NsListState };
