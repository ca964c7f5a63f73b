// Keyed state in BATCH execution (Flink's BatchExecutionKeyedStateBackend): the keyed input arrives grouped by
// key (sorted input), so only the current key's state is kept: when the key changes, every state of the previous
// key is dropped. State memory is that of one key, whatever the number of keys. No checkpoints in BATCH: a
// failed task reruns its region from its inputs, so there is nothing to snapshot or restore.
import type { State } from '../../api/state/State.js';
import type { StateDescriptor } from '../../api/state/StateDescriptor.js';
import { keyToMapKey } from '../../util/KeyEncoding.js';
import type { KeyGroupRange } from '../../util/KeyGroupRangeAssignment.js';
import type { KeyGroupsSnapshot } from '../KeyGroupsSnapshot.js';
import type { KeyedStateBackend, PendingKeyedSnapshot, RestoredTimers, TimerSnapshotSource } from '../KeyedStateBackend.js';
import { HeapKeyedStateBackend } from '../heap/HeapKeyedStateBackend.js';

type MapKey = string | number | bigint | boolean;
const NO_KEY: unique symbol = Symbol('no key');

export class BatchExecutionKeyedStateBackend implements KeyedStateBackend {
  /** Holds the current key's entries only (its tables have at most one key). */
  private readonly heap: HeapKeyedStateBackend;
  private currentMapKey: MapKey | typeof NO_KEY = NO_KEY;

  constructor(readonly keyGroupRange: KeyGroupRange, readonly maxParallelism: number, clock: () => number = Date.now, private readonly owner = 'keyed operator') {
    this.heap = new HeapKeyedStateBackend(keyGroupRange, maxParallelism, clock);
  }

  setCurrentKey(key: unknown): void {
    const mk = keyToMapKey(key);
    if (mk !== this.currentMapKey) {
      // A new key: the previous key's input is complete (sorted input), its state is never read again.
      if (this.currentMapKey !== NO_KEY) this.heap.clearCurrentKey();
      this.currentMapKey = mk;
    }
    this.heap.setCurrentKey(key);
  }

  getCurrentKey(): unknown { return this.heap.getCurrentKey(); }
  getPartitionedState<S extends State>(desc: StateDescriptor<unknown, unknown>): S { return this.heap.getPartitionedState<S>(desc); }
  clearCurrentKey(): void { this.heap.clearCurrentKey(); }
  /** Only the current key has state here (keyed broadcast in BATCH processes the broadcast side before any key). */
  applyToAllKeys<S extends State>(desc: StateDescriptor<unknown, unknown>, fn: (key: unknown, state: S) => void): void { this.heap.applyToAllKeys(desc, fn); }
  numKeys(stateName: string): number { return this.heap.numKeys(stateName); }
  registerTimerService(name: string, timers: TimerSnapshotSource): RestoredTimers { return this.heap.registerTimerService(name, timers); }
  hasRestoredTimers(name: string): boolean { return this.heap.hasRestoredTimers(name); }

  snapshot(): KeyGroupsSnapshot { throw this.noCheckpoints('snapshot'); }
  beginSnapshot(): PendingKeyedSnapshot { throw this.noCheckpoints('snapshot'); }
  restore(snapshots: readonly KeyGroupsSnapshot[]): void { if (snapshots.length > 0) throw this.noCheckpoints('restore'); }
  dispose(): void { this.heap.dispose(); }

  private noCheckpoints(what: string): Error {
    return new Error(`${this.owner}: cannot ${what} keyed state in BATCH execution (it keeps one key at a time and takes no checkpoints; ` +
      'a failed task reruns from its inputs). Run the job in STREAMING mode to checkpoint, or set execution.batch-state-backend.enabled: false.');
  }
}
