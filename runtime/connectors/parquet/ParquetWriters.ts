import type { Writable } from 'node:stream';
import type { BulkWriter, BulkWriterFactory } from '../file/BulkWriter.js';
import { formatRecord } from '../file/SimpleStringEncoder.js';
import { parquet, parquetError, type ParquetSchemaDefinition, type ParquetSchemaLike, type ParquetWriterLike } from './parquetjs.js';

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
    return { create: (out: Writable, path: string) => new ParquetBulkWriter<T>(compiled, out, path, options, int64) };
  }
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

  constructor(private readonly schema: ParquetSchemaLike, private readonly out: Writable, private readonly path: string,
    options: ParquetWriterOptions, private readonly int64: string[]) {
    const env = new parquet.ParquetEnvelopeWriter(schema, (b) => this.writeBytes(b), () => Promise.resolve(), 0,
      { pageSize: options.pageSize, ...(options.useDataPageV2 === undefined ? {} : { useDataPageV2: options.useDataPageV2 }) });
    this.pageSize = env.pageSize;
    this.writer = new parquet.ParquetWriter(schema, env, { rowGroupSize: options.rowGroupSize });
    for (const [k, v] of Object.entries(options.metadata ?? {})) this.writer.setMetadata(k, v);
  }

  /** Never rejects (the header write is not awaited by parquetjs-lite); failures surface on the next call. */
  private writeBytes(b: Buffer): Promise<void> {
    if (this.failure) return Promise.resolve();
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
        else parquet.ParquetShredder.shredRecord(this.schema, row, rb);
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
