import type { Boundedness } from './Boundedness.js';
import type { MetricGroup } from '../functions/RuntimeContext.js';

/** FLIP-27 split-based sources. Splits and events cross threads/processes: plain data only. */
export type InputStatus = 'MORE_AVAILABLE' | 'NOTHING_AVAILABLE' | 'END_OF_INPUT';

export interface SourceSplit { readonly splitId: string }

export interface ReaderOutput<T> {
  /** Emits a record, optionally with its event timestamp (epoch ms). */
  collect(record: T, timestamp?: number): void;
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
