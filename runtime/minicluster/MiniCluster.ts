import { ResourceManager } from '../jobmanager/resourcemanager/ResourceManager.js';
import { Dispatcher } from '../jobmanager/dispatcher/Dispatcher.js';
import type { TaskExecutorGateway, JobSubmissionInfo } from '../jobmanager/gateways.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import type { JobMaster } from '../jobmanager/jobmaster/JobMaster.js';
import type { TaskExecutorRegistrationInfo } from '../jobmanager/resourcemanager/SlotManager.js';
import { availableParallelism, totalmem } from 'node:os';
import type { UserCodeLoader } from '../usercode/UserCodeLoader.js';
import { JobBundleUserCodeLoader } from '../usercode/JobBundleUserCodeLoader.js';

/** A TaskManager of this process, with what it can tell about its memory. */
export type LocalTaskExecutor = TaskExecutorGateway & { close(): void | Promise<void>; registrationInfo?(): Partial<TaskExecutorRegistrationInfo> };

/**
 * JobManager components and TaskManagers in one process (Flink's MiniCluster). Which kind of
 * TaskManager it gets decides in-thread (scripts, tests) or worker-thread slots (`tsflink run`).
 */
export class MiniCluster {
  readonly resourceManager = new ResourceManager();
  readonly dispatcher: Dispatcher;
  private readonly taskExecutors: LocalTaskExecutor[] = [];

  /** `userCodeLoader`: for jobs submitted with a bundle (REST); default re-runs main from the bundle. */
  constructor(userCodeLoader: UserCodeLoader = new JobBundleUserCodeLoader()) {
    this.dispatcher = new Dispatcher(this.resourceManager, undefined, undefined, userCodeLoader);
  }

  addTaskExecutor(te: LocalTaskExecutor, numSlots: number): void {
    this.taskExecutors.push(te);
    this.resourceManager.registerTaskExecutor(te, numSlots, { cpuCores: availableParallelism(), physicalMemory: totalmem(), ...te.registrationInfo?.() });
  }

  submitJob(job: JobSubmissionInfo, userGraph: StreamGraph): JobMaster { return this.dispatcher.submitJob(job, userGraph); }

  async close(): Promise<void> {
    await this.dispatcher.close();
    for (const te of this.taskExecutors) await te.close();
  }
}
