// State backend options (Flink StateBackendOptions).
import { enumOption, intOption, memoryOption, stringOption } from './ConfigOption.js';

export const STATE_BACKEND = enumOption('state.backend.type', {
  values: ['hashmap', 'leveldb'] as const,
  defaultValue: 'hashmap',
  fallbackKeys: ['state.backend'],
  description: 'hashmap keeps state on the heap; leveldb (classic-level) keeps it on local disk for state larger than memory.',
});

export const LEVELDB_LOCAL_DIR = stringOption('state.backend.leveldb.localdir', {
  description: 'Directory for LevelDB instances; unset = a directory under io.tmp.dirs.',
});

// LevelDB backend memory (per slot-operator DB); Flink's state.backend.rocksdb.* counterparts.
export const LEVELDB_BLOCK_CACHE_SIZE = memoryOption('state.backend.leveldb.block-cache-size', {
  defaultValue: 8 * 1024 * 1024,
  min: 0,
  description: 'LevelDB LRU block cache of each LevelDB instance (uncompressed blocks read from disk).',
});

export const LEVELDB_WRITE_BUFFER_SIZE = memoryOption('state.backend.leveldb.write-buffer-size', {
  defaultValue: 4 * 1024 * 1024,
  min: 64 * 1024,
  description: 'LevelDB memtable size of each instance; a full memtable is written to a level-0 file.',
});

export const LEVELDB_CACHE_SIZE = memoryOption('state.backend.leveldb.cache.size', {
  min: 0,
  description: 'Bytes of entries the JS-side write-back and read cache of each instance holds (on the slot heap; 1/4 dirty, 3/8 per clean generation); unset = 1/8 of the slot heap limit, within 4 MB..256 MB.',
});

export const LEVELDB_WRITE_BATCH_SIZE = memoryOption('state.backend.leveldb.write-batch-size', {
  defaultValue: 2 * 1024 * 1024,
  min: 1,
  description: 'Bytes per LevelDB write batch when dirty entries of the write-back cache are written (asynchronously; they are written once they use 1/4 of state.backend.leveldb.cache.size, or at a checkpoint).',
});

export const LEVELDB_INCREMENTAL_MAX_DELTAS = intOption('state.backend.leveldb.incremental.max-deltas', {
  defaultValue: 10,
  min: 0,
  description: 'Incremental checkpoints (execution.checkpointing.incremental): deltas on top of a base before the next checkpoint uploads a new full base ' +
    '(also once the deltas together outgrow the base), bounding restore time. 0 = every checkpoint is full.',
});
