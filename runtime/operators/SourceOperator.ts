import { AbstractStreamOperator } from './AbstractStreamOperator.js';
import type { StreamOperatorParameters, StateSnapshotContext } from './StreamOperator.js';
import type { ListState } from '../api/state/State.js';
import { ListStateDescriptor } from '../api/state/StateDescriptor.js';

const SPLITS_STATE = 'SourceReaderState';
import type { Source, SourceReader, ReaderOutput, SourceOutput, InputStatus, SourceReaderContext } from '../api/connector/Source.js';
import type { WatermarkStrategy, WatermarkGenerator, WatermarkOutput, TimestampAssigner, WatermarkAlignmentParams } from '../api/eventtime/WatermarkStrategy.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';

/** Events between a SourceOperator and its SourceCoordinator (plain data: they cross threads). */
export type SourceOperatorEvent =
  | { type: 'ReaderRegistration'; subtask: number; alignment?: WatermarkAlignmentParams }
  | { type: 'RequestSplit'; subtask: number }
  | { type: 'SourceEventToCoordinator'; subtask: number; event: unknown }
  /** Watermark alignment: this subtask's current watermark (+∞ while idle), every update interval (Flink's ReportedWatermarkEvent). */
  | { type: 'ReportedWatermark'; subtask: number; watermark: number };
export type SourceCoordinatorEvent =
  | { type: 'AddSplits'; splits: unknown[] }
  | { type: 'NoMoreSplits' }
  | { type: 'SourceEventToReader'; event: unknown }
  /** Watermark alignment: readers must not read beyond this watermark (Flink's WatermarkAlignmentEvent). */
  | { type: 'WatermarkAlignment'; maxWatermark: number };

/** One split's own watermark generator and partial watermark (Flink's SplitLocalOutputs entry). */
interface SplitWatermarks<T> {
  readonly generator: WatermarkGenerator<T>;
  readonly output: SourceOutput<T>;
  readonly wmOutput: WatermarkOutput;
  watermark: number;
  idle: boolean;
}

/**
 * Runs a FLIP-27 SourceReader inside a source task. The task calls emitNext() in its loop;
 * the reader emits a batch of records per call straight into the operator chain. With a
 * watermark strategy, records of each split the reader opened an output for get their own
 * generator and the source's watermark is the minimum over active splits (Flink's
 * ProgressiveTimestampsAndWatermarks); with alignment the source stops reading while its
 * watermark is beyond what its coordinator allows.
 */
export class SourceOperator<T> extends AbstractStreamOperator<T> {
  private reader!: SourceReader<T, unknown>;
  private readerOutput!: ReaderOutput<T>;
  private generator: WatermarkGenerator<T> | null = null;
  private periodic: { cancel(): void } | null = null;
  private lastEmittedWatermark = MIN_WATERMARK;
  private idle = false;
  private readonly splits = new Map<string, SplitWatermarks<T>>();
  /** The combined watermark of the splits (only advances). */
  private splitsWatermark = MIN_WATERMARK;
  /** Records went through the main output (not a split's): its generator runs too. */
  private mainUsed = false;
  private readonly alignment: WatermarkAlignmentParams | null;
  private maxDesiredWatermark = MAX_WATERMARK;
  private alignmentTimer: { cancel(): void } | null = null;
  private alignmentWake: (() => void) | null = null;
  private readonly pausedSplits = new Set<string>();

