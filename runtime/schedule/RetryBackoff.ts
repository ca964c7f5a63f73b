// Delay before retrying a failed attempt: exponential (initial × multiplier^(n-1), capped) with
// jitter, so runs that failed together (a NameNode restart) do not retry in lockstep.
import type { RetryPolicy } from './ScheduleSpec.js';

/** Delay after the `failedAttempt`-th attempt failed (1-based); `random` in [0, 1). */
export function retryDelay(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxBackoff, policy.initialBackoff * policy.multiplier ** Math.max(0, failedAttempt - 1));
  const jittered = base * (1 + policy.jitter * (2 * random() - 1));
  return Math.max(0, Math.round(jittered));
}
