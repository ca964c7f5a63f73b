// The deep copy copy-on-write puts into a table while a snapshot reads the original. structuredClone
// was ~50x slower for the small tuples state usually holds and turned class instances into plain
// objects; this keeps prototypes (user classes, Map, Set, Date, typed arrays) and copies plain data in a loop.

export function copyStateValue<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = copyStateValue(v[i] as unknown);
    return out as T;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return copyProps(v as Record<string, unknown>, proto === null ? Object.create(null) as Record<string, unknown> : {}) as T;
  if (v instanceof Map) {
    const m = new Map<unknown, unknown>();
    for (const [k, x] of v) m.set(k, copyStateValue(x));
    return m as T;
  }
  if (v instanceof Set) {
    const s = new Set<unknown>();
    for (const x of v) s.add(copyStateValue(x));
    return s as T;
  }
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return (v as unknown as Uint8Array).slice() as unknown as T;
  if (v instanceof ArrayBuffer || v instanceof DataView) return structuredClone(v);
  // A user class: same prototype, own enumerable properties copied.
  return copyProps(v as Record<string, unknown>, Object.create(proto as object) as Record<string, unknown>) as T;
}

function copyProps(from: Record<string, unknown>, to: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(from)) to[k] = copyStateValue(from[k]);
  return to;
}
