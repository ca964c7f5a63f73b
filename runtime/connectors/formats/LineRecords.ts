import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { readSplitLines, lineNumberAt, type LineSplit } from '../file/LineReader.js';
import { getFileSystem } from '../../../hdfs/index.js';
import type { FormatReadContext, SplitRecordCounts } from '../file/StreamFormat.js';

/**
 * Where unparseable lines go instead of failing the read: counted ('numRecordsRejected' of the
 * source), written with file, line and reason to `dir` (one JSON Lines file per split); the job
 * fails only if more than `maxRejectedFraction` of all the records its FileSource read were
 * rejected (checked by the source's enumerator once every split is read).
 */
export interface RejectOptions { dir?: string; maxRejectedFraction?: number }

interface Rejected { file: string; line: number; offset: number; reason: string; text: string }

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
  parser: LineRecordParser<T>, ignoreParseErrors: boolean, batchSize = 1024, rejects?: RejectOptions, context?: FormatReadContext): Promise<void> {
  let batch: T[] = [];
  const counting = split.start === 0;
  let lineNo = 0;
  let linesSeen = 0;
  let firstLineOffset = -1;
  let emitted = 0;
  let currentText = '';
  const rejected: Rejected[] = [];
  const guard = (f: () => void): void => {
    if (!ignoreParseErrors && !rejects) { f(); return; }
    try { f(); } catch (e) {
      if (!(e instanceof LineParseError)) throw e;
      if (!rejects) return; // skipped: withIgnoreParseErrors()
      // Line numbers of splits after the first are resolved once, at the end (line -k: k-th line of the split).
      rejected.push({ file: split.path, line: e.line > 0 ? e.line : -linesSeen, offset: e.offset, reason: e.message, text: currentText });
    }
  };
  try {
    await readSplitLines(stream, split, (text, offset) => {
      const n = counting ? ++lineNo : 0;
      if (firstLineOffset < 0) firstLineOffset = offset;
      linesSeen++;
      if (rejects) currentText = text;
      guard(() => parser.line(text, offset, n, batch));
    }, async () => {
      if (batch.length === 0) return;
      const b = batch;
      batch = [];
      emitted += b.length;
      await emit(b);
    }, batchSize);
    if (parser.end) {
      guard(() => parser.end!(batch));
      emitted += batch.length;
      if (batch.length > 0) await emit(batch);
    }
    const counts: SplitRecordCounts = { format: formatName, read: emitted, rejected: rejected.length };
    if (rejects && rejected.length > 0) await reportRejects(split, rejected, firstLineOffset, rejects, counts, context);
    context?.splitCounts?.(counts);
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

/** Counts and writes the rejected lines of one split (see RejectOptions); the threshold is the enumerator's. */
async function reportRejects(split: LineSplit, rejected: Rejected[], firstLineOffset: number, opts: RejectOptions, counts: SplitRecordCounts, context?: FormatReadContext): Promise<void> {
  context?.rejectedRecords?.inc(rejected.length);
  if (rejected.some((r) => r.line <= 0)) {
    const fs = getFileSystem(split.path);
    let base = 0;
    try { base = await lineNumberAt(split.path, firstLineOffset, (p, o) => fs.open(p, o)); } catch { base = 0; }
    for (const r of rejected) if (r.line <= 0) r.line = base > 0 ? base - r.line - 1 : 0;
  }
  const first = rejected[0]!;
  counts.first = { file: first.file, line: first.line, reason: first.reason };
  if (opts.dir) {
    const dir = opts.dir.replace(/\/+$/, '');
    // One file per split, named by the split: a retried attempt rewrites it instead of adding to it.
    const file = `${dir}/rejects-${createHash('sha1').update(`${split.path}:${split.start}`).digest('hex').slice(0, 16)}.jsonl`;
    const fs = getFileSystem(dir);
    await fs.mkdirs(dir);
    await fs.writeFile(file, rejected.map((r) => JSON.stringify(r)).join('\n') + '\n', { overwrite: true });
    counts.rejectsFile = file;
  }
}

export function checkRejectOptions(opts: RejectOptions): RejectOptions {
  const f = opts.maxRejectedFraction;
  if (f !== undefined && (typeof f !== 'number' || !(f >= 0 && f <= 1))) throw new TypeError(`withRejects: maxRejectedFraction must be a number between 0 and 1, got ${JSON.stringify(f)}.`);
  if (opts.dir !== undefined && (typeof opts.dir !== 'string' || opts.dir.length === 0)) throw new TypeError('withRejects: dir must be a directory path or URI (file://, hdfs://).');
  return { ...opts };
}
