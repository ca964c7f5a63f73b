/** In-band events (Flink's AbstractEvent subclasses that travel between records). */
export type StreamEvent =
  | { type: 'EndOfPartition' }
  | { type: 'EndOfData'; drain: boolean }
  | { type: 'Watermark'; timestamp: number }
  | { type: 'WatermarkStatus'; idle: boolean }
  | { type: 'CheckpointBarrier'; checkpointId: number; timestamp: number; unaligned: boolean; savepoint: boolean }
  | { type: 'CancelCheckpointMarker'; checkpointId: number };
