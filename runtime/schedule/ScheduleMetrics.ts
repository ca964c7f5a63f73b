// The schedules service's metrics in Prometheus' text format (GET /schedules/-/metrics):
// tsflink_schedule_runs_total{schedule,state}, tsflink_schedule_last_success_timestamp_seconds{schedule},
// tsflink_schedule_run_lateness_seconds{schedule}.
import type { EtlScheduler } from './EtlScheduler.js';

const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function prometheusText(scheduler: EtlScheduler): string {
  const m = scheduler.metrics;
  const lines = [
    '# HELP tsflink_schedule_runs_total Runs of a schedule that reached a final state, by state.',
    '# TYPE tsflink_schedule_runs_total counter',
  ];
  for (const [schedule, byState] of m.runsTotal) for (const [state, n] of byState) lines.push(`tsflink_schedule_runs_total{schedule="${label(schedule)}",state="${state}"} ${n}`);
  lines.push('# HELP tsflink_schedule_last_success_timestamp_seconds When the last run of the schedule succeeded (epoch seconds).', '# TYPE tsflink_schedule_last_success_timestamp_seconds gauge');
  for (const [schedule, t] of m.lastSuccessTimestamp) lines.push(`tsflink_schedule_last_success_timestamp_seconds{schedule="${label(schedule)}"} ${t / 1000}`);
  lines.push('# HELP tsflink_schedule_run_lateness_seconds How long after its interval ended the last attempt started.', '# TYPE tsflink_schedule_run_lateness_seconds gauge');
  for (const [schedule, s] of m.runLatenessSeconds) lines.push(`tsflink_schedule_run_lateness_seconds{schedule="${label(schedule)}"} ${s}`);
  return `${lines.join('\n')}\n`;
}
