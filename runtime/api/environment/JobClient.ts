/** Flink's job states. */
export type JobStatus = 'INITIALIZING' | 'CREATED' | 'RUNNING' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED' | 'FINISHED' | 'RESTARTING' | 'SUSPENDED' | 'RECONCILING';

export class JobExecutionResult {
  constructor(
    private readonly jobId: string,
    private readonly netRuntime: number,
    private readonly accumulators: Record<string, unknown>,
  ) {}
  getJobID(): string { return this.jobId; }
  /** Milliseconds from job start to end. */
  getNetRuntime(): number { return this.netRuntime; }
  getAccumulatorResult<T = unknown>(name: string): T | undefined { return this.accumulators[name] as T | undefined; }
  getAllAccumulatorResults(): Record<string, unknown> { return { ...this.accumulators }; }
}

export interface JobClient {
  getJobID(): string;
  getJobStatus(): Promise<JobStatus>;
  cancel(): Promise<void>;
  /** Resolves when the job finished; rejects with the job's failure (JobExecutionException). */
  getJobExecutionResult(): Promise<JobExecutionResult>;
  triggerSavepoint(dir?: string): Promise<string>;
  stopWithSavepoint(drain?: boolean, dir?: string): Promise<string>;
}

/** Runs a StreamGraph somewhere: in this thread, on the embedded cluster, or a remote one. */
export interface PipelineExecutor {
  execute(streamGraph: import('../../graph/streamgraph/StreamGraph.js').StreamGraph): Promise<JobClient & { collected?(sinkId: number): Promise<unknown[]> }>;
}
