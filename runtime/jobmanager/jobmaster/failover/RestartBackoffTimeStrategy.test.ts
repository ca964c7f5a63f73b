import { describe, it, expect, vi, afterEach } from 'vitest';
import { createRestartStrategy, ExponentialDelayRestartBackoffTimeStrategy, FailureRateRestartBackoffTimeStrategy } from './RestartBackoffTimeStrategy.js';
import { loadConfiguration } from '../../../configuration/index.js';

afterEach(() => vi.useRealTimers());
const conf = (d: Record<string, string>) => loadConfiguration({ dynamicProperties: d });

describe('restart strategies (Flink semantics)', () => {
  it('picks Flink\'s default: none without checkpointing, exponential-delay with it', () => {
    expect(createRestartStrategy(conf({})).describe()).toMatch(/^NoRestart/);
    expect(createRestartStrategy(conf({ 'execution.checkpointing.interval': '10 s' })).describe()).toMatch(/^ExponentialDelay/);
    expect(createRestartStrategy(conf({ 'restart-strategy.type': 'fixeddelay' })).describe()).toMatch(/^FixedDelay/);
  });

  it('exponential-delay grows by the multiplier up to the max and resets after the threshold', () => {
    vi.useFakeTimers();
    const s = new ExponentialDelayRestartBackoffTimeStrategy(100, 1000, 2, 10_000, 0, 100);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) { s.notifyFailure(); delays.push(s.getBackoffTime()); vi.advanceTimersByTime(50); }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    vi.advanceTimersByTime(10_000);
    s.notifyFailure();
    expect(s.getBackoffTime()).toBe(100);
    expect(s.canRestart()).toBe(true);
  });

  it('exponential-delay jitter stays within the factor', () => {
    const s = new ExponentialDelayRestartBackoffTimeStrategy(1000, 60_000, 1.5, 3_600_000, 0.1, 100);
    s.notifyFailure();
    for (let i = 0; i < 50; i++) { const b = s.getBackoffTime(); expect(b).toBeGreaterThanOrEqual(900); expect(b).toBeLessThanOrEqual(1100); }
  });

  it('failure-rate allows N failures per interval', () => {
    vi.useFakeTimers();
    const s = new FailureRateRestartBackoffTimeStrategy(2, 1000, 10);
    s.notifyFailure(); expect(s.canRestart()).toBe(true);
    s.notifyFailure(); expect(s.canRestart()).toBe(true);
    s.notifyFailure(); expect(s.canRestart()).toBe(false);
    vi.advanceTimersByTime(1001);
    s.notifyFailure(); expect(s.canRestart()).toBe(true);
    expect(s.getBackoffTime()).toBe(10);
  });
});
