// GET /jobs/:jobid/checkpoints/config (Flink's CheckpointConfigInfo), computed from the job's
// configuration (cluster configuration overridden by what the job set, as the JobMaster merges them).
import { CheckpointingOptions, StateBackendOptions, type Configuration } from '../../configuration/index.js';

export interface CheckpointConfigInfo {
  mode: 'exactly_once' | 'at_least_once';
  /** Milliseconds; Java's Long.MAX_VALUE when periodic checkpoints are off (manual ones still work). */
  interval: number;
  timeout: number;
  min_pause: number;
  max_concurrent: number;
  externalization: { enabled: boolean; delete_on_cancellation: boolean };
  state_backend: string;
  checkpoint_storage: string;
  unaligned_checkpoints: boolean;
  tolerable_failed_checkpoints: number;
  aligned_checkpoint_timeout: number;
  checkpoints_after_tasks_finish: boolean;
  state_changelog_enabled: boolean;
  changelog_periodic_materialization_interval: number;
  changelog_storage: string;
}

/**
 * Flink reports a disabled periodic trigger as Long.MAX_VALUE (9223372036854775807). JavaScript
 * numbers cannot hold it exactly: this is the nearest double, which JSON-parses to the same
 * number a JavaScript client gets from Flink's answer.
 */
export const PERIODIC_CHECKPOINTING_DISABLED = 9223372036854775807;

/** tsflink's counterparts of Flink's state backend names (StateBackend.getName()). */
const STATE_BACKEND_NAMES = { hashmap: 'HashMapStateBackend', leveldb: 'LevelDBStateBackend' } as const;

function booleanKey(conf: Configuration, key: string, dflt: boolean): boolean {
  const v = conf.getString(key)?.trim().toLowerCase();
  return v === undefined ? dflt : v === 'true';
}

/**
 * The settings a running CheckpointCoordinator works with (its readonly fields). When given they
 * win over the configuration: they are what the job really does (e.g. unaligned checkpoints are
 * off in AT_LEAST_ONCE mode even if enabled, as in Flink's CheckpointConfig).
 */
export interface CheckpointCoordinatorSettings {
  readonly interval: number | undefined;
  readonly timeout: number;
  readonly minPause: number;
  readonly maxConcurrent: number;
  readonly mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  readonly unaligned: boolean;
  /** Set for filesystem checkpoint storage. */
  readonly checkpointDir: string | undefined;
}

/** `conf`: the job's configuration (the cluster's, overridden by what the job set, as the JobMaster merges them). */
export function checkpointConfigInfo(conf: Configuration, coordinator?: CheckpointCoordinatorSettings): CheckpointConfigInfo {
  const retention = conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION);
  const storage = coordinator
    ? (coordinator.checkpointDir !== undefined ? 'filesystem' : 'jobmanager')
    : conf.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE)
      ?? (conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY) !== undefined ? 'filesystem' : 'jobmanager');
  const mode = coordinator?.mode ?? conf.get(CheckpointingOptions.CHECKPOINTING_MODE);
  const interval = coordinator ? coordinator.interval : conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL);
  return {
    mode: mode === 'AT_LEAST_ONCE' ? 'at_least_once' : 'exactly_once',
    interval: interval ?? PERIODIC_CHECKPOINTING_DISABLED,
    timeout: coordinator?.timeout ?? conf.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT),
    min_pause: coordinator?.minPause ?? conf.get(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS),
    max_concurrent: coordinator?.maxConcurrent ?? conf.get(CheckpointingOptions.MAX_CONCURRENT_CHECKPOINTS),
    // Flink's CheckpointConfigHandler: enabled unless NEVER_RETAIN_AFTER_TERMINATION, delete_on_cancellation
    // unless RETAIN_ON_CANCELLATION (so true without externalized checkpoints, too).
    externalization: { enabled: retention !== 'NO_EXTERNALIZED_CHECKPOINTS', delete_on_cancellation: retention !== 'RETAIN_ON_CANCELLATION' },
    state_backend: STATE_BACKEND_NAMES[conf.get(StateBackendOptions.STATE_BACKEND)],
    checkpoint_storage: storage === 'filesystem' ? 'FileSystemCheckpointStorage' : 'JobManagerCheckpointStorage',
    unaligned_checkpoints: coordinator?.unaligned ?? (conf.get(CheckpointingOptions.ENABLE_UNALIGNED) && mode === 'EXACTLY_ONCE'),
    tolerable_failed_checkpoints: conf.get(CheckpointingOptions.TOLERABLE_FAILED_CHECKPOINTS),
    aligned_checkpoint_timeout: conf.get(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT),
    checkpoints_after_tasks_finish: booleanKey(conf, 'execution.checkpointing.checkpoints-after-tasks-finish', true),
    // tsflink has no changelog state backend; Flink's defaults for the keys it would use.
    state_changelog_enabled: false,
    changelog_periodic_materialization_interval: 600_000,
    changelog_storage: 'memory',
  };
}
