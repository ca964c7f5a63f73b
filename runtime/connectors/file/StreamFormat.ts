import type { Readable } from 'node:stream';

/** Decodes records from a byte stream of a file split (Flink's StreamFormat). */
export interface StreamFormat<T> {
  /**
   * Reads the records that belong to the split [start, end) of a file opened at `openedAt`
   * and emits them in batches. Line formats skip a partial first line and finish the last one.
   */
  read(stream: Readable, split: { path: string; start: number; end: number; openedAt: number }, emit: (batch: T[]) => Promise<void>, context?: FormatReadContext): Promise<void>;
  /** Whether files can be cut at arbitrary byte offsets (line formats: yes). */
  readonly splittable: boolean;
}

/** What the source reader hands a format: the counter of records it rejected ('numRecordsRejected'). */
export interface FormatReadContext { rejectedRecords?: { inc(n?: number): void } }
