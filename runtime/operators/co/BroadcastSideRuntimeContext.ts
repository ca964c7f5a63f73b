import { StreamingRuntimeContext } from '../StreamingRuntimeContext.js';
import type { StreamOperatorParameters } from '../StreamOperator.js';
import type { State } from '../../api/state/State.js';
import type { StateDescriptor } from '../../api/state/StateDescriptor.js';
import { wrapStateMethods } from '../../state/wrapStateMethods.js';

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
  return wrapStateMethods(handle, () => {
    if (noKey()) {
      throw new Error('No key set. This method should not be called outside of a keyed context: keyed state is not available in processBroadcastElement; ' +
        'use ctx.applyToKeyedState(descriptor, (key, state) => …) to reach the state of every key.');
    }
  });
}
