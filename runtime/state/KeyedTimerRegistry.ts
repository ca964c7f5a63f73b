// The timer services of one keyed backend, and the timers restored for them (both backends keep
// timers on the heap, as Flink's timer-service.factory HEAP): snapshot names are Flink's
// `_timer_state/event_<service>` and `_timer_state/processing_<service>`.
import type { RestoredTimers, TimerDomain, TimerSnapshotSource } from './KeyedStateBackend.js';

const TIMER_EVENT = '_timer_state/event_', TIMER_PROCESSING = '_timer_state/processing_';
const NO_TIMERS: RestoredTimers = { event: [], processing: [] };

export class KeyedTimerRegistry {
  private readonly services = new Map<string, TimerSnapshotSource>();
  /** Restored timers no service has claimed yet, by service name: [timestamp, key]. */
  private readonly restored = new Map<string, { event: [number, unknown][]; processing: [number, unknown][] }>();

  /** A service joins the snapshots under `name` and takes over the timers restored for it. */
  register(name: string, timers: TimerSnapshotSource): RestoredTimers {
    if (this.services.has(name)) throw new Error(`A timer service named '${name}' is already registered with this keyed state backend.`);
    this.services.set(name, timers);
    const r = this.restored.get(name);
    this.restored.delete(name);
    return r ?? NO_TIMERS;
  }

  hasRestored(name: string): boolean {
    const t = this.restored.get(name);
    return t !== undefined && (t.event.length > 0 || t.processing.length > 0);
  }

  /** Every timer state to snapshot, live services first, then restored timers nobody claimed. */
  forEachTimerState(fn: (stateName: string, each: (cb: (timestamp: number, key: unknown) => void) => void) => void): void {
    for (const [name, svc] of this.services) {
      for (const domain of ['event', 'processing'] as const) fn(stateName(domain, name), (cb) => svc.forEachTimer(domain, cb));
    }
    for (const [name, t] of this.restored) {
      fn(stateName('event', name), (cb) => { for (const [ts, k] of t.event) cb(ts, k); });
      fn(stateName('processing', name), (cb) => { for (const [ts, k] of t.processing) cb(ts, k); });
    }
  }

  /** Key group `kg`'s entries (key, timestamp, key, timestamp, …) of timer state `name`. */
  restore(kg: number, name: string, entries: readonly unknown[]): void {
    const event = name.startsWith(TIMER_EVENT);
    if (!event && !name.startsWith(TIMER_PROCESSING)) throw new Error(`Keyed state of key group ${kg} is corrupt: timer state '${name}' has no known name.`);
    const service = name.slice((event ? TIMER_EVENT : TIMER_PROCESSING).length);
    let t = this.restored.get(service);
    if (!t) {
      if (this.services.has(service)) throw new Error(`Timers of service '${service}' are restored after the service was created; restore before operators start.`);
      t = { event: [], processing: [] };
      this.restored.set(service, t);
    }
    const into = event ? t.event : t.processing;
    for (let i = 0; i < entries.length; i += 2) {
      const ts = entries[i + 1];
      if (typeof ts !== 'number') throw new Error(`Keyed state of key group ${kg} is corrupt: a timer of '${name}' has timestamp ${String(ts)}.`);
      into.push([ts, entries[i]]);
    }
  }

  clear(): void { this.services.clear(); this.restored.clear(); }
}

function stateName(domain: TimerDomain, service: string): string { return (domain === 'event' ? TIMER_EVENT : TIMER_PROCESSING) + service; }
