// Where an input channel reads from (Flink's InputChannelDeploymentDescriptor / ShuffleDescriptor).

export type PartitionLocation =
  | { kind: 'local' }
  | { kind: 'slot'; slotIndex: number }
  /**
   * Another TaskManager, reached over its data port (TCP). `slotIndex` is the producer's slot there; the
   * remote TcpConnectionManager routes the partition request to it.
   */
  | { kind: 'remote'; taskManagerId: string; host: string; port: number; slotIndex: number };

export interface InputChannelDescriptor {
  partitionId: string;
  subpartition: number;
  location: PartitionLocation;
  /**
   * A blocking partition whose producer finished (BATCH): if its TaskManager does not have it, the request is
   * retried with backoff (NetworkConfig.partitionRequestBackoff) and then fails the channel.
   */
  finished?: boolean;
}
