import { HeapPriorityQueue } from './HeapPriorityQueue.js';
import type { ProcessingTimeService } from './ProcessingTimeService.js';
import type { KeyedStateBackend, TimerDomain, TimerSnapshotSource } from '../../state/KeyedStateBackend.js';
import { keyToMapKey } from '../../util/KeyEncoding.js';
import { MIN_WATERMARK } from '../../api/eventtime/WatermarkStrategy.js';

export interface InternalTimer { timestamp: number; key: unknown; dedupKey: string }

export interface Triggerable {
  onEventTime(timer: InternalTimer): void;
  onProcessingTime(timer: InternalTimer): void;
}

/** The name an operator's timer service has in snapshots (Flink's "user-timers"). */
export const DEFAULT_TIMER_SERVICE_NAME = 'user-timers';

/**
 * Keyed event-time and processing-time timers of one operator (Flink's InternalTimerServiceImpl).
 * At most one timer per (key, timestamp, domain). Processing-time timers share one
 * underlying task timer for the earliest timestamp. The service registers with the backend under
 * `name`, which snapshots its timers and hands back the ones restored under that name.
 */
export class InternalTimerService implements TimerSnapshotSource {
  private readonly eventTimers = new HeapPriorityQueue<InternalTimer>();
  private readonly procTimers = new HeapPriorityQueue<InternalTimer>();
  private readonly eventSet = new Set<string>();
  private readonly procSet = new Set<string>();
  private nextProcTimer: { ts: number; cancel(): void } | null = null;
  currentWatermark = MIN_WATERMARK;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly pts: ProcessingTimeService,
    private readonly target: Triggerable,
    readonly name: string = DEFAULT_TIMER_SERVICE_NAME,
  ) {
    const restored = backend.registerTimerService(name, this);
    for (const [ts, key] of restored.event) this.addTimer(this.eventTimers, this.eventSet, ts, key);
    for (const [ts, key] of restored.processing) this.addTimer(this.procTimers, this.procSet, ts, key);
    // Due ones fire through the mailbox, i.e. once the task runs.
    const first = this.procTimers.peek();
    if (first) this.scheduleProc(first.timestamp);
  }

  private addTimer(q: HeapPriorityQueue<InternalTimer>, set: Set<string>, ts: number, key: unknown): void {
    const d = this.dedup(ts, key);
    if (set.has(d)) return;
    set.add(d);
    q.push({ timestamp: ts, key, dedupKey: d });
  }

  forEachTimer(domain: TimerDomain, fn: (timestamp: number, key: unknown) => void): void {
    (domain === 'event' ? this.eventTimers : this.procTimers).forEach((t) => fn(t.timestamp, t.key));
  }

  currentProcessingTime(): number { return this.pts.getCurrentProcessingTime(); }

  private dedup(ts: number, key: unknown): string { return `${ts}|${String(keyToMapKey(key))}|${typeof key}`; }

  registerEventTimeTimer(ts: number): void {
    const key = this.backend.getCurrentKey();
    const d = this.dedup(ts, key);
    if (this.eventSet.has(d)) return;
    this.eventSet.add(d);
    this.eventTimers.push({ timestamp: ts, key, dedupKey: d });
  }

  deleteEventTimeTimer(ts: number): void {
    const d = this.dedup(ts, this.backend.getCurrentKey());
    if (this.eventSet.delete(d)) this.eventTimers.removeIf((t) => t.dedupKey === d);
  }

  registerProcessingTimeTimer(ts: number): void {
    const key = this.backend.getCurrentKey();
    const d = this.dedup(ts, key);
    if (this.procSet.has(d)) return;
    this.procSet.add(d);
    this.procTimers.push({ timestamp: ts, key, dedupKey: d });
    if (this.nextProcTimer === null || ts < this.nextProcTimer.ts) this.scheduleProc(ts);
  }

  deleteProcessingTimeTimer(ts: number): void {
    const d = this.dedup(ts, this.backend.getCurrentKey());
    if (this.procSet.delete(d)) this.procTimers.removeIf((t) => t.dedupKey === d);
  }

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
      this.procSet.delete(t.dedupKey);
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
      this.eventSet.delete(t.dedupKey);
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
    const mk = keyToMapKey(key);
    const fire = (q: HeapPriorityQueue<InternalTimer>, set: Set<string>, onFire: (t: InternalTimer) => void): void => {
      for (;;) {
        const mine = q.toArray().filter((t) => keyToMapKey(t.key) === mk).sort((a, b) => a.timestamp - b.timestamp);
        if (mine.length === 0) return;
        q.removeIf((t) => keyToMapKey(t.key) === mk);
        for (const t of mine) { set.delete(t.dedupKey); this.backend.setCurrentKey(t.key); onFire(t); }
      }
    };
    const saved = this.currentWatermark;
    this.currentWatermark = Number.MAX_SAFE_INTEGER;
    fire(this.eventTimers, this.eventSet, (t) => this.target.onEventTime(t));
    fire(this.procTimers, this.procSet, (t) => this.target.onProcessingTime(t));
    this.currentWatermark = saved;
  }

  numProcessingTimeTimers(): number { return this.procTimers.size; }
  numEventTimeTimers(): number { return this.eventTimers.size; }

  dispose(): void {
    this.nextProcTimer?.cancel();
    this.nextProcTimer = null;
    this.eventTimers.clear(); this.procTimers.clear(); this.eventSet.clear(); this.procSet.clear();
  }
}
