import { AbstractStreamOperator } from '../AbstractStreamOperator.js';
import type { OneInputStreamOperator, StreamOperatorParameters } from '../StreamOperator.js';
import { TimestampedCollector } from '../TimestampedCollector.js';
import type { InternalTimer } from '../timers/InternalTimerService.js';
import type { OutputTag } from '../../api/functions/Collector.js';
import type { Counter, MetricGroup } from '../../api/functions/RuntimeContext.js';
import type { AggregateFunction } from '../../api/functions/Functions.js';
import type { State, ListState } from '../../api/state/State.js';
import {
  ListStateDescriptor, ReducingStateDescriptor, AggregatingStateDescriptor, type StateDescriptor,
} from '../../api/state/StateDescriptor.js';
import type { Window, WindowSerializer } from '../../api/windowing/windows/Window.js';
import { MergingWindowAssigner, type WindowAssigner, type WindowAssignerContext } from '../../api/windowing/assigners/WindowAssigner.js';
import type { Trigger, TriggerResult, OnMergeContext } from '../../api/windowing/triggers/Trigger.js';
import type { ProcessWindowContext, KeyedStateStore } from '../../api/windowing/functions/ProcessWindowFunction.js';
import { MAX_WATERMARK } from '../../api/eventtime/WatermarkStrategy.js';
import { NamespacedStateStore } from './NamespacedStateStore.js';
import { WindowTimerService } from './WindowTimerService.js';
import { MergingWindowSet } from './MergingWindowSet.js';
import { openUserFunctions, closeUserFunctions, type InternalWindowFunction } from './InternalWindowFunction.js';

/** How the window keeps its elements: all of them, or incrementally pre-aggregated. */
export type WindowContents<IN> =
  | { readonly kind: 'list' }
  | { readonly kind: 'reducing'; readonly reduce: (a: IN, b: IN) => IN }
  | { readonly kind: 'aggregating'; readonly aggregate: AggregateFunction<IN, unknown, unknown> };

export interface WindowOperatorConfig<IN, K, W extends Window> {
  readonly windowAssigner: WindowAssigner<IN, W>;
  readonly trigger: Trigger<IN, W>;
  readonly allowedLateness: number;
  readonly lateDataOutputTag: OutputTag<IN> | undefined;
  readonly contents: WindowContents<IN>;
  readonly windowFunction: InternalWindowFunction<unknown, unknown, K, W>;
}

const CONTENTS_STATE = 'window-contents';
const MERGING_SET_STATE = 'merging-window-set';

/**
 * Flink's WindowOperator: assigns each element to windows, keeps their contents in keyed state
 * (one namespace per window), asks the trigger when to evaluate, and cleans a window up once the
 * watermark passes maxTimestamp + allowedLateness. Session windows merge through a MergingWindowSet.
 * Contents, trigger state, the merging set and the timers are all keyed state, so a checkpoint
 * holds them and a restore (or rescale) continues exactly.
 */
export class WindowOperator<IN, ACC, OUT, K, W extends Window> extends AbstractStreamOperator<OUT> implements OneInputStreamOperator<IN> {
  protected readonly assigner: WindowAssigner<IN, W>;
  protected readonly trigger: Trigger<IN, W>;
  protected readonly allowedLateness: number;
  protected readonly lateDataOutputTag: OutputTag<IN> | undefined;
  protected readonly windowFunction: InternalWindowFunction<ACC, OUT, K, W>;
  protected readonly serializer: WindowSerializer<W>;
  private readonly contentsDesc: StateDescriptor<unknown, unknown>;
  private readonly merging: MergingWindowAssigner<IN, W> | null;

