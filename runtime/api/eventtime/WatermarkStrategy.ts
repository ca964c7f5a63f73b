/** Event time: timestamp assignment and watermark generation (API.md §5). */
export interface WatermarkOutput {
  emitWatermark(timestamp: number): void;
  markIdle(): void;
  markActive(): void;
}

export interface WatermarkGenerator<T> {
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

export type TimestampAssigner<T> = (event: T, recordTimestamp: number | null) => number;

export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;
export const MIN_WATERMARK = Number.MIN_SAFE_INTEGER;

/** FLIP-182 watermark alignment of a source (WatermarkStrategy.withWatermarkAlignment). Plain data: it travels to the coordinator. */
export interface WatermarkAlignmentParams {
  readonly watermarkGroup: string;
  readonly maxAllowedWatermarkDrift: number;
  readonly updateInterval: number;
}

export class WatermarkStrategy<T> {
  private constructor(
    readonly createGenerator: (() => WatermarkGenerator<T>) | null,
    readonly timestampAssigner: TimestampAssigner<T> | null,
    readonly idlenessMs: number | null,
    readonly alignment: WatermarkAlignmentParams | null = null,
  ) {}

  static noWatermarks<T>(): WatermarkStrategy<T> { return new WatermarkStrategy<T>(null, null, null); }

  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return WatermarkStrategy.forBoundedOutOfOrderness<T>(0);
  }

  static forBoundedOutOfOrderness<T>(maxDelayMs: number): WatermarkStrategy<T> {
    if (!(maxDelayMs >= 0)) throw new RangeError(`forBoundedOutOfOrderness: the delay must be >= 0 ms, got ${maxDelayMs}.`);
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxDelayMs), null, null);
  }

  static forGenerator<T>(factory: (ctx: Record<string, never>) => WatermarkGenerator<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => factory({}), null, null);
  }

  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.createGenerator, assigner, this.idlenessMs, this.alignment);
  }

  /**
   * Watermark alignment (Flink FLIP-182, sources only): every `updateIntervalMs` the sources of
   * `watermarkGroup` report their watermarks to their coordinators, which announce the group's
   * minimum + `maxAllowedDriftMs`; a source reader (or split, if the reader can pause splits) whose
   * watermark is beyond that stops reading until the others catch up.
   */
  withWatermarkAlignment(watermarkGroup: string, maxAllowedDriftMs: number, updateIntervalMs = 1000): WatermarkStrategy<T> {
    if (typeof watermarkGroup !== 'string' || watermarkGroup === '') throw new TypeError('withWatermarkAlignment: the watermark group must be a non-empty string.');
    if (!(Number.isFinite(maxAllowedDriftMs) && maxAllowedDriftMs >= 0)) throw new RangeError(`withWatermarkAlignment: the maximal drift must be >= 0 ms, got ${maxAllowedDriftMs}.`);
    if (!(Number.isFinite(updateIntervalMs) && updateIntervalMs > 0)) throw new RangeError(`withWatermarkAlignment: the update interval must be > 0 ms, got ${updateIntervalMs}.`);
    return new WatermarkStrategy<T>(this.createGenerator, this.timestampAssigner, this.idlenessMs,
      { watermarkGroup, maxAllowedWatermarkDrift: maxAllowedDriftMs, updateInterval: updateIntervalMs });
  }

  /** Marks the input idle after `ms` without records, so downstream ignores it in the minimum watermark (Flink's WatermarksWithIdleness). */
  withIdleness(ms: number): WatermarkStrategy<T> {
    if (!(Number.isFinite(ms) && ms > 0)) throw new RangeError(`withIdleness: the idle timeout must be a positive number of milliseconds, got ${ms}.`);
    const base = this.createGenerator;
    const create = (): WatermarkGenerator<T> => new WatermarksWithIdleness<T>(base ? base() : { onEvent() {}, onPeriodicEmit() {} }, ms);
    return new WatermarkStrategy<T>(create, this.timestampAssigner, ms, this.alignment);
  }
}

/** Flink's BoundedOutOfOrdernessWatermarks: max timestamp seen minus the delay minus 1. */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;
  constructor(private readonly outOfOrdernessMs: number) { this.maxTimestamp = MIN_WATERMARK + outOfOrdernessMs + 1; }
  onEvent(_e: T, ts: number): void { if (ts > this.maxTimestamp) this.maxTimestamp = ts; }
  onPeriodicEmit(output: WatermarkOutput): void { output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMs - 1); }
}

/**
 * Flink's WatermarksWithIdleness: idle once no record arrived for `idleTimeoutMs`, checked on periodic
 * emit (so with pipeline.auto-watermark-interval granularity); the next record makes it active again.
 */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private counter = 0;
  private lastCounter = 0;
  private startOfInactivity = 0;
  private idleNow = false;
  constructor(private readonly watermarks: WatermarkGenerator<T>, private readonly idleTimeoutMs: number,
    private readonly clock: () => number = () => performance.now()) {}
  onEvent(e: T, ts: number, output: WatermarkOutput): void {
    this.watermarks.onEvent(e, ts, output);
    this.counter++;
    if (this.idleNow) { this.idleNow = false; output.markActive(); }
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.checkIfIdle()) {
      if (!this.idleNow) { this.idleNow = true; output.markIdle(); }
    } else {
      this.watermarks.onPeriodicEmit(output);
    }
  }
  private checkIfIdle(): boolean {
    if (this.counter !== this.lastCounter) { this.lastCounter = this.counter; this.startOfInactivity = 0; return false; }
    if (this.startOfInactivity === 0) { this.startOfInactivity = this.clock() || Number.MIN_VALUE; return false; }
    return this.clock() - this.startOfInactivity > this.idleTimeoutMs;
  }
}
