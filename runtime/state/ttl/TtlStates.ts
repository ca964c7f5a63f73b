// TTL decorators of the state handles (Flink's TtlValueState, TtlListState, TtlMapState,
// TtlReducingState, TtlAggregatingState over AbstractTtlDecorator). The wrapped state stores
// TtlValue records {v, t} (user value, last access/write time): one per value, per list element,
// per map entry, or per accumulator. Any backend works underneath: it only sees plain values.
import type { ValueState, ListState, MapState, ReducingState, AggregatingState } from '../../api/state/State.js';
import type { StateTtlConfig } from '../../api/state/StateTtlConfig.js';

export interface TtlValue { v: unknown; t: number }

/** Expiry and update rules of one state (Flink's AbstractTtlDecorator). */
export class TtlPolicy {
  readonly returnExpired: boolean;
  readonly refreshOnRead: boolean;
  private readonly neverExpires: boolean;
  constructor(readonly cfg: StateTtlConfig, readonly clock: () => number) {
    this.returnExpired = cfg.stateVisibility === 'ReturnExpiredIfNotCleanedUp';
    this.refreshOnRead = cfg.updateType === 'OnReadAndWrite';
    this.neverExpires = cfg.updateType === 'Disabled';
  }
  wrap(v: unknown): TtlValue { return { v, t: this.clock() }; }
  expired(tv: TtlValue, now: number = this.clock()): boolean { return !this.neverExpires && now - tv.t >= this.cfg.ttl; }
}

export class TtlValueStateDecorator implements ValueState<unknown> {
  constructor(private readonly inner: ValueState<TtlValue>, private readonly p: TtlPolicy, private readonly defaultValue: unknown) {}
  value(): unknown {
    const tv = this.inner.value();
    if (tv === undefined) return this.defaultValue;
    if (this.p.expired(tv)) {
      this.inner.clear();
      return this.p.returnExpired ? tv.v : this.defaultValue;
    }
    if (this.p.refreshOnRead) this.inner.update(this.p.wrap(tv.v));
    return tv.v;
  }
  update(v: unknown): void { if (v === undefined || v === null) this.inner.clear(); else this.inner.update(this.p.wrap(v)); }
  clear(): void { this.inner.clear(); }
}

export class TtlListStateDecorator implements ListState<unknown> {
  constructor(private readonly inner: ListState<TtlValue>, private readonly p: TtlPolicy) {}
  get(): Iterable<unknown> {
    const all = [...this.inner.get()];
    if (all.length === 0) return [];
    const now = this.p.clock();
    const live: TtlValue[] = [];
    for (const tv of all) if (!this.p.expired(tv, now)) live.push(this.p.refreshOnRead ? { v: tv.v, t: now } : tv);
    if (live.length < all.length || this.p.refreshOnRead) {
      if (live.length === 0) this.inner.clear(); else this.inner.update(live);
    }
    return (this.p.returnExpired ? all : live).map((tv) => tv.v);
  }
  add(v: unknown): void {
    if (v === undefined || v === null) throw new TypeError('ListState.add: null/undefined values are not allowed.');
    this.inner.add(this.p.wrap(v));
  }
  addAll(vs: Iterable<unknown>): void { for (const v of vs) this.add(v); }
  update(vs: Iterable<unknown>): void {
    const now = this.p.clock();
    const l: TtlValue[] = [];
    for (const v of vs) {
      if (v === undefined || v === null) throw new TypeError('ListState.update: null/undefined values are not allowed.');
      l.push({ v, t: now });
    }
    this.inner.update(l);
  }
  clear(): void { this.inner.clear(); }
}

