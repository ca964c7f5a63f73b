// Node colours of the job graph: Flink's blend from idle blue to busy red to back-pressured grey.
import { describe, expect, it } from 'vitest';
import { blend, nodeColors, percentOfSecond } from './colors';

describe('job graph node colours', () => {
  it('idle, fully busy and fully back-pressured are Flink\'s three colours', () => {
    expect(nodeColors(0, 0)).toEqual({ background: '#5db1ff', border: '#1890ff' });
    expect(nodeColors(100, 0)).toEqual({ background: '#ee6464', border: '#ee2222' });
    expect(nodeColors(0, 100)).toEqual({ background: '#888888', border: '#000000' });
    expect(nodeColors(100, 100)).toEqual({ background: '#888888', border: '#000000' });
  });

  it('blends linearly in between', () => {
    expect(blend('#000000', '#ffffff', 0.5)).toBe('#808080');
    expect(nodeColors(50, 0).background).toBe(blend('#5db1ff', '#ee6464', 0.5));
    expect(nodeColors(50, 50).background).toBe(blend(blend('#5db1ff', '#ee6464', 0.5), '#888888', 0.5));
    expect(blend('#102030', '#ffffff', Number.NaN)).toBe('#102030');
  });

  it('percentages of a *TimeMsPerSecond metric: min(round(ms / 10), 100)', () => {
    expect(percentOfSecond(0)).toBe(0);
    expect(percentOfSecond(994)).toBe(99);
    expect(percentOfSecond(1000)).toBe(100);
    expect(percentOfSecond(1200)).toBe(100);
    expect(percentOfSecond(Number.NaN)).toBe(0);
    expect(percentOfSecond(undefined)).toBe(0);
  });
});
