import type { OperatorCoordinator } from './OperatorCoordinator.js';
import type { CollectSinkEvent } from '../../operators/CollectSinkOperator.js';

/** Gathers what executeAndCollect sinks send; tells the JobMaster when a limit is reached. */
export class CollectSinkCoordinator implements OperatorCoordinator {
  readonly values: unknown[] = [];
  /** Which subtask sent each value (a region restart drops what that subtask's last attempt sent). */
  private readonly senders: number[] = [];
  private limitSignaled = false;
  constructor(private readonly limit: number | undefined, private readonly onLimitReached: () => void) {}
  async start(): Promise<void> {}
  handleEventFromOperator(subtask: number, event: unknown): void {
    const e = event as CollectSinkEvent;
    if (e.type !== 'CollectBatch') return;
    for (const v of e.values) { this.values.push(v); this.senders.push(subtask); }
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
    this.senders.length = 0;
    this.limitSignaled = false;
  }

  /** Region failover (BATCH): the subtask runs again from the start, so what it sent so far would come twice. */
  subtaskReset(subtask: number): void {
    let w = 0;
    for (let i = 0; i < this.values.length; i++) {
      if (this.senders[i] === subtask) continue;
      this.values[w] = this.values[i];
      this.senders[w++] = this.senders[i]!;
    }
    this.values.length = w;
    this.senders.length = w;
  }
  async close(): Promise<void> {}
}
