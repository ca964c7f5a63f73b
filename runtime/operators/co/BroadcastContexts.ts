import type { OutputTag } from '../../api/functions/Collector.js';
import type { MapStateDescriptor } from '../../api/state/StateDescriptor.js';
import type { BroadcastState, ReadOnlyBroadcastState } from '../../api/state/State.js';
import type { BroadcastContext, ReadOnlyBroadcastContext } from '../../api/functions/BroadcastProcessFunction.js';
import type { BroadcastStates } from './BroadcastStates.js';

/** What both broadcast operators give their contexts. */
export interface BroadcastOperatorAccess {
  broadcastStates(): BroadcastStates;
  emitSide(tag: OutputTag<unknown>, v: unknown, ts: number | undefined): void;
  processingTime(): number;
  watermark(): number;
}

/** Flink's BaseBroadcastProcessFunction.BaseContext; `ts` is set per element. */
abstract class BaseContextImpl {
  ts: number | undefined;
  constructor(protected readonly op: BroadcastOperatorAccess) {}
  timestamp(): number | null { return this.ts ?? null; }
  output<X>(tag: OutputTag<X>, value: X): void {
    if (!tag || typeof tag.id !== 'string') throw new TypeError('ctx.output: expected an OutputTag.');
    this.op.emitSide(tag as OutputTag<unknown>, value, this.ts);
  }
  currentProcessingTime(): number { return this.op.processingTime(); }
  currentWatermark(): number { return this.op.watermark(); }
}

/** The data side's context: broadcast state read-only. */
export class ReadOnlyContextImpl extends BaseContextImpl implements ReadOnlyBroadcastContext {
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> { return this.op.broadcastStates().getReadOnly(desc); }
}

/** The broadcast side's context: broadcast state writable. */
export class ContextImpl extends BaseContextImpl implements BroadcastContext {
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): BroadcastState<K, V> { return this.op.broadcastStates().get(desc); }
}
