// What travels between the CheckpointCoordinator (JobMaster) and tasks: Flink's triggerCheckpoint /
// notifyCheckpointComplete / notifyCheckpointAborted RPCs one way, acknowledgeCheckpoint /
// declineCheckpoint the other. Plain data (MessagePort, control RPC).
import type { TaskStateSnapshot } from './StateHandles.js';

/** Flink's CheckpointType as it appears in REST (`checkpoint_type`). */
export type SnapshotType = 'CHECKPOINT' | 'FULL_CHECKPOINT' | 'SAVEPOINT';

/** Flink's StopMode of a synchronous savepoint: drain = finish the operators (fire all timers) before it. */
export interface StopMode { readonly drain: boolean }

export type CheckpointCommand =
  | {
    readonly kind: 'trigger'; readonly checkpointId: number; readonly timestamp: number; readonly type: SnapshotType; readonly unaligned: boolean;
    /** Savepoints: the savepoint's own directory; state files go there instead of chk-<n>/. */
    readonly location?: string;
    /** Stop-with-savepoint: the sources stop before the barrier; `drain` finishes the operators first (+∞ watermark). */
    readonly stop?: StopMode;
    /**
     * The latest completed checkpoint when this one was triggered: a task that has not heard of its
     * completion yet (incremental state backends) extends that chain, not an older one.
     */
    readonly completed?: number;
  }
  | { readonly kind: 'complete'; readonly checkpointId: number }
  | { readonly kind: 'abort'; readonly checkpointId: number };

/** What a subtask measured for one checkpoint (Flink's CheckpointMetrics), ms and bytes. */
export interface TaskCheckpointMetrics {
  readonly alignmentDurationMs: number;
  readonly bytesProcessedDuringAlignment: number;
  readonly syncDurationMs: number;
  readonly asyncDurationMs: number;
  /** Time from the checkpoint's trigger to the first barrier at this task. */
  readonly startDelayMs: number;
  readonly unaligned: boolean;
  /** Bytes of in-flight records this subtask persisted as channel state (unaligned checkpoints). */
  readonly persistedData?: number;
}

export type CheckpointResponse =
  | { readonly kind: 'ack'; readonly executionAttemptId: string; readonly checkpointId: number; readonly state: TaskStateSnapshot; readonly metrics: TaskCheckpointMetrics }
  | { readonly kind: 'decline'; readonly executionAttemptId: string; readonly checkpointId: number; readonly reason: CheckpointFailureReason; readonly message: string }
  /** The task's operators finished and it waits for a final checkpoint (FLIP-147). */
  | { readonly kind: 'endOfInput'; readonly executionAttemptId: string };

/** Flink's CheckpointFailureReason (the subset tsflink produces). */
export type CheckpointFailureReason =
  | 'PERIODIC_SCHEDULER_SHUTDOWN'
  | 'TOO_MANY_CHECKPOINT_REQUESTS'
  | 'MINIMUM_TIME_BETWEEN_CHECKPOINTS'
  | 'NOT_ALL_REQUIRED_TASKS_RUNNING'
  | 'IO_EXCEPTION'
  | 'CHECKPOINT_ASYNC_EXCEPTION'
  | 'CHECKPOINT_DECLINED'
  | 'CHECKPOINT_EXPIRED'
  | 'CHECKPOINT_SUBSUMED'
  | 'CHECKPOINT_COORDINATOR_SHUTDOWN'
  | 'CHECKPOINT_COORDINATOR_SUSPEND'
  | 'FINALIZE_CHECKPOINT_FAILURE'
  | 'TRIGGER_CHECKPOINT_FAILURE'
  | 'TASK_FAILURE'
  | 'TASK_CHECKPOINT_FAILURE'
  | 'JOB_FAILOVER_REGION'
  | 'CHECKPOINT_DECLINED_TASK_NOT_READY'
  | 'CHECKPOINT_DECLINED_TASK_CLOSING'
  | 'CHECKPOINT_DECLINED_SUBSUMED'
  | 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER'
  | 'CHECKPOINT_DECLINED_INPUT_END_OF_STREAM';

