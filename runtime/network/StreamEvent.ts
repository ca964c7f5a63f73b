/** In-band events (Flink's AbstractEvent subclasses that travel between records). */
export type StreamEvent =
  | { type: 'EndOfPartition' }
  /**
   * The producer's operators are done (drain: they finished, +∞ watermark included) or stopped for a
   * stop-with-savepoint without drain (drain false: nothing more is emitted and nothing is flushed).
   */
  | { type: 'EndOfData'; drain: boolean }
  | { type: 'Watermark'; timestamp: number }
  | { type: 'WatermarkStatus'; idle: boolean }
  /**
   * `overtaken` (unaligned barriers): data buffers this barrier overtook, at the producer and then in
   * the input channel's queue; the consumer persists that many as in-flight channel state.
   * `location` (savepoints): the savepoint directory every task writes its state files to.
   */
  | { type: 'CheckpointBarrier'; checkpointId: number; timestamp: number; unaligned: boolean; savepoint: boolean; overtaken?: number; location?: string; completed?: number }
  | { type: 'CancelCheckpointMarker'; checkpointId: number };
