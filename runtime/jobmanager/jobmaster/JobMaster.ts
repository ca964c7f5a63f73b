import type { JobMasterGateway, JobSubmissionInfo, TaskExecutorGateway } from '../gateways.js';
import type { ResourceManager } from '../resourcemanager/ResourceManager.js';
import { ExecutionGraph, type Execution, type ExecutionVertex, type SlotLocation } from '../../graph/executiongraph/ExecutionGraph.js';
import { isTerminal } from '../../graph/executiongraph/ExecutionState.js';
import { type TaskDeploymentDescriptor, type TaskExecutionState, type TaskIOMetrics, type SerializedThrowable, noIOMetrics, serializeThrowable } from '../../taskmanager/TaskDeploymentDescriptor.js';
import type { StreamGraph } from '../../graph/streamgraph/StreamGraph.js';
import type { OperatorCoordinator } from '../coordination/OperatorCoordinator.js';
import { SourceCoordinator } from '../coordination/SourceCoordinator.js';
import { WatermarkAlignmentGroups } from '../../connectors/source/WatermarkAlignment.js';
import { CollectSinkCoordinator } from '../coordination/CollectSinkCoordinator.js';
import { type RestartBackoffTimeStrategy, createRestartStrategy } from './failover/RestartBackoffTimeStrategy.js';
import { type JobResult, mergeAccumulators } from './JobResult.js';
import { Configuration, JobManagerOptions } from '../../configuration/index.js';
import type { InputChannelDescriptor, PartitionLocation } from '../../network/index.js';
import type { JobStatus } from '../../api/environment/JobClient.js';
import { CheckpointCoordinator, type CheckpointPlanTask } from '../../checkpoint/CheckpointCoordinator.js';
import { CheckpointStatsTracker } from '../../checkpoint/CheckpointStatsTracker.js';
import type { CheckpointResponse } from '../../checkpoint/CheckpointMessages.js';
import type { JobManagerTaskRestore } from '../../checkpoint/StateHandles.js';
import { CheckpointingOptions, HighAvailabilityOptions, StateRecoveryOptions } from '../../configuration/index.js';
import { PipelinedRegionTopology, type PipelinedRegion } from '../scheduler/PipelinedRegionTopology.js';
import { PipelinedRegionSchedulingStrategy } from '../scheduler/PipelinedRegionSchedulingStrategy.js';
import { JobSlotPool } from '../scheduler/JobSlotPool.js';
import { RestartPipelinedRegionFailoverStrategy } from './failover/RestartPipelinedRegionFailoverStrategy.js';

const SECONDARY_FAILURE_GRACE_MS = 250;

/** What the JobMaster keeps while a job with blocking exchanges runs region by region. */
interface RegionScheduling {
  topology: PipelinedRegionTopology;
  strategy: PipelinedRegionSchedulingStrategy;
  failover: RestartPipelinedRegionFailoverStrategy;
  pool: JobSlotPool;
  /** Slots of each deployed region, given back when all its subtasks ended. */
  regionSlots: Map<PipelinedRegion, SlotLocation[]>;
  /** Bumped on every restart of a region: a slot allocation for an older epoch is stale. */
  epoch: Map<PipelinedRegion, number>;
  /** Finished attempts whose partitions are gone (TaskManager lost, files unreadable) or were released. */
  lost: Set<string>;
  released: Set<string>;
  /** Subtasks a region restart is under way for. */
  restarting: Set<ExecutionVertex>;
}

export type JobMasterLogger = (level: 'INFO' | 'WARN' | 'ERROR', msg: string) => void;

/**
 * Runs one job: builds the ExecutionGraph, gets slots, deploys subtasks, tracks execution states,
 * restarts on failure per the restart strategy, and reports the result (Flink's JobMaster +
 * DefaultScheduler). All-pipelined jobs (STREAMING) deploy every subtask at once and restart
 * globally; jobs with blocking exchanges (BATCH) run region by region (pipelined-region
 * scheduling), reuse slots across stages, and restart only the regions a failure affects.
 */
export class JobMaster implements JobMasterGateway {
  readonly executionGraph: ExecutionGraph;
  private readonly coordinators = new Map<number, OperatorCoordinator>();
  private readonly collectors = new Map<number, CollectSinkCoordinator>();
  private readonly executions = new Map<string, Execution>();
  /** Latest IO counters per execution attempt; `final` once they came with the attempt's terminal state. */
  private readonly ioMetrics = new Map<string, { io: TaskIOMetrics; final: boolean }>();
  private userGraph: StreamGraph | null;
  private readonly restartStrategy: RestartBackoffTimeStrategy;
  /** Accumulators of finished attempts, by attempt id (a region restart drops its attempts' values). */
  private readonly finishedAccumulators = new Map<string, Record<string, { type: string; value: unknown }>>();
  private slots: SlotLocation[] = [];
  private schedulingGeneration = 0;
  private slotOf = new Map<ExecutionVertex, SlotLocation>();
  private allTerminalWaiters: Array<() => void> = [];
  private stopping: 'cancel' | 'collect-limit' | 'fail' | null = null;
  private finalError: SerializedThrowable | undefined;
  private resolveResult!: (r: JobResult) => void;
  readonly result: Promise<JobResult>;
  readonly startTime = Date.now();
  private readonly conf: Configuration;
  /** STREAMING jobs with execution.checkpointing.interval (or manual checkpoints). */
  checkpointCoordinator: CheckpointCoordinator | undefined;
  readonly checkpointStats = new CheckpointStatsTracker();
  /** Coordinator events held while a checkpoint is being triggered (Flink's OperatorEventValve), by node id. */
  private readonly eventValves = new Map<number, Array<() => void>>();
  /** What each subtask restores on the next deployment (after a failover with a checkpoint). */
  private taskRestores: Map<string, JobManagerTaskRestore[]> | undefined;
  private restoredFromCheckpoint: number | undefined;
  private producersCache: Map<ExecutionVertex, ExecutionVertex[]> | undefined;
  /** Region scheduling (the job has blocking exchanges); undefined for all-pipelined jobs. */
  private regions: RegionScheduling | undefined;
  /** Every TaskManager a task of this job ran on: all of them release the job at its end. */
  private readonly usedTaskManagers = new Set<string>();
  private terminalWaiters: Array<{ done: () => boolean; resolve: () => void }> = [];

