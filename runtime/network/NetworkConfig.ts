// Network configuration of a ShuffleEnvironment (Flink's NettyShuffleEnvironmentConfiguration).

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
}

export const DEFAULT_NETWORK_CONFIG: Readonly<Required<NetworkConfig>> = Object.freeze({
  bufferSize: 32768,
  buffersPerChannel: 2,
  floatingBuffersPerGate: 8,
  maxBuffersPerSubpartition: 10,
  partitionRequestTimeoutMs: 60_000,
});

export function resolveNetworkConfig(config: Partial<NetworkConfig> | undefined): Required<NetworkConfig> {
  const c = { ...DEFAULT_NETWORK_CONFIG, ...stripUndefined(config ?? {}) };
  if (!(c.bufferSize >= 1024)) throw new RangeError(`NetworkConfig.bufferSize must be >= 1024 bytes, got ${c.bufferSize}`);
  if (!(c.buffersPerChannel >= 0)) throw new RangeError(`NetworkConfig.buffersPerChannel must be >= 0, got ${c.buffersPerChannel}`);
  if (!(c.buffersPerChannel + c.floatingBuffersPerGate >= 1)) {
    throw new RangeError('NetworkConfig: buffersPerChannel + floatingBuffersPerGate must be >= 1, otherwise no channel could ever receive data');
  }
  if (!(c.floatingBuffersPerGate >= 0)) throw new RangeError(`NetworkConfig.floatingBuffersPerGate must be >= 0, got ${c.floatingBuffersPerGate}`);
  if (!(c.maxBuffersPerSubpartition >= 1)) throw new RangeError(`NetworkConfig.maxBuffersPerSubpartition must be >= 1, got ${c.maxBuffersPerSubpartition}`);
  return c;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
