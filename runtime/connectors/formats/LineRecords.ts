import type { Readable } from 'node:stream';
import { readSplitLines, lineNumberAt, type LineSplit } from '../file/LineReader.js';
import { getFileSystem } from '../../../hdfs/index.js';

/** A record that cannot be parsed; `offset` is the byte offset of the line where the record starts. */
export class LineParseError extends Error {
  constructor(message: string, readonly offset: number, readonly line: number) { super(message); }
}

/** Turns the lines of a split into records; `line` throws LineParseError for a bad record. */
export interface LineRecordParser<T> {
  /** `lineNo` is the 1-based line number when known (splits that start at the file's beginning), else 0. */
  line(text: string, offset: number, lineNo: number, out: T[]): void;
  /** End of the split (e.g. an unterminated multi-line record). */
  end?(out: T[]): void;
}

/**
 * Shared driver of the line-based record formats (CsvFormat, JsonLinesFormat): TextLineFormat's
 * line splitting (readSplitLines), synchronous parsing into batches, and errors naming the file
 * and line. Line numbers are counted while reading splits that start at byte 0; for a split in the
 * middle of a file the line number is computed only when an error is reported.
 */
export async function readLineRecords<T>(formatName: string, stream: Readable, split: LineSplit, emit: (batch: T[]) => Promise<void>,
  parser: LineRecordParser<T>, ignoreParseErrors: boolean, batchSize = 1024): Promise<void> {
  let batch: T[] = [];
  const counting = split.start === 0;
  let lineNo = 0;
  const guard = (f: () => void): void => {
    if (!ignoreParseErrors) { f(); return; }
    try { f(); } catch (e) { if (!(e instanceof LineParseError)) throw e; /* skipped: withIgnoreParseErrors() */ }
  };
  try {
    await readSplitLines(stream, split, (text, offset) => {
      const n = counting ? ++lineNo : 0;
      guard(() => parser.line(text, offset, n, batch));
    }, async () => {
      if (batch.length === 0) return;
      const b = batch;
      batch = [];
      await emit(b);
    }, batchSize);
    if (parser.end) {
      guard(() => parser.end!(batch));
      if (batch.length > 0) await emit(batch);
    }
  } catch (e) {
    if (!(e instanceof LineParseError)) throw e;
    let line = e.line;
    if (line <= 0) {
      const fs = getFileSystem(split.path);
      try { line = await lineNumberAt(split.path, e.offset, (p, o) => fs.open(p, o)); } catch { line = 0; }
    }
    const where = line > 0 ? `line ${line}` : `byte offset ${e.offset}`;
    throw new Error(`${formatName}: bad record in ${split.path} at ${where}: ${e.message}`, { cause: e });
  }
}
