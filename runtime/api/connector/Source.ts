import type { Boundedness } from './Boundedness.js';
import type { MetricGroup } from '../functions/RuntimeContext.js';

/** FLIP-27 split-based sources. Splits and events cross threads/processes: plain data only. */
export type InputStatus = 'MORE_AVAILABLE' | 'NOTHING_AVAILABLE' | 'END_OF_INPUT';

export interface SourceSplit { readonly splitId: string }

/** Where a reader emits the records of one split (Flink's SourceOutput). */
export interface SourceOutput<T> {
  /** Emits a record, optionally with its event timestamp (epoch ms). */
  collect(record: T, timestamp?: number): void;
}

export interface ReaderOutput<T> extends SourceOutput<T> {
  /**
   * The output for one split (Flink's ReaderOutput#createOutputForSplit): its records get the split's
   * own watermark generator, and the source's watermark is the minimum over its active splits, so
   * one split that is ahead does not make another's records late. Absent when the source has no
   * watermark strategy (then emit through this output).
   */
  createOutputForSplit?(splitId: string): SourceOutput<T>;
  /** The split is finished: its watermark no longer counts. */
  releaseOutputForSplit?(splitId: string): void;
}

export interface SourceReaderContext {
  getIndexOfSubtask(): number;
  currentParallelism(): number;
  /** Asks the enumerator for a split (Flink's sendSplitRequest). */
  sendSplitRequest(): void;
  sendSourceEventToCoordinator(event: unknown): void;
  metricGroup(): MetricGroup;
}

/**
 * Polled by the source task. `pollNext` may emit many records per call (a batch); it must
 * not block. NOTHING_AVAILABLE means: await `isAvailable()` before polling again.
 */
export interface SourceReader<T, SplitT> {
  start(): void | Promise<void>;
  pollNext(output: ReaderOutput<T>): InputStatus;
  isAvailable(): Promise<void>;
  addSplits(splits: SplitT[]): void;
  notifyNoMoreSplits(): void;
  handleSourceEvents?(event: unknown): void;
  /**
   * Watermark alignment per split (Flink's pauseOrResumeSplits): stop reading the splits that ran ahead
   * of the group's allowed watermark, resume those that may continue. Without it the whole reader pauses.
   */
  pauseOrResumeSplits?(splitsToPause: string[], splitsToResume: string[]): void;
  snapshotState(checkpointId: number): SplitT[];
  notifyCheckpointComplete?(checkpointId: number): void;
  close(): void | Promise<void>;
}

export interface SplitEnumeratorContext<SplitT> {
  currentParallelism(): number;
  registeredReaders(): ReadonlySet<number>;
  assignSplit(split: SplitT, subtask: number): void;
  signalNoMoreSplits(subtask: number): void;
  sendEventToSourceReader(subtask: number, event: unknown): void;
}

export interface SplitEnumerator<SplitT, CheckpointT> {
  start(): void | Promise<void>;
  handleSplitRequest(subtaskId: number, requesterHostname?: string): void | Promise<void>;
  addSplitsBack(splits: SplitT[], subtaskId: number): void;
  addReader(subtaskId: number): void;
  handleSourceEvent?(subtaskId: number, event: unknown): void;
  snapshotState(checkpointId: number): CheckpointT;
  close(): void | Promise<void>;
}

export interface Source<T, SplitT, EnumChkT = unknown> {
  getBoundedness(): Boundedness;
  createReader(ctx: SourceReaderContext): SourceReader<T, SplitT>;
  createEnumerator(ctx: SplitEnumeratorContext<SplitT>): SplitEnumerator<SplitT, EnumChkT>;
  restoreEnumerator(ctx: SplitEnumeratorContext<SplitT>, checkpoint: EnumChkT): SplitEnumerator<SplitT, EnumChkT>;
}
