import type { Readable } from 'node:stream';
import type { FormatReadContext, StreamFormat } from '../file/StreamFormat.js';
import { LineParseError, checkRejectOptions, readLineRecords, type LineRecordParser, type RejectOptions } from './LineRecords.js';

export type CsvColumnType = 'string' | 'number' | 'boolean';
export interface CsvColumn { name: string; type: CsvColumnType }

/**
 * Columns in file order with their types, plus the dialect.
 * ```ts
 * CsvFormat.forSchema({ columns: [{ name: 'id', type: 'number' }, { name: 'name', type: 'string' }], delimiter: ';' })
 * ```
 */
export interface CsvSchema {
  columns: readonly CsvColumn[];
  /** Field separator, one character (default ','). */
  delimiter?: string;
  /** Quote character, one character (default '"'); doubled inside a quoted field it stands for itself. */
  quote?: string;
  /** The first line of every file is a header and is skipped (default false). */
  skipHeader?: boolean;
}

/** A CSV row: column name → string, number, boolean, or null for an empty number/boolean field. */
export type CsvRow = Record<string, string | number | boolean | null>;

class CsvFieldError extends Error {}

/**
 * Splits one record into fields (RFC 4180): fields separated by the delimiter; a field starting
 * with the quote char is quoted, may contain delimiters, line breaks and doubled quotes, and must
 * be followed by a delimiter or the end. A quote inside an unquoted field is taken literally.
 * Returns null when a quoted field is still open at the end of the text.
 */
export function parseCsvFields(s: string, d: string, q: string): string[] | null {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  for (;;) {
    if (i < n && s[i] === q) {
      let val = '';
      let j = i + 1;
      for (;;) {
        const k = s.indexOf(q, j);
        if (k < 0) return null;
        if (s[k + 1] === q) { val += s.slice(j, k + 1); j = k + 2; continue; }
        val += s.slice(j, k);
        i = k + 1;
        break;
      }
      out.push(val);
      if (i >= n) return out;
      if (s[i] !== d) throw new CsvFieldError(`unexpected '${s[i]}' after the closing quote of field ${out.length}`);
      i++;
    } else {
      const k = s.indexOf(d, i);
      if (k < 0) { out.push(s.slice(i)); return out; }
      out.push(s.slice(i, k));
      i = k + 1;
    }
  }
}

interface CsvOptions { ignoreParseErrors: boolean; multiLine: boolean; rejects?: RejectOptions }

/**
 * CSV rows as objects (Flink's CsvReaderFormat.forSchema). RFC 4180 quoting: quoted fields may
 * contain the delimiter and doubled quotes. Values are converted by column type: numbers with
 * Number() (an empty field is null), booleans from true/false in any case (empty → null),
 * strings as they are. Blank lines are skipped.
 *
 * Splittable like TextLineFormat, so a quoted field cannot contain a line break by default (the
 * record fails as unterminated); `withMultiLineRecords()` allows quoted line breaks and reads
 * each file as one split. A bad row (wrong column count, bad number/boolean, unterminated quote)
 * fails with an error naming the file and line, or is skipped after `withIgnoreParseErrors()`.
 */
export class CsvFormat<T = CsvRow> implements StreamFormat<T> {
  readonly splittable: boolean;
  private readonly delimiter: string;
  private readonly quote: string;

  private constructor(readonly schema: CsvSchema, private readonly options: CsvOptions) {
    this.delimiter = schema.delimiter ?? ',';
    this.quote = schema.quote ?? '"';
    this.splittable = !options.multiLine;
  }

  static forSchema<T = CsvRow>(schema: CsvSchema): CsvFormat<T> {
    if (!schema || !Array.isArray(schema.columns) || schema.columns.length === 0) {
      throw new TypeError("CsvFormat.forSchema: the schema needs columns, e.g. { columns: [{ name: 'id', type: 'number' }] }.");
    }
    const seen = new Set<string>();
    for (const c of schema.columns) {
      if (!c || typeof c.name !== 'string' || c.name.length === 0) throw new TypeError('CsvFormat.forSchema: every column needs a non-empty name.');
      if (seen.has(c.name)) throw new TypeError(`CsvFormat.forSchema: column '${c.name}' appears twice.`);
      seen.add(c.name);
      if (c.type !== 'string' && c.type !== 'number' && c.type !== 'boolean') {
        throw new TypeError(`CsvFormat.forSchema: column '${c.name}' has type ${JSON.stringify(c.type)}; allowed: 'string', 'number', 'boolean'.`);
      }
    }
    const d = schema.delimiter ?? ',';
    const q = schema.quote ?? '"';
    for (const [what, ch] of [['delimiter', d], ['quote', q]] as const) {
      if (typeof ch !== 'string' || ch.length !== 1 || ch === '\n' || ch === '\r') throw new TypeError(`CsvFormat.forSchema: the ${what} must be one character other than a line break, got ${JSON.stringify(ch)}.`);
    }
    if (d === q) throw new TypeError('CsvFormat.forSchema: the delimiter and the quote must differ.');
    return new CsvFormat<T>({ ...schema, columns: schema.columns.map((c) => ({ name: c.name, type: c.type })) }, { ignoreParseErrors: false, multiLine: false });
  }

