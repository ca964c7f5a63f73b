import type { OneInputStreamOperator, Output, StreamOperatorParameters, RuntimeMode } from '../operators/StreamOperator.js';
import type { ProcessingTimeService } from '../operators/timers/ProcessingTimeService.js';
import type { MetricGroup, Counter, Histogram, Meter } from '../api/functions/RuntimeContext.js';
import type { KeyGroupsSnapshot } from '../state/KeyGroupsSnapshot.js';
import { AccumulatorRegistry } from '../operators/AccumulatorRegistry.js';
import { OperatorStateStore, type OperatorStateSnapshot } from '../state/OperatorStateStore.js';
import { HeapKeyedStateBackend } from '../state/heap/HeapKeyedStateBackend.js';
import { computeKeyGroupRangeForOperatorIndex } from '../util/KeyGroupRangeAssignment.js';

/** What the operator under test emitted, in order (Flink's harness output queue). */
export type HarnessOutput =
  | { kind: 'record'; value: unknown; timestamp: number | undefined }
  | { kind: 'watermark'; timestamp: number }
  | { kind: 'status'; idle: boolean };

/** Processing time that moves only when the test says so (Flink's TestProcessingTimeService). */
export class ManualProcessingTimeService implements ProcessingTimeService {
  private now = 0;
  private timers: Array<{ ts: number; cb: (ts: number) => void; live: boolean }> = [];
  getCurrentProcessingTime(): number { return this.now; }
  registerTimer(timestamp: number, callback: (timestamp: number) => void): { cancel(): void } {
    const t = { ts: timestamp, cb: callback, live: true };
    this.timers.push(t);
    return { cancel: () => { t.live = false; } };
  }
  /** Advances the clock and runs every timer due by then, earliest first. */
  setCurrentTime(time: number): void {
    this.now = time;
    for (;;) {
      this.timers = this.timers.filter((t) => t.live);
      const due = this.timers.filter((t) => t.ts <= time).sort((a, b) => a.ts - b.ts)[0];
      if (!due) return;
      due.live = false;
      due.cb(due.ts);
    }
  }
  numActiveTimers(): number { return this.timers.filter((t) => t.live).length; }
}

export interface OperatorSnapshot { readonly keyed: KeyGroupsSnapshot | undefined; readonly operator: OperatorStateSnapshot }

const noopCounter = (): Counter => { let c = 0; return { inc: (n = 1) => { c += n; }, dec: (n = 1) => { c -= n; }, getCount: () => c }; };
/** Metrics kept in memory so a test can read counters such as numLateRecordsDropped. */
export class TestMetricGroup implements MetricGroup {
  readonly counters = new Map<string, Counter>();
  readonly gauges = new Map<string, () => unknown>();
  counter(name: string): Counter { let c = this.counters.get(name); if (!c) { c = noopCounter(); this.counters.set(name, c); } return c; }
  gauge<T>(name: string, fn: () => T): void { this.gauges.set(name, fn); }
  histogram(_name: string): Histogram {
    return { update() {}, getCount: () => 0, getStatistics: () => ({ min: 0, max: 0, mean: 0, stddev: 0, size: 0, p50: 0, p75: 0, p95: 0, p98: 0, p99: 0, p999: 0 }) };
  }
  meter(_name: string): Meter { let n = 0; return { markEvent: (k = 1) => { n += k; }, getRate: () => 0, getCount: () => n }; }
  addGroup(_name: string): MetricGroup { return this; }
}

export interface HarnessOptions {
  readonly maxParallelism?: number;
  readonly runtimeMode?: RuntimeMode;
  readonly operatorName?: string;
  /** Mails wait in `mails` until runMailbox() (Flink's harness mailbox) instead of running at once. */
  readonly queuedMailbox?: boolean;
  /** pipeline.auto-watermark-interval the operator sees (default 0: no periodic watermarks). */
  readonly autoWatermarkInterval?: number;
}

/**
 * Runs one operator outside a task (Flink's OneInputStreamOperatorTestHarness and, with a key
 * selector, KeyedOneInputStreamOperatorTestHarness): records, watermarks and processing time go
 * in by hand, the output is collected, and snapshot()/restore into a fresh harness mirror a checkpoint.
 */
export class OneInputStreamOperatorTestHarness<IN, OUT = unknown> {
  readonly output: HarnessOutput[] = [];
  readonly sideOutputs = new Map<string, Array<{ value: unknown; timestamp: number | undefined }>>();
  readonly processingTimeService = new ManualProcessingTimeService();
  readonly metrics = new TestMetricGroup();
  readonly operatorStateStore: OperatorStateStore;
  readonly keyedStateBackend: HeapKeyedStateBackend | undefined;
  /** Mails not run yet (queuedMailbox). */
  readonly mails: Array<() => void | Promise<void>> = [];
  /** Events the operator sent to its coordinator. */
  readonly operatorEvents: unknown[] = [];
  private opened = false;

