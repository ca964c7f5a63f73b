import type { StateDescriptor } from '../api/state/StateDescriptor.js';
import type { State } from '../api/state/State.js';
import type { KeyGroupRange } from '../util/KeyGroupRangeAssignment.js';
import type { KeyGroupsSnapshot } from './KeyGroupsSnapshot.js';
import type { KeyGroupsStateHandle } from '../checkpoint/StateHandles.js';

export type TimerDomain = 'event' | 'processing';

/** A timer service's timers as a snapshot reads them (Flink's _timer_state/event_<name> and processing_<name>). */
export interface TimerSnapshotSource {
  forEachTimer(domain: TimerDomain, fn: (timestamp: number, key: unknown) => void): void;
}

/** Timers restored for one timer service: [timestamp, key] pairs. */
export interface RestoredTimers {
  readonly event: ReadonlyArray<readonly [number, unknown]>;
  readonly processing: ReadonlyArray<readonly [number, unknown]>;
}

/** What a snapshot is for: checkpoints may be incremental; savepoints are always full and canonical. */
export interface SnapshotRequest {
  readonly checkpointId: number;
  readonly savepoint: boolean;
}

/**
 * An incremental checkpoint's keyed state (leveldb backend): chain parts uploaded by earlier
 * checkpoints (reused as they are), one new part to upload to shared storage, and the timers in full.
 */
export interface IncrementalKeyedSnapshot {
  readonly kind: 'incremental';
  readonly reused: readonly KeyGroupsStateHandle[];
  readonly fresh: KeyGroupsSnapshot;
  readonly part: 'base' | 'delta';
  readonly timers: KeyGroupsSnapshot | undefined;
  /** The fresh part's handle once uploaded: later checkpoints reuse it once this one is confirmed. */
  uploaded(handle: KeyGroupsStateHandle): void;
}

/** A snapshot begun in the synchronous phase; serialize() runs in slices while the task goes on. */
export interface PendingKeyedSnapshot {
  serialize(pause: () => Promise<void>): Promise<KeyGroupsSnapshot | IncrementalKeyedSnapshot>;
  /** Ends the snapshot without serializing (the checkpoint failed before it got here). */
  release(): void;
}

/**
 * Keyed state of one operator subtask. The current key is set before each record or timer;
 * state handles read and write the current key's entry. Synchronous on every backend.
 */
export interface KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  setCurrentKey(key: unknown): void;
  getCurrentKey(): unknown;
  getPartitionedState<S extends State>(desc: StateDescriptor<unknown, unknown>): S;
  /** Drops every state entry of the current key (BATCH mode after a key is done). */
  clearCurrentKey(): void;
  /** Applies fn to every key that has state of this descriptor. */
  applyToAllKeys<S extends State>(desc: StateDescriptor<unknown, unknown>, fn: (key: unknown, state: S) => void): void;
  /**
   * Called before open() by operators that call applyToAllKeys (keyed broadcast): backends that
   * cannot scan their store synchronously (leveldb) then keep the keys (not the values) in memory.
   */
  enableKeyIteration?(): void;
  numKeys(stateName: string): number;
  /**
   * A timer service joins this backend's snapshots under `name` (one service per name); returns
   * the timers restored for that name, which the service then owns.
   */
  registerTimerService(name: string, timers: TimerSnapshotSource): RestoredTimers;
  /** Restored timers of service `name` that no service has claimed yet (it must be created to fire them). */
  hasRestoredTimers(name: string): boolean;
  /** All states and timers, serialized before returning (state may change right after). */
  snapshot(): KeyGroupsSnapshot;
  /** The synchronous phase of an asynchronous snapshot: the state as of now, serialized later. */
  beginSnapshot(request?: SnapshotRequest): PendingKeyedSnapshot;
  /** A checkpoint completed (incremental backends: its chain becomes the one later checkpoints extend). */
  notifyCheckpointComplete?(checkpointId: number): void;
  /** Backends that keep state outside the heap open their store here, after restore() and before any state access. */
  open?(): Promise<void>;
  /**
   * Backends that can drop expired TTL entries in the background (LevelDB: a scan, the role of
   * RocksDB's compaction filter). `live(v)` gets one stored value (a map entry's value for map
   * state) and returns it unchanged, a new value to store, or undefined to remove it.
   */
  enableTtlCleanup?(stateName: string, live: (value: unknown) => unknown): void;
  /**
   * Backends whose state is in the heap (Flink's incremental cleanup of the heap backend): returns a
   * step that checks the next `cleanupSize` entries of the state, run by the TTL layer on every access
   * of the state; with `runForEveryRecord` the backend also runs it on every record (setCurrentKey).
   * `live(v)` gets a whole stored value (the list, the map) and returns it, a new value, or undefined.
   */
  enableIncrementalTtlCleanup?(stateName: string, live: (value: unknown) => unknown, opts: { cleanupSize: number; runForEveryRecord: boolean }): () => void;
  /** Before any state is requested: loads the key groups of `snapshots` inside keyGroupRange. */
  restore(snapshots: readonly KeyGroupsSnapshot[]): void;
  dispose(): void;
}
