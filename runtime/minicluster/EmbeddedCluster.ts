import { availableParallelism } from 'node:os';
import { MiniCluster } from './MiniCluster.js';
import { WorkerTaskExecutor } from '../taskmanager/WorkerTaskExecutor.js';
import type { Configuration } from '../configuration/index.js';
import { TaskManagerOptions } from '../configuration/index.js';
import type { JobGraphSpec } from '../graph/jobgraph/JobGraph.js';
import type { JobSubmissionInfo } from '../jobmanager/gateways.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import type { JobMaster } from '../jobmanager/jobmaster/JobMaster.js';
import { type StartedReporter, startMetricReporters } from '../metrics/MetricReporters.js';
import { JobManagerMetrics } from '../rest/handlers/metrics/JobManagerMetrics.js';

/**
 * The MiniCluster of `tsflink run` without a cluster: JobManager components in this thread and
 * one TaskManager whose slots are worker threads. Unless 'taskmanager.numberOfTaskSlots' is
 * set, it gets max(cores, slots the first job needs), like Flink's local executor.
 */
export class EmbeddedCluster {
  private cluster: MiniCluster | null = null;
  private starting: Promise<void> | null = null;
  private reporters: StartedReporter[] = [];
  private jobManagerMetrics: JobManagerMetrics | null = null;
  constructor(private readonly conf: Configuration) {}

  ensureStarted(firstJob: JobGraphSpec): Promise<void> {
    if (!this.starting) this.starting = this.start(firstJob);
    return this.starting;
  }

  private async start(job: JobGraphSpec): Promise<void> {
    const demand = new Map<string, number>();
    for (const v of job.vertices) demand.set(v.slotSharingGroup, Math.max(demand.get(v.slotSharingGroup) ?? 0, v.parallelism));
    const needed = [...demand.values()].reduce((a, b) => a + b, 0);
    const slots = this.conf.getOptional(TaskManagerOptions.NUM_TASK_SLOTS) ?? Math.max(availableParallelism(), needed);
    const cluster = new MiniCluster();
    const te = new WorkerTaskExecutor(slots, this.conf, (id) => cluster.dispatcher.jobMasterGateway(id));
    await te.start();
    cluster.addTaskExecutor(te, slots);
    this.cluster = cluster;
    // metrics.reporter.*: one process, so one reporter serves the JobManager's and the TaskManager's metrics (Flink's MiniCluster does the same).
    this.jobManagerMetrics = new JobManagerMetrics(te.metricGroup.registry, 'localhost', cluster.dispatcher, cluster.resourceManager.slotManager, false);
    this.reporters = await startMetricReporters(this.conf, te.metricGroup.registry, '127.0.0.1', (m) => process.stderr.write(`${m}\n`));
  }

  /** The metric reporters this cluster serves (host and port of each). */
  get metricReporters(): ReadonlyArray<{ name: string; host: string; port: number }> { return this.reporters; }

  submitJob(job: JobSubmissionInfo, userGraph: StreamGraph): JobMaster {
    if (!this.cluster) throw new Error('internal: embedded cluster not started');
    return this.cluster.submitJob(job, userGraph);
  }

  async close(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await Promise.all(this.reporters.map((r) => r.close()));
    this.jobManagerMetrics?.close();
    await this.cluster?.close();
  }
}
