import { AbstractStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator } from './StreamOperator.js';
import type { WatermarkStrategy, WatermarkGenerator, WatermarkOutput } from '../api/eventtime/WatermarkStrategy.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';

/**
 * assignTimestampsAndWatermarks: assigns event timestamps and generates watermarks in the
 * middle of a pipeline (Flink's TimestampsAndWatermarksOperator). Upstream watermarks are
 * dropped, except the final +∞ of a bounded input, which must reach downstream timers.
 */
export class TimestampsAndWatermarksOperator<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T> {
  private generator: WatermarkGenerator<T> | null = null;
  private assigner: ((e: T, ts: number | null) => number) | null = null;
  private lastWatermark = MIN_WATERMARK;
  private periodic: { cancel(): void } | null = null;
  private wmOutput!: WatermarkOutput;
  private idle = false;

  constructor(private readonly strategy: WatermarkStrategy<T>) { super(); }

  override open(): void {
    this.generator = this.strategy.createGenerator ? this.strategy.createGenerator() : null;
    this.assigner = this.strategy.timestampAssigner;
    this.wmOutput = {
      emitWatermark: (ts) => {
        if (this.idle) { this.idle = false; this.output.emitWatermarkStatus(false); }
        if (ts > this.lastWatermark) { this.lastWatermark = ts; this.output.emitWatermark(ts); }
      },
      markIdle: () => { if (!this.idle) { this.idle = true; this.output.emitWatermarkStatus(true); } },
      markActive: () => { if (this.idle) { this.idle = false; this.output.emitWatermarkStatus(false); } },
    };
    const interval = this.params.autoWatermarkInterval;
    if (this.generator && interval > 0) {
      const pts = this.params.processingTimeService;
      const tick = (): void => {
        this.generator!.onPeriodicEmit(this.wmOutput);
        this.periodic = pts.registerTimer(pts.getCurrentProcessingTime() + interval, tick);
      };
      this.periodic = pts.registerTimer(pts.getCurrentProcessingTime() + interval, tick);
    }
  }

  processElement(value: T, timestamp: number | undefined): void {
    const ts = this.assigner ? this.assigner(value, timestamp ?? null) : timestamp;
    // Flink's order: the record first, so a watermark the generator derives from it never makes it late.
    if (this.idle) this.wmOutput.markActive(); // downstream must count this input again before the record arrives
    this.output.collect(value, ts);
    if (this.generator && ts !== undefined) this.generator.onEvent(value, ts, this.wmOutput);
  }

  override processWatermark(mark: number): void {
    if (mark === MAX_WATERMARK) {
      this.generator?.onPeriodicEmit(this.wmOutput);
      this.wmOutput.emitWatermark(MAX_WATERMARK);
    }
  }

  override finish(): void { this.periodic?.cancel(); this.periodic = null; }
  override close(): void { this.periodic?.cancel(); super.close(); }
}
