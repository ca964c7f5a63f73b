// Checkpointing options (Flink 1.20+/2.x CheckpointingOptions, `execution.checkpointing.*`).
import { booleanOption, durationOption, enumOption, intOption, memoryOption, stringOption } from './ConfigOption.js';

export const CHECKPOINTING_INTERVAL = durationOption('execution.checkpointing.interval', {
  min: 1,
  description: 'Interval of periodic checkpoints; unset means checkpointing is disabled.',
});

export const CHECKPOINTING_MODE = enumOption('execution.checkpointing.mode', {
  values: ['EXACTLY_ONCE', 'AT_LEAST_ONCE'] as const,
  defaultValue: 'EXACTLY_ONCE',
  description: 'EXACTLY_ONCE aligns barriers; AT_LEAST_ONCE does not block channels while waiting for barriers.',
});

export const CHECKPOINTING_TIMEOUT = durationOption('execution.checkpointing.timeout', {
  defaultValue: 10 * 60_000,
  min: 1,
  description: 'A checkpoint not completed within this time is aborted.',
});

export const MIN_PAUSE_BETWEEN_CHECKPOINTS = durationOption('execution.checkpointing.min-pause', {
  defaultValue: 0,
  min: 0,
  description: 'Minimal pause between the end of one checkpoint and the start of the next.',
});

export const MAX_CONCURRENT_CHECKPOINTS = intOption('execution.checkpointing.max-concurrent-checkpoints', {
  defaultValue: 1,
  min: 1,
  description: 'Maximal number of checkpoints in flight at the same time.',
});

export const TOLERABLE_FAILED_CHECKPOINTS = intOption('execution.checkpointing.tolerable-failed-checkpoints', {
  defaultValue: 0,
  min: 0,
  description: 'Consecutive checkpoint failures tolerated before the job fails over.',
});

export const ENABLE_UNALIGNED = booleanOption('execution.checkpointing.unaligned.enabled', {
  defaultValue: false,
  fallbackKeys: ['execution.checkpointing.unaligned'],
  description: 'Unaligned checkpoints: barriers overtake in-flight buffers, which are persisted with the checkpoint.',
});

export const ALIGNED_CHECKPOINT_TIMEOUT = durationOption('execution.checkpointing.aligned-checkpoint-timeout', {
  defaultValue: 0,
  min: 0,
  description: 'With unaligned checkpoints enabled: start aligned and switch to unaligned after this time (0 = always unaligned).',
});

export const CHECKPOINTS_DIRECTORY = stringOption('execution.checkpointing.dir', {
  fallbackKeys: ['state.checkpoints.dir'],
  description: 'Checkpoint storage directory (file:///… or hdfs://…); layout <dir>/<job-id>/chk-<n>/.',
});

export const SAVEPOINT_DIRECTORY = stringOption('execution.checkpointing.savepoint-dir', {
  fallbackKeys: ['state.savepoints.dir'],
  description: 'Default target directory of savepoints.',
});

export const CHECKPOINT_STORAGE = enumOption('execution.checkpointing.storage', {
  values: ['jobmanager', 'filesystem'] as const,
  fallbackKeys: ['state.checkpoint-storage'],
  description: 'Checkpoint storage; unset = filesystem when execution.checkpointing.dir is set, else jobmanager (in memory).',
});

export const EXTERNALIZED_CHECKPOINT_RETENTION = enumOption('execution.checkpointing.externalized-checkpoint-retention', {
  values: ['NO_EXTERNALIZED_CHECKPOINTS', 'DELETE_ON_CANCELLATION', 'RETAIN_ON_CANCELLATION'] as const,
  defaultValue: 'NO_EXTERNALIZED_CHECKPOINTS',
  description: 'Whether completed checkpoints are kept when the job is cancelled.',
});

export const MAX_RETAINED_CHECKPOINTS = intOption('execution.checkpointing.num-retained', {
  defaultValue: 1,
  min: 1,
  fallbackKeys: ['state.checkpoints.num-retained'],
  description: 'Number of completed checkpoints kept.',
});

export const INCREMENTAL_CHECKPOINTS = booleanOption('execution.checkpointing.incremental', {
  defaultValue: false,
  fallbackKeys: ['state.backend.incremental'],
  description: 'Upload only the state changed since the previous checkpoint.',
});

export const DATA_INLINE_THRESHOLD = memoryOption('execution.checkpointing.data-inline-threshold', {
  defaultValue: 20 * 1024,
  min: 0,
  max: 1024 * 1024,
  fallbackKeys: ['state.storage.fs.memory-threshold'],
  description: 'State chunks smaller than this are stored inline in the checkpoint\'s _metadata instead of files of their own.',
});

export const CHECKPOINTS_AFTER_TASKS_FINISH = booleanOption('execution.checkpointing.checkpoints-after-tasks-finish', {
  defaultValue: true,
  fallbackKeys: ['execution.checkpointing.checkpoints-after-tasks-finish.enabled'],
  description: 'Checkpoints continue after some tasks finished, and a final checkpoint lets two-phase-commit sinks commit the last data of a bounded job.',
});
