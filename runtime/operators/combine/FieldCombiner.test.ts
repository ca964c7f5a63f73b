// The combiner's numeric table gives what the rolling reducer gives, record for record: the first record's
// other fields, the folded field, and the reducer's own result (or error) for keys whose field is not a number.
import { describe, expect, it } from 'vitest';
import { fieldAggregator, type AggregationType } from '../Aggregations.js';
import { FieldCombiner } from './FieldCombiner.js';

function both<T>(type: AggregationType, field: string | number, records: Array<[string, T]>): { combined: T[]; reduced: T[] } {
  const reducer = fieldAggregator<T>(type, field);
  const c = FieldCombiner.of<T>(type, field, reducer)!;
  const byKey = new Map<string, T>();
  for (const [k, v] of records) {
    c.add(k, v);
    const prev = byKey.get(k);
    byKey.set(k, prev === undefined ? v : reducer(prev, v));
  }
  const combined: T[] = [];
  c.drain((v) => combined.push(v));
  return { combined, reduced: [...byKey.values()] };
}

describe('FieldCombiner', () => {
  it('sum/min/max over tuples and objects equal the reducer, other fields from the first record', () => {
    let seed = 7;
    const rnd = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296; };
    const tuples: Array<[string, [string, number, string]]> = [];
    const objects: Array<[string, { k: string; n: number; tag: number }]> = [];
    for (let i = 0; i < 5000; i++) {
      const k = `k${Math.floor(rnd() * 50)}`;
      const n = Math.floor(rnd() * 1000) / 8 - 60;
      tuples.push([k, [k, n, `t${i}`]]);
      objects.push([k, { k, n, tag: i }]);
    }
    for (const type of ['sum', 'min', 'max'] as const) {
      const t = both(type, 1, tuples);
      expect(t.combined).toEqual(t.reduced);
      const o = both(type, 'n', objects);
      expect(o.combined).toEqual(o.reduced);
    }
  });

  it('a key whose field is not a number is folded by the reducer (bigint sums; a missing field throws its error)', () => {
    const r = both<[string, number | bigint]>('sum', 1, [['a', ['a', 1]], ['b', ['b', 2n]], ['a', ['a', 2]], ['b', ['b', 3n]], ['a', ['a', 4]]]);
    expect(r.combined).toEqual([['a', 7], ['b', 5n]]);
    const reducer = fieldAggregator<[string, number | bigint]>('sum', 1);
    const c = FieldCombiner.of('sum', 1, reducer)!;
    c.add('a', ['a', 1]);
    expect(() => c.add('a', ['a'] as unknown as [string, number])).toThrow(/has no field 1/);
  });

  it('does not mutate the records it is given; -0 and NaN as the reducer has them; drain starts over', () => {
    const first: [string, number] = ['a', -0];
    const reducer = fieldAggregator<[string, number]>('sum', 1);
    const c = FieldCombiner.of('sum', 1, reducer)!;
    c.add('a', first);
    c.add('a', ['a', 0]);
    c.add('n', ['n', NaN]);
    const out: Array<[string, number]> = [];
    c.drain((v) => out.push(v));
    expect(first).toEqual(['a', -0]);
    expect(Object.is(out[0]![1], 0)).toBe(true);
    expect(out[1]![1]).toBeNaN();
    expect(c.size).toBe(0);
    c.drain((v) => out.push(v));
    expect(out).toHaveLength(2);
  });

  it('minBy/maxBy have no numeric table (they keep whole records)', () => {
    expect(FieldCombiner.of('minBy', 1, fieldAggregator('minBy', 1))).toBeUndefined();
  });
});
