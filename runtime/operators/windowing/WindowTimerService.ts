import type { KeyedStateBackend } from '../../state/KeyedStateBackend.js';
import type { MapState } from '../../api/state/State.js';
import { MapStateDescriptor, type StateDescriptor } from '../../api/state/StateDescriptor.js';
import type { InternalTimerService } from '../timers/InternalTimerService.js';

/**
 * Timers per (key, window, time) on top of the operator's per-(key, time) timer service: which
 * windows wait for a time is keyed state (time → window namespaces), so it is checkpointed and
 * rescaled with the window contents, and one key's timer at t serves all its windows due at t.
 */
export class WindowTimerService {
  private readonly event: MapState<number, string[]>;
  private readonly processing: MapState<number, string[]>;

  constructor(backend: KeyedStateBackend, private readonly timers: InternalTimerService) {
    this.event = backend.getPartitionedState(new MapStateDescriptor<number, string[]>('window-timers/event') as StateDescriptor<unknown, unknown>);
    this.processing = backend.getPartitionedState(new MapStateDescriptor<number, string[]>('window-timers/processing') as StateDescriptor<unknown, unknown>);
  }

  get currentWatermark(): number { return this.timers.currentWatermark; }
  currentProcessingTime(): number { return this.timers.currentProcessingTime(); }

  registerEventTimeTimer(namespace: string, time: number): void {
    if (WindowTimerService.add(this.event, namespace, time)) this.timers.registerEventTimeTimer(time);
  }
  registerProcessingTimeTimer(namespace: string, time: number): void {
    if (WindowTimerService.add(this.processing, namespace, time)) this.timers.registerProcessingTimeTimer(time);
  }
  deleteEventTimeTimer(namespace: string, time: number): void {
    if (WindowTimerService.remove(this.event, namespace, time)) this.timers.deleteEventTimeTimer(time);
  }
  deleteProcessingTimeTimer(namespace: string, time: number): void {
    if (WindowTimerService.remove(this.processing, namespace, time)) this.timers.deleteProcessingTimeTimer(time);
  }

  /** The current key's windows whose event-time timer at `time` fired; they are no longer registered. */
  takeEventTimers(time: number): string[] { return WindowTimerService.take(this.event, time); }
  takeProcessingTimers(time: number): string[] { return WindowTimerService.take(this.processing, time); }

  /** Returns true when this is the key's first window at `time` (the key needs its timer). */
  private static add(m: MapState<number, string[]>, ns: string, time: number): boolean {
    const l = m.get(time);
    if (l === undefined) { m.put(time, [ns]); return true; }
    if (!l.includes(ns)) l.push(ns);
    return false;
  }
  /** Returns true when no window of the key waits for `time` any more. */
  private static remove(m: MapState<number, string[]>, ns: string, time: number): boolean {
    const l = m.get(time);
    if (l === undefined) return false;
    const i = l.indexOf(ns);
    if (i < 0) return false;
    if (l.length === 1) { m.remove(time); return true; }
    l.splice(i, 1);
    return false;
  }
  private static take(m: MapState<number, string[]>, time: number): string[] {
    const l = m.get(time);
    if (l === undefined) return [];
    m.remove(time);
    return l;
  }
}
