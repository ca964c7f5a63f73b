// GET /overview (Flink's ClusterOverviewWithVersion).
import type { SlotManager } from '../../jobmanager/resourcemanager/SlotManager.js';
import { type JobView, jobState, isGloballyTerminal, REVISION, tsflinkVersion } from './common.js';

export interface ClusterOverview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'jobs-finished': number;
  'jobs-cancelled': number;
  'jobs-failed': number;
  'flink-version': string;
  'flink-commit': string;
}

export function clusterOverview(slots: SlotManager, jobs: JobView[]): ClusterOverview {
  const states = jobs.map(jobState);
  return {
    taskmanagers: slots.registered().length,
    'slots-total': slots.numberOfRegisteredSlots,
    'slots-available': slots.numberOfFreeSlots,
    // Flink counts every not globally terminal job as running.
    'jobs-running': states.filter((s) => !isGloballyTerminal(s)).length,
    'jobs-finished': states.filter((s) => s === 'FINISHED').length,
    'jobs-cancelled': states.filter((s) => s === 'CANCELED').length,
    'jobs-failed': states.filter((s) => s === 'FAILED').length,
    'flink-version': tsflinkVersion(),
    'flink-commit': REVISION,
  };
}
