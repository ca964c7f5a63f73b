import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Sink, CommittingSinkWriter, Committer, WriterInitContext, SinkWriterContext } from '../../api/connector/Sink.js';
import { type RowEncoder, resolveEncoder } from './SimpleStringEncoder.js';
import { getFileSystem, closeOutput, type FileSystem } from '../../../hdfs/index.js';
import type { BulkWriter, BulkWriterFactory } from './BulkWriter.js';

/** Chooses the bucket (sub-directory) of a record. */
export interface BucketAssigner<T> { getBucketId(element: T, ctx: { currentProcessingTime(): number; timestamp(): number | null }): string }

/** Flink's default: processing-time buckets 'yyyy-MM-dd--HH' (UTC here, so every process agrees). */
export class DateTimeBucketAssigner<T> implements BucketAssigner<T> {
  constructor(private readonly format = 'yyyy-MM-dd--HH') {}
  getBucketId(_e: T, ctx: { currentProcessingTime(): number }): string {
    const d = new Date(ctx.currentProcessingTime());
    const p = (n: number): string => String(n).padStart(2, '0');
    return this.format.replace('yyyy', String(d.getUTCFullYear())).replace('MM', p(d.getUTCMonth() + 1)).replace('dd', p(d.getUTCDate()))
      .replace('HH', p(d.getUTCHours())).replace('mm', p(d.getUTCMinutes()));
  }
}
/** Everything in the base path. */
export class BasePathBucketAssigner<T> implements BucketAssigner<T> { getBucketId(): string { return ''; } }

export interface RollingPolicy { maxPartSize: number; rolloverInterval: number; inactivityInterval: number }
export class DefaultRollingPolicy {
  static builder(): DefaultRollingPolicyBuilder { return new DefaultRollingPolicyBuilder(); }
}
export class DefaultRollingPolicyBuilder {
  private p: RollingPolicy = { maxPartSize: 128 * 1024 * 1024, rolloverInterval: 60_000, inactivityInterval: 60_000 };
  withMaxPartSize(bytes: number): this { this.p.maxPartSize = bytes; return this; }
  withRolloverInterval(ms: number): this { this.p.rolloverInterval = ms; return this; }
  withInactivityInterval(ms: number): this { this.p.inactivityInterval = ms; return this; }
  build(): RollingPolicy { return { ...this.p }; }
}
/** Part files are rolled only on checkpoints (and at the end of input). */
export const OnCheckpointRollingPolicy = { build(): RollingPolicy { return { maxPartSize: Infinity, rolloverInterval: Infinity, inactivityInterval: Infinity }; } };

export interface OutputFileConfig { partPrefix: string; partSuffix: string }
export interface OutputFileConfigBuilder { withPartPrefix(p: string): OutputFileConfigBuilder; withPartSuffix(s: string): OutputFileConfigBuilder; build(): OutputFileConfig }
export const OutputFileConfig = {
  builder(): OutputFileConfigBuilder {
    const c: OutputFileConfig = { partPrefix: 'part', partSuffix: '' };
    const b: OutputFileConfigBuilder = { withPartPrefix(p: string) { c.partPrefix = p; return b; }, withPartSuffix(s: string) { c.partSuffix = s; return b; }, build: () => ({ ...c }) };
    return b;
  },
};

/** A part file ready to become visible: its hidden in-progress name and its final name. */
export interface FileSinkCommittable { pendingPath: string; finalPath: string }

/** How records become bytes: a row encoder (one line per record) or a bulk writer factory (e.g. Parquet). */
export type PartFileEncoding<T> = ((v: T) => string) | BulkWriterFactory<T>;

/**
 * File sink (row or bulk format): records go to hidden in-progress part files per bucket and
 * subtask; rolled files are pending; committing renames them to `part-<subtask>-<n>` atomically.
 * Exactly-once with checkpoints; in BATCH (and at the end of a bounded job) commits at the end.
 * Bulk formats roll only on checkpoints and at the end of input (OnCheckpointRollingPolicy).
 */
export class FileSink<T> implements Sink<T, FileSinkCommittable> {
  readonly name = 'FileSink';
  constructor(readonly basePath: string, private readonly encoder: PartFileEncoding<T>, private readonly bucketAssigner: BucketAssigner<T>,
    private readonly rolling: RollingPolicy, private readonly fileConfig: OutputFileConfig) {}

  static forRowFormat<T>(basePath: string, encoder: RowEncoder<T>): RowFormatBuilder<T> {
    if (typeof basePath !== 'string' || basePath.length === 0) throw new TypeError('FileSink.forRowFormat: the base path must be a non-empty string.');
    return new RowFormatBuilder<T>(basePath, resolveEncoder(encoder));
  }

  /** Bulk-format sink, e.g. `FileSink.forBulkFormat(path, ParquetWriters.forRows(schema)).build()`. */
  static forBulkFormat<T>(basePath: string, writerFactory: BulkWriterFactory<T>): BulkFormatBuilder<T> {
    if (typeof basePath !== 'string' || basePath.length === 0) throw new TypeError('FileSink.forBulkFormat: the base path must be a non-empty string.');
    if (!writerFactory || typeof writerFactory.create !== 'function') {
      throw new TypeError('FileSink.forBulkFormat: the second argument must be a BulkWriterFactory (e.g. ParquetWriters.forRows(schema)).');
    }
    return new BulkFormatBuilder<T>(basePath, writerFactory);
  }

