// tsflink network stack (Flink's io/network): ResultPartition → ResultSubpartition → transport →
// InputChannel → SingleInputGate, credit-based on every transport. Only this surface is public.
export type { StreamEvent } from './StreamEvent.js';
export type { NetworkConfig, BlockingShuffleConfig } from './NetworkConfig.js';
export type { PartitionLocation, InputChannelDescriptor } from './InputChannelDescriptor.js';
export type { InputBatch } from './SingleInputGate.js';
export { DEFAULT_NETWORK_CONFIG } from './NetworkConfig.js';
export { ShuffleEnvironment } from './ShuffleEnvironment.js';
export type { ResultPartition } from './ResultPartition.js';
export type { SingleInputGate, ChannelStateRecorder } from './SingleInputGate.js';
export { RecordSerializationError } from './RecordSerializationError.js';
export { ChannelError } from './ChannelError.js';
export { TcpConnectionManager } from './tcp/TcpConnectionManager.js';
export type { TcpConnectionManagerOptions, TcpConnectionStats, TcpLogger } from './tcp/TcpConnectionManager.js';
export type { LocalUplinkPort } from './tcp/LocalUplinkPort.js';