  constructor(private readonly source: Source<T, unknown>, private readonly watermarkStrategy: WatermarkStrategy<T>) {
    super();
    this.alignment = watermarkStrategy.alignment;
  }

  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    const out = this.output;
    const assigner: TimestampAssigner<T> | null = this.watermarkStrategy.timestampAssigner;
    const create = this.watermarkStrategy.createGenerator;
    this.generator = create ? create() : null;
    const gen = this.generator;
    const wmOut = this.watermarkOutput();
    if (!assigner && !gen) {
      // Records go straight into the chain: Output.collect has ReaderOutput's shape.
      this.readerOutput = out as unknown as ReaderOutput<T>;
      return;
    }
    this.readerOutput = {
      collect: (r: T, ts?: number) => {
        this.mainUsed = true;
        const t = assigner ? assigner(r, ts ?? null) : ts;
        // Record before watermark (Flink's SourceOutputWithWatermarks): its own watermark never makes it late.
        if (this.idle) wmOut.markActive();
        out.collect(r, t);
        if (gen && t !== undefined) gen.onEvent(r, t, wmOut);
      },
      createOutputForSplit: (splitId) => this.splitOutput(splitId, assigner, create),
      releaseOutputForSplit: (splitId) => {
        if (this.splits.delete(splitId)) { this.pausedSplits.delete(splitId); this.updateSplitsWatermark(); }
      },
    };
  }

  private splitOutput(splitId: string, assigner: TimestampAssigner<T> | null, create: (() => WatermarkGenerator<T>) | null): SourceOutput<T> {
    const existing = this.splits.get(splitId);
    if (existing) return existing.output;
    const out = this.output;
    const mainWm = this.watermarkOutput();
    const generator = create ? create() : { onEvent() {}, onPeriodicEmit() {} };
    const s: SplitWatermarks<T> = {
      generator,
      watermark: MIN_WATERMARK,
      idle: false,
      wmOutput: {
        emitWatermark: (ts) => { if (s.idle || ts > s.watermark) { s.idle = false; if (ts > s.watermark) s.watermark = ts; this.updateSplitsWatermark(); } },
        markIdle: () => { if (!s.idle) { s.idle = true; this.updateSplitsWatermark(); } },
        markActive: () => { if (s.idle) { s.idle = false; this.updateSplitsWatermark(); } },
      },
      output: {
        collect: (r: T, ts?: number) => {
          const t = assigner ? assigner(r, ts ?? null) : ts;
          if (this.idle) mainWm.markActive();
          out.collect(r, t);
          if (t !== undefined) generator.onEvent(r, t, s.wmOutput);
        },
      },
    };
    this.splits.set(splitId, s);
    return s.output;
  }

  /** Min over active splits; all idle = the source is idle (Flink's WatermarkOutputMultiplexer). */
  private updateSplitsWatermark(): void {
    if (this.splits.size === 0) return;
    let min = Infinity;
    for (const s of this.splits.values()) if (!s.idle && s.watermark < min) min = s.watermark;
    const out = this.watermarkOutput();
    if (min === Infinity) { out.markIdle(); return; }
    if (min > this.splitsWatermark) { this.splitsWatermark = min; out.emitWatermark(min); } else out.markActive();
    this.alignSplits();
  }

  private watermarkOutput(): WatermarkOutput {
    return {
      emitWatermark: (ts: number) => {
        if (this.idle) { this.idle = false; this.output.emitWatermarkStatus(false); }
        if (ts > this.lastEmittedWatermark) { this.lastEmittedWatermark = ts; this.output.emitWatermark(ts); }
      },
      markIdle: () => { if (!this.idle) { this.idle = true; this.output.emitWatermarkStatus(true); } },
      markActive: () => { if (this.idle) { this.idle = false; this.output.emitWatermarkStatus(false); } },
    };
  }

  override async open(): Promise<void> {
    const p = this.params;
    const gateway = p.operatorEventGateway;
    const subtask = p.taskInfo.indexOfThisSubtask;
    const ctx: SourceReaderContext = {
      getIndexOfSubtask: () => subtask,
      currentParallelism: () => p.taskInfo.numberOfParallelSubtasks,
      sendSplitRequest: () => gateway.sendEventToCoordinator({ type: 'RequestSplit', subtask } satisfies SourceOperatorEvent),
      sendSourceEventToCoordinator: (event) => gateway.sendEventToCoordinator({ type: 'SourceEventToCoordinator', subtask, event } satisfies SourceOperatorEvent),
      metricGroup: () => p.metricGroup,
    };
    this.reader = this.source.createReader(ctx);
    // Splits (with their positions) this subtask held at the checkpoint it restores from (Flink's SourceOperator#open).
    const restored = [...this.readerState().get()];
    if (restored.length > 0) this.reader.addSplits(restored);
    await this.reader.start();
    const a = this.alignment;
    gateway.sendEventToCoordinator({ type: 'ReaderRegistration', subtask, ...(a ? { alignment: a } : {}) } satisfies SourceOperatorEvent);
    if (this.generator) this.schedulePeriodicWatermark();
    if (a) {
      // Flink's watermarkAlignmentDrift: how far this source is ahead of the group's minimum watermark.
      p.metricGroup.gauge('watermarkAlignmentDrift', () => (this.maxDesiredWatermark === MAX_WATERMARK ? 0
        : this.lastEmittedWatermark - (this.maxDesiredWatermark - a.maxAllowedWatermarkDrift)));
      const pts = p.processingTimeService;
      const tick = (): void => {
        this.reportWatermark();
        this.alignmentTimer = pts.registerTimer(pts.getCurrentProcessingTime() + a.updateInterval, tick);
      };
      this.alignmentTimer = pts.registerTimer(pts.getCurrentProcessingTime() + a.updateInterval, tick);
    }
  }

  /** Idle counts as +∞ (it holds nobody back); before its first watermark a source reports nothing. */
  private reportWatermark(): void {
    const wm = this.idle ? MAX_WATERMARK : this.lastEmittedWatermark;
    if (wm === MIN_WATERMARK) return;
    this.params.operatorEventGateway.sendEventToCoordinator({ type: 'ReportedWatermark', subtask: this.params.taskInfo.indexOfThisSubtask, watermark: wm } satisfies SourceOperatorEvent);
  }

  private schedulePeriodicWatermark(): void {
    const interval = this.params.autoWatermarkInterval;
    if (!(interval > 0)) return;
    const pts = this.params.processingTimeService;
    const tick = (): void => {
      this.emitPeriodicWatermark();
      this.periodic = pts.registerTimer(pts.getCurrentProcessingTime() + interval, tick);
    };
    this.periodic = pts.registerTimer(pts.getCurrentProcessingTime() + interval, tick);
  }

  /** Each split's generator, then the main one if records used it or there are no split outputs (so a reader without splits can go idle). */
  private emitPeriodicWatermark(): void {
    for (const s of this.splits.values()) s.generator.onPeriodicEmit(s.wmOutput);
    if (this.mainUsed || this.splits.size === 0) this.generator?.onPeriodicEmit(this.watermarkOutput());
  }

  handleOperatorEvent(event: unknown): void {
    const e = event as SourceCoordinatorEvent;
    switch (e.type) {
      case 'AddSplits': this.reader.addSplits(e.splits); break;
      case 'NoMoreSplits': this.reader.notifyNoMoreSplits(); break;
      case 'SourceEventToReader': this.reader.handleSourceEvents?.(e.event); break;
      case 'WatermarkAlignment':
        this.maxDesiredWatermark = e.maxWatermark;
        this.alignSplits();
        if (!this.alignmentPaused()) { const w = this.alignmentWake; this.alignmentWake = null; w?.(); }
        break;
    }
  }

  /** Source-level alignment (FLIP-182): the source's watermark is beyond the allowed one. */
  private alignmentPaused(): boolean { return this.alignment !== null && this.lastEmittedWatermark > this.maxDesiredWatermark; }

  /** Split-level alignment (FLIP-217) when the reader can pause splits: the splits ahead pause, the others resume. */
  private alignSplits(): void {
    const r = this.reader;
    if (!this.alignment || !r?.pauseOrResumeSplits) return;
    const pause: string[] = [];
    const resume: string[] = [];
    for (const [id, s] of this.splits) {
      const ahead = !s.idle && s.watermark > this.maxDesiredWatermark;
      if (ahead && !this.pausedSplits.has(id)) { this.pausedSplits.add(id); pause.push(id); }
      else if (!ahead && this.pausedSplits.has(id)) { this.pausedSplits.delete(id); resume.push(id); }
    }
    if (pause.length > 0 || resume.length > 0) r.pauseOrResumeSplits(pause, resume);
  }

  /** Flink's SourceOperator keeps the reader's splits in operator list state "SourceReaderState" (SPLIT: redistributed on rescale). */
  private readerState(): ListState<unknown> { return this.params.operatorStateStore.getListState(new ListStateDescriptor<unknown>(SPLITS_STATE)); }

  override snapshotState(ctx: StateSnapshotContext): void {
    this.readerState().update(this.reader.snapshotState(ctx.checkpointId));
  }

  override notifyCheckpointComplete(checkpointId: number): void { this.reader.notifyCheckpointComplete?.(checkpointId); }

  /** Polls the reader once; it may emit many records. Paused by watermark alignment: nothing until the coordinator allows more. */
  emitNext(): InputStatus {
    if (this.alignmentPaused()) return 'NOTHING_AVAILABLE';
    return this.reader.pollNext(this.readerOutput);
  }
  isAvailable(): Promise<void> {
    // The coordinator's next announcement arrives as a mail, which wakes the task too.
    if (this.alignmentPaused()) return new Promise((r) => { this.alignmentWake = r; });
    return this.reader.isAvailable();
  }

  /** End of a bounded input: the final watermark lets every event-time timer fire. */
  override finish(): void {
    this.periodic?.cancel();
    this.periodic = null;
    const wmOut = this.watermarkOutput();
    for (const s of this.splits.values()) s.generator.onPeriodicEmit(s.wmOutput);
    this.generator?.onPeriodicEmit(wmOut);
    // Through the watermark output, so an idle source becomes active first and downstream takes the +∞.
    wmOut.emitWatermark(MAX_WATERMARK);
    if (this.alignment) { this.alignmentTimer?.cancel(); this.alignmentTimer = null; this.reportWatermark(); }
  }

  override async close(): Promise<void> {
    this.periodic?.cancel();
    this.alignmentTimer?.cancel();
    const w = this.alignmentWake;
    this.alignmentWake = null;
    w?.();
    await this.reader?.close();
    await super.close();
  }
}
