import { WindowOperator, type WindowOperatorConfig } from './WindowOperator.js';
import type { Window } from '../../api/windowing/windows/Window.js';
import { TimestampedValue, type Evictor, type EvictorContext } from '../../api/windowing/evictors/Evictor.js';
import type { ListState } from '../../api/state/State.js';

/** How the evicting operator stores an element: value and timestamp (null when none). */
type StoredRecord = [unknown, number | null];

/**
 * Flink's EvictingWindowOperator: keeps every element with its timestamp (no pre-aggregation),
 * and lets the evictor remove elements before and after the window function runs.
 */
export class EvictingWindowOperator<IN, OUT, K, W extends Window> extends WindowOperator<IN, Iterable<IN>, OUT, K, W> {
  private readonly evictorContext: EvictorContext;

  constructor(config: Omit<WindowOperatorConfig<IN, K, W>, 'contents'>, private readonly evictor: Evictor<IN, W>) {
    super({ ...config, contents: { kind: 'list' } });
    if (!evictor || typeof evictor.evictBefore !== 'function' || typeof evictor.evictAfter !== 'function') {
      throw new TypeError('evictor: expected an Evictor (an object with evictBefore() and evictAfter()), e.g. CountEvictor.of(10).');
    }
    this.evictorContext = {
      getCurrentProcessingTime: () => this.triggerContext.getCurrentProcessingTime(),
      getCurrentWatermark: () => this.triggerContext.getCurrentWatermark(),
      getMetricGroup: () => this.params.metricGroup,
    };
  }

  protected override toStored(value: IN, timestamp: number | undefined): unknown { return [value, timestamp ?? null] satisfies StoredRecord; }

  protected override emitWindowContents(window: W, contents: unknown): void {
    const records = (contents as StoredRecord[]).map(([v, t]) => new TimestampedValue<IN>(v as IN, t ?? undefined));
    this.evictor.evictBefore(records, records.length, window, this.evictorContext);
    this.collector.timestamp = window.maxTimestamp();
    this.processContext.window = window;
    this.windowFunction.process(this.triggerContext.key, window, this.processContext, records.map((r) => r.value), this.collector);
    this.evictor.evictAfter(records, records.length, window, this.evictorContext);
    // Keep only what survived eviction (FLINK-4369).
    (this.windowContents as unknown as ListState<StoredRecord>).update(records.map((r) => [r.value, r.timestamp ?? null] as StoredRecord));
  }
}
