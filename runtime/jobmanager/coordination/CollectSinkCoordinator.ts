import type { OperatorCoordinator } from './OperatorCoordinator.js';
import type { CollectSinkEvent } from '../../operators/CollectSinkOperator.js';

/** Gathers what executeAndCollect sinks send; tells the JobMaster when a limit is reached. */
export class CollectSinkCoordinator implements OperatorCoordinator {
  readonly values: unknown[] = [];
  private limitSignaled = false;
  constructor(private readonly limit: number | undefined, private readonly onLimitReached: () => void) {}
  async start(): Promise<void> {}
  handleEventFromOperator(_subtask: number, event: unknown): void {
    const e = event as CollectSinkEvent;
    if (e.type !== 'CollectBatch') return;
    for (const v of e.values) this.values.push(v);
    if (this.limit !== undefined && !this.limitSignaled && this.values.length >= this.limit) {
      this.limitSignaled = true;
      this.onLimitReached();
    }
  }
  /**
   * Without a checkpoint the job starts over, so what came so far is dropped. From a checkpoint the
   * values stay: records after it are sent again (collect is at-least-once, as in Flink's CollectSink).
   */
  async resetToCheckpoint(checkpointId: number | undefined): Promise<void> {
    if (checkpointId !== undefined) return;
    this.values.length = 0;
    this.limitSignaled = false;
  }
  async close(): Promise<void> {}
}
