// Timers in keyed snapshots (Flink's InternalTimerServiceImplTest snapshot/restore and rescaling cases).
import { describe, it, expect } from 'vitest';
import { InternalTimerService, DEFAULT_TIMER_SERVICE_NAME, type InternalTimer, type Triggerable } from './InternalTimerService.js';
import type { ProcessingTimeService } from './ProcessingTimeService.js';
import { HeapKeyedStateBackend } from '../../state/heap/HeapKeyedStateBackend.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../util/KeyGroupRangeAssignment.js';

const MAX_P = 128;
const FULL = { startKeyGroup: 0, endKeyGroup: MAX_P - 1 };

/** Processing time moved by hand; due callbacks run on advance (as the mailbox would run them). */
class ManualTime implements ProcessingTimeService {
  now = 0;
  private timers: { ts: number; cb: (t: number) => void; live: boolean }[] = [];
  getCurrentProcessingTime(): number { return this.now; }
  registerTimer(ts: number, cb: (t: number) => void): { cancel(): void } {
    const t = { ts, cb, live: true };
    this.timers.push(t);
    return { cancel: () => { t.live = false; } };
  }
  advance(to: number): void {
    this.now = to;
    for (;;) {
      const due = this.timers.find((t) => t.live && t.ts <= to);
      if (!due) return;
      due.live = false;
      due.cb(due.ts);
    }
  }
}

type Fired = [domain: 'event' | 'processing', ts: number, key: unknown, currentKey: unknown];
function recorder(backend: HeapKeyedStateBackend): Triggerable & { fired: Fired[] } {
  const fired: Fired[] = [];
  return {
    fired,
    onEventTime: (t: InternalTimer) => { fired.push(['event', t.timestamp, t.key, backend.getCurrentKey()]); },
    onProcessingTime: (t: InternalTimer) => { fired.push(['processing', t.timestamp, t.key, backend.getCurrentKey()]); },
  };
}

const KEYS: unknown[] = ['a', 7, 3n, ['x', 1], ['x', [2, 'y']]];

function withTimers(): { backend: HeapKeyedStateBackend; timers: InternalTimerService } {
  const backend = new HeapKeyedStateBackend(FULL, MAX_P);
  const timers = new InternalTimerService(backend, new ManualTime(), recorder(backend));
  KEYS.forEach((k, i) => {
    backend.setCurrentKey(k);
    timers.registerEventTimeTimer(100 + i);
    timers.registerEventTimeTimer(1000);
    timers.registerProcessingTimeTimer(50 + i);
  });
  return { backend, timers };
}

