import { AbstractStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator } from './StreamOperator.js';
import type { Sink, SinkWriter, CommittingSinkWriter, SinkWriterContext } from '../api/connector/Sink.js';

/**
 * Hosts a Sink V2 writer. At the end of input the writer flushes; a committing writer's
 * committables are then committed (BATCH, and STREAMING jobs that end). With checkpoints the
 * pre-commit happens on the barrier and the commit on notifyCheckpointComplete (state issue).
 */
export class SinkWriterOperator<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T> {
  private writer!: SinkWriter<T>;
  private ts: number | undefined;
  private readonly ctx: SinkWriterContext;
  constructor(private readonly sink: Sink<T, unknown>) {
    super();
    const self = this;
    this.ctx = { timestamp: () => self.ts ?? null, currentWatermark: () => self.currentWatermark };
  }
  override open(): void {
    const p = this.params;
    this.writer = this.sink.createWriter({ getTaskInfo: () => p.taskInfo, metricGroup: () => p.metricGroup, runtimeMode: () => p.runtimeMode });
  }
  processElement(value: T, timestamp: number | undefined): void {
    this.ts = timestamp;
    this.writer.write(value, this.ctx);
  }
  override processWatermark(mark: number): void {
    this.currentWatermark = mark;
    this.writer.writeWatermark?.(mark);
  }
  override async finish(): Promise<void> {
    await this.writer.flush(true);
    const w = this.writer as Partial<CommittingSinkWriter<T, unknown>>;
    if (typeof w.prepareCommit === 'function' && this.sink.createCommitter) {
      const committables = await w.prepareCommit();
      const committer = this.sink.createCommitter();
      try { await committer.commit(committables); } finally { await committer.close(); }
    }
  }
  override async close(): Promise<void> {
    await this.writer?.close();
    await super.close();
  }
}
