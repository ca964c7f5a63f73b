import type { ListState, BroadcastState } from '../api/state/State.js';
import type { ListStateDescriptor, MapStateDescriptor } from '../api/state/StateDescriptor.js';
import { StateFrameWriter, readFrame } from './StateSerializer.js';

export type OperatorStateMode = 'SPLIT' | 'UNION' | 'BROADCAST';

/**
 * Operator state of one subtask as bytes (OperatorStateHandle without the handle): per state its
 * mode and where each list element / broadcast entry starts in `data` (one frame each), so the
 * JobManager can split lists from the offsets alone.
 */
export interface OperatorStateSnapshot {
  readonly states: Readonly<Record<string, { readonly mode: OperatorStateMode; readonly offsets: readonly number[] }>>;
  readonly data: Uint8Array;
}

/**
 * Operator (non-keyed) state of one subtask: list states redistributed on rescale (even split
 * or union) and broadcast states replicated.
 */
export class OperatorStateStore {
  readonly listStates = new Map<string, { mode: 'SPLIT' | 'UNION'; values: unknown[] }>();
  readonly broadcastStates = new Map<string, Map<unknown, unknown>>();
  private readonly restored: boolean;

  /** `parts`: this subtask's share of a checkpoint; given (even empty) = restored, as Flink's isRestored. */
  constructor(parts?: readonly OperatorStateSnapshot[]) {
    this.restored = parts !== undefined;
    for (const p of parts ?? []) this.load(p);
  }

  static restore(parts: readonly OperatorStateSnapshot[]): OperatorStateStore { return new OperatorStateStore(parts); }

  isRestored(): boolean { return this.restored; }

  getListState<T>(desc: ListStateDescriptor<T>): ListState<T> { return this.list(desc.name, 'SPLIT') as ListState<T>; }
  getUnionListState<T>(desc: ListStateDescriptor<T>): ListState<T> { return this.list(desc.name, 'UNION') as ListState<T>; }

  private list(name: string, mode: 'SPLIT' | 'UNION'): ListState<unknown> {
    let e = this.listStates.get(name);
    if (!e) {
      if (this.broadcastStates.has(name)) throw modeError(name, 'BROADCAST', mode);
      e = { mode, values: [] };
      this.listStates.set(name, e);
    } else if (e.mode !== mode) throw modeError(name, e.mode, mode);
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
      const l = this.listStates.get(desc.name);
      if (l) throw modeError(desc.name, l.mode, 'BROADCAST');
      m = new Map();
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

  /** Every state (restored ones not requested again included), serialized before returning. */
  snapshot(): OperatorStateSnapshot {
    const w = new StateFrameWriter();
    const states: Record<string, { mode: OperatorStateMode; offsets: number[] }> = {};
    for (const [name, { mode, values }] of this.listStates) {
      states[name] = { mode, offsets: values.map((v, i) => w.write(v, () => `Operator state '${name}' element ${i}`)) };
    }
    for (const [name, map] of this.broadcastStates) {
      const offsets: number[] = [];
      for (const entry of map) offsets.push(w.write(entry, () => `Broadcast state '${name}' entry ${offsets.length}`));
      states[name] = { mode: 'BROADCAST', offsets };
    }
    return { states, data: w.finish() };
  }

  private load(part: OperatorStateSnapshot): void {
    for (const [name, { mode, offsets }] of Object.entries(part.states)) {
      const what = (i: number) => (): string => `Operator state '${name}' element ${i}`;
      if (mode === 'BROADCAST') {
        if (this.listStates.has(name)) throw modeError(name, this.listStates.get(name)!.mode, mode);
        let m = this.broadcastStates.get(name);
        if (!m) { m = new Map(); this.broadcastStates.set(name, m); }
        for (let i = 0; i < offsets.length; i++) {
          const e = readFrame(part.data, offsets[i], what(i));
          if (!Array.isArray(e) || e.length !== 2) throw new Error(`${what(i)()} is corrupt: not a [key, value] entry.`);
          m.set(e[0], e[1]);
        }
      } else if (mode === 'SPLIT' || mode === 'UNION') {
        if (this.broadcastStates.has(name)) throw modeError(name, 'BROADCAST', mode);
        let l = this.listStates.get(name);
        if (!l) { l = { mode, values: [] }; this.listStates.set(name, l); } else if (l.mode !== mode) throw modeError(name, l.mode, mode);
        for (let i = 0; i < offsets.length; i++) l.values.push(readFrame(part.data, offsets[i], what(i)));
      } else {
        throw new Error(`Operator state '${name}' is corrupt: unknown mode ${String(mode)}.`);
      }
    }
  }
}

function modeError(name: string, was: OperatorStateMode, now: OperatorStateMode): Error {
  const api = (m: OperatorStateMode): string => (m === 'SPLIT' ? 'getListState' : m === 'UNION' ? 'getUnionListState' : 'getBroadcastState');
  return new Error(`Operator state '${name}' is ${was} state (${api(was)}) and is now requested as ${now} state (${api(now)}); use the same kind or a different name.`);
}