describe('timers in keyed snapshots', () => {
  it('event-time and processing-time timers fire after restore, with their exact keys', () => {
    const { backend } = withTimers();
    const snap = backend.snapshot();

    const restored = new HeapKeyedStateBackend(FULL, MAX_P);
    restored.restore([snap]);
    const pts = new ManualTime();
    const target = recorder(restored);
    const timers = new InternalTimerService(restored, pts, target);
    expect(timers.numEventTimeTimers()).toBe(KEYS.length * 2);
    expect(timers.numProcessingTimeTimers()).toBe(KEYS.length);

    // Timers are still deduplicated after restore.
    restored.setCurrentKey(['x', 1]);
    timers.registerEventTimeTimer(1000);
    timers.registerProcessingTimeTimer(53);
    expect(timers.numEventTimeTimers()).toBe(KEYS.length * 2);
    expect(timers.numProcessingTimeTimers()).toBe(KEYS.length);

    pts.advance(52);
    expect(target.fired).toEqual([['processing', 50, 'a', 'a'], ['processing', 51, 7, 7], ['processing', 52, 3n, 3n]]);
    target.fired.length = 0;
    timers.advanceWatermark(1000);
    expect(target.fired.slice(0, KEYS.length)).toEqual(KEYS.map((k, i) => ['event', 100 + i, k, k]));
    expect(target.fired.slice(KEYS.length).map((f) => f[2])).toHaveLength(KEYS.length);
    target.fired.length = 0;
    pts.advance(60);
    expect(target.fired).toEqual([['processing', 53, ['x', 1], ['x', 1]], ['processing', 54, ['x', [2, 'y']], ['x', [2, 'y']]]]);
  });

  it('fired and deleted timers are not in later snapshots', () => {
    const { backend, timers } = withTimers();
    backend.setCurrentKey('a');
    timers.deleteEventTimeTimer(1000);
    timers.advanceWatermark(101); // fires 'a'@100 and 7@101
    const restored = new HeapKeyedStateBackend(FULL, MAX_P);
    restored.restore([backend.snapshot()]);
    const t = new InternalTimerService(restored, new ManualTime(), recorder(restored));
    expect(t.numEventTimeTimers()).toBe(KEYS.length * 2 - 3);
  });

  it('timers are matched to their service by name; unclaimed restored timers are kept', () => {
    const backend = new HeapKeyedStateBackend(FULL, MAX_P);
    const user = new InternalTimerService(backend, new ManualTime(), recorder(backend));
    const other = new InternalTimerService(backend, new ManualTime(), recorder(backend), 'window-timers');
    backend.setCurrentKey('k');
    user.registerEventTimeTimer(1);
    other.registerEventTimeTimer(2);
    other.registerProcessingTimeTimer(3);
    expect(() => new InternalTimerService(backend, new ManualTime(), recorder(backend))).toThrow(/'user-timers' is already registered/);

    const b = new HeapKeyedStateBackend(FULL, MAX_P);
    b.restore([backend.snapshot()]);
    const u = new InternalTimerService(b, new ManualTime(), recorder(b), DEFAULT_TIMER_SERVICE_NAME);
    expect([u.numEventTimeTimers(), u.numProcessingTimeTimers()]).toEqual([1, 0]);
    // 'window-timers' never re-created here: its timers survive the next checkpoint.
    const c = new HeapKeyedStateBackend(FULL, MAX_P);
    c.restore([b.snapshot()]);
    const w = new InternalTimerService(c, new ManualTime(), recorder(c), 'window-timers');
    expect([w.numEventTimeTimers(), w.numProcessingTimeTimers()]).toEqual([1, 1]);
  });

  it('refuses timers restored after their service was created', () => {
    const { backend } = withTimers();
    const b = new HeapKeyedStateBackend(FULL, MAX_P);
    new InternalTimerService(b, new ManualTime(), recorder(b));
    expect(() => b.restore([backend.snapshot()])).toThrow(/restored after the service was created/);
  });

  it('rescaling 2 → 3: every timer goes to the subtask owning its key group, none lost or duplicated', () => {
    const N = 300;
    const keyOf = (i: number): unknown => (i % 2 === 0 ? `k${i}` : ['c', i]);
    const make = (p: number): { b: HeapKeyedStateBackend; t: InternalTimerService; target: ReturnType<typeof recorder>; pts: ManualTime }[] =>
      Array.from({ length: p }, (_, i) => {
        const b = new HeapKeyedStateBackend(computeKeyGroupRangeForOperatorIndex(MAX_P, p, i), MAX_P);
        return { b, target: recorder(b), pts: new ManualTime(), t: undefined as unknown as InternalTimerService };
      });
    const inRange = (b: HeapKeyedStateBackend, k: unknown): boolean => {
      const kg = assignToKeyGroup(k, MAX_P);
      return kg >= b.keyGroupRange.startKeyGroup && kg <= b.keyGroupRange.endKeyGroup;
    };
    const old = make(2);
    for (const o of old) o.t = new InternalTimerService(o.b, o.pts, o.target);
    for (let i = 0; i < N; i++) {
      const o = old.find((x) => inRange(x.b, keyOf(i)))!;
      o.b.setCurrentKey(keyOf(i));
      o.t.registerEventTimeTimer(i);
      o.t.registerProcessingTimeTimer(10_000 + i);
    }
    const snaps = old.map((o) => o.b.snapshot());
    const next = make(3);
    for (const n of next) { n.b.restore(snaps); n.t = new InternalTimerService(n.b, n.pts, n.target); }
    const seen = new Set<string>();
    for (const n of next) {
      n.t.advanceWatermark(N);
      n.pts.advance(10_000 + N);
      for (const [domain, ts, key, cur] of n.target.fired) {
        expect(inRange(n.b, key)).toBe(true);
        expect(cur).toEqual(key);
        expect(key).toEqual(keyOf(domain === 'event' ? ts : ts - 10_000));
        const id = `${domain}|${ts}`;
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
    expect(seen.size).toBe(2 * N);
  });
});
