// Restart strategy options (Flink RestartStrategyOptions). Aliases are kept as spelled by the user;
// `resolveRestartStrategyType` maps them to one canonical name and applies Flink's default.
import type { ReadableConfig } from './ReadableConfig.js';
import { durationOption, enumOption, intOption, numberOption } from './ConfigOption.js';
import { CHECKPOINTING_INTERVAL } from './CheckpointingOptions.js';

export const RESTART_STRATEGY = enumOption('restart-strategy.type', {
  values: ['none', 'off', 'disable', 'fixed-delay', 'fixeddelay', 'exponential-delay', 'exponentialdelay', 'failure-rate', 'failurerate'] as const,
  fallbackKeys: ['restart-strategy'],
  description: 'Restart strategy after a task failure. Unset: none without checkpointing, exponential-delay with checkpointing.',
});

export type RestartStrategyType = 'none' | 'fixed-delay' | 'exponential-delay' | 'failure-rate';

/** The effective strategy: aliases normalized, Flink's default applied when unset. */
export function resolveRestartStrategyType(conf: ReadableConfig): RestartStrategyType {
  const t = conf.getOptional(RESTART_STRATEGY);
  switch (t) {
    case undefined: return conf.getOptional(CHECKPOINTING_INTERVAL) !== undefined ? 'exponential-delay' : 'none';
    case 'none': case 'off': case 'disable': return 'none';
    case 'fixed-delay': case 'fixeddelay': return 'fixed-delay';
    case 'exponential-delay': case 'exponentialdelay': return 'exponential-delay';
    case 'failure-rate': case 'failurerate': return 'failure-rate';
  }
}

export const FIXED_DELAY_ATTEMPTS = intOption('restart-strategy.fixed-delay.attempts', {
  defaultValue: 1,
  min: 0,
  description: 'fixed-delay: number of restart attempts before the job fails.',
});

export const FIXED_DELAY_DELAY = durationOption('restart-strategy.fixed-delay.delay', {
  defaultValue: 1_000,
  min: 0,
  description: 'fixed-delay: delay between two restart attempts.',
});

export const EXPONENTIAL_DELAY_INITIAL_BACKOFF = durationOption('restart-strategy.exponential-delay.initial-backoff', {
  defaultValue: 1_000,
  min: 0,
  description: 'exponential-delay: backoff before the first restart.',
});

export const EXPONENTIAL_DELAY_MAX_BACKOFF = durationOption('restart-strategy.exponential-delay.max-backoff', {
  defaultValue: 60_000,
  min: 0,
  description: 'exponential-delay: upper bound of the backoff.',
});

export const EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER = numberOption('restart-strategy.exponential-delay.backoff-multiplier', {
  defaultValue: 1.5,
  min: 1,
  description: 'exponential-delay: factor applied to the backoff after each failure.',
});

export const EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD = durationOption('restart-strategy.exponential-delay.reset-backoff-threshold', {
  defaultValue: 3_600_000,
  min: 0,
  description: 'exponential-delay: time without failures after which the backoff resets to the initial value.',
});

export const EXPONENTIAL_DELAY_JITTER_FACTOR = numberOption('restart-strategy.exponential-delay.jitter-factor', {
  defaultValue: 0.1,
  min: 0,
  max: 1,
  description: 'exponential-delay: random jitter as a fraction of the backoff.',
});

export const EXPONENTIAL_DELAY_ATTEMPTS = intOption('restart-strategy.exponential-delay.attempts-before-reset-backoff', {
  // Flink's default is Integer.MAX_VALUE, i.e. unlimited.
  defaultValue: 2_147_483_647,
  min: 0,
  description: 'exponential-delay: restarts allowed before the backoff is reset (default: unlimited).',
});

export const FAILURE_RATE_MAX_FAILURES_PER_INTERVAL = intOption('restart-strategy.failure-rate.max-failures-per-interval', {
  defaultValue: 1,
  min: 1,
  description: 'failure-rate: failures within one interval before the job fails.',
});

export const FAILURE_RATE_INTERVAL = durationOption('restart-strategy.failure-rate.failure-rate-interval', {
  defaultValue: 60_000,
  min: 1,
  description: 'failure-rate: length of the measuring interval.',
});

export const FAILURE_RATE_DELAY = durationOption('restart-strategy.failure-rate.delay', {
  defaultValue: 1_000,
  min: 0,
  description: 'failure-rate: delay between two restart attempts.',
});
