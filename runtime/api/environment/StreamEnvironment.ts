import type { Configuration } from '../../configuration/Configuration.js';
import type { Transformation } from '../dag/Transformation.js';
import type { JobClient, JobExecutionResult } from './JobClient.js';

/**
 * The environment as a DataStream sees it: where its transformations go, how it runs.
 * StreamExecutionEnvironment implements it; DataStream depends on this interface
 * (not the class, which builds DataStreams) so the API has no import circle.
 */
export interface StreamEnvironment {
  getParallelism(): number;
  getMaxParallelism(): number;
  getConfig(): Configuration;
  execute(jobName?: string): Promise<JobExecutionResult>;
  executeAsync(jobName?: string): Promise<JobClient>;
  /** @internal */ nextTransformationId(): number;
  /** @internal */ addOperator(t: Transformation): void;
  /** @internal */ executeWithCollect(jobName: string | undefined, sinkId: number, limit: number | undefined): Promise<unknown[]>;
}
