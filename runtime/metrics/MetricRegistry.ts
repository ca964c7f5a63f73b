// Flink's MetricRegistryImpl, per thread (each V8 isolate has its own): the registered metric
// groups, the view updater that samples meters every 5 s, and the dumps reporters and the
// JobManager read. Other threads' metrics (a TaskManager's slot workers) join through sources.
import type { MetricGroupDump } from './dump/MetricDump.js';
import { type MeterView, UPDATE_INTERVAL_SECONDS } from './Metrics.js';

interface DumpableGroup { dump(): MetricGroupDump }

/** Where a reporter started on this registry serves (Prometheus: http://host:port/metrics). */
export interface ReporterEndpoint { readonly name: string; readonly host: string; readonly port: number }

/** A reporter bound to all interfaces (0.0.0.0 / ::) is reached at the process's advertised host. */
export function reachableHost(bound: string, advertised: string): string {
  return bound === '0.0.0.0' || bound === '::' ? advertised : bound;
}

export class MetricRegistry {
  private readonly groups = new Set<DumpableGroup>();
  private readonly views = new Set<MeterView>();
  private readonly sources: Array<() => Promise<readonly MetricGroupDump[]>> = [];
  private readonly beforeCollect: Array<() => void> = [];
  private readonly endpoints: ReporterEndpoint[] = [];
  private viewUpdater: NodeJS.Timeout | null = null;
  private closed = false;

  register(group: DumpableGroup): void { if (!this.closed) this.groups.add(group); }
  unregister(group: DumpableGroup): void { this.groups.delete(group); }

  registerView(view: MeterView): void {
    if (this.closed) return;
    this.views.add(view);
    if (!this.viewUpdater) {
      this.viewUpdater = setInterval(() => { for (const v of this.views) v.update(); }, UPDATE_INTERVAL_SECONDS * 1000);
      this.viewUpdater.unref();
    }
  }

  unregisterView(view: MeterView): void {
    this.views.delete(view);
    if (this.views.size === 0 && this.viewUpdater) { clearInterval(this.viewUpdater); this.viewUpdater = null; }
  }

  /** Metrics kept elsewhere (another thread) that belong to this process's reports. */
  addSource(source: () => Promise<readonly MetricGroupDump[]>): void { this.sources.push(source); }

  /** Runs before each collect() (e.g. to add the groups of jobs that started since). */
  onCollect(hook: () => void): void { this.beforeCollect.push(hook); }

  /** This thread's groups, now. */
  dump(): MetricGroupDump[] {
    const out: MetricGroupDump[] = [];
    for (const g of this.groups) out.push(g.dump());
    return out;
  }

  /** This thread's groups and every source's (a source that fails contributes nothing). */
  async collect(): Promise<MetricGroupDump[]> {
    for (const h of this.beforeCollect) h();
    const out = this.dump();
    const more = await Promise.all(this.sources.map((s) => s().catch(() => [] as readonly MetricGroupDump[])));
    for (const m of more) out.push(...m);
    return out;
  }

  /** Remembers a started reporter's endpoint (REST shows it: /jobmanager/metric-reporters). */
  addReporterEndpoint(e: ReporterEndpoint): () => void {
    this.endpoints.push(e);
    return () => { const i = this.endpoints.indexOf(e); if (i >= 0) this.endpoints.splice(i, 1); };
  }

  get reporterEndpoints(): readonly ReporterEndpoint[] { return this.endpoints; }

  get numberOfGroups(): number { return this.groups.size; }

  close(): void {
    this.closed = true;
    if (this.viewUpdater) clearInterval(this.viewUpdater);
    this.viewUpdater = null;
    this.groups.clear();
    this.views.clear();
  }
}
