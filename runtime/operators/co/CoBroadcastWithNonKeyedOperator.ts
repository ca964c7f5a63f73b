import { AbstractUdfStreamOperator } from '../AbstractStreamOperator.js';
import type { TwoInputStreamOperator, StreamOperatorParameters } from '../StreamOperator.js';
import { TimestampedCollector } from '../TimestampedCollector.js';
import type { OutputTag } from '../../api/functions/Collector.js';
import type { MapStateDescriptor } from '../../api/state/StateDescriptor.js';
import type { BroadcastProcessFunctionLike } from '../../api/functions/BroadcastProcessFunction.js';
import { BroadcastStates } from './BroadcastStates.js';
import { ReadOnlyContextImpl, ContextImpl, type BroadcastOperatorAccess } from './BroadcastContexts.js';

/**
 * Flink's CoBroadcastWithNonKeyedOperator: input 1 is the (non-keyed) data stream, input 2 the
 * broadcast stream; the user's BroadcastProcessFunction reads broadcast state on input 1 and
 * writes it on input 2.
 */
export class CoBroadcastWithNonKeyedOperator<IN1, IN2, OUT> extends AbstractUdfStreamOperator<OUT, BroadcastProcessFunctionLike<IN1, IN2, OUT>>
  implements TwoInputStreamOperator<IN1, IN2>, BroadcastOperatorAccess {
  private collector!: TimestampedCollector<OUT>;
  private states!: BroadcastStates;
  private readonly rctx = new ReadOnlyContextImpl(this);
  private readonly wctx = new ContextImpl(this);

  constructor(fn: BroadcastProcessFunctionLike<IN1, IN2, OUT>, private readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[]) { super(fn); }

  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    this.collector = new TimestampedCollector(this.output);
  }

  override async initializeState(): Promise<void> {
    await super.initializeState();
    this.states = new BroadcastStates(this.params.operatorStateStore, this.descriptors, this.operatorName);
  }

  processElement1(value: IN1, timestamp: number | undefined): void {
    this.collector.timestamp = timestamp; this.rctx.ts = timestamp;
    this.userFunction.processElement(value, this.rctx, this.collector);
  }

  processElement2(value: IN2, timestamp: number | undefined): void {
    this.collector.timestamp = timestamp; this.wctx.ts = timestamp;
    this.userFunction.processBroadcastElement(value, this.wctx, this.collector);
  }

  broadcastStates(): BroadcastStates { return this.states; }
  emitSide(tag: OutputTag<unknown>, v: unknown, ts: number | undefined): void { this.output.collectSide(tag.id, v, ts); }
  processingTime(): number { return this.params.processingTimeService.getCurrentProcessingTime(); }
  watermark(): number { return this.currentWatermark; }
}