  protected collector!: TimestampedCollector<OUT>;
  protected contentsStore!: NamespacedStateStore;
  /** Trigger state and ProcessWindowFunction windowState(): per key and window, as in Flink. */
  private scopedStore!: NamespacedStateStore;
  protected windowContents!: State & { get(): unknown; add(v: unknown): void };
  private windowTimers!: WindowTimerService;
  private mergingSetState!: ListState<[string, string]>;
  protected triggerContext!: WindowTriggerContext<IN, K, W>;
  protected processContext!: WindowProcessContext<IN, K, W>;
  private assignerContext!: WindowAssignerContext;
  private numLateRecordsDropped!: Counter;

  constructor(config: WindowOperatorConfig<IN, K, W>) {
    super();
    this.assigner = config.windowAssigner;
    this.trigger = config.trigger;
    this.allowedLateness = config.allowedLateness;
    this.lateDataOutputTag = config.lateDataOutputTag;
    this.windowFunction = config.windowFunction as InternalWindowFunction<ACC, OUT, K, W>;
    this.serializer = config.windowAssigner.getWindowSerializer();
    this.merging = config.windowAssigner instanceof MergingWindowAssigner ? config.windowAssigner : null;
    if (!(Number.isFinite(this.allowedLateness) && this.allowedLateness >= 0)) {
      throw new RangeError(`WindowOperator: the allowed lateness must be >= 0 ms, got ${this.allowedLateness}.`);
    }
    if (this.merging && !this.trigger.canMerge()) {
      throw new Error(`A merging window assigner cannot be used with a trigger that does not support merging (${this.trigger.toString()}); implement canMerge() and onMerge().`);
    }
    const c = config.contents;
    this.contentsDesc = (c.kind === 'list' ? new ListStateDescriptor<unknown>(CONTENTS_STATE)
      : c.kind === 'reducing' ? new ReducingStateDescriptor<unknown>(CONTENTS_STATE, c.reduce as (a: unknown, b: unknown) => unknown)
        : new AggregatingStateDescriptor<unknown, unknown, unknown>(CONTENTS_STATE, c.aggregate as AggregateFunction<unknown, unknown, unknown>)) as StateDescriptor<unknown, unknown>;
  }

  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    const backend = this.keyedBackend;
    this.collector = new TimestampedCollector(this.output);
    this.contentsStore = new NamespacedStateStore(backend, '', `Window operator '${p.operatorName}'`);
    this.scopedStore = new NamespacedStateStore(backend, 'window-state/', `Window operator '${p.operatorName}'`);
    this.windowContents = this.contentsStore.get(this.contentsDesc, CONTENTS_STATE);
    this.windowTimers = new WindowTimerService(backend, this.getTimerService());
    this.mergingSetState = backend.getPartitionedState(new ListStateDescriptor<[string, string]>(MERGING_SET_STATE) as StateDescriptor<unknown, unknown>);
    this.triggerContext = new WindowTriggerContext<IN, K, W>(this.trigger, this.scopedStore, this.windowTimers, this.serializer, p.metricGroup);
    this.processContext = new WindowProcessContext<IN, K, W>(this.windowFunction, this.scopedStore, this.windowTimers, this.serializer,
      this.runtimeContext, (tag, v, ts) => this.output.collectSide(tag.id, v, ts));
    this.assignerContext = { getCurrentProcessingTime: () => p.processingTimeService.getCurrentProcessingTime() };
    this.numLateRecordsDropped = p.metricGroup.counter('numLateRecordsDropped');
  }

  override async open(): Promise<void> {
    await openUserFunctions(this.windowFunction.userFunctions, this.runtimeContext, { taskInfo: this.params.taskInfo });
  }

  override async close(): Promise<void> {
    super.close();
    await closeUserFunctions(this.windowFunction.userFunctions);
  }

  protected ns(w: W): string { return this.serializer.toKey(w); }

  /** What the window state stores for an element (the evicting operator keeps timestamps too). */
  protected toStored(value: IN, _timestamp: number | undefined): unknown { return value; }

  processElement(value: IN, timestamp: number | undefined): void {
    this.setKeyContextElement1(value);
    const windows = this.assigner.assignWindows(value, timestamp, this.assignerContext);
    const key = this.keyedBackend.getCurrentKey() as K;
    const tc = this.triggerContext;
    const stored = this.toStored(value, timestamp);
    let isSkippedElement = true;

    if (this.merging) {
      const mergingWindows = this.getMergingWindowSet();
      for (const window of windows) {
        const actualWindow = mergingWindows.addWindow(window, (mergeResult, mergedWindows, stateWindowResult, mergedStateWindows) => {
          if (this.assigner.isEventTime() && mergeResult.maxTimestamp() + this.allowedLateness <= this.windowTimers.currentWatermark) {
            throw new Error(`The end timestamp of an event-time window cannot become earlier than the current watermark by merging. Current watermark: ${this.windowTimers.currentWatermark} window: ${String(mergeResult)}`);
          } else if (!this.assigner.isEventTime()) {
            const now = this.windowTimers.currentProcessingTime();
            if (mergeResult.maxTimestamp() <= now) {
              throw new Error(`The end timestamp of a processing-time window cannot become earlier than the current processing time by merging. Current processing time: ${now} window: ${String(mergeResult)}`);
            }
          }
          tc.key = key; tc.window = mergeResult;
          tc.onMerge(mergedWindows);
          for (const m of mergedWindows) { tc.window = m; tc.clear(); this.deleteCleanupTimer(m); }
          this.contentsStore.mergeNamespaces(this.contentsDesc, this.ns(stateWindowResult), mergedStateWindows.map((w) => this.ns(w)), CONTENTS_STATE);
        });
        // Drop if the (merged) window is already late.
        if (this.isWindowLate(actualWindow)) { mergingWindows.retireWindow(actualWindow); continue; }
        isSkippedElement = false;
        const stateWindow = mergingWindows.getStateWindow(actualWindow);
        if (stateWindow === undefined) throw new Error(`Window ${String(window)} is not in in-flight window set.`);
        this.contentsStore.namespace = this.ns(stateWindow);
        this.windowContents.add(stored);
        tc.key = key; tc.window = actualWindow;
        const r = tc.onElement(value, timestamp);
        if (r.isFire()) {
          const contents = this.windowContents.get();
          if (contents === undefined) continue;
          this.emitWindowContents(actualWindow, contents);
        }
        if (r.isPurge()) this.windowContents.clear();
        this.registerCleanupTimer(actualWindow);
      }
      mergingWindows.persist();
    } else {
      for (const window of windows) {
        if (this.isWindowLate(window)) continue;
        isSkippedElement = false;
        this.contentsStore.namespace = this.ns(window);
        this.windowContents.add(stored);
        tc.key = key; tc.window = window;
        const r = tc.onElement(value, timestamp);
        if (r.isFire()) {
          const contents = this.windowContents.get();
          if (contents === undefined) continue;
          this.emitWindowContents(window, contents);
        }
        if (r.isPurge()) this.windowContents.clear();
        this.registerCleanupTimer(window);
      }
    }

    // Late for every window it belongs to: side output, or count it as dropped.
    if (isSkippedElement && this.isElementLate(timestamp)) {
      if (this.lateDataOutputTag) this.output.collectSide(this.lateDataOutputTag.id, value, timestamp);
      else this.numLateRecordsDropped.inc();
    }
  }

  override onEventTime(timer: InternalTimer): void {
    for (const ns of this.windowTimers.takeEventTimers(timer.timestamp)) this.onWindowTimer(this.serializer.fromKey(ns), timer.timestamp, true);
  }

  override onProcessingTime(timer: InternalTimer): void {
    for (const ns of this.windowTimers.takeProcessingTimers(timer.timestamp)) this.onWindowTimer(this.serializer.fromKey(ns), timer.timestamp, false);
  }

  private onWindowTimer(window: W, time: number, eventTime: boolean): void {
    const tc = this.triggerContext;
    tc.key = this.keyedBackend.getCurrentKey() as K;
    tc.window = window;
    let mergingWindows: MergingWindowSet<W> | null = null;
    if (this.merging) {
      mergingWindows = this.getMergingWindowSet();
      const stateWindow = mergingWindows.getStateWindow(window);
      // A timer of a window that no longer exists (its trigger did not delete it): nothing to do.
      if (stateWindow === undefined) return;
      this.contentsStore.namespace = this.ns(stateWindow);
    } else {
      this.contentsStore.namespace = this.ns(window);
    }
    const r: TriggerResult = eventTime ? tc.onEventTime(time) : tc.onProcessingTime(time);
    if (r.isFire()) {
      const contents = this.windowContents.get();
      if (contents !== undefined) this.emitWindowContents(window, contents);
    }
    if (r.isPurge()) this.windowContents.clear();
    if (this.assigner.isEventTime() === eventTime && this.isCleanupTime(window, time)) this.clearAllState(window, mergingWindows);
    mergingWindows?.persist();
  }

  /** Contents, trigger state, per-window function state and the merging-set entry of `window`. */
  private clearAllState(window: W, mergingWindows: MergingWindowSet<W> | null): void {
    this.windowContents.clear();
    this.triggerContext.clear();
    this.processContext.window = window;
    this.processContext.clear();
    if (mergingWindows) mergingWindows.retireWindow(window);
  }

  protected emitWindowContents(window: W, contents: unknown): void {
    this.collector.timestamp = window.maxTimestamp();
    this.processContext.window = window;
    this.windowFunction.process(this.triggerContext.key, window, this.processContext, contents as ACC, this.collector);
  }

  protected getMergingWindowSet(): MergingWindowSet<W> {
    return new MergingWindowSet<W>(this.merging as unknown as MergingWindowAssigner<unknown, W>, this.serializer, this.mergingSetState);
  }

  /** maxTimestamp + allowedLateness for event time (MAX when that overflows), maxTimestamp for processing time. */
  protected cleanupTime(window: W): number {
    if (!this.assigner.isEventTime()) return window.maxTimestamp();
    const t = window.maxTimestamp() + this.allowedLateness;
    return t >= MAX_WATERMARK ? MAX_WATERMARK : t;
  }
  protected isCleanupTime(window: W, time: number): boolean { return this.cleanupTime(window) === time; }
  protected isWindowLate(window: W): boolean { return this.assigner.isEventTime() && this.cleanupTime(window) <= this.windowTimers.currentWatermark; }
  protected isElementLate(timestamp: number | undefined): boolean {
    return this.assigner.isEventTime() && timestamp !== undefined && timestamp + this.allowedLateness <= this.windowTimers.currentWatermark;
  }

  private registerCleanupTimer(window: W): void {
    const t = this.cleanupTime(window);
    if (t === MAX_WATERMARK) return; // a window that never ends needs no cleanup
    if (this.assigner.isEventTime()) this.triggerContext.registerEventTimeTimer(t);
    else this.triggerContext.registerProcessingTimeTimer(t);
  }
  private deleteCleanupTimer(window: W): void {
    const t = this.cleanupTime(window);
    if (t === MAX_WATERMARK) return;
    // The trigger context's window is the merged-away window here.
    if (this.assigner.isEventTime()) this.triggerContext.deleteEventTimeTimer(t);
    else this.triggerContext.deleteProcessingTimeTimer(t);
  }

  /** @internal for tests: state entries of the current key's windows. */
  numKeysWithWindowContents(): number { return this.keyedBackend.numKeys(CONTENTS_STATE); }
}

