import { randomBytes } from 'node:crypto';
import type { TaskExecutorGateway, JobMasterGateway, JobSubmissionInfo } from '../jobmanager/gateways.js';
import type { TaskDeploymentDescriptor, TaskManagerActions } from './TaskDeploymentDescriptor.js';
import { ShuffleEnvironment, type NetworkConfig } from '../network/index.js';
import { Task } from './Task.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import type { TaskExecutorRegistrationInfo } from '../jobmanager/resourcemanager/SlotManager.js';
import { type TaskManagerMetrics, heapLimit, registerShuffleMetrics, sampleThreadMetrics, startGcMonitor } from './TaskManagerMetrics.js';
import { RunningTaskMetrics } from './RunningTaskMetrics.js';
import type { CheckpointCommand } from '../checkpoint/CheckpointMessages.js';
import { MetricRegistry, TaskManagerMetricGroup, registerProcessMetrics, type MetricGroupDump } from '../metrics/index.js';

/**
 * A TaskManager whose slots all live in the calling thread: the in-process mode of scripts and
 * tests, where user closures are used as they are. Tasks are cooperative; channels are local.
 */
export class TaskExecutor implements TaskExecutorGateway {
  readonly taskManagerId: string;
  readonly singleThreaded = true;
  private readonly tasks = new Map<string, Task>();
  private readonly runningMetrics: RunningTaskMetrics;
  private readonly shuffle: ShuffleEnvironment;
  private readonly actions: TaskManagerActions;
  /** This TaskManager's metrics (its own registry: tests run several clusters in one thread). */
  readonly metricRegistry = new MetricRegistry();
  readonly metricGroup: TaskManagerMetricGroup;

  constructor(
    readonly numberOfSlots: number,
    private readonly jobMaster: (jobId: string) => JobMasterGateway | undefined,
    private readonly userGraph: (jobId: string) => StreamGraph,
    networkConfig: NetworkConfig,
    private readonly autoWatermarkInterval: number,
    /** How often running tasks' IO counters go to their JobMasters ('heartbeat.interval'). */
    metricsInterval = 10_000,
  ) {
    this.taskManagerId = `local-tm-${randomBytes(4).toString('hex')}`;
    this.shuffle = new ShuffleEnvironment({ slotIndex: 0, config: networkConfig });
    startGcMonitor();
    this.metricGroup = new TaskManagerMetricGroup(this.metricRegistry, 'localhost', this.taskManagerId);
    registerProcessMetrics(this.metricGroup, { sample: () => this.metrics() });
    registerShuffleMetrics(this.metricGroup, () => this.metrics());
    this.runningMetrics = new RunningTaskMetrics(this.tasks, metricsInterval, (reports) => {
      for (const r of reports) this.jobMaster(r.jobId)?.updateTaskMetrics(r.executionAttemptId, r.io);
    });
    // Calls to the JobMaster are made asynchronous, as RPCs would be: no reentrancy into the task loop.
    this.actions = {
      updateTaskExecutionState: (u) => queueMicrotask(() => this.jobMaster(u.jobId)?.updateTaskExecutionState(u)),
      sendOperatorEventToCoordinator: (jobId, attemptId, nodeId, event) =>
        queueMicrotask(() => this.jobMaster(jobId)?.sendOperatorEventToCoordinator(attemptId, nodeId, event)),
      reportCheckpoint: (jobId, r) => queueMicrotask(() => this.jobMaster(jobId)?.reportCheckpoint(r)),
    };
  }

  submitTask(tdd: TaskDeploymentDescriptor, _slotIndex: number, job: JobSubmissionInfo): void {
    const task = new Task(tdd, {
      shuffle: this.shuffle,
      actions: this.actions,
      jobGraph: job.jobGraph,
      streamGraph: this.userGraph(tdd.jobId),
      autoWatermarkInterval: this.autoWatermarkInterval,
      metricGroup: this.metricGroup,
    });
    this.tasks.set(tdd.executionAttemptId, task);
    this.runningMetrics.taskAdded();
    setImmediate(() => { void task.start().finally(() => { this.tasks.delete(tdd.executionAttemptId); this.runningMetrics.taskRemoved(); }); });
  }

  /** Slots share this thread's heap: it is all framework heap (there is no per-slot limit). */
  registrationInfo(): Partial<TaskExecutorRegistrationInfo> { return { frameworkHeapMemory: heapLimit() }; }

  /** Memory/GC metrics of this thread (shared with whatever else runs in it, e.g. the JobManager of a MiniCluster). */
  metrics(): TaskManagerMetrics { return sampleThreadMetrics(this.shuffle.pool, this.shuffle.config.bufferSize); }

  async requestMetricDump(): Promise<readonly MetricGroupDump[]> { return this.metricRegistry.collect(); }

  cancelTask(executionAttemptId: string): void { this.tasks.get(executionAttemptId)?.cancel(); }

  sendOperatorEventToTask(executionAttemptId: string, nodeId: number, event: unknown): void {
    this.tasks.get(executionAttemptId)?.deliverOperatorEvent(nodeId, event);
  }

  sendCheckpointCommand(executionAttemptId: string, cmd: CheckpointCommand): void {
    this.tasks.get(executionAttemptId)?.handleCheckpointCommand(cmd);
  }

  releaseJob(jobId: string): void { this.shuffle.releasePartitionsOfJob(jobId, `job ${jobId} ended`); }

  releasePartitions(jobId: string, partitionIds: string[]): void { this.shuffle.releasePartitions(partitionIds, `the JobMaster of job ${jobId} released it`); }

  close(): void {
    this.runningMetrics.stop();
    this.metricGroup.close();
    this.metricRegistry.close();
    for (const t of this.tasks.values()) t.cancel();
    this.shuffle.close();
  }
}
