import { AbstractUdfStreamOperator } from '../AbstractStreamOperator.js';
import type { TwoInputStreamOperator, StreamOperatorParameters } from '../StreamOperator.js';
import { TimestampedCollector } from '../TimestampedCollector.js';
import type { InternalTimer } from '../timers/InternalTimerService.js';
import { userTimerService } from '../KeyedProcessOperator.js';
import type { OutputTag } from '../../api/functions/Collector.js';
import type { TimeDomain, TimerService } from '../../api/functions/ProcessFunction.js';
import type { State } from '../../api/state/State.js';
import type { MapStateDescriptor, StateDescriptor } from '../../api/state/StateDescriptor.js';
import type {
  KeyedBroadcastProcessFunctionLike, KeyedBroadcastContext, KeyedBroadcastOnTimerContext,
} from '../../api/functions/BroadcastProcessFunction.js';
import { BroadcastStates } from './BroadcastStates.js';
import { BroadcastSideRuntimeContext } from './BroadcastSideRuntimeContext.js';
import { ReadOnlyContextImpl, ContextImpl, type BroadcastOperatorAccess } from './BroadcastContexts.js';

/**
 * Flink's CoBroadcastWithKeyedOperator: input 1 is a keyed stream (keyed state and timers per key,
 * broadcast state read-only), input 2 the broadcast stream (broadcast state writable, and every
 * key's keyed state through applyToKeyedState).
 */
export class CoBroadcastWithKeyedOperator<K, IN1, IN2, OUT> extends AbstractUdfStreamOperator<OUT, KeyedBroadcastProcessFunctionLike<K, IN1, IN2, OUT>>
  implements TwoInputStreamOperator<IN1, IN2>, BroadcastOperatorAccess {
  private collector!: TimestampedCollector<OUT>;
  private states!: BroadcastStates;
  private rctx!: KeyedReadOnlyContextImpl<K>;
  private wctx!: KeyedContextImpl<K>;

  constructor(fn: KeyedBroadcastProcessFunctionLike<K, IN1, IN2, OUT>, private readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[]) { super(fn); }

  /** True while a broadcast element is processed outside applyToKeyedState: no key is set then. */
  private onBroadcastSide = false;

  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    this.runtimeContext = new BroadcastSideRuntimeContext(p, () => this.onBroadcastSide);
    this.collector = new TimestampedCollector(this.output);
    const ts = userTimerService(this.getTimerService());
    const backend = this.keyedBackend;
    backend.enableKeyIteration?.(); // applyToKeyedState iterates every key synchronously
    this.rctx = new KeyedReadOnlyContextImpl<K>(this, ts, () => backend.getCurrentKey() as K);
    this.wctx = new KeyedContextImpl<K>(this, (desc, fn) => {
      const was = this.onBroadcastSide;
      this.onBroadcastSide = false;
      try { backend.applyToAllKeys(desc, fn as (key: unknown, state: State) => void); } finally { this.onBroadcastSide = was; }
    });
  }

  override async initializeState(): Promise<void> {
    await super.initializeState();
    this.states = new BroadcastStates(this.params.operatorStateStore, this.descriptors, this.operatorName);
  }

  processElement1(value: IN1, timestamp: number | undefined): void {
    this.setKeyContextElement1(value);
    this.collector.timestamp = timestamp; this.rctx.ts = timestamp; this.rctx.domain = null;
    this.userFunction.processElement(value, this.rctx, this.collector);
  }

  processElement2(value: IN2, timestamp: number | undefined): void {
    this.collector.timestamp = timestamp; this.wctx.ts = timestamp;
    this.onBroadcastSide = true;
    try { this.userFunction.processBroadcastElement(value, this.wctx, this.collector); } finally { this.onBroadcastSide = false; }
  }

  override onEventTime(t: InternalTimer): void { this.fire(t, 'EVENT_TIME', t.timestamp); }
  override onProcessingTime(t: InternalTimer): void { this.fire(t, 'PROCESSING_TIME', undefined); }
  private fire(t: InternalTimer, domain: TimeDomain, ts: number | undefined): void {
    if (!this.userFunction.onTimer) return;
    this.collector.timestamp = ts; this.rctx.ts = ts; this.rctx.domain = domain;
    this.userFunction.onTimer(t.timestamp, this.rctx, this.collector);
  }

  broadcastStates(): BroadcastStates { return this.states; }
  emitSide(tag: OutputTag<unknown>, v: unknown, ts: number | undefined): void { this.output.collectSide(tag.id, v, ts); }
  processingTime(): number { return this.params.processingTimeService.getCurrentProcessingTime(); }
  watermark(): number { return this.currentWatermark; }
}

/** The keyed side's context, also the onTimer context (Flink's ReadOnlyContextImpl / OnTimerContextImpl). */
class KeyedReadOnlyContextImpl<K> extends ReadOnlyContextImpl implements KeyedBroadcastOnTimerContext<K> {
  domain: TimeDomain | null = null;
  constructor(op: BroadcastOperatorAccess, private readonly timers: TimerService, private readonly key: () => K) { super(op); }
  timerService(): TimerService { return this.timers; }
  getCurrentKey(): K { return this.key(); }
  timeDomain(): TimeDomain {
    if (this.domain === null) throw new Error('timeDomain() is only available in onTimer.');
    return this.domain;
  }
}

/** The broadcast side's context of a keyed broadcast function. */
class KeyedContextImpl<K> extends ContextImpl implements KeyedBroadcastContext<K> {
  constructor(op: BroadcastOperatorAccess, private readonly apply: (desc: StateDescriptor<unknown, unknown>, fn: (key: K, state: never) => void) => void) { super(op); }
  applyToKeyedState(desc: StateDescriptor<unknown, unknown>, fn: (key: K, state: never) => void): void {
    if (!desc || typeof desc.name !== 'string') throw new TypeError('applyToKeyedState: expected a state descriptor, e.g. new ValueStateDescriptor(name).');
    if (typeof fn !== 'function') throw new TypeError('applyToKeyedState: expected a function (key, state) => void.');
    this.apply(desc, fn);
  }
}
