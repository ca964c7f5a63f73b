import { StreamingRuntimeContext } from '../StreamingRuntimeContext.js';
import type { StreamOperatorParameters } from '../StreamOperator.js';
import type { State } from '../../api/state/State.js';
import type { StateDescriptor } from '../../api/state/StateDescriptor.js';

/**
 * The runtime context of a keyed broadcast function: its keyed state handles refuse use while a
 * broadcast element is processed, where no key is set (Flink's "No key set" error), so they cannot
 * silently read or write the state of whatever key came last. applyToKeyedState sets each key.
 */
export class BroadcastSideRuntimeContext extends StreamingRuntimeContext {
  private readonly guarded = new WeakMap<object, State>();
  constructor(p: StreamOperatorParameters, private readonly noKey: () => boolean) { super(p); }

  protected override keyed<S extends State>(desc: StateDescriptor<unknown, unknown>): S {
    const handle = super.keyed<S>(desc);
    let g = this.guarded.get(handle);
    if (!g) { g = guard(handle, this.noKey); this.guarded.set(handle, g); }
    return g as S;
  }
}

function guard<S extends State>(handle: S, noKey: () => boolean): S {
  const out: Record<string, unknown> = {};
  for (let o: object | null = handle; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      const m = (handle as unknown as Record<string, unknown>)[name];
      if (name === 'constructor' || name in out || typeof m !== 'function') continue;
      out[name] = (...args: unknown[]): unknown => {
        if (noKey()) {
          throw new Error('No key set. This method should not be called outside of a keyed context: keyed state is not available in processBroadcastElement; ' +
            'use ctx.applyToKeyedState(descriptor, (key, state) => …) to reach the state of every key.');
        }
        return (m as (...a: unknown[]) => unknown).apply(handle, args);
      };
    }
  }
  return out as unknown as S;
}
