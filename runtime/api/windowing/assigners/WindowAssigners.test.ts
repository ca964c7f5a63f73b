import { describe, it, expect } from 'vitest';
import { TimeWindow } from '../windows/TimeWindow.js';
import { TumblingEventTimeWindows } from './TumblingEventTimeWindows.js';
import { TumblingProcessingTimeWindows } from './TumblingProcessingTimeWindows.js';
import { SlidingEventTimeWindows } from './SlidingEventTimeWindows.js';
import { SlidingProcessingTimeWindows } from './SlidingProcessingTimeWindows.js';
import { EventTimeSessionWindows } from './EventTimeSessionWindows.js';
import { ProcessingTimeSessionWindows } from './ProcessingTimeSessionWindows.js';
import { WindowStagger } from './WindowStagger.js';
import { EventTimeTrigger } from '../triggers/EventTimeTrigger.js';
import { ProcessingTimeTrigger } from '../triggers/ProcessingTimeTrigger.js';

const at = (now: number) => ({ getCurrentProcessingTime: () => now });
const ctx = at(0);
const w = (s: number, e: number): TimeWindow => new TimeWindow(s, e);

describe('TumblingEventTimeWindowsTest', () => {
  it('testWindowAssignment', () => {
    const a = TumblingEventTimeWindows.of(5000);
    expect(a.assignWindows('x', 0, ctx)).toEqual([w(0, 5000)]);
    expect(a.assignWindows('x', 4999, ctx)).toEqual([w(0, 5000)]);
    expect(a.assignWindows('x', 5000, ctx)).toEqual([w(5000, 10000)]);
    expect(a.assignWindows('x', -1, ctx)).toEqual([w(-5000, 0)]);
  });
  it('testWindowAssignmentWithStagger', () => {
    const a = TumblingEventTimeWindows.of(5000, 0, WindowStagger.NATURAL);
    expect(a.assignWindows('x', 150, at(150))).toEqual([w(150, 5150)]);
    expect(a.assignWindows('x', 5099, at(150))).toEqual([w(150, 5150)]);
    expect(a.assignWindows('x', 5150, at(150))).toEqual([w(5150, 10150)]);
  });
  it('testWindowAssignmentWithGlobalOffset', () => {
    const a = TumblingEventTimeWindows.of(5000, 100);
    expect(a.assignWindows('x', 100, ctx)).toEqual([w(100, 5100)]);
    expect(a.assignWindows('x', 5099, ctx)).toEqual([w(100, 5100)]);
    expect(a.assignWindows('x', 5100, ctx)).toEqual([w(5100, 10100)]);
  });
  it('testWindowAssignmentWithNegativeGlobalOffset', () => {
    const a = TumblingEventTimeWindows.of(5000, -100);
    expect(a.assignWindows('x', 0, ctx)).toEqual([w(-100, 4900)]);
    expect(a.assignWindows('x', 4899, ctx)).toEqual([w(-100, 4900)]);
    expect(a.assignWindows('x', 4900, ctx)).toEqual([w(4900, 9900)]);
  });
  it('testInvalidParameters', () => {
    expect(() => TumblingEventTimeWindows.of(-1000)).toThrow(/abs\(offset\) < size/);
    expect(() => TumblingEventTimeWindows.of(10000, 20000)).toThrow(/abs\(offset\) < size/);
    expect(() => TumblingEventTimeWindows.of(10000, -11000)).toThrow(/abs\(offset\) < size/);
    expect(() => TumblingProcessingTimeWindows.of(10000, 10000)).toThrow(/TumblingProcessingTimeWindows parameters must satisfy abs\(offset\) < size/);
  });
  it('testProperties', () => {
    const a = TumblingEventTimeWindows.of(5000, 100);
    expect(a.isEventTime()).toBe(true);
    expect(a.getDefaultTrigger()).toBeInstanceOf(EventTimeTrigger);
    expect(TumblingProcessingTimeWindows.of(5000).getDefaultTrigger()).toBeInstanceOf(ProcessingTimeTrigger);
  });
  it('TumblingProcessingTimeWindows assigns by the processing time', () => {
    expect(TumblingProcessingTimeWindows.of(5000).assignWindows('x', undefined, at(5000))).toEqual([w(5000, 10000)]);
    expect(TumblingProcessingTimeWindows.of(5000, 100).assignWindows('x', undefined, at(99))).toEqual([w(-4900, 100)]);
  });
});

describe('SlidingEventTimeWindowsTest', () => {
  it('testWindowAssignment', () => {
    const a = SlidingEventTimeWindows.of(5000, 1000);
    expect(a.assignWindows('x', 0, ctx)).toEqual([w(0, 5000), w(-1000, 4000), w(-2000, 3000), w(-3000, 2000), w(-4000, 1000)]);
    expect(a.assignWindows('x', 4999, ctx)).toEqual([w(4000, 9000), w(3000, 8000), w(2000, 7000), w(1000, 6000), w(0, 5000)]);
    expect(a.assignWindows('x', 5000, ctx)).toEqual([w(5000, 10000), w(4000, 9000), w(3000, 8000), w(2000, 7000), w(1000, 6000)]);
  });
  it('testWindowAssignmentWithOffset and negative offset', () => {
    expect(SlidingEventTimeWindows.of(5000, 1000, 100).assignWindows('x', 100, ctx)).toEqual([w(100, 5100), w(-900, 4100), w(-1900, 3100), w(-2900, 2100), w(-3900, 1100)]);
    expect(SlidingEventTimeWindows.of(5000, 1000, -100).assignWindows('x', 0, ctx)).toEqual([w(-100, 4900), w(-1100, 3900), w(-2100, 2900), w(-3100, 1900), w(-4100, 900)]);
  });
  it('size not a multiple of slide gives ceil(size/slide) windows', () => {
    expect(SlidingEventTimeWindows.of(5100, 1000).assignWindows('x', 0, ctx)).toHaveLength(6);
  });
  it('testInvalidParameters', () => {
    expect(() => SlidingEventTimeWindows.of(-2000, 1000)).toThrow(/abs\(offset\) < slide and size > 0/);
    expect(() => SlidingEventTimeWindows.of(10000, 1000, 20000)).toThrow(/abs\(offset\) < slide and size > 0/);
    expect(() => SlidingEventTimeWindows.of(10000, 1000, -11000)).toThrow(/abs\(offset\) < slide and size > 0/);
    expect(() => SlidingProcessingTimeWindows.of(10000, -1)).toThrow(/SlidingProcessingTimeWindows parameters must satisfy/);
  });
  it('SlidingProcessingTimeWindows assigns by the processing time', () => {
    expect(SlidingProcessingTimeWindows.of(5000, 1000).assignWindows('x', undefined, at(5000))[0]).toEqual(w(5000, 10000));
  });
});

