import type { BulkFormat, BulkFormatReader, BulkFormatSplit, RandomAccessInput } from '../file/BulkFormat.js';
import { parquet, parquetError, type ColumnData, type ParquetSchemaLike, type RowGroupMeta } from './parquetjs.js';

/** A Parquet row: column name → value (UTF8 → string, DOUBLE/FLOAT/INT32 → number, INT64 → bigint, BOOLEAN, …). */
export type ParquetRow = Record<string, unknown>;

export interface ParquetFormatOptions {
  /** Read only these top-level columns (default: all). */
  columns?: string[];
  /** INT64 columns as 'bigint' (default, exact) or as 'number' (exact up to 2^53). */
  int64?: 'bigint' | 'number';
}

const BATCH = 1024;
/** The footer is usually in the last 64 KiB: one ranged read gets it (and whole small files). */
const TAIL_PREFETCH = 64 * 1024;
/** A row group up to this size is fetched with one ranged read instead of one per column chunk. */
const MAX_ROW_GROUP_PREFETCH = 128 * 1024 * 1024;

const num = (x: unknown): number => Number(x); // thrift Int64 values convert through valueOf

/** Byte offset where a row group's data starts: its first dictionary or data page. */
function rowGroupStart(rg: RowGroupMeta): number {
  let start = Infinity;
  for (const c of rg.columns) {
    const dict = num(c.meta_data.dictionary_page_offset ?? 0);
    const s = dict > 0 ? dict : num(c.meta_data.data_page_offset);
    if (s < start) start = s;
  }
  return start;
}

function bigintsToNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) v[i] = bigintsToNumbers(v[i]); return v; }
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) {
    const o = v as Record<string, unknown>;
    for (const k in o) o[k] = bigintsToNumbers(o[k]);
  }
  return v;
}

/**
 * parquetjs-lite turns dictionary values into strings (`d.toString()`), so dictionary-encoded
 * numeric columns (pyarrow/Spark dictionary-encode numbers too) would come back as strings.
 * Converting them back is exact: JS number/bigint toString round-trips.
 */
function fixDictionaryNumbers(schema: ParquetSchemaLike, data: ColumnData): void {
  for (const k in data.columnData) {
    const t = schema.findField(k)?.primitiveType;
    if (t !== 'INT32' && t !== 'INT64' && t !== 'FLOAT' && t !== 'DOUBLE') continue;
    const values = data.columnData[k]!.values;
    if (!values.some((v) => typeof v === 'string')) continue;
    const conv = t === 'INT64' ? (s: string): unknown => BigInt(s) : (s: string): unknown => Number(s);
    for (let i = 0; i < values.length; i++) { const v = values[i]; if (typeof v === 'string') values[i] = conv(v); }
  }
}

/**
 * Reads Parquet files as plain-object rows with parquetjs-lite (Flink's ParquetColumnarRowInputFormat
 * / AvroParquetReaders, as a BulkFormat): `FileSource.forBulkFileFormat(ParquetFormat.forRows(), path)`.
 * Files are split by row groups: a split reads the row groups that start in its byte range
 * (Hadoop's rule), so big files are read in parallel. All I/O is ranged reads through the
 * tsflink FileSystem (file://, plain paths, hdfs://); nothing is copied to local disk.
 * Optional columns that are null come back absent from the row object.
 */
export class ParquetFormat<T = ParquetRow> implements BulkFormat<T> {
  readonly splittable = true;
  private constructor(private readonly options: ParquetFormatOptions) {}

  static forRows<T = ParquetRow>(options: ParquetFormatOptions = {}): ParquetFormat<T> {
    if (options.columns !== undefined && (!Array.isArray(options.columns) || options.columns.some((c) => typeof c !== 'string'))) {
      throw new TypeError('ParquetFormat.forRows: columns must be an array of column names.');
    }
    if (options.int64 !== undefined && options.int64 !== 'bigint' && options.int64 !== 'number') {
      throw new TypeError(`ParquetFormat.forRows: int64 must be 'bigint' or 'number', got ${String(options.int64)}.`);
    }
    return new ParquetFormat<T>({ ...options });
  }

