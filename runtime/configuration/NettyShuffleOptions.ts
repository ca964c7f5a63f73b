// Network stack options (Flink NettyShuffleEnvironmentOptions): credit-based flow control buffers.
import { booleanOption, durationOption, intOption, memoryOption, numberOption } from './ConfigOption.js';

export const NETWORK_BUFFERS_PER_CHANNEL = intOption('taskmanager.network.memory.buffers-per-channel', {
  defaultValue: 2,
  min: 0,
  description: 'Exclusive buffers (credits) per input channel.',
});

export const NETWORK_EXTRA_BUFFERS_PER_GATE = intOption('taskmanager.network.memory.floating-buffers-per-gate', {
  defaultValue: 8,
  min: 0,
  description: 'Floating buffers shared by the channels of one input gate.',
});

export const NETWORK_MEMORY_FRACTION = numberOption('taskmanager.memory.network.fraction', {
  defaultValue: 0.1,
  min: 0,
  max: 1,
  description: 'Fraction of the process memory for network buffers (bounded by network.min / network.max).',
});

export const NETWORK_MEMORY_MIN = memoryOption('taskmanager.memory.network.min', {
  defaultValue: 64 * 1024 * 1024,
  min: 0,
  description: 'Lower bound of network buffer memory.',
});

export const NETWORK_MEMORY_MAX = memoryOption('taskmanager.memory.network.max', {
  min: 0,
  description: 'Upper bound of network buffer memory; unset = unbounded.',
});

export const NETWORK_SORT_SHUFFLE_MIN_PARALLELISM = intOption('taskmanager.network.sort-shuffle.min-parallelism', {
  // Flink uses 1 (always sort); tsflink keeps the hash shuffle for small fan-outs where a file per subpartition is cheap.
  defaultValue: 128,
  min: 1,
  description: 'BATCH blocking shuffle: consumer parallelism from which the sort shuffle (one data file + index) is used instead of a file per subpartition.',
});

export const NETWORK_SORT_SHUFFLE_MIN_BUFFERS = intOption('taskmanager.network.sort-shuffle.min-buffers', {
  // Flink uses 512 (64 before 1.15); tsflink's buffers are plain heap memory of the slot, so fewer by default.
  defaultValue: 64,
  min: 1,
  description: 'BATCH sort shuffle: network buffers a result partition fills (grouped by subpartition) before it appends them as one region to its data file.',
});

export const BATCH_SHUFFLE_COMPRESSION_ENABLED = booleanOption('taskmanager.network.batch-shuffle.compression.enabled', {
  defaultValue: true,
  fallbackKeys: ['taskmanager.network.blocking-shuffle.compression.enabled'],
  description: 'BATCH blocking shuffle: deflate each buffer written to a shuffle file (kept raw when compressing does not make it smaller).',
});

export const NETWORK_REQUEST_BACKOFF_INITIAL = durationOption('taskmanager.network.request-backoff.initial', {
  defaultValue: 100,
  min: 1,
  description: 'First wait before a consumer requests a blocking partition again that its producer\'s TaskManager does not know (PartitionNotFound); doubles per attempt.',
});

export const NETWORK_REQUEST_BACKOFF_MAX = durationOption('taskmanager.network.request-backoff.max', {
  defaultValue: 10_000,
  min: 1,
  description: 'Longest wait between partition requests; once the backoff would exceed it the consumer fails and the JobMaster reruns the producer.',
});
