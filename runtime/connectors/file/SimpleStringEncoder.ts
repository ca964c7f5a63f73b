/** Strings as they are, anything else as JSON (bigints as their digits). */
export function formatRecord(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Map ? Object.fromEntries(x) : x instanceof Set ? [...x] : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Row encoder: one record per line (API.md §6). */
export class SimpleStringEncoder<T = unknown> {
  encode(value: T): string { return formatRecord(value); }
}

export type RowEncoder<T> = ((value: T) => string) | { encode(value: T): string };

export function resolveEncoder<T>(e: RowEncoder<T>): (value: T) => string {
  if (typeof e === 'function') return e;
  if (e && typeof e.encode === 'function') return (v: T) => e.encode(v);
  throw new TypeError('FileSink.forRowFormat: the encoder must be a function (value) => string or an object with encode(value).');
}