  /**
   * Without `userGraph` the job is INITIALIZING (the Dispatcher still rebuilds it from its bundle):
   * visible with its vertices, not started until provideUserGraph().
   */
  constructor(readonly job: JobSubmissionInfo, userGraph: StreamGraph | null, private readonly rm: ResourceManager, clusterConfiguration?: Configuration,
    private readonly log: JobMasterLogger = () => {}) {
    this.userGraph = userGraph;
    this.executionGraph = new ExecutionGraph(job.jobGraph);
    if (userGraph === null) {
      // Flink: INITIALIZING comes before CREATED.
      this.executionGraph.transitionState('INITIALIZING');
      delete this.executionGraph.stateTimestamps.CREATED;
    }
    // The cluster's configuration is the default; what the job set (client config, code) wins.
    this.conf = clusterConfiguration ? clusterConfiguration.clone().addAll(Configuration.fromMap(job.jobGraph.configuration)) : Configuration.fromMap(job.jobGraph.configuration);
    this.restartStrategy = createRestartStrategy(this.conf);
    this.result = new Promise((r) => { this.resolveResult = r; });
  }

  get jobId(): string { return this.executionGraph.jobId; }
  get status(): JobStatus { return this.executionGraph.state; }

  /** What a collect sink (executeAndCollect) has sent so far; undefined if the job has no collect sink `nodeId`. */
  collectedValues(nodeId: number): readonly unknown[] | undefined {
    const c = this.collectors.get(nodeId);
    if (c) return c.values;
    return this.job.jobGraph.collectSinks.some((s) => s.nodeId === nodeId) ? [] : undefined;
  }

  /** The operators' code arrived (INITIALIZING → CREATED); start() may follow. */
  provideUserGraph(userGraph: StreamGraph): void {
    if (this.userGraph !== null) throw new Error(`internal: job ${this.jobId} already has its user graph`);
    this.userGraph = userGraph;
    if (this.executionGraph.state === 'INITIALIZING') this.transition('CREATED');
  }

  async start(): Promise<void> {
    if (this.stopping || this.completed) return; // cancelled while INITIALIZING
    try {
      if (this.userGraph === null) throw new Error(`internal: job ${this.jobId} started before its user graph was built`);
      this.createCoordinators();
      this.createCheckpointCoordinator();
      const restored = (await this.recoverAfterJobManagerFailure()) || (await this.restoreFromSavepoint());
      if (!restored) for (const c of this.coordinators.values()) await c.start();
      this.transition('RUNNING');
      await this.scheduleAll();
      this.checkpointCoordinator?.startCheckpointScheduler();
    } catch (e) {
      await this.failJob(serializeThrowable(e, 'JobMaster'));
    }
  }

  /**
   * High availability (high-availability.type: FILESYSTEM): a job that ran under a previous
   * JobManager (a YARN attempt that died, a restarted standalone JobManager) continues from the
   * latest checkpoint that JobManager completed. False: none (a new job, or no checkpoint yet).
   */
  private async recoverAfterJobManagerFailure(): Promise<boolean> {
    const cc = this.checkpointCoordinator;
    // Without periodic checkpoints there are none to recover: a job started from a savepoint restores it again.
    if (!cc?.isPeriodicCheckpointingConfigured || this.conf.get(HighAvailabilityOptions.HA_TYPE) === 'NONE') return false;
    const r = await cc.recoverCheckpointsFromStorage((nodeId, checkpointId, state) => this.coordinators.get(nodeId)!.resetToCheckpoint(state === undefined ? undefined : checkpointId, state));
    if (!r) return false;
    this.taskRestores = r.assignments;
    this.restoredFromCheckpoint = r.checkpointId;
    return true;
  }

