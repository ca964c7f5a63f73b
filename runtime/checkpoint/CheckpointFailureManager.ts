// Counts consecutive checkpoint failures (Flink's CheckpointFailureManager): only the reasons Flink
// counts, each checkpoint once; a success with a newer id resets the count. Past the tolerable
// number the job fails over with Flink's message.
import { type CheckpointFailureReason, countsTowardTolerableFailures } from './CheckpointMessages.js';

export const EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE = 'Exceeded checkpoint tolerable failure threshold.';

export class CheckpointFailureManager {
  private continuousFailures = 0;
  private readonly countedIds = new Set<number>();
  private lastSucceededId = -1;

  constructor(private readonly tolerable: number, private readonly failJob: (message: string) => void) {}

  get numberOfContinuousFailures(): number { return this.continuousFailures; }

  handleCheckpointException(checkpointId: number | undefined, reason: CheckpointFailureReason, cause: string): void {
    if (!countsTowardTolerableFailures(reason)) return;
    if (checkpointId !== undefined) {
      if (checkpointId <= this.lastSucceededId || this.countedIds.has(checkpointId)) return;
      this.countedIds.add(checkpointId);
    }
    this.continuousFailures++;
    if (this.continuousFailures > this.tolerable) {
      // Flink's clearCount(): the restarted job tolerates as many failures again.
      this.reset();
      this.failJob(`${EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE} The latest checkpoint failed due to ${reason}: ${cause}`);
    }
  }

  handleCheckpointSuccess(checkpointId: number): void {
    if (checkpointId <= this.lastSucceededId) return;
    this.lastSucceededId = checkpointId;
    this.continuousFailures = 0;
    for (const id of this.countedIds) if (id <= checkpointId) this.countedIds.delete(id);
  }

  /** A failover resets the count (Flink clears it when the job restarts). */
  reset(): void { this.continuousFailures = 0; this.countedIds.clear(); }
}
