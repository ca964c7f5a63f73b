import type { StateDescriptor } from '../api/state/StateDescriptor.js';
import type { State } from '../api/state/State.js';
import type { KeyGroupRange } from '../util/KeyGroupRangeAssignment.js';

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
  numKeys(stateName: string): number;
  dispose(): void;
}
