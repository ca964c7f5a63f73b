import { type Configuration, CheckpointingOptions } from '../../configuration/index.js';

/** Checkpoint settings (API.md §1); they are read by the CheckpointCoordinator of the state issue. */
export class CheckpointConfig {
  constructor(private readonly conf: Configuration) {}
  setCheckpointTimeout(ms: number): this { this.conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, ms); return this; }
  getCheckpointTimeout(): number { return this.conf.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT); }
  setMinPauseBetweenCheckpoints(ms: number): this { this.conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, ms); return this; }
  setMaxConcurrentCheckpoints(n: number): this { this.conf.set(CheckpointingOptions.MAX_CONCURRENT_CHECKPOINTS, n); return this; }
  enableUnalignedCheckpoints(enabled = true): this { this.conf.set(CheckpointingOptions.ENABLE_UNALIGNED, enabled); return this; }
  setCheckpointStorage(uri: string): this { this.conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, uri); return this; }
  setExternalizedCheckpointRetention(r: 'RETAIN_ON_CANCELLATION' | 'DELETE_ON_CANCELLATION'): this {
    this.conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, r);
    return this;
  }
  getCheckpointInterval(): number | undefined { return this.conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL); }
  isCheckpointingEnabled(): boolean { return (this.getCheckpointInterval() ?? 0) > 0; }
}
