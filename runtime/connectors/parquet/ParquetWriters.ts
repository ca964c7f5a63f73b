import type { Writable } from 'node:stream';
import type { BulkWriter, BulkWriterFactory } from '../file/BulkWriter.js';
import { formatRecord } from '../file/SimpleStringEncoder.js';
import {
  parquet, parquetError, toPrimitive, type ParquetSchemaDefinition, type ParquetSchemaLike, type ParquetWriterLike, type RowBuffer,
} from './parquetjs.js';

export interface ParquetWriterOptions {
  /** Rows per row group (parquetjs-lite's rowGroupSize, default 4096). A row group is buffered in memory. */
  rowGroupSize?: number;
  /** Rows per data page (default 8192). */
  pageSize?: number;
  /** Data page format: V2 (parquetjs-lite's default, true) or V1 (false; for old readers). */
  useDataPageV2?: boolean;
  /** Key/value metadata written into every file's footer. */
  metadata?: Record<string, string>;
}

/** Rows are handed to parquetjs-lite in batches of this many, off the record path. */
const BATCH = 1024;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Parquet bulk writers for `FileSink.forBulkFormat` (Flink's ParquetWriters / AvroParquetWriters).
 *
 * ```ts
 * FileSink.forBulkFormat('hdfs:///out', ParquetWriters.forRows<Row>({
 *   name:  { type: 'UTF8' },
 *   score: { type: 'DOUBLE' },
 *   count: { type: 'INT64' },
 *   ok:    { type: 'BOOLEAN' },
 *   note:  { type: 'UTF8', optional: true },   // may be null/undefined/absent
 *   tags:  { type: 'UTF8', repeated: true },   // an array
 * })).build();
 * ```
 * The schema is parquetjs-lite's definition object: column name → `{ type, optional?, repeated?,
 * compression?: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY', encoding?: 'PLAIN' | 'RLE' }`, or
 * `{ fields: {…} }` for a nested group. Types: UTF8, DOUBLE, FLOAT, INT32, INT64, BOOLEAN,
 * TIMESTAMP_MILLIS (Date), DATE, JSON, BYTE_ARRAY (Buffer), … (see ParquetType).
 * INT64 values may be numbers or bigints within ±2^53: parquetjs-lite converts them with
 * parseInt, so larger bigints would silently lose precision; they are rejected instead.
 */
export class ParquetWriters {
  static forRows<T extends object = Record<string, unknown>>(schema: ParquetSchemaDefinition, options: ParquetWriterOptions = {}): BulkWriterFactory<T> {
    if (!schema || typeof schema !== 'object' || Object.keys(schema).length === 0) {
      throw new TypeError('ParquetWriters.forRows: the schema must be a non-empty parquetjs-lite schema definition, e.g. { name: { type: "UTF8" } }.');
    }
    let compiled: ParquetSchemaLike;
    try { compiled = new parquet.ParquetSchema(schema); } catch (e) { throw parquetError('ParquetWriters.forRows: invalid schema', e); }
    // Top-level INT64 columns, checked per row for bigints parquetjs-lite would truncate.
    const int64 = compiled.fieldList.filter((f) => !f.isNested && f.path.length === 1 && f.primitiveType === 'INT64').map((f) => f.name);
    const flat = flatColumns(compiled);
    return { create: (out: Writable, path: string) => new ParquetBulkWriter<T>(compiled, out, path, options, int64, flat) };
  }
}

/** A top-level, non-repeated leaf column (the common flat-row case). */
interface FlatColumn { name: string; key: string; type: string; required: boolean; dLevelMax: number }

/** The columns of a flat schema (no groups, no repeated fields), else null. */
function flatColumns(schema: ParquetSchemaLike): FlatColumn[] | null {
  const out: FlatColumn[] = [];
  for (const f of schema.fieldList) {
    if (f.isNested || f.path.length !== 1 || f.repetitionType === 'REPEATED' || f.dLevelMax === undefined) return null;
    out.push({ name: f.name, key: String(f.path), type: f.originalType ?? f.primitiveType ?? '', required: f.repetitionType === 'REQUIRED', dLevelMax: f.dLevelMax });
  }
  return out;
}

/**
 * parquetjs-lite's shredRecord for flat rows without its per-row allocations (a Set and three
 * arrays per column per row), which dominate its write cost. Same buffer layout and results:
 * a value is converted with toPrimitive, null/undefined is a missing value (an error for a
 * required column), and the row lands only if every column converts (atomic like shredRecord).
 * Returns false for rows it does not handle (arrays), which go through shredRecord.
 */
function shredFlat(cols: FlatColumn[], row: Record<string, unknown>, rb: RowBuffer, prims: unknown[]): boolean {
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const v = row[c.name];
    if (v === undefined || v === null) {
      if (c.required) throw 'missing required field: ' + c.name;
      prims[i] = undefined;
    } else {
      if (Array.isArray(v)) return false;
      prims[i] = toPrimitive(c.type, v);
    }
  }
  if (rb.columnData === undefined || rb.rowCount === undefined) {
    rb.rowCount = 0;
    rb.pageRowCount = 0;
    rb.columnData = {};
    rb.pages = {};
    for (const c of cols) {
      rb.columnData[c.key] = { dlevels: [], rlevels: [], values: [], distinct_values: new Set(), count: 0 };
      rb.pages[c.key] = [];
    }
  }
  rb.rowCount += 1;
  rb.pageRowCount = (rb.pageRowCount ?? 0) + 1;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    const col = rb.columnData[c.key]!;
    const p = prims[i];
    col.rlevels.push(0);
    col.count += 1;
    if (p === undefined) { col.dlevels.push(0); continue; }
    col.dlevels.push(c.dLevelMax);
    col.values.push(p);
    col.distinct_values.add(row[c.name]);
  }
  return true;
}

