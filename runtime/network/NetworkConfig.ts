// Network configuration of a ShuffleEnvironment (Flink's NettyShuffleEnvironmentConfiguration).
import { tmpdir } from 'node:os';
import { DEFAULT_BATCH_SHUFFLE_READ_MEMORY, type BatchShuffleReadBudget } from './partition/BatchShuffleReadBufferPool.js';

/** Blocking (BATCH) result partitions on local disk (runtime/network/partition/). */
export interface BlockingShuffleConfig {
  /** Local directories for shuffle files, used round-robin (io.tmp.dirs; under YARN the container's local dirs). */
  tmpDirs: string[];
  /** Consumer parallelism from which the sort-merge partition is used instead of a file per subpartition. */
  sortShuffleMinParallelism?: number;
  /** Buffers a sort-merge partition holds before it spills a region (taskmanager.network.sort-shuffle.min-buffers). */
  sortShuffleMinBuffers?: number;
  /** Compress buffers in shuffle files (taskmanager.network.batch-shuffle.compression.enabled). */
  compression?: boolean;
  /** Bytes one consumer's reader reads from a file at once (bounds read memory per consumer). */
  readChunkSize?: number;
  /** Delete a blocking partition's files once each subpartition was read to its end (else: on release()). */
  releaseOnConsumption?: boolean;
  /**
   * File bytes all readers of blocking partitions may hold at once (taskmanager.memory.framework.off-heap.batch-shuffle.size);
   * with `shared`, the budget spans every slot given the same buffer (one TaskManager).
   */
  readBudget?: BatchShuffleReadBudget;
}

export const DEFAULT_BLOCKING_SHUFFLE_CONFIG: Readonly<Required<BlockingShuffleConfig>> = Object.freeze({
  tmpDirs: [tmpdir()],
  sortShuffleMinParallelism: 128,
  sortShuffleMinBuffers: 64,
  compression: true,
  readChunkSize: 64 * 1024,
  releaseOnConsumption: true,
  readBudget: Object.freeze({ bytes: DEFAULT_BATCH_SHUFFLE_READ_MEMORY }),
});

export interface NetworkConfig {
  /** Network buffer size in bytes (taskmanager.memory.segment-size), default 32768. */
  bufferSize: number;
  /** Exclusive credits per input channel (taskmanager.network.memory.buffers-per-channel), default 2. */
  buffersPerChannel: number;
  /** Floating credits per input gate (taskmanager.network.memory.floating-buffers-per-gate), default 8. */
  floatingBuffersPerGate: number;
  /** Unsent buffers a subpartition may queue before ResultPartition.isAvailable() turns false, default 10. */
  maxBuffersPerSubpartition?: number;
  /** How long a partition request waits for the producer to register the partition, default 60000 ms. */
  partitionRequestTimeoutMs?: number;
  /**
   * A finished partition the producer's side does not have (PartitionNotFound) is requested again after
   * initialMs, doubling up to maxMs, then the channel fails (taskmanager.network.request-backoff.initial/max).
   */
  partitionRequestBackoff?: { initialMs: number; maxMs: number };
  /**
   * A consumer in the producer's thread gets the records themselves, not serialized (object buffers of up
   * to this many records, each counting one credit); 0 = serialize in-thread too. Default 1024.
   */
  inThreadBufferRecords?: number;
  /** Where and how blocking partitions are written (default: one dir under os.tmpdir(), hash below 128 consumers). */
  blockingShuffle?: BlockingShuffleConfig;
}

export const DEFAULT_NETWORK_CONFIG: Readonly<Required<NetworkConfig>> = Object.freeze({
  bufferSize: 32768,
  buffersPerChannel: 2,
  floatingBuffersPerGate: 8,
  maxBuffersPerSubpartition: 10,
  partitionRequestTimeoutMs: 60_000,
  partitionRequestBackoff: Object.freeze({ initialMs: 100, maxMs: 10_000 }),
  // About what a 32 KiB network buffer holds of small tuples.
  inThreadBufferRecords: 1024,
  blockingShuffle: DEFAULT_BLOCKING_SHUFFLE_CONFIG,
});

export function resolveNetworkConfig(config: Partial<NetworkConfig> | undefined): Required<NetworkConfig> {
  const c = { ...DEFAULT_NETWORK_CONFIG, ...stripUndefined(config ?? {}) };
  if (!(c.bufferSize >= 1024)) throw new RangeError(`NetworkConfig.bufferSize must be >= 1024 bytes, got ${c.bufferSize}`);
  if (!(c.buffersPerChannel >= 0)) throw new RangeError(`NetworkConfig.buffersPerChannel must be >= 0, got ${c.buffersPerChannel}`);
  if (!(c.buffersPerChannel + c.floatingBuffersPerGate >= 1)) {
    throw new RangeError('NetworkConfig: buffersPerChannel + floatingBuffersPerGate must be >= 1, otherwise no channel could ever receive data');
  }
  if (!(c.floatingBuffersPerGate >= 0)) throw new RangeError(`NetworkConfig.floatingBuffersPerGate must be >= 0, got ${c.floatingBuffersPerGate}`);
  c.blockingShuffle = resolveBlockingShuffleConfig(c.blockingShuffle);
  if (!(Number.isInteger(c.inThreadBufferRecords) && c.inThreadBufferRecords >= 0)) throw new RangeError(`NetworkConfig.inThreadBufferRecords must be an integer >= 0 (0 = serialize in-thread too), got ${c.inThreadBufferRecords}`);
  const b = c.partitionRequestBackoff;
  if (!(b.initialMs >= 1 && b.maxMs >= b.initialMs)) throw new RangeError(`NetworkConfig.partitionRequestBackoff must have 1 <= initialMs <= maxMs, got ${JSON.stringify(b)}`);
  if (!(c.maxBuffersPerSubpartition >= 1)) throw new RangeError(`NetworkConfig.maxBuffersPerSubpartition must be >= 1, got ${c.maxBuffersPerSubpartition}`);
  return c;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function resolveBlockingShuffleConfig(b: BlockingShuffleConfig): Required<BlockingShuffleConfig> {
  const c = { ...DEFAULT_BLOCKING_SHUFFLE_CONFIG, ...stripUndefined(b) };
  if (!Array.isArray(c.tmpDirs) || c.tmpDirs.length === 0 || c.tmpDirs.some((d) => typeof d !== 'string' || d === '')) {
    throw new RangeError(`NetworkConfig.blockingShuffle.tmpDirs must list at least one directory, got ${JSON.stringify(c.tmpDirs)}`);
  }
  if (!(c.sortShuffleMinParallelism >= 1)) throw new RangeError(`NetworkConfig.blockingShuffle.sortShuffleMinParallelism must be >= 1, got ${c.sortShuffleMinParallelism}`);
  if (!(c.sortShuffleMinBuffers >= 1)) throw new RangeError(`NetworkConfig.blockingShuffle.sortShuffleMinBuffers must be >= 1, got ${c.sortShuffleMinBuffers}`);
  if (!(c.readChunkSize >= 4096)) throw new RangeError(`NetworkConfig.blockingShuffle.readChunkSize must be >= 4096 bytes, got ${c.readChunkSize}`);
  if (!(c.readBudget.bytes >= c.readChunkSize)) {
    throw new RangeError(`taskmanager.memory.framework.off-heap.batch-shuffle.size (${c.readBudget.bytes} bytes) is smaller than one shuffle read chunk (${c.readChunkSize} bytes); set it to at least ${c.readChunkSize} bytes (default: 64m).`);
  }
  return c;
}
