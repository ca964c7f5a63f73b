import { availableParallelism } from 'node:os';
import type { JobBundle } from '../usercode/JobBundle.js';
import { loadJobMain } from '../usercode/JobBundle.js';
import { type Configuration, CoreOptions, TaskManagerOptions } from '../configuration/index.js';
import { runMainInContext } from './ContextEnvironment.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import { jobGraphToJson } from '../graph/jobgraph/JobGraph.js';
import type { JobGraphJson } from '../graph/jobgraph/JobGraphJson.js';
import { captureStreamGraph } from '../usercode/PlanningEnvironment.js';
import { EmbeddedCluster } from '../minicluster/EmbeddedCluster.js';
import { ClusterJobClient } from '../minicluster/ClusterJobClient.js';
import { ExecutionOptions } from '../configuration/index.js';
import { RestClusterClient, RemoteJobClient } from './RestClusterClient.js';
import { type JobDetailsInfo, jobDetailsInfo } from '../rest/messages/JobDetailsInfo.js';

/** A job a program submitted and waits for: what a progress display polls (GET /jobs/:jobid or the embedded JobMaster's view of it). */
export interface SubmittedJob {
  jobId: string;
  runtimeMode: 'STREAMING' | 'BATCH';
  details(): Promise<JobDetailsInfo>;
}

export interface ProgramOptions {
  bundle: JobBundle;
  args: string[];
  configuration: Configuration;
  /** Where the remote cluster's address came from (e.g. "-m host:port"), for connection errors. */
  restSource?: string;
  /** Bearer token of the remote cluster's REST API, if it needs one. */
  restToken?: string;
  /** Called for each attached job the program submits (progress display). */
  onJobSubmitted?: (job: SubmittedJob) => void;
}

/** Default parallelism of jobs on the embedded cluster: 'parallelism.default' if set, else its slots. */
function clusterParallelism(conf: Configuration): number {
  return conf.getOptional(CoreOptions.DEFAULT_PARALLELISM) ?? conf.getOptional(TaskManagerOptions.NUM_TASK_SLOTS) ?? availableParallelism();
}

/**
 * `tsflink run` with no cluster configured: runs main with a context environment whose
 * execute() submits to an embedded MiniCluster with worker-thread slots.
 */
export async function runProgram(opts: ProgramOptions): Promise<void> {
  const target = opts.configuration.getOptional(ExecutionOptions.TARGET);
  if (target === 'remote') return runRemoteProgram(opts);
  // yarn-session is resolved to a REST address by the CLI (cli/remoteTarget.ts); yarn-application has its own command.
  if (target === 'yarn-session' || target === 'yarn-application') {
    throw new Error(`execution.target=${target} cannot run here: use tsflink run -t yarn-session (resolved through YARN) or tsflink yarn-application.`);
  }
  const base = opts.configuration.clone();
  const defaultParallelism = clusterParallelism(base);
  const cluster = new EmbeddedCluster(base);
  try {
    await runMainInContext({
      bundle: opts.bundle, args: opts.args, baseConfiguration: base, defaultParallelism, target: 'local',
      submit: async (jobGraph, sg) => {
        await cluster.ensureStarted(jobGraph);
        const jm = cluster.submitJob({
          jobGraph,
          bundle: { entry: opts.bundle.entry, path: opts.bundle.path, hash: opts.bundle.hash },
          args: opts.args,
          defaultParallelism,
          baseConfiguration: base.toMap(),
        }, sg);
        opts.onJobSubmitted?.({ jobId: jm.jobId, runtimeMode: jobGraph.runtimeMode, details: async () => jobDetailsInfo({ master: jm, result: undefined }) });
        return new ClusterJobClient(jm);
      },
    });
  } finally {
    await cluster.close();
  }
}

/**
 * `tsflink run` against a running cluster (execution.target=remote, set by -m / -t remote /
 * rest.address): main runs here; each execute() builds the JobGraph exactly as the embedded path
 * does and submits it with the bundle over REST. Attached runs wait for the result; detached
 * (execution.attached=false) ones return as soon as the job was accepted.
 */
async function runRemoteProgram(opts: ProgramOptions): Promise<void> {
  const base = opts.configuration.clone();
  // The client does not know the cluster's slots: parallelism.default, else 1 (Flink's default).
  const defaultParallelism = base.getOptional(CoreOptions.DEFAULT_PARALLELISM) ?? 1;
  const attached = base.get(ExecutionOptions.ATTACHED);
  const client = RestClusterClient.fromConfiguration(base, opts.restSource, opts.restToken);
  await runMainInContext({
    bundle: opts.bundle, args: opts.args, baseConfiguration: base, defaultParallelism, target: 'remote',
    submit: async (jobGraph) => {
      const jobId = await client.submitJob({ jobGraph, args: opts.args, defaultParallelism, baseConfiguration: base.toMap() }, opts.bundle);
      process.stdout.write(`Job has been submitted with JobID ${jobId}\n`);
      if (attached) opts.onJobSubmitted?.({ jobId, runtimeMode: jobGraph.runtimeMode, details: () => client.getJobDetails(jobId) });
      return new RemoteJobClient(client, jobId, attached);
    },
  });
}

/** `tsflink info`: the JobGraph of the job's first execute(). */
export async function planProgram(opts: ProgramOptions): Promise<JobGraphJson[]> {
  const main = await loadJobMain(opts.bundle);
  const sg = await captureStreamGraph(main, opts.args, {
    baseConfiguration: opts.configuration, defaultParallelism: clusterParallelism(opts.configuration), executionIndex: 0, what: `Planning ${opts.bundle.entry}`,
  });
  return [jobGraphToJson(new StreamingJobGraphGenerator(sg).generate())];
}