/** Flink's CheckpointFailureReason messages (what REST and logs show). */
const MESSAGES: Record<CheckpointFailureReason, string> = {
  PERIODIC_SCHEDULER_SHUTDOWN: 'Periodic checkpoint scheduler is shut down.',
  TOO_MANY_CHECKPOINT_REQUESTS: 'The maximum number of queued checkpoint requests exceeded',
  MINIMUM_TIME_BETWEEN_CHECKPOINTS: 'The minimum time between checkpoints is still pending. Checkpoint will be triggered after the minimum time.',
  NOT_ALL_REQUIRED_TASKS_RUNNING: 'Not all required tasks are currently running.',
  IO_EXCEPTION: 'An Exception occurred while triggering the checkpoint. IO-problem detected.',
  CHECKPOINT_ASYNC_EXCEPTION: 'Asynchronous task checkpoint failed.',
  CHECKPOINT_DECLINED: 'The checkpoint was declined by a task.',
  CHECKPOINT_EXPIRED: 'Checkpoint expired before completing.',
  CHECKPOINT_SUBSUMED: 'Checkpoint has been subsumed.',
  CHECKPOINT_COORDINATOR_SHUTDOWN: 'CheckpointCoordinator shutdown.',
  CHECKPOINT_COORDINATOR_SUSPEND: 'Checkpoint Coordinator is suspending.',
  FINALIZE_CHECKPOINT_FAILURE: 'Failure to finalize checkpoint.',
  TRIGGER_CHECKPOINT_FAILURE: 'Trigger checkpoint failure.',
  TASK_FAILURE: 'Task has failed.',
  TASK_CHECKPOINT_FAILURE: 'Task local checkpoint failure.',
  JOB_FAILOVER_REGION: 'FailoverRegion is cancelling.',
  CHECKPOINT_DECLINED_TASK_NOT_READY: 'Checkpoint was declined (tasks not ready)',
  CHECKPOINT_DECLINED_TASK_CLOSING: 'Checkpoint was declined (task is closing)',
  CHECKPOINT_DECLINED_SUBSUMED: 'Checkpoint was canceled because a barrier from newer checkpoint was received.',
  CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER: 'Task received cancellation from one of its inputs',
  CHECKPOINT_DECLINED_INPUT_END_OF_STREAM: 'Checkpoint was declined because one input stream is finished',
};

export function failureMessage(r: CheckpointFailureReason): string { return MESSAGES[r]; }

/** Reasons that count toward `tolerable-failed-checkpoints` (Flink 2.x CheckpointFailureReason.isPreFlight / shouldIncreaseFailureCount). */
const COUNTED: ReadonlySet<CheckpointFailureReason> = new Set<CheckpointFailureReason>([
  'IO_EXCEPTION', 'CHECKPOINT_ASYNC_EXCEPTION', 'CHECKPOINT_DECLINED', 'CHECKPOINT_EXPIRED', 'FINALIZE_CHECKPOINT_FAILURE',
]);
export function countsTowardTolerableFailures(r: CheckpointFailureReason): boolean { return COUNTED.has(r); }

/** Failures before the checkpoint reached any task: no PendingCheckpoint, no statistics entry of its own. */
const PRE_FLIGHT: ReadonlySet<CheckpointFailureReason> = new Set<CheckpointFailureReason>([
  'PERIODIC_SCHEDULER_SHUTDOWN', 'TOO_MANY_CHECKPOINT_REQUESTS', 'MINIMUM_TIME_BETWEEN_CHECKPOINTS', 'NOT_ALL_REQUIRED_TASKS_RUNNING',
]);
export function isPreFlight(r: CheckpointFailureReason): boolean { return PRE_FLIGHT.has(r); }

/** A checkpoint failure with Flink's reason; `cause` carries the underlying error if any. */
export class CheckpointException extends Error {
  constructor(readonly reason: CheckpointFailureReason, cause?: unknown) {
    super(cause instanceof Error ? `${failureMessage(reason)} ${cause.message}` : cause !== undefined ? `${failureMessage(reason)} ${String(cause)}` : failureMessage(reason));
    this.name = 'CheckpointException';
  }
}
