import type { TaskExecutorGateway } from '../gateways.js';
import type { SlotLocation } from '../../graph/executiongraph/ExecutionGraph.js';
import type { TaskManagerMetrics } from '../../taskmanager/TaskManagerMetrics.js';

/** What a TaskManager tells the ResourceManager about itself when it registers. */
export interface TaskExecutorRegistrationInfo {
  host: string;
  /** Port of its data-plane (shuffle) server; 0 when it has none (single process). */
  dataPort: number;
  cpuCores: number;
  physicalMemory: number;
  /** Configured process memory and per-slot heap (bytes). */
  processMemory: number;
  slotHeapMemory: number;
  /** Heap limit of the TaskManager's main thread (bytes; Flink's framework heap); 0 when unknown. */
  frameworkHeapMemory?: number;
  /** Metric reporters the TaskManager serves (Prometheus: scrape http://host:port/metrics). */
  metricReporters?: Array<{ name: string; host: string; port: number }>;
  /** Id given by the driver that started the process ('taskmanager.resource-id'; on YARN the container id). */
  resourceId?: string;
}

export interface RegisteredTaskExecutor {
  gateway: TaskExecutorGateway;
  info: TaskExecutorRegistrationInfo;
  /** Allocated job id per slot, or null when free. */
  slots: Array<string | null>;
  registeredAt: number;
  lastHeartbeat: number;
  /** Memory/GC metrics from the latest heartbeat answer (remote TaskManagers). */
  metrics?: TaskManagerMetrics;
}
interface PendingRequest { jobId: string; count: number; resolve: (s: SlotLocation[]) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

/** Tracks TaskManagers' slots and hands them to jobs (Flink's SlotManager). */
export class SlotManager {
  private readonly taskExecutors = new Map<string, RegisteredTaskExecutor>();
  private readonly pending: PendingRequest[] = [];
  private requirementsListener: ((missingSlots: number) => void) | null = null;

  /**
   * Extension point for resource drivers (YARN): called whenever slot requests or registered
   * slots change, with the number of slots requested by jobs that no registered TaskManager
   * can serve yet (0 = nothing missing). Drivers start TaskManagers for them.
   */
  setResourceRequirementsListener(listener: ((missingSlots: number) => void) | null): void {
    this.requirementsListener = listener;
    if (listener) listener(this.missingSlots);
  }

  /** Slots of pending requests beyond the free ones (requests are all-or-nothing, served in order). */
  get missingSlots(): number {
    let wanted = 0;
    for (const p of this.pending) wanted += p.count;
    return Math.max(0, wanted - this.numberOfFreeSlots);
  }

  registerTaskExecutor(gateway: TaskExecutorGateway, numSlots: number, info?: Partial<TaskExecutorRegistrationInfo>): void {
    const now = Date.now();
    this.taskExecutors.set(gateway.taskManagerId, {
      gateway,
      info: { host: '127.0.0.1', dataPort: 0, cpuCores: 0, physicalMemory: 0, processMemory: 0, slotHeapMemory: 0, ...info },
      slots: new Array<string | null>(numSlots).fill(null),
      registeredAt: now,
      lastHeartbeat: now,
    });
    this.servePending();
  }

  /** Registered TaskManagers (REST /taskmanagers). */
  registered(): RegisteredTaskExecutor[] { return [...this.taskExecutors.values()]; }
  getRegistration(id: string): RegisteredTaskExecutor | undefined { return this.taskExecutors.get(id); }
  /** A heartbeat answer came, with the TaskManager's memory/GC metrics when it sends them. */
  heartbeatFrom(id: string, metrics?: TaskManagerMetrics): void {
    const te = this.taskExecutors.get(id);
    if (!te) return;
    te.lastHeartbeat = Date.now();
    if (metrics) te.metrics = metrics;
  }

  /** A TaskManager left or was lost: its slots disappear (their jobs fail over). */
  unregisterTaskExecutor(id: string): void { this.taskExecutors.delete(id); this.servePending(); }

  getTaskExecutor(id: string): TaskExecutorGateway {
    const te = this.taskExecutors.get(id);
    if (!te) throw new Error(`TaskManager ${id} is not registered (lost?)`);
    return te.gateway;
  }