  createWriter(ctx: WriterInitContext): FileSinkWriter<T> {
    return new FileSinkWriter<T>(getFileSystem(this.basePath), this.basePath, this.encoder, this.bucketAssigner, this.rolling, this.fileConfig, ctx.getTaskInfo().indexOfThisSubtask);
  }
  createCommitter(): Committer<FileSinkCommittable> { return new FileCommitter(getFileSystem(this.basePath)); }
}

export class RowFormatBuilder<T> {
  private assigner: BucketAssigner<T> = new DateTimeBucketAssigner<T>();
  private rolling: RollingPolicy = DefaultRollingPolicy.builder().build();
  private fileConfig: OutputFileConfig = { partPrefix: 'part', partSuffix: '' };
  constructor(private readonly basePath: string, private readonly encoder: (v: T) => string) {}
  withBucketAssigner(a: BucketAssigner<T>): this { this.assigner = a; return this; }
  withRollingPolicy(p: RollingPolicy): this { this.rolling = p; return this; }
  withOutputFileConfig(c: OutputFileConfig): this { this.fileConfig = c; return this; }
  build(): FileSink<T> { return new FileSink<T>(this.basePath, this.encoder, this.assigner, this.rolling, this.fileConfig); }
}

/**
 * Builder of a bulk-format FileSink; part files roll on checkpoints and at the end of input only.
 * It is a Sink itself (API.md §6 writes `FileSink.forBulkFormat(path, factory)` without build()).
 */
export class BulkFormatBuilder<T> implements Sink<T, FileSinkCommittable> {
  readonly name = 'FileSink';
  private assigner: BucketAssigner<T> = new DateTimeBucketAssigner<T>();
  private fileConfig: OutputFileConfig = { partPrefix: 'part', partSuffix: '' };
  constructor(private readonly basePath: string, private readonly factory: BulkWriterFactory<T>) {}
  withBucketAssigner(a: BucketAssigner<T>): this { this.assigner = a; return this; }
  withOutputFileConfig(c: OutputFileConfig): this { this.fileConfig = c; return this; }
  build(): FileSink<T> { return new FileSink<T>(this.basePath, this.factory, this.assigner, OnCheckpointRollingPolicy.build(), this.fileConfig); }
  createWriter(ctx: WriterInitContext): FileSinkWriter<T> { return this.build().createWriter(ctx); }
  createCommitter(): Committer<FileSinkCommittable> { return this.build().createCommitter(); }
}

function join(base: string, bucket: string, name: string): string {
  const b = base.endsWith('/') ? base.slice(0, -1) : base;
  return bucket ? `${b}/${bucket}/${name}` : `${b}/${name}`;
}

/** One open part file of either kind. */
interface PartFile<T> {
  readonly pendingPath: string;
  readonly finalPath: string;
  readonly size: number;
  readonly created: number;
  readonly lastWrite: number;
  write(element: T): void;
  /** Completes the file (bulk: writes the trailer) and makes its bytes durable. */
  close(): Promise<void>;
  /** Best-effort close of a writer that is being torn down; the file stays hidden. */
  abort(): Promise<void>;
}

/** One open row-format part file: opening is async, writes queue until the stream is there. */
class InProgressPart<T> implements PartFile<T> {
  private stream: Writable | null = null;
  private queued: string[] = [];
  private readonly opening: Promise<void>;
  error: Error | null = null;
  size = 0;
  readonly created = Date.now();
  lastWrite = Date.now();
  constructor(fs: FileSystem, readonly pendingPath: string, readonly finalPath: string, private readonly encoder: (v: T) => string) {
    this.opening = fs.create(pendingPath, { overwrite: true }).then((s) => {
      this.stream = s;
      s.on('error', (e: Error) => { this.error = e; });
      for (const q of this.queued) s.write(q);
      this.queued = [];
    }, (e: unknown) => { this.error = e instanceof Error ? e : new Error(String(e)); });
  }
  write(element: T): void {
    const s = this.encoder(element) + '\n';
    if (this.error) throw new Error(`FileSink: writing ${this.pendingPath} failed: ${this.error.message}`);
    this.size += Buffer.byteLength(s);
    this.lastWrite = Date.now();
    if (this.stream) this.stream.write(s); else this.queued.push(s);
  }
  async close(): Promise<void> {
    await this.opening;
    if (this.error || !this.stream) throw new Error(`FileSink: cannot write ${this.pendingPath}: ${this.error?.message ?? 'not opened'}`);
    await closeOutput(this.stream);
  }
  abort(): Promise<void> { return this.close(); }
}

/**
 * One open bulk-format part file: elements queue until the stream is open, then go to the
 * format's BulkWriter; closing writes the format's trailer before the stream is closed.
 */
