import type { JobGraphSpec } from '../graph/jobgraph/JobGraph.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import type { Dispatcher } from '../jobmanager/dispatcher/Dispatcher.js';
import type { JobMaster } from '../jobmanager/jobmaster/JobMaster.js';
import type { JobSubmissionInfo } from '../jobmanager/gateways.js';
import { ClusterJobClient } from '../minicluster/ClusterJobClient.js';

/**
 * execution.target=embedded: submits the JobGraphs of a main running inside the JobManager
 * straight to its Dispatcher (Flink's EmbeddedExecutor), and remembers them so the application
 * can wait for jobs started with executeAsync().
 */
export class EmbeddedExecutor {
  readonly submitted: JobMaster[] = [];

  constructor(
    private readonly dispatcher: Pick<Dispatcher, 'submitJob'>,
    private readonly job: Omit<JobSubmissionInfo, 'jobGraph'>,
  ) {}

  submit(jobGraph: JobGraphSpec, sg: StreamGraph): Promise<ClusterJobClient> {
    const jm = this.dispatcher.submitJob({ ...this.job, jobGraph }, sg);
    this.submitted.push(jm);
    return Promise.resolve(new ClusterJobClient(jm));
  }
}