  get numberOfRegisteredSlots(): number { let n = 0; for (const t of this.taskExecutors.values()) n += t.slots.length; return n; }
  get numberOfFreeSlots(): number { let n = 0; for (const t of this.taskExecutors.values()) n += t.slots.filter((s) => s === null).length; return n; }
  taskExecutorIds(): string[] { return [...this.taskExecutors.keys()]; }
  slotsOf(id: string): Array<string | null> { return this.taskExecutors.get(id)?.slots ?? []; }

  /**
   * Allocates `count` slots for a job, waiting up to `timeoutMs` for enough to be free. Aborting `signal`
   * withdraws a request still waiting (it rejects; its slots are no longer missing for resource drivers).
   */
  requestSlots(jobId: string, count: number, timeoutMs: number, signal?: AbortSignal): Promise<SlotLocation[]> {
    const got = this.tryAllocate(jobId, count);
    if (got) return Promise.resolve(got);
    const withdrawn = (): Error => new Error(`slot request of job ${jobId} for ${count} slot(s) was withdrawn`);
    if (signal?.aborted) return Promise.reject(withdrawn());
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => {
        const i = this.pending.findIndex((p) => p.timer === timer);
        if (i < 0) return;
        this.pending.splice(i, 1);
        clearTimeout(timer);
        reject(withdrawn());
        this.servePending(); // it may have blocked the requests behind it
      }, { once: true });
      const timer = setTimeout(() => {
        const i = this.pending.findIndex((p) => p.timer === timer);
        if (i >= 0) this.pending.splice(i, 1);
        this.notifyRequirements();
        reject(new Error(`NoResourceAvailableException: could not acquire ${count} slot(s) for job ${jobId} within ${timeoutMs} ms ` +
          `(the cluster has ${this.numberOfRegisteredSlots} slot(s), ${this.numberOfFreeSlots} free). Lower the job's parallelism, ` +
          `or add TaskManagers/slots ('taskmanager.numberOfTaskSlots'); the wait is 'slot.request.timeout'.`));
      }, timeoutMs);
      timer.unref?.();
      this.pending.push({ jobId, count, resolve, reject, timer });
      this.notifyRequirements();
    });
  }

  private tryAllocate(jobId: string, count: number): SlotLocation[] | null {
    if (this.numberOfFreeSlots < count) return null;
    const out: SlotLocation[] = [];
    // Spread over TaskManagers round-robin, like Flink's cluster.evenly-spread-out-slots.
    const tes = [...this.taskExecutors.values()];
    while (out.length < count) {
      let progressed = false;
      for (const te of tes) {
        if (out.length >= count) break;
        const i = te.slots.indexOf(null);
        if (i >= 0) {
          te.slots[i] = jobId;
          out.push({ taskManagerId: te.gateway.taskManagerId, slotIndex: i, host: te.info.host, dataPort: te.info.dataPort });
          progressed = true;
        }
      }
      if (!progressed) break;
    }
    return out;
  }

  /** Returns specific slots (an allocation that is no longer needed). */
  releaseSlotList(slots: SlotLocation[]): void {
    for (const sl of slots) {
      const te = this.taskExecutors.get(sl.taskManagerId);
      if (te) te.slots[sl.slotIndex] = null;
    }
    this.servePending();
  }

  releaseSlots(jobId: string): void {
    for (const te of this.taskExecutors.values()) for (let i = 0; i < te.slots.length; i++) if (te.slots[i] === jobId) te.slots[i] = null;
    this.servePending();
  }

  private servePending(): void {
    while (this.pending.length > 0) {
      const p = this.pending[0];
      const got = this.tryAllocate(p.jobId, p.count);
      if (!got) break;
      this.pending.shift();
      clearTimeout(p.timer);
      p.resolve(got);
    }
    this.notifyRequirements();
  }

  private notifyRequirements(): void {
    if (!this.requirementsListener) return;
    try { this.requirementsListener(this.missingSlots); } catch { /* a driver's problem must not break slot bookkeeping */ }
  }
}
