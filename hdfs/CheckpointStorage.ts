// Checkpoint storage on any FileSystem (file:// or hdfs://), Flink's layout:
//   <dir>/<job-id>/chk-<n>/      exclusive state of checkpoint n + _metadata (written last, atomically)
//   <dir>/<job-id>/shared/       state shared across checkpoints (incremental)
//   <dir>/<job-id>/taskowned/    state owned by tasks, never deleted by the JobManager
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import type { CreateOptions, FileSystem } from './FileSystem.js';
import { closeOutput, getFileSystem } from './FileSystems.js';
import { FileNotFoundError, FileSystemError } from './errors.js';

export const METADATA_FILE = '_metadata';
export const CHECKPOINT_DIR_PREFIX = 'chk-';
export const SHARED_DIR = 'shared';
export const TASK_OWNED_DIR = 'taskowned';

/** Where a state file lives and how big it is; serializable into checkpoint metadata. */
export interface StateHandle {
  path: string;
  size: number;
}

export type StateScope = 'exclusive' | 'shared' | 'taskowned';

export interface CompletedCheckpoint {
  checkpointId: number;
  /** chk-<n> directory. */
  path: string;
  metadataPath: string;
}

/** A state file being written; `closeAndGetHandle()` makes it durable and returns its handle. */
export class StateOutputStream extends Writable {
  private written = 0;
  private handle: StateHandle | undefined;

  constructor(private readonly inner: Writable, readonly path: string) {
    super({ highWaterMark: 1 << 20 });
    inner.on('error', (e: Error) => this.destroy(e));
  }

  get bytesWritten(): number {
    return this.written;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.written += chunk.length;
    if (this.inner.write(chunk)) cb();
    else this.inner.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    closeOutput(this.inner).then(
      () => {
        this.handle = { path: this.path, size: this.written };
        cb();
      },
      (e: Error) => cb(e),
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.inner.writableFinished) this.inner.destroy(err ?? undefined);
    cb(err);
  }

  /** Ends the stream, waits until the bytes are durable and returns {path, size}. */
  async closeAndGetHandle(): Promise<StateHandle> {
    await closeOutput(this);
    return this.handle!;
  }
}

/**
 * Writes `<dir>/_metadata` atomically (a temporary file, then a rename): a reader sees the whole
 * file or none, so a directory with `_metadata` is a complete checkpoint or savepoint.
 */
export async function writeMetadataFile(fs: FileSystem, dir: string, data: Uint8Array | string): Promise<StateHandle> {
  await fs.mkdirs(dir);
  const tmp = joinPath(dir, `.${METADATA_FILE}.inprogress-${randomUUID()}`);
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, joinPath(dir, METADATA_FILE));
  } catch (e) {
    await fs.delete(tmp, false).catch(() => false);
    throw e;
  }
  return { path: joinPath(dir, METADATA_FILE), size: bytes.length };
}

/** Flink's savepoint directory name: `savepoint-<first 6 of the job id>-<12 random hex>`. */
export function savepointDirectoryName(jobId: string): string {
  return `savepoint-${jobId.slice(0, 6)}-${randomBytes(6).toString('hex')}`;
}

function joinPath(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts].join('/');
}

function checkName(name: string): void {
  if (!name || name.includes('/') || name === '.' || name === '..' || name.startsWith(METADATA_FILE)) {
    throw new FileSystemError(`invalid state file name "${name}": use a plain file name without "/" and not starting with ${METADATA_FILE}`, name);
  }
}

export class CheckpointStorage {
  readonly fs: FileSystem;
  /** <dir>/<job-id> */
  readonly jobDir: string;
  readonly sharedDir: string;
  readonly taskOwnedDir: string;

  /**
   * @param checkpointDir base directory, e.g. hdfs:///flink/checkpoints or file:///tmp/chk
   * @param jobId the job's id (32 hex chars in Flink; any file-name-safe string here)
   * @param conf tsflink config for the hdfs scheme (fs.hdfs.*), see getFileSystem
   */
  constructor(checkpointDir: string, readonly jobId: string, conf?: Record<string, unknown>, fs?: FileSystem) {
    if (!jobId || jobId.includes('/')) throw new FileSystemError(`invalid job id "${jobId}" for checkpoint storage`, checkpointDir);
    this.fs = fs ?? getFileSystem(checkpointDir, conf);
    this.jobDir = joinPath(checkpointDir, jobId);
    this.sharedDir = joinPath(this.jobDir, SHARED_DIR);
    this.taskOwnedDir = joinPath(this.jobDir, TASK_OWNED_DIR);
  }

