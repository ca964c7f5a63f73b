import type { InputChannelDescriptor } from '../network/index.js';
import type { ExecutionState } from '../graph/executiongraph/ExecutionState.js';
import type { JobManagerTaskRestore } from '../checkpoint/StateHandles.js';
import type { CheckpointResponse } from '../checkpoint/CheckpointMessages.js';
import type { TaskCheckpointConfig } from './checkpointing/SubtaskCheckpointCoordinator.js';

/** Everything a slot needs to run one subtask attempt (plain data: it crosses threads and processes). */
export interface TaskDeploymentDescriptor {
  jobId: string;
  vertexId: string;
  subtaskIndex: number;
  numberOfSubtasks: number;
  attemptNumber: number;
  executionAttemptId: string;
  taskName: string;
  /** BLOCKING (BATCH): written to the TaskManager's shuffle files and served after the task finished; else pipelined. */
  producedPartitions: Array<{ edgeId: string; partitionId: string; numSubpartitions: number; resultPartitionType?: 'PIPELINED' | 'BLOCKING' }>;
  /** One entry per incoming edge; channel order defines the gate's channel indexes. */
  inputs: Array<{ edgeId: string; typeNumber: number; channels: InputChannelDescriptor[] }>;
  /** STREAMING with checkpointing on: how this task takes checkpoints. */
  checkpointing?: TaskCheckpointConfig;
  /** Restarting from a checkpoint: this subtask's share of it (Flink's JobManagerTaskRestore). */
  taskRestore?: JobManagerTaskRestore;
}

/** A failure as plain data, with where it happened. */
export interface SerializedThrowable {
  name: string;
  message: string;
  stack?: string;
  /** The operator (or chain) and subtask the exception came from. */
  location?: string;
  /** An input channel failed (ChannelError): the partition it read, so the JobMaster can tell whether it is lost. */
  partitionId?: string;
}

export interface TaskExecutionState {
  jobId: string;
  executionAttemptId: string;
  state: ExecutionState;
  error?: SerializedThrowable;
  accumulators?: Record<string, { type: string; value: unknown }>;
  /** The task's final IO counters, sent with FINISHED / FAILED / CANCELED. */
  io?: TaskIOMetrics;
}

/**
 * A task's IO counters (Flink's IOMetrics): records and serialized buffer bytes read from its input
 * gate (from upstream vertices) and written to its result partitions (to downstream vertices), and
 * how the task spent its time since it turned RUNNING (whole milliseconds; the three add up to the
 * running time): idle = waiting for input (gate empty, source reader without data or split),
 * back-pressured = waiting for its output (a result partition not available), busy = the rest.
 */
export interface TaskIOMetrics {
  numRecordsIn: number;
  numRecordsOut: number;
  numBytesIn: number;
  numBytesOut: number;
  accumulatedIdleTime: number;
  accumulatedBackPressuredTime: number;
  accumulatedBusyTime: number;
}

/** Counters of a task that ended before it ran (nothing to count): its final, exact values. */
export function noIOMetrics(): TaskIOMetrics {
  return { numRecordsIn: 0, numRecordsOut: 0, numBytesIn: 0, numBytesOut: 0, accumulatedIdleTime: 0, accumulatedBackPressuredTime: 0, accumulatedBusyTime: 0 };
}

/** The counters of one running task, as TaskManagers report them (heartbeat payload). */
export interface TaskMetricsReport {
  jobId: string;
  executionAttemptId: string;
  io: TaskIOMetrics;
}

/** The task's view of the JobMaster (through the TaskExecutor). */
export interface TaskManagerActions {
  updateTaskExecutionState(update: TaskExecutionState): void;
  sendOperatorEventToCoordinator(jobId: string, executionAttemptId: string, nodeId: number, event: unknown): void;
  /** A checkpoint acknowledgement or decline for the job's CheckpointCoordinator. */
  reportCheckpoint(jobId: string, response: CheckpointResponse): void;
}

export function serializeThrowable(e: unknown, location?: string): SerializedThrowable {
  if (e instanceof Error) {
    const s: SerializedThrowable = { name: e.name, message: e.message };
    if (e.stack) s.stack = e.stack;
    if (location) s.location = location;
    const partitionId = (e as { partitionId?: unknown }).partitionId;
    if (typeof partitionId === 'string') s.partitionId = partitionId;
    return s;
  }
  return { name: 'Error', message: String(e), ...(location ? { location } : {}) };
}
