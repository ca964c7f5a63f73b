import type { Counter, Histogram, MetricGroup } from '../api/functions/RuntimeContext.js';

export class SimpleCounter implements Counter {
  private count = 0;
  inc(n = 1): void { this.count += n; }
  dec(n = 1): void { this.count -= n; }
  getCount(): number { return this.count; }
}

/** Keeps a bounded reservoir of recent values. */
export class DescriptiveStatisticsHistogram implements Histogram {
  private values: number[] = [];
  private n = 0;
  constructor(private readonly size = 1024) {}
  update(v: number): void {
    if (this.values.length < this.size) this.values.push(v); else this.values[this.n % this.size] = v;
    this.n++;
  }
  getCount(): number { return this.n; }
  getStatistics(): { min: number; max: number; mean: number; p50: number; p95: number; p99: number } {
    const s = [...this.values].sort((a, b) => a - b);
    if (s.length === 0) return { min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0 };
    const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { min: s[0], max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
  }
}

/** Flink-style metric group: scope components joined by '.'. */
export class TaskMetricGroup implements MetricGroup {
  readonly metrics = new Map<string, Counter | Histogram | (() => unknown)>();
  constructor(readonly scope: string[], private readonly registry: Map<string, Counter | Histogram | (() => unknown)> = new Map()) {}
  private name(n: string): string { return [...this.scope, n].join('.'); }
  counter(name: string): Counter {
    const key = this.name(name);
    let c = this.registry.get(key) as Counter | undefined;
    if (!c) { c = new SimpleCounter(); this.registry.set(key, c); }
    return c;
  }
  gauge<T>(name: string, fn: () => T): void { this.registry.set(this.name(name), fn); }
  histogram(name: string): Histogram {
    const key = this.name(name);
    let h = this.registry.get(key) as Histogram | undefined;
    if (!h) { h = new DescriptiveStatisticsHistogram(); this.registry.set(key, h); }
    return h;
  }
  addGroup(name: string): MetricGroup { return new TaskMetricGroup([...this.scope, name], this.registry); }
  /** Current values as plain data (for REST and job results). */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, m] of this.registry) {
      if (typeof m === 'function') { try { out[k] = m(); } catch { out[k] = null; } }
      else if ('getStatistics' in m) out[k] = m.getStatistics();
      else out[k] = m.getCount();
    }
    return out;
  }
}