class InProgressBulkPart<T> implements PartFile<T> {
  private stream: Writable | null = null;
  private writer: BulkWriter<T> | null = null;
  private queued: T[] = [];
  private readonly opening: Promise<void>;
  error: Error | null = null;
  readonly size = 0; // unknown until finished: bulk files roll on checkpoints only
  readonly created = Date.now();
  lastWrite = Date.now();
  constructor(fs: FileSystem, readonly pendingPath: string, readonly finalPath: string, factory: BulkWriterFactory<T>) {
    this.opening = fs.create(pendingPath, { overwrite: true }).then((s) => {
      this.stream = s;
      s.on('error', (e: Error) => { this.error = e; });
      const w = factory.create(s, pendingPath);
      for (const q of this.queued) w.addElement(q);
      this.queued = [];
      this.writer = w;
    }).catch((e: unknown) => { this.error ??= e instanceof Error ? e : new Error(String(e)); });
  }
  write(element: T): void {
    if (this.error) throw new Error(`FileSink: writing ${this.pendingPath} failed: ${this.error.message}`, { cause: this.error });
    if (this.writer) this.writer.addElement(element); else this.queued.push(element);
  }
  async close(): Promise<void> {
    await this.opening;
    if (this.error || !this.stream || !this.writer) throw new Error(`FileSink: cannot write ${this.pendingPath}: ${this.error?.message ?? 'not opened'}`, { cause: this.error });
    await this.writer.finish();
    await closeOutput(this.stream);
  }
  async abort(): Promise<void> {
    await this.opening;
    // No trailer: an aborted bulk file is incomplete and stays hidden.
    if (this.stream && !this.stream.writableEnded) await closeOutput(this.stream);
  }
}

export class FileSinkWriter<T> implements CommittingSinkWriter<T, FileSinkCommittable> {
  private readonly open = new Map<string, PartFile<T>>();
  private readonly rolled: PartFile<T>[] = [];
  private counter = 0;
  private pending = new Map<string, string>();
  private writes = 0;
  constructor(private readonly fs: FileSystem, private readonly basePath: string, private readonly encoder: PartFileEncoding<T>,
    private readonly assigner: BucketAssigner<T>, private readonly rolling: RollingPolicy, private readonly cfg: OutputFileConfig, private readonly subtask: number) {}

  write(element: T, ctx: SinkWriterContext): void {
    const bucket = this.assigner.getBucketId(element, { currentProcessingTime: () => Date.now(), timestamp: () => ctx.timestamp() });
    let part = this.open.get(bucket);
    if (!part) part = this.newPart(bucket);
    part.write(element);
    if (part.size >= this.rolling.maxPartSize) this.roll(bucket, part);
    if ((++this.writes & 1023) === 0) this.rollByTime();
  }

  private newPart(bucket: string): PartFile<T> {
    const name = `${this.cfg.partPrefix}-${this.subtask}-${this.counter++}${this.cfg.partSuffix}`;
    const pending = join(this.basePath, bucket, `.${name}.inprogress.${randomUUID()}`);
    const final = join(this.basePath, bucket, name);
    const enc = this.encoder;
    const part: PartFile<T> = typeof enc === 'function' ? new InProgressPart<T>(this.fs, pending, final, enc) : new InProgressBulkPart<T>(this.fs, pending, final, enc);
    this.open.set(bucket, part);
    this.pending.set(part.pendingPath, part.finalPath);
    return part;
  }

  private roll(bucket: string, part: PartFile<T>): void {
    this.open.delete(bucket);
    this.rolled.push(part);
  }

  private rollByTime(): void {
    const now = Date.now();
    for (const [b, p] of this.open) {
      if (now - p.created >= this.rolling.rolloverInterval || now - p.lastWrite >= this.rolling.inactivityInterval) this.roll(b, p);
    }
  }

  async flush(): Promise<void> {}

  /** Closes all part files; they become pending committables. */
  async prepareCommit(): Promise<FileSinkCommittable[]> {
    for (const [b, p] of this.open) this.roll(b, p);
    const parts = this.rolled.splice(0);
    await Promise.all(parts.map((p) => p.close()));
    const out = parts.map((p) => ({ pendingPath: p.pendingPath, finalPath: p.finalPath }));
    for (const c of out) this.pending.delete(c.pendingPath);
    return out;
  }

  async close(): Promise<void> {
    // A failed or canceled writer leaves no visible output; its in-progress files stay hidden.
    for (const p of [...this.open.values(), ...this.rolled]) { try { await p.abort(); } catch { /* best effort */ } }
    this.open.clear();
    this.rolled.length = 0;
  }
}

/** Renames pending files to their final names; a file already committed is skipped (idempotent). */
export class FileCommitter implements Committer<FileSinkCommittable> {
  constructor(private readonly fs: FileSystem) {}
  async commit(committables: FileSinkCommittable[]): Promise<void> {
    for (const c of committables) {
      if (await this.fs.exists(c.pendingPath)) await this.fs.rename(c.pendingPath, c.finalPath);
      else if (!(await this.fs.exists(c.finalPath))) throw new Error(`FileSink: cannot commit ${c.finalPath}: neither it nor its pending file ${c.pendingPath} exists.`);
    }
  }
  close(): void {}
}
