import { AbstractUdfStreamOperator } from './AbstractStreamOperator.js';
import type { TwoInputStreamOperator, StreamOperatorParameters } from './StreamOperator.js';
import { TimestampedCollector } from './TimestampedCollector.js';
import type { CoProcessFunctionLike, KeyedCoProcessFunctionLike, ProcessContext, TimerService } from '../api/functions/ProcessFunction.js';
import type { OutputTag } from '../api/functions/Collector.js';
import { KeyedContext } from './KeyedProcessOperator.js';
import type { InternalTimer } from './timers/InternalTimerService.js';
import { timersOnlyKeyed } from './ProcessOperator.js';

export class CoProcessOperator<I1, I2, OUT> extends AbstractUdfStreamOperator<OUT, CoProcessFunctionLike<I1, I2, OUT>> implements TwoInputStreamOperator<I1, I2> {
  private collector!: TimestampedCollector<OUT>;
  private ctx!: ProcessContext & { ts: number | undefined };
  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    this.collector = new TimestampedCollector(this.output);
    const op = this;
    const timers: TimerService = {
      currentProcessingTime: () => p.processingTimeService.getCurrentProcessingTime(),
      currentWatermark: () => op.currentWatermark,
      registerEventTimeTimer: () => { throw timersOnlyKeyed(); },
      registerProcessingTimeTimer: () => { throw timersOnlyKeyed(); },
      deleteEventTimeTimer: () => { throw timersOnlyKeyed(); },
      deleteProcessingTimeTimer: () => { throw timersOnlyKeyed(); },
    };
    this.ctx = {
      ts: undefined,
      timestamp() { return this.ts ?? null; },
      output<X>(tag: OutputTag<X>, v: X) { op.output.collectSide(tag.id, v, this.ts); },
      timerService: () => timers,
    };
  }
  processElement1(value: I1, timestamp: number | undefined): void {
    this.collector.timestamp = timestamp; this.ctx.ts = timestamp;
    this.userFunction.processElement1(value, this.ctx, this.collector);
  }
  processElement2(value: I2, timestamp: number | undefined): void {
    this.collector.timestamp = timestamp; this.ctx.ts = timestamp;
    this.userFunction.processElement2(value, this.ctx, this.collector);
  }
}

export class KeyedCoProcessOperator<K, I1, I2, OUT> extends AbstractUdfStreamOperator<OUT, KeyedCoProcessFunctionLike<K, I1, I2, OUT>> implements TwoInputStreamOperator<I1, I2> {
  private collector!: TimestampedCollector<OUT>;
  private ctx!: KeyedContext<K>;
  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    this.collector = new TimestampedCollector(this.output);
    this.ctx = new KeyedContext<K>({
      emitSide: (tag, v, ts) => this.output.collectSide(tag.id, v, ts),
      currentKey: () => this.keyedBackend.getCurrentKey(),
    }, this.getTimerService());
  }
  processElement1(value: I1, timestamp: number | undefined): void {
    this.setKeyContextElement1(value);
    this.collector.timestamp = timestamp; this.ctx.ts = timestamp; this.ctx.domain = null;
    this.userFunction.processElement1(value, this.ctx, this.collector);
  }
  processElement2(value: I2, timestamp: number | undefined): void {
    this.setKeyContextElement2(value);
    this.collector.timestamp = timestamp; this.ctx.ts = timestamp; this.ctx.domain = null;
    this.userFunction.processElement2(value, this.ctx, this.collector);
  }
  override onEventTime(t: InternalTimer): void { this.fire(t, 'EVENT_TIME', t.timestamp); }
  override onProcessingTime(t: InternalTimer): void { this.fire(t, 'PROCESSING_TIME', undefined); }
  private fire(t: InternalTimer, domain: 'EVENT_TIME' | 'PROCESSING_TIME', ts: number | undefined): void {
    if (!this.userFunction.onTimer) return;
    this.collector.timestamp = ts; this.ctx.ts = ts; this.ctx.domain = domain;
    this.userFunction.onTimer(t.timestamp, this.ctx, this.collector);
  }
}
