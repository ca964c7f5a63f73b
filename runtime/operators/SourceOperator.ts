import { AbstractStreamOperator } from './AbstractStreamOperator.js';
import type { StreamOperatorParameters, StateSnapshotContext } from './StreamOperator.js';
import type { ListState } from '../api/state/State.js';
import { ListStateDescriptor } from '../api/state/StateDescriptor.js';

const SPLITS_STATE = 'SourceReaderState';
import type { Source, SourceReader, ReaderOutput, InputStatus, SourceReaderContext } from '../api/connector/Source.js';
import type { WatermarkStrategy, WatermarkGenerator, WatermarkOutput, TimestampAssigner } from '../api/eventtime/WatermarkStrategy.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';

/** Events between a SourceOperator and its SourceCoordinator (plain data: they cross threads). */
export type SourceOperatorEvent =
  | { type: 'ReaderRegistration'; subtask: number }
  | { type: 'RequestSplit'; subtask: number }
  | { type: 'SourceEventToCoordinator'; subtask: number; event: unknown };
export type SourceCoordinatorEvent =
  | { type: 'AddSplits'; splits: unknown[] }
  | { type: 'NoMoreSplits' }
  | { type: 'SourceEventToReader'; event: unknown };

/**
 * Runs a FLIP-27 SourceReader inside a source task. The task calls emitNext() in its loop;
 * the reader emits a batch of records per call straight into the operator chain.
 */
export class SourceOperator<T> extends AbstractStreamOperator<T> {
  private reader!: SourceReader<T, unknown>;
  private readerOutput!: ReaderOutput<T>;
  private generator: WatermarkGenerator<T> | null = null;
  private periodic: { cancel(): void } | null = null;
  private lastEmittedWatermark = MIN_WATERMARK;
  private idle = false;

  constructor(private readonly source: Source<T, unknown>, private readonly watermarkStrategy: WatermarkStrategy<T>) { super(); }

  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    const out = this.output;
    const assigner: TimestampAssigner<T> | null = this.watermarkStrategy.timestampAssigner;
    this.generator = this.watermarkStrategy.createGenerator ? this.watermarkStrategy.createGenerator() : null;
    const gen = this.generator;
    const wmOut = this.watermarkOutput();
    if (!assigner && !gen) {
      // Records go straight into the chain: Output.collect has ReaderOutput's shape.
      this.readerOutput = out as unknown as ReaderOutput<T>;
    } else {
      this.readerOutput = {
        collect: (r: T, ts?: number) => {
          const t = assigner ? assigner(r, ts ?? null) : ts;
          // Record before watermark (Flink's SourceOutputWithWatermarks): its own watermark never makes it late.
          if (this.idle) wmOut.markActive();
          out.collect(r, t);
          if (gen && t !== undefined) gen.onEvent(r, t, wmOut);
        },
      };
    }
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
    gateway.sendEventToCoordinator({ type: 'ReaderRegistration', subtask } satisfies SourceOperatorEvent);
    if (this.generator) this.schedulePeriodicWatermark();
  }

  private schedulePeriodicWatermark(): void {
    const interval = this.params.autoWatermarkInterval;
    if (!(interval > 0)) return;
    const pts = this.params.processingTimeService;
    const tick = (): void => {
      this.generator?.onPeriodicEmit(this.watermarkOutput());
      this.periodic = pts.registerTimer(pts.getCurrentProcessingTime() + interval, tick);
    };
    this.periodic = pts.registerTimer(pts.getCurrentProcessingTime() + interval, tick);
  }

  handleOperatorEvent(event: unknown): void {
    const e = event as SourceCoordinatorEvent;
    switch (e.type) {
      case 'AddSplits': this.reader.addSplits(e.splits); break;
      case 'NoMoreSplits': this.reader.notifyNoMoreSplits(); break;
      case 'SourceEventToReader': this.reader.handleSourceEvents?.(e.event); break;
    }
  }

  /** Flink's SourceOperator keeps the reader's splits in operator list state "SourceReaderState" (SPLIT: redistributed on rescale). */
  private readerState(): ListState<unknown> { return this.params.operatorStateStore.getListState(new ListStateDescriptor<unknown>(SPLITS_STATE)); }

  override snapshotState(ctx: StateSnapshotContext): void {
    this.readerState().update(this.reader.snapshotState(ctx.checkpointId));
  }

  override notifyCheckpointComplete(checkpointId: number): void { this.reader.notifyCheckpointComplete?.(checkpointId); }

  /** Polls the reader once; it may emit many records. */
  emitNext(): InputStatus { return this.reader.pollNext(this.readerOutput); }
  isAvailable(): Promise<void> { return this.reader.isAvailable(); }

  /** End of a bounded input: the final watermark lets every event-time timer fire. */
  override finish(): void {
    this.periodic?.cancel();
    this.periodic = null;
    const wmOut = this.watermarkOutput();
    this.generator?.onPeriodicEmit(wmOut);
    // Through the watermark output, so an idle source becomes active first and downstream takes the +∞.
    wmOut.emitWatermark(MAX_WATERMARK);
  }

  override async close(): Promise<void> {
    this.periodic?.cancel();
    await this.reader?.close();
    await super.close();
  }
}
