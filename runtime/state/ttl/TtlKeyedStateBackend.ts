// State TTL over any keyed backend (Flink's TtlStateFactory): a descriptor with a StateTtlConfig
// gets a TTL decorator around a plain state of the same name and kind, whose values are TtlValue
// records. So TTL behaves the same on 'hashmap' and 'leveldb', and a TTL state's snapshot is the
// same canonical bytes on both (checkpoints move between backends). Cleanup:
//  - on read: an expired entry is removed when it is read (always);
//  - cleanupFullSnapshot: expired entries are left out of snapshots (TtlSnapshotFilter);
//  - cleanupIncrementally(n, perRecord): n entries of the state are checked on each access (and per
//    record) through the backend's IncrementalCleanup, when the backend offers one.
import type { KeyedStateBackend, PendingKeyedSnapshot, RestoredTimers, SnapshotRequest, TimerSnapshotSource } from '../KeyedStateBackend.js';
import type { KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';
import type { State, ValueState, ListState, MapState, ReducingState, AggregatingState } from '../../api/state/State.js';
import {
  AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor, type StateDescriptor,
} from '../../api/state/StateDescriptor.js';
import {
  TtlAggregatingStateDecorator, TtlListStateDecorator, TtlMapStateDecorator, TtlPolicy, TtlReducingStateDecorator, TtlValueStateDecorator,
  ttlAggregateFunction, ttlReduceFunction, type AggregateFns, type TtlValue,
} from './TtlStates.js';
import { filterExpired, isTtlValue, liveValue, type TtlFilteredState } from './TtlSnapshotFilter.js';
import { wrapStateMethods } from '../wrapStateMethods.js';

interface TtlRegistration { readonly inner: StateDescriptor<unknown, unknown>; readonly handle: State; readonly policy: TtlPolicy }

export class TtlKeyedStateBackend implements KeyedStateBackend {
  private readonly ttlStates = new Map<string, TtlRegistration>();
  private readonly plainStates = new Set<string>();

  constructor(readonly inner: KeyedStateBackend, private readonly clock: () => number = Date.now) {}

  get keyGroupRange() { return this.inner.keyGroupRange; }
  get maxParallelism(): number { return this.inner.maxParallelism; }
  setCurrentKey(key: unknown): void { this.inner.setCurrentKey(key); }
  getCurrentKey(): unknown { return this.inner.getCurrentKey(); }

  getPartitionedState<S extends State>(desc: StateDescriptor<unknown, unknown>): S {
    const cfg = desc.ttlConfig;
    const known = this.ttlStates.get(desc.name);
    if (cfg === undefined) {
      if (known) throw new Error(`State '${desc.name}' was registered with TTL and is now requested without it; use a different state name.`);
      this.plainStates.add(desc.name);
      return this.inner.getPartitionedState<S>(desc);
    }
    if (known) return known.handle as S;
    if (this.plainStates.has(desc.name)) throw new Error(`State '${desc.name}' was registered without TTL and is now requested with it; use a different state name.`);
    const p = new TtlPolicy(cfg, this.clock);
    let inner: StateDescriptor<unknown, unknown>;
    let handle: State;
    switch (desc.kind) {
      case 'value':
        inner = new ValueStateDescriptor<TtlValue>(desc.name) as StateDescriptor<unknown, unknown>;
        handle = new TtlValueStateDecorator(this.inner.getPartitionedState<ValueState<TtlValue>>(inner), p, desc.defaultValue);
        break;
      case 'list':
        inner = new ListStateDescriptor<TtlValue>(desc.name) as StateDescriptor<unknown, unknown>;
        handle = new TtlListStateDecorator(this.inner.getPartitionedState<ListState<TtlValue>>(inner), p);
        break;
      case 'map':
        inner = new MapStateDescriptor<unknown, TtlValue>(desc.name) as StateDescriptor<unknown, unknown>;
        handle = new TtlMapStateDecorator(this.inner.getPartitionedState<MapState<unknown, TtlValue>>(inner), p);
        break;
      case 'reducing': {
        const fn = (desc as ReducingStateDescriptor<unknown>).reduceFunction;
        inner = new ReducingStateDescriptor<TtlValue>(desc.name, ttlReduceFunction(fn, p)) as StateDescriptor<unknown, unknown>;
        handle = new TtlReducingStateDecorator(this.inner.getPartitionedState<ReducingState<TtlValue>>(inner), p);
        break;
      }
      case 'aggregating': {
        const fn = (desc as AggregatingStateDescriptor<unknown, unknown, unknown>).aggregateFunction as AggregateFns;
        inner = new AggregatingStateDescriptor(desc.name, ttlAggregateFunction(fn, p) as never) as StateDescriptor<unknown, unknown>;
        handle = new TtlAggregatingStateDecorator(this.inner.getPartitionedState<AggregatingState<unknown, TtlValue>>(inner), p, fn);
        break;
      }
      default: throw new Error(`Unknown state kind ${(desc as { kind: string }).kind}`);
    }
    const incremental = cfg.cleanupStrategies.incremental;
    if (incremental !== null && this.inner.enableIncrementalTtlCleanup) {
      const kind = desc.kind;
      // A map value comes back as a new Map even when nothing expired: same size = unchanged.
      const live = (v: unknown): unknown => {
        const nv = liveValue(kind, p, this.clock(), v);
        return kind === 'map' && nv !== undefined && (nv as Map<unknown, unknown>).size === (v as Map<unknown, unknown>).size ? v : nv;
      };
      const step = this.inner.enableIncrementalTtlCleanup(desc.name, live, incremental);
      handle = wrapStateMethods(handle, step);
    }
    this.ttlStates.set(desc.name, { inner, handle, policy: p });
    if (incremental !== null && this.inner.enableTtlCleanup) {
      const kind = desc.kind;
      this.inner.enableTtlCleanup(desc.name, kind === 'map'
        ? (v) => (isTtlValue(v) && p.expired(v) ? undefined : v)
        : (v) => liveValue(kind, p, this.clock(), v));
    }
    return handle as S;
  }

  clearCurrentKey(): void { this.inner.clearCurrentKey(); }

  applyToAllKeys<S extends State>(desc: StateDescriptor<unknown, unknown>, fn: (key: unknown, state: S) => void): void {
    if (desc.ttlConfig === undefined) { this.inner.applyToAllKeys(desc, fn); return; }
    const handle = this.getPartitionedState<S>(desc);
    this.inner.applyToAllKeys(this.ttlStates.get(desc.name)!.inner, (key) => fn(key, handle));
  }

  enableKeyIteration(): void { this.inner.enableKeyIteration?.(); }
  numKeys(stateName: string): number { return this.inner.numKeys(stateName); }
  registerTimerService(name: string, timers: TimerSnapshotSource): RestoredTimers { return this.inner.registerTimerService(name, timers); }
  hasRestoredTimers(name: string): boolean { return this.inner.hasRestoredTimers(name); }

  /** States whose expired entries snapshots leave out (cleanupFullSnapshot). */
  private snapshotFilters(): TtlFilteredState[] {
    const out: TtlFilteredState[] = [];
    for (const [name, r] of this.ttlStates) if (r.policy.cfg.cleanupStrategies.fullSnapshot) out.push({ name, kind: r.inner.kind, policy: r.policy });
    return out;
  }

  snapshot(): KeyGroupsSnapshot {
    const filters = this.snapshotFilters();
    const s = this.inner.snapshot();
    return filters.length === 0 ? s : filterExpired(s, filters, this.clock());
  }

  beginSnapshot(request?: SnapshotRequest): PendingKeyedSnapshot {
    const filters = this.snapshotFilters();
    const now = this.clock();
    const p = this.inner.beginSnapshot(request);
    if (filters.length === 0) return p;
    // Incremental parts hold raw changes: cleanupFullSnapshot applies to full snapshots only (as in Flink).
    return { serialize: async (pause) => { const s = await p.serialize(pause); return 'kind' in s ? s : filterExpired(s, filters, now); }, release: () => p.release() };
  }

  notifyCheckpointComplete(checkpointId: number): void { this.inner.notifyCheckpointComplete?.(checkpointId); }

  restore(snapshots: readonly KeyGroupsSnapshot[]): void { this.inner.restore(snapshots); }
  async open(): Promise<void> { await this.inner.open?.(); }
  dispose(): void { this.inner.dispose(); }
}

