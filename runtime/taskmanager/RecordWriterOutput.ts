import type { Output } from '../operators/StreamOperator.js';
import type { ResultPartition } from '../network/index.js';
import type { StreamPartitioner } from '../partitioner/StreamPartitioner.js';

/** Sends records leaving the chain into one network partition, picking subpartitions with the partitioner. */
export class RecordWriterOutput implements Output<unknown> {
  constructor(readonly partition: ResultPartition, private readonly partitioner: StreamPartitioner) {}
  collect(value: unknown, timestamp: number | undefined): void {
    const ch = this.partitioner.selectChannel(value);
    if (ch < 0) this.partition.broadcastRecord(value, timestamp);
    else this.partition.emitRecord(ch, value, timestamp);
  }
  collectSide(): void { /* routed by OperatorChain; never reached */ }
  emitWatermark(watermark: number): void { this.partition.broadcastEvent({ type: 'Watermark', timestamp: watermark }); }
  emitWatermarkStatus(idle: boolean): void { this.partition.broadcastEvent({ type: 'WatermarkStatus', idle }); }
}
