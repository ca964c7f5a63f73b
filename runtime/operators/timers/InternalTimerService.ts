import { HeapPriorityQueueSet } from './HeapPriorityQueueSet.js';
import type { ProcessingTimeService } from './ProcessingTimeService.js';
import type { KeyedStateBackend, TimerDomain, TimerSnapshotSource } from '../../state/KeyedStateBackend.js';
import { MIN_WATERMARK } from '../../api/eventtime/WatermarkStrategy.js';

export interface InternalTimer { readonly timestamp: number; readonly key: unknown }

export interface Triggerable {
  onEventTime(timer: InternalTimer): void;
  onProcessingTime(timer: InternalTimer): void;
}

/** The name an operator's timer service has in snapshots (Flink's "user-timers"). */
export const DEFAULT_TIMER_SERVICE_NAME = 'user-timers';

/**
 * Keyed event-time and processing-time timers of one operator (Flink's InternalTimerServiceImpl).
 * At most one timer per (key, timestamp, domain). Processing-time timers share one
 * underlying task timer for the earliest timestamp. Registering and deleting a timer are O(log n)
 * (HeapPriorityQueueSet). The service registers with the backend under
 * `name`, which snapshots its timers and hands back the ones restored under that name.
 */
export class InternalTimerService implements TimerSnapshotSource {
  private readonly eventTimers = new HeapPriorityQueueSet();
  private readonly procTimers = new HeapPriorityQueueSet();
  private nextProcTimer: { ts: number; cancel(): void } | null = null;
  currentWatermark = MIN_WATERMARK;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly pts: ProcessingTimeService,
    private readonly target: Triggerable,
    readonly name: string = DEFAULT_TIMER_SERVICE_NAME,
  ) {
    const restored = backend.registerTimerService(name, this);
    for (const [ts, key] of restored.event) this.eventTimers.add(ts, key);
    for (const [ts, key] of restored.processing) this.procTimers.add(ts, key);
    // Due ones fire through the mailbox, i.e. once the task runs.
    const first = this.procTimers.peek();
    if (first) this.scheduleProc(first.timestamp);
  }

  forEachTimer(domain: TimerDomain, fn: (timestamp: number, key: unknown) => void): void {
    (domain === 'event' ? this.eventTimers : this.procTimers).forEach((t) => fn(t.timestamp, t.key));
  }

  currentProcessingTime(): number { return this.pts.getCurrentProcessingTime(); }

  registerEventTimeTimer(ts: number): void { this.eventTimers.add(ts, this.backend.getCurrentKey()); }

  deleteEventTimeTimer(ts: number): void { this.eventTimers.delete(ts, this.backend.getCurrentKey()); }

  registerProcessingTimeTimer(ts: number): void {
    if (!this.procTimers.add(ts, this.backend.getCurrentKey())) return;
    if (this.nextProcTimer === null || ts < this.nextProcTimer.ts) this.scheduleProc(ts);
  }

  deleteProcessingTimeTimer(ts: number): void { this.procTimers.delete(ts, this.backend.getCurrentKey()); }

  private scheduleProc(ts: number): void {
    this.nextProcTimer?.cancel();
    const h = this.pts.registerTimer(ts, (t) => this.onProcessingTime(t));
    this.nextProcTimer = { ts, cancel: () => h.cancel() };
  }

  private onProcessingTime(now: number): void {
    this.nextProcTimer = null;
    let t: InternalTimer | undefined;
    while ((t = this.procTimers.peek()) !== undefined && t.timestamp <= now) {
      this.procTimers.poll();
      this.backend.setCurrentKey(t.key);
      this.target.onProcessingTime(t);
    }
    const next = this.procTimers.peek();
    if (next) this.scheduleProc(next.timestamp);
  }

  advanceWatermark(wm: number): void {
    this.currentWatermark = wm;
    let t: InternalTimer | undefined;
    while ((t = this.eventTimers.peek()) !== undefined && t.timestamp <= wm) {
      this.eventTimers.poll();
      this.backend.setCurrentKey(t.key);
      this.target.onEventTime(t);
    }
  }

  /**
   * BATCH mode: a key's input is complete, so time jumps to +∞ for it — fire every timer of
   * the current key (event time first, then processing time), as Flink's batch time service does.
   */
  fireAllForCurrentKey(): void {
    const key = this.backend.getCurrentKey();
    const fire = (q: HeapPriorityQueueSet, onFire: (t: InternalTimer) => void): void => {
      // Firing may register more timers of the key: until there are none.
      for (let mine = q.takeAllOfKey(key); mine.length > 0; mine = q.takeAllOfKey(key)) {
        for (const t of mine) { this.backend.setCurrentKey(t.key); onFire(t); }
      }
    };
    const saved = this.currentWatermark;
    this.currentWatermark = Number.MAX_SAFE_INTEGER;
    fire(this.eventTimers, (t) => this.target.onEventTime(t));
    fire(this.procTimers, (t) => this.target.onProcessingTime(t));
    this.currentWatermark = saved;
  }

  numProcessingTimeTimers(): number { return this.procTimers.size; }
  numEventTimeTimers(): number { return this.eventTimers.size; }

  dispose(): void {
    this.nextProcTimer?.cancel();
    this.nextProcTimer = null;
    this.eventTimers.clear(); this.procTimers.clear();
  }
}