  /** Skip rows that cannot be parsed instead of failing. */
  withIgnoreParseErrors(): CsvFormat<T> { return new CsvFormat<T>(this.schema, { ...this.options, ignoreParseErrors: true }); }

  /** Bad rows are counted, written to `dir` with file, line and reason, and fail the job only if more than `maxRejectedFraction` of all the rows the FileSource read were rejected. */
  withRejects(opts: RejectOptions): CsvFormat<T> { return new CsvFormat<T>(this.schema, { ...this.options, rejects: checkRejectOptions(opts) }); }

  get maxRejectedFraction(): number | undefined { return this.options.rejects?.maxRejectedFraction; }

  /** Allow line breaks inside quoted fields; every file is then read as one split. */
  withMultiLineRecords(): CsvFormat<T> { return new CsvFormat<T>(this.schema, { ...this.options, multiLine: true }); }

  private toRow(fields: string[]): T {
    const cols = this.schema.columns;
    if (fields.length !== cols.length) throw new CsvFieldError(`expected ${cols.length} columns, found ${fields.length}`);
    const row: Record<string, string | number | boolean | null> = {};
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      const v = fields[i]!;
      if (c.type === 'string') { row[c.name] = v; continue; }
      const t = v.trim();
      if (t === '') { row[c.name] = null; continue; }
      if (c.type === 'number') {
        const x = Number(t);
        if (Number.isNaN(x) && t !== 'NaN') throw new CsvFieldError(`column '${c.name}': ${JSON.stringify(v)} is not a number`);
        row[c.name] = x;
      } else {
        const l = t.toLowerCase();
        if (l === 'true') row[c.name] = true;
        else if (l === 'false') row[c.name] = false;
        else throw new CsvFieldError(`column '${c.name}': ${JSON.stringify(v)} is not a boolean (true/false)`);
      }
    }
    return row as T;
  }

  read(stream: Readable, split: { path: string; start: number; end: number; openedAt: number }, emit: (batch: T[]) => Promise<void>, context?: FormatReadContext): Promise<void> {
    const { delimiter: d, quote: q } = this;
    const multiLine = this.options.multiLine;
    const skipHeader = this.schema.skipHeader === true;
    // A multi-line record in progress: its text so far and where it started.
    let pending: string | null = null;
    let pendingOffset = 0;
    let pendingLine = 0;
    const parse = (text: string, offset: number, lineNo: number, out: T[]): void => {
      let fields: string[] | null;
      try { fields = parseCsvFields(text, d, q); } catch (e) { throw new LineParseError((e as Error).message, offset, lineNo); }
      if (fields === null) {
        if (multiLine) { pending = text; pendingOffset = offset; pendingLine = lineNo; return; }
        throw new LineParseError('unterminated quoted field (line breaks inside quotes need CsvFormat.withMultiLineRecords())', offset, lineNo);
      }
      try { out.push(this.toRow(fields)); } catch (e) {
        if (e instanceof CsvFieldError) throw new LineParseError(e.message, offset, lineNo);
        throw e;
      }
    };
    const parser: LineRecordParser<T> = {
      line: (text, offset, lineNo, out) => {
        if (pending !== null) {
          const t = pending + '\n' + text;
          pending = null;
          parse(t, pendingOffset, pendingLine, out);
          return;
        }
        if (offset === 0) {
          if (skipHeader) return;
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte order mark
        }
        if (text.length === 0) return; // blank line
        if (text.charCodeAt(0) <= 0x20 && text.trim().length === 0 && !text.includes(d)) return; // whitespace-only line
        parse(text, offset, lineNo, out);
      },
      end: () => {
        if (pending !== null) {
          pending = null;
          throw new LineParseError('unterminated quoted field at the end of the file', pendingOffset, pendingLine);
        }
      },
    };
    return readLineRecords<T>('CsvFormat', stream, split, emit, parser, this.options.ignoreParseErrors, 1024, this.options.rejects, context);
  }
}
