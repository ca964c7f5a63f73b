import { AbstractStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator } from './StreamOperator.js';

export type CollectSinkEvent = { type: 'CollectBatch'; subtask: number; values: unknown[]; last: boolean };

/** Behind executeAndCollect: ships records in batches to its coordinator in the JobMaster. */
export class CollectSinkOperator<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T> {
  private buffer: unknown[] = [];
  private timer: { cancel(): void } | null = null;
  constructor(private readonly batchSize = 1024, private readonly flushIntervalMs = 100) { super(); }
  processElement(value: T): void {
    this.buffer.push(value);
    if (this.buffer.length >= this.batchSize) this.flush(false);
    else if (!this.timer) {
      const pts = this.params.processingTimeService;
      this.timer = pts.registerTimer(pts.getCurrentProcessingTime() + this.flushIntervalMs, () => { this.timer = null; this.flush(false); });
    }
  }
  override processWatermark(): void {}
  /**
   * Before the checkpoint: what is buffered goes to the coordinator now. The source's position in the
   * checkpoint is past these records, so after a restore from it they would not come again (the role
   * of the buffer in Flink's CollectSinkFunction state); sent before the acknowledgement, they are kept.
   */
  override snapshotState(): void { this.timer?.cancel(); this.timer = null; this.flush(false); }
  private flush(last: boolean): void {
    if (this.buffer.length === 0 && !last) return;
    const values = this.buffer;
    this.buffer = [];
    const e: CollectSinkEvent = { type: 'CollectBatch', subtask: this.params.taskInfo.indexOfThisSubtask, values, last };
    this.params.operatorEventGateway.sendEventToCoordinator(e);
  }
  override finish(): void { this.timer?.cancel(); this.timer = null; this.flush(true); }
  override async close(): Promise<void> { this.timer?.cancel(); await super.close(); }
}
