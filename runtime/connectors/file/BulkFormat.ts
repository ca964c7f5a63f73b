import type { FileSystem } from '../../../hdfs/index.js';

/**
 * Random access to one file through the tsflink FileSystem: every `read` is one ranged read
 * (`FileSystem.open(path, { offset, length })`), so `hdfs://` files are never downloaded whole.
 */
export interface RandomAccessInput {
  readonly path: string;
  /** File length in bytes. */
  readonly length: number;
  /** Exactly `length` bytes from `offset` (fewer only at the end of the file). */
  read(offset: number, length: number): Promise<Buffer>;
}

/** The part of a file a bulk reader reads: the byte range [start, end) of a file of `fileLength` bytes. */
export interface BulkFormatSplit { path: string; start: number; end: number; fileLength: number }

/** Reads one split in batches (Flink's BulkFormat.Reader). */
export interface BulkFormatReader<T> {
  /** The next batch of records, or null at the end of the split. */
  readBatch(): Promise<T[] | null>;
  close(): Promise<void>;
}

/**
 * A format that needs random access to whole files, such as Parquet (Flink's BulkFormat). A
 * splittable bulk format decides itself which records belong to the byte range of a split (for
 * Parquet: the row groups starting in it); a non-splittable one gets each file as one split.
 */
export interface BulkFormat<T> {
  readonly splittable: boolean;
  createReader(input: RandomAccessInput, split: BulkFormatSplit): Promise<BulkFormatReader<T>>;
}

/** RandomAccessInput over `fs`: one ranged read per call, bytes collected into one Buffer. */
export function randomAccessInput(fs: FileSystem, path: string, length: number): RandomAccessInput {
  return {
    path,
    length,
    async read(offset: number, len: number): Promise<Buffer> {
      const n = Math.max(0, Math.min(len, length - offset));
      if (n === 0) return Buffer.alloc(0);
      const s = await fs.open(path, { offset, length: n });
      const chunks: Buffer[] = [];
      let got = 0;
      try {
        for await (const c of s as AsyncIterable<Buffer>) { chunks.push(c); got += c.length; }
      } finally { s.destroy(); }
      if (got < n) throw new Error(`short read of ${path}: wanted ${n} bytes at ${offset}, got ${got} (file changed while reading?)`);
      const b = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, got);
      return got > n ? b.subarray(0, n) : b;
    },
  };
}
