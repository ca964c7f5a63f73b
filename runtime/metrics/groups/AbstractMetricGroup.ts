// Flink's AbstractMetricGroup and its user subgroups (GenericMetricGroup, GenericKeyMetricGroup,
// GenericValueMetricGroup): metrics by name, a logical scope, scope variables, and what the
// JobManager's MetricStore files the group under.
import type { MetricGroup } from '../../api/functions/RuntimeContext.js';
import { type Counter, type Gauge, type Histogram, type Meter, type Metric, DescriptiveStatisticsHistogram, MeterView, SimpleCounter } from '../Metrics.js';
import type { MetricGroupDump, MetricValueDump, QueryScopeInfo } from '../dump/MetricDump.js';
import type { MetricRegistry } from '../MetricRegistry.js';

interface Kinds { counter: Counter; histogram: Histogram; meter: Meter }

export abstract class AbstractMetricGroup implements MetricGroup {
  private readonly metricsByName = new Map<string, Metric>();
  private readonly subgroups = new Map<string, AbstractMetricGroup>();
  private registered = false;
  private closed = false;
  private readonly closeHooks: Array<() => void> = [];

  protected constructor(readonly registry: MetricRegistry, readonly parent: AbstractMetricGroup | null) {}

  /** This group's part of the logical scope (`taskmanager`, `job`, a user group's name); '' adds nothing. */
  protected abstract get logicalName(): string;
  /** Variables this group adds (`<tm_id>` …), without the parent's. */
  protected abstract ownVariables(): Record<string, string>;
  /** Where the MetricStore files this group's metrics, and the user scope below the component. */
  abstract queryInfo(): { info: QueryScopeInfo; scope: string };

  getLogicalScope(): string {
    const p = this.parent?.getLogicalScope() ?? '';
    const own = this.logicalName;
    return own === '' ? p : p === '' ? own : `${p}.${own}`;
  }

  getAllVariables(): Record<string, string> {
    return { ...(this.parent?.getAllVariables() ?? {}), ...this.ownVariables() };
  }

  get isClosed(): boolean { return this.closed; }

  counter(name: string, counter?: Counter): Counter { return this.getOrAdd(name, 'counter', counter, () => new SimpleCounter()); }

  gauge<T>(name: string, fn: Gauge<T>): void {
    if (typeof fn !== 'function') throw new TypeError(`gauge('${name}', …) of metric group ${this.describe()} needs a function returning the value, got ${typeof fn}`);
    this.add(name, { type: 'gauge', metric: fn });
  }

  histogram(name: string, histogram?: Histogram): Histogram { return this.getOrAdd(name, 'histogram', histogram, () => new DescriptiveStatisticsHistogram()); }

  meter(name: string, meter?: Meter): Meter {
    return this.getOrAdd(name, 'meter', meter, () => new MeterView(), (v) => { if (v instanceof MeterView) this.registry.registerView(v); });
  }

  /** The group's metric of that name and kind (the same one every call), or `given` / a new one registered under it. */
  private getOrAdd<K extends keyof Kinds>(name: string, type: K, given: Kinds[K] | undefined, create: () => Kinds[K], onAdd?: (m: Kinds[K]) => void): Kinds[K] {
    const m = this.metricsByName.get(name);
    if (m && given === undefined) {
      if (m.type === type) return m.metric as Kinds[K];
      throw this.clash(name, m.type, type);
    }
    const v = given ?? create();
    onAdd?.(v);
    this.add(name, { type, metric: v } as Metric);
    return v;
  }

  addGroup(name: string, value?: string): AbstractMetricGroup {
    const n = String(name);
    if (n === '') throw new Error(`addGroup('') on metric group ${this.describe()}: a group name must not be empty`);
    let g = this.subgroups.get(n);
    if (value === undefined) {
      if (!g) { g = new GenericMetricGroup(this.registry, this, n); this.subgroups.set(n, g); }
      return g;
    }
    if (!(g instanceof GenericKeyMetricGroup)) {
      if (g) throw new Error(`addGroup('${n}', '${value}') on metric group ${this.describe()}: '${n}' is already a plain group (addGroup('${n}'))`);
      g = new GenericKeyMetricGroup(this.registry, this, n);
      this.subgroups.set(n, g);
    }
    return (g as GenericKeyMetricGroup).valueGroup(String(value));
  }

