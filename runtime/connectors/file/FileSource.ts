import type { Source, SourceReaderContext, SplitEnumerator, SplitEnumeratorContext } from '../../api/connector/Source.js';
import type { Boundedness } from '../../api/connector/Boundedness.js';
import { FetchingSourceReader } from '../source/FetchingSourceReader.js';
import type { StreamFormat } from './StreamFormat.js';
import { type BulkFormat, randomAccessInput } from './BulkFormat.js';
import { getFileSystem, type FileStatus } from '../../../hdfs/index.js';

export interface FileSourceSplit { splitId: string; path: string; start: number; end: number; fileLength: number }

const MIN_SPLIT = 64 * 1024;
const MAX_SPLIT = 128 * 1024 * 1024;

/** A stream (record) format or a bulk format; bulk formats have `createReader`. */
export type FileFormat<T> = StreamFormat<T> | BulkFormat<T>;

function isBulk<T>(f: FileFormat<T>): f is BulkFormat<T> {
  return typeof (f as Partial<BulkFormat<T>>).createReader === 'function';
}

/**
 * Reads files and directories (file://, plain paths, hdfs://) with a record format, splitting
 * files by byte ranges across readers; bounded unless monitoring continuously (Flink's FileSource).
 */
/** The enumerator's checkpoint (Flink's PendingSplitsCheckpoint): splits not yet assigned, and the paths already turned into splits. */
export interface FileEnumeratorCheckpoint { remaining: FileSourceSplit[]; processedPaths: string[]; nextSplitId: number }

export class FileSource<T> implements Source<T, FileSourceSplit, FileEnumeratorCheckpoint> {
  readonly name = 'FileSource';
  constructor(readonly paths: string[], readonly format: FileFormat<T>, readonly monitorIntervalMs: number | null, readonly splitSize: number | null) {}

  static forRecordStreamFormat<T>(format: StreamFormat<T>, ...paths: string[]): FileSourceBuilder<T> {
    if (paths.length === 0) throw new TypeError('FileSource.forRecordStreamFormat: give at least one path.');
    if (!format || typeof format.read !== 'function') throw new TypeError('FileSource.forRecordStreamFormat: the format must be a StreamFormat (TextLineFormat, CsvFormat, JsonLinesFormat, …).');
    return new FileSourceBuilder<T>(format, paths);
  }

  /** Files of a bulk format, e.g. `FileSource.forBulkFileFormat(ParquetFormat.forRows(), path)`. */
  static forBulkFileFormat<T>(format: BulkFormat<T>, ...paths: string[]): FileSourceBuilder<T> {
    if (paths.length === 0) throw new TypeError('FileSource.forBulkFileFormat: give at least one path.');
    if (!format || !isBulk(format)) throw new TypeError('FileSource.forBulkFileFormat: the format must be a BulkFormat (e.g. ParquetFormat.forRows()).');
    return new FileSourceBuilder<T>(format, paths);
  }

