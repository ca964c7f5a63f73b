import type { Writable } from 'node:stream';

/**
 * Encodes records into one part file of a bulk format such as Parquet (Flink's BulkWriter).
 * Bulk files are complete only once `finish` wrote their trailer, so a FileSink with a bulk
 * format rolls part files on checkpoints and at the end of input only (OnCheckpointRollingPolicy).
 */
export interface BulkWriter<T> {
  /** Adds one record; synchronous (buffer and encode in batches, no promise per record). Throws a pending write error. */
  addElement(element: T): void;
  /** Pushes buffered records into the stream as far as the format allows. */
  flush(): Promise<void>;
  /** Writes everything still buffered plus the trailer; does not end the stream (the sink closes it). */
  finish(): Promise<void>;
}

/** Creates a BulkWriter on the stream of a new in-progress part file (Flink's BulkWriter.Factory). */
export interface BulkWriterFactory<T> {
  create(out: Writable, path: string): BulkWriter<T>;
}
