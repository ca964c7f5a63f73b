// The combiner's partials for sum/min/max on a numeric field: per key the first record and the running value
// of the field in a Float64Array (the same double arithmetic as the rolling reducer, in the same order). A record
// then costs one Map lookup and one typed-array update: no new record per input record as the reducer allocates,
// no pointer chase into a per-key object (those two were most of P3's combine cost). A key whose field is not a
// number (bigint, missing) leaves the table and is folded by the reducer, which gives its result or its error.
import type { AggregationType } from '../Aggregations.js';

type MapKey = string | number | bigint | boolean;
const SUM = 0, MIN = 1, MAX = 2;

export class FieldCombiner<T> {
  private readonly op: number;
  /** key → slot in firsts/values, or -1 when the key is folded by the reducer (in `others`). */
  private slots = new Map<MapKey, number>();
  private firsts: T[] = [];
  private values = new Float64Array(1024);
  private others = new Map<MapKey, { v: T }>();

  constructor(type: 'sum' | 'min' | 'max', private readonly field: string | number, private readonly reducer: (a: T, b: T) => T) {
    this.op = type === 'sum' ? SUM : type === 'min' ? MIN : MAX;
  }

  static of<T>(type: AggregationType, field: string | number, reducer: (a: T, b: T) => T): FieldCombiner<T> | undefined {
    return type === 'sum' || type === 'min' || type === 'max' ? new FieldCombiner<T>(type, field, reducer) : undefined;
  }

  get size(): number { return this.slots.size; }

  add(k: MapKey, value: T): void {
    const s = this.slots.get(k);
    const y = typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[this.field] : undefined;
    if (s === undefined) {
      if (typeof y === 'number') {
        const i = this.firsts.length;
        if (i === this.values.length) { const g = new Float64Array(i * 2); g.set(this.values); this.values = g; }
        this.firsts.push(value);
        this.values[i] = y;
        this.slots.set(k, i);
      } else {
        this.slots.set(k, -1);
        this.others.set(k, { v: value });
      }
    } else if (s >= 0 && typeof y === 'number') {
      const vs = this.values;
      const x = vs[s]!;
      if (this.op === SUM) vs[s] = x + y;
      else if (this.op === MIN ? y < x : y > x) vs[s] = y;
    } else if (s >= 0) {
      // Leaves the table: the partial so far, then the reducer.
      this.others.set(k, { v: this.reducer(this.partial(s), value) });
      this.firsts[s] = undefined as T;
      this.slots.set(k, -1);
    } else {
      const box = this.others.get(k)!;
      box.v = this.reducer(box.v, value);
    }
  }

  /** Every partial (a copy of the key's first record with the folded field), then starts over. */
  drain(emit: (v: T) => void): void {
    const n = this.firsts.length;
    for (let i = 0; i < n; i++) if (this.firsts[i] !== undefined) emit(this.partial(i));
    for (const b of this.others.values()) emit(b.v);
    this.slots = new Map();
    this.firsts = [];
    this.others = new Map();
  }

  private partial(i: number): T {
    const f = this.firsts[i]!;
    const x = this.values[i]!;
    // The reducer keeps the first record's other fields; its field becomes the folded value (unchanged for min/max ties).
    if (Object.is((f as Record<string | number, unknown>)[this.field], x)) return f;
    if (Array.isArray(f)) { const c = f.slice(); c[this.field as number] = x; return c as T; }
    return { ...(f as object), [this.field]: x } as T;
  }
}
