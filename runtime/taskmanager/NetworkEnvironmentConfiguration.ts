// The TaskManager's network settings from its configuration (Flink's NettyShuffleEnvironmentConfiguration.fromConfiguration).
import { type Configuration, CoreOptions, NettyShuffleOptions, TaskManagerOptions } from '../configuration/index.js';
import type { NetworkConfig } from '../network/index.js';
import { newBatchShuffleReadBudget } from '../network/partition/BatchShuffleReadBufferPool.js';

/**
 * Credit and buffer settings plus where blocking (BATCH) partitions go: every `io.tmp.dirs` entry
 * (under YARN the container's local dirs), round-robin. Blocking partitions stay until the JobMaster
 * releases them (a consumer that fails and reruns reads them again), never on consumption.
 */
export function networkConfigFromConfiguration(conf: Configuration): NetworkConfig {
  return {
    bufferSize: conf.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE),
    buffersPerChannel: conf.get(NettyShuffleOptions.NETWORK_BUFFERS_PER_CHANNEL),
    floatingBuffersPerGate: conf.get(NettyShuffleOptions.NETWORK_EXTRA_BUFFERS_PER_GATE),
    partitionRequestBackoff: {
      initialMs: conf.get(NettyShuffleOptions.NETWORK_REQUEST_BACKOFF_INITIAL),
      maxMs: Math.max(conf.get(NettyShuffleOptions.NETWORK_REQUEST_BACKOFF_MAX), conf.get(NettyShuffleOptions.NETWORK_REQUEST_BACKOFF_INITIAL)),
    },
    blockingShuffle: {
      tmpDirs: [...conf.get(CoreOptions.TMP_DIRS)],
      sortShuffleMinParallelism: conf.get(NettyShuffleOptions.NETWORK_SORT_SHUFFLE_MIN_PARALLELISM),
      sortShuffleMinBuffers: conf.get(NettyShuffleOptions.NETWORK_SORT_SHUFFLE_MIN_BUFFERS),
      compression: conf.get(NettyShuffleOptions.BATCH_SHUFFLE_COMPRESSION_ENABLED),
      releaseOnConsumption: false,
      // One counter for the TaskManager: every slot worker gets this same SharedArrayBuffer.
      readBudget: newBatchShuffleReadBudget(conf.get(TaskManagerOptions.BATCH_SHUFFLE_READ_MEMORY)),
    },
  };
}