  getBoundedness(): Boundedness { return this.monitorIntervalMs === null ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED'; }

  createReader(ctx: SourceReaderContext): FileSourceReader<T> { return new FileSourceReader<T>(ctx, this.format); }

  createEnumerator(ctx: SplitEnumeratorContext<FileSourceSplit>): FileSplitEnumerator {
    return new FileSplitEnumerator(ctx, this.paths, this.format.splittable, this.monitorIntervalMs, this.splitSize, undefined);
  }
  restoreEnumerator(ctx: SplitEnumeratorContext<FileSourceSplit>, cp: FileEnumeratorCheckpoint): FileSplitEnumerator {
    return new FileSplitEnumerator(ctx, this.paths, this.format.splittable, this.monitorIntervalMs, this.splitSize, cp);
  }
}

export class FileSourceBuilder<T> {
  private monitor: number | null = null;
  private splitSize: number | null = null;
  constructor(private readonly format: FileFormat<T>, private readonly paths: string[]) {}
  /** Keep watching the paths for new files (unbounded). */
  monitorContinuously(intervalMs: number): this {
    if (!(intervalMs > 0)) throw new RangeError(`monitorContinuously(${intervalMs}): the interval must be positive.`);
    this.monitor = intervalMs;
    return this;
  }
  /** Target size of a file split in bytes (default: spread the input over the readers, 64 KiB..128 MiB). */
  setSplitSize(bytes: number): this { this.splitSize = bytes; return this; }
  build(): FileSource<T> { return new FileSource<T>(this.paths, this.format, this.monitor, this.splitSize); }
}

/** Hidden and underscore files are skipped, as Flink and Hadoop do (_SUCCESS, .crc, in-progress files). */
function visible(p: string): boolean {
  const base = p.slice(p.lastIndexOf('/') + 1);
  return !base.startsWith('.') && !base.startsWith('_');
}

async function listFiles(path: string): Promise<FileStatus[]> {
  const fs = getFileSystem(path);
  const st = await fs.getFileStatus(path);
  if (!st.isDirectory) return [st];
  const out: FileStatus[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const s of await fs.listStatus(dir)) {
      if (!visible(s.path)) continue;
      if (s.isDirectory) await walk(s.path); else out.push(s);
    }
  };
  await walk(path);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export class FileSplitEnumerator implements SplitEnumerator<FileSourceSplit, FileEnumeratorCheckpoint> {
  private readonly remaining: FileSourceSplit[];
  private readonly seen = new Set<string>();
  private readonly waiting: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private nextId = 0;

  constructor(private readonly ctx: SplitEnumeratorContext<FileSourceSplit>, private readonly paths: string[], private readonly splittable: boolean,
    private readonly monitorIntervalMs: number | null, private readonly splitSize: number | null, private readonly restored: FileEnumeratorCheckpoint | undefined) {
    this.remaining = [...(restored?.remaining ?? [])];
    for (const p of restored?.processedPaths ?? []) this.seen.add(p);
    this.nextId = restored?.nextSplitId ?? 0;
  }

  async start(): Promise<void> {
    // Restored: files already split stay done (their splits are with the readers or in `remaining`).
    if (this.restored === undefined) await this.discover(true);
    if (this.monitorIntervalMs !== null) {
      this.timer = setInterval(() => { void this.discover(false).then(() => this.serveWaiting()).catch(() => { /* retried next interval */ }); }, this.monitorIntervalMs);
    }
  }

  private async discover(initial: boolean): Promise<void> {
    const files: FileStatus[] = [];
    for (const p of this.paths) {
      try { files.push(...await listFiles(p)); } catch (e) {
        if (!initial) continue;
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(`FileSource: cannot read input path '${p}': ${msg}`);
      }
    }
    const fresh = files.filter((f) => !this.seen.has(f.path));
    for (const f of fresh) this.seen.add(f.path);
    const total = fresh.reduce((a, f) => a + f.length, 0);
    const target = this.splitSize ?? Math.min(MAX_SPLIT, Math.max(MIN_SPLIT, Math.ceil(total / Math.max(1, this.ctx.currentParallelism()))));
    for (const f of fresh) {
      if (!this.splittable || f.length <= target) {
        this.remaining.push({ splitId: String(this.nextId++), path: f.path, start: 0, end: Math.max(f.length, 1), fileLength: f.length });
        continue;
      }
      for (let s = 0; s < f.length; s += target) {
        this.remaining.push({ splitId: String(this.nextId++), path: f.path, start: s, end: Math.min(f.length, s + target), fileLength: f.length });
      }
    }
  }

  handleSplitRequest(subtask: number): void {
    const s = this.remaining.shift();
    if (s) { this.ctx.assignSplit(s, subtask); return; }
    if (this.monitorIntervalMs === null) this.ctx.signalNoMoreSplits(subtask);
    else if (!this.waiting.includes(subtask)) this.waiting.push(subtask);
  }

  private serveWaiting(): void {
    while (this.waiting.length > 0 && this.remaining.length > 0) this.ctx.assignSplit(this.remaining.shift()!, this.waiting.shift()!);
  }

  addSplitsBack(splits: FileSourceSplit[]): void { this.remaining.push(...splits); }
  addReader(): void {}
  snapshotState(): FileEnumeratorCheckpoint { return { remaining: [...this.remaining], processedPaths: [...this.seen], nextSplitId: this.nextId }; }
  close(): void { if (this.timer) clearInterval(this.timer); }
}

export class FileSourceReader<T> extends FetchingSourceReader<T, FileSourceSplit> {
  constructor(ctx: SourceReaderContext, private readonly format: FileFormat<T>) { super(ctx); }
  private rejected: { inc(n?: number): void } | undefined;
  protected async readSplit(split: FileSourceSplit, emit: (batch: T[]) => Promise<void>): Promise<void> {
    if (split.fileLength === 0) return;
    const fs = getFileSystem(split.path);
    try {
      const format = this.format;
      if (isBulk(format)) {
        const reader = await format.createReader(randomAccessInput(fs, split.path, split.fileLength),
          { path: split.path, start: split.start, end: split.end, fileLength: split.fileLength });
        try {
          for (let b = await reader.readBatch(); b !== null; b = await reader.readBatch()) await emit(b);
        } finally { await reader.close(); }
        return;
      }
      const openedAt = split.start > 0 ? split.start - 1 : 0;
      const stream = await fs.open(split.path, { offset: openedAt });
      this.rejected ??= this.ctx.metricGroup().counter('numRecordsRejected');
      await format.read(stream, { path: split.path, start: split.start, end: split.end, openedAt }, emit, { rejectedRecords: this.rejected });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(`FileSource: failed reading '${split.path}' [${split.start}, ${split.end}): ${msg}`, { cause: e });
    }
  }
}
