// Flink serializes a user function into every subtask, so each subtask (and each restarted attempt)
// starts from the function as the program built it. tsflink hands objects over inside one process
// instead: this deep copy gives a subtask its own fields — Maps, Sets, arrays and objects made in a
// constructor are not shared with other subtasks that run in the same thread (slot sharing, BATCH
// stages reusing a slot) nor with a failed attempt that mutated them.
import { EventEmitter } from 'node:events';
import { types } from 'node:util';

/** A per-subtask deep copy of a user function object; a plain function (closure) is returned as is. */
export function copyUserFunction<F>(f: F): F {
  if (f === null || typeof f !== 'object') return f;
  return copyValue(f, new Map()) as F;
}

/**
 * Data is copied, things are shared: functions (closures cannot be copied), and objects that stand for
 * a resource or carry engine-internal slots a copy would lose (promises, weak collections, proxies,
 * event emitters such as sockets and streams, module namespaces), and shared memory (SharedArrayBuffer
 * and views of it: meant to be shared, e.g. for Atomics.wait).
 */
function shared(v: object): boolean {
  return types.isPromise(v) || types.isWeakMap(v) || types.isWeakSet(v) || types.isProxy(v) || types.isExternal(v) ||
    types.isModuleNamespaceObject(v) || types.isGeneratorObject(v) || types.isBoxedPrimitive(v) || types.isDataView(v) ||
    types.isSharedArrayBuffer(v) || (types.isTypedArray(v) && types.isSharedArrayBuffer((v as Uint8Array).buffer)) || v instanceof EventEmitter || (typeof WeakRef === 'function' && v instanceof WeakRef);
}

function copyValue(v: unknown, seen: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (shared(v)) return v;
  if (Array.isArray(v)) {
    const a: unknown[] = new Array<unknown>(v.length);
    Object.setPrototypeOf(a, Object.getPrototypeOf(v) as object);
    seen.set(v, a);
    for (let i = 0; i < v.length; i++) a[i] = copyValue(v[i], seen);
    return a;
  }
  if (types.isMap(v)) {
    const m = new Map<unknown, unknown>();
    Object.setPrototypeOf(m, Object.getPrototypeOf(v) as object);
    seen.set(v, m);
    for (const [k, x] of v as Map<unknown, unknown>) m.set(copyValue(k, seen), copyValue(x, seen));
    return m;
  }
  if (types.isSet(v)) {
    const s = new Set<unknown>();
    Object.setPrototypeOf(s, Object.getPrototypeOf(v) as object);
    seen.set(v, s);
    for (const x of v as Set<unknown>) s.add(copyValue(x, seen));
    return s;
  }
  if (types.isDate(v)) return new Date((v as Date).getTime());
  if (types.isRegExp(v)) { const r = v as RegExp; const c = new RegExp(r.source, r.flags); c.lastIndex = r.lastIndex; return c; }
  if (types.isArrayBuffer(v)) return (v as ArrayBuffer).slice(0);
  if (types.isTypedArray(v)) {
    const t = v as Uint8Array;
    const c = new (t.constructor as new (x: Uint8Array) => Uint8Array)(t); // a copy, also for Buffer subclasses
    if (Buffer.isBuffer(t)) Object.setPrototypeOf(c, Buffer.prototype);
    return c;
  }
  // Objects and class instances: same prototype, every own property (getters/setters and
  // non-enumerable ones included) with its value copied.
  const o = Object.create(Object.getPrototypeOf(v) as object | null) as Record<PropertyKey, unknown>;
  seen.set(v, o);
  for (const key of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key)!;
    if ('value' in d) d.value = copyValue(d.value, seen);
    Object.defineProperty(o, key, d);
  }
  if (!Object.isExtensible(v)) {
    if (Object.isFrozen(v)) Object.freeze(o); else if (Object.isSealed(v)) Object.seal(o); else Object.preventExtensions(o);
  }
  return o;
}
