import { randomBytes } from 'node:crypto';
import type { JobBundle } from '../usercode/JobBundle.js';
import { loadJobMain } from '../usercode/JobBundle.js';
import { Configuration, ExecutionOptions } from '../configuration/index.js';
import { StreamExecutionEnvironment } from '../api/environment/StreamExecutionEnvironment.js';
import type { PipelineExecutor } from '../api/environment/JobClient.js';
import { PipelineExecutorServiceLoader } from '../api/environment/PipelineExecutorServiceLoader.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import type { JobGraphSpec } from '../graph/jobgraph/JobGraph.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';

/**
 * Runs a job's main where getExecutionEnvironment() returns an environment for `target` (Flink's
 * context environment): while main runs, the executor registered for that execution.target turns
 * each StreamGraph into a JobGraph and hands it to `submit`. Shared by `tsflink run` (local and
 * remote) and the Application-mode bootstrap in the JobManager (embedded). The n-th execute()
 * gets execution index n, which the JobManager and slots use to rebuild the same graph.
 */
export async function runMainInContext(opts: {
  bundle: JobBundle;
  args: string[];
  baseConfiguration: Configuration;
  defaultParallelism: number;
  target: 'local' | 'remote' | 'yarn-session' | 'embedded';
  submit: (jobGraph: JobGraphSpec, streamGraph: StreamGraph) => ReturnType<PipelineExecutor['execute']>;
  /** The job id of the n-th execute() (default: random). Application mode with high availability fixes them, so a rerun of main resumes the same jobs. */
  jobIdFor?: (executionIndex: number) => string;
}): Promise<void> {
  const base = opts.baseConfiguration.clone();
  base.set(ExecutionOptions.TARGET, opts.target);
  let executions = 0;
  const executor: PipelineExecutor = {
    execute: (sg) => {
      const index = executions++;
      return opts.submit(new StreamingJobGraphGenerator(sg, opts.jobIdFor?.(index) ?? randomBytes(16).toString('hex'), index).generate(), sg);
    },
  };
  const unregister = PipelineExecutorServiceLoader.register({ name: opts.target, getExecutor: () => executor });
  StreamExecutionEnvironment.initializeContextEnvironment({
    createExecutionEnvironment: () => new StreamExecutionEnvironment(Configuration.fromMap(base.toMap()), null, opts.defaultParallelism),
  });
  try {
    const main = await loadJobMain(opts.bundle);
    await main(opts.args);
  } finally {
    StreamExecutionEnvironment.resetContextEnvironment();
    unregister();
  }
}
