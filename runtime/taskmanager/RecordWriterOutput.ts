import type { Output } from '../operators/StreamOperator.js';
import type { ResultPartition } from '../network/index.js';
import { KeyGroupStreamPartitioner, type StreamPartitioner } from '../partitioner/StreamPartitioner.js';
import { MIN_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';

/** Sends records leaving the chain into one network partition, picking subpartitions with the partitioner. */
export class RecordWriterOutput implements Output<unknown> {
  /** The output of a network edge: keyed edges carry the key along (KeyedRecordWriterOutput). */
  static create(partition: ResultPartition, partitioner: StreamPartitioner): RecordWriterOutput {
    return partitioner instanceof KeyGroupStreamPartitioner ? new KeyedRecordWriterOutput(partition, partitioner) : new RecordWriterOutput(partition, partitioner);
  }

  /** The last watermark sent (the operator's currentOutputWatermark metric). */
  lastWatermark = MIN_WATERMARK;

  constructor(readonly partition: ResultPartition, protected readonly partitioner: StreamPartitioner) {}
  collect(value: unknown, timestamp: number | undefined): void {
    const ch = this.partitioner.selectChannel(value);
    if (ch < 0) this.partition.broadcastRecord(value, timestamp);
    else this.partition.emitRecord(ch, value, timestamp);
  }
  collectSide(): void { /* routed by OperatorChain; never reached */ }
  emitWatermark(watermark: number): void {
    this.lastWatermark = watermark;
    this.partition.broadcastEvent({ type: 'Watermark', timestamp: watermark });
  }
  emitWatermarkStatus(idle: boolean): void { this.partition.broadcastEvent({ type: 'WatermarkStatus', idle }); }
}

/**
 * keyBy edge (Flink's KeyGroupStreamPartitioner + RecordWriter): the key is selected once per record, routes
 * it, and travels with it to a consumer in this thread, which then does not select it again.
 */
export class KeyedRecordWriterOutput extends RecordWriterOutput {
  private readonly keyed: KeyGroupStreamPartitioner;
  private readonly keySelector: (v: unknown) => unknown;
  constructor(partition: ResultPartition, partitioner: KeyGroupStreamPartitioner) {
    super(partition, partitioner);
    this.keyed = partitioner;
    this.keySelector = partitioner.keySelector;
  }
  override collect(value: unknown, timestamp: number | undefined): void {
    const key = this.keySelector(value);
    this.partition.emitKeyedRecord(this.keyed.selectChannelForKey(key), value, key, timestamp);
  }
}