  /** Runs when the group closes (to release what its metrics hold, e.g. hidden meter views). */
  addCloseHook(hook: () => void): void { this.closeHooks.push(hook); }

  /** Unregisters this group and its subgroups; their metrics are no longer reported. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.closeHooks) h();
    for (const g of this.subgroups.values()) g.close();
    if (this.registered) this.registry.unregister(this);
    for (const m of this.metricsByName.values()) if (m.type === 'meter' && m.metric instanceof MeterView) this.registry.unregisterView(m.metric);
  }

  /** Current values (what a reporter or the MetricStore gets). A gauge that throws reads as null. */
  dump(): MetricGroupDump {
    const metrics: MetricValueDump[] = [];
    for (const [name, m] of this.metricsByName) {
      switch (m.type) {
        case 'counter': metrics.push({ name, type: 'counter', value: m.metric.getCount() }); break;
        case 'meter': metrics.push({ name, type: 'meter', value: m.metric.getRate() }); break;
        case 'histogram': metrics.push({ name, type: 'histogram', value: { ...m.metric.getStatistics(), count: m.metric.getCount() } }); break;
        case 'gauge': metrics.push({ name, type: 'gauge', value: gaugeValue(m.metric) }); break;
      }
    }
    const { info, scope } = this.queryInfo();
    return { info, scope, logicalScope: this.getLogicalScope(), variables: this.getAllVariables(), metrics };
  }

  private add(name: string, metric: Metric): void {
    if (typeof name !== 'string' || name === '') throw new Error(`A metric of group ${this.describe()} needs a non-empty name`);
    if (this.closed) return; // Flink: metrics of a closed group are silently not registered
    this.metricsByName.set(name, metric);
    if (!this.registered) { this.registered = true; this.registry.register(this); }
  }

  private clash(name: string, has: string, wanted: string): Error {
    return new Error(`Metric '${name}' of group ${this.describe()} is already registered as a ${has}; a ${wanted} needs another name`);
  }

  private describe(): string { return this.getLogicalScope() || '<root>'; }
}

function gaugeValue(g: Gauge): number | string | boolean | null {
  let v: unknown;
  try { v = g(); } catch { return null; }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === undefined) return null;
  return String(v);
}

/** addGroup(name): a scope component, in the logical scope and the query scope. */
export class GenericMetricGroup extends AbstractMetricGroup {
  constructor(registry: MetricRegistry, parent: AbstractMetricGroup, private readonly name: string) { super(registry, parent); }
  protected get logicalName(): string { return this.name; }
  protected ownVariables(): Record<string, string> { return {}; }
  queryInfo(): { info: QueryScopeInfo; scope: string } {
    const p = this.parent!.queryInfo();
    return { info: p.info, scope: p.scope === '' ? this.name : `${p.scope}.${this.name}` };
  }
}

/** The key of addGroup(key, value): in the logical scope; its value groups add the variable. */
export class GenericKeyMetricGroup extends GenericMetricGroup {
  private readonly values = new Map<string, GenericValueMetricGroup>();
  constructor(registry: MetricRegistry, parent: AbstractMetricGroup, readonly key: string) { super(registry, parent, key); }
  valueGroup(value: string): GenericValueMetricGroup {
    let g = this.values.get(value);
    if (!g || g.isClosed) { g = new GenericValueMetricGroup(this.registry, this, this.key, value); this.values.set(value, g); }
    return g;
  }
  override close(): void { for (const g of this.values.values()) g.close(); super.close(); }
}

/** The value of addGroup(key, value): variable `<key>` = value, not part of the logical scope (so one Prometheus family, labelled). */
export class GenericValueMetricGroup extends AbstractMetricGroup {
  constructor(registry: MetricRegistry, parent: AbstractMetricGroup, private readonly key: string, private readonly value: string) { super(registry, parent); }
  protected get logicalName(): string { return ''; }
  protected ownVariables(): Record<string, string> { return { [`<${this.key}>`]: this.value }; }
  queryInfo(): { info: QueryScopeInfo; scope: string } {
    const p = this.parent!.queryInfo();
    return { info: p.info, scope: p.scope === '' ? this.value : `${p.scope}.${this.value}` };
  }
}
