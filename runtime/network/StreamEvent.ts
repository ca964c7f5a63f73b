/** In-band events (Flink's AbstractEvent subclasses that travel between records). */
export type StreamEvent =
  | { type: 'EndOfPartition' }
  | { type: 'EndOfData'; drain: boolean }
  | { type: 'Watermark'; timestamp: number }
  | { type: 'WatermarkStatus'; idle: boolean }
  /**
   * `overtaken` (unaligned barriers): data buffers this barrier overtook, at the producer and then in
   * the input channel's queue; the consumer persists that many as in-flight channel state.
   */
  | { type: 'CheckpointBarrier'; checkpointId: number; timestamp: number; unaligned: boolean; savepoint: boolean; overtaken?: number }
  | { type: 'CancelCheckpointMarker'; checkpointId: number };
