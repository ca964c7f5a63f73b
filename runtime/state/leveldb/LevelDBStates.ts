// State handles of the LevelDB backend. Every handle reads and writes the current key's entries
// through the backend's write-back store; objects are decoded on every read (a fresh copy, so a
// caller mutating a returned object changes nothing until it calls update, as on RocksDB).
import type { ValueState, ListState, MapState, ReducingState, AggregatingState } from '../../api/state/State.js';
import { userKeyChars } from './LevelDBKeyLayout.js';
import type { StoredKind } from '../heap/HeapSnapshot.js';

/** One registered or restored state: its id in keys, kind, and number of keys with an entry. */
export interface StateMeta {
  readonly id: number;
  readonly idChars: string;
  readonly name: string;
  readonly kind: StoredKind;
  readonly ttl: boolean;
  count: number;
  /** The entry key of the current key, cached per current-key version (one string, hashed once). */
  key: string;
  keyVersion: number;
}

/** What the handles need of the backend (kept narrow so the handles stay small). */
export interface StateAccess {
  /** The current key's own entry of `meta` (its value, list, accumulator, or map index); writes count keys. */
  readOwn(meta: StateMeta): unknown;
  writeOwn(meta: StateMeta, v: unknown): void;
  removeOwn(meta: StateMeta): void;
  existsOwn(meta: StateMeta): boolean;
  /** kg + state id + current key: the LevelDB key prefix of the current key's map entries. */
  entryKey(meta: StateMeta): string;
  read(k: string): unknown;
  /** Writes an entry that counts as a key of `meta` when `primary`. */
  write(meta: StateMeta, k: string, v: unknown, primary: boolean): void;
  remove(meta: StateMeta, k: string, primary: boolean): void;
  exists(k: string): boolean;
}

abstract class LevelState {
  constructor(protected readonly a: StateAccess, protected readonly meta: StateMeta) {}
  protected raw(): unknown { return this.a.readOwn(this.meta); }
  protected store(v: unknown): void { this.a.writeOwn(this.meta, v); }
  clear(): void { this.a.removeOwn(this.meta); }
}

export class LevelValueState extends LevelState implements ValueState<unknown> {
  constructor(a: StateAccess, meta: StateMeta, private readonly defaultValue: unknown) { super(a, meta); }
  value(): unknown { const v = this.raw(); return v === undefined ? this.defaultValue : v; }
  update(v: unknown): void { if (v === undefined || v === null) this.clear(); else this.store(v); }
}

/** The list is one entry (LevelDB has no merge operator; an add is read-modify-write). */
export class LevelListState extends LevelState implements ListState<unknown> {
  get(): Iterable<unknown> { return (this.raw() as unknown[] | undefined) ?? []; }
  add(v: unknown): void {
    if (v === undefined || v === null) throw new TypeError('ListState.add: null/undefined values are not allowed.');
    const l = (this.raw() as unknown[] | undefined) ?? [];
    l.push(v);
    this.store(l);
  }
  addAll(vs: Iterable<unknown>): void {
    const l = (this.raw() as unknown[] | undefined) ?? [];
    for (const v of vs) {
      if (v === undefined || v === null) throw new TypeError('ListState.addAll: null/undefined values are not allowed.');
      l.push(v);
    }
    if (l.length > 0) this.store(l);
  }
  update(vs: Iterable<unknown>): void {
    const l = [...vs];
    for (const v of l) if (v === undefined || v === null) throw new TypeError('ListState.update: null/undefined values are not allowed.');
    if (l.length === 0) this.clear(); else this.store(l);
  }
}

export class LevelReducingState extends LevelState implements ReducingState<unknown> {
  constructor(a: StateAccess, meta: StateMeta, private readonly fn: (x: unknown, y: unknown) => unknown) { super(a, meta); }
  get(): unknown { return this.raw(); }
  add(v: unknown): void { const cur = this.raw(); this.store(cur === undefined ? v : this.fn(cur, v)); }
}

export interface AggregateFns { createAccumulator(): unknown; add(v: unknown, acc: unknown): unknown; getResult(acc: unknown): unknown }

export class LevelAggregatingState extends LevelState implements AggregatingState<unknown, unknown> {
  constructor(a: StateAccess, meta: StateMeta, private readonly fn: AggregateFns) { super(a, meta); }
  get(): unknown { const acc = this.raw(); return acc === undefined ? undefined : this.fn.getResult(acc); }
  add(v: unknown): void { const acc = this.raw(); this.store(this.fn.add(v, acc === undefined ? this.fn.createAccumulator() : acc)); }
}

/**
 * One entry per user key (`entryKey + userKeyChars(k)`), plus an index entry at `entryKey` listing
 * the user keys in insertion order: classic-level can only iterate asynchronously, and the index
 * gives entries()/keys() synchronously, in the heap backend's order.
 */
export class LevelMapState extends LevelState implements MapState<unknown, unknown> {
  private index(): unknown[] | undefined { return this.raw() as unknown[] | undefined; }
  get(k: unknown): unknown { return this.a.read(this.a.entryKey(this.meta) + userKeyChars(k)); }
  put(k: unknown, v: unknown): void {
    const base = this.a.entryKey(this.meta);
    const ek = base + userKeyChars(k);
    if (!this.a.exists(ek)) {
      const idx = this.index() ?? [];
      idx.push(k);
      this.a.writeOwn(this.meta, idx);
    }
    this.a.write(this.meta, ek, v, false);
  }
  putAll(vs: Map<unknown, unknown> | Record<string, unknown>): void {
    const entries = vs instanceof Map ? vs.entries() : Object.entries(vs);
    for (const [k, v] of entries) this.put(k, v);
  }
  remove(k: unknown): void {
    const base = this.a.entryKey(this.meta);
    const uk = userKeyChars(k);
    if (!this.a.exists(base + uk)) return;
    this.a.remove(this.meta, base + uk, false);
    const idx = (this.index() ?? []).filter((x) => userKeyChars(x) !== uk);
    if (idx.length === 0) this.a.removeOwn(this.meta); else this.a.writeOwn(this.meta, idx);
  }
  contains(k: unknown): boolean { return this.a.exists(this.a.entryKey(this.meta) + userKeyChars(k)); }
  entries(): Iterable<[unknown, unknown]> {
    const base = this.a.entryKey(this.meta);
    return (this.index() ?? []).map((k) => [k, this.a.read(base + userKeyChars(k))] as [unknown, unknown]);
  }
  keys(): Iterable<unknown> { return this.index() ?? []; }
  values(): Iterable<unknown> {
    const base = this.a.entryKey(this.meta);
    return (this.index() ?? []).map((k) => this.a.read(base + userKeyChars(k)));
  }
  isEmpty(): boolean { return !this.a.existsOwn(this.meta); }
  override clear(): void {
    const base = this.a.entryKey(this.meta);
    const idx = this.index();
    if (idx === undefined) return;
    for (const k of idx) this.a.remove(this.meta, base + userKeyChars(k), false);
    this.a.removeOwn(this.meta);
  }
}
