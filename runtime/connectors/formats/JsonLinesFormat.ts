import type { Readable } from 'node:stream';
import type { StreamFormat } from '../file/StreamFormat.js';
import { LineParseError, readLineRecords } from './LineRecords.js';

/**
 * JSON Lines: one JSON value (normally an object) per line, parsed with JSON.parse; blank lines
 * are skipped. Splittable like TextLineFormat. A line that is not valid JSON fails the read with
 * an error naming the file and line number, or is skipped after `withIgnoreParseErrors()`.
 */
export class JsonLinesFormat<T = Record<string, unknown>> implements StreamFormat<T> {
  readonly splittable = true;
  constructor(private readonly ignoreParseErrors = false) {}

  /** A format that skips lines that are not valid JSON. */
  withIgnoreParseErrors(): JsonLinesFormat<T> { return new JsonLinesFormat<T>(true); }

  read(stream: Readable, split: { path: string; start: number; end: number; openedAt: number }, emit: (batch: T[]) => Promise<void>): Promise<void> {
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
    }, this.ignoreParseErrors);
  }
}