  constructor(readonly operator: OneInputStreamOperator<IN>, private readonly keySelector?: (v: IN) => unknown,
    private readonly options: HarnessOptions = {}, restoreFrom?: OperatorSnapshot) {
    const maxP = options.maxParallelism ?? 128;
    this.operatorStateStore = restoreFrom ? new OperatorStateStore([restoreFrom.operator]) : new OperatorStateStore();
    if (keySelector) {
      this.keyedStateBackend = new HeapKeyedStateBackend(computeKeyGroupRangeForOperatorIndex(maxP, 1, 0), maxP, () => this.processingTimeService.getCurrentProcessingTime());
      if (restoreFrom?.keyed) this.keyedStateBackend.restore([restoreFrom.keyed]);
    }
  }

  private params(): StreamOperatorParameters {
    const out: Output<unknown> = {
      collect: (value, timestamp) => { this.output.push({ kind: 'record', value, timestamp }); },
      collectSide: (tagId, value, timestamp) => {
        let l = this.sideOutputs.get(tagId);
        if (!l) { l = []; this.sideOutputs.set(tagId, l); }
        l.push({ value, timestamp });
      },
      emitWatermark: (timestamp) => { this.output.push({ kind: 'watermark', timestamp }); },
      emitWatermarkStatus: (idle) => { this.output.push({ kind: 'status', idle }); },
    };
    const maxP = this.options.maxParallelism ?? 128;
    const name = this.options.operatorName ?? 'TestOperator';
    return {
      output: out, nodeId: 1, operatorName: name,
      taskInfo: { indexOfThisSubtask: 0, numberOfParallelSubtasks: 1, maxNumberOfParallelSubtasks: maxP, attemptNumber: 0, taskName: name, taskNameWithSubtasks: `${name} (1/1)` },
      metricGroup: this.metrics,
      runtimeMode: this.options.runtimeMode ?? 'STREAMING',
      processingTimeService: this.processingTimeService,
      keyedStateBackend: this.keyedStateBackend,
      keySelectors: this.keySelector ? [this.keySelector as (v: unknown) => unknown] : [],
      operatorStateStore: this.operatorStateStore,
      accumulators: new AccumulatorRegistry(),
      operatorEventGateway: { sendEventToCoordinator: (e) => { this.operatorEvents.push(e); } },
      autoWatermarkInterval: this.options.autoWatermarkInterval ?? 0,
      mailbox: this.options.queuedMailbox ? (m) => { this.mails.push(m); } : (m) => { void m(); },
      // Immediate mails ran already: yielding only lets promise callbacks (which post mails) run.
      yieldToMailbox: async () => {
        do await new Promise<void>((r) => setImmediate(r)); while (this.options.queuedMailbox && this.mails.length === 0);
        await this.runMailbox();
      },
      checkpointingEnabled: false,
    };
  }

  /** setup → initializeState → open, as a task does. */
  async open(): Promise<void> {
    this.operator.setup(this.params());
    await this.operator.initializeState();
    await this.operator.open();
    this.opened = true;
  }

  private check(): void { if (!this.opened) throw new Error('OneInputStreamOperatorTestHarness: call open() first.'); }

  processElement(value: IN, timestamp?: number): void {
    this.check();
    if (this.keySelector) this.keyedStateBackend!.setCurrentKey(this.keySelector(value));
    this.operator.processElement(value, timestamp);
  }
  processWatermark(watermark: number): void { this.check(); this.operator.processWatermark(watermark); }
  processWatermarkStatus(idle: boolean): void { this.check(); this.operator.processWatermarkStatus?.(idle); }
  setProcessingTime(time: number): void { this.check(); this.processingTimeService.setCurrentTime(time); }
  /** Runs the queued mails (and those they add), as the task does between batches. */
  async runMailbox(): Promise<void> {
    while (this.mails.length > 0) await this.mails.shift()!();
  }

  /** Operator and keyed state as a checkpoint takes them; restore with `new …Harness(freshOperator, keySelector, options, snapshot)`. */
  async snapshot(checkpointId = 1): Promise<OperatorSnapshot> {
    this.check();
    await this.operator.snapshotState?.({ checkpointId, timestamp: Date.now() });
    return { keyed: this.keyedStateBackend?.snapshot(), operator: this.operatorStateStore.snapshot() };
  }

  /** Records only (what Flink's extractOutputValues returns). */
  extractOutputValues(): OUT[] { return this.output.filter((o) => o.kind === 'record').map((o) => (o as { value: OUT }).value); }
  /** Records with timestamps, and watermarks, in order. */
  getOutput(): HarnessOutput[] { return this.output; }
  clearOutput(): void { this.output.length = 0; }

  async endInput(): Promise<void> { this.check(); await this.operator.finish(); }
  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    await this.operator.close();
    this.keyedStateBackend?.dispose();
  }
}

/** The keyed harness: the key of each record selects its state, as after keyBy. */
export class KeyedOneInputStreamOperatorTestHarness<IN, K, OUT = unknown> extends OneInputStreamOperatorTestHarness<IN, OUT> {
  constructor(operator: OneInputStreamOperator<IN>, keySelector: (v: IN) => K, options: HarnessOptions = {}, restoreFrom?: OperatorSnapshot) {
    super(operator, keySelector, options, restoreFrom);
  }
  numKeyedStateEntries(stateName: string): number { return this.keyedStateBackend!.numKeys(stateName); }
}
