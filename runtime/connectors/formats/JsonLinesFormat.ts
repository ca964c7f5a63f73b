import type { Readable } from 'node:stream';
import type { FormatReadContext, StreamFormat } from '../file/StreamFormat.js';
import { LineParseError, checkRejectOptions, readLineRecords, type RejectOptions } from './LineRecords.js';

/**
 * JSON Lines: one JSON value (normally an object) per line, parsed with JSON.parse; blank lines
 * are skipped. Splittable like TextLineFormat. A line that is not valid JSON fails the read with
 * an error naming the file and line number, is skipped after `withIgnoreParseErrors()`, or goes
 * to a rejects directory with `withRejects({ dir, maxRejectedFraction })`.
 */
export class JsonLinesFormat<T = Record<string, unknown>> implements StreamFormat<T> {
  readonly splittable = true;
  constructor(private readonly ignoreParseErrors = false, private readonly rejects?: RejectOptions) {}

  /** A format that skips lines that are not valid JSON (Flink's json.ignore-parse-errors). */
  withIgnoreParseErrors(): JsonLinesFormat<T> { return new JsonLinesFormat<T>(true, this.rejects); }

  /**
   * Lines that are not valid JSON are counted (numRecordsRejected), written to `dir` as JSON Lines
   * {file, line, offset, reason, text}, and fail the job only if more than `maxRejectedFraction`
   * (0..1) of all the records the FileSource read were rejected.
   */
  withRejects(opts: RejectOptions): JsonLinesFormat<T> { return new JsonLinesFormat<T>(this.ignoreParseErrors, checkRejectOptions(opts)); }

  get maxRejectedFraction(): number | undefined { return this.rejects?.maxRejectedFraction; }

  read(stream: Readable, split: { path: string; start: number; end: number; openedAt: number }, emit: (batch: T[]) => Promise<void>, context?: FormatReadContext): Promise<void> {
    return readLineRecords<T>('JsonLinesFormat', stream, split, emit, {
      line(text, offset, lineNo, out) {
        let i = 0;
        while (i < text.length && (text.charCodeAt(i) <= 0x20 || text.charCodeAt(i) === 0xfeff)) i++;
        if (i === text.length) return; // blank line
        try {
          out.push(JSON.parse(i === 0 ? text : text.slice(i)) as T);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          throw new LineParseError(`invalid JSON (${msg}): ${text.length > 120 ? text.slice(0, 120) + '…' : text}`, offset, lineNo);
        }
      },
    }, this.ignoreParseErrors, 1024, this.rejects, context);
  }
}

