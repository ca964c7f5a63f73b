import { AbstractUdfStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator, StreamOperatorParameters } from './StreamOperator.js';
import { TimestampedCollector } from './TimestampedCollector.js';
import type { KeyedProcessFunctionLike, KeyedOnTimerContext, TimeDomain, TimerService } from '../api/functions/ProcessFunction.js';
import type { OutputTag } from '../api/functions/Collector.js';
import type { InternalTimer, InternalTimerService } from './timers/InternalTimerService.js';

export class KeyedProcessOperator<K, IN, OUT> extends AbstractUdfStreamOperator<OUT, KeyedProcessFunctionLike<K, IN, OUT>> implements OneInputStreamOperator<IN> {
  private collector!: TimestampedCollector<OUT>;
  private ctx!: KeyedContext<K>;
  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    this.collector = new TimestampedCollector(this.output);
    this.ctx = new KeyedContext<K>(this, this.getTimerService());
  }
  processElement(value: IN, timestamp: number | undefined): void {
    this.setKeyContextElement1(value);
    this.collector.timestamp = timestamp;
    this.ctx.ts = timestamp;
    this.ctx.domain = null;
    this.userFunction.processElement(value, this.ctx, this.collector);
  }
  override onEventTime(t: InternalTimer): void { this.fire(t, 'EVENT_TIME', t.timestamp); }
  override onProcessingTime(t: InternalTimer): void { this.fire(t, 'PROCESSING_TIME', undefined); }
  private fire(t: InternalTimer, domain: TimeDomain, ts: number | undefined): void {
    if (!this.userFunction.onTimer) return;
    this.collector.timestamp = ts;
    this.ctx.ts = ts;
    this.ctx.domain = domain;
    this.userFunction.onTimer(t.timestamp, this.ctx, this.collector);
  }
  /** @internal */ emitSide(tag: OutputTag<unknown>, v: unknown, ts: number | undefined): void { this.output.collectSide(tag.id, v, ts); }
  /** @internal */ currentKey(): unknown { return this.keyedBackend.getCurrentKey(); }
}

/** The user's view of an operator's keyed timer service (ctx.timerService()). */
export function userTimerService(timers: InternalTimerService): TimerService {
  return {
    currentProcessingTime: () => timers.currentProcessingTime(),
    currentWatermark: () => timers.currentWatermark,
    registerEventTimeTimer: (t) => timers.registerEventTimeTimer(t),
    registerProcessingTimeTimer: (t) => timers.registerProcessingTimeTimer(t),
    deleteEventTimeTimer: (t) => timers.deleteEventTimeTimer(t),
    deleteProcessingTimeTimer: (t) => timers.deleteProcessingTimeTimer(t),
  };
}

/** Context shared by processElement and onTimer (Flink's ContextImpl/OnTimerContextImpl). */
export class KeyedContext<K> implements KeyedOnTimerContext<K> {
  ts: number | undefined;
  domain: TimeDomain | null = null;
  private readonly ts_: TimerService;
  constructor(private readonly op: { emitSide(tag: OutputTag<unknown>, v: unknown, ts: number | undefined): void; currentKey(): unknown }, timers: InternalTimerService) {
    this.ts_ = userTimerService(timers);
  }
  timestamp(): number | null { return this.ts ?? null; }
  output<X>(tag: OutputTag<X>, value: X): void { this.op.emitSide(tag as OutputTag<unknown>, value, this.ts); }
  timerService(): TimerService { return this.ts_; }
  getCurrentKey(): K { return this.op.currentKey() as K; }
  timeDomain(): TimeDomain {
    if (this.domain === null) throw new Error('timeDomain() is only available in onTimer.');
    return this.domain;
  }
}
