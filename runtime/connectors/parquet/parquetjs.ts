// Typed access to parquetjs-lite (CommonJS, no type declarations): only the parts tsflink uses.
import { createRequire } from 'node:module';

/** Physical/logical column types accepted by parquetjs-lite 0.8. */
export type ParquetType =
  | 'BOOLEAN' | 'INT32' | 'INT64' | 'INT96' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY' | 'FIXED_LEN_BYTE_ARRAY'
  | 'UTF8' | 'ENUM' | 'JSON' | 'DATE' | 'TIME_MILLIS' | 'TIME_MICROS' | 'TIMESTAMP_MILLIS' | 'TIMESTAMP_MICROS'
  | 'INT_8' | 'INT_16' | 'INT_32' | 'INT_64' | 'UINT_8' | 'UINT_16' | 'UINT_32' | 'UINT_64' | 'INTERVAL';

/** A leaf column of a parquetjs-lite schema definition. */
export interface ParquetLeafField {
  type: ParquetType;
  optional?: boolean;
  repeated?: boolean;
  /** 'PLAIN' (default) or 'RLE' (BOOLEAN/INT32/INT64 with typeLength = bit width). */
  encoding?: 'PLAIN' | 'RLE';
  compression?: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';
  typeLength?: number;
  /** false turns off min/max statistics for the column. */
  statistics?: boolean;
}
/** A nested group of a parquetjs-lite schema definition. */
export interface ParquetGroupField {
  fields: ParquetSchemaDefinition;
  optional?: boolean;
  repeated?: boolean;
}
export type ParquetField = ParquetLeafField | ParquetGroupField;
/** parquetjs-lite's schema definition object: column name → field, in column order. */
export interface ParquetSchemaDefinition { [column: string]: ParquetField }

export interface ParquetFieldInfo {
  name: string; path: string[]; primitiveType?: string; originalType?: string; isNested?: boolean;
  repetitionType?: 'REQUIRED' | 'OPTIONAL' | 'REPEATED'; dLevelMax?: number;
}
export interface ParquetSchemaLike { fieldList: ParquetFieldInfo[]; fields: Record<string, unknown>; findField(path: string | string[]): ParquetFieldInfo | undefined }

export interface ColumnBuffer { dlevels: number[]; rlevels: number[]; values: unknown[]; distinct_values: Set<unknown>; count: number }
export interface RowBuffer { rowCount?: number; pageRowCount?: number; columnData?: Record<string, ColumnBuffer>; pages?: Record<string, unknown[]> }
export interface ParquetWriterLike {
  rowBuffer: RowBuffer;
  rowGroupSize: number;
  appendRow(row: object): Promise<void>;
  close(): Promise<void>;
  setMetadata(key: string, value: string): void;
}
export interface EnvelopeWriterLike { pageSize: number }

export interface ColumnChunkMeta {
  file_path?: string | null;
  meta_data: { data_page_offset: unknown; dictionary_page_offset?: unknown; total_compressed_size: unknown; path_in_schema: string[] };
}
export interface RowGroupMeta { num_rows: unknown; columns: ColumnChunkMeta[] }
export interface FileMetaDataLike { version: number; num_rows: unknown; row_groups: RowGroupMeta[] }
export interface ColumnData { rowCount: number; columnData: Record<string, { values: unknown[] }> }
export interface EnvelopeReaderLike {
  readHeader(): Promise<void>;
  readFooter(): Promise<FileMetaDataLike>;
  readRowGroup(schema: ParquetSchemaLike, rowGroup: RowGroupMeta, columnList: string[][]): Promise<ColumnData>;
}
export interface ParquetReaderLike {
  metadata: FileMetaDataLike;
  schema: ParquetSchemaLike;
  envelopeReader: EnvelopeReaderLike;
  close(): Promise<void>;
}

