// Which runs a schedule owes at a given time (Airflow's CronDataIntervalTimetable): consecutive
// cron fire times t(i-1), t(i) bound a data interval [t(i-1), t(i)), and its run is created once
// t(i) has passed. Pure: the scheduler hands in the clock and what it materialized before.
import type { CronSchedule } from './CronSchedule.js';
import type { CatchupPolicy } from './ScheduleSpec.js';

export interface DataInterval { start: number; end: number }

export interface MaterializeInput {
  cron: CronSchedule;
  /** Schedule start: the first interval starts at the first fire time at or after it. */
  start?: number;
  /** Schedule end: no interval starting at or after it. */
  end?: number;
  catchup: CatchupPolicy;
  maxCatchupRuns: number;
  /** End of the last interval already materialized (undefined: none yet). */
  materializedUntil?: number;
  /** When the schedule was created; without `start`, the first interval is the one containing it. */
  createdAt: number;
  now: number;
}

export interface Materialization {
  /** New intervals, oldest first. */
  intervals: DataInterval[];
  /** Missed intervals not materialized (catchup none, or beyond the catch-up guard): [from, to) of their starts. */
  missed?: { from: number; to: number; count: number | 'many' };
  /** The new materializedUntil (unchanged if nothing is due). */
  materializedUntil?: number;
  /** When the next interval ends (the next time a run becomes due). */
  nextDueAt?: number;
}

/** Counting missed intervals stops here (a seconds schedule down for a day has 86,400); beyond it: 'many'. */
const COUNT_LIMIT = 1_000;

/** The first interval start the schedule owes runs from. */
export function firstIntervalStart(inp: Pick<MaterializeInput, 'cron' | 'start' | 'materializedUntil' | 'createdAt'>): number | undefined {
  if (inp.materializedUntil !== undefined) return inp.materializedUntil;
  if (inp.start !== undefined) return inp.cron.atOrAfter(inp.start);
  return inp.cron.atOrBefore(inp.createdAt) ?? inp.cron.atOrAfter(inp.createdAt);
}

export function materialize(inp: MaterializeInput): Materialization {
  const { cron } = inp;
  const first = firstIntervalStart(inp);
  const out: Materialization = { intervals: [] };
  if (inp.materializedUntil !== undefined) out.materializedUntil = inp.materializedUntil;
  if (first === undefined) return out;
  const owed = (s: number): boolean => inp.end === undefined || s < inp.end;
  const firstEnd = cron.nextAfter(first);
  if (firstEnd === undefined || !owed(first)) return out;
  if (firstEnd > inp.now) { out.nextDueAt = firstEnd; return out; }
  // The latest interval that has ended by now (bounded by the schedule end).
  let lastEnd = cron.atOrBefore(inp.now)!;
  let lastStart = cron.atOrBefore(lastEnd - 1)!;
  while (!owed(lastStart)) { lastEnd = lastStart; lastStart = cron.atOrBefore(lastEnd - 1)!; }
  const keep = inp.catchup === 'all' ? inp.maxCatchupRuns : 1;
  // Walk back from the latest interval: at most `keep` are materialized, the rest are missed.
  const kept: DataInterval[] = [];
  let s = lastStart;
  let e = lastEnd;
  while (kept.length < keep && s >= first) {
    kept.push({ start: s, end: e });
    e = s;
    const p = cron.atOrBefore(s - 1);
    if (p === undefined) break;
    s = p;
  }
  kept.reverse();
  out.intervals = kept;
  out.materializedUntil = lastEnd;
  const oldestKept = kept[0]!.start;
  if (oldestKept > first) {
    let count = 0;
    for (let t: number | undefined = first; t !== undefined && t < oldestKept && count < COUNT_LIMIT; t = cron.nextAfter(t)) count++;
    out.missed = { from: first, to: oldestKept, count: count >= COUNT_LIMIT ? 'many' : count };
  }
  const next = cron.nextAfter(lastEnd);
  if (next !== undefined && owed(lastEnd)) out.nextDueAt = next;
  return out;
}

/** Intervals whose start lies in [from, to] (backfill), oldest first; throws past `limit`. */
export function intervalsBetween(cron: CronSchedule, from: number, to: number, limit: number): DataInterval[] {
  const out: DataInterval[] = [];
  for (let s = cron.atOrAfter(from); s !== undefined && s <= to; ) {
    const e = cron.nextAfter(s);
    if (e === undefined) break;
    out.push({ start: s, end: e });
    if (out.length > limit) throw new Error(`the range holds more than ${limit} intervals (scheduler.max-backfill-runs); backfill a shorter range.`);
    s = e;
  }
  return out;
}
