import type { MessagePort } from 'node:worker_threads';
import type { TaskDeploymentDescriptor, TaskExecutionState, TaskMetricsReport } from '../TaskDeploymentDescriptor.js';
import type { JobSubmissionInfo } from '../../jobmanager/gateways.js';
import type { NetworkConfig } from '../../network/index.js';
import type { TaskManagerMetrics } from '../TaskManagerMetrics.js';
import type { CheckpointCommand, CheckpointResponse } from '../../checkpoint/CheckpointMessages.js';

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
  /** Asks for the slot's memory/GC metrics (answered with 'threadMetrics'). */
  | { t: 'sampleMetrics' };

export type FromSlot =
  | { t: 'ready' }
  | { t: 'state'; update: TaskExecutionState }
  /** Running tasks' IO counters, every `metricsInterval` while the slot has tasks. */
  | { t: 'metrics'; reports: TaskMetricsReport[] }
  /** The slot's own V8 heap, buffer pool and GC values. */
  | { t: 'threadMetrics'; metrics: TaskManagerMetrics }
  | { t: 'toCoordinator'; jobId: string; attemptId: string; nodeId: number; event: unknown }
  | { t: 'checkpointResponse'; jobId: string; response: CheckpointResponse };

export interface SlotWorkerData { slotIndex: number; network: NetworkConfig; autoWatermarkInterval: number; metricsInterval: number }