  async createReader(input: RandomAccessInput, split: BulkFormatSplit): Promise<BulkFormatReader<T>> {
    let cache: { start: number; buf: Buffer } | null = null;
    // Dictionary pages of the cached row group: parquetjs-lite asks for up to 10 MB from a
    // dictionary offset (it does not know the page size yet); the page lies inside its column
    // chunk, so the rest of the cached row group is enough and saves a large ranged read.
    let dictionaryOffsets = new Set<number>();
    const read = (offset: number, length: number, file?: string): Promise<Buffer> => {
      if (file) return Promise.reject(new Error(`column chunks in external files (${file}) are not supported`));
      const c = cache;
      if (c && offset >= c.start && offset < c.start + c.buf.length) {
        if (offset + length <= c.start + c.buf.length) return Promise.resolve(c.buf.subarray(offset - c.start, offset - c.start + length));
        if (dictionaryOffsets.has(offset)) return Promise.resolve(c.buf.subarray(offset - c.start));
      }
      return input.read(offset, length);
    };
    const tail = Math.min(input.length, TAIL_PREFETCH);
    cache = { start: input.length - tail, buf: await input.read(input.length - tail, tail) };
    const envelope = new parquet.ParquetEnvelopeReader(read, () => Promise.resolve(), input.length);
    let reader;
    try {
      await envelope.readHeader();
      const metadata = await envelope.readFooter();
      // parquetjs-lite accepts only FileMetaData.version 1, but format 2 files (pyarrow's and
      // Spark's default) differ only in optional features; unsupported encodings still fail clearly.
      if (metadata.version === 2) metadata.version = 1;
      reader = await parquet.ParquetReader.openEnvelopeReader(envelope, { metadata });
    } catch (e) {
      throw parquetError(`ParquetFormat: cannot read ${input.path} as a Parquet file`, e);
    }
    const { schema } = reader;
    const columns = (this.options.columns ?? []).map((c) => [c]);
    for (const c of this.options.columns ?? []) {
      if (!(c in schema.fields)) throw new Error(`ParquetFormat: column '${c}' is not in ${input.path} (columns: ${Object.keys(schema.fields).join(', ')})`);
    }
    // Row groups owned by this split: those starting inside [start, end).
    const groups = reader.metadata.row_groups.filter((rg) => { const s = rowGroupStart(rg); return s >= split.start && s < split.end; });
    const asNumbers = this.options.int64 === 'number';
    let g = 0;
    let rows: ParquetRow[] = [];
    let pos = 0;
    return {
      readBatch: async (): Promise<T[] | null> => {
        while (pos >= rows.length) {
          const rg = groups[g++];
          if (rg === undefined) return null;
          const wanted = columns.length === 0 ? rg.columns : rg.columns.filter((c) => columns.some((k) => k[0] === c.meta_data.path_in_schema[0]));
          let start = Infinity;
          let end = 0;
          dictionaryOffsets = new Set<number>();
          for (const c of wanted) {
            const dict = num(c.meta_data.dictionary_page_offset ?? 0);
            const data = num(c.meta_data.data_page_offset);
            if (dict > 0) dictionaryOffsets.add(dict);
            start = Math.min(start, dict > 0 ? dict : data);
            end = Math.max(end, Math.min(input.length, data + num(c.meta_data.total_compressed_size)));
          }
          const c = cache;
          const cached = c !== null && start >= c.start && end <= c.start + c.buf.length; // e.g. a small file, all in the tail read
          if (!cached && end > start && end - start <= MAX_ROW_GROUP_PREFETCH) cache = { start, buf: await input.read(start, end - start) };
          try {
            const data = await reader.envelopeReader.readRowGroup(schema, rg, columns);
            fixDictionaryNumbers(schema, data);
            rows = parquet.ParquetShredder.materializeRecords(schema, data);
          } catch (e) {
            throw parquetError(`ParquetFormat: cannot decode row group ${reader.metadata.row_groups.indexOf(rg)} of ${input.path}`, e);
          }
          pos = 0;
        }
        const batch = rows.slice(pos, pos + BATCH);
        pos += batch.length;
        if (asNumbers) for (const r of batch) bigintsToNumbers(r);
        return batch as T[];
      },
      close: async (): Promise<void> => { rows = []; cache = null; await reader.close(); },
    };
  }
}
