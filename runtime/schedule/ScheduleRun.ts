// One run of a schedule: a data interval, its attempts and its state (the run record kept in
// the history store and shown by `tsflink schedule runs` and GET /schedules/:name/runs).
import { createHash } from 'node:crypto';
import { compactUtc } from './ZonedTime.js';

export type RunState = 'WAITING' | 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'TIMED_OUT';
export const TERMINAL_STATES: readonly RunState[] = ['SUCCEEDED', 'FAILED', 'SKIPPED', 'TIMED_OUT'];
export const RUN_STATES: readonly RunState[] = ['WAITING', 'QUEUED', 'RUNNING', ...TERMINAL_STATES];
export type RunKind = 'scheduled' | 'backfill' | 'manual';

export interface RunAttempt {
  attempt: number;
  jobId: string;
  startedAt: number;
  endedAt?: number;
  state: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CANCELED';
  error?: string;
}

export interface ScheduleRun {
  runId: string;
  schedule: string;
  kind: RunKind;
  intervalStart: number;
  intervalEnd: number;
  state: RunState;
  /** Attempts made so far (0 before the first). */
  attempt: number;
  jobId?: string;
  createdAt: number;
  /** When the run was queued (its waits satisfied). */
  queuedAt?: number;
  startedAt?: number;
  endedAt?: number;
  /** A failed attempt's retry starts no earlier than this. */
  retryAt?: number;
  error?: string;
  attempts: RunAttempt[];
  /** Records the job reported as rejected (bad input lines), from its 'numRecordsRejected' accumulator. */
  recordsRejected?: number;
  slaMissed?: boolean;
  /** Failed attempts counted against retries.attempts (lost ones after a restart are not). */
  retriesUsed?: number;
  /** Times the run was queued again by rerun or backfill --reprocess. */
  reruns?: number;
  /** Start order among the queued runs of one backfill. */
  order?: number;
}

/** Deterministic: the same interval of the same schedule always has the same id (never run twice). */
export function intervalRunId(intervalStart: number): string {
  return `scheduled__${compactUtc(intervalStart)}`;
}

export function manualRunId(at: number): string {
  return `manual__${compactUtc(at)}`;
}

/** Job id of an attempt: derived from schedule, run and attempt, so a resubmission after a crash is refused as a duplicate. */
export function attemptJobId(schedule: string, runId: string, attempt: number): string {
  return createHash('sha256').update(`${schedule}\0${runId}\0${attempt}`).digest('hex').slice(0, 32);
}

export function isTerminal(s: RunState): boolean { return TERMINAL_STATES.includes(s); }

/** A run in lists (API.md: exactly runId, intervalStart, intervalEnd, state, attempt, jobId). */
export interface RunSummary { runId: string; intervalStart: string; intervalEnd: string; state: RunState; attempt: number; jobId: string | null }

export function runSummary(r: ScheduleRun): RunSummary {
  return { runId: r.runId, intervalStart: new Date(r.intervalStart).toISOString(), intervalEnd: new Date(r.intervalEnd).toISOString(), state: r.state, attempt: r.attempt, jobId: r.jobId ?? null };
}

/** One run with its details (GET /schedules/:name/runs/:runid, `tsflink schedule runs --details`). */
export function runView(r: ScheduleRun): Record<string, unknown> {
  return {
    ...runSummary(r),
    kind: r.kind,
    createdAt: new Date(r.createdAt).toISOString(),
    startedAt: r.startedAt !== undefined ? new Date(r.startedAt).toISOString() : null,
    endedAt: r.endedAt !== undefined ? new Date(r.endedAt).toISOString() : null,
    error: r.error ?? null,
    recordsRejected: r.recordsRejected ?? null,
    attempts: r.attempts.map((a) => ({ ...a, startedAt: new Date(a.startedAt).toISOString(), endedAt: a.endedAt !== undefined ? new Date(a.endedAt).toISOString() : null })),
  };
}
