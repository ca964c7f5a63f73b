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
 * writes it on input 2. In BATCH the broadcast side comes first (Flink's
 * BatchCoBroadcastWithNonKeyedOperator selects that input until it ends): the data side, and the
 * watermark, are held until the end of input and then processed with the complete broadcast state.
 */
export class CoBroadcastWithNonKeyedOperator<IN1, IN2, OUT> extends AbstractUdfStreamOperator<OUT, BroadcastProcessFunctionLike<IN1, IN2, OUT>>
  implements TwoInputStreamOperator<IN1, IN2>, BroadcastOperatorAccess {
  private collector!: TimestampedCollector<OUT>;
  private states!: BroadcastStates;
  private readonly rctx = new ReadOnlyContextImpl(this);
  private readonly wctx = new ContextImpl(this);

  constructor(fn: BroadcastProcessFunctionLike<IN1, IN2, OUT>, private readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[]) { super(fn); }

  /** BATCH: data-side records (and the last watermark) waiting for the end of the broadcast input. */
  private held: { values: IN1[]; timestamps: Array<number | undefined>; watermark: number | undefined } | null = null;

  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    this.collector = new TimestampedCollector(this.output);
    if (p.runtimeMode === 'BATCH') this.held = { values: [], timestamps: [], watermark: undefined };
  }

  override async initializeState(): Promise<void> {
    await super.initializeState();
    this.states = new BroadcastStates(this.params.operatorStateStore, this.descriptors, this.operatorName);
  }

  processElement1(value: IN1, timestamp: number | undefined): void {
    if (this.held) { this.held.values.push(value); this.held.timestamps.push(timestamp); return; }
    this.collector.timestamp = timestamp; this.rctx.ts = timestamp;
    this.userFunction.processElement(value, this.rctx, this.collector);
  }

  processElement2(value: IN2, timestamp: number | undefined): void {
    this.collector.timestamp = timestamp; this.wctx.ts = timestamp;
    this.userFunction.processBroadcastElement(value, this.wctx, this.collector);
  }

  override processWatermark(mark: number): void {
    if (this.held) { this.held.watermark = mark; return; }
    super.processWatermark(mark);
  }

  override async finish(): Promise<void> {
    const held = this.held;
    if (held) {
      this.held = null;
      for (let i = 0; i < held.values.length; i++) this.processElement1(held.values[i]!, held.timestamps[i]);
      if (held.watermark !== undefined) super.processWatermark(held.watermark);
    }
    await super.finish();
  }

  broadcastStates(): BroadcastStates { return this.states; }
  emitSide(tag: OutputTag<unknown>, v: unknown, ts: number | undefined): void { this.output.collectSide(tag.id, v, ts); }
  processingTime(): number { return this.params.processingTimeService.getCurrentProcessingTime(); }
  watermark(): number { return this.currentWatermark; }
}
