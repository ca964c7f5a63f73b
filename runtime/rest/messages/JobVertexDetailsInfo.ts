// GET /jobs/:jobid/vertices/:vertexid (Flink's JobVertexDetailsInfo of SubtaskExecutionAttemptDetailsInfo).
import type { ExecutionJobVertex } from '../../graph/executiongraph/ExecutionGraph.js';
import type { SlotManager } from '../../jobmanager/resourcemanager/SlotManager.js';
import type { JobMaster } from '../../jobmanager/jobmaster/JobMaster.js';
import type { FlinkExecutionState } from './common.js';
import { type IOMetricsInfo, executionIOMetrics } from './IOMetricsInfo.js';

export interface SubtaskExecutionAttemptDetailsInfo {
  subtask: number;
  status: FlinkExecutionState;
  attempt: number;
  /** `host:dataPort` of the TaskManager (Flink ≥ 1.15); null before the subtask has a slot. */
  endpoint: string | null;
  /** The TaskManager's host (Flink < 1.15 named the field this way). */
  host: string | null;
  'start-time': number;
  'end-time': number;
  duration: number;
  metrics: IOMetricsInfo;
  'taskmanager-id': string | null;
}

export interface JobVertexDetailsInfo {
  id: string;
  name: string;
  parallelism: number;
  maxParallelism: number;
  now: number;
  subtasks: SubtaskExecutionAttemptDetailsInfo[];
}

export function jobVertexDetailsInfo(master: JobMaster, jv: ExecutionJobVertex, slots: SlotManager, now = Date.now()): JobVertexDetailsInfo {
  return {
    id: jv.id,
    name: jv.spec.name,
    parallelism: jv.parallelism,
    maxParallelism: jv.spec.maxParallelism,
    now,
    subtasks: jv.taskVertices.map((ev) => {
      const ex = ev.currentExecution;
      const tmId = ex.slot?.taskManagerId ?? null;
      const reg = tmId ? slots.getRegistration(tmId) : undefined;
      const host = ex.slot?.host ?? reg?.info.host ?? null;
      const port = ex.slot?.dataPort ?? reg?.info.dataPort ?? 0;
      // As Flink: the subtask starts when it deploys and ends when it reaches a terminal state.
      const start = ex.stateTimestamps.DEPLOYING ?? -1;
      const end = ex.isTerminal ? (ex.stateTimestamps[ex.state] ?? -1) : -1;
      return {
        subtask: ev.subtaskIndex,
        status: ex.state,
        attempt: ex.attemptNumber,
        endpoint: host !== null ? `${host}:${port}` : null,
        host,
        'start-time': start,
        'end-time': end,
        duration: start < 0 ? -1 : (end >= 0 ? end : now) - start,
        metrics: executionIOMetrics(master, ex),
        'taskmanager-id': tmId,
      };
    }),
  };
}
