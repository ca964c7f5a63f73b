// The retained completed checkpoints (Flink's DefaultCompletedCheckpointStore): adding one beyond
// `execution.checkpointing.num-retained` subsumes the oldest, whose files are deleted
// asynchronously. Newest last.
import type { CheckpointMetadata } from './CheckpointMetadata.js';

export interface CompletedCheckpoint {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly completionTimestamp: number;
  readonly metadata: CheckpointMetadata;
  /** chk-<n> directory, or undefined for in-memory (jobmanager) storage. */
  readonly externalPath: string | undefined;
  /** A savepoint or retained checkpoint the job was started from: not this job's, never deleted (NO_CLAIM). */
  readonly restoredFrom?: string;
  /** Started from in CLAIM mode: the job owns that snapshot (`externalPath`) and deletes it once subsumed. */
  readonly claimed?: boolean;
  readonly stateSize: number;
}

export class CompletedCheckpointStore {
  private readonly checkpoints: CompletedCheckpoint[] = [];

  constructor(readonly maxRetained: number, private readonly discard: (cp: CompletedCheckpoint) => Promise<void>) {}

  /** Adds `cp` and returns the subsumed ones (already handed to `discard`). */
  addCheckpointAndSubsumeOldestOne(cp: CompletedCheckpoint): CompletedCheckpoint[] {
    this.checkpoints.push(cp);
    const subsumed: CompletedCheckpoint[] = [];
    while (this.checkpoints.length > this.maxRetained) subsumed.push(this.checkpoints.shift()!);
    for (const s of subsumed) void this.discard(s).catch(() => { /* best effort, like Flink's CheckpointsCleaner */ });
    return subsumed;
  }

  getLatestCheckpoint(): CompletedCheckpoint | undefined { return this.checkpoints[this.checkpoints.length - 1]; }
  getAllCheckpoints(): readonly CompletedCheckpoint[] { return this.checkpoints; }
  get numberOfRetainedCheckpoints(): number { return this.checkpoints.length; }

  /** Drops a checkpoint that turned out unreadable, so recovery falls back to the previous one. */
  remove(checkpointId: number): void {
    const i = this.checkpoints.findIndex((c) => c.checkpointId === checkpointId);
    if (i >= 0) this.checkpoints.splice(i, 1);
  }

  /** Job ended: keep (externalized, RETAIN) or discard everything. */
  async shutdown(retain: boolean): Promise<void> {
    const all = this.checkpoints.splice(0);
    if (!retain) await Promise.all(all.map((c) => this.discard(c).catch(() => undefined)));
  }
}
