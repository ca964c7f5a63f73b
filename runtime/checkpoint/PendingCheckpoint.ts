// A checkpoint that was triggered and waits for every task's acknowledgement (Flink's PendingCheckpoint).
import type { CheckpointFailureReason, SnapshotType, TaskCheckpointMetrics } from './CheckpointMessages.js';
import type { OperatorState } from './CheckpointMetadata.js';
import type { OperatorSubtaskState, TaskStateSnapshot } from './StateHandles.js';
import { stateSize } from './StateHandles.js';

export interface TaskToAck { readonly vertexId: string; readonly subtaskIndex: number }

export type AckResult = 'SUCCESS' | 'DUPLICATE' | 'UNKNOWN' | 'DISCARDED';

export class PendingCheckpoint {
  private readonly notYetAcknowledged: Map<string, TaskToAck>;
  private readonly acknowledged = new Set<string>();
  /** nodeId → subtask → state. */
  private readonly states = new Map<number, Map<number, OperatorSubtaskState>>();
  private discarded: CheckpointFailureReason | null = null;
  stateSize = 0;
  timeout: NodeJS.Timeout | undefined;

  constructor(
    readonly checkpointId: number,
    readonly timestamp: number,
    readonly type: SnapshotType,
    tasksToAck: ReadonlyMap<string, TaskToAck>,
    /** Coordinator checkpoints by operator node id. */
    readonly coordinatorStates: ReadonlyMap<number, unknown>,
    /** Checkpoint directory (chk-<n>), the savepoint's directory, or undefined for in-memory storage. */
    readonly location: string | undefined,
    /** A savepoint: `location` is its own directory, it is not retained for failover. */
    readonly savepoint = false,
  ) {
    this.notYetAcknowledged = new Map(tasksToAck);
  }

  get isDiscarded(): boolean { return this.discarded !== null; }
  get isFullyAcknowledged(): boolean { return this.notYetAcknowledged.size === 0 && !this.isDiscarded; }
  get numberOfAcknowledgedTasks(): number { return this.acknowledged.size; }
  get numberOfTasks(): number { return this.acknowledged.size + this.notYetAcknowledged.size; }

  /** The attempt's task and whether it is still awaited. */
  taskOf(attemptId: string): TaskToAck | undefined { return this.notYetAcknowledged.get(attemptId); }

  acknowledgeTask(attemptId: string, snapshot: TaskStateSnapshot, _metrics: TaskCheckpointMetrics): AckResult {
    if (this.isDiscarded) return 'DISCARDED';
    const task = this.notYetAcknowledged.get(attemptId);
    if (!task) return this.acknowledged.has(attemptId) ? 'DUPLICATE' : 'UNKNOWN';
    this.notYetAcknowledged.delete(attemptId);
    this.acknowledged.add(attemptId);
    for (const [node, st] of Object.entries(snapshot.operators)) {
      const id = Number(node);
      let m = this.states.get(id);
      if (!m) { m = new Map(); this.states.set(id, m); }
      m.set(task.subtaskIndex, st);
      this.stateSize += stateSize(st);
    }
    return 'SUCCESS';
  }

  /** Every acknowledged subtask state so far. */
  allSubtaskStates(): OperatorSubtaskState[] {
    const out: OperatorSubtaskState[] = [];
    for (const m of this.states.values()) out.push(...m.values());
    return out;
  }

  /** The operator states of a fully acknowledged checkpoint, for _metadata. */
  operatorStates(parallelism: (nodeId: number) => { parallelism: number; maxParallelism: number; uid?: string } | undefined): Record<number, OperatorState> {
    const out: Record<number, OperatorState> = {};
    const ids = new Set([...this.states.keys(), ...this.coordinatorStates.keys()]);
    for (const id of ids) {
      const p = parallelism(id);
      if (!p) continue;
      const subtasks: Record<number, OperatorSubtaskState> = {};
      for (const [i, s] of this.states.get(id) ?? []) subtasks[i] = s;
      const c = this.coordinatorStates.get(id);
      out[id] = { ...p, subtasks, ...(c !== undefined ? { coordinatorState: c } : {}) };
    }
    return out;
  }

  abort(reason: CheckpointFailureReason): void {
    this.discarded = reason;
    if (this.timeout) clearTimeout(this.timeout);
  }
}
