import type { OperatorStateStore } from '../../state/OperatorStateStore.js';
import type { RuntimeContext } from './RuntimeContext.js';

export interface FunctionSnapshotContext { readonly checkpointId: number; readonly timestamp: number }
export interface FunctionInitializationContext {
  isRestored(): boolean;
  getOperatorStateStore(): Pick<OperatorStateStore, 'getListState' | 'getUnionListState' | 'getBroadcastState'>;
  /** Keyed state of a function on a keyed stream (same handles as getRuntimeContext()). */
  getKeyedStateStore(): Pick<RuntimeContext, 'getState' | 'getListState' | 'getMapState' | 'getReducingState' | 'getAggregatingState'>;
}

/** Operator state of a user function (API.md §3): initialized at start, snapshotted on checkpoints. */
export interface CheckpointedFunction {
  snapshotState(ctx: FunctionSnapshotContext): void | Promise<void>;
  initializeState(ctx: FunctionInitializationContext): void | Promise<void>;
}

/** Told when a checkpoint completed or was aborted (two-phase commit sinks, sources). */
export interface CheckpointListener {
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
}
