import { describe, it, expect } from 'vitest';
import { MergingWindowSet } from './MergingWindowSet.js';
import { TimeWindow } from '../../api/windowing/windows/TimeWindow.js';
import { EventTimeSessionWindows } from '../../api/windowing/assigners/EventTimeSessionWindows.js';
import type { MergingWindowAssigner } from '../../api/windowing/assigners/WindowAssigner.js';
import type { ListState } from '../../api/state/State.js';

const w = (s: number, e: number): TimeWindow => new TimeWindow(s, e);
function listState<T>(): ListState<T> & { items: T[] } {
  const s = { items: [] as T[], get: () => s.items, add: (v: T) => { s.items.push(v); }, addAll: (vs: Iterable<T>) => { s.items.push(...vs); },
    update: (vs: Iterable<T>) => { s.items = [...vs]; }, clear: () => { s.items = []; } };
  return s;
}
class Recorder {
  merged = false; target?: TimeWindow; stateWindow?: TimeWindow; sources: TimeWindow[] = []; stateSources: TimeWindow[] = [];
  reset(): void { this.merged = false; this.target = undefined; this.stateWindow = undefined; this.sources = []; this.stateSources = []; }
  readonly fn = (r: TimeWindow, m: TimeWindow[], s: TimeWindow, ms: TimeWindow[]): void => {
    if (this.merged) throw new Error('merge function called twice');
    this.merged = true; this.target = r; this.sources = m; this.stateWindow = s; this.stateSources = ms;
  };
}
const assigner = EventTimeSessionWindows.withGap(3) as unknown as MergingWindowAssigner<unknown, TimeWindow>;

describe('MergingWindowSetTest', () => {
  it('testIncrementalMerging: windows merge into the earliest state window', () => {
    const set = new MergingWindowSet(assigner, TimeWindow.serializer, listState<[string, string]>());
    const m = new Recorder();
    expect(set.addWindow(w(0, 4), m.fn)).toEqual(w(0, 4));
    expect(m.merged).toBe(false);
    expect(set.getStateWindow(w(0, 4))).toEqual(w(0, 4));
    m.reset();
    expect(set.addWindow(w(0, 4), m.fn)).toEqual(w(0, 4));
    expect(m.merged).toBe(false);
    m.reset();
    expect(set.addWindow(w(3, 5), m.fn)).toEqual(w(0, 5));
    expect(m.merged).toBe(true);
    expect(m.target).toEqual(w(0, 5));
    expect(m.stateWindow).toEqual(w(0, 4));
    expect(m.sources).toEqual([w(0, 4)]);
    expect(m.stateSources).toEqual([]);
    m.reset();
    expect(set.addWindow(w(4, 6), m.fn)).toEqual(w(0, 6));
    expect(m.sources).toEqual([w(0, 5)]);
    expect(set.getStateWindow(w(0, 6))).toEqual(w(0, 4));
    for (const inside of [w(1, 4), w(0, 3), w(3, 6), w(0, 6)]) {
      m.reset();
      expect(set.addWindow(inside, m.fn)).toEqual(w(0, 6));
      expect(m.merged).toBe(false);
    }
    m.reset();
    expect(set.addWindow(w(10, 13), m.fn)).toEqual(w(10, 13));
    expect(m.merged).toBe(false);
    m.reset();
    expect(set.addWindow(w(11, 15), m.fn)).toEqual(w(10, 15));
    expect(m.stateWindow).toEqual(w(10, 13));
    // Bridging both regions: one merge, the state of (10,13) goes into (0,4).
    m.reset();
    expect(set.addWindow(w(5, 12), m.fn)).toEqual(w(0, 15));
    expect(m.sources).toEqual([w(0, 6), w(10, 15)]);
    expect(m.stateWindow).toEqual(w(0, 4));
    expect(m.stateSources).toEqual([w(10, 13)]);
    expect(set.getStateWindow(w(0, 15))).toEqual(w(0, 4));
    expect(set.size()).toBe(1);
  });

  it('testLateMerging / retireWindow and testRestoreFromState: persist() writes the mapping a new set reads back', () => {
    const state = listState<[string, string]>();
    const set = new MergingWindowSet(assigner, TimeWindow.serializer, state);
    const m = new Recorder();
    set.addWindow(w(0, 3), m.fn);
    set.addWindow(w(2, 5), m.fn);
    set.addWindow(w(10, 13), m.fn);
    set.persist();
    const restored = new MergingWindowSet(assigner, TimeWindow.serializer, state);
    expect(restored.getStateWindow(w(0, 5))).toEqual(w(0, 3));
    expect(restored.getStateWindow(w(10, 13))).toEqual(w(10, 13));
    restored.retireWindow(w(10, 13));
    expect(() => restored.retireWindow(w(10, 13))).toThrow(/is not in in-flight window set/);
    restored.persist();
    expect(state.items).toEqual([['0,5', '0,3']]);
  });
});
