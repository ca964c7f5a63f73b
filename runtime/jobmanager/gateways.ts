import type { TaskDeploymentDescriptor, TaskExecutionState, TaskIOMetrics } from '../taskmanager/TaskDeploymentDescriptor.js';
import type { JobGraphSpec } from '../graph/jobgraph/JobGraph.js';
import type { TaskManagerMetrics } from '../taskmanager/TaskManagerMetrics.js';
import type { CheckpointCommand, CheckpointResponse } from '../checkpoint/CheckpointMessages.js';
import type { MetricGroupDump } from '../metrics/dump/MetricDump.js';
import type { LogInfo, ThreadDumpInfo } from '../metrics/logs/LogFiles.js';

/**
 * The RPC surfaces between components (Flink's gateways). In-process they are direct calls
 * made asynchronous; the distributed runtime implements them over the control RPC.
 */

/** What a TaskManager needs to run tasks of a job (besides each task's descriptor). */
export interface JobSubmissionInfo {
  jobGraph: JobGraphSpec;
  /** The job bundle and its arguments, for slots that rebuild the StreamGraph. */
  /** `runtime`: the tsflink runtime URL the bundle imports (re-pinned by processes with another install). */
  bundle?: { entry: string; path: string; hash: string; runtime?: string };
  /** The client's configuration before main ran (main re-applies its own settings on rebuild). */
  baseConfiguration?: Record<string, string>;
  args?: string[];
  /** Default parallelism the client used, so a rebuild of main yields the same graph. */
  defaultParallelism: number;
}

export interface TaskExecutorGateway {
  readonly taskManagerId: string;
  /** Whether all slots share one thread (then every channel is local). */
  readonly singleThreaded: boolean;
  submitTask(tdd: TaskDeploymentDescriptor, slotIndex: number, job: JobSubmissionInfo): void;
  cancelTask(executionAttemptId: string): void;
  sendOperatorEventToTask(executionAttemptId: string, nodeId: number, event: unknown): void;
  /** Trigger / complete / abort of a checkpoint, for one task attempt (same channel as operator events, so their order holds). */
  sendCheckpointCommand(executionAttemptId: string, cmd: CheckpointCommand): void;
  /** The job ended: drop its cached artifacts and release its blocking (BATCH) partitions, files included. */
  releaseJob(jobId: string): void;
  /** Release these blocking partitions of a job (a producer reruns, or nobody reads them any more): their files go. */
  releasePartitions?(jobId: string, partitionIds: string[]): void;
  /**
   * In-process TaskExecutors: their memory/GC metrics, read when asked (REST). Remote TaskManagers
   * have none here; they send theirs with each heartbeat answer (RegisteredTaskExecutor.metrics).
   */
  metrics?(): TaskManagerMetrics;
  /** Current values of every metric of the TaskManager (Flink's MetricQueryService), for the JobManager's MetricFetcher. */
  requestMetricDump?(): Promise<readonly MetricGroupDump[]>;
  /** The TaskManager's log files (REST /taskmanagers/:id/logs). */
  requestLogList?(): Promise<readonly LogInfo[]>;
  /** A log file's content ('log' / 'stdout' for the main ones), at most `maxBytes` from its end. */
  requestLogFile?(name: string, maxBytes: number): Promise<string>;
  /** Threads (main event loop, slot workers) and what they are doing (REST /taskmanagers/:id/thread-dump). */
  requestThreadDump?(): Promise<ThreadDumpInfo>;
}

export interface JobMasterGateway {
  updateTaskExecutionState(update: TaskExecutionState): void;
  /** IO counters of a running task so far (TaskManager heartbeats); the final ones come with its terminal state. */
  updateTaskMetrics(executionAttemptId: string, io: TaskIOMetrics): void;
  sendOperatorEventToCoordinator(executionAttemptId: string, nodeId: number, event: unknown): void;
  /** A task's acknowledgement or decline of a checkpoint. */
  reportCheckpoint(response: CheckpointResponse): void;
}
