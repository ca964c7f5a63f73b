// The schedules service's metrics in Prometheus' text format (GET /schedules/-/metrics):
// tsflink_schedule_runs_total{schedule,state}, tsflink_schedule_last_success_timestamp_seconds{schedule},
// tsflink_schedule_run_lateness_seconds{schedule}.
import type { EtlScheduler } from './EtlScheduler.js';
import { RUN_STATES } from './ScheduleRun.js';
import { JobManagerMetricGroup, type AbstractMetricGroup, type MetricRegistry } from '../metrics/index.js';

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

/**
 * The same numbers in the JobManager's metric registry, so the configured reporters (Prometheus:
 * flink_jobmanager_schedule_state_runsTotal{schedule,state}, …_schedule_lastSuccessTimestamp,
 * …_schedule_runLatenessSeconds) export them. Groups follow the schedules at every collection.
 */
export function registerScheduleMetrics(scheduler: EtlScheduler, registry: MetricRegistry, host: string): JobManagerMetricGroup {
  const root = new JobManagerMetricGroup(registry, host);
  const groups = new Map<string, AbstractMetricGroup>();
  const m = scheduler.metrics;
  const sync = (): void => {
    const names = new Set(scheduler.schedules().map((s) => s.name));
    for (const name of names) {
      if (groups.has(name)) continue;
      const g = root.addGroup('schedule', name);
      g.gauge('lastSuccessTimestamp', () => m.lastSuccessTimestamp.get(name) ?? -1);
      g.gauge('runLatenessSeconds', () => m.runLatenessSeconds.get(name) ?? 0);
      for (const state of RUN_STATES) g.addGroup('state', state).gauge('runsTotal', () => m.runsTotal.get(name)?.get(state) ?? 0);
      groups.set(name, g);
    }
    for (const [name, g] of groups) if (!names.has(name)) { g.close(); groups.delete(name); }
  };
  sync();
  registry.onCollect(sync);
  return root;
}