  /** Creates <job-id>/, shared/ and taskowned/. Idempotent. */
  async initialize(): Promise<void> {
    await Promise.all([this.fs.mkdirs(this.sharedDir), this.fs.mkdirs(this.taskOwnedDir)]);
  }

  checkpointPath(checkpointId: number): string {
    if (!Number.isSafeInteger(checkpointId) || checkpointId < 0) {
      throw new FileSystemError(`invalid checkpoint id ${checkpointId}: must be a non-negative integer`, this.jobDir);
    }
    return joinPath(this.jobDir, `${CHECKPOINT_DIR_PREFIX}${checkpointId}`);
  }

  private dirFor(checkpointId: number, scope: StateScope): string {
    if (scope === 'shared') return this.sharedDir;
    if (scope === 'taskowned') return this.taskOwnedDir;
    return this.checkpointPath(checkpointId);
  }

  /**
   * Opens a state file for checkpoint `checkpointId`. Exclusive state goes to chk-<n>/, shared and
   * task-owned state to their directories (name must then be unique across checkpoints; a random
   * suffix is added unless `exactName`).
   */
  async createStateOutput(
    checkpointId: number,
    name: string,
    opts?: { scope?: StateScope; exactName?: boolean } & CreateOptions,
  ): Promise<StateOutputStream> {
    checkName(name);
    const scope = opts?.scope ?? 'exclusive';
    const fileName = scope === 'exclusive' || opts?.exactName ? name : `${name}-${randomUUID()}`;
    const path = joinPath(this.dirFor(checkpointId, scope), fileName);
    const inner = await this.fs.create(path, { overwrite: opts?.overwrite ?? false, replication: opts?.replication, blockSize: opts?.blockSize });
    return new StateOutputStream(inner, path);
  }

  /** Convenience: writes a whole state file and returns its handle. */
  async writeState(checkpointId: number, name: string, data: Uint8Array | string, opts?: { scope?: StateScope; exactName?: boolean }): Promise<StateHandle> {
    const out = await this.createStateOutput(checkpointId, name, opts);
    out.end(typeof data === 'string' ? Buffer.from(data) : data);
    return out.closeAndGetHandle();
  }

  openState(handle: StateHandle, range?: { offset?: number; length?: number }): Promise<NodeJS.ReadableStream & Readable> {
    return this.fs.open(handle.path, range);
  }

  readState(handle: StateHandle): Promise<Buffer> {
    return this.fs.readFile(handle.path);
  }

  /**
   * Completes checkpoint `checkpointId`: writes chk-<n>/_metadata under a temporary name, then
   * renames it, so readers see either no _metadata or the whole file.
   */
  async writeMetadata(checkpointId: number, data: Uint8Array | string): Promise<StateHandle> {
    return writeMetadataFile(this.fs, this.checkpointPath(checkpointId), data);
  }

  async readMetadata(checkpointId: number): Promise<Buffer> {
    return this.fs.readFile(joinPath(this.checkpointPath(checkpointId), METADATA_FILE));
  }

  /** Deletes chk-<n>/ with everything in it. Shared and task-owned state are not touched. */
  async disposeCheckpoint(checkpointId: number): Promise<boolean> {
    return this.fs.delete(this.checkpointPath(checkpointId), true);
  }

  /** Deletes a state file (e.g. shared state no longer referenced). */
  async discardState(handle: StateHandle): Promise<boolean> {
    return this.fs.delete(handle.path, false);
  }

  /** Checkpoints with a _metadata file, ascending by id. */
  async listCompletedCheckpoints(): Promise<CompletedCheckpoint[]> {
    let entries;
    try {
      entries = await this.fs.listStatus(this.jobDir);
    } catch (e) {
      if (e instanceof FileNotFoundError) return [];
      throw e;
    }
    const candidates = entries
      .filter((s) => s.isDirectory)
      .map((s) => ({ path: s.path, m: /\/chk-(\d+)$/.exec(s.path) }))
      .filter((x): x is { path: string; m: RegExpExecArray } => x.m !== null)
      .map((x) => ({ checkpointId: Number(x.m[1]), path: x.path, metadataPath: joinPath(x.path, METADATA_FILE) }));
    const done = await Promise.all(candidates.map(async (c) => ((await this.fs.exists(c.metadataPath)) ? c : undefined)));
    return done.filter((c): c is CompletedCheckpoint => c !== undefined).sort((a, b) => a.checkpointId - b.checkpointId);
  }

  async latestCompletedCheckpoint(): Promise<CompletedCheckpoint | undefined> {
    const all = await this.listCompletedCheckpoints();
    return all[all.length - 1];
  }
}
