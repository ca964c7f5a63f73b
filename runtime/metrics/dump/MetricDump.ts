// What crosses threads and processes when metrics are read (Flink's MetricDumpSerialization and
// QueryScopeInfo): plain data, one entry per metric group with the current values of its metrics.
import type { HistogramStatistics } from '../Metrics.js';

/** Which part of the system a group belongs to; the JobManager's MetricStore files it by this. */
export type QueryScopeInfo =
  | { readonly category: 'jm' }
  | { readonly category: 'tm'; readonly taskManagerId: string }
  | { readonly category: 'job'; readonly jobId: string }
  | { readonly category: 'task'; readonly jobId: string; readonly vertexId: string; readonly subtaskIndex: number; readonly attemptNumber: number }
  | { readonly category: 'operator'; readonly jobId: string; readonly vertexId: string; readonly subtaskIndex: number; readonly attemptNumber: number; readonly operatorName: string };

export type MetricValueDump =
  | { readonly name: string; readonly type: 'counter' | 'gauge' | 'meter'; readonly value: number | string | boolean | null }
  | { readonly name: string; readonly type: 'histogram'; readonly value: HistogramStatistics & { readonly count: number } };

export interface MetricGroupDump {
  readonly info: QueryScopeInfo;
  /** User subgroups below the component group, '.'-joined ('' for the component group itself). */
  readonly scope: string;
  /** Flink's logical scope, e.g. `taskmanager.job.task.operator` (user group names appended, values of key/value groups not). */
  readonly logicalScope: string;
  /** Scope variables with Flink's names: `<host>`, `<tm_id>`, `<job_id>`, … */
  readonly variables: Readonly<Record<string, string>>;
  readonly metrics: readonly MetricValueDump[];
}
