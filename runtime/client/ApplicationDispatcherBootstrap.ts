import type { JobBundle } from '../usercode/JobBundle.js';
import { tsflinkRuntimeUrl } from '../usercode/JobBundle.js';
import { createHash } from 'node:crypto';
import { type Configuration, CoreOptions, HighAvailabilityOptions } from '../configuration/index.js';
import type { Dispatcher } from '../jobmanager/dispatcher/Dispatcher.js';
import { runMainInContext } from './ContextEnvironment.js';
import { EmbeddedExecutor } from './EmbeddedExecutor.js';

export type ApplicationStatus = 'SUCCEEDED' | 'FAILED' | 'KILLED';
export interface ApplicationResult { finalStatus: ApplicationStatus; diagnostics: string }

function errorText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

function isCancellation(e: unknown): boolean {
  const msg = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /was canceled|JobCancellation|CancellationException/i.test(msg);
}

/**
 * Application mode (Flink's ApplicationDispatcherBootstrap): runs the shipped job's main inside
 * the JobManager with execution.target=embedded, so each execute()/executeAsync() submits its
 * JobGraph to this Dispatcher. The application ends when main has returned and every job it
 * started has ended: SUCCEEDED, FAILED (a job failed or main threw) or KILLED (a job was canceled).
 */
export class ApplicationDispatcherBootstrap {
  constructor(private readonly opts: {
    bundle: JobBundle;
    args: string[];
    configuration: Configuration;
    dispatcher: Pick<Dispatcher, 'submitJob'>;
    log: (level: 'INFO' | 'ERROR', message: string) => void;
  }) {}

  async run(): Promise<ApplicationResult> {
    const { bundle, args, log } = this.opts;
    const base = this.opts.configuration.clone();
    const defaultParallelism = base.getOptional(CoreOptions.DEFAULT_PARALLELISM) ?? 1;
    const executor = new EmbeddedExecutor(this.opts.dispatcher, {
      bundle: { entry: bundle.entry, path: bundle.path, hash: bundle.hash, runtime: tsflinkRuntimeUrl() },
      args, defaultParallelism, baseConfiguration: base.toMap(),
    });
    log('INFO', `Running main() of ${bundle.entry} with args ${JSON.stringify(args)}`);
    try {
      // With high availability the n-th job's id follows from the cluster id (Flink's fixed job id in
      // application mode): the next attempt's main submits the same ids, and each job resumes its checkpoints.
      const ha = base.get(HighAvailabilityOptions.HA_TYPE) !== 'NONE';
      const clusterId = base.get(HighAvailabilityOptions.HA_CLUSTER_ID);
      await runMainInContext({
        bundle, args, baseConfiguration: base, defaultParallelism, target: 'embedded',
        submit: (jobGraph, sg) => executor.submit(jobGraph, sg),
        ...(ha ? { jobIdFor: (i: number) => createHash('sha256').update(`${clusterId}/job-${i}`).digest('hex').slice(0, 32) } : {}),
      });
      // Jobs submitted with executeAsync(): the application ends when they do.
      const results = await Promise.all(executor.submitted.map((jm) => jm.result));
      const failed = results.find((r) => r.status === 'FAILED');
      if (failed) return { finalStatus: 'FAILED', diagnostics: `Job '${failed.jobName}' (${failed.jobId}) failed: ${failed.error ? `${failed.error.name}: ${failed.error.message}\n${failed.error.stack ?? ''}` : 'unknown error'}` };
      const canceled = results.find((r) => r.status === 'CANCELED');
      if (canceled) return { finalStatus: 'KILLED', diagnostics: `Job '${canceled.jobName}' (${canceled.jobId}) was canceled.` };
      log('INFO', `main() of ${bundle.entry} returned; ${results.length} job(s) finished`);
      return { finalStatus: 'SUCCEEDED', diagnostics: `${results.length} job(s) finished: ${results.map((r) => `'${r.jobName}' (${r.jobId})`).join(', ')}` };
    } catch (e) {
      log('ERROR', `main() of ${bundle.entry} failed: ${errorText(e)}`);
      if (isCancellation(e)) return { finalStatus: 'KILLED', diagnostics: `The application's job was canceled: ${e instanceof Error ? e.message : String(e)}` };
      return { finalStatus: 'FAILED', diagnostics: `The application's main() failed: ${errorText(e)}` };
    }
  }
}
