// The slots one job holds while it runs region by region (the role of Flink's SlotPool + bulk slot
// requests): requests are served in order, slots a finished region gives back are reused by the
// next one, and slots nobody waits for go back to the ResourceManager.
import type { SlotLocation } from '../../graph/executiongraph/ExecutionGraph.js';

interface Waiter {
  count: number;
  resolve: (slots: SlotLocation[]) => void;
  reject: (e: Error) => void;
  /** Its own request to the ResourceManager while it waits (withdrawn once it is served otherwise). */
  request: AbortController | null;
}

export interface SlotProvider {
  /** All-or-nothing, rejects after the slot request timeout or when `signal` aborts. */
  requestSlots(count: number, signal: AbortSignal): Promise<SlotLocation[]>;
  releaseSlots(slots: SlotLocation[]): void;
}

export class JobSlotPool {
  private readonly free: SlotLocation[] = [];
  private numBusy = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(private readonly provider: SlotProvider) {}

  /** Slots held by the job (free + in use). */
  get numHeld(): number { return this.free.length + this.numBusy; }

  /** `count` slots for one region (all at once); FIFO after earlier requests. */
  allocate(count: number): Promise<SlotLocation[]> {
    if (this.closed) return Promise.reject(new Error('the job released its slots'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ count, resolve, reject, request: null });
      this.serve();
    });
  }

  /** A region ended: its slots serve the next waiting region, or go back. */
  release(slots: SlotLocation[]): void {
    this.numBusy -= slots.length;
    if (this.closed) { this.provider.releaseSlots(slots); return; }
    this.free.push(...slots);
    this.serve();
  }

  /** The job ends (or restarts globally): waiters fail, requests are withdrawn, free slots go back; busy ones go back on release(). */
  close(reason: string): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) { w.request?.abort(); w.reject(new Error(reason)); }
    this.provider.releaseSlots(this.free.splice(0));
  }

  private request(w: Waiter): void {
    const ctl = new AbortController();
    w.request = ctl;
    this.provider.requestSlots(w.count, ctl.signal).then((slots) => {
      if (w.request === ctl) w.request = null;
      if (this.closed) { this.provider.releaseSlots(slots); return; }
      this.free.push(...slots);
      this.serve();
    }, (e: unknown) => {
      if (ctl.signal.aborted || this.closed || !this.waiters.includes(w)) return;
      // Slots this job holds come back when its running regions end: keep waiting for them (the next
      // serve() asks the ResourceManager again).
      if (this.numHeld >= w.count) { w.request = null; return; }
      const err = e instanceof Error ? e : new Error(String(e));
      for (const x of this.waiters.splice(0)) { x.request?.abort(); x.reject(err); }
      this.provider.releaseSlots(this.free.splice(0));
    });
  }

  private serve(): void {
    while (this.waiters.length > 0 && this.free.length >= this.waiters[0]!.count) {
      const w = this.waiters.shift()!;
      w.request?.abort();
      w.request = null;
      this.numBusy += w.count;
      w.resolve(this.free.splice(0, w.count));
    }
    if (this.waiters.length === 0) {
      if (this.free.length > 0) this.provider.releaseSlots(this.free.splice(0));
      return;
    }
    // Waiters not served from the job's own slots ask the ResourceManager, each for itself and all at once
    // (a resource driver such as YARN sees the whole demand); a request is withdrawn when released slots
    // serve its waiter first.
    for (const w of this.waiters) if (w.request === null) this.request(w);
  }
}
