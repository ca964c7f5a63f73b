// Shared pieces of the Flink REST JSON: state enums, versions, per-job views.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../configuration/packageRoot.js';
import type { JobMaster } from '../../jobmanager/jobmaster/JobMaster.js';
import type { JobResult } from '../../jobmanager/jobmaster/JobResult.js';
import type { Execution } from '../../graph/executiongraph/ExecutionGraph.js';
import type { JobStatus } from '../../api/environment/JobClient.js';

/** Flink's ExecutionState, in Flink's declaration order (RECONCILING is never reached in tsflink). */
export const EXECUTION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED', 'RECONCILING', 'INITIALIZING'] as const;
export type FlinkExecutionState = (typeof EXECUTION_STATES)[number];

/** Flink's JobStatus, in declaration order. */
export const JOB_STATUSES: readonly JobStatus[] = ['INITIALIZING', 'CREATED', 'RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED', 'FINISHED', 'RESTARTING', 'SUSPENDED', 'RECONCILING'];

export function isGloballyTerminal(s: string): boolean { return s === 'FINISHED' || s === 'FAILED' || s === 'CANCELED'; }

let version: string | undefined;
/** The tsflink version, reported where Flink reports its own ('flink-version'). */
export function tsflinkVersion(): string {
  if (version === undefined) {
    try { version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown'; } catch { version = 'unknown'; }
  }
  return version;
}
export const REVISION = 'tsflink';

/** One job as the REST handlers see it: its JobMaster, and its result once it ended. */
export interface JobView { readonly master: JobMaster; readonly result: JobResult | undefined }

export function jobState(v: JobView): JobStatus { return v.result?.status ?? v.master.status; }
export function jobStartTime(v: JobView): number { return v.master.startTime; }
export function jobEndTime(v: JobView): number {
  if (v.result) return v.result.endTime;
  const s = v.master.status;
  return isGloballyTerminal(s) ? (v.master.executionGraph.stateTimestamps[s] ?? -1) : -1;
}
export function jobDuration(v: JobView, now: number): number {
  const end = jobEndTime(v);
  return (end >= 0 ? end : now) - jobStartTime(v);
}

export function currentExecutions(v: JobView): Execution[] {
  return [...v.master.executionGraph.allExecutionVertices()].map((ev) => ev.currentExecution);
}

/** Latest timestamp of any job or task state change. */
export function lastModification(v: JobView): number {
  let t = 0;
  for (const ts of Object.values(v.master.executionGraph.stateTimestamps)) if (ts !== undefined && ts > t) t = ts;
  for (const ex of currentExecutions(v)) for (const ts of Object.values(ex.stateTimestamps)) if (ts !== undefined && ts > t) t = ts;
  return t;
}

export function countStates(executions: Iterable<Execution>): Record<FlinkExecutionState, number> {
  const counts = Object.fromEntries(EXECUTION_STATES.map((s) => [s, 0])) as Record<FlinkExecutionState, number>;
  for (const ex of executions) counts[ex.state]++;
  return counts;
}

/** A vertex's state from its subtasks' states (Flink's ExecutionJobVertex.getAggregateJobVertexState). */
export function aggregateState(counts: Record<FlinkExecutionState, number>, parallelism: number): FlinkExecutionState {
  if (counts.FINISHED === parallelism) return 'FINISHED';
  if (counts.CANCELING > 0) return 'CANCELING';
  if (counts.CANCELED > 0) return 'CANCELED';
  if (counts.FAILED > 0) return 'FAILED';
  if (counts.RUNNING > 0 || counts.FINISHED > 0) return 'RUNNING';
  if (counts.INITIALIZING > 0) return 'INITIALIZING';
  if (counts.DEPLOYING > 0) return 'DEPLOYING';
  if (counts.SCHEDULED > 0) return 'SCHEDULED';
  return 'CREATED';
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
