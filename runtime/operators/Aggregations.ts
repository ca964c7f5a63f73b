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
    if (Array.isArray(v)) { const c = v.slice(); c[field as number] = x; return c as T; }
    return { ...(v as object), [field]: x } as T;
  };
  switch (type) {
    case 'sum':
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

function preview(v: unknown): string {
  try { const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)); return s.length > 120 ? s.slice(0, 117) + '...' : s; } catch { return String(v); }
}
