import { type Configuration, ExecutionOptions } from '../../configuration/index.js';
import type { PipelineExecutor } from './JobClient.js';

/** Makes the executor of one deployment target (Flink's PipelineExecutorFactory). */
export interface PipelineExecutorFactory {
  /** The `execution.target` it serves: local, remote, yarn-session, yarn-application, embedded. */
  readonly name: string;
  getExecutor(configuration: Configuration): PipelineExecutor;
}

// Symbol.for: one registry for every copy of this module in the process (dist and a bundle's pinned runtime).
const REGISTRY_KEY = Symbol.for('tsflink.pipelineExecutorFactories');
type RegistryHolder = { [REGISTRY_KEY]?: Map<string, PipelineExecutorFactory> };

function registry(): Map<string, PipelineExecutorFactory> {
  const g = globalThis as RegistryHolder;
  return (g[REGISTRY_KEY] ??= new Map());
}

/**
 * Finds the executor for a configuration by `execution.target` (Flink's PipelineExecutorServiceLoader).
 * The API only looks executors up; entry points fill the registry (the package root registers `local`,
 * `tsflink run` its embedded and remote executors, the JobManager `embedded`), so `api/` never
 * imports the cluster.
 */
export const PipelineExecutorServiceLoader = {
  /** Registers `factory` under its name; the returned function puts back what was there before. */
  register(factory: PipelineExecutorFactory): () => void {
    const map = registry();
    const previous = map.get(factory.name);
    map.set(factory.name, factory);
    return () => {
      if (map.get(factory.name) !== factory) return;
      if (previous) map.set(factory.name, previous);
      else map.delete(factory.name);
    };
  },

  /** Registers `factory` unless its name is taken (defaults that entry points may override). */
  registerIfAbsent(factory: PipelineExecutorFactory): void {
    if (!registry().has(factory.name)) registry().set(factory.name, factory);
  },

  names(): string[] { return [...registry().keys()].sort(); },

  /** The factory for `execution.target` (default `local`); a clear error when nothing serves it. */
  getExecutorFactory(configuration: Configuration): PipelineExecutorFactory {
    const target = configuration.getOptional(ExecutionOptions.TARGET) ?? 'local';
    const factory = registry().get(target);
    if (factory) return factory;
    const known = PipelineExecutorServiceLoader.names();
    throw new Error(
      `No executor for execution.target=${target} in this process (registered: ${known.length ? known.join(', ') : 'none'}). ` +
        (target === 'local'
          ? "Import the API from 'tsflink' (its entry registers the local executor), or run the job with `tsflink run`."
          : `Run the job with \`tsflink run -t ${target}\`${target === 'yarn-application' ? ' (or `tsflink yarn-application`)' : ''}, which provides that executor.`),
    );
  },
};
