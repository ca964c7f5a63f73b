import type { MetricGroup, TaskInfo } from '../functions/RuntimeContext.js';

/** Flink Sink V2 shape: a writer per subtask, optionally a committer for two-phase commit. */
export interface SinkWriterContext {
  /** Event timestamp of the current record, or null. */
  timestamp(): number | null;
  currentWatermark(): number;
}

export interface WriterInitContext {
  getTaskInfo(): TaskInfo;
  metricGroup(): MetricGroup;
  /** Flink's runtime mode of the job. */
  runtimeMode(): 'STREAMING' | 'BATCH';
}

export interface SinkWriter<T> {
  write(element: T, ctx: SinkWriterContext): void;
  /** Called at the end of input (endOfInput = true) and before checkpoints. */
  flush(endOfInput: boolean): void | Promise<void>;
  writeWatermark?(watermark: number): void;
  close(): void | Promise<void>;
}

/** A writer whose output becomes visible only when its committables are committed. */
export interface CommittingSinkWriter<T, CommT> extends SinkWriter<T> {
  prepareCommit(): CommT[] | Promise<CommT[]>;
}

/**
 * A writer whose state survives a failure (Flink's StatefulSinkWriter): with checkpoints the
 * SinkWriterOperator stores what snapshotState returns and hands it to Sink.restoreWriter.
 */
export interface StatefulSinkWriter<T, WriterStateT> extends SinkWriter<T> {
  /** Called on every checkpoint after flush(false) and prepareCommit(); the states must be plain data. */
  snapshotState(checkpointId: number): WriterStateT[] | Promise<WriterStateT[]>;
}

export interface Committer<CommT> {
  /** Must be idempotent: after a recovery the same committable may be committed again. */
  commit(committables: CommT[]): Promise<void>;
  close(): void | Promise<void>;
}

export interface Sink<T, CommT = never, WriterStateT = unknown> {
  createWriter(ctx: WriterInitContext): SinkWriter<T> | CommittingSinkWriter<T, CommT>;
  createCommitter?(): Committer<CommT>;
  /**
   * Flink's SupportsWriterState.restoreWriter: a writer continuing from the states its predecessors
   * returned from StatefulSinkWriter.snapshotState (after a rescale, several subtasks' states).
   * Without it a restored sink starts with a fresh writer.
   */
  restoreWriter?(ctx: WriterInitContext, recoveredState: WriterStateT[]): StatefulSinkWriter<T, WriterStateT> | Promise<StatefulSinkWriter<T, WriterStateT>>;
}
