import { type Configuration, RestartStrategyOptions } from '../../../configuration/index.js';

/** Decides whether and when a failed job restarts (Flink's RestartBackoffTimeStrategy). */
export interface RestartBackoffTimeStrategy {
  notifyFailure(cause: unknown): void;
  canRestart(): boolean;
  getBackoffTime(): number;
  describe(): string;
}

export class NoRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  notifyFailure(): void {}
  canRestart(): boolean { return false; }
  getBackoffTime(): number { return 0; }
  describe(): string { return 'NoRestartBackoffTimeStrategy'; }
}

export class FixedDelayRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  private failures = 0;
  constructor(private readonly maxAttempts: number, private readonly delay: number) {}
  notifyFailure(): void { this.failures++; }
  canRestart(): boolean { return this.failures <= this.maxAttempts; }
  getBackoffTime(): number { return this.delay; }
  describe(): string { return `FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=${this.maxAttempts}, backoffTimeMS=${this.delay})`; }
}

export class ExponentialDelayRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  private current: number;
  private lastFailure = 0;
  private attempts = 0;
  constructor(private readonly initial: number, private readonly max: number, private readonly multiplier: number,
    private readonly resetThreshold: number, private readonly jitter: number, private readonly attemptsBeforeReset: number) {
    this.current = initial;
  }
  notifyFailure(): void {
    const now = Date.now();
    if (this.lastFailure > 0 && now - this.lastFailure >= this.resetThreshold) { this.current = this.initial; this.attempts = 0; }
    else if (this.lastFailure > 0) this.current = Math.min(this.current * this.multiplier, this.max);
    this.lastFailure = now;
    this.attempts++;
  }
  canRestart(): boolean { return this.attempts <= this.attemptsBeforeReset; }
  getBackoffTime(): number {
    const j = this.current * this.jitter;
    return Math.max(0, Math.round(this.current + (Math.random() * 2 - 1) * j));
  }
  describe(): string { return `ExponentialDelayRestartBackoffTimeStrategy(initialBackoff=${this.initial}, maxBackoff=${this.max}, multiplier=${this.multiplier})`; }
}

export class FailureRateRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  private readonly failures: number[] = [];
  constructor(private readonly maxFailures: number, private readonly interval: number, private readonly delay: number) {}
  notifyFailure(): void { this.failures.push(Date.now()); }
  canRestart(): boolean {
    const now = Date.now();
    while (this.failures.length > 0 && now - this.failures[0] > this.interval) this.failures.shift();
    return this.failures.length <= this.maxFailures;
  }
  getBackoffTime(): number { return this.delay; }
  describe(): string { return `FailureRateRestartBackoffTimeStrategy(failuresIntervalMS=${this.interval}, maxFailuresPerInterval=${this.maxFailures})`; }
}

export function createRestartStrategy(conf: Configuration): RestartBackoffTimeStrategy {
  const type = RestartStrategyOptions.resolveRestartStrategyType(conf);
  switch (type) {
    case 'none': return new NoRestartBackoffTimeStrategy();
    case 'fixed-delay': return new FixedDelayRestartBackoffTimeStrategy(conf.get(RestartStrategyOptions.FIXED_DELAY_ATTEMPTS), conf.get(RestartStrategyOptions.FIXED_DELAY_DELAY));
    case 'exponential-delay': return new ExponentialDelayRestartBackoffTimeStrategy(
      conf.get(RestartStrategyOptions.EXPONENTIAL_DELAY_INITIAL_BACKOFF), conf.get(RestartStrategyOptions.EXPONENTIAL_DELAY_MAX_BACKOFF),
      conf.get(RestartStrategyOptions.EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER), conf.get(RestartStrategyOptions.EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD),
      conf.get(RestartStrategyOptions.EXPONENTIAL_DELAY_JITTER_FACTOR), conf.get(RestartStrategyOptions.EXPONENTIAL_DELAY_ATTEMPTS));
    case 'failure-rate': return new FailureRateRestartBackoffTimeStrategy(conf.get(RestartStrategyOptions.FAILURE_RATE_MAX_FAILURES_PER_INTERVAL),
      conf.get(RestartStrategyOptions.FAILURE_RATE_INTERVAL), conf.get(RestartStrategyOptions.FAILURE_RATE_DELAY));
  }
}