describe('EventTimeSessionWindowsTest / DynamicEventTimeSessionWindowsTest', () => {
  it('testWindowAssignment and testMergeConsecutiveWindows', () => {
    const a = EventTimeSessionWindows.withGap(5000);
    expect(a.assignWindows('x', 0, ctx)).toEqual([w(0, 5000)]);
    expect(a.assignWindows('x', 4999, ctx)).toEqual([w(4999, 9999)]);
    const merges: Array<[TimeWindow[], TimeWindow]> = [];
    a.mergeWindows([w(0, 1), w(1, 2), w(2, 3), w(4, 5), w(5, 6)], (m, r) => merges.push([m, r]));
    expect(merges).toEqual([[[w(0, 1), w(1, 2), w(2, 3)], w(0, 3)], [[w(4, 5), w(5, 6)], w(4, 6)]]);
  });
  it('testMergeCoveringWindow and no merge of separate windows', () => {
    const merges: Array<[TimeWindow[], TimeWindow]> = [];
    EventTimeSessionWindows.withGap(5000).mergeWindows([w(1, 1), w(0, 2), w(4, 7), w(5, 6)], (m, r) => merges.push([m, r]));
    expect(merges).toEqual([[[w(0, 2), w(1, 1)], w(0, 2)], [[w(4, 7), w(5, 6)], w(4, 7)]]);
    const none: unknown[] = [];
    EventTimeSessionWindows.withGap(5000).mergeWindows([w(0, 1), w(2, 3)], (m) => none.push(m));
    expect(none).toEqual([]);
  });
  it('dynamic gap per element, and an invalid gap is rejected', () => {
    const a = EventTimeSessionWindows.withDynamicGap<number>((e) => e);
    expect(a.assignWindows(3000, 10, ctx)).toEqual([w(10, 3010)]);
    expect(() => a.assignWindows(0, 10, ctx)).toThrow(/Dynamic session time gap must satisfy 0 < gap/);
  });
  it('DynamicProcessingTimeSessionWindowsTest: testWindowAssignment by the processing time with the element\'s gap, testMergeConsecutiveWindows, invalid gap', () => {
    const a = ProcessingTimeSessionWindows.withDynamicGap<number>((e) => e);
    expect(a.assignWindows(5000, undefined, at(0))).toEqual([w(0, 5000)]);
    expect(a.assignWindows(3000, 999_999, at(4999))).toEqual([w(4999, 7999)]); // the event timestamp plays no part
    expect(a.isEventTime()).toBe(false);
    expect(a.getDefaultTrigger()).toBeInstanceOf(ProcessingTimeTrigger);
    expect(a.toString()).toBe('DynamicProcessingTimeSessionWindows()');
    const merges: Array<[TimeWindow[], TimeWindow]> = [];
    a.mergeWindows([w(0, 1), w(1, 2), w(2, 3), w(4, 5), w(5, 6)], (m, r) => merges.push([m, r]));
    expect(merges).toEqual([[[w(0, 1), w(1, 2), w(2, 3)], w(0, 3)], [[w(4, 5), w(5, 6)], w(4, 6)]]);
    expect(() => a.assignWindows(-1, undefined, at(0))).toThrow(/Dynamic session time gap must satisfy 0 < gap/);
  });
  it('testInvalidParameters and testProperties', () => {
    expect(() => EventTimeSessionWindows.withGap(-1)).toThrow(/EventTimeSessionWindows parameters must satisfy 0 < size/);
    expect(() => EventTimeSessionWindows.withGap(0)).toThrow(/0 < size/);
    expect(() => ProcessingTimeSessionWindows.withGap(0)).toThrow(/ProcessingTimeSessionWindows parameters must satisfy 0 < size/);
    expect(EventTimeSessionWindows.withGap(1).getDefaultTrigger()).toBeInstanceOf(EventTimeTrigger);
    expect(ProcessingTimeSessionWindows.withGap(1000).assignWindows('x', undefined, at(7))).toEqual([w(7, 1007)]);
  });
});

describe('TimeWindowTest', () => {
  it('getWindowStartWithOffset handles negative timestamps', () => {
    expect(TimeWindow.getWindowStartWithOffset(-1, 0, 10)).toBe(-10);
    expect(TimeWindow.getWindowStartWithOffset(-10, 0, 10)).toBe(-10);
    expect(TimeWindow.getWindowStartWithOffset(7, 2, 5)).toBe(7);
    expect(TimeWindow.getWindowStartWithOffset(6, 2, 5)).toBe(2);
    expect(w(0, 5).maxTimestamp()).toBe(4);
    expect(w(0, 5).intersects(w(5, 6))).toBe(true);
    expect(w(0, 5).intersects(w(6, 7))).toBe(false);
  });
});
