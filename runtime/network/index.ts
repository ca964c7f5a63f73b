// tsflink network stack (Flink's io/network): ResultPartition → ResultSubpartition → transport →
// InputChannel → SingleInputGate, credit-based on every transport. Only this surface is public.
export type {
  StreamEvent,
  NetworkConfig,
  PartitionLocation,
  InputChannelDescriptor,
  InputBatch,
} from './types.js';
export { DEFAULT_NETWORK_CONFIG } from './types.js';
export { ShuffleEnvironment } from './shuffle-environment.js';
export type { ResultPartition } from './result-partition.js';
export type { SingleInputGate } from './input-gate.js';
export { RecordSerializationError, ChannelError } from './errors.js';
export { TcpConnectionManager } from './tcp/TcpConnectionManager.js';
export type { TcpConnectionManagerOptions, TcpConnectionStats, TcpLogger } from './tcp/TcpConnectionManager.js';
export type { LocalUplinkPort } from './tcp/uplink.js';
