import type { Source, SourceReaderContext, SplitEnumerator, SplitEnumeratorContext } from '../../api/connector/Source.js';
import type { Boundedness } from '../../api/connector/Boundedness.js';
import { FetchingSourceReader } from '../source/FetchingSourceReader.js';
import type { SplitRecordCounts, StreamFormat } from './StreamFormat.js';
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
/**
 * The enumerator's checkpoint (Flink's PendingSplitsCheckpoint): splits not yet assigned, the paths
 * already turned into splits, and (with a maxRejectedFraction) the counts of the splits read so far.
 */
export interface FileEnumeratorCheckpoint { remaining: FileSourceSplit[]; processedPaths: string[]; nextSplitId: number; splitRecords?: FileSplitRecordsEvent[] }

/** A reader's report of a finished split to the enumerator (only with a format's maxRejectedFraction). */
export interface FileSplitRecordsEvent extends SplitRecordCounts { type: 'FileSplitRecords'; splitId: string }

/** The format's job-wide bad-record threshold, if it has one (bulk formats have none). */
function rejectThreshold<T>(f: FileFormat<T>): number | undefined {
  return isBulk(f) ? undefined : f.maxRejectedFraction;
}

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
    return new FileSplitEnumerator(ctx, this.paths, this.format.splittable, this.monitorIntervalMs, this.splitSize, undefined, rejectThreshold(this.format));
  }
  restoreEnumerator(ctx: SplitEnumeratorContext<FileSourceSplit>, cp: FileEnumeratorCheckpoint): FileSplitEnumerator {
    return new FileSplitEnumerator(ctx, this.paths, this.format.splittable, this.monitorIntervalMs, this.splitSize, cp, rejectThreshold(this.format));
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
  /** With a maxRejectedFraction: each finished split's counts, by split id (a split read again overwrites its own). */
  private readonly counts = new Map<string, FileSplitRecordsEvent>();
  /** Bounded, with a maxRejectedFraction: readers that asked for more after the last split, told "no more" only once all counts passed. */
  private readonly held: number[] = [];
  private passed = false;

  constructor(private readonly ctx: SplitEnumeratorContext<FileSourceSplit>, private readonly paths: string[], private readonly splittable: boolean,
    private readonly monitorIntervalMs: number | null, private readonly splitSize: number | null, private readonly restored: FileEnumeratorCheckpoint | undefined,
    private readonly maxRejectedFraction?: number) {
    this.remaining = [...(restored?.remaining ?? [])];
    for (const p of restored?.processedPaths ?? []) this.seen.add(p);
    this.nextId = restored?.nextSplitId ?? 0;
    for (const c of restored?.splitRecords ?? []) this.counts.set(c.splitId, c);
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
    if (this.monitorIntervalMs !== null) { if (!this.waiting.includes(subtask)) this.waiting.push(subtask); return; }
    // Bounded with a threshold: the end of input waits for the verdict over all splits, so nothing
    // downstream of this source (BATCH: no later stage at all) finishes on input that fails it.
    if (this.maxRejectedFraction !== undefined && !this.passed && !this.allCounted()) { if (!this.held.includes(subtask)) this.held.push(subtask); return; }
    this.ctx.signalNoMoreSplits(subtask);
  }

  /** A reader's counts of a finished split: the job-wide maxRejectedFraction is decided here. */
  handleSourceEvent(_subtask: number, event: unknown): void {
    const e = event as Partial<FileSplitRecordsEvent> | null;
    if (this.maxRejectedFraction === undefined || e?.type !== 'FileSplitRecords' || typeof e.splitId !== 'string') return;
    this.counts.set(e.splitId, e as FileSplitRecordsEvent);
    if (this.monitorIntervalMs !== null) { this.check(); return; }
    if (!this.allCounted()) return;
    this.check();
    this.passed = true;
    for (const subtask of this.held.splice(0)) this.ctx.signalNoMoreSplits(subtask);
  }

  private allCounted(): boolean { return this.remaining.length === 0 && this.counts.size >= this.nextId; }

  private totals(): { read: number; rejected: number } {
    let read = 0;
    let rejected = 0;
    for (const c of this.counts.values()) { read += c.read; rejected += c.rejected; }
    return { read, rejected };
  }

  /** Throws (failing the job through the coordinator) when too many records were rejected. */
  private check(): void {
    const { read, rejected } = this.totals();
    const total = read + rejected;
    const limit = this.maxRejectedFraction!;
    if (total === 0 || rejected / total <= limit) return;
    const withRejects = [...this.counts.values()].filter((c) => c.rejected > 0).sort((a, b) => Number(a.splitId) - Number(b.splitId));
    const first = withRejects[0]?.first;
    const files = [...new Set(withRejects.map((c) => c.rejectsFile).filter((f): f is string => f !== undefined))];
    const dir = files.length > 0 ? files[0]!.slice(0, files[0]!.lastIndexOf('/')) : undefined;
    throw new Error(`FileSource: ${rejected} of ${total} records read from ${this.paths.join(', ')} could not be parsed by ${withRejects[0]?.format ?? 'the format'} ` +
      `(${(100 * rejected / total).toFixed(2)} %), more than maxRejectedFraction ${limit}` +
      `${dir ? `; rejects in ${dir} (${files.length} file(s))` : ''}${first ? `; first: ${first.file} line ${first.line}: ${first.reason}` : ''}. ` +
      'Fix the input, or raise maxRejectedFraction in withRejects({ dir, maxRejectedFraction }).');
  }

  private serveWaiting(): void {
    while (this.waiting.length > 0 && this.remaining.length > 0) this.ctx.assignSplit(this.remaining.shift()!, this.waiting.shift()!);
  }

  addSplitsBack(splits: FileSourceSplit[], subtask: number): void {
    this.remaining.push(...splits);
    const i = this.held.indexOf(subtask);
    if (i >= 0) this.held.splice(i, 1); // its next attempt asks again
  }
  addReader(): void {}
  snapshotState(): FileEnumeratorCheckpoint {
    const cp: FileEnumeratorCheckpoint = { remaining: [...this.remaining], processedPaths: [...this.seen], nextSplitId: this.nextId };
    if (this.maxRejectedFraction !== undefined) cp.splitRecords = [...this.counts.values()];
    return cp;
  }
  close(): void { if (this.timer) clearInterval(this.timer); }
}

export class FileSourceReader<T> extends FetchingSourceReader<T, FileSourceSplit> {
  constructor(ctx: SourceReaderContext, private readonly format: FileFormat<T>) { super(ctx); }
  private rejected: { inc(n?: number): void } | undefined;
  protected async readSplit(split: FileSourceSplit, emit: (batch: T[]) => Promise<void>): Promise<void> {
    const counted = rejectThreshold(this.format) !== undefined;
    if (split.fileLength === 0) { if (counted) this.report(split, { format: 'FileSource', read: 0, rejected: 0 }); return; }
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
      await format.read(stream, { path: split.path, start: split.start, end: split.end, openedAt }, emit,
        counted ? { rejectedRecords: this.rejected, splitCounts: (c) => this.report(split, c) } : { rejectedRecords: this.rejected });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(`FileSource: failed reading '${split.path}' [${split.start}, ${split.end}): ${msg}`, { cause: e });
    }
  }

  /** Sent before the reader asks for its next split, so the enumerator has every count when the splits run out. */
  private report(split: FileSourceSplit, c: SplitRecordCounts): void {
    this.ctx.sendSourceEventToCoordinator({ type: 'FileSplitRecords', splitId: split.splitId, ...c } satisfies FileSplitRecordsEvent);
  }
}
