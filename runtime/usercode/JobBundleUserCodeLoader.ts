import type { JobSubmissionInfo } from '../jobmanager/gateways.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import { Configuration } from '../configuration/index.js';
import { loadJobMain } from './JobBundle.js';
import { captureStreamGraph } from './PlanningEnvironment.js';
import type { UserCodeLoader } from './UserCodeLoader.js';

/**
 * Rebuilds a job's StreamGraph by re-running its main from the job bundle with a planning
 * environment. Rebuilds run one at a time: the planning environment is process-wide, so two
 * mains running side by side would capture each other's pipelines.
 */
export class JobBundleUserCodeLoader implements UserCodeLoader {
  private queue: Promise<unknown> = Promise.resolve();

  loadStreamGraph(job: JobSubmissionInfo, where: string): Promise<StreamGraph> {
    const run = this.queue.then(() => this.rebuild(job, where));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rebuild(job: JobSubmissionInfo, where: string): Promise<StreamGraph> {
    if (!job.bundle) throw new Error(`Job ${job.jobGraph.jobId} ('${job.jobGraph.jobName}') reached ${where} without its job bundle.`);
    const main = await loadJobMain(job.bundle);
    const sg = await captureStreamGraph(main, job.args ?? [], {
      baseConfiguration: Configuration.fromMap(job.baseConfiguration ?? job.jobGraph.configuration),
      defaultParallelism: job.defaultParallelism,
      executionIndex: job.jobGraph.executionIndex,
      what: `Rebuilding job '${job.jobGraph.jobName}' in ${where}`,
    });
    if (sg.fingerprint() !== job.jobGraph.fingerprint) {
      throw new Error(`The job graph rebuilt in ${where} differs from the submitted one: main must build the same pipeline ` +
        'every time it runs (no randomness, clock, or host-dependent branching in how operators are added). ' +
        `Rebuilt: ${sg.describe()}`);
    }
    return sg;
  }
}