/**
 * Rows queue in an array (addElement is synchronous); every BATCH rows an async step shreds them
 * into parquetjs-lite's row buffer. Only the rows that complete a page or row group go through
 * its async appendRow (which may write a row group and must be awaited before the next row);
 * all others are shredded directly, so there is no promise per row.
 */
class ParquetBulkWriter<T extends object> implements BulkWriter<T> {
  private rows: T[] = [];
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private readonly writer: ParquetWriterLike;
  private readonly pageSize: number;

  private readonly prims: unknown[] = [];

  constructor(private readonly schema: ParquetSchemaLike, private readonly out: Writable, private readonly path: string,
    options: ParquetWriterOptions, private readonly int64: string[], private readonly flat: FlatColumn[] | null) {
    const env = new parquet.ParquetEnvelopeWriter(schema, (b) => this.writeBytes(b), () => Promise.resolve(), 0,
      { pageSize: options.pageSize, ...(options.useDataPageV2 === undefined ? {} : { useDataPageV2: options.useDataPageV2 }) });
    this.pageSize = env.pageSize;
    this.writer = new parquet.ParquetWriter(schema, env, { rowGroupSize: options.rowGroupSize });
    for (const [k, v] of Object.entries(options.metadata ?? {})) this.writer.setMetadata(k, v);
  }

  /** Never rejects (the header write is not awaited by parquetjs-lite); failures surface on the next call. */
  private writeBytes(b: Buffer): Promise<void> {
    if (this.failure) return Promise.resolve();
    if (this.out.destroyed || this.out.writableEnded) {
      // No 'drain', 'error' or 'close' would come any more: fail instead of waiting forever.
      this.failure = this.out.errored ?? new Error(`ParquetWriters: the output stream of ${this.path} was closed while writing`);
      return Promise.resolve();
    }
    if (this.out.write(b)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => { this.out.off('drain', done); this.out.off('error', fail); this.out.off('close', done); resolve(); };
      const fail = (e: Error): void => { this.failure ??= e; done(); };
      this.out.on('drain', done).on('error', fail).on('close', done);
    });
  }

  addElement(row: T): void {
    if (this.failure) throw this.failure;
    for (const k of this.int64) {
      const v = (row as Record<string, unknown>)[k];
      if (typeof v === 'bigint' && (v > MAX_SAFE || v < -MAX_SAFE)) {
        throw new RangeError(`ParquetWriters: INT64 column '${k}' value ${v} is outside ±2^53, which parquetjs-lite cannot write exactly (file ${this.path}).`);
      }
    }
    this.rows.push(row);
    if (this.rows.length >= BATCH) this.schedule();
  }

  private schedule(): void {
    if (this.rows.length === 0) return;
    const batch = this.rows;
    this.rows = [];
    this.tail = this.tail.then(() => this.encode(batch)).catch((e: unknown) => { this.failure ??= e instanceof Error ? e : new Error(String(e)); });
  }

  private async encode(batch: T[]): Promise<void> {
    if (this.failure) return;
    const w = this.writer;
    for (const row of batch) {
      const rb = w.rowBuffer;
      try {
        if ((rb.pageRowCount ?? 0) + 1 >= this.pageSize || (rb.rowCount ?? 0) + 1 >= w.rowGroupSize) await w.appendRow(row);
        else if (!this.flat || !shredFlat(this.flat, row as Record<string, unknown>, rb, this.prims)) parquet.ParquetShredder.shredRecord(this.schema, row, rb);
      } catch (e) {
        const shown = formatRecord(row);
        throw parquetError(`ParquetWriters: cannot write row ${shown.length > 200 ? shown.slice(0, 200) + '…' : shown} to ${this.path}`, e);
      }
      if (this.failure) return;
    }
  }

  async flush(): Promise<void> {
    this.schedule();
    await this.tail;
    if (this.failure) throw this.failure;
  }

  async finish(): Promise<void> {
    await this.flush();
    try { await this.writer.close(); } catch (e) { throw parquetError(`ParquetWriters: cannot finish ${this.path}`, e); }
    if (this.failure) throw this.failure;
  }
}
