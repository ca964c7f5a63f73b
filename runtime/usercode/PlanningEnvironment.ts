import { StreamExecutionEnvironment } from '../api/environment/StreamExecutionEnvironment.js';
import type { PipelineExecutor } from '../api/environment/JobClient.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import { Configuration } from '../configuration/index.js';

/**
 * Runs a job's main only to capture the StreamGraph of its n-th execute() call (Flink's
 * OptimizerPlanEnvironment). That execute never returns, so nothing after it runs here.
 */
export function captureStreamGraph(
  main: (args: string[]) => unknown,
  args: string[],
  opts: { baseConfiguration: Configuration; defaultParallelism: number; executionIndex: number; what: string },
): Promise<StreamGraph> {
  // The context environment is process-wide: two mains planned side by side (a REST submission's
  // rebuild and a scheduled run in the JobManager) would capture each other's pipelines.
  const run = planning.then(() => capture(main, args, opts));
  planning = run.catch(() => undefined);
  return run;
}
let planning: Promise<unknown> = Promise.resolve();

async function capture(
  main: (args: string[]) => unknown,
  args: string[],
  opts: { baseConfiguration: Configuration; defaultParallelism: number; executionIndex: number; what: string },
): Promise<StreamGraph> {
  let captured!: (sg: StreamGraph) => void;
  const result = new Promise<StreamGraph>((r) => { captured = r; });
  let calls = 0;
  const executor: PipelineExecutor = {
    execute(sg) {
      if (calls++ === opts.executionIndex) captured(sg);
      // Later calls never return: main stops here in the planning run.
      return new Promise(() => {});
    },
  };
  StreamExecutionEnvironment.initializeContextEnvironment({
    createExecutionEnvironment: () => new StreamExecutionEnvironment(Configuration.fromMap(opts.baseConfiguration.toMap()), executor, opts.defaultParallelism),
  });
  try {
    const ran = Promise.resolve().then(() => main(args)).then(
      () => { throw new Error(`${opts.what}: the job's main returned without calling execute() ${opts.executionIndex === 0 ? '' : `${opts.executionIndex + 1} times `}— nothing to run.`); },
      (e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(`${opts.what}: the job's main threw while building the pipeline: ${msg}`, { cause: e });
      },
    );
    return await Promise.race([result, ran]);
  } finally {
    StreamExecutionEnvironment.resetContextEnvironment();
  }
}
