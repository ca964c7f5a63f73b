import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Sink, CommittingSinkWriter, StatefulSinkWriter, Committer, WriterInitContext, SinkWriterContext } from '../../api/connector/Sink.js';
import { type RowEncoder, resolveEncoder } from './SimpleStringEncoder.js';
import { getFileSystem, closeOutput, FileAlreadyExistsError, FileNotFoundError, type FileSystem } from '../../../hdfs/index.js';
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

export interface RollingPolicy {
  maxPartSize: number;
  rolloverInterval: number;
  inactivityInterval: number;
  /** Roll every in-progress file on each checkpoint (OnCheckpointRollingPolicy); else they stay open across checkpoints. */
  rollOnCheckpoint?: boolean;
}
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
export const OnCheckpointRollingPolicy = {
  build(): RollingPolicy { return { maxPartSize: Infinity, rolloverInterval: Infinity, inactivityInterval: Infinity, rollOnCheckpoint: true }; },
};

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
 * Exactly-once with checkpoints (Flink's two-phase commit): on a checkpoint rolled files become
 * committables, committed when the checkpoint completes; a row file that does not roll stays in
 * progress and its path and durable length go into the writer state, so a restored writer
 * truncates it back and continues. In BATCH (and without checkpointing) commits at the end.
 * Bulk formats roll only on checkpoints and at the end of input (OnCheckpointRollingPolicy).
 */
export class FileSink<T> implements Sink<T, FileSinkCommittable, FileWriterBucketState> {
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
  /** A writer continuing from checkpointed state: in-progress files truncated to their checkpointed length. */
  async restoreWriter(ctx: WriterInitContext, recoveredState: FileWriterBucketState[]): Promise<FileSinkWriter<T>> {
    const w = this.createWriter(ctx);
    await w.restore(recoveredState);
    return w;
  }
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
export class BulkFormatBuilder<T> implements Sink<T, FileSinkCommittable, FileWriterBucketState> {
  readonly name = 'FileSink';
  private assigner: BucketAssigner<T> = new DateTimeBucketAssigner<T>();
  private fileConfig: OutputFileConfig = { partPrefix: 'part', partSuffix: '' };
  constructor(private readonly basePath: string, private readonly factory: BulkWriterFactory<T>) {}
  withBucketAssigner(a: BucketAssigner<T>): this { this.assigner = a; return this; }
  withOutputFileConfig(c: OutputFileConfig): this { this.fileConfig = c; return this; }
  build(): FileSink<T> { return new FileSink<T>(this.basePath, this.factory, this.assigner, OnCheckpointRollingPolicy.build(), this.fileConfig); }
  createWriter(ctx: WriterInitContext): FileSinkWriter<T> { return this.build().createWriter(ctx); }
  createCommitter(): Committer<FileSinkCommittable> { return this.build().createCommitter(); }
  restoreWriter(ctx: WriterInitContext, recoveredState: FileWriterBucketState[]): Promise<FileSinkWriter<T>> { return this.build().restoreWriter(ctx, recoveredState); }
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

function toError(e: unknown): Error { return e instanceof Error ? e : new Error(String(e)); }

/** Whether two files hold the same bytes (streamed: part files can be large). */
async function sameBytes(fs: FileSystem, a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([fs.getFileStatus(a), fs.getFileStatus(b)]);
  if (sa.length !== sb.length) return false;
  const ra = (await fs.open(a))[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const rb = (await fs.open(b))[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let ba = Buffer.alloc(0);
  let bb = Buffer.alloc(0);
  try {
    for (;;) {
      if (ba.length === 0) { const n = await ra.next(); if (!n.done) ba = Buffer.from(n.value); }
      if (bb.length === 0) { const n = await rb.next(); if (!n.done) bb = Buffer.from(n.value); }
      if (ba.length === 0 || bb.length === 0) return ba.length === bb.length;
      const k = Math.min(ba.length, bb.length);
      if (!ba.subarray(0, k).equals(bb.subarray(0, k))) return false;
      ba = ba.subarray(k);
      bb = bb.subarray(k);
    }
  } finally {
    await ra.return?.();
    await rb.return?.();
  }
}

/** One output stream of a row part file: the first one creates the file, later ones append to it. */
interface Segment { stream: Writable | null; queued: string[]; ready: Promise<void> }

/**
 * One open row-format part file. Opening is async, so writes queue until the stream is there.
 * persist() ends the current stream (all bytes so far durable: Flink's
 * RecoverableFsDataOutputStream.persist) and the next write appends in a new stream, so the file
 * stays in progress across checkpoints; a restored writer truncates it to the persisted length.
 */
class InProgressPart<T> implements PartFile<T> {
  private seg: Segment | null = null;
  /** Settles once the previous segment is closed (never rejects; failures land in `error`). */
  private tail: Promise<void> = Promise.resolve();
  error: Error | null = null;
  lastWrite = Date.now();
  size: number;
  /** `resumedAt` set: the file exists with that many (durable) bytes and the first write appends. */
  constructor(private readonly fs: FileSystem, readonly pendingPath: string, readonly finalPath: string, private readonly encoder: (v: T) => string,
    readonly created = Date.now(), resumedAt?: number) {
    this.size = resumedAt ?? 0;
    if (resumedAt === undefined) this.seg = this.openSegment(() => fs.create(pendingPath, { overwrite: true }));
  }

  private openSegment(open: () => Promise<Writable>): Segment {
    const seg: Segment = { stream: null, queued: [], ready: Promise.resolve() };
    seg.ready = this.tail.then(() => {
      if (this.error) throw this.error;
      return open();
    }).then((s) => {
      seg.stream = s;
      s.on('error', (e: Error) => { this.error ??= e; });
      for (const q of seg.queued) s.write(q);
      seg.queued = [];
    }).catch((e: unknown) => { this.error ??= toError(e); });
    return seg;
  }

  write(element: T): void {
    const s = this.encoder(element) + '\n';
    if (this.error) throw new Error(`FileSink: writing ${this.pendingPath} failed: ${this.error.message}`, { cause: this.error });
    this.size += Buffer.byteLength(s);
    this.lastWrite = Date.now();
    const seg = this.seg ??= this.openSegment(() => this.fs.append(this.pendingPath));
    if (seg.stream) seg.stream.write(s); else seg.queued.push(s);
  }

  /** Makes every byte written so far durable and resolves with that length. Writes may go on meanwhile. */
  async persist(): Promise<number> {
    const length = this.size;
    const seg = this.seg;
    this.seg = null;
    if (seg) {
      this.tail = seg.ready.then(async () => {
        if (!this.error && seg.stream) await closeOutput(seg.stream);
      }).catch((e: unknown) => { this.error ??= toError(e); });
    }
    await this.tail;
    if (this.error) throw new Error(`FileSink: cannot write ${this.pendingPath}: ${this.error.message}`, { cause: this.error });
    return length;
  }

  async close(): Promise<void> { await this.persist(); }
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
    }).catch((e: unknown) => { this.error ??= toError(e); });
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

/**
 * Writer state of one bucket (Flink's FileWriterBucketState) with the writer's part counter.
 * Plain data: it is stored in operator state.
 */
export interface FileWriterBucketState {
  /** The writer's next part number, so a restored writer never reuses a part name. */
  partCounter: number;
  /** null: an entry that only carries the counter (no bucket had an open file). */
  bucketId: string | null;
  /** The bucket's in-progress row file as persisted at the checkpoint (Flink's ResumeRecoverable: path + length). */
  inProgress: { pendingPath: string; finalPath: string; length: number; creationTime: number } | null;
}

interface RolledPart<T> { part: PartFile<T>; closed: Promise<void> }

export class FileSinkWriter<T> implements CommittingSinkWriter<T, FileSinkCommittable>, StatefulSinkWriter<T, FileWriterBucketState> {
  private readonly open = new Map<string, PartFile<T>>();
  /** Rolled part files (closing already); the next prepareCommit hands them out as committables. */
  private readonly rolled: RolledPart<T>[] = [];
  private counter = 0;
  private writes = 0;
  private endOfInput = false;
  /**
   * Flink: a row-format in-progress file survives a checkpoint as a resumable recoverable unless
   * the policy rolls on checkpoints; bulk files always roll (their trailer makes them complete).
   * A file system without truncate cannot cut a resumed file back to the checkpoint, so there the
   * writer rolls on every checkpoint too (Flink's HadoopRecoverableWriter refuses a Hadoop without truncate).
   */
  private readonly resumable: boolean;
  constructor(private readonly fs: FileSystem, private readonly basePath: string, private readonly encoder: PartFileEncoding<T>,
    private readonly assigner: BucketAssigner<T>, private readonly rolling: RollingPolicy, private readonly cfg: OutputFileConfig, private readonly subtask: number) {
    this.resumable = typeof encoder === 'function' && rolling.rollOnCheckpoint !== true && typeof fs.truncate === 'function';
  }

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
    return part;
  }

  /** Starts closing right away (frees the stream); prepareCommit awaits it. */
  private roll(bucket: string, part: PartFile<T>): void {
    this.open.delete(bucket);
    const closed = part.close();
    closed.catch(() => undefined); // awaited (and reported) in prepareCommit
    this.rolled.push({ part, closed });
  }

  private rollByTime(): void {
    const now = Date.now();
    for (const [b, p] of this.open) {
      if (now - p.created >= this.rolling.rolloverInterval || now - p.lastWrite >= this.rolling.inactivityInterval) this.roll(b, p);
    }
  }

  flush(endOfInput: boolean): void {
    if (endOfInput) this.endOfInput = true;
  }

  /**
   * Closes the part files that roll now and returns them as committables: at the end of input all
   * of them; on a checkpoint the rolled ones and, unless in-progress files are resumable, all.
   */
  async prepareCommit(): Promise<FileSinkCommittable[]> {
    this.rollByTime();
    // Flink's DefaultRollingPolicy.shouldRollOnCheckpoint: only a file past the size limit.
    for (const [b, p] of this.open) if (this.endOfInput || !this.resumable || p.size > this.rolling.maxPartSize) this.roll(b, p);
    const parts = this.rolled.splice(0);
    await Promise.all(parts.map((r) => r.closed));
    return parts.map(({ part }) => ({ pendingPath: part.pendingPath, finalPath: part.finalPath }));
  }

  /** After prepareCommit: persists the files still in progress (Flink's FileWriter.snapshotState). */
  async snapshotState(_checkpointId: number): Promise<FileWriterBucketState[]> {
    const open = [...this.open];
    const counter = this.counter;
    const states = await Promise.all(open.map(async ([bucketId, part]): Promise<FileWriterBucketState> => {
      if (!(part instanceof InProgressPart)) {
        throw new Error(`FileSink: ${part.pendingPath} is still open at the checkpoint; snapshotState must follow prepareCommit (bulk files roll on every checkpoint).`);
      }
      const p = part as InProgressPart<T>;
      const length = await p.persist();
      return { partCounter: counter, bucketId, inProgress: { pendingPath: p.pendingPath, finalPath: p.finalPath, length, creationTime: p.created } };
    }));
    return states.length > 0 ? states : [{ partCounter: counter, bucketId: null, inProgress: null }];
  }

  /**
   * Continues from checkpointed bucket states (several after a rescale): the part counter is the
   * highest one, and each in-progress file is cut back to its checkpointed length, dropping what
   * was written after the checkpoint (those records are replayed). In-progress files created
   * after the checkpoint are not in the state and stay behind hidden, as in Flink.
   */
  async restore(states: readonly FileWriterBucketState[]): Promise<void> {
    for (const s of states) this.counter = Math.max(this.counter, s.partCounter);
    for (const s of states) {
      const ip = s.inProgress;
      if (!ip) continue;
      const enc = this.encoder;
      const truncate = this.fs.truncate?.bind(this.fs);
      if (typeof enc !== 'function' || !truncate) {
        throw new Error(`FileSink: cannot resume in-progress part file ${ip.pendingPath}: ${typeof enc !== 'function' ? 'the sink now has a bulk format' : `the ${this.fs.scheme} file system cannot truncate`}.`);
      }
      try {
        await truncate(ip.pendingPath, ip.length);
      } catch (e) {
        throw new Error(`FileSink: cannot resume in-progress part file ${ip.pendingPath} at ${ip.length} bytes from checkpoint state: ${toError(e).message}`, { cause: e });
      }
      const part = new InProgressPart<T>(this.fs, ip.pendingPath, ip.finalPath, enc, ip.creationTime, ip.length);
      const bucket = s.bucketId ?? '';
      // A second file of the same bucket (rescale) or a policy that now rolls on checkpoints: complete it, commit with the next checkpoint.
      if (this.open.has(bucket) || !this.resumable) this.rolled.push({ part, closed: Promise.resolve() });
      else this.open.set(bucket, part);
    }
  }

  async close(): Promise<void> {
    // A failed or canceled writer leaves no visible output; its in-progress files stay hidden.
    for (const p of this.open.values()) { try { await p.abort(); } catch { /* best effort */ } }
    for (const r of this.rolled) { try { await r.closed; } catch { /* best effort */ } }
    this.open.clear();
    this.rolled.length = 0;
  }
}

/**
 * Renames pending files to their final names. Idempotent, since a restored job commits again what
 * the failed one may already have committed: a file already renamed is success.
 */
export class FileCommitter implements Committer<FileSinkCommittable> {
  constructor(private readonly fs: FileSystem) {}
  async commit(committables: FileSinkCommittable[]): Promise<void> {
    for (const c of committables) {
      if (await this.fs.exists(c.pendingPath)) {
        try {
          await this.fs.rename(c.pendingPath, c.finalPath);
        } catch (e) {
          if (!(await this.alreadyCommitted(c, e))) throw e;
        }
      } else if (!(await this.fs.exists(c.finalPath))) {
        throw new Error(`FileSink: cannot commit ${c.finalPath}: neither it nor its pending file ${c.pendingPath} exists.`);
      }
    }
  }

  /**
   * A rename that failed because an earlier attempt got (partly) through: renamed meanwhile, or —
   * the local file system renames by link + unlink — a crash between left both names of one file.
   * Only a final file with the same bytes counts; anything else is a real name clash.
   */
  private async alreadyCommitted(c: FileSinkCommittable, e: unknown): Promise<boolean> {
    if (e instanceof FileNotFoundError) return !(await this.fs.exists(c.pendingPath)) && this.fs.exists(c.finalPath);
    if (!(e instanceof FileAlreadyExistsError)) return false;
    if (!(await sameBytes(this.fs, c.pendingPath, c.finalPath))) {
      throw new Error(`FileSink: cannot commit ${c.pendingPath}: a different file ${c.finalPath} exists already.`, { cause: e });
    }
    await this.fs.delete(c.pendingPath, false);
    return true;
  }
  close(): void {}
}
