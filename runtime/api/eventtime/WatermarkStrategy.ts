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

export class WatermarkStrategy<T> {
  private constructor(
    readonly createGenerator: (() => WatermarkGenerator<T>) | null,
    readonly timestampAssigner: TimestampAssigner<T> | null,
    readonly idlenessMs: number | null,
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
    return new WatermarkStrategy<T>(this.createGenerator, assigner, this.idlenessMs);
  }

  withIdleness(ms: number): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.createGenerator, this.timestampAssigner, ms);
  }
}

/** Flink's BoundedOutOfOrdernessWatermarks: max timestamp seen minus the delay minus 1. */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;
  constructor(private readonly outOfOrdernessMs: number) { this.maxTimestamp = MIN_WATERMARK + outOfOrdernessMs + 1; }
  onEvent(_e: T, ts: number): void { if (ts > this.maxTimestamp) this.maxTimestamp = ts; }
  onPeriodicEmit(output: WatermarkOutput): void { output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMs - 1); }
}
