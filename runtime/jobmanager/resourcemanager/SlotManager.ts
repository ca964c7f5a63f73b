import type { TaskExecutorGateway } from '../gateways.js';
import type { SlotLocation } from '../../graph/executiongraph/ExecutionGraph.js';

interface RegisteredTaskExecutor { gateway: TaskExecutorGateway; slots: Array<string | null> /* allocated job id or null */ }
interface PendingRequest { jobId: string; count: number; resolve: (s: SlotLocation[]) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

/** Tracks TaskManagers' slots and hands them to jobs (Flink's SlotManager). */
export class SlotManager {
  private readonly taskExecutors = new Map<string, RegisteredTaskExecutor>();
  private readonly pending: PendingRequest[] = [];

  registerTaskExecutor(gateway: TaskExecutorGateway, numSlots: number): void {
    this.taskExecutors.set(gateway.taskManagerId, { gateway, slots: new Array<string | null>(numSlots).fill(null) });
    this.servePending();
  }

  unregisterTaskExecutor(id: string): void { this.taskExecutors.delete(id); }

  getTaskExecutor(id: string): TaskExecutorGateway {
    const te = this.taskExecutors.get(id);
    if (!te) throw new Error(`TaskManager ${id} is not registered (lost?)`);
    return te.gateway;
  }

  get numberOfRegisteredSlots(): number { let n = 0; for (const t of this.taskExecutors.values()) n += t.slots.length; return n; }
  get numberOfFreeSlots(): number { let n = 0; for (const t of this.taskExecutors.values()) n += t.slots.filter((s) => s === null).length; return n; }
  taskExecutorIds(): string[] { return [...this.taskExecutors.keys()]; }
  slotsOf(id: string): Array<string | null> { return this.taskExecutors.get(id)?.slots ?? []; }

  /** Allocates `count` slots for a job, waiting up to `timeoutMs` for enough to be free. */
  requestSlots(jobId: string, count: number, timeoutMs: number): Promise<SlotLocation[]> {
    const got = this.tryAllocate(jobId, count);
    if (got) return Promise.resolve(got);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.pending.findIndex((p) => p.timer === timer);
        if (i >= 0) this.pending.splice(i, 1);
        reject(new Error(`NoResourceAvailableException: could not acquire ${count} slot(s) for job ${jobId} within ${timeoutMs} ms ` +
          `(the cluster has ${this.numberOfRegisteredSlots} slot(s), ${this.numberOfFreeSlots} free). Lower the job's parallelism, ` +
          `or add TaskManagers/slots ('taskmanager.numberOfTaskSlots'); the wait is 'slot.request.timeout'.`));
      }, timeoutMs);
      timer.unref?.();
      this.pending.push({ jobId, count, resolve, reject, timer });
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
        if (i >= 0) { te.slots[i] = jobId; out.push({ taskManagerId: te.gateway.taskManagerId, slotIndex: i }); progressed = true; }
      }
      if (!progressed) break;
    }
    return out;
  }

  releaseSlots(jobId: string): void {
    for (const te of this.taskExecutors.values()) for (let i = 0; i < te.slots.length; i++) if (te.slots[i] === jobId) te.slots[i] = null;
    this.servePending();
  }

  private servePending(): void {
    while (this.pending.length > 0) {
      const p = this.pending[0];
      const got = this.tryAllocate(p.jobId, p.count);
      if (!got) return;
      this.pending.shift();
      clearTimeout(p.timer);
      p.resolve(got);
    }
  }
}
