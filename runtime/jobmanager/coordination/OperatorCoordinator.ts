/** Runs in the JobMaster next to an operator's subtasks (Flink's OperatorCoordinator). */
export interface OperatorCoordinator {
  start(): Promise<void>;
  handleEventFromOperator(subtask: number, event: unknown): void | Promise<void>;
  /**
   * Global failover: go back to checkpoint `checkpointId` with the state this coordinator's
   * checkpointCoordinator() returned then; checkpointId undefined = no checkpoint, start over.
   */
  resetToCheckpoint(checkpointId: number | undefined, state: unknown): Promise<void>;
  /**
   * Snapshots the coordinator for checkpoint `checkpointId`; calls `onSnapshotTaken` synchronously
   * right after the snapshot and before sending anything more to subtasks.
   */
  checkpointCoordinator?(checkpointId: number, onSnapshotTaken: () => void): Promise<unknown>;
  notifyCheckpointComplete?(checkpointId: number): void;
  /** Region failover: subtask `subtask` starts over (a new attempt) while the others keep running. */
  subtaskReset?(subtask: number): void | Promise<void>;
  close(): Promise<void>;
}

/** How a coordinator reaches its subtasks. */
export type SubtaskGateway = (subtask: number, event: unknown) => void;
