import { AbstractUdfStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator, StreamOperatorParameters } from './StreamOperator.js';
import { TimestampedCollector } from './TimestampedCollector.js';
import type { ProcessFunctionLike, ProcessContext, TimerService } from '../api/functions/ProcessFunction.js';
import type { OutputTag } from '../api/functions/Collector.js';

/** Non-keyed ProcessFunction: no keyed state, no timers (Flink rejects timers here too). */
export class ProcessOperator<IN, OUT> extends AbstractUdfStreamOperator<OUT, ProcessFunctionLike<IN, OUT>> implements OneInputStreamOperator<IN> {
  private collector!: TimestampedCollector<OUT>;
  private ctx!: NonKeyedContext;
  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    this.collector = new TimestampedCollector(this.output);
    this.ctx = new NonKeyedContext(this);
  }
  processElement(value: IN, timestamp: number | undefined): void {
    if (this.keySelector1 !== undefined) this.params.keyedStateBackend!.setCurrentKey(this.keySelector1(value));
    this.collector.timestamp = timestamp;
    this.ctx.ts = timestamp;
    this.userFunction.processElement(value, this.ctx, this.collector);
  }
  /** @internal */ emitSide(tag: OutputTag<unknown>, v: unknown, ts: number | undefined): void { this.output.collectSide(tag.id, v, ts); }
  /** @internal */ get watermark(): number { return this.currentWatermark; }
  /** @internal */ now(): number { return this.params.processingTimeService.getCurrentProcessingTime(); }
}

class NonKeyedContext implements ProcessContext, TimerService {
  ts: number | undefined;
  constructor(private readonly op: ProcessOperator<unknown, unknown>) {}
  timestamp(): number | null { return this.ts ?? null; }
  output<X>(tag: OutputTag<X>, value: X): void { this.op.emitSide(tag as OutputTag<unknown>, value, this.ts); }
  timerService(): TimerService { return this; }
  currentProcessingTime(): number { return this.op.now(); }
  currentWatermark(): number { return this.op.watermark; }
  registerEventTimeTimer(): void { throw timersOnlyKeyed(); }
  registerProcessingTimeTimer(): void { throw timersOnlyKeyed(); }
  deleteEventTimeTimer(): void { throw timersOnlyKeyed(); }
  deleteProcessingTimeTimer(): void { throw timersOnlyKeyed(); }
}

export function timersOnlyKeyed(): Error {
  return new Error('Setting timers is only supported on a keyed stream: use keyBy(...).process(new KeyedProcessFunction(...)).');
}
