// GET /jobs (Flink's JobIdsWithStatusOverview).
import type { JobStatus } from '../../api/environment/JobClient.js';
import { type JobView, jobState } from './common.js';

export interface JobIdsWithStatusOverview { jobs: Array<{ id: string; status: JobStatus }> }

export function jobIdsWithStatus(jobs: JobView[]): JobIdsWithStatusOverview {
  return { jobs: jobs.map((j) => ({ id: j.master.jobId, status: jobState(j) })) };
}