/** The trigger's view of one key and window (Flink's WindowOperator.Context). */
export class WindowTriggerContext<IN, K, W extends Window> implements OnMergeContext {
  key!: K;
  window!: W;
  private mergedWindows: W[] | null = null;
  constructor(private readonly trigger: Trigger<IN, W>, private readonly store: NamespacedStateStore, private readonly timers: WindowTimerService,
    private readonly serializer: WindowSerializer<W>, private readonly metrics: MetricGroup) {}

  getMetricGroup(): MetricGroup { return this.metrics; }
  getCurrentWatermark(): number { return this.timers.currentWatermark; }
  getCurrentProcessingTime(): number { return this.timers.currentProcessingTime(); }
  registerProcessingTimeTimer(time: number): void { this.timers.registerProcessingTimeTimer(this.serializer.toKey(this.window), time); }
  registerEventTimeTimer(time: number): void { this.timers.registerEventTimeTimer(this.serializer.toKey(this.window), time); }
  deleteProcessingTimeTimer(time: number): void { this.timers.deleteProcessingTimeTimer(this.serializer.toKey(this.window), time); }
  deleteEventTimeTimer(time: number): void { this.timers.deleteEventTimeTimer(this.serializer.toKey(this.window), time); }
  getPartitionedState<S>(desc: StateDescriptor<unknown, unknown>): S {
    this.store.namespace = this.serializer.toKey(this.window);
    return this.store.get(desc as StateDescriptor<unknown, unknown>) as unknown as S;
  }
  mergePartitionedState(desc: StateDescriptor<unknown, unknown>): void {
    if (this.mergedWindows !== null && this.mergedWindows.length > 0) {
      this.store.mergeNamespaces(desc, this.serializer.toKey(this.window), this.mergedWindows.map((w) => this.serializer.toKey(w)));
    }
  }

