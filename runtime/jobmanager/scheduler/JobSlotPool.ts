// The slots one job holds while it runs region by region (the role of Flink's SlotPool + bulk slot
// requests): requests are served in order, slots a finished region gives back are reused by the
// next one, and slots nobody waits for go back to the ResourceManager.
import type { SlotLocation } from '../../graph/executiongraph/ExecutionGraph.js';

interface Waiter { count: number; resolve: (slots: SlotLocation[]) => void; reject: (e: Error) => void }

export interface SlotProvider {
  /** All-or-nothing, rejects after the slot request timeout. */
  requestSlots(count: number): Promise<SlotLocation[]>;
  releaseSlots(slots: SlotLocation[]): void;
}

export class JobSlotPool {
  private readonly free: SlotLocation[] = [];
  private numBusy = 0;
  private readonly waiters: Waiter[] = [];
  private requesting = false;
  private closed = false;

  constructor(private readonly provider: SlotProvider) {}

  /** Slots held by the job (free + in use). */
  get numHeld(): number { return this.free.length + this.numBusy; }

  /** `count` slots for one region (all at once); FIFO after earlier requests. */
  allocate(count: number): Promise<SlotLocation[]> {
    if (this.closed) return Promise.reject(new Error('the job released its slots'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ count, resolve, reject });
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

  /** The job ends (or restarts globally): waiters fail, free slots go back; busy ones go back on release(). */
  close(reason: string): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error(reason));
    this.provider.releaseSlots(this.free.splice(0));
  }

  private serve(): void {
    while (this.waiters.length > 0 && this.free.length >= this.waiters[0]!.count) {
      const w = this.waiters.shift()!;
      this.numBusy += w.count;
      w.resolve(this.free.splice(0, w.count));
    }
    if (this.waiters.length === 0) {
      if (this.free.length > 0) this.provider.releaseSlots(this.free.splice(0));
      return;
    }
    if (this.requesting) return;
    const missing = this.waiters[0]!.count - this.free.length;
    this.requesting = true;
    this.provider.requestSlots(missing).then((slots) => {
      this.requesting = false;
      if (this.closed) { this.provider.releaseSlots(slots); return; }
      this.free.push(...slots);
      this.serve();
    }, (e: unknown) => {
      this.requesting = false;
      if (this.closed) return;
      const head = this.waiters[0];
      // Slots this job holds come back when its running regions end: keep waiting for them.
      if (head && this.numHeld >= head.count) return;
      for (const w of this.waiters.splice(0)) w.reject(e instanceof Error ? e : new Error(String(e)));
      this.provider.releaseSlots(this.free.splice(0));
    });
  }
}
