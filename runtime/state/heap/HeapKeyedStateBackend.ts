import type { KeyedStateBackend, RestoredTimers, TimerSnapshotSource } from '../KeyedStateBackend.js';
import { KeyedTimerRegistry } from '../KeyedTimerRegistry.js';
import type { KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';
import { restoreKeyGroups, snapshotKeyGroups, snapshotKeyGroupsInSteps, type SnapshotSource, type StoredKind } from './HeapSnapshot.js';
import { copyStateValue } from './copyStateValue.js';
import type { State, ValueState, ListState, MapState, ReducingState, AggregatingState } from '../../api/state/State.js';
import type {
  StateDescriptor, ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor,
} from '../../api/state/StateDescriptor.js';
import type { StateTtlConfig } from '../../api/state/StateTtlConfig.js';
import { keyToMapKey } from '../../util/KeyEncoding.js';
import type { KeyGroupRange } from '../../util/KeyGroupRangeAssignment.js';

type MapKey = string | number | bigint | boolean;

/** Copy-on-write marker: the key did not exist when the snapshot began. */
const ABSENT: unique symbol = Symbol('absent');
/** One in-progress snapshot's saved values, per table. */
type CowLayer = Map<Map<MapKey, unknown>, Map<MapKey, unknown>>;
/** 5 ms once per checkpoint interval delays well under 1% of records (B8's latency target is on p99). */
const SYNC_SNAPSHOT_BUDGET_MS = 5;

/** A snapshot begun in the synchronous phase; serialize() runs in slices while the task goes on. */
export interface PendingKeyedSnapshot {
  serialize(pause: () => Promise<void>): Promise<KeyGroupsSnapshot>;
  /** Ends copy-on-write without serializing (the checkpoint failed before it got here). */
  release(): void;
}

/** Heap ('hashmap') backend: one JS Map per state, keyed by the canonical map key. */
export class HeapKeyedStateBackend implements KeyedStateBackend {
  private currentKey: unknown = undefined;
  /** @internal read by the state handles on every access */
  currentMapKey: MapKey = '';
  /** Original keys of composite (array) keys, so applyToAllKeys and timers can hand them back. */
  private readonly compositeKeys = new Map<string, unknown>();
  private readonly tables = new Map<string, Map<MapKey, unknown>>();
  private readonly handles = new Map<string, State>();
  /** Kind and TTL of every state with a table: registered, or restored and not yet requested. */
  private readonly meta = new Map<string, { kind: StoredKind; ttl: boolean }>();
  private readonly timers = new KeyedTimerRegistry();
  /**
   * While asynchronous snapshots read the tables (Flink's CopyOnWriteStateMap): per snapshot and
   * table, the value each key had when that snapshot began, saved on the key's first access since.
   * A touched object value is replaced by a deep copy in the table, so no snapshot's object changes.
   * Several snapshots may be in progress (a checkpoint begun while an older one is still written).
   */
  private cows: CowLayer[] | null = null;
  /**
   * The synchronous phase serializes for up to this many ms; a snapshot not done by then goes on
   * asynchronously. A small state is thus written whole in one short pause, which costs less (and
   * hurts tail latency less) than copy-on-write on every state access over the many task turns a
   * sliced asynchronous phase spans. 0 = all asynchronous.
   */
  syncSnapshotBudgetMs = SYNC_SNAPSHOT_BUDGET_MS;

  constructor(readonly keyGroupRange: KeyGroupRange, readonly maxParallelism: number,
    private readonly clock: () => number = Date.now) {}

  /** TTL incremental cleanup steps that run on every record (cleanupIncrementally(n, true)). */
  private perRecordCleanup: (() => void) | null = null;

  setCurrentKey(key: unknown): void {
    if (this.perRecordCleanup !== null) this.perRecordCleanup();
    // Same primitive key as the last record (runs of one key, timers): nothing to re-encode. Array keys
    // always are (the same array may have changed, and clearCurrentKey forgets composite keys).
    if (key === this.currentKey && key !== undefined && typeof key !== 'object') return;
    this.currentKey = key;
    const mk = keyToMapKey(key);
    this.currentMapKey = mk;
    if (typeof mk === 'string' && mk.charCodeAt(0) === 0 && !this.compositeKeys.has(mk)) this.compositeKeys.set(mk, key);
  }
  getCurrentKey(): unknown { return this.currentKey; }

  enableIncrementalTtlCleanup(stateName: string, live: (value: unknown) => unknown, opts: { cleanupSize: number; runForEveryRecord: boolean }): () => void {
    const table = this.table(stateName);
    let it: Iterator<[MapKey, unknown]> | null = null;
    // Flink's StateIncrementalCleanupStrategy: a cursor over the state's entries that survives between
    // steps (a Map iterator stays valid across inserts and deletes) and wraps around at the end.
    const step = (): void => {
      for (let i = 0; i < opts.cleanupSize && table.size > 0; i++) {
        it ??= table.entries();
        const r = it.next();
        if (r.done) { it = null; continue; }
        const [mk, v] = r.value;
        const nv = live(v);
        if (nv === v) continue;
        this.touch(table, mk);
        if (nv === undefined) table.delete(mk); else table.set(mk, nv);
      }
    };
    if (opts.runForEveryRecord) {
      const prev = this.perRecordCleanup;
      this.perRecordCleanup = prev === null ? step : () => { prev(); step(); };
    }
    return step;
  }

  table(name: string): Map<MapKey, unknown> {
    let t = this.tables.get(name);
    if (!t) { t = new Map(); this.tables.set(name, t); }
    return t;
  }

  getPartitionedState<S extends State>(desc: StateDescriptor<unknown, unknown>): S {
    const existing = this.handles.get(desc.name);
    if (existing) {
      if (this.meta.get(desc.name)!.kind !== desc.kind) {
        throw new Error(`State '${desc.name}' was registered as ${this.meta.get(desc.name)!.kind} state and is now requested as ${desc.kind} state; use a different name.`);
      }
      return existing as S;
    }
    const restored = this.meta.get(desc.name);
    if (restored && restored.kind !== desc.kind) {
      throw new Error(`State '${desc.name}' was restored as ${restored.kind} state and is now requested as ${desc.kind} state; keep its kind or use a different name.`);
    }
    if (restored && restored.ttl !== (desc.ttlConfig !== undefined)) {
      throw new Error(`State '${desc.name}' was restored ${restored.ttl ? 'with' : 'without'} TTL and is now requested ${restored.ttl ? 'without' : 'with'} it; ` +
        'turning TTL on or off for existing state is not supported (as in Flink); use a different state name.');
    }
    const table = this.table(desc.name);
    const ttl = desc.ttlConfig ? new TtlHelper(desc.ttlConfig, this.clock) : null;
    let handle: State;
    switch (desc.kind) {
      case 'value': handle = new HeapValueState(this, table, desc as ValueStateDescriptor<unknown>, ttl); break;
      case 'list': handle = new HeapListState(this, table, ttl); break;
      case 'map': handle = new HeapMapState(this, table, ttl); break;
      case 'reducing': handle = new HeapReducingState(this, table, (desc as ReducingStateDescriptor<unknown>).reduceFunction, ttl); break;
      case 'aggregating': handle = new HeapAggregatingState(this, table, (desc as AggregatingStateDescriptor<unknown, unknown, unknown>).aggregateFunction, ttl); break;
      default: throw new Error(`Unknown state kind ${(desc as { kind: string }).kind}`);
    }
    this.handles.set(desc.name, handle);
    this.meta.set(desc.name, { kind: desc.kind, ttl: ttl !== null });
    return handle as S;
  }

  clearCurrentKey(): void {
    for (const t of this.tables.values()) { this.touch(t, this.currentMapKey); t.delete(this.currentMapKey); }
    if (typeof this.currentMapKey === 'string') this.compositeKeys.delete(this.currentMapKey);
  }

  private originalKey(mk: MapKey): unknown {
    return typeof mk === 'string' && mk.charCodeAt(0) === 0 ? this.compositeKeys.get(mk) : mk;
  }

  applyToAllKeys<S extends State>(desc: StateDescriptor<unknown, unknown>, fn: (key: unknown, state: S) => void): void {
    const state = this.getPartitionedState<S>(desc);
    const saved = this.currentKey;
    for (const mk of [...this.table(desc.name).keys()]) {
      const key = this.originalKey(mk);
      this.setCurrentKey(key);
      fn(key, state);
    }
    if (saved !== undefined) this.setCurrentKey(saved);
  }

  numKeys(stateName: string): number { return this.tables.get(stateName)?.size ?? 0; }

  registerTimerService(name: string, timers: TimerSnapshotSource): RestoredTimers { return this.timers.register(name, timers); }

  hasRestoredTimers(name: string): boolean { return this.timers.hasRestored(name); }

  /** Called by the states before any access to the current key while a snapshot is being written. */
  touch(table: Map<MapKey, unknown>, mk: MapKey): void {
    const cows = this.cows;
    if (cows === null) return;
    let read = false, had = false, old: unknown;
    for (let i = 0; i < cows.length; i++) {
      const pre = cows[i]!.get(table);
      if (pre === undefined || pre.has(mk)) continue; // a table created after the snapshot began is not in it
      if (!read) { read = true; had = table.has(mk); old = had ? table.get(mk) : ABSENT; }
      pre.set(mk, old);
    }
    // Every snapshot that saved `old` now owns it; the task goes on with a copy.
    if (had && old !== null && typeof old === 'object') table.set(mk, copyStateValue(old));
  }

  get snapshotInProgress(): boolean { return this.cows !== null; }

  /**
   * The synchronous part of a snapshot: the key lists of every table and the timers are taken, and
   * serialization starts; what is left after syncSnapshotBudgetMs is written in serialize(), values
   * protected from the task's updates by copy-on-write meanwhile.
   */
  beginSnapshot(): PendingKeyedSnapshot {
    const t0 = performance.now();
    const cow: CowLayer = new Map();
    const sources: SnapshotSource[] = [];
    for (const [name, table] of this.tables) {
      const m = this.meta.get(name);
      if (!m || table.size === 0) continue;
      const pre = new Map<MapKey, unknown>();
      cow.set(table, pre);
      const keys = [...table.keys()];
      const self = this;
      sources.push({ name, kind: m.kind, ttl: m.ttl, *entries() {
        for (const mk of keys) {
          const p = pre.has(mk) ? pre.get(mk) : table.get(mk);
          if (p === ABSENT) continue;
          yield [self.originalKey(mk), p] as const;
        }
      } });
    }
    sources.push(...this.timerSources());
    const steps = snapshotKeyGroupsInSteps(this.keyGroupRange, this.maxParallelism, sources);
    // Nothing changes the tables during this loop: no copy-on-write needed yet. A failure surfaces in
    // serialize(), as it would past the budget (the checkpoint is declined, the task goes on).
    try {
      while (performance.now() - t0 < this.syncSnapshotBudgetMs) {
        const r = steps.next();
        if (r.done) { const s = r.value; return { serialize: async () => s, release: () => {} }; }
      }
    } catch (e) {
      return { serialize: async () => { throw e; }, release: () => {} };
    }
    this.cows = this.cows === null ? [cow] : [...this.cows, cow];
    const end = (): void => {
      if (this.cows === null) return;
      const rest = this.cows.filter((c) => c !== cow);
      this.cows = rest.length === 0 ? null : rest;
    };
    return {
      serialize: async (pause) => {
        try {
          for (;;) {
            const r = steps.next();
            if (r.done) return r.value;
            await pause();
          }
        } finally {
          end();
        }
      },
      release: end,
    };
  }

  snapshot(): KeyGroupsSnapshot {
    const sources: SnapshotSource[] = [];
    for (const [name, table] of this.tables) {
      const m = this.meta.get(name);
      if (!m || table.size === 0) continue;
      const self = this;
      sources.push({ name, kind: m.kind, ttl: m.ttl, *entries() { for (const [mk, v] of table) yield [self.originalKey(mk), v] as const; } });
    }
    sources.push(...this.timerSources());
    return snapshotKeyGroups(this.keyGroupRange, this.maxParallelism, sources);
  }

  /** Every timer service's timers (and restored ones no service claimed yet), copied: timers change with every record. */
  private timerSources(): SnapshotSource[] {
    const out: SnapshotSource[] = [];
    this.timers.forEachTimerState((name, each) => {
      const entries: Array<readonly [unknown, unknown]> = [];
      each((ts, key) => entries.push([key, ts]));
      out.push({ name, kind: 'timer', ttl: false, entries: () => entries });
    });
    return out;
  }

  restore(snapshots: readonly KeyGroupsSnapshot[]): void {
    restoreKeyGroups(snapshots, this.keyGroupRange, (kg, r) => {
      if (r.kind === 'timer') { this.timers.restore(kg, r.name, r.entries); return; }
      const m = this.meta.get(r.name);
      if (m && (m.kind !== r.kind || m.ttl !== r.ttl)) {
        throw new Error(`Keyed state of key group ${kg}: state '${r.name}' is ${r.kind} state${r.ttl ? ' with TTL' : ''} here and ${m.kind}${m.ttl ? ' with TTL' : ''} in another key group or registration.`);
      }
      this.meta.set(r.name, { kind: r.kind, ttl: r.ttl });
      const table = this.table(r.name);
      const e = r.entries;
      for (let i = 0; i < e.length; i += 2) {
        const mk = restoredMapKey(kg, r.name, e[i]);
        if (typeof mk === 'string' && mk.charCodeAt(0) === 0 && !this.compositeKeys.has(mk)) this.compositeKeys.set(mk, e[i]);
        table.set(mk, e[i + 1]);
      }
    });
  }

  dispose(): void { this.tables.clear(); this.handles.clear(); this.compositeKeys.clear(); this.timers.clear(); }
}

function restoredMapKey(kg: number, state: string, key: unknown): MapKey {
  try {
    return keyToMapKey(key);
  } catch (e) {
    throw new Error(`Keyed state of key group ${kg} is corrupt: state '${state}' holds an invalid key (${(e as Error).message}).`, { cause: e });
  }
}

interface TtlValue { v: unknown; t: number }

class TtlHelper {
  constructor(readonly cfg: StateTtlConfig, readonly clock: () => number) {}
  wrap(v: unknown): TtlValue { return { v, t: this.clock() }; }
  /** Returns the live value or undefined when expired (and then removes it). */
  read(table: Map<MapKey, unknown>, mk: MapKey): unknown {
    const e = table.get(mk) as TtlValue | undefined;
    if (e === undefined) return undefined;
    const now = this.clock();
    if (now - e.t >= this.cfg.ttl) {
      if (this.cfg.stateVisibility === 'NeverReturnExpired') { table.delete(mk); return undefined; }
      return e.v;
    }
    if (this.cfg.updateType === 'OnReadAndWrite') e.t = now;
    return e.v;
  }
}

abstract class HeapState {
  constructor(protected readonly backend: HeapKeyedStateBackend, protected readonly table: Map<MapKey, unknown>, protected readonly ttl: TtlHelper | null) {}
  protected raw(): unknown {
    const mk = this.backend.currentMapKey;
    if (this.backend.snapshotInProgress) this.backend.touch(this.table, mk);
    return this.ttl ? this.ttl.read(this.table, mk) : this.table.get(mk);
  }
  protected store(v: unknown): void {
    const mk = this.backend.currentMapKey;
    if (this.backend.snapshotInProgress) this.backend.touch(this.table, mk);
    this.table.set(mk, this.ttl ? this.ttl.wrap(v) : v);
  }
  clear(): void {
    const mk = this.backend.currentMapKey;
    if (this.backend.snapshotInProgress) this.backend.touch(this.table, mk);
    this.table.delete(mk);
  }
}

class HeapValueState extends HeapState implements ValueState<unknown> {
  constructor(b: HeapKeyedStateBackend, t: Map<MapKey, unknown>, private readonly desc: ValueStateDescriptor<unknown>, ttl: TtlHelper | null) { super(b, t, ttl); }
  value(): unknown {
    const v = this.raw();
    return v === undefined ? this.desc.defaultValue : v;
  }
  update(v: unknown): void { if (v === undefined || v === null) this.clear(); else this.store(v); }
}

class HeapListState extends HeapState implements ListState<unknown> {
  get(): Iterable<unknown> { return (this.raw() as unknown[] | undefined) ?? []; }
  add(v: unknown): void {
    if (v === undefined || v === null) throw new TypeError('ListState.add: null/undefined values are not allowed.');
    const l = this.raw() as unknown[] | undefined;
    if (l) { l.push(v); if (this.ttl) this.store(l); } else this.store([v]);
  }
  addAll(vs: Iterable<unknown>): void { for (const v of vs) this.add(v); }
  update(vs: Iterable<unknown>): void {
    const l = [...vs];
    if (l.length === 0) this.clear(); else this.store(l);
  }
}

/** Entries are [userKey, value] under the canonical map key, so array user keys compare by value. */
class HeapMapState extends HeapState implements MapState<unknown, unknown> {
  private m(create: boolean): Map<MapKey, [unknown, unknown]> | undefined {
    let m = this.raw() as Map<MapKey, [unknown, unknown]> | undefined;
    if (!m && create) { m = new Map(); this.store(m); }
    return m;
  }
  get(k: unknown): unknown { return this.m(false)?.get(userMapKey(k))?.[1]; }
  put(k: unknown, v: unknown): void {
    const m = this.m(true)!;
    m.set(userMapKey(k), [k, v]);
    if (this.ttl) this.store(m);
  }
  putAll(vs: Map<unknown, unknown> | Record<string, unknown>): void {
    const entries = vs instanceof Map ? vs.entries() : Object.entries(vs);
    for (const [k, v] of entries) this.put(k, v);
  }
  remove(k: unknown): void { const m = this.m(false); if (m) { m.delete(userMapKey(k)); if (m.size === 0) this.clear(); } }
  contains(k: unknown): boolean { return this.m(false)?.has(userMapKey(k)) ?? false; }
  entries(): Iterable<[unknown, unknown]> { return [...(this.m(false)?.values() ?? [])].map(([k, v]) => [k, v] as [unknown, unknown]); }
  keys(): Iterable<unknown> { return [...(this.m(false)?.values() ?? [])].map((e) => e[0]); }
  values(): Iterable<unknown> { return [...(this.m(false)?.values() ?? [])].map((e) => e[1]); }
  isEmpty(): boolean { return (this.m(false)?.size ?? 0) === 0; }
}

function userMapKey(k: unknown): MapKey {
  if (k === null || k === undefined) throw new TypeError('MapState: null/undefined keys are not allowed.');
  return typeof k === 'object' && !Array.isArray(k) ? JSON.stringify(k) : keyToMapKey(k);
}

class HeapReducingState extends HeapState implements ReducingState<unknown> {
  constructor(b: HeapKeyedStateBackend, t: Map<MapKey, unknown>, private readonly fn: (a: unknown, b: unknown) => unknown, ttl: TtlHelper | null) { super(b, t, ttl); }
  get(): unknown { return this.raw(); }
  add(v: unknown): void {
    const cur = this.raw();
    this.store(cur === undefined ? v : this.fn(cur, v));
  }
}

class HeapAggregatingState extends HeapState implements AggregatingState<unknown, unknown> {
  constructor(b: HeapKeyedStateBackend, t: Map<MapKey, unknown>,
    private readonly fn: { createAccumulator(): unknown; add(v: unknown, acc: unknown): unknown; getResult(acc: unknown): unknown }, ttl: TtlHelper | null) { super(b, t, ttl); }
  get(): unknown { const acc = this.raw(); return acc === undefined ? undefined : this.fn.getResult(acc); }
  add(v: unknown): void {
    const acc = this.raw();
    this.store(this.fn.add(v, acc === undefined ? this.fn.createAccumulator() : acc));
  }
}
