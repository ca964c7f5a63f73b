/** Field-based rolling aggregations with Flink's semantics (SumAggregator, ComparableAggregator). */
export type AggregationType = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

export function fieldAggregator<T>(type: AggregationType, field: string | number): (a: T, b: T) => T {
  const get = (v: T): unknown => {
    const x = (v as Record<string | number, unknown>)[field];
    if (x === undefined) {
      throw new TypeError(`${type}(${JSON.stringify(field)}): the record has no field ${JSON.stringify(field)} (record: ${preview(v)}). ` +
        'Use a property name for objects or an index for tuples (arrays).');
    }
    return x;
  };
  const withField = (v: T, x: unknown): T => {
    if (Array.isArray(v)) return copyWith(v, field as number, x) as T;
    return { ...(v as object), [field]: x } as T;
  };
  switch (type) {
    case 'sum':
      if (typeof field === 'number') {
        // Tuples (the common keyed record): one new array per update, no closures in between.
        return (a, b) => {
          if (Array.isArray(a) && Array.isArray(b)) {
            const x = a[field] as number | undefined, y = b[field] as number | undefined;
            if (x !== undefined && y !== undefined) return copyWith(a, field, x + y) as T;
          }
          return withField(a, (get(a) as number) + (get(b) as number));
        };
      }
      return (a, b) => withField(a, (get(a) as number) + (get(b) as number));
    case 'min':
      return (a, b) => { const x = get(a), y = get(b); return (y as number) < (x as number) ? withField(a, y) : a; };
    case 'max':
      return (a, b) => { const x = get(a), y = get(b); return (y as number) > (x as number) ? withField(a, y) : a; };
    case 'minBy':
      // Ties keep the first element, as Flink's minBy(field) with first = true.
      return (a, b) => ((get(b) as number) < (get(a) as number) ? b : a);
    case 'maxBy':
      return (a, b) => ((get(b) as number) > (get(a) as number) ? b : a);
  }
}

/** A copy of the tuple `v` with `v[i] = x` (array literals for pairs and triples: cheaper than slice). */
function copyWith(v: unknown[], i: number, x: unknown): unknown[] {
  switch (v.length) {
    case 2: return i === 0 ? [x, v[1]] : i === 1 ? [v[0], x] : withIndex(v, i, x);
    case 3: return i === 0 ? [x, v[1], v[2]] : i === 1 ? [v[0], x, v[2]] : i === 2 ? [v[0], v[1], x] : withIndex(v, i, x);
    default: return withIndex(v, i, x);
  }
}

function withIndex(v: unknown[], i: number, x: unknown): unknown[] {
  const c = v.slice();
  c[i] = x;
  return c;
}

function preview(v: unknown): string {
  try { const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)); return s.length > 120 ? s.slice(0, 117) + '...' : s; } catch { return String(v); }
}