  onElement(element: IN, timestamp: number | undefined): TriggerResult { return this.trigger.onElement(element, timestamp, this.window, this); }
  onEventTime(time: number): TriggerResult { return this.trigger.onEventTime(time, this.window, this); }
  onProcessingTime(time: number): TriggerResult { return this.trigger.onProcessingTime(time, this.window, this); }
  onMerge(mergedWindows: W[]): void {
    this.mergedWindows = mergedWindows;
    try { this.trigger.onMerge(this.window, this); } finally { this.mergedWindows = null; }
  }
  clear(): void { this.trigger.clear(this.window, this); }
}

/** The ProcessWindowFunction's context (Flink's WindowOperator.WindowContext). */
export class WindowProcessContext<IN, K, W extends Window> implements ProcessWindowContext<W> {
  window_!: W;
  private readonly windowStore: KeyedStateStore;
  constructor(private readonly fn: InternalWindowFunction<never, unknown, K, W>, store: NamespacedStateStore, private readonly timers: WindowTimerService,
    serializer: WindowSerializer<W>, private readonly global: KeyedStateStore,
    private readonly side: (tag: OutputTag<unknown>, v: unknown, ts: number) => void) {
    const scoped = <S>(desc: StateDescriptor<unknown, unknown>): S => {
      store.namespace = serializer.toKey(this.window_);
      return store.get(desc) as unknown as S;
    };
    this.windowStore = {
      getState: (d) => scoped(d as StateDescriptor<unknown, unknown>),
      getListState: (d) => scoped(d as StateDescriptor<unknown, unknown>),
      getMapState: (d) => scoped(d as StateDescriptor<unknown, unknown>),
      getReducingState: (d) => scoped(d as StateDescriptor<unknown, unknown>),
      getAggregatingState: (d) => scoped(d as StateDescriptor<unknown, unknown>),
    };
  }
  set window(w: W) { this.window_ = w; }
  get window(): () => W { return () => this.window_; }
  currentProcessingTime(): number { return this.timers.currentProcessingTime(); }
  currentWatermark(): number { return this.timers.currentWatermark; }
  windowState(): KeyedStateStore { return this.windowStore; }
  globalState(): KeyedStateStore { return this.global; }
  output<X>(tag: OutputTag<X>, value: X): void { this.side(tag as OutputTag<unknown>, value, this.window_.maxTimestamp()); }
  clear(): void { this.fn.clear(this.window_, this); }
}
