/** Runs in the JobMaster next to an operator's subtasks (Flink's OperatorCoordinator). */
export interface OperatorCoordinator {
  start(): Promise<void>;
  handleEventFromOperator(subtask: number, event: unknown): void | Promise<void>;
  /** Global failover: forget everything and start over (until checkpoints restore state). */
  resetToCheckpoint(): Promise<void>;
  close(): Promise<void>;
}

/** How a coordinator reaches its subtasks. */
export type SubtaskGateway = (subtask: number, event: unknown) => void;
