// GET /jobs/:jobid (Flink's JobDetailsInfo).
import type { JobStatus } from '../../api/environment/JobClient.js';
import type { ExecutionJobVertex } from '../../graph/executiongraph/ExecutionGraph.js';
import {
  type JobView, type FlinkExecutionState, JOB_STATUSES, EXECUTION_STATES, aggregateState, countStates, jobDuration, jobEndTime, jobStartTime, jobState,
} from './common.js';
import { type JobPlan, jobPlan } from './JobPlanInfo.js';
import { type IOMetricsInfo, executionIOMetrics, vertexIOMetrics } from './IOMetricsInfo.js';
import type { JobMaster } from '../../jobmanager/jobmaster/JobMaster.js';

/** Task IO metrics of a vertex: counters summed over its subtasks, accumulated times their maximum. */
export type VertexMetrics = IOMetricsInfo;

export interface JobVertexDetailsInfo {
  id: string;
  name: string;
  maxParallelism: number;
  parallelism: number;
  status: FlinkExecutionState;
  'start-time': number;
  'end-time': number;
  duration: number;
  tasks: Record<FlinkExecutionState, number>;
  metrics: VertexMetrics;
}

export interface JobDetailsInfo {
  jid: string;
  name: string;
  isStoppable: boolean;
  state: JobStatus;
  'job-type': 'STREAMING' | 'BATCH';
  'start-time': number;
  'end-time': number;
  duration: number;
  maxParallelism: number;
  now: number;
  timestamps: Record<JobStatus, number>;
  vertices: JobVertexDetailsInfo[];
  'status-counts': Record<FlinkExecutionState, number>;
  plan: JobPlan;
}

function vertexDetails(master: JobMaster, jv: ExecutionJobVertex, now: number): JobVertexDetailsInfo {
  const executions = jv.taskVertices.map((ev) => ev.currentExecution);
  const tasks = countStates(executions);
  // Like Flink: a vertex starts when its first subtask deploys and ends when its last one ends.
  let start = Number.MAX_SAFE_INTEGER;
  let end = -1;
  let allTerminal = true;
  for (const ex of executions) {
    const d = ex.stateTimestamps.DEPLOYING;
    if (d !== undefined && d < start) start = d;
    if (!ex.isTerminal) { allTerminal = false; continue; }
    const t = ex.stateTimestamps[ex.state] ?? -1;
    if (t > end) end = t;
  }
  if (start === Number.MAX_SAFE_INTEGER) start = -1;
  if (!allTerminal) end = -1;
  return {
    id: jv.id,
    name: jv.spec.name,
    maxParallelism: jv.spec.maxParallelism,
    parallelism: jv.parallelism,
    status: aggregateState(tasks, jv.parallelism),
    'start-time': start,
    'end-time': end,
    duration: start < 0 ? -1 : (end >= 0 ? end : now) - start,
    tasks,
    metrics: vertexIOMetrics(executions.map((ex) => executionIOMetrics(master, ex))),
  };
}

export function jobDetailsInfo(v: JobView, now = Date.now()): JobDetailsInfo {
  const eg = v.master.executionGraph;
  const vertices = [...eg.jobVertices.values()].map((jv) => vertexDetails(v.master, jv, now));
  const statusCounts = Object.fromEntries(EXECUTION_STATES.map((s) => [s, 0])) as Record<FlinkExecutionState, number>;
  for (const vx of vertices) statusCounts[vx.status]++;
  // Flink lists every JobStatus; 0 = never entered.
  const timestamps = Object.fromEntries(JOB_STATUSES.map((s) => [s, eg.stateTimestamps[s] ?? 0])) as Record<JobStatus, number>;
  const g = v.master.job.jobGraph;
  return {
    jid: g.jobId,
    name: g.jobName,
    isStoppable: false,
    state: jobState(v),
    'job-type': g.runtimeMode,
    'start-time': jobStartTime(v),
    'end-time': jobEndTime(v),
    duration: jobDuration(v, now),
    maxParallelism: -1,
    now,
    timestamps,
    vertices,
    'status-counts': statusCounts,
    plan: jobPlan(g),
  };
}
