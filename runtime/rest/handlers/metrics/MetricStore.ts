// Flink's MetricStore: the metrics REST serves, as strings, filed by component — JobManager,
// TaskManagers, jobs, and per job vertex with ids `<subtask>.<name>` / `<subtask>.<operator>.<name>`.
import type { MetricGroupDump, MetricValueDump } from '../../../metrics/dump/MetricDump.js';

export type ComponentMetrics = Map<string, string>;

export interface SubtaskMetricStore { readonly metrics: ComponentMetrics; attemptNumber: number }
export interface TaskMetricStore { readonly metrics: ComponentMetrics; readonly subtasks: Map<number, SubtaskMetricStore> }
export interface JobMetricStore { readonly metrics: ComponentMetrics; readonly tasks: Map<string, TaskMetricStore> }

export class MetricStore {
  readonly jobManager: ComponentMetrics = new Map();
  readonly taskManagers = new Map<string, ComponentMetrics>();
  readonly jobs = new Map<string, JobMetricStore>();

  job(jobId: string): JobMetricStore {
    let j = this.jobs.get(jobId);
    if (!j) { j = { metrics: new Map(), tasks: new Map() }; this.jobs.set(jobId, j); }
    return j;
  }

  task(jobId: string, vertexId: string): TaskMetricStore {
    const j = this.job(jobId);
    let t = j.tasks.get(vertexId);
    if (!t) { t = { metrics: new Map(), subtasks: new Map() }; j.tasks.set(vertexId, t); }
    return t;
  }

  /** The JobManager's dump replaces its metrics; jobs' metrics from it merge. */
  addJobManagerDump(dumps: readonly MetricGroupDump[]): void {
    this.jobManager.clear();
    this.addAll(dumps);
  }

  /** A TaskManager's dump replaces its own metrics; its tasks' merge into their jobs (finished tasks keep their last values). */
  addTaskManagerDump(taskManagerId: string, dumps: readonly MetricGroupDump[]): void {
    this.taskManagers.set(taskManagerId, new Map());
    this.addAll(dumps, taskManagerId);
  }

  removeTaskManager(id: string): void { this.taskManagers.delete(id); }
  retainJobs(live: ReadonlySet<string>): void { for (const id of [...this.jobs.keys()]) if (!live.has(id)) this.jobs.delete(id); }

  private addAll(dumps: readonly MetricGroupDump[], tmId?: string): void {
    for (const d of dumps) {
      const info = d.info;
      const prefix = d.scope === '' ? '' : `${d.scope}.`;
      switch (info.category) {
        case 'jm': put(this.jobManager, prefix, d.metrics); break;
        case 'tm': {
          const id = info.taskManagerId ?? tmId;
          let m = this.taskManagers.get(id);
          if (!m) { m = new Map(); this.taskManagers.set(id, m); }
          put(m, prefix, d.metrics);
          break;
        }
        case 'job': put(this.job(info.jobId).metrics, prefix, d.metrics); break;
        case 'task':
        case 'operator': {
          const t = this.task(info.jobId, info.vertexId);
          let st = t.subtasks.get(info.subtaskIndex);
          // A newer attempt replaces what an older one left.
          if (st && st.attemptNumber < info.attemptNumber) { st.metrics.clear(); st.attemptNumber = info.attemptNumber; }
          if (!st) { st = { metrics: new Map(), attemptNumber: info.attemptNumber }; t.subtasks.set(info.subtaskIndex, st); }
          if (st.attemptNumber > info.attemptNumber) break; // an old attempt's late dump
          const own = info.category === 'operator' ? `${info.operatorName}.${prefix}` : prefix;
          put(st.metrics, own, d.metrics);
          put(t.metrics, `${info.subtaskIndex}.${own}`, d.metrics);
          break;
        }
      }
    }
  }
}

function put(into: ComponentMetrics, prefix: string, metrics: readonly MetricValueDump[]): void {
  for (const m of metrics) {
    const id = `${prefix}${m.name}`;
    if (m.type === 'histogram') {
      const v = m.value;
      // Flink's MetricStore keeps a histogram as these entries.
      into.set(`${id}_min`, String(v.min)); into.set(`${id}_max`, String(v.max)); into.set(`${id}_mean`, String(v.mean));
      into.set(`${id}_median`, String(v.p50)); into.set(`${id}_stddev`, String(v.stddev)); into.set(`${id}_p75`, String(v.p75));
      into.set(`${id}_p95`, String(v.p95)); into.set(`${id}_p98`, String(v.p98)); into.set(`${id}_p99`, String(v.p99)); into.set(`${id}_p999`, String(v.p999));
    } else {
      into.set(id, m.value === null ? 'null' : String(m.value));
    }
  }
}
