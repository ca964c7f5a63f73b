import type { State } from '../api/state/State.js';

/**
 * A view of a state handle whose every method runs `before()` first, then the handle's own method
 * (on the handle itself, so its fields and private helpers stay as they are).
 */
export function wrapStateMethods<S extends State>(handle: S, before: () => void): S {
  const out: Record<string, unknown> = {};
  for (let o: object | null = handle; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      const m = (handle as unknown as Record<string, unknown>)[name];
      if (name === 'constructor' || name in out || typeof m !== 'function') continue;
      out[name] = (...args: unknown[]): unknown => { before(); return (m as (...a: unknown[]) => unknown).apply(handle, args); };
    }
  }
  return out as unknown as S;
}
