// Flink's metric system (docs/metrics.md): metric types, groups with Flink's scopes, the per-thread
// registry, dumps for the JobManager, and reporters.
export * from './Metrics.js';
export * from './dump/MetricDump.js';
export { MetricRegistry } from './MetricRegistry.js';
export { AbstractMetricGroup, GenericMetricGroup, GenericKeyMetricGroup, GenericValueMetricGroup } from './groups/AbstractMetricGroup.js';
export {
  JobManagerMetricGroup, JobManagerJobMetricGroup, TaskManagerMetricGroup, TaskManagerJobMetricGroup, TaskMetricGroup, OperatorMetricGroup,
} from './groups/ComponentMetricGroups.js';
export { registerProcessMetrics, type ProcessMetricsOptions } from './ProcessMetrics.js';

import { MetricRegistry } from './MetricRegistry.js';
import { TaskManagerMetricGroup } from './groups/ComponentMetricGroups.js';

/** For tasks run without a TaskManager (tests, harnesses): metrics work but nobody reads them. */
export function unregisteredTaskManagerMetricGroup(): TaskManagerMetricGroup {
  return new TaskManagerMetricGroup(new MetricRegistry(), 'localhost', 'unregistered');
}