export class TtlMapStateDecorator implements MapState<unknown, unknown> {
  constructor(private readonly inner: MapState<unknown, TtlValue>, private readonly p: TtlPolicy) {}
  get(k: unknown): unknown {
    const tv = this.inner.get(k);
    if (tv === undefined) return undefined;
    if (this.p.expired(tv)) { this.inner.remove(k); return this.p.returnExpired ? tv.v : undefined; }
    if (this.p.refreshOnRead) this.inner.put(k, this.p.wrap(tv.v));
    return tv.v;
  }
  put(k: unknown, v: unknown): void { this.inner.put(k, this.p.wrap(v)); }
  putAll(vs: Map<unknown, unknown> | Record<string, unknown>): void {
    const entries = vs instanceof Map ? vs.entries() : Object.entries(vs);
    for (const [k, v] of entries) this.put(k, v);
  }
  remove(k: unknown): void { this.inner.remove(k); }
  contains(k: unknown): boolean { return this.get(k) !== undefined; }
  /** Live entries; expired ones are removed on the way (and returned under ReturnExpiredIfNotCleanedUp). */
  entries(): Iterable<[unknown, unknown]> {
    const now = this.p.clock();
    const out: [unknown, unknown][] = [];
    for (const [k, tv] of [...this.inner.entries()]) {
      if (this.p.expired(tv, now)) {
        this.inner.remove(k);
        if (this.p.returnExpired) out.push([k, tv.v]);
        continue;
      }
      if (this.p.refreshOnRead) this.inner.put(k, { v: tv.v, t: now });
      out.push([k, tv.v]);
    }
    return out;
  }
  keys(): Iterable<unknown> { return [...this.entries()].map((e) => e[0]); }
  values(): Iterable<unknown> { return [...this.entries()].map((e) => e[1]); }
  isEmpty(): boolean { return [...this.entries()].length === 0; }
  clear(): void { this.inner.clear(); }
}

/** The reduce function of the wrapped state: an expired accumulated value is replaced, not reduced. */
export function ttlReduceFunction(fn: (a: unknown, b: unknown) => unknown, p: TtlPolicy): (a: TtlValue, b: TtlValue) => TtlValue {
  return (a, b) => (p.expired(a, b.t) ? b : { v: fn(a.v, b.v), t: b.t });
}

export class TtlReducingStateDecorator implements ReducingState<unknown> {
  constructor(private readonly inner: ReducingState<TtlValue>, private readonly p: TtlPolicy) {}
  get(): unknown {
    const tv = this.inner.get();
    if (tv === undefined) return undefined;
    if (this.p.expired(tv)) { this.inner.clear(); return this.p.returnExpired ? tv.v : undefined; }
    if (this.p.refreshOnRead) { this.inner.clear(); this.inner.add(this.p.wrap(tv.v)); }
    return tv.v;
  }
  add(v: unknown): void { this.inner.add(this.p.wrap(v)); }
  clear(): void { this.inner.clear(); }
}

export interface AggregateFns { createAccumulator(): unknown; add(v: unknown, acc: unknown): unknown; getResult(acc: unknown): unknown; merge?(a: unknown, b: unknown): unknown }

/** Input that only refreshes the accumulator's timestamp (OnReadAndWrite through the add-only API). */
const REFRESH: unique symbol = Symbol('ttl-refresh');

/** The aggregate function of the wrapped state: accumulators are TtlValues; an expired one starts over. */
export function ttlAggregateFunction(fn: AggregateFns, p: TtlPolicy): AggregateFns {
  return {
    createAccumulator: () => ({ v: undefined, t: -Infinity }),
    add: (v, acc) => {
      const a = acc as TtlValue;
      const now = p.clock();
      if (v === REFRESH) return { v: a.v, t: now };
      const base = a.t === -Infinity || p.expired(a, now) ? fn.createAccumulator() : a.v;
      return { v: fn.add(v, base), t: now };
    },
    getResult: (acc) => acc,
    merge: (a, b) => {
      const x = a as TtlValue, y = b as TtlValue;
      return { v: fn.merge ? fn.merge(x.v, y.v) : y.v, t: Math.max(x.t, y.t) };
    },
  };
}

export class TtlAggregatingStateDecorator implements AggregatingState<unknown, unknown> {
  constructor(private readonly inner: AggregatingState<unknown, TtlValue>, private readonly p: TtlPolicy, private readonly fn: AggregateFns) {}
  get(): unknown {
    const tv = this.inner.get();
    if (tv === undefined) return undefined;
    if (this.p.expired(tv)) { this.inner.clear(); return this.p.returnExpired ? this.fn.getResult(tv.v) : undefined; }
    if (this.p.refreshOnRead) this.inner.add(REFRESH);
    return this.fn.getResult(tv.v);
  }
  add(v: unknown): void { this.inner.add(v); }
  clear(): void { this.inner.clear(); }
}