export interface ParquetLib {
  ParquetSchema: new (def: ParquetSchemaDefinition) => ParquetSchemaLike;
  ParquetWriter: new (schema: ParquetSchemaLike, envelope: EnvelopeWriterLike, opts: { rowGroupSize?: number }) => ParquetWriterLike;
  ParquetEnvelopeWriter: new (schema: ParquetSchemaLike, write: (b: Buffer) => Promise<void>, close: () => Promise<void>, offset: number,
    opts: { pageSize?: number; useDataPageV2?: boolean }) => EnvelopeWriterLike;
  ParquetEnvelopeReader: new (read: (offset: number, length: number, file?: string) => Promise<Buffer>, close: () => Promise<void>,
    fileSize: number, opts?: Record<string, unknown>) => EnvelopeReaderLike;
  ParquetReader: { openEnvelopeReader(env: EnvelopeReaderLike, opts?: { metadata?: FileMetaDataLike }): Promise<ParquetReaderLike> };
  ParquetShredder: {
    shredRecord(schema: ParquetSchemaLike, row: object, buffer: RowBuffer): void;
    materializeRecords(schema: ParquetSchemaLike, buffer: ColumnData): Record<string, unknown>[];
  };
}

const require = createRequire(import.meta.url);
export const parquet = require('parquetjs-lite') as ParquetLib;

// Parquet format 2 writers (pyarrow, parquet-mr, Spark) mark dictionary-encoded data pages
// RLE_DICTIONARY, which parquetjs-lite 0.8 does not know. On the wire it is the same as
// PLAIN_DICTIONARY (bit width byte + RLE/bit-packed indices), so alias the decoder.
const codecs = require('parquetjs-lite/lib/codec') as Record<string, unknown>;
if (!('RLE_DICTIONARY' in codecs) && 'PLAIN_DICTIONARY' in codecs) codecs['RLE_DICTIONARY'] = codecs['PLAIN_DICTIONARY'];
// Format 2 writers also RLE-encode BOOLEAN values in data pages; parquetjs-lite passes the
// column's typeLength (undefined for BOOLEAN) as the bit width there and decodes garbage.
// A boolean's bit width is 1.
type Decode = (type: string, cursor: unknown, count: number, opts: { bitWidth?: number }) => unknown[];
const rle = codecs['RLE'] as { decodeValues: Decode; tsflinkPatched?: boolean } | undefined;
if (rle && !rle.tsflinkPatched) {
  const decode = rle.decodeValues;
  rle.decodeValues = (type, cursor, count, opts) => decode(type, cursor, count, type === 'BOOLEAN' && opts.bitWidth === undefined ? { ...opts, bitWidth: 1 } : opts);
  rle.tsflinkPatched = true;
}

const types = require('parquetjs-lite/lib/types') as {
  toPrimitive(type: string, value: unknown): unknown;
  PARQUET_LOGICAL_TYPES: Record<string, { fromPrimitive?: (v: unknown) => unknown }>;
};
/** Converts a value to its physical representation (parquetjs-lite's types.toPrimitive; throws strings). */
export const toPrimitive = types.toPrimitive;

// INT64 values decode as bigints, but TIMESTAMP_MILLIS's fromPrimitive does `new Date(+value)`,
// which throws for a bigint: every file with a TIMESTAMP_MILLIS column (its statistics too) would
// be unreadable. TIMESTAMP_MICROS's divides by 1000n, which throws for numbers (dictionary values).
const lt = types.PARQUET_LOGICAL_TYPES;
if (lt['TIMESTAMP_MILLIS']) lt['TIMESTAMP_MILLIS'].fromPrimitive = (v) => new Date(Number(v));
if (lt['TIMESTAMP_MICROS']) lt['TIMESTAMP_MICROS'].fromPrimitive = (v) => new Date(Number(BigInt(v as bigint | number | string) / 1000n));

/** parquetjs-lite throws strings; turn whatever it threw into an Error with context. */
export function parquetError(context: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(`${context}: ${msg}`, { cause: e });
}
