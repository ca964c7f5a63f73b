// Flink's metric types (org.apache.flink.metrics): Counter, Gauge, Meter, Histogram, and the
// implementations tsflink registers. Values are read when a reporter or the JobManager asks,
// never pushed per record.
import type { Counter, Histogram, HistogramStatistics, Meter } from '../api/functions/RuntimeContext.js';

export type { Counter, Histogram, HistogramStatistics, Meter };

/** A value computed when read (Flink's Gauge): numbers, booleans and strings are reported. */
export type Gauge<T = unknown> = () => T;

export type MetricType = 'counter' | 'gauge' | 'meter' | 'histogram';
export type Metric = { type: 'counter'; metric: Counter } | { type: 'gauge'; metric: Gauge } | { type: 'meter'; metric: Meter } | { type: 'histogram'; metric: Histogram };

export class SimpleCounter implements Counter {
  private count = 0;
  inc(n = 1): void { this.count += n; }
  dec(n = 1): void { this.count -= n; }
  getCount(): number { return this.count; }
}

/**
 * A counter whose count is read from elsewhere (a gate's or a partition's running total): nothing
 * to add on the hot path. inc/dec (user code that asks its operator group for e.g. 'numRecordsIn')
 * adjust the reported count, as they would Flink's system counter.
 */
export class GaugeCounter implements Counter {
  private offset = 0;
  constructor(private readonly read: () => number) {}
  inc(n = 1): void { this.offset += n; }
  dec(n = 1): void { this.offset -= n; }
  getCount(): number { return this.read() + this.offset; }
}

/** Flink's MeterView default: the rate over the last 60 s. */
export const DEFAULT_TIME_SPAN_SECONDS = 60;
/** Flink's ViewUpdater interval (MetricOptions: views are updated every 5 s). */
export const UPDATE_INTERVAL_SECONDS = 5;

/**
 * Flink's MeterView: events per second over a time span, from a counter sampled every
 * UPDATE_INTERVAL_SECONDS by the registry's view updater. Reads add the live count, so a young
 * meter (less history than the span) reports the rate since it was created instead of 0.
 */
export class MeterView implements Meter {
  private readonly counter: Counter;
  private readonly times: Float64Array;
  private readonly counts: Float64Array;
  private head = 0;
  private size = 0;

  constructor(counter?: Counter | (() => number), private readonly timeSpanSeconds = DEFAULT_TIME_SPAN_SECONDS, private readonly now: () => number = Date.now) {
    this.counter = counter === undefined ? new SimpleCounter() : typeof counter === 'function' ? new GaugeCounter(counter) : counter;
    const slots = Math.max(2, Math.ceil(timeSpanSeconds / UPDATE_INTERVAL_SECONDS) + 1);
    this.times = new Float64Array(slots);
    this.counts = new Float64Array(slots);
    this.update();
  }

  markEvent(n = 1): void { this.counter.inc(n); }
  getCount(): number { return this.counter.getCount(); }

  /** Takes a sample (the view updater calls this). */
  update(): void {
    const i = (this.head + this.size) % this.times.length;
    this.times[i] = this.now();
    this.counts[i] = this.counter.getCount();
    if (this.size < this.times.length) this.size++;
    else this.head = (this.head + 1) % this.times.length;
  }

  getRate(): number {
    const t = this.now();
    const c = this.counter.getCount();
    // The oldest sample within the span (or the oldest there is).
    let k = this.head;
    for (let j = 0; j < this.size; j++) {
      const idx = (this.head + j) % this.times.length;
      if (t - this.times[idx] <= this.timeSpanSeconds * 1000) { k = idx; break; }
    }
    const dt = (t - this.times[k]) / 1000;
    return dt <= 0 ? 0 : (c - this.counts[k]) / dt;
  }
}

/** Keeps a bounded reservoir of recent values (Flink's DescriptiveStatisticsHistogram). */
export class DescriptiveStatisticsHistogram implements Histogram {
  private values: number[] = [];
  private n = 0;
  constructor(private readonly size = 1024) {}
  update(v: number): void {
    if (this.values.length < this.size) this.values.push(v); else this.values[this.n % this.size] = v;
    this.n++;
  }
  getCount(): number { return this.n; }
  getStatistics(): HistogramStatistics {
    const s = [...this.values].sort((a, b) => a - b);
    if (s.length === 0) return { min: 0, max: 0, mean: 0, stddev: 0, size: 0, p50: 0, p75: 0, p95: 0, p98: 0, p99: 0, p999: 0 };
    const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    const variance = s.length > 1 ? s.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (s.length - 1) : 0;
    return {
      min: s[0]!, max: s[s.length - 1]!, mean, stddev: Math.sqrt(variance), size: s.length,
      p50: q(0.5), p75: q(0.75), p95: q(0.95), p98: q(0.98), p99: q(0.99), p999: q(0.999),
    };
  }
}
