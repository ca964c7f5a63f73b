import type { PipelineExecutor } from '../api/environment/JobClient.js';
import { PipelineExecutorServiceLoader, type PipelineExecutorFactory } from '../api/environment/PipelineExecutorServiceLoader.js';

/** execution.target=local: an in-thread MiniCluster per job (Flink's LocalExecutorFactory). */
export const localExecutorFactory: PipelineExecutorFactory = {
  name: 'local',
  getExecutor(): PipelineExecutor {
    return {
      async execute(sg) {
        // Imported when a job runs: the MiniCluster pulls in the whole runtime.
        const { LocalExecutor } = await import('./LocalExecutor.js');
        return new LocalExecutor().execute(sg);
      },
    };
  },
};

/** The default the package root installs; `tsflink run` and the JobManager register their own. */
export function registerLocalExecutor(): void { PipelineExecutorServiceLoader.registerIfAbsent(localExecutorFactory); }
