// Flink's MetricFetcher: fills the MetricStore from the JobManager's own registry and every
// TaskManager's metric dump, at most once per metrics.fetcher.update-interval, when REST asks.
import type { SlotManager } from '../../../jobmanager/resourcemanager/SlotManager.js';
import type { MetricRegistry } from '../../../metrics/MetricRegistry.js';
import { MetricStore } from './MetricStore.js';

/** A TaskManager that does not answer within this is left as it was (its last values stay). */
const TM_TIMEOUT_MS = 3_000;

export class MetricFetcher {
  readonly store = new MetricStore();
  private lastFetch = -Infinity;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly jobManagerRegistry: MetricRegistry, private readonly slotManager: SlotManager, private readonly updateIntervalMs: number,
    private readonly liveJobs: () => ReadonlySet<string>) {}

  /**
   * The store: the JobManager's own metrics read now (same process, cheap), the TaskManagers'
   * fetched first when older than the update interval.
   */
  async update(): Promise<MetricStore> {
    this.store.addJobManagerDump(await this.jobManagerRegistry.collect());
    if (Date.now() - this.lastFetch >= this.updateIntervalMs) {
      this.inFlight ??= this.fetch().finally(() => { this.lastFetch = Date.now(); this.inFlight = null; });
      await this.inFlight;
    }
    return this.store;
  }

  private async fetch(): Promise<void> {
    const registered = this.slotManager.registered();
    const ids = new Set(registered.map((r) => r.gateway.taskManagerId));
    for (const id of [...this.store.taskManagers.keys()]) if (!ids.has(id)) this.store.removeTaskManager(id);
    await Promise.all(registered.map(async (r) => {
      const ask = r.gateway.requestMetricDump;
      if (!ask) return;
      let timer: NodeJS.Timeout | undefined;
      const dumps = await Promise.race([
        ask.call(r.gateway).catch(() => null),
        new Promise<null>((res) => { timer = setTimeout(() => res(null), TM_TIMEOUT_MS); }),
      ]);
      clearTimeout(timer);
      if (dumps) this.store.addTaskManagerDump(r.gateway.taskManagerId, dumps);
    }));
    this.store.retainJobs(this.liveJobs());
  }
}
