// State backend options (Flink StateBackendOptions).
import { enumOption, stringOption } from './ConfigOption.js';

export const STATE_BACKEND = enumOption('state.backend.type', {
  values: ['hashmap', 'leveldb'] as const,
  defaultValue: 'hashmap',
  fallbackKeys: ['state.backend'],
  description: 'hashmap keeps state on the heap; leveldb (classic-level) keeps it on local disk for state larger than memory.',
});

export const LEVELDB_LOCAL_DIR = stringOption('state.backend.leveldb.localdir', {
  description: 'Directory for LevelDB instances; unset = a directory under io.tmp.dirs.',
});
