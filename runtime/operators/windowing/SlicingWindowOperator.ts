import { AbstractStreamOperator } from '../AbstractStreamOperator.js';
import type { OneInputStreamOperator, StreamOperatorParameters } from '../StreamOperator.js';
import { TimestampedCollector } from '../TimestampedCollector.js';
import type { InternalTimer, InternalTimerService } from '../timers/InternalTimerService.js';
import type { OutputTag } from '../../api/functions/Collector.js';
import type { Counter } from '../../api/functions/RuntimeContext.js';
import type { AggregateFunction } from '../../api/functions/Functions.js';
import type { ListState, MapState } from '../../api/state/State.js';
import { ListStateDescriptor, MapStateDescriptor, type StateDescriptor } from '../../api/state/StateDescriptor.js';
import { TimeWindow } from '../../api/windowing/windows/TimeWindow.js';
import { requireTimestamp } from '../../api/windowing/assigners/WindowAssigner.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../api/eventtime/WatermarkStrategy.js';
import { NamespacedStateStore } from './NamespacedStateStore.js';
import { WindowTimerService } from './WindowTimerService.js';
import { WindowProcessContext } from './WindowOperator.js';
import { openUserFunctions, closeUserFunctions, type InternalWindowFunction } from './InternalWindowFunction.js';

export interface SlicingWindowOperatorConfig<IN, K> {
  /** Sliding windows of `size` every `slide` starting at `offset` (SlidingEventTimeWindows.of / SlidingProcessingTimeWindows.of). */
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  /** Windows by the operator's clock (SlidingProcessingTimeWindows with ProcessingTimeTrigger): no lateness, fire and cleanup at the window's end. */
  readonly processingTime?: boolean;
  readonly allowedLateness: number;
  readonly lateDataOutputTag: OutputTag<IN> | undefined;
  /** The pre-aggregation; `merge` combines the panes of a window. */
  readonly aggregate: AggregateFunction<IN, unknown, unknown>;
  /** Gets getResult(acc) of each window (pass-through or a ProcessWindowFunction / WindowFunction). */
  readonly windowFunction: InternalWindowFunction<unknown, unknown, K, TimeWindow>;
}

const PANES_STATE = 'window-panes';
const RESTORED_WINDOWS_STATE = 'window-panes/restored-windows';
const WATERMARK_STATE = 'window-panes/watermark';
const REFIRE_STATE = 'window-panes/refire';

const gcd = (a: number, b: number): number => { while (b !== 0) { const t = a % b; a = b; b = t; } return a; };

/**
 * Sliding event-time windows with the default EventTimeTrigger (or processing-time windows with the
 * default ProcessingTimeTrigger: `processingTime`) and an incremental aggregate, by
 * slicing (pane-based pre-aggregation, as Arroyo and RisingWave do): each element goes into one
 * pane of gcd(size, slide) ms per key instead of size/slide windows; a window's result merges its
 * panes when it fires. Fires, late re-fires within allowedLateness, late side output and cleanup
 * are Flink's WindowOperator's, window by window. Panes are a keyed MapState (pane start → acc)
 * and timers live in the operator's timer service, so both are checkpointed and rescaled by key group.
 * A pane is dropped at the cleanup time of the last window that contains it.
 *
 * After a restore the watermark starts again from MIN (as in Flink), so windows that had fired or
 * were cleaned up before the checkpoint take elements again: until the watermark is back at the
 * checkpoint's, every element registers its windows' timers, and a window already cleaned up then
 * (cleanup time <= that watermark) keeps its own accumulator, as WindowOperator's fresh window would;
 * a window that fired before fires at its end again only if such an element registered it.
 */
export class SlicingWindowOperator<IN, OUT, K> extends AbstractStreamOperator<OUT> implements OneInputStreamOperator<IN> {
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly pane: number;
  private readonly lateness: number;
  private readonly processingTime: boolean;
  private readonly lateDataOutputTag: OutputTag<IN> | undefined;
  private readonly agg: AggregateFunction<IN, unknown, unknown>;
  private readonly windowFunction: InternalWindowFunction<unknown, OUT, K, TimeWindow>;

  private collector!: TimestampedCollector<OUT>;
  private panes!: MapState<number, unknown>;
  private timers!: InternalTimerService;
  private processContext!: WindowProcessContext<IN, K, TimeWindow>;
  private numLateRecordsDropped!: Counter;
  private restoredWindows!: MapState<number, unknown>;
  /** Windows that fired before the restored checkpoint and got a new fire timer since. */
  private refire!: MapState<number, boolean>;
  private watermarkState!: ListState<number>;
  /** The (max) watermark of the checkpoint restored from; MIN on a fresh start. */
  private restoredWatermark = MIN_WATERMARK;

