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
  /**
   * Job-wide bad-record threshold (0..1, `withRejects({ maxRejectedFraction })`): the FileSource
   * fails the job when more than this fraction of all the records it read were rejected.
   */
  readonly maxRejectedFraction?: number;
}

/** What one split held: records emitted and rejected, the first rejected line, where the rejects went. */
export interface SplitRecordCounts {
  format: string;
  read: number;
  rejected: number;
  first?: { file: string; line: number; reason: string };
  rejectsFile?: string;
}

/**
 * What the source reader hands a format: the counter of records it rejected ('numRecordsRejected'),
 * and where a format reports a split's counts at its end (for the job-wide maxRejectedFraction).
 */
export interface FormatReadContext {
  rejectedRecords?: { inc(n?: number): void };
  splitCounts?(counts: SplitRecordCounts): void;
}