  /**
   * execution.state-recovery.path (`run -s`): the first deployment restores that savepoint or
   * retained checkpoint, and its source enumerators start from their state in it. False: not set.
   */
  private async restoreFromSavepoint(): Promise<boolean> {
    const path = this.conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH);
    if (path === undefined || path === '') return false;
    const cc = this.checkpointCoordinator;
    if (!cc) {
      throw new Error(`execution.state-recovery.path is set (${path}) but the job runs in BATCH mode (execution.runtime-mode), which restores no state: run it in STREAMING mode to start from a savepoint.`);
    }
    const r = await cc.restoreSavepoint(path, this.conf.get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE),
      (nodeId, checkpointId, state) => this.coordinators.get(nodeId)!.resetToCheckpoint(state === undefined ? undefined : checkpointId, state));
    this.taskRestores = r.assignments;
    this.restoredFromCheckpoint = r.checkpointId;
    return true;
  }

  private createCoordinators(): void {
    // One store per job: sources of one watermark alignment group align across operators.
    const alignmentGroups = new WatermarkAlignmentGroups();
    for (const v of this.job.jobGraph.vertices) {
      for (const op of v.operators) {
        const node = this.userGraph!.getNode(op.nodeId);
        if (node.source) {
          this.coordinators.set(op.nodeId, new SourceCoordinator(node.source, v.parallelism,
            (subtask, event) => this.sendFromCoordinator(v.id, subtask, op.nodeId, event),
            (e) => { void this.handleGlobalFailure(serializeThrowable(e, `SourceCoordinator of '${node.name}'`)); }, alignmentGroups));
        }
      }
    }
    for (const c of this.job.jobGraph.collectSinks) {
      const coll = new CollectSinkCoordinator(c.limit, () => { void this.stopEarly(); });
      this.collectors.set(c.nodeId, coll);
      this.coordinators.set(c.nodeId, coll);
    }
  }

  /**
   * Every STREAMING job has a coordinator, as in Flink: without execution.checkpointing.interval it
   * triggers nothing by itself, but savepoints (and stop-with-savepoint) still work.
   */
  private createCheckpointCoordinator(): void {
    if (this.job.jobGraph.runtimeMode !== 'STREAMING') return;
    this.checkpointCoordinator = new CheckpointCoordinator(this.conf, {
      jobId: this.jobId,
      vertices: this.job.jobGraph.vertices,
      edges: this.job.jobGraph.edges,
      currentTasks: () => this.checkpointPlanTasks(),
      sendCommand: (attemptId, cmd) => {
        const ex = this.executions.get(attemptId);
        if (!ex || ex.isTerminal || !ex.slot) return;
        try { this.gatewayOf(ex.slot).sendCheckpointCommand(attemptId, cmd); } catch { /* TaskManager lost: failover follows */ }
      },
      coordinators: this.coordinators,
      closeEventValve: (nodeId) => { if (!this.eventValves.has(nodeId)) this.eventValves.set(nodeId, []); },
      openEventValves: () => {
        const held = [...this.eventValves.values()];
        this.eventValves.clear();
        for (const q of held) for (const send of q) send();
      },
      failJob: (e) => {
        const error: SerializedThrowable = { name: 'FlinkRuntimeException', message: e.message, location: 'CheckpointCoordinator' };
        this.executionGraph.exceptionHistory.push({ timestamp: Date.now(), exception: `${error.name}: ${error.message}`, taskName: 'CheckpointCoordinator' });
        void this.handleGlobalFailure(error);
      },
      log: this.log,
      stats: this.checkpointStats,
    });
  }

  /** Every subtask's current attempt, and whether all the producers it reads from finished (then it gets the trigger itself). */
  private checkpointPlanTasks(): CheckpointPlanTask[] {
    if (!this.producersCache) {
      this.producersCache = new Map();
      for (const ev of this.executionGraph.allExecutionVertices()) {
        this.producersCache.set(ev, [...new Set(this.executionGraph.consumedChannels(ev).flatMap((c) => c.channels.map((ch) => ch.producer)))]);
      }
    }
    const out: CheckpointPlanTask[] = [];
    for (const ev of this.executionGraph.allExecutionVertices()) {
      const ex = ev.currentExecution;
      const producers = this.producersCache.get(ev) ?? [];
      out.push({ attemptId: ex.attemptId, vertexId: ev.jobVertex.id, subtaskIndex: ev.subtaskIndex, state: ex.state,
        allProducersFinished: producers.every((p) => p.currentExecution.state === 'FINISHED') });
    }
    return out;
  }

  /** Number of slots per slot sharing group: its highest vertex parallelism. */
  private slotDemand(): Map<string, number> {
    const d = new Map<string, number>();
    for (const v of this.job.jobGraph.vertices) d.set(v.slotSharingGroup, Math.max(d.get(v.slotSharingGroup) ?? 0, v.parallelism));
    return d;
  }

  private transition(to: JobStatus): void {
    const from = this.executionGraph.state;
    this.executionGraph.transitionState(to);
    this.log('INFO', `Job ${this.job.jobGraph.jobName} (${this.jobId}) switched from state ${from} to ${to}.`);
  }

  private async scheduleAll(): Promise<void> {
    if (this.job.jobGraph.edges.some((e) => e.resultPartitionType === 'BLOCKING')) { this.startRegionScheduling(); return; }
    const demand = this.slotDemand();
    const total = [...demand.values()].reduce((a, b) => a + b, 0);
    this.log('INFO', `Job ${this.jobId} requests ${total} slot(s).`);
    const generation = ++this.schedulingGeneration;
    const slots = await this.rm.slotManager.requestSlots(this.jobId, total, this.conf.get(JobManagerOptions.SLOT_REQUEST_TIMEOUT));
    if (generation !== this.schedulingGeneration || this.stopping) {
      // A newer failover or a stop overtook this request: these slots are not ours to use.
      this.rm.slotManager.releaseSlotList(slots);
      return;
    }
    this.slots = slots;
    this.log('INFO', `Job ${this.jobId} got slots ${this.slots.map((x) => `${x.taskManagerId}#${x.slotIndex}`).join(', ')}.`);
    if (this.stopping) return;
    let next = 0;
    const groupBase = new Map<string, number>();
    for (const [g, n] of demand) { groupBase.set(g, next); next += n; }
    this.slotOf.clear();
    for (const jv of this.executionGraph.jobVertices.values()) {
      for (const ev of jv.taskVertices) this.slotOf.set(ev, this.slots[groupBase.get(jv.spec.slotSharingGroup)! + ev.subtaskIndex]);
    }
    for (const ev of this.executionGraph.allExecutionVertices()) {
      const ex = ev.currentExecution;
      ex.slot = this.slotOf.get(ev);
      ex.transitionState('SCHEDULED');
      this.executions.set(ex.attemptId, ex);
    }
    for (const ev of this.executionGraph.allExecutionVertices()) this.deploy(ev);
  }

  private gatewayOf(slot: SlotLocation): TaskExecutorGateway { return this.rm.getTaskExecutor(slot.taskManagerId); }

  private deploy(ev: ExecutionVertex): void {
    const ex = ev.currentExecution;
    const slot = ex.slot!;
    const te = this.gatewayOf(slot);
    const cc = this.checkpointCoordinator;
    const restore = this.taskRestores?.get(ev.jobVertex.id)?.[ev.subtaskIndex];
    const tdd: TaskDeploymentDescriptor = {
      jobId: this.jobId,
      vertexId: ev.jobVertex.id,
      subtaskIndex: ev.subtaskIndex,
      numberOfSubtasks: ev.jobVertex.parallelism,
      attemptNumber: ex.attemptNumber,
      executionAttemptId: ex.attemptId,
      taskName: ev.jobVertex.spec.name,
      producedPartitions: this.executionGraph.producedPartitions(ev),
      inputs: this.executionGraph.consumedChannels(ev).map(({ edge, channels }) => ({
        edgeId: edge.id,
        typeNumber: edge.typeNumber,
        channels: channels.map((c): InputChannelDescriptor => ({
          partitionId: c.partitionId, subpartition: c.subpartition, location: this.locate(slot, c.producer.currentExecution.slot!, te),
          // Blocking inputs are read after their producer finished: not found means lost (after the request backoff).
          ...(edge.resultPartitionType === 'BLOCKING' ? { finished: true } : {}),
        })),
      })),
      ...(cc ? { checkpointing: {
        mode: cc.mode,
        jobCheckpointDir: cc.checkpointDir === undefined ? undefined : `${cc.checkpointDir.replace(/\/+$/, '')}/${this.jobId}`,
        inlineThreshold: cc.inlineThreshold,
        checkpointsAfterTasksFinish: cc.checkpointsAfterTasksFinish,
        unaligned: cc.unaligned,
        alignedCheckpointTimeout: cc.alignedCheckpointTimeout,
        periodic: cc.isPeriodicCheckpointingConfigured,
      } } : {}),
      ...(restore ? { taskRestore: restore } : {}),
    };
    ex.transitionState('DEPLOYING');
    // As Flink's Execution.deploy: which TaskManager runs each attempt is in the JobManager log.
    this.log('INFO', `Deploying ${ev.jobVertex.spec.name} (${ev.subtaskIndex + 1}/${ev.jobVertex.parallelism}) (attempt #${ex.attemptNumber}) to ${slot.taskManagerId} @ ${slot.host ?? 'local'} slot ${slot.slotIndex}.`);
    this.usedTaskManagers.add(slot.taskManagerId);
    te.submitTask(tdd, slot.slotIndex, this.job);
  }

  private locate(consumer: SlotLocation, producer: SlotLocation, te: TaskExecutorGateway): PartitionLocation {
    if (producer.taskManagerId === consumer.taskManagerId) {
      return te.singleThreaded || producer.slotIndex === consumer.slotIndex ? { kind: 'local' } : { kind: 'slot', slotIndex: producer.slotIndex };
    }
    // The producer's slot lets the remote TaskManager route the partition request to the right worker.
    return { kind: 'remote', taskManagerId: producer.taskManagerId, host: producer.host ?? '127.0.0.1', port: producer.dataPort ?? 0, slotIndex: producer.slotIndex };
  }

  /** Coordinator → subtask events pass the valve: held while a checkpoint is being triggered. */
  private sendFromCoordinator(vertexId: string, subtask: number, nodeId: number, event: unknown): void {
    const held = this.eventValves.get(nodeId);
    if (held) held.push(() => this.sendToSubtask(vertexId, subtask, nodeId, event));
    else this.sendToSubtask(vertexId, subtask, nodeId, event);
  }

  private sendToSubtask(vertexId: string, subtask: number, nodeId: number, event: unknown): void {
    const ev = this.executionGraph.getJobVertex(vertexId).taskVertices[subtask];
    const ex = ev.currentExecution;
    if (ex.isTerminal || !ex.slot) return;
    try { this.gatewayOf(ex.slot).sendOperatorEventToTask(ex.attemptId, nodeId, event); } catch { /* TaskManager lost: failover follows */ }
  }

  // ---- JobMasterGateway ------------------------------------------------------------------

  sendOperatorEventToCoordinator(executionAttemptId: string, nodeId: number, event: unknown): void {
    const ex = this.executions.get(executionAttemptId);
    if (!ex || ex !== ex.vertex.currentExecution) return; // a stale attempt
    void this.coordinators.get(nodeId)?.handleEventFromOperator(ex.vertex.subtaskIndex, event);
  }

  reportCheckpoint(r: CheckpointResponse): void {
    const ex = this.executions.get(r.executionAttemptId);
    if (!ex || ex !== ex.vertex.currentExecution) return; // a stale attempt's acknowledgement
    this.checkpointCoordinator?.receiveCheckpointResponse(r);
  }

  updateTaskMetrics(executionAttemptId: string, io: TaskIOMetrics): void {
    if (!this.executions.has(executionAttemptId)) return;
    // A heartbeat sampled before the task ended must not replace its final counters.
    if (this.ioMetrics.get(executionAttemptId)?.final) return;
    this.ioMetrics.set(executionAttemptId, { io, final: false });
  }

  /** IO counters of an execution attempt (undefined before its first report); `final` once it ended and reported them. */
  taskIOMetrics(executionAttemptId: string): { io: TaskIOMetrics; final: boolean } | undefined { return this.ioMetrics.get(executionAttemptId); }

  updateTaskExecutionState(u: TaskExecutionState): void {
    const ex = this.executions.get(u.executionAttemptId);
    if (!ex) return;
    // A TaskManager's terminal report closes the attempt's counters: its final values, else the last
    // heartbeat's, else zeros (it ended before it ran, e.g. its slot or bundle failed).
    if (isTerminal(u.state)) this.ioMetrics.set(u.executionAttemptId, { io: u.io ?? this.ioMetrics.get(u.executionAttemptId)?.io ?? noIOMetrics(), final: true });
    const wasCanceling = ex.state === 'CANCELING';
    if (!ex.transitionState(u.state)) return;
    if (u.state === 'FINISHED' && u.accumulators && ex === ex.vertex.currentExecution) this.finishedAccumulators.set(ex.attemptId, u.accumulators);
    if (u.state === 'FINISHED' && ex === ex.vertex.currentExecution) this.checkpointCoordinator?.onTaskFinished(ex.attemptId);
    if (u.state === 'FAILED') {
      ex.failureCause = u.error?.message;
      // A task failing while it is being canceled is part of a failover already under way.
      if (ex === ex.vertex.currentExecution && !wasCanceling) this.onTaskFailed(ex, u.error ?? { name: 'Error', message: 'unknown failure' });
    }
    if (ex.isTerminal && this.regions && ex === ex.vertex.currentExecution) this.onRegionExecutionTerminal(ex);
    if (ex.isTerminal) this.checkTerminal();
  }

  /**
   * A TaskManager is gone (heartbeat timeout or lost connection): its executions cannot report
   * any more, so they fail here, which triggers failover on the remaining slots.
   */
  taskManagerLost(taskManagerId: string, cause: string): void {
    if (this.regions && this.regionFailover) { this.regionTaskManagerLost(this.regions, taskManagerId, cause); return; }
    const lost = this.currentExecutions().filter((ex) => !ex.isTerminal && ex.slot?.taskManagerId === taskManagerId);
    if (lost.length === 0) return;
    const error: SerializedThrowable = { name: 'TaskManagerLostException', message: `TaskManager ${taskManagerId} is lost: ${cause}` };
    let first: Execution | undefined;
    for (const ex of lost) {
      const wasCanceling = ex.state === 'CANCELING';
      ex.transitionState(wasCanceling ? 'CANCELED' : 'FAILED');
      if (!wasCanceling) { ex.failureCause = error.message; first ??= ex; }
    }
    if (first) void this.handleTaskFailure(first, { ...error, location: first.vertex.taskNameWithSubtaskIndex });
    this.checkTerminal();
  }

  // ---- lifecycle -------------------------------------------------------------------------

  private currentExecutions(): Execution[] { return [...this.executionGraph.allExecutionVertices()].map((v) => v.currentExecution); }

  private checkTerminal(): void {
    if (this.terminalWaiters.length > 0) {
      const ready = this.terminalWaiters.filter((w) => w.done());
      this.terminalWaiters = this.terminalWaiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve();
    }
    const current = this.currentExecutions();
    const allTerminal = current.every((e) => e.isTerminal || e.state === 'CREATED');
    if (allTerminal) {
      const ws = this.allTerminalWaiters;
      this.allTerminalWaiters = [];
      for (const w of ws) w();
    }
    if (!this.stopping && this.executionGraph.state === 'RUNNING' && current.every((e) => e.state === 'FINISHED')) void this.complete('FINISHED');
  }

  private waitAllTerminal(): Promise<void> {
    const current = this.currentExecutions();
    if (current.every((e) => e.isTerminal || e.state === 'CREATED')) return Promise.resolve();
    return new Promise((r) => this.allTerminalWaiters.push(r));
  }

  private cancelAll(): void {
    for (const ex of this.currentExecutions()) {
      if (ex.state === 'CREATED') ex.transitionState('CANCELED');
      else this.cancelExecution(ex);
    }
  }

  private cancelExecution(ex: Execution): void {
    if (ex.isTerminal || ex.state === 'CREATED') return;
    if (ex.state === 'SCHEDULED') { ex.transitionState('CANCELED'); return; }
    ex.transitionState('CANCELING');
    try { this.gatewayOf(ex.slot!).cancelTask(ex.attemptId); } catch {
      ex.transitionState('CANCELED'); // its TaskManager is already gone
    }
  }

  private waitUntil(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.terminalWaiters.push({ done, resolve }));
  }

  // ---- pipelined-region scheduling and failover (jobs with blocking exchanges) ---------------

  private get regionFailover(): boolean { return this.conf.get(JobManagerOptions.EXECUTION_FAILOVER_STRATEGY) === 'region'; }

  private startRegionScheduling(): void {
    const topology = this.regionTopology ??= PipelinedRegionTopology.build(this.executionGraph);
    const timeout = this.conf.get(JobManagerOptions.SLOT_REQUEST_TIMEOUT);
    const st: RegionScheduling = {
      topology,
      strategy: new PipelinedRegionSchedulingStrategy(topology, (g) => { void this.scheduleRegion(st, g); }),
      failover: new RestartPipelinedRegionFailoverStrategy(topology, (p) => this.partitionsAvailable(st, p)),
      pool: new JobSlotPool({
        requestSlots: (n, signal) => this.rm.slotManager.requestSlots(this.jobId, n, timeout, signal),
        releaseSlots: (slots) => this.rm.slotManager.releaseSlotList(slots),
      }),
      regionSlots: new Map(), epoch: new Map(), lost: new Set(), released: new Set(), restarting: new Set(),
    };
    this.regions = st;
    this.log('INFO', `Job ${this.jobId} has ${topology.regions.length} pipelined region(s); each is deployed once the blocking results it reads are finished.`);
    st.strategy.startScheduling();
  }

  private regionTopology: PipelinedRegionTopology | undefined;

  /** Slots one region needs: per slot sharing group, its largest number of subtasks of one vertex (subtask k of every vertex shares slot k). */
  private static slotLayout(g: PipelinedRegion): { total: number; index: Map<ExecutionVertex, number> } {
    const groups = new Map<string, Map<string, ExecutionVertex[]>>();
    for (const v of g.vertices) {
      const group = v.jobVertex.spec.slotSharingGroup;
      let byVertex = groups.get(group);
      if (!byVertex) groups.set(group, (byVertex = new Map()));
      let list = byVertex.get(v.jobVertex.id);
      if (!list) byVertex.set(v.jobVertex.id, (list = []));
      list.push(v);
    }
    const index = new Map<ExecutionVertex, number>();
    let base = 0;
    for (const byVertex of groups.values()) {
      let width = 0;
      for (const list of byVertex.values()) {
        list.sort((a, b) => a.subtaskIndex - b.subtaskIndex);
        list.forEach((v, k) => index.set(v, base + k));
        width = Math.max(width, list.length);
      }
      base += width;
    }
    return { total: base, index };
  }

  private async scheduleRegion(st: RegionScheduling, g: PipelinedRegion): Promise<void> {
    const epoch = st.epoch.get(g) ?? 0;
    const current = (): boolean => this.regions === st && !this.stopping && (st.epoch.get(g) ?? 0) === epoch;
    for (const v of g.vertices) {
      const ex = v.currentExecution;
      ex.transitionState('SCHEDULED');
      this.executions.set(ex.attemptId, ex);
    }
    const layout = JobMaster.slotLayout(g);
    let slots: SlotLocation[];
    try {
      slots = await st.pool.allocate(layout.total);
    } catch (e) {
      if (current()) await this.failJob(serializeThrowable(e, 'JobMaster'));
      return;
    }
    if (!current()) { st.pool.release(slots); return; }
    st.regionSlots.set(g, slots);
    for (const v of g.vertices) v.currentExecution.slot = slots[layout.index.get(v)!];
    for (const v of g.vertices) {
      const ex = v.currentExecution;
      if (ex.state !== 'SCHEDULED') continue; // a failover started by an earlier deployment of this region
      try { this.deploy(v); } catch (e) {
        const error = serializeThrowable(e, v.taskNameWithSubtaskIndex);
        ex.transitionState('FAILED');
        ex.failureCause = error.message;
        this.onRegionExecutionTerminal(ex);
        void this.handleRegionFailure([v], error);
      }
    }
  }

  /** A current attempt of a region-scheduled job ended: free the region's slots once it is done, schedule what its output unblocks. */
  private onRegionExecutionTerminal(ex: Execution): void {
    const st = this.regions!;
    const g = st.topology.regionOf(ex.vertex);
    this.releaseRegionSlotsIfDone(st, g);
    if (ex.state !== 'FINISHED') return;
    // Partitions every consumer has read to its end are released (Flink's JobMasterPartitionTracker).
    for (const p of g.blockingProducers) {
      if ([...st.topology.consumersOf(p)].every((c) => c.currentExecution.state === 'FINISHED')) this.releasePartitionsOf(p);
    }
    st.strategy.onExecutionFinished(ex.vertex);
  }

  private releaseRegionSlotsIfDone(st: RegionScheduling, g: PipelinedRegion): void {
    const slots = st.regionSlots.get(g);
    if (!slots || !g.vertices.every((v) => v.currentExecution.isTerminal)) return;
    st.regionSlots.delete(g);
    st.pool.release(slots);
  }

  /**
   * Whether the producer's current attempt has, or is still making, its partitions (Flink tracks a partition
   * from deployment): one not started yet or still running needs no rerun; a finished one whose files are
   * gone, or a failed or cancelled one, does.
   */
  private partitionsAvailable(st: RegionScheduling, producer: ExecutionVertex): boolean {
    const ex = producer.currentExecution;
    if (ex.state === 'FAILED' || ex.state === 'CANCELED') return false;
    if (ex.state !== 'FINISHED') return true;
    return !st.lost.has(ex.attemptId) && !st.released.has(ex.attemptId)
      && ex.slot !== undefined && this.rm.slotManager.getRegistration(ex.slot.taskManagerId) !== undefined;
  }

  /** The TaskManager holding a finished attempt's blocking partitions deletes them. */
  private releasePartitionsOf(ev: ExecutionVertex): void {
    const st = this.regions;
    const ex = ev.currentExecution;
    if (!st || ex.state !== 'FINISHED' || !ex.slot || st.released.has(ex.attemptId)) return;
    st.released.add(ex.attemptId);
    const ids = this.executionGraph.producedPartitions(ev).filter((p) => p.resultPartitionType === 'BLOCKING').map((p) => p.partitionId);
    if (ids.length === 0) return;
    try { this.gatewayOf(ex.slot).releasePartitions?.(this.jobId, ids); } catch { /* TaskManager gone, and its files with it */ }
  }

  private producerOfPartition(partitionId: string): ExecutionVertex | undefined {
    for (const ev of this.executionGraph.allExecutionVertices()) {
      if (this.executionGraph.producedPartitions(ev).some((p) => p.partitionId === partitionId)) return ev;
    }
    return undefined;
  }

  /**
   * A TaskManager is gone: its running subtasks failed, and the partitions of its finished ones are
   * lost; producers whose partitions are still to be read rerun (with their consumers).
   */
  private regionTaskManagerLost(st: RegionScheduling, taskManagerId: string, cause: string): void {
    const error: SerializedThrowable = { name: 'TaskManagerLostException', message: `TaskManager ${taskManagerId} is lost: ${cause}` };
    const failed: ExecutionVertex[] = [];
    const lostProducers: ExecutionVertex[] = [];
    for (const ex of this.currentExecutions()) {
      if (ex.slot?.taskManagerId !== taskManagerId) continue;
      if (ex.state === 'FINISHED') { st.lost.add(ex.attemptId); lostProducers.push(ex.vertex); continue; }
      if (ex.isTerminal || ex.state === 'CREATED') continue;
      const wasCanceling = ex.state === 'CANCELING';
      ex.transitionState(wasCanceling ? 'CANCELED' : 'FAILED');
      if (!wasCanceling) { ex.failureCause = error.message; failed.push(ex.vertex); }
      this.onRegionExecutionTerminal(ex);
    }
    for (const p of lostProducers) if ([...st.topology.consumersOf(p)].some((c) => c.currentExecution.state !== 'FINISHED')) failed.push(p);
    if (failed.length > 0) void this.handleRegionFailure(failed, { ...error, location: failed[0]!.taskNameWithSubtaskIndex });
    this.checkTerminal();
  }

  /**
   * Region failover (Flink's RestartPipelinedRegionFailoverStrategy + DefaultScheduler): cancel the
   * affected regions, wait for them, back off, then give their subtasks new attempts and schedule
   * them again as their inputs allow. The job stays RUNNING; each such restart counts in numRestarts.
   */
  private async handleRegionFailure(failed: ExecutionVertex[], error: SerializedThrowable): Promise<void> {
    const st = this.regions;
    if (!st || this.stopping || this.executionGraph.state !== 'RUNNING') return;
    if (!this.regionFailover) { await this.handleTaskFailure(failed[0]!.currentExecution, error); return; }
    const first = failed[0]!;
    this.log('WARN', `${first.taskNameWithSubtaskIndex} (attempt ${first.currentExecution.attemptNumber}) failed: ${error.name}: ${error.message}`);
    this.executionGraph.exceptionHistory.push({ timestamp: Date.now(), exception: error.stack ?? `${error.name}: ${error.message}`, taskName: first.taskNameWithSubtaskIndex, ...(error.location ? { location: error.location } : {}) });
    // A consumer could not read a finished producer's partition: that partition is lost, its producer reruns.
    const producer = error.partitionId !== undefined ? this.producerOfPartition(error.partitionId) : undefined;
    if (producer && producer.currentExecution.state === 'FINISHED') st.lost.add(producer.currentExecution.attemptId);
    const regions = [...st.failover.regionsToRestart(failed)].filter((g) => !st.restarting.has(g.vertices[0]!));
    if (regions.length === 0) return; // a restart already under way covers it
    this.restartStrategy.notifyFailure(error);
    if (!this.restartStrategy.canRestart()) { await this.failJob(error); return; }
    this.executionGraph.numRestarts++;
    const vertices = regions.flatMap((g) => g.vertices);
    this.log('INFO', `Job ${this.jobId}: restarting ${vertices.length} task(s) of ${regions.length} pipelined region(s).`);
    st.strategy.holdRegions(regions);
    for (const g of regions) st.epoch.set(g, (st.epoch.get(g) ?? 0) + 1);
    for (const v of vertices) st.restarting.add(v);
    for (const v of vertices) this.cancelExecution(v.currentExecution);
    for (const g of regions) this.releaseRegionSlotsIfDone(st, g);
    await this.waitUntil(() => vertices.every((v) => v.currentExecution.isTerminal || v.currentExecution.state === 'CREATED'));
    const delay = this.restartStrategy.getBackoffTime();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    try {
      if (this.regions !== st || this.stopping || this.executionGraph.state !== 'RUNNING') return;
      for (const v of vertices) {
        if (v.currentExecution.state === 'CREATED') continue; // never ran: nothing to reset
        this.releasePartitionsOf(v);
        this.finishedAccumulators.delete(v.currentExecution.attemptId);
        for (const op of v.jobVertex.spec.operators) await this.coordinators.get(op.nodeId)?.subtaskReset?.(v.subtaskIndex);
        v.resetForNewExecution();
      }
    } finally {
      for (const v of vertices) st.restarting.delete(v);
    }
    if (this.regions === st && !this.stopping) st.strategy.restartRegions(regions);
  }

  private secondary: { ex: Execution; error: SerializedThrowable; timer: NodeJS.Timeout } | null = null;

  /**
   * A consumer whose producer failed fails too ("partition released", a channel error); that
   * failure is secondary. Wait briefly for the producer's own failure so the job reports the
   * user's exception, not its echo downstream.
   */
  private onTaskFailed(ex: Execution, error: SerializedThrowable): void {
    // Region failover restarts what each failure affects, so no failure may be folded into another.
    if (this.regions) { void this.handleRegionFailure([ex.vertex], error); return; }
    if (error.name !== 'ChannelError') {
      if (this.secondary) { clearTimeout(this.secondary.timer); this.secondary = null; }
      void this.handleTaskFailure(ex, error);
      return;
    }
    if (this.secondary) return;
    const timer = setTimeout(() => {
      const s = this.secondary;
      this.secondary = null;
      if (s && s.ex === s.ex.vertex.currentExecution) void this.handleTaskFailure(s.ex, s.error);
    }, SECONDARY_FAILURE_GRACE_MS);
    this.secondary = { ex, error, timer };
  }

  private async handleTaskFailure(ex: Execution, error: SerializedThrowable): Promise<void> {
    this.log('WARN', `${ex.vertex.taskNameWithSubtaskIndex} (attempt ${ex.attemptNumber}) failed: ${error.name}: ${error.message}`);
    this.executionGraph.exceptionHistory.push({ timestamp: Date.now(), exception: error.stack ?? `${error.name}: ${error.message}`, taskName: ex.vertex.taskNameWithSubtaskIndex, ...(error.location ? { location: error.location } : {}) });
    await this.handleGlobalFailure(error);
  }

  private async handleGlobalFailure(error: SerializedThrowable): Promise<void> {
    if (this.stopping || this.executionGraph.state !== 'RUNNING') return;
    this.restartStrategy.notifyFailure(error);
    if (!this.restartStrategy.canRestart()) { await this.failJob(error); return; }
    // A state file of the checkpoint the last attempt restored from is missing or corrupt: fall back to the one before.
    if (error.name === 'CheckpointRestoreError' && this.restoredFromCheckpoint !== undefined) this.checkpointCoordinator?.markUnreadable(this.restoredFromCheckpoint);
    this.transition('RESTARTING');
    this.schedulingGeneration++;
    this.checkpointCoordinator?.stopCheckpointScheduler();
    this.checkpointCoordinator?.abortPendingCheckpoints();
    this.checkpointCoordinator?.resetEndOfInput();
    this.eventValves.clear();
    this.cancelAll();
    await this.waitAllTerminal();
    const delay = this.restartStrategy.getBackoffTime();
    this.log('INFO', `Job ${this.jobId}: all tasks stopped; restarting in ${delay} ms (${this.restartStrategy.describe()}).`);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (this.stopping) return;
    // Back to the latest completed checkpoint, or from scratch without one.
    this.taskRestores = undefined;
    this.restoredFromCheckpoint = undefined;
    try {
      const r = await this.checkpointCoordinator?.restoreLatestCheckpointedState((nodeId, state) => this.coordinators.get(nodeId)!.resetToCheckpoint(this.checkpointCoordinator!.getLatestCheckpoint()!.checkpointId, state));
      if (r) { this.taskRestores = r.assignments; this.restoredFromCheckpoint = r.checkpointId; } else for (const c of this.coordinators.values()) await c.resetToCheckpoint(undefined, undefined);
    } catch (e) {
      await this.failJob(serializeThrowable(e, 'CheckpointCoordinator'));
      return;
    }
    this.finishedAccumulators.clear();
    if (this.regions) {
      // Old attempts' partitions are of no use to the new ones; the pool's slots are all freed below.
      for (const ev of this.executionGraph.allExecutionVertices()) this.releasePartitionsOf(ev);
      this.regions.pool.close(`job ${this.jobId} restarts`);
      this.regions = undefined;
    }
    this.executionGraph.numRestarts++;
    this.rm.slotManager.releaseSlots(this.jobId);
    for (const ev of this.executionGraph.allExecutionVertices()) ev.resetForNewExecution();
    this.transition('RUNNING');
    try { await this.scheduleAll(); } catch (e) { await this.failJob(serializeThrowable(e, 'JobMaster')); return; }
    this.checkpointCoordinator?.startCheckpointScheduler();
  }

  private async failJob(error: SerializedThrowable): Promise<void> {
    if (this.stopping === 'fail') return;
    this.stopping = 'fail';
    this.finalError = error;
    this.executionGraph.failureCause = Object.assign(new Error(error.message), { name: error.name });
    this.transition('FAILING');
    this.cancelAll();
    await this.waitAllTerminal();
    await this.complete('FAILED');
  }

  /** The coordinator savepoints need, or why there is none (the REST layer answers with it). */
  private savepointCoordinator(): CheckpointCoordinator {
    const cc = this.checkpointCoordinator;
    if (cc) return cc;
    if (this.job.jobGraph.runtimeMode !== 'STREAMING') throw new Error(`Job ${this.jobId} is not a streaming job: BATCH jobs take no savepoints.`);
    if (this.executionGraph.state === 'INITIALIZING' || this.executionGraph.state === 'CREATED') throw new Error(`Job ${this.jobId} is ${this.executionGraph.state}: trigger the savepoint once it is RUNNING.`);
    throw new Error(`Job ${this.jobId} is ${this.executionGraph.state}: it has no checkpoint coordinator to take a savepoint.`);
  }

  private requireRunning(what: string): void {
    const st = this.executionGraph.state;
    if (st !== 'RUNNING' || this.stopping) throw new Error(`Job ${this.jobId} is ${this.stopping ? 'stopping' : st}; ${what} needs a RUNNING job.`);
  }

  /**
   * A savepoint into `targetDirectory` (else execution.checkpointing.savepoint-dir); resolves with its
   * directory. With `cancelJob`, the job is cancelled once the savepoint completed (Flink's cancel-job).
   */
  async triggerSavepoint(targetDirectory: string | undefined, cancelJob: boolean): Promise<string> {
    const cc = this.savepointCoordinator();
    this.requireRunning('a savepoint');
    const sp = await cc.triggerSavepoint(targetDirectory);
    if (cancelJob) await this.cancel();
    return sp.externalPath!;
  }

  /**
   * Stop-with-savepoint: a synchronous savepoint after which the sources end and the job FINISHES;
   * with `drain` the operators finish first (+∞ watermark: every event-time timer and window fires).
   * If the savepoint fails after the sources stopped, the job fails over (Flink does the same).
   */
  async stopWithSavepoint(targetDirectory: string | undefined, drain: boolean): Promise<string> {
    const cc = this.savepointCoordinator();
    this.requireRunning('stop-with-savepoint');
    cc.stopCheckpointScheduler();
    let path: string;
    try {
      path = (await cc.triggerSavepoint(targetDirectory, { drain })).externalPath!;
    } catch (e) {
      const stoppedSources = cc.stopWithSavepointReachedTasks;
      this.log('WARN', `Stop-with-savepoint of job ${this.jobId} failed: ${(e as Error).message}${stoppedSources ? '; the job fails over to its latest checkpoint.' : ''}`);
      if (stoppedSources) void this.handleGlobalFailure({ name: 'FlinkException', message: `Stop-with-savepoint failed: ${(e as Error).message}`, location: 'CheckpointCoordinator' });
      else if (this.executionGraph.state === 'RUNNING' && !this.stopping) cc.startCheckpointScheduler();
      throw e;
    }
    const result = await this.result;
    if (result.status !== 'FINISHED') throw new Error(`Inconsistent execution state after stopping with savepoint: job ${this.jobId} ended ${result.status}. The savepoint at ${path} is complete.`);
    return path;
  }

  /** Cancels the job (REST / CLI / JobClient). */
  async cancel(): Promise<void> {
    if (this.stopping || ['FINISHED', 'FAILED', 'CANCELED'].includes(this.executionGraph.state)) return;
    this.stopping = 'cancel';
    this.transition('CANCELLING');
    this.cancelAll();
    await this.waitAllTerminal();
    await this.complete('CANCELED');
  }

  /** executeAndCollect got its limit: stop the job; it counts as finished. */
  private async stopEarly(): Promise<void> {
    if (this.stopping) return;
    this.stopping = 'collect-limit';
    this.cancelAll();
    await this.waitAllTerminal();
    await this.complete('FINISHED');
  }

  private completed = false;
  private async complete(status: 'FINISHED' | 'FAILED' | 'CANCELED'): Promise<void> {
    if (this.completed) return;
    this.completed = true;
    if (this.secondary) { clearTimeout(this.secondary.timer); this.secondary = null; }
    this.executionGraph.transitionState(status);
    try { await this.checkpointCoordinator?.shutdown(status); } catch (e) { this.log('WARN', `Job ${this.jobId}: checkpoint cleanup failed: ${(e as Error).message}`); }
    for (const c of this.coordinators.values()) { try { await c.close(); } catch { /* closing anyway */ } }
    this.regions?.pool.close(`job ${this.jobId} ended`);
    this.rm.slotManager.releaseSlots(this.jobId);
    // Every TaskManager that ran a task drops the job's artifacts and its blocking partitions (shuffle files).
    for (const s of this.slots) this.usedTaskManagers.add(s.taskManagerId);
    for (const id of this.usedTaskManagers) { try { this.rm.getTaskExecutor(id).releaseJob(this.jobId); } catch { /* TM gone */ } }
    const collected: Record<number, unknown[]> = {};
    for (const [id, c] of this.collectors) collected[id] = c.values;
    this.resolveResult({
      jobId: this.jobId,
      jobName: this.job.jobGraph.jobName,
      status,
      startTime: this.startTime,
      endTime: Date.now(),
      accumulators: mergeAccumulators([...this.finishedAccumulators.values()]),
      collected,
      ...(status === 'FAILED' && this.finalError ? { error: this.finalError } : {}),
    });
  }
}