  constructor(config: SlicingWindowOperatorConfig<IN, K>) {
    super();
    const { size, slide, offset, allowedLateness } = config;
    if (!(Number.isSafeInteger(size) && Number.isSafeInteger(slide) && Number.isSafeInteger(offset) && size > 0 && slide > 0 && Math.abs(offset) < slide)) {
      throw new RangeError(`SlicingWindowOperator: size and slide must be positive integers (ms) and abs(offset) < slide; got size ${size}, slide ${slide}, offset ${offset}.`);
    }
    if (!(Number.isFinite(allowedLateness) && allowedLateness >= 0)) throw new RangeError(`SlicingWindowOperator: the allowed lateness must be >= 0 ms, got ${allowedLateness}.`);
    if (typeof config.aggregate.merge !== 'function') throw new TypeError('SlicingWindowOperator: the AggregateFunction needs merge(a, b) to combine panes; use WindowOperator without it.');
    this.size = size; this.slide = slide; this.offset = offset; this.pane = gcd(size, slide);
    this.processingTime = config.processingTime === true;
    // Flink: lateness only applies to event time; processing-time windows are cleaned up at their end.
    this.lateness = this.processingTime ? 0 : allowedLateness;
    this.lateDataOutputTag = config.lateDataOutputTag;
    this.agg = config.aggregate;
    this.windowFunction = config.windowFunction as InternalWindowFunction<unknown, OUT, K, TimeWindow>;
  }

  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    const backend = this.keyedBackend;
    const where = `Window operator '${p.operatorName}'`;
    this.collector = new TimestampedCollector(this.output);
    this.panes = backend.getPartitionedState(new MapStateDescriptor<number, unknown>(PANES_STATE) as StateDescriptor<unknown, unknown>);
    this.timers = this.getTimerService();
    // Per-window state of a ProcessWindowFunction, as in WindowOperator.
    const scoped = new NamespacedStateStore(backend, 'window-state/', where);
    this.processContext = new WindowProcessContext<IN, K, TimeWindow>(this.windowFunction, scoped, new WindowTimerService(backend, this.timers),
      TimeWindow.serializer, this.runtimeContext, (tag, v, ts) => this.output.collectSide(tag.id, v, ts));
    this.numLateRecordsDropped = p.metricGroup.counter('numLateRecordsDropped');
    this.restoredWindows = backend.getPartitionedState(new MapStateDescriptor<number, unknown>(RESTORED_WINDOWS_STATE) as StateDescriptor<unknown, unknown>);
    this.refire = backend.getPartitionedState(new MapStateDescriptor<number, boolean>(REFIRE_STATE) as StateDescriptor<unknown, unknown>);
  }

  override initializeState(): void {
    // Union state: after a rescale each subtask takes the max of all old subtasks' watermarks.
    this.watermarkState = this.params.operatorStateStore.getUnionListState(new ListStateDescriptor<number>(WATERMARK_STATE));
    // Processing-time windows do not depend on the watermark: no restore line (see the class comment).
    if (!this.processingTime) for (const w of this.watermarkState.get()) if (w > this.restoredWatermark) this.restoredWatermark = w;
  }

  override snapshotState(): void {
    const wm = this.timers.currentWatermark;
    this.watermarkState.update([wm > this.restoredWatermark ? wm : this.restoredWatermark]);
  }

  override async open(): Promise<void> {
    await openUserFunctions(this.windowFunction.userFunctions, this.runtimeContext, { taskInfo: this.params.taskInfo });
  }

  override async close(): Promise<void> {
    super.close();
    await closeUserFunctions(this.windowFunction.userFunctions);
  }

  /** maxTimestamp + allowedLateness of the window starting at `start` (MAX when that overflows). */
  private cleanupTime(start: number): number {
    const t = start + this.size - 1 + this.lateness;
    return t >= MAX_WATERMARK ? MAX_WATERMARK : t;
  }

  private isAligned(start: number): boolean { return TimeWindow.getWindowStartWithOffset(start, this.offset, this.slide) === start; }

  processElement(value: IN, timestamp: number | undefined): void {
    this.setKeyContextElement1(value);
    if (this.processingTime) { this.processElementByClock(value); return; }
    const ts = requireTimestamp(timestamp, 'SlidingEventTimeWindows');
    const wm = this.timers.currentWatermark;
    const size = this.size, slide = this.slide;
    const lastStart = TimeWindow.getWindowStartWithOffset(ts, this.offset, slide);
    // The latest window is the last to become late: if it is late (or there is none, slide > size), all are.
    if (!(lastStart > ts - size) || this.cleanupTime(lastStart) <= wm) {
      if (ts + this.lateness <= wm) {
        if (this.lateDataOutputTag) this.output.collectSide(this.lateDataOutputTag.id, value, ts);
        else this.numLateRecordsDropped.inc();
      }
      return;
    }
    const agg = this.agg;
    const paneStart = TimeWindow.getWindowStartWithOffset(ts, this.offset, this.pane);
    const prev = this.panes.get(paneStart);
    this.panes.put(paneStart, agg.add(value, prev === undefined ? agg.createAccumulator() : prev));
    const recovering = wm < this.restoredWatermark;
    // The element's live windows, latest first (WindowOperator's order): a new pane registers their
    // timers (an existing pane already did: windows only become late), a window already past its end fires now.
    for (let start = lastStart; start > ts - size; start -= slide) {
      const cleanup = this.cleanupTime(start);
      if (cleanup <= wm) break;
      if (recovering && cleanup <= this.restoredWatermark) {
        const acc = this.restoredWindows.get(start);
        this.restoredWindows.put(start, agg.add(value, acc === undefined ? agg.createAccumulator() : acc));
      }
      const maxTs = start + size - 1;
      const register = prev === undefined || recovering;
      if (maxTs <= wm) this.fire(start);
      else if (register) {
        this.timers.registerEventTimeTimer(maxTs);
        if (recovering && maxTs <= this.restoredWatermark) this.refire.put(start, true);
      }
      if (register && cleanup !== MAX_WATERMARK) this.timers.registerEventTimeTimer(cleanup);
    }
  }

  override onEventTime(timer: InternalTimer): void {
    const t = timer.timestamp;
    const size = this.size;
    // The window ending at t fires; then the window whose cleanup time is t goes (after: its last panes may be shared).
    // A window that fired before the restored checkpoint fires again only if an element asked for it since.
    const fireStart = t + 1 - size;
    if (this.isAligned(fireStart)) {
      if (t > this.restoredWatermark) this.fire(fireStart);
      else if (this.refire.get(fireStart) !== undefined) { this.refire.remove(fireStart); this.fire(fireStart); }
    }
    const cleanStart = t - this.lateness + 1 - size;
    if (this.isAligned(cleanStart) && this.cleanupTime(cleanStart) === t) this.cleanup(cleanStart);
  }

  /**
   * Processing time: the element goes into the pane of the current time; every window containing
   * now ends in the future, so none is late. A new pane registers its windows' end timers (an existing
   * pane did already), as ProcessingTimeTrigger does per window.
   */
  private processElementByClock(value: IN): void {
    const now = this.timers.currentProcessingTime();
    const agg = this.agg;
    const paneStart = TimeWindow.getWindowStartWithOffset(now, this.offset, this.pane);
    const prev = this.panes.get(paneStart);
    this.panes.put(paneStart, agg.add(value, prev === undefined ? agg.createAccumulator() : prev));
    if (prev !== undefined) return;
    for (let start = TimeWindow.getWindowStartWithOffset(now, this.offset, this.slide); start > now - this.size; start -= this.slide) {
      this.timers.registerProcessingTimeTimer(start + this.size - 1);
    }
  }

  /** Processing time: the window ending at the timer fires and is cleaned up (its cleanup time is its end). */
  override onProcessingTime(timer: InternalTimer): void {
    if (!this.processingTime) return;
    const start = timer.timestamp + 1 - this.size;
    if (!this.isAligned(start)) return;
    this.fire(start);
    this.cleanup(start);
  }

  /** Cleaned up before the restored checkpoint: the window has its own accumulator (see the class comment). */
  private isRestoredWindow(start: number): boolean { return this.cleanupTime(start) <= this.restoredWatermark; }

  /** The window's accumulator merged from its panes; undefined when all are empty. */
  private windowAccumulator(start: number): unknown {
    if (this.isRestoredWindow(start)) return this.restoredWindows.get(start);
    const agg = this.agg, end = start + this.size;
    let acc: unknown;
    for (let s = start; s < end; s += this.pane) {
      const p = this.panes.get(s);
      if (p !== undefined) acc = agg.merge(acc === undefined ? agg.createAccumulator() : acc, p);
    }
    return acc;
  }

  private fire(start: number): void {
    const acc = this.windowAccumulator(start);
    if (acc === undefined) return;
    const window = new TimeWindow(start, start + this.size);
    this.collector.timestamp = window.maxTimestamp();
    this.processContext.window = window;
    this.windowFunction.process(this.keyedBackend.getCurrentKey() as K, window, this.processContext, this.agg.getResult(acc), this.collector);
  }

  /** Cleanup of the window at `start`: its per-window function state, and the panes it is the last window of. */
  private cleanup(start: number): void {
    const end = start + this.size;
    let hadContents = false;
    if (this.isRestoredWindow(start)) {
      hadContents = this.restoredWindows.get(start) !== undefined;
      this.restoredWindows.remove(start);
    } else {
      for (let s = start; s < end && !hadContents; s += this.pane) hadContents = this.panes.get(s) !== undefined;
    }
    if (!hadContents) return;
    this.processContext.window = new TimeWindow(start, end);
    this.processContext.clear();
    const lastPaneEnd = Math.min(start + this.slide, end);
    for (let s = start; s < lastPaneEnd; s += this.pane) this.panes.remove(s);
  }

  /** @internal for tests: keys with panes. */
  numKeysWithPanes(): number { return this.keyedBackend.numKeys(PANES_STATE); }
}
