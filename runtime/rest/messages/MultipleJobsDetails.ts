// GET /jobs/overview (Flink's MultipleJobsDetails of JobDetails).
import type { JobStatus } from '../../api/environment/JobClient.js';
import { type JobView, EXECUTION_STATES, type FlinkExecutionState, countStates, currentExecutions, jobDuration, jobEndTime, jobStartTime, jobState, lastModification } from './common.js';

export type TaskCounts = { total: number } & { [K in Lowercase<FlinkExecutionState>]: number };

export interface JobDetails {
  jid: string;
  name: string;
  state: JobStatus;
  'start-time': number;
  'end-time': number;
  duration: number;
  'last-modification': number;
  tasks: TaskCounts;
}
export interface MultipleJobsDetails { jobs: JobDetails[] }

export function jobDetails(v: JobView, now: number): JobDetails {
  const executions = currentExecutions(v);
  const counts = countStates(executions);
  const tasks = { total: executions.length } as TaskCounts;
  for (const s of EXECUTION_STATES) tasks[s.toLowerCase() as Lowercase<FlinkExecutionState>] = counts[s];
  return {
    jid: v.master.jobId,
    name: v.master.job.jobGraph.jobName,
    state: jobState(v),
    'start-time': jobStartTime(v),
    'end-time': jobEndTime(v),
    duration: jobDuration(v, now),
    'last-modification': lastModification(v),
    tasks,
  };
}

export function multipleJobsDetails(jobs: JobView[], now = Date.now()): MultipleJobsDetails {
  return { jobs: jobs.map((j) => jobDetails(j, now)) };
}
