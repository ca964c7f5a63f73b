import type { ListState, BroadcastState } from '../api/state/State.js';
import type { ListStateDescriptor, MapStateDescriptor } from '../api/state/StateDescriptor.js';

/**
 * Operator (non-keyed) state of one subtask: list states redistributed on rescale (even split
 * or union) and broadcast states replicated. Snapshots arrive with the checkpoint issue.
 */
export class OperatorStateStore {
  readonly listStates = new Map<string, { mode: 'SPLIT' | 'UNION'; values: unknown[] }>();
  readonly broadcastStates = new Map<string, Map<unknown, unknown>>();

  constructor(private readonly restored: { lists?: Record<string, unknown[]>; broadcast?: Record<string, [unknown, unknown][]> } = {}) {}

  isRestored(): boolean { return this.restored.lists !== undefined || this.restored.broadcast !== undefined; }

  getListState<T>(desc: ListStateDescriptor<T>): ListState<T> { return this.list(desc.name, 'SPLIT') as ListState<T>; }
  getUnionListState<T>(desc: ListStateDescriptor<T>): ListState<T> { return this.list(desc.name, 'UNION') as ListState<T>; }

  private list(name: string, mode: 'SPLIT' | 'UNION'): ListState<unknown> {
    let e = this.listStates.get(name);
    if (!e) {
      e = { mode, values: [...(this.restored.lists?.[name] ?? [])] };
      this.listStates.set(name, e);
    }
    const entry = e;
    return {
      get: () => entry.values,
      add: (v) => { entry.values.push(v); },
      addAll: (vs) => { for (const v of vs) entry.values.push(v); },
      update: (vs) => { entry.values = [...vs]; },
      clear: () => { entry.values = []; },
    };
  }

  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    let m = this.broadcastStates.get(desc.name);
    if (!m) {
      m = new Map(this.restored.broadcast?.[desc.name] ?? []);
      this.broadcastStates.set(desc.name, m);
    }
    const map = m as Map<K, V>;
    return {
      get: (k) => map.get(k),
      contains: (k) => map.has(k),
      immutableEntries: () => [...map.entries()],
      entries: () => map.entries(),
      put: (k, v) => { map.set(k, v); },
      putAll: (vs) => { for (const [k, v] of vs instanceof Map ? vs.entries() : Object.entries(vs) as [K, V][]) map.set(k, v); },
      remove: (k) => { map.delete(k); },
      clear: () => { map.clear(); },
    };
  }
}
