// Picks and builds an operator's keyed state backend from the job's configuration (Flink's
// StateBackendLoader): 'hashmap' (heap) or 'leveldb' (one LevelDB per slot-operator under the
// TaskManager's local directories), both wrapped in the TTL decorator.
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { ReadableConfig } from '../configuration/ReadableConfig.js';
import { CheckpointingOptions, StateBackendOptions } from '../configuration/index.js';
import type { KeyGroupRange } from '../util/KeyGroupRangeAssignment.js';
import type { KeyedStateBackend } from './KeyedStateBackend.js';
import { HeapKeyedStateBackend } from './heap/HeapKeyedStateBackend.js';
import { LevelDBKeyedStateBackend } from './leveldb/LevelDBKeyedStateBackend.js';
import { TtlKeyedStateBackend } from './ttl/TtlKeyedStateBackend.js';

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
  if (type === 'hashmap') return new TtlKeyedStateBackend(new HeapKeyedStateBackend(ctx.keyGroupRange, ctx.maxParallelism, clock), clock);
  // Operators of one TaskManager spread over its local directories (as Flink's RocksDB backend does).
  const explicit = conf.get(StateBackendOptions.LEVELDB_LOCAL_DIR);
  const dirs = explicit !== undefined ? [explicit] : ctx.localDirs.length > 0 ? ctx.localDirs : [tmpdir()];
  const base = dirs[nextDir++ % dirs.length]!;
  const path = join(base, `tsflink-leveldb-${ctx.jobId}-op_${ctx.operatorId}_${ctx.subtaskIndex}_${randomUUID()}`);
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
