// The 'leveldb' backend (Flink's EmbeddedRocksDBStateBackend role): one classic-level instance per
// slot-operator in a directory of its own under the TaskManager's local dirs, deleted on dispose.
// State handles stay synchronous: reads go through WriteBackStore (getSync), writes are batched.
// Timers stay on the heap (InternalTimerService), as with Flink's
// state.backend.rocksdb.timer-service.factory: HEAP; they join the snapshots in the same format.
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ClassicLevel } from 'classic-level';
import { Unpackr } from 'msgpackr';
import { Packr } from '../../network/Packr.js';
import type { IncrementalKeyedSnapshot, KeyedStateBackend, PendingKeyedSnapshot, RestoredTimers, SnapshotRequest, TimerSnapshotSource } from '../KeyedStateBackend.js';
import { DELTA_FORMAT, readKeyGroups, type KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';
import type { KeyGroupsStateHandle } from '../../checkpoint/StateHandles.js';
import { ChangeTracker, parseDeltaFrame, writeLevelDBDelta } from './LevelDBIncremental.js';
import { restoreKeyGroups, type StoredKind } from '../heap/HeapSnapshot.js';
import type { State } from '../../api/state/State.js';
import type { StateDescriptor, ValueStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor } from '../../api/state/StateDescriptor.js';
import type { KeyGroupRange } from '../../util/KeyGroupRangeAssignment.js';
import { CurrentKeyEncoder, decodeKey, directKeyOf, stateIdOf, u16, userKeyChars } from './LevelDBKeyLayout.js';
import { ABSENT, WriteBackStore, type LevelSnapshot, type Slot } from './WriteBackStore.js';
import {
  LevelAggregatingState, LevelListState, LevelMapState, LevelReducingState, LevelValueState, type AggregateFns, type StateAccess, type StateMeta,
} from './LevelDBStates.js';
import { writeLevelDBSnapshot, writeTimersSnapshot, type TimerCopy } from './LevelDBSnapshot.js';
import { KeyedTimerRegistry } from '../KeyedTimerRegistry.js';

export interface LevelDBBackendOptions {
  /** Directory of this instance (must not exist yet; created, and removed on dispose). */
  readonly path: string;
  /** LevelDB block cache bytes (state.backend.leveldb.block-cache-size). */
  readonly blockCacheSize: number;
  /** LevelDB memtable bytes (state.backend.leveldb.write-buffer-size). */
  readonly writeBufferSize: number;
  /** Write-back + read cache bytes (state.backend.leveldb.cache.size). */
  readonly cacheSize: number;
  /** Dirty bytes per batch (state.backend.leveldb.write-batch-size). */
  readonly writeBatchSize: number;
  /** Names the operator subtask in errors. */
  readonly owner: string;
  /**
   * execution.checkpointing.incremental: checkpoints upload a base, then deltas of the entries changed
   * since the last confirmed one; a new base after `maxDeltas` deltas or once the deltas outgrow the base.
   */
  readonly incremental?: { readonly maxDeltas: number };
}

/** The chain of an incremental checkpoint: what a later checkpoint extends once this one is confirmed. */
interface Chain {
  readonly handles: readonly KeyGroupsStateHandle[];
  readonly baseBytes: number;
  readonly deltaBytes: number;
  /** ChangeTracker generation the newest part captured. */
  readonly generation: number;
}

const MAX_STATES = 0xffff;
/** Restore writes this many bytes per batch before awaiting it (bounds the memory a restore needs). */
const RESTORE_BATCH_BYTES = 4 * 1024 * 1024;
/** Pause between two background TTL cleanup scans. */
const CLEANUP_PAUSE_MS = 1_000;

export class LevelDBKeyedStateBackend implements KeyedStateBackend, StateAccess {
  private readonly db: ClassicLevel<string, Buffer>;
  readonly store: WriteBackStore;
  private readonly keyEnc: CurrentKeyEncoder;
  /** Encodes the keys of entries the store writes to LevelDB (not the current key's). */
  private readonly flushEnc: CurrentKeyEncoder;
  private currentKey: unknown = undefined;
  /** The current key as the cache key of the states' own entries, or undefined: they go by LevelDB key. */
  private directKey: unknown = undefined;
  /** Key group chars + current key chars (the state id goes in between), encoded when first needed. */
  private kgChars = '';
  private keyVersion = 0;
  private encodedVersion = -1;
  private keyChars = '';
  /** State ids by space - 1. */
  private readonly idChars: string[] = [];
  private readonly metas = new Map<string, StateMeta>();
  private readonly handles = new Map<string, State>();
  private readonly timers = new KeyedTimerRegistry();
  private pendingRestore: readonly KeyGroupsSnapshot[] = [];
  private opened = false;
  private disposed: Promise<void> | null = null;
  private readonly structures: object[] = [];
  /** TTL states cleaned up in the background, by state id. */
  private readonly ttlCleanup = new Map<number, (v: unknown) => unknown>();
  /** Keys with an own entry per state id (cache key → the key, or undefined: decode it from the LevelDB key), when key iteration is on. */
  private keySets: Map<number, Map<unknown, unknown>> | undefined;
  private cleanupRunning = false;
  /** Completed background cleanup passes (tests wait for one). */
  cleanupPasses = 0;
  private readonly packr: InstanceType<typeof Packr>;
  private readonly unpackr: Unpackr;
  /** Incremental checkpoints: keys written since the confirmed chain, that chain, and chains awaiting confirmation. */
  private readonly changes: ChangeTracker | undefined;
  private confirmed: Chain | undefined;
  private readonly unconfirmed = new Map<number, Chain>();

  constructor(readonly keyGroupRange: KeyGroupRange, readonly maxParallelism: number, private readonly opts: LevelDBBackendOptions) {
    this.keyEnc = new CurrentKeyEncoder(maxParallelism);
    this.flushEnc = new CurrentKeyEncoder(maxParallelism);
    this.db = new (loadClassicLevel())<string, Buffer>(opts.path, {
      keyEncoding: 'utf8', valueEncoding: 'buffer',
      cacheSize: opts.blockCacheSize, writeBufferSize: opts.writeBufferSize, createIfMissing: true, errorIfExists: true,
    });
    this.changes = opts.incremental ? new ChangeTracker() : undefined;
    this.store = new WriteBackStore(this.db, {
      cacheSize: opts.cacheSize, writeBatchSize: opts.writeBatchSize, where: `${opts.owner} (LevelDB ${opts.path})`, ...(this.changes ? { changes: this.changes } : {}),
      levelKey: (space, ck) => { this.flushEnc.set(ck); return u16(this.flushEnc.keyGroup) + this.idChars[space - 1]! + this.flushEnc.chars; },
      encode: (v) => this.packr.pack(v),
    });
    // Record structures live only in this process: the DB is private to this backend and deleted with it,
    // and checkpoints use the canonical format, so they never need to be persisted.
    this.packr = new Packr({
      structures: this.structures, useRecords: true, moreTypes: true,
      writeFunction: ((): never => {
        throw new Error(`${opts.owner}: state holds a function, which cannot be stored; keep only data (numbers, strings, bigint, arrays, objects, Maps, Sets, Dates, Uint8Arrays) in state.`);
      }) as () => never,
    });
    this.unpackr = new Unpackr({ structures: this.structures, useRecords: true, moreTypes: true });
  }

  get path(): string { return this.opts.path; }

  async open(): Promise<void> {
    if (this.opened) return;
    // Created here, not in the constructor: a task that fails before opening leaves nothing on disk.
    try {
      mkdirSync(this.opts.path, { recursive: true });
    } catch (e) {
      throw new Error(`${this.opts.owner}: cannot create the LevelDB state directory ${this.opts.path}: ${(e as Error).message}. ` +
        "Set 'state.backend.leveldb.localdir' or 'io.tmp.dirs' to a writable local directory.", { cause: e });
    }
    try {
      await this.db.open();
    } catch (e) {
      throw new Error(`${this.opts.owner}: cannot open LevelDB at ${this.opts.path}: ${(e as Error).message}`, { cause: e });
    }
    this.opened = true;
    const snapshots = this.pendingRestore;
    this.pendingRestore = [];
    if (snapshots.length > 0) await this.loadRestored(snapshots);
    if (this.ttlCleanup.size > 0) this.startCleanup();
  }

  // ---- TTL cleanup in the background (the role of RocksDB's compaction filter) ----

  enableTtlCleanup(stateName: string, live: (value: unknown) => unknown): void {
    const m = this.metas.get(stateName);
    if (!m) throw new Error(`internal: TTL cleanup for unknown state '${stateName}'`);
    this.ttlCleanup.set(m.id, live);
    if (this.opened) this.startCleanup();
  }

  private startCleanup(): void {
    if (this.cleanupRunning) return;
    this.cleanupRunning = true;
    void (async () => {
      try {
        while (this.opened) {
          await this.ttlCleanupPass();
          await new Promise<void>((r) => { const t = setTimeout(r, CLEANUP_PAUSE_MS); t.unref(); });
        }
      } catch (e) {
        // A pass fails only when the DB closed under it (task end) or a write failed (reported on the next access).
        if (this.opened) console.warn(`${this.opts.owner}: TTL cleanup stopped: ${(e as Error).message}`);
      } finally { this.cleanupRunning = false; }
    })();
  }

  /**
   * One scan over this backend's key groups: expired entries of TTL states with background cleanup
   * are removed (or their expired list elements), unless the task wrote the entry since the scan read it.
   */
  async ttlCleanupPass(): Promise<void> {
    const byId = new Map<number, StateMeta>();
    for (const m of this.metas.values()) byId.set(m.id, m);
    const it = this.db.iterator({ gte: u16(this.keyGroupRange.startKeyGroup), lt: u16(this.keyGroupRange.endKeyGroup + 1), keyEncoding: 'utf8', valueEncoding: 'buffer' });
    try {
      for (;;) {
        const entries = await it.nextv(1000);
        if (entries.length === 0 || !this.opened) break;
        for (const [k, v] of entries) {
          const live = this.ttlCleanup.get(stateIdOf(k));
          if (live === undefined) continue;
          const meta = byId.get(stateIdOf(k))!;
          const { end } = decodeKey(k, 4);
          if (meta.kind === 'map' && end === k.length) continue; // the index: follows its entries
          const [space, ck] = this.locate(k);
          const cur = this.store.peek(space, ck);
          if (!(cur instanceof Uint8Array) || !Buffer.from(cur.buffer, cur.byteOffset, cur.byteLength).equals(v)) continue; // written since the scan read it
          const value = this.unpackr.unpack(v);
          const out = live(value);
          if (out === value) continue;
          if (meta.kind === 'map') this.removeMapEntry(meta, k.slice(0, end), k.slice(end));
          else if (out === undefined) this.removeAt(meta, space, ck, true);
          else this.writeAt(meta, space, ck, out, true);
        }
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await it.close();
    }
    this.cleanupPasses++;
  }

  private removeMapEntry(meta: StateMeta, base: string, uk: string): void {
    this.remove(meta, base + uk, false);
    const [space, ck] = this.locate(base);
    const idx = ((this.decode(this.store.get(space, ck)) as unknown[] | undefined) ?? []).filter((x) => userKeyChars(x) !== uk);
    if (idx.length === 0) this.removeAt(meta, space, ck, true); else this.writeAt(meta, space, ck, idx, true);
  }

  /** The store space and cache key of the entry with LevelDB key `k` (see WriteBackStore). */
  private locate(k: string): [number, unknown] {
    const { key, end } = decodeKey(k, 4);
    if (end === k.length) { const d = directKeyOf(key); if (d !== undefined) return [1 + stateIdOf(k), d]; }
    return [0, k];
  }

  private decode(s: Slot): unknown {
    if (s === ABSENT) return undefined;
    return s instanceof Uint8Array ? this.unpackr.unpack(s) : s;
  }

  /**
   * Numbers, booleans and bigints stay decoded in the cache (immutable, small); everything else is
   * copied into bytes. Strings too: serializing them on write keeps a writer of large values at the
   * pace LevelDB absorbs them (the store cannot make the task wait).
   */
  private encodeSlot(v: unknown): Slot {
    const t = typeof v;
    return t === 'number' || t === 'boolean' || t === 'bigint' ? v : this.packr.pack(v);
  }

  private writeAt(meta: StateMeta, space: number, ck: unknown, v: unknown, primary: boolean): void {
    if (!this.store.put(space, ck, this.encodeSlot(v)) && primary) { meta.count++; if (this.keySets) this.keySet(meta.id).set(ck, space === 0 ? undefined : ck); }
  }

  private removeAt(meta: StateMeta, space: number, ck: unknown, primary: boolean): void {
    if (this.store.del(space, ck) && primary) { meta.count--; this.keySets?.get(meta.id)?.delete(ck); }
  }

  private encodeCurrentKey(): void {
    this.keyEnc.set(this.currentKey);
    this.kgChars = u16(this.keyEnc.keyGroup);
    this.keyChars = this.keyEnc.chars;
    this.encodedVersion = this.keyVersion;
  }

  // ---- StateAccess (the handles' view) ----

  entryKey(meta: StateMeta): string {
    if (meta.keyVersion !== this.keyVersion) {
      if (this.encodedVersion !== this.keyVersion) this.encodeCurrentKey();
      meta.key = this.kgChars + meta.idChars + this.keyChars;
      meta.keyVersion = this.keyVersion;
    }
    return meta.key;
  }

  readOwn(meta: StateMeta): unknown {
    if (!this.opened) this.notOpen();
    const d = this.directKey;
    return this.decode(d !== undefined ? this.store.get(1 + meta.id, d) : this.store.get(0, this.entryKey(meta)));
  }

  existsOwn(meta: StateMeta): boolean {
    if (!this.opened) this.notOpen();
    const d = this.directKey;
    return (d !== undefined ? this.store.get(1 + meta.id, d) : this.store.get(0, this.entryKey(meta))) !== ABSENT;
  }

  writeOwn(meta: StateMeta, v: unknown): void {
    if (!this.opened) this.notOpen();
    const d = this.directKey;
    if (d !== undefined) this.writeAt(meta, 1 + meta.id, d, v, true); else this.writeAt(meta, 0, this.entryKey(meta), v, true);
  }

  removeOwn(meta: StateMeta): void {
    if (!this.opened) this.notOpen();
    const d = this.directKey;
    if (d !== undefined) this.removeAt(meta, 1 + meta.id, d, true); else this.removeAt(meta, 0, this.entryKey(meta), true);
  }

  read(k: string): unknown {
    if (!this.opened) this.notOpen();
    return this.decode(this.store.get(0, k));
  }

  exists(k: string): boolean {
    if (!this.opened) this.notOpen();
    return this.store.get(0, k) !== ABSENT;
  }

  write(meta: StateMeta, k: string, v: unknown, primary: boolean): void {
    if (!this.opened) this.notOpen();
    this.writeAt(meta, 0, k, v, primary);
  }

  remove(meta: StateMeta, k: string, primary: boolean): void {
    if (!this.opened) this.notOpen();
    this.removeAt(meta, 0, k, primary);
  }

  private notOpen(): never {
    throw new Error(`${this.opts.owner}: the LevelDB state backend was used before open() (or after dispose()); the task opens it before operators start.`);
  }

  // ---- KeyedStateBackend ----

  setCurrentKey(key: unknown): void {
    // Runs of one primitive key (and timers) need no re-encoding; arrays may have changed in place.
    if (key === this.currentKey && key !== undefined && typeof key !== 'object') return;
    this.currentKey = key;
    this.keyVersion++;
    this.directKey = directKeyOf(key);
    // Other keys are encoded now: an invalid key fails here, at the record that carries it.
    if (this.directKey === undefined) this.encodeCurrentKey();
  }
  getCurrentKey(): unknown { return this.currentKey; }

  private meta(name: string, kind: StoredKind, ttl: boolean): StateMeta {
    let m = this.metas.get(name);
    if (m) return m;
    const id = this.metas.size;
    if (id >= MAX_STATES) throw new Error(`${this.opts.owner}: more than ${MAX_STATES} keyed states in one operator; use fewer state names.`);
    m = { id, idChars: u16(id), name, kind, ttl, count: 0, key: '', keyVersion: -1 };
    this.idChars[id] = m.idChars;
    this.metas.set(name, m);
    return m;
  }

  getPartitionedState<S extends State>(desc: StateDescriptor<unknown, unknown>): S {
    const existing = this.handles.get(desc.name);
    const known = this.metas.get(desc.name);
    if (known && known.kind !== desc.kind) {
      throw new Error(`State '${desc.name}' was ${existing ? 'registered' : 'restored'} as ${known.kind} state and is now requested as ${desc.kind} state; ` +
        (existing ? 'use a different name.' : 'keep its kind or use a different name.'));
    }
    if (existing) return existing as S;
    const ttl = desc.ttlConfig !== undefined;
    if (known && known.ttl !== ttl) {
      throw new Error(`State '${desc.name}' was restored ${known.ttl ? 'with' : 'without'} TTL and is now requested ${known.ttl ? 'without' : 'with'} it; ` +
        'turning TTL on or off for existing state is not supported (as in Flink); use a different state name.');
    }
    const m = this.meta(desc.name, desc.kind, ttl);
    let handle: State;
    switch (desc.kind) {
      case 'value': handle = new LevelValueState(this, m, (desc as ValueStateDescriptor<unknown>).defaultValue); break;
      case 'list': handle = new LevelListState(this, m); break;
      case 'map': handle = new LevelMapState(this, m); break;
      case 'reducing': handle = new LevelReducingState(this, m, (desc as ReducingStateDescriptor<unknown>).reduceFunction); break;
      case 'aggregating': handle = new LevelAggregatingState(this, m, (desc as AggregatingStateDescriptor<unknown, unknown, unknown>).aggregateFunction as AggregateFns); break;
      default: throw new Error(`Unknown state kind ${(desc as { kind: string }).kind}`);
    }
    this.handles.set(desc.name, handle);
    return handle as S;
  }

  clearCurrentKey(): void {
    for (const m of this.metas.values()) {
      if (m.kind === 'map') {
        const base = this.entryKey(m);
        const idx = this.readOwn(m) as unknown[] | undefined;
        if (idx) for (const k of idx) this.remove(m, base + userKeyChars(k), false);
      }
      this.removeOwn(m);
    }
  }

  /**
   * From now on the keys of every state are also kept in memory (not their values): classic-level
   * scans only asynchronously, and applyToAllKeys must be synchronous. Before open().
   */
  enableKeyIteration(): void {
    if (this.opened) throw new Error(`internal: ${this.opts.owner}: key iteration must be enabled before the LevelDB state backend is opened.`);
    this.keySets ??= new Map();
  }

  private keySet(id: number): Map<unknown, unknown> {
    let s = this.keySets!.get(id);
    if (!s) { s = new Map(); this.keySets!.set(id, s); }
    return s;
  }

  /** A key restored with an own entry at LevelDB key `k`: tracked under the cache key its entry has. */
  private trackRestoredKey(m: StateMeta, k: string): void {
    if (!this.keySets) return;
    const [space, ck] = this.locate(k);
    this.keySet(m.id).set(ck, space === 0 ? undefined : ck);
  }

  applyToAllKeys<S extends State>(desc: StateDescriptor<unknown, unknown>, fn: (key: unknown, state: S) => void): void {
    if (!this.keySets) {
      throw new Error(`${this.opts.owner}: applying a function to every key of state '${desc.name}' on the 'leveldb' state backend needs key iteration, ` +
        'which keyed broadcast operators enable (KeyedBroadcastProcessFunction.applyToKeyedState); LevelDB cannot be scanned synchronously.');
    }
    const state = this.getPartitionedState<S>(desc);
    const m = this.metas.get(desc.name)!;
    const saved = this.currentKey;
    // A copy: fn may add or clear keys. Keys cached by LevelDB key (arrays, bigints, booleans) are decoded from it.
    for (const [ck, direct] of [...this.keySet(m.id)]) {
      const key = direct !== undefined ? direct : decodeKey(ck as string, 4).key;
      this.setCurrentKey(key);
      fn(key, state);
    }
    if (saved !== undefined) this.setCurrentKey(saved);
  }

  numKeys(stateName: string): number { return this.metas.get(stateName)?.count ?? 0; }

  registerTimerService(name: string, timers: TimerSnapshotSource): RestoredTimers { return this.timers.register(name, timers); }

  hasRestoredTimers(name: string): boolean { return this.timers.hasRestored(name); }

  /** Timers change with every record: copied in the synchronous phase. */
  private copyTimers(): TimerCopy[] {
    const out: TimerCopy[] = [];
    const add = (name: string, each: (fn: (ts: number, key: unknown) => void) => void): void => {
      const entries: unknown[] = [];
      each((ts, key) => entries.push(key, ts));
      if (entries.length > 0) out.push({ name, entries });
    };
    this.timers.forEachTimerState(add);
    return out;
  }

  /** The synchronous phase's copies (timers, state metadata) and a LevelDB snapshot of this moment, released once. */
  private snapshotMoment(): { timers: TimerCopy[]; metas: Map<number, StateMeta>; snap: Promise<LevelSnapshot>; release: () => void } {
    const timers = this.copyTimers();
    const metas = new Map<number, StateMeta>();
    for (const m of this.metas.values()) metas.set(m.id, { ...m });
    const snap = this.store.snapshot();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      void snap.then((s) => s.close(), () => {});
    };
    return { timers, metas, snap, release };
  }

  /**
   * Synchronous phase: timers are copied and a LevelDB snapshot is requested for this moment
   * (it is taken once the writes so far have landed); the snapshot is read in slices afterwards.
   */
  beginSnapshot(request?: SnapshotRequest): PendingKeyedSnapshot {
    if (!this.opened) this.notOpen();
    if (this.changes && request && !request.savepoint) return this.beginIncrementalSnapshot(request.checkpointId, this.changes);
    const { timers, metas, snap, release } = this.snapshotMoment();
    return {
      serialize: async (pause) => {
        try {
          const s = await snap;
          return await writeLevelDBSnapshot({
            db: this.db, snapshot: s, range: this.keyGroupRange, maxParallelism: this.maxParallelism, metas, timers,
            unpack: (b) => this.unpackr.unpack(b), pause,
          });
        } finally { release(); }
      },
      release,
    };
  }

  /**
   * Incremental checkpoint: a delta of the keys written since the confirmed chain (read from a LevelDB
   * snapshot of this moment), or a new base when there is no chain yet or it grew long.
   */
  private beginIncrementalSnapshot(checkpointId: number, changes: ChangeTracker): PendingKeyedSnapshot {
    const chain = this.confirmed;
    const deltas = chain ? chain.handles.length - 1 : 0;
    const asBase = chain === undefined || deltas >= this.opts.incremental!.maxDeltas || chain.deltaBytes >= chain.baseBytes;
    // The moment first: it seals the dirty entries, which marks them as changed before the capture.
    const { timers, metas, snap, release } = this.snapshotMoment();
    const { generation, keys } = changes.capture();
    return {
      serialize: async (pause): Promise<IncrementalKeyedSnapshot> => {
        try {
          const s = await snap;
          const fresh = asBase
            ? await writeLevelDBSnapshot({ db: this.db, snapshot: s, range: this.keyGroupRange, maxParallelism: this.maxParallelism, metas, timers: [], unpack: (b) => this.unpackr.unpack(b), pause })
            : await writeLevelDBDelta({ db: this.db, snapshot: s, range: this.keyGroupRange, keys, metas, pause });
          return {
            kind: 'incremental', part: asBase ? 'base' : 'delta', reused: asBase ? [] : chain!.handles, fresh,
            timers: writeTimersSnapshot(this.keyGroupRange, this.maxParallelism, timers),
            uploaded: (handle) => {
              const size = handle.handle.kind === 'file' ? handle.handle.size : handle.handle.data.byteLength;
              this.unconfirmed.set(checkpointId, asBase
                ? { handles: [handle], baseBytes: size, deltaBytes: 0, generation }
                : { handles: [...chain!.handles, handle], baseBytes: chain!.baseBytes, deltaBytes: chain!.deltaBytes + size, generation });
            },
          };
        } finally { release(); }
      },
      release,
    };
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const chain = this.unconfirmed.get(checkpointId);
    if (chain === undefined) return; // not incremental, or a checkpoint this backend did not upload
    this.confirmed = chain;
    this.changes?.confirm(chain.generation);
    for (const id of [...this.unconfirmed.keys()]) if (id <= checkpointId) this.unconfirmed.delete(id);
  }

  snapshot(): KeyGroupsSnapshot {
    throw new Error(`${this.opts.owner}: the 'leveldb' state backend snapshots only asynchronously (beginSnapshot); LevelDB cannot be read in one synchronous pass.`);
  }

  /** Timers are loaded now (timer services are created right after); state entries in open(). */
  restore(snapshots: readonly KeyGroupsSnapshot[]): void {
    if (this.opened) throw new Error(`${this.opts.owner}: restore() must run before the LevelDB state backend is opened.`);
    const canonical = snapshots.filter((s) => s.format !== DELTA_FORMAT);
    for (const d of snapshots) {
      if (d.format !== DELTA_FORMAT) continue;
      readKeyGroups([d], this.keyGroupRange, (kg, payload) => { for (const [name, kind, ttl] of parseDeltaFrame(kg, payload).states) this.meta(name, kind, ttl); });
    }
    restoreKeyGroups(canonical, this.keyGroupRange, (kg, r) => {
      if (r.kind === 'timer') { this.timers.restore(kg, r.name, r.entries); return; }
      const m = this.metas.get(r.name);
      if (m && (m.kind !== r.kind || m.ttl !== r.ttl)) {
        throw new Error(`Keyed state of key group ${kg}: state '${r.name}' is ${r.kind} state${r.ttl ? ' with TTL' : ''} here and ${m.kind}${m.ttl ? ' with TTL' : ''} in another key group.`);
      }
      this.meta(r.name, r.kind, r.ttl);
    });
    this.pendingRestore = [...this.pendingRestore, ...snapshots];
  }

  /** Writes the restored state entries of each key group in range, one key group decoded at a time. */
  private async loadRestored(snapshots: readonly KeyGroupsSnapshot[]): Promise<void> {
    let batch = this.db.batch();
    let bytes = 0;
    const put = async (k: string, v: unknown): Promise<void> => {
      const b = this.packr.pack(v);
      this.store.noteWritten(k);
      batch.put(k, b);
      bytes += k.length + b.length;
      if (bytes >= RESTORE_BATCH_BYTES) { await batch.write(); batch = this.db.batch(); bytes = 0; }
    };
    const canonical = snapshots.filter((s) => s.format !== DELTA_FORMAT);
    for (let kg = this.keyGroupRange.startKeyGroup; kg <= this.keyGroupRange.endKeyGroup; kg++) {
      const records: { name: string; kind: StoredKind; entries: readonly unknown[] }[] = [];
      restoreKeyGroups(canonical, { startKeyGroup: kg, endKeyGroup: kg }, (_kg, r) => { if (r.kind !== 'timer') records.push(r); });
      const kgc = u16(kg);
      for (const r of records) {
        const m = this.metas.get(r.name)!;
        const e = r.entries;
        for (let i = 0; i < e.length; i += 2) {
          this.keyEnc.set(e[i]);
          if (this.keyEnc.keyGroup !== kg) {
            throw new Error(`Keyed state of key group ${kg} is corrupt: state '${r.name}' holds key ${String(e[i])} of key group ${this.keyEnc.keyGroup}.`);
          }
          const base = kgc + m.idChars + this.keyEnc.chars;
          this.keyVersion++;
          m.count++;
          this.trackRestoredKey(m, base);
          if (r.kind !== 'map') { await put(base, e[i + 1]); continue; }
          const map = e[i + 1];
          if (!(map instanceof Map)) throw new Error(`Keyed state of key group ${kg} is corrupt: map state '${r.name}' holds a ${typeof map} instead of a map.`);
          const index: unknown[] = [];
          for (const pair of map.values()) {
            if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`Keyed state of key group ${kg} is corrupt: an entry of map state '${r.name}' is malformed.`);
            index.push(pair[0]);
            await put(base + userKeyChars(pair[0]), pair[1]);
          }
          await put(base, index);
        }
      }
    }
    await batch.write();
    // Incremental chains: the deltas after their base, in chain order, each written before the next is read.
    for (const d of snapshots) if (d.format === DELTA_FORMAT) await this.applyDelta(d);
    this.currentKey = undefined;
  }

  /** Writes one delta's entries (null = delete), keeping the per-state key counts right. */
  private async applyDelta(d: KeyGroupsSnapshot): Promise<void> {
    let batch = this.db.batch();
    let bytes = 0;
    const frames: Array<[number, ReturnType<typeof parseDeltaFrame>]> = [];
    readKeyGroups([d], this.keyGroupRange, (kg, payload) => frames.push([kg, parseDeltaFrame(kg, payload)]));
    for (const [kg, { states, entries }] of frames) {
      const kgc = u16(kg);
      const metas = states.map(([name]) => this.metas.get(name)!);
      for (let i = 0; i < entries.length; i += 3) {
        const m = metas[entries[i] as number]!;
        const suffix = entries[i + 1] as string;
        const v = entries[i + 2] as Uint8Array | null;
        const k = kgc + m.idChars + suffix;
        // The state's own entry of a key (not a map entry) counts the key.
        if (decodeKey(suffix, 0).end === suffix.length) {
          const existed = this.db.getSync(k) !== undefined;
          if (v === null && existed) { m.count--; if (this.keySets) this.keySet(m.id).delete(this.locate(k)[1]); }
          else if (v !== null && !existed) { m.count++; this.trackRestoredKey(m, k); }
        }
        this.keyVersion++;
        if (v === null) batch.del(k);
        else { this.store.noteWritten(k); batch.put(k, Buffer.from(v.buffer, v.byteOffset, v.byteLength)); }
        bytes += k.length + (v?.byteLength ?? 0);
        if (bytes >= RESTORE_BATCH_BYTES) { await batch.write(); batch = this.db.batch(); bytes = 0; }
      }
    }
    await batch.write();
  }

  dispose(): void { void this.close(); }

  /** Closes the DB and deletes its directory (dispose() without waiting). */
  close(): Promise<void> {
    if (this.disposed) return this.disposed;
    this.opened = false;
    this.store.close();
    this.handles.clear();
    this.timers.clear();
    const path = this.opts.path;
    this.disposed = this.db.close().catch(() => { /* closing a failed DB */ }).then(() => { rmSync(path, { recursive: true, force: true }); });
    return this.disposed;
  }
}

/**
 * classic-level (a native addon) is loaded when a leveldb backend is first created, not when this
 * module is imported: processes that never use the backend (e.g. YARN containers, whose runtime
 * archive does not ship native addons) must not need it.
 */
let classicLevel: typeof ClassicLevel | undefined;
function loadClassicLevel(): typeof ClassicLevel {
  if (classicLevel) return classicLevel;
  try {
    classicLevel = (createRequire(import.meta.url)('classic-level') as { ClassicLevel: typeof ClassicLevel }).ClassicLevel;
  } catch (e) {
    throw new Error(`state.backend.type 'leveldb' needs the classic-level package, which cannot be loaded in this process (${(e as Error).message}). Install tsflink with its dependencies on this host, or use state.backend.type: hashmap.`, { cause: e });
  }
  return classicLevel;
}
