// Test helper (not exported from index.ts): one ResultPartition wired to one SingleInputGate in-thread.
import { ShuffleEnvironment } from './ShuffleEnvironment.js';

export const LOCAL_TEST_CONFIG = { bufferSize: 32768, buffersPerChannel: 2, floatingBuffersPerGate: 8 };

export function localChannelPair(opts: { bufferTimeout?: number; numSubpartitions?: number; env?: ShuffleEnvironment } = {}) {
  const env = opts.env ?? new ShuffleEnvironment({ slotIndex: 0, config: LOCAL_TEST_CONFIG });
  const n = opts.numSubpartitions ?? 1;
  const partition = env.createResultPartition({ partitionId: 'p1', numSubpartitions: n, bufferTimeout: opts.bufferTimeout ?? -1, owner: 'Map (1/1)' });
  const gate = env.createInputGate({
    channels: Array.from({ length: n }, (_, i) => ({ partitionId: 'p1', subpartition: i, location: { kind: 'local' as const } })),
    owner: 'Sink (1/1)',
  });
  return { env, partition, gate };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
