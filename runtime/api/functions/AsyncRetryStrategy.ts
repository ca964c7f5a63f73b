/**
 * Retries of async I/O requests (Flink's AsyncRetryStrategy, FLIP-232). Attempts are counted from 1
 * (the first call); after attempt n the operator retries if the result or error matches the
 * predicate and `canRetry(n)`, waiting `getBackoffTimeMillis(n)` first. The operator's timeout
 * covers the first call and all retries.
 */
export interface AsyncRetryPredicate<OUT> {
  /** Retry when the results match (e.g. RetryPredicates.EMPTY_RESULT_PREDICATE). */
  resultPredicate(): ((results: OUT[]) => boolean) | undefined;
  /** Retry when the request failed with a matching error (e.g. RetryPredicates.HAS_EXCEPTION_PREDICATE). */
  exceptionPredicate(): ((error: unknown) => boolean) | undefined;
}

export interface AsyncRetryStrategy<OUT> {
  canRetry(currentAttempts: number): boolean;
  getBackoffTimeMillis(currentAttempts: number): number;
  getRetryPredicate(): AsyncRetryPredicate<OUT>;
}

export const RetryPredicates = {
  /** Retries while the request returned no results. */
  EMPTY_RESULT_PREDICATE: <OUT>(results: OUT[]): boolean => results.length === 0,
  /** Retries on every error. */
  HAS_EXCEPTION_PREDICATE: (_error: unknown): boolean => true,
} as const;

function predicate<OUT>(result: ((r: OUT[]) => boolean) | undefined, error: ((e: unknown) => boolean) | undefined): AsyncRetryPredicate<OUT> {
  return { resultPredicate: () => result, exceptionPredicate: () => error };
}

function checkPositiveInt(v: number, what: string, builder: string): void {
  if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`${builder}: ${what} must be a positive integer, got ${v}.`);
}

const NO_RETRY: AsyncRetryStrategy<unknown> = {
  canRetry: () => false,
  getBackoffTimeMillis: () => -1,
  getRetryPredicate: () => predicate<unknown>(undefined, undefined),
};

/** A retry strategy is enabled only if it is not NO_RETRY_STRATEGY and has a result or an exception predicate (as in Flink). */
export function isRetryEnabled<OUT>(s: AsyncRetryStrategy<OUT>): boolean {
  if ((s as AsyncRetryStrategy<unknown>) === NO_RETRY) return false;
  const p = s.getRetryPredicate();
  return p.resultPredicate() !== undefined || p.exceptionPredicate() !== undefined;
}

class FixedDelayRetryStrategyBuilder<OUT> {
  private result: ((r: OUT[]) => boolean) | undefined;
  private error: ((e: unknown) => boolean) | undefined;
  constructor(private readonly maxAttempts: number, private readonly backoffTimeMillis: number) {
    checkPositiveInt(maxAttempts, 'maxAttempts', 'FixedDelayRetryStrategyBuilder');
    if (!(backoffTimeMillis > 0)) throw new RangeError(`FixedDelayRetryStrategyBuilder: backoffTimeMillis must be > 0, got ${backoffTimeMillis}.`);
  }
  ifResult(p: (results: OUT[]) => boolean): this { this.result = p; return this; }
  ifException(p: (error: unknown) => boolean): this { this.error = p; return this; }
  build(): AsyncRetryStrategy<OUT> {
    const { maxAttempts, backoffTimeMillis } = this;
    const p = predicate(this.result, this.error);
    return { canRetry: (n) => n <= maxAttempts, getBackoffTimeMillis: () => backoffTimeMillis, getRetryPredicate: () => p };
  }
}

class ExponentialBackoffDelayRetryStrategyBuilder<OUT> {
  private result: ((r: OUT[]) => boolean) | undefined;
  private error: ((e: unknown) => boolean) | undefined;
  constructor(private readonly maxAttempts: number, private readonly initialDelay: number, private readonly maxRetryDelay: number, private readonly multiplier: number) {
    const b = 'ExponentialBackoffDelayRetryStrategyBuilder';
    checkPositiveInt(maxAttempts, 'maxAttempts', b);
    if (!(initialDelay > 0)) throw new RangeError(`${b}: initialDelay must be > 0, got ${initialDelay}.`);
    if (!(maxRetryDelay >= initialDelay)) throw new RangeError(`${b}: maxRetryDelay (${maxRetryDelay}) must be >= initialDelay (${initialDelay}).`);
    if (!(multiplier >= 1)) throw new RangeError(`${b}: multiplier must be >= 1, got ${multiplier}.`);
  }
  ifResult(p: (results: OUT[]) => boolean): this { this.result = p; return this; }
  ifException(p: (error: unknown) => boolean): this { this.error = p; return this; }
  build(): AsyncRetryStrategy<OUT> {
    const { maxAttempts, initialDelay, maxRetryDelay, multiplier } = this;
    const p = predicate(this.result, this.error);
    // Delay after attempt n: initialDelay · multiplier^(n-1), capped. Computed per attempt (Flink keeps
    // the last delay in the strategy, which gives the same sequence for one request at a time).
    return {
      canRetry: (n) => n <= maxAttempts,
      getBackoffTimeMillis: (n) => Math.min(Math.floor(initialDelay * multiplier ** Math.max(0, n - 1)), maxRetryDelay),
      getRetryPredicate: () => p,
    };
  }
}

/** Flink's AsyncRetryStrategies: no retry, fixed delay, exponential backoff. */
export const AsyncRetryStrategies = {
  NO_RETRY_STRATEGY: NO_RETRY,
  FixedDelayRetryStrategyBuilder,
  ExponentialBackoffDelayRetryStrategyBuilder,
} as const;
