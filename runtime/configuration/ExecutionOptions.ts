// Execution and deployment options (Flink ExecutionOptions + DeploymentOptions).
import { booleanOption, durationOption, enumOption, intOption, memoryOption } from './ConfigOption.js';

export const RUNTIME_MODE = enumOption('execution.runtime-mode', {
  values: ['STREAMING', 'BATCH', 'AUTOMATIC'] as const,
  defaultValue: 'STREAMING',
  description: 'STREAMING (pipelined, checkpoints), BATCH (blocking shuffles, stage by stage) or AUTOMATIC (BATCH when every source is bounded).',
});

export const BUFFER_TIMEOUT_ENABLED = booleanOption('execution.buffer-timeout.enabled', {
  defaultValue: true,
  description: 'If false, partly filled network buffers are only flushed when full (maximum throughput).',
});

export const BUFFER_TIMEOUT = durationOption('execution.buffer-timeout.interval', {
  defaultValue: 100,
  min: 0,
  fallbackKeys: ['execution.buffer-timeout'],
  description: 'Flush interval of partly filled network buffers; 0 flushes after every record.',
});

export const BATCH_SHUFFLE_MODE = enumOption('execution.batch-shuffle-mode', {
  values: ['ALL_EXCHANGES_BLOCKING', 'ALL_EXCHANGES_PIPELINED'] as const,
  defaultValue: 'ALL_EXCHANGES_BLOCKING',
  description: 'Data exchange between tasks in BATCH mode.',
});

/** Deployment target (Flink DeploymentOptions.TARGET). */
export const TARGET = enumOption('execution.target', {
  values: ['local', 'remote', 'yarn-session', 'yarn-application', 'embedded'] as const,
  description: 'Where `tsflink run` executes the job: local (embedded MiniCluster; the default when unset), remote (a standalone cluster at rest.address:rest.port), yarn-session, yarn-application; embedded is set by the JobManager for a main() it runs itself (application mode).',
});

export const ATTACHED = booleanOption('execution.attached', {
  defaultValue: true,
  description: 'Whether the client waits for the job to finish (false = detached, like `-d`).',
});

export const SHUTDOWN_IF_ATTACHED = booleanOption('execution.shutdown-on-attached-exit', {
  defaultValue: false,
  description: 'Cancel the job when an attached client is interrupted (Ctrl-C).',
});

export const BATCH_PRE_AGGREGATION = booleanOption('execution.batch.pre-aggregation.enabled', {
  defaultValue: true,
  description: 'BATCH: keyed sum/min/max/minBy/maxBy/reduce first fold the records of each key in the producing task (a combiner chained before the keyed exchange), so one partial value per key crosses the shuffle. A reduce function must then be associative.',
});

export const BATCH_PRE_AGGREGATION_MAX_KEYS = intOption('execution.batch.pre-aggregation.max-keys', {
  defaultValue: 262_144,
  min: 1,
  description: 'BATCH pre-aggregation: distinct keys a combiner holds (one partial value each, in the slot\'s heap) before it sends all its partials on and starts over.',
});

export const BATCH_STATE_BACKEND_ENABLED = booleanOption('execution.batch-state-backend.enabled', {
  defaultValue: true,
  description: 'BATCH: the keyed operator reading a sorted input keeps the state of the current key only and drops it when the key changes (Flink\'s BatchExecutionKeyedStateBackend), so state memory is that of one key; false uses the configured state.backend.type.',
});

export const SORTED_INPUTS_MEMORY = memoryOption('execution.sorted-inputs.memory', {
  // Flink's 128 MB of managed memory; here heap bytes: serialized size plus an estimated per-record and per-key
  // object cost (KeyGroupedInputBuffer), so the budget bounds what the records really take in the slot's heap.
  defaultValue: 128 * 1024 * 1024,
  min: 1024,
  description: 'BATCH keyed operators: heap a task may fill with gathered input (records as objects, estimated from their serialized size plus a per-record and per-key overhead) before it sorts it by key and spills it to a run file under io.tmp.dirs; the runs are merged by key at the end of input. At most 30 % of the slot\'s heap is used, whatever the value.',
});
