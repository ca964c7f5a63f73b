// The JobManager's metrics (Flink's JobManagerMetricGroup and per-job JobManagerJobMetricGroup):
// cluster slots and TaskManagers, jobs' state times and restarts, their checkpoint statistics.
import type { Dispatcher } from '../../../jobmanager/dispatcher/Dispatcher.js';
import type { JobMaster } from '../../../jobmanager/jobmaster/JobMaster.js';
import type { SlotManager } from '../../../jobmanager/resourcemanager/SlotManager.js';
import { JobManagerMetricGroup, type MetricRegistry, registerProcessMetrics } from '../../../metrics/index.js';
import { sampleThreadMetrics, startGcMonitor } from '../../../taskmanager/TaskManagerMetrics.js';

const STATES = ['CREATED', 'INITIALIZING', 'RUNNING', 'RESTARTING', 'CANCELLING', 'FAILING'] as const;

export class JobManagerMetrics {
  readonly group: JobManagerMetricGroup;
  private readonly jobs = new Set<string>();

  constructor(registry: MetricRegistry, host: string, private readonly dispatcher: Dispatcher, slotManager: SlotManager, processMetrics = true) {
    this.group = new JobManagerMetricGroup(registry, host);
    const g = this.group;
    g.gauge('numRegisteredTaskManagers', () => slotManager.registered().length);
    g.gauge('numRunningJobs', () => dispatcher.allJobs().filter((m) => !isGloballyTerminal(m.status)).length);
    g.gauge('taskSlotsAvailable', () => slotManager.numberOfFreeSlots);
    g.gauge('taskSlotsTotal', () => slotManager.numberOfRegisteredSlots);
    if (processMetrics) { startGcMonitor(); registerProcessMetrics(g, { sample: () => sampleThreadMetrics() }); }
    registry.onCollect(() => this.sync());
  }

  /** Adds groups for jobs that appeared, drops those the Dispatcher forgot. */
  sync(): void {
    const live = new Set<string>();
    for (const m of this.dispatcher.allJobs()) {
      live.add(m.jobId);
      if (!this.jobs.has(m.jobId)) { this.jobs.add(m.jobId); this.registerJob(m); }
    }
    for (const id of [...this.jobs]) if (!live.has(id)) { this.jobs.delete(id); this.group.removeJob(id); }
  }

  private registerJob(m: JobMaster): void {
    const g = this.group.addJob(m.jobId, m.job.jobGraph.jobName);
    const eg = m.executionGraph;
    // Global and region restarts alike (Flink counts both).
    g.gauge('numRestarts', () => eg.numRestarts);
    for (const s of STATES) {
      const name = `${s.toLowerCase()}Time`;
      g.gauge(name, () => (m.status === s ? Math.max(0, Date.now() - (eg.stateTimestamps[s] ?? Date.now())) : 0));
    }
    g.gauge('uptime', () => (m.status === 'RUNNING' ? Date.now() - (eg.stateTimestamps.RUNNING ?? Date.now()) : isGloballyTerminal(m.status) ? -1 : 0));
    for (const k of Object.keys(m.checkpointStats.metrics())) g.gauge(k, () => m.checkpointStats.metrics()[k]);
    g.gauge('lastCheckpointExternalPath', () => m.checkpointStats.lastCheckpointExternalPath());
  }

  close(): void { this.group.close(); }
}

function isGloballyTerminal(s: string): boolean { return s === 'FINISHED' || s === 'FAILED' || s === 'CANCELED'; }
