// Picks and builds an operator's keyed state backend from the job's configuration (Flink's
// StateBackendLoader): 'hashmap' (heap) or 'leveldb' (one LevelDB per slot-operator under the
// TaskManager's local directories), both wrapped in the TTL decorator.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { ReadableConfig } from '../configuration/ReadableConfig.js';
import { CheckpointingOptions, ExecutionOptions, StateBackendOptions } from '../configuration/index.js';
import type { KeyGroupRange } from '../util/KeyGroupRangeAssignment.js';
import type { KeyedStateBackend } from './KeyedStateBackend.js';
import { HeapKeyedStateBackend } from './heap/HeapKeyedStateBackend.js';
import { LevelDBKeyedStateBackend } from './leveldb/LevelDBKeyedStateBackend.js';
import { TtlKeyedStateBackend } from './ttl/TtlKeyedStateBackend.js';
import { BatchExecutionKeyedStateBackend } from './batch/BatchExecutionKeyedStateBackend.js';

export interface KeyedBackendContext {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  /** The TaskManager's local directories (io.tmp.dirs; YARN container local dirs). */
  readonly localDirs: readonly string[];
  /** job, operator and subtask, for the directory name and errors. */
  readonly jobId: string;
  readonly operatorId: string;
  readonly subtaskIndex: number;
  readonly owner: string;
  /** Processing-time clock of TTL (tests pass a controllable one). */
  readonly clock?: () => number;
  /** BATCH, and the operator reads its input grouped by key (a task's keyed head): one key's state at a time. */
  readonly batchSortedInput?: boolean;
}

let nextDir = 0;

const MB = 1024 * 1024;
/** The cache is on the heap of this thread (the slot's isolate): a share of its limit, so small slots stay safe. */
function defaultCacheSize(): number {
  return Math.min(256 * MB, Math.max(4 * MB, Math.floor(getHeapStatistics().heap_size_limit / 8)));
}

export function createKeyedStateBackend(conf: ReadableConfig, ctx: KeyedBackendContext): KeyedStateBackend {
  const type = conf.get(StateBackendOptions.STATE_BACKEND);
  const clock = ctx.clock ?? Date.now;
  if (ctx.batchSortedInput === true && conf.get(ExecutionOptions.BATCH_STATE_BACKEND_ENABLED)) {
    return new TtlKeyedStateBackend(new BatchExecutionKeyedStateBackend(ctx.keyGroupRange, ctx.maxParallelism, clock, ctx.owner), clock);
  }
  if (type === 'hashmap') return new TtlKeyedStateBackend(new HeapKeyedStateBackend(ctx.keyGroupRange, ctx.maxParallelism, clock), clock);
  // Operators of one TaskManager spread over its local directories (as Flink's RocksDB backend does).
  const explicit = conf.get(StateBackendOptions.LEVELDB_LOCAL_DIR);
  const dirs = explicit !== undefined ? [explicit] : ctx.localDirs.length > 0 ? ctx.localDirs : [tmpdir()];
  const base = dirs[nextDir++ % dirs.length]!;
  // The owning process in the name: a TaskManager that starts later on this host removes what a killed one left (cleanStaleLevelDBDirs).
  const path = join(base, `${LEVELDB_DIR_PREFIX}p${process.pid}-${ctx.jobId}-op_${ctx.operatorId}_${ctx.subtaskIndex}_${randomUUID()}`);
  const db = new LevelDBKeyedStateBackend(ctx.keyGroupRange, ctx.maxParallelism, {
    path,
    blockCacheSize: conf.get(StateBackendOptions.LEVELDB_BLOCK_CACHE_SIZE),
    writeBufferSize: conf.get(StateBackendOptions.LEVELDB_WRITE_BUFFER_SIZE),
    cacheSize: conf.get(StateBackendOptions.LEVELDB_CACHE_SIZE) ?? defaultCacheSize(),
    writeBatchSize: conf.get(StateBackendOptions.LEVELDB_WRITE_BATCH_SIZE),
    owner: ctx.owner,
    ...(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS) ? { incremental: { maxDeltas: conf.get(StateBackendOptions.LEVELDB_INCREMENTAL_MAX_DELTAS) } } : {}),
  });
  return new TtlKeyedStateBackend(db, clock);
}

const LEVELDB_DIR_PREFIX = 'tsflink-leveldb-';

/**
 * LevelDB instances of processes that no longer run (a TaskManager killed with -9 deletes nothing):
 * removed from `dirs` at TaskManager start. Returns the removed directories.
 */
export function cleanStaleLevelDBDirs(dirs: readonly string[]): string[] {
  const removed: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try { names = readdirSync(dir); } catch { continue; }
    for (const n of names) {
      const m = new RegExp(`^${LEVELDB_DIR_PREFIX}p(\\d+)-`).exec(n);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || processAlive(pid)) continue;
      try { rmSync(join(dir, n), { recursive: true, force: true }); removed.push(join(dir, n)); } catch { /* another process's turn */ }
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
