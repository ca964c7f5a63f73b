import type { OperatorStateStore } from '../../state/OperatorStateStore.js';
import type { BroadcastState, ReadOnlyBroadcastState } from '../../api/state/State.js';
import type { MapStateDescriptor } from '../../api/state/StateDescriptor.js';

/**
 * The broadcast states of a broadcast operator, one per descriptor given to `broadcast(...)`:
 * operator state in BROADCAST mode, so a checkpoint has every subtask's copy and a restore at any
 * parallelism gives each subtask a full copy. The non-broadcast side gets read-only views.
 */
export class BroadcastStates {
  private readonly writable = new Map<string, BroadcastState<unknown, unknown>>();
  private readonly readOnly = new Map<string, ReadOnlyBroadcastState<unknown, unknown>>();

  constructor(store: OperatorStateStore, descriptors: readonly MapStateDescriptor<unknown, unknown>[], private readonly operatorName: string) {
    for (const d of descriptors) {
      const s = store.getBroadcastState(d);
      this.writable.set(d.name, s);
      this.readOnly.set(d.name, readOnlyView(d.name, s));
    }
  }

  get<K, V>(desc: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    return (this.writable.get(this.check(desc)) as BroadcastState<K, V>);
  }
  getReadOnly<K, V>(desc: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    return (this.readOnly.get(this.check(desc)) as ReadOnlyBroadcastState<K, V>);
  }

  private check(desc: MapStateDescriptor<unknown, unknown>): string {
    const name = desc?.name;
    if (typeof name !== 'string' || !this.writable.has(name)) {
      throw new Error(`Operator '${this.operatorName}': the requested broadcast state '${String(name)}' does not exist. Check for typos in your state descriptor, ` +
        `or specify the state descriptor in the datastream.broadcast(...) call if you forgot to register it (registered: ${[...this.writable.keys()].join(', ') || 'none'}).`);
    }
    return name;
  }
}

function readOnlyView<K, V>(name: string, s: BroadcastState<K, V>): ReadOnlyBroadcastState<K, V> {
  const refuse = (): never => {
    throw new Error(`Broadcast state '${name}' is read-only in processElement (the non-broadcast side); only processBroadcastElement may change it, ` +
      'so that every parallel instance keeps the same contents.');
  };
  return {
    get: (k) => s.get(k),
    contains: (k) => s.contains(k),
    immutableEntries: () => s.immutableEntries(),
    // Not part of the type: a clear error for JavaScript callers instead of "not a function".
    ...({ put: refuse, putAll: refuse, remove: refuse, clear: refuse, entries: refuse } as object),
  };
}
