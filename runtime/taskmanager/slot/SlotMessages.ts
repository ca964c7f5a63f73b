import type { MessagePort } from 'node:worker_threads';
import type { TaskDeploymentDescriptor, TaskExecutionState, TaskMetricsReport } from '../TaskDeploymentDescriptor.js';
import type { JobSubmissionInfo } from '../../jobmanager/gateways.js';
import type { NetworkConfig } from '../../network/index.js';
import type { TaskManagerMetrics } from '../TaskManagerMetrics.js';
import type { CheckpointCommand, CheckpointResponse } from '../../checkpoint/CheckpointMessages.js';
import type { MetricGroupDump } from '../../metrics/dump/MetricDump.js';

/** Messages between a TaskManager's main thread and its slot workers. */
export type ToSlot =
  | { t: 'connect'; peer: number; port: MessagePort }
  /** The TaskManager's data-plane uplink (TCP to other TaskManagers goes through the main thread). */
  | { t: 'uplink'; port: MessagePort }
  | { t: 'submit'; tdd: TaskDeploymentDescriptor; job: JobSubmissionInfo }
  | { t: 'cancel'; attemptId: string }
  | { t: 'opEvent'; attemptId: string; nodeId: number; event: unknown }
  | { t: 'checkpoint'; attemptId: string; cmd: CheckpointCommand }
  | { t: 'releaseJob'; jobId: string }
  | { t: 'releasePartitions'; jobId: string; partitionIds: string[] }
  /** Asks for the slot's memory/GC metrics (answered with 'threadMetrics'). */
  | { t: 'sampleMetrics' }
  /** Asks for the slot's metric groups (tasks, operators, slot heap), answered with 'metricDump'. */
  | { t: 'dumpMetrics'; id: number }
  /** Asks what the slot's tasks are doing (thread dump), answered with 'threadInfo'. */
  | { t: 'threadInfo'; id: number };

export type FromSlot =
  | { t: 'ready' }
  | { t: 'state'; update: TaskExecutionState }
  /** Running tasks' IO counters, every `metricsInterval` while the slot has tasks. */
  | { t: 'metrics'; reports: TaskMetricsReport[] }
  /** The slot's own V8 heap, buffer pool and GC values. */
  | { t: 'threadMetrics'; metrics: TaskManagerMetrics }
  | { t: 'toCoordinator'; jobId: string; attemptId: string; nodeId: number; event: unknown }
  | { t: 'checkpointResponse'; jobId: string; response: CheckpointResponse }
  | { t: 'metricDump'; id: number; dump: MetricGroupDump[] }
  | { t: 'threadInfo'; id: number; info: string };

export interface SlotWorkerData {
  slotIndex: number; network: NetworkConfig; autoWatermarkInterval: number; metricsInterval: number;
  /** Scope variables of the TaskManager's metric group, which the slot's task groups hang under. */
  metrics?: { host: string; taskManagerId: string };
}
