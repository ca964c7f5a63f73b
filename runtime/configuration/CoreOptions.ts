// Core options (Flink CoreOptions): default parallelism and process-wide paths.
import { tmpdir } from 'node:os';
import { intOption, listOption, registerKnownPrefix } from './ConfigOption.js';

export const DEFAULT_PARALLELISM = intOption('parallelism.default', {
  defaultValue: 1,
  min: 1,
  description: 'Default parallelism of jobs and operators that do not set one.',
});

export const TMP_DIRS = listOption('io.tmp.dirs', {
  defaultValue: [tmpdir()],
  description: "Local directories for spill files and blocking shuffle files (';'-separated). On YARN the container's LOCAL_DIRS are used.",
});

// Free-form sub-keys: environment variables for containers and metric reporter settings.
registerKnownPrefix('containerized.master.env.');
registerKnownPrefix('containerized.taskmanager.env.');
registerKnownPrefix('metrics.reporter.');
