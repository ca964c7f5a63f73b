import type { JobClient, JobStatus } from '../api/environment/JobClient.js';
import { JobExecutionResult } from '../api/environment/JobClient.js';
import type { JobMaster } from '../jobmanager/jobmaster/JobMaster.js';
import { JobExecutionException } from '../jobmanager/jobmaster/JobResult.js';

/** A JobClient for a job running in this process's MiniCluster. */
export class ClusterJobClient implements JobClient {
  constructor(private readonly jm: JobMaster, private readonly onDone?: () => Promise<void> | void) {}
  getJobID(): string { return this.jm.jobId; }
  async getJobStatus(): Promise<JobStatus> { return this.jm.status; }
  async cancel(): Promise<void> { await this.jm.cancel(); }
  async getJobExecutionResult(): Promise<JobExecutionResult> {
    const r = await this.jm.result;
    await this.onDone?.();
    if (r.status !== 'FINISHED') throw new JobExecutionException(r);
    return new JobExecutionResult(r.jobId, r.endTime - r.startTime, r.accumulators);
  }
  async collected(sinkId: number): Promise<unknown[]> { return (await this.jm.result).collected[sinkId] ?? []; }
  triggerSavepoint(dir?: string): Promise<string> { return this.jm.triggerSavepoint(dir, false); }
  stopWithSavepoint(drain = false, dir?: string): Promise<string> { return this.jm.stopWithSavepoint(dir, drain); }
}
