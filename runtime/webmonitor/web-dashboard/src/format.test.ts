// The dashboard's display formats.
import { describe, expect, it } from 'vitest';
import { bytes, duration, metricValue, watermark } from './format';

describe('display formats', () => {
  it('watermarks: tsflink\'s MIN_WATERMARK is "No Watermark", MAX_WATERMARK the end of input', () => {
    expect(watermark(Number.MIN_SAFE_INTEGER)).toBe('No Watermark');
    expect(watermark(Number.NEGATIVE_INFINITY)).toBe('No Watermark');
    expect(watermark(undefined)).toBe('No Watermark');
    expect(watermark(Number.MAX_SAFE_INTEGER)).toBe('End of input');
    expect(watermark(Date.UTC(2026, 0, 2, 3, 4, 5, 67))).toMatch(/^2026-01-0[12] \d\d:04:05\.067$/);
  });

  it('metric values keep integers and strings, round long decimals', () => {
    expect(metricValue('431.27895549627965')).toBe('431.279');
    expect(metricValue('1024')).toBe('1024');
    expect(metricValue('true')).toBe('true');
    expect(metricValue('')).toBe('');
    expect(metricValue(undefined)).toBe('-');
  });

  it('durations and sizes', () => {
    expect(duration(-1)).toBe('-');
    expect(duration(850)).toBe('850ms');
    expect(duration(7_700)).toBe('7.7s');
    expect(duration(3_725_000)).toBe('1h 2m 5s');
    expect(bytes(287)).toBe('287 B');
    expect(bytes(5.03 * 1024 * 1024)).toBe('5.03 MB');
  });
});
