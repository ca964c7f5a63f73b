import { randomBytes } from 'node:crypto';
import type { JobBundle } from './JobBundle.js';
import { loadJobMain } from './JobBundle.js';
import { Configuration } from '../configuration/index.js';
import { StreamExecutionEnvironment } from '../api/environment/StreamExecutionEnvironment.js';
import type { PipelineExecutor } from '../api/environment/JobClient.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import type { JobGraphSpec } from '../graph/jobgraph/JobGraph.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';

/**
 * Runs a job's main where getExecutionEnvironment() returns an environment whose execute()
 * turns the StreamGraph into a JobGraph and hands it to `submit` (Flink's context environment).
 * Shared by `tsflink run` (embedded and remote) and the YARN ApplicationMaster; the n-th
 * execute() gets execution index n, which slots use to rebuild the same graph.
 */
export async function runMainInContext(opts: {
  bundle: JobBundle;
  args: string[];
  baseConfiguration: Configuration;
  defaultParallelism: number;
  submit: (jobGraph: JobGraphSpec, streamGraph: StreamGraph) => ReturnType<PipelineExecutor['execute']>;
}): Promise<void> {
  const base = opts.baseConfiguration;
  let executions = 0;
  const executor: PipelineExecutor = {
    execute: (sg) => opts.submit(new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), executions++).generate(), sg),
  };
  StreamExecutionEnvironment.initializeContextEnvironment({
    createExecutionEnvironment: () => new StreamExecutionEnvironment(Configuration.fromMap(base.toMap()), executor, opts.defaultParallelism),
  });
  try {
    const main = await loadJobMain(opts.bundle);
    await main(opts.args);
  } finally {
    StreamExecutionEnvironment.resetContextEnvironment();
  }
}
