// Runs of a schedule as BATCH jobs of this JobManager's Dispatcher: the stored bundle is written
// to local disk, main is planned with the run's args and config (like `tsflink run -d` does on a
// client), and the JobGraph is submitted with the job id the scheduler chose for the attempt.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dispatcher } from '../jobmanager/dispatcher/Dispatcher.js';
import { Configuration, CoreOptions } from '../configuration/index.js';
import { loadJobMain, repinBundleCode, tsflinkRuntimeUrl, type JobBundle } from '../usercode/JobBundle.js';
import { captureStreamGraph } from '../usercode/PlanningEnvironment.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import type { LaunchedJobState, RunLauncher, RunSubmission } from './EtlScheduler.js';

export class DispatcherRunLauncher implements RunLauncher {
  constructor(private readonly dispatcher: Dispatcher, private readonly configuration: Configuration, private readonly bundleDir: string) {
    mkdirSync(bundleDir, { recursive: true });
  }

  async submit(run: RunSubmission): Promise<void> {
    const bundle = this.localBundle(run);
    const base = this.configuration.clone();
    for (const [k, v] of Object.entries(run.config)) base.setString(k, v, `schedule '${run.schedule}' config`);
    const defaultParallelism = base.getOptional(CoreOptions.DEFAULT_PARALLELISM) ?? 1;
    const main = await loadJobMain(bundle);
    const sg = await captureStreamGraph(main, run.args, {
      baseConfiguration: base, defaultParallelism, executionIndex: 0, what: `Planning run ${run.jobName} of ${run.jobFile}`,
    });
    const jobGraph = new StreamingJobGraphGenerator(sg, run.jobId, 0).generate();
    jobGraph.jobName = `${jobGraph.jobName} [${run.jobName}]`;
    this.dispatcher.submitJob({
      jobGraph, bundle: { entry: bundle.entry, path: bundle.path, hash: bundle.hash, runtime: tsflinkRuntimeUrl() },
      args: run.args, defaultParallelism, baseConfiguration: base.toMap(),
    }, sg);
  }

  /** The schedule's bundle on this JobManager's disk, pinned to this installation's runtime. */
  private localBundle(run: RunSubmission): JobBundle {
    const code = Buffer.from(repinBundleCode(Buffer.from(run.bundleCode).toString('utf8'), run.bundleRuntime), 'utf8');
    const hash = createHash('sha256').update(code).digest('hex');
    const path = join(this.bundleDir, `${run.schedule}-${hash.slice(0, 16)}.mjs`);
    if (!existsSync(path)) writeFileSync(path, code);
    return { entry: run.jobFile, path, hash };
  }

  jobState(jobId: string): LaunchedJobState {
    const result = this.dispatcher.getJobResult(jobId);
    if (result) {
      const state = result.status === 'FINISHED' ? 'SUCCEEDED' : result.status;
      const error = result.error ? `${result.error.name}: ${result.error.message}` : undefined;
      return { state, accumulators: result.accumulators, ...(error ? { error } : {}) };
    }
    return this.dispatcher.getJob(jobId) ? { state: 'RUNNING' } : { state: 'UNKNOWN' };
  }

  async cancel(jobId: string): Promise<void> {
    if (this.dispatcher.jobMasterGateway(jobId)) await this.dispatcher.cancelJob(jobId);
  }
}
