// Flink's CheckpointCoordinator: triggers checkpoints (periodic or manual), collects the tasks'
// acknowledgements, writes `_metadata` last and atomically, keeps the retained checkpoints, tells
// tasks and coordinators when a checkpoint completed or was aborted, and hands out the latest
// checkpoint's state on failover.
import { randomInt } from 'node:crypto';
import type { JobEdgeSpec, JobVertexSpec } from '../graph/jobgraph/JobGraph.js';
import type { ExecutionState } from '../graph/executiongraph/ExecutionState.js';
import { type ReadableConfig, CheckpointingOptions, StateRecoveryOptions } from '../configuration/index.js';
import { CheckpointStorage, getFileSystem, savepointDirectoryName, writeMetadataFile } from '../../hdfs/index.js';
import { type CheckpointCommand, type CheckpointFailureReason, type CheckpointResponse, type SnapshotType, type StopMode, CheckpointException, failureMessage, isPreFlight } from './CheckpointMessages.js';
import { type CheckpointMetadata, serializeCheckpointMetadata } from './CheckpointMetadata.js';
import { PendingCheckpoint, type TaskToAck } from './PendingCheckpoint.js';
import { type CompletedCheckpoint, CompletedCheckpointStore } from './CompletedCheckpointStore.js';
import { CheckpointFailureManager } from './CheckpointFailureManager.js';
import { assignStates, mapToProgram } from './StateAssignment.js';
import { loadSnapshot } from './SavepointLoader.js';
import { type JobManagerTaskRestore, type TaskStateSnapshot, type StreamStateHandle, checkpointedSize, stateSize } from './StateHandles.js';
import { SharedStateRegistry, baseName, sharedFilesOfMetadata } from './SharedStateRegistry.js';
import type { CheckpointStatsTracker } from './CheckpointStatsTracker.js';
import { traceCheckpoint } from './CheckpointTrace.js';

/** The current attempt of one subtask, as the checkpoint plan sees it. */
export interface CheckpointPlanTask {
  readonly attemptId: string;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly state: ExecutionState;
  /** No inputs, or every producer it reads from has FINISHED: the barrier must be injected here. */
  readonly allProducersFinished: boolean;
}

/** An OperatorCoordinator that takes part in checkpoints (source enumerators). */
export interface CheckpointedOperatorCoordinator {
  /**
   * Snapshots the coordinator; `onSnapshotTaken` must be called synchronously right after the
   * snapshot, before any further event to subtasks is sent (the JobMaster closes its event valve there).
   */
  checkpointCoordinator?(checkpointId: number, onSnapshotTaken: () => void): Promise<unknown>;
  notifyCheckpointComplete?(checkpointId: number): void;
}

export interface CheckpointCoordinatorContext {
  readonly jobId: string;
  readonly vertices: readonly JobVertexSpec[];
  /** The job's exchanges: a rescaled restore redistributes unaligned in-flight data by them. */
  readonly edges?: readonly JobEdgeSpec[];
  currentTasks(): CheckpointPlanTask[];
  sendCommand(attemptId: string, cmd: CheckpointCommand): void;
  readonly coordinators: ReadonlyMap<number, CheckpointedOperatorCoordinator>;
  /** Holds a coordinator's events to its subtasks until openEventValves() (Flink's OperatorEventValve). */
  closeEventValve(nodeId: number): void;
  openEventValves(): void;
  /** Fails the job over (the restart strategy decides whether it restarts). */
  failJob(error: Error): void;
  log(level: 'INFO' | 'WARN' | 'ERROR', msg: string): void;
  readonly stats?: CheckpointStatsTracker;
}

/** What one trigger request asks for: a checkpoint, or a savepoint into a target directory (optionally stopping the job). */
export interface SnapshotRequest {
  readonly type: SnapshotType;
  /** Savepoints: the base directory; the savepoint gets its own `savepoint-<job6>-<hex12>` below it. */
  readonly targetDirectory?: string;
  /** Stop-with-savepoint (a synchronous savepoint): sources stop before its barrier. */
  readonly stop?: StopMode;
}

/** The savepoint directory is neither given nor configured (Flink's message). */
export class NoSavepointDirectoryError extends Error {
  constructor() {
    super("No savepoint directory configured. You can either specify a directory while triggering this savepoint or configure a cluster-wide default via key 'execution.checkpointing.savepoint-dir'.");
    this.name = 'IllegalStateException';
  }
}

export class CheckpointCoordinator {
  readonly interval: number | undefined;
  readonly timeout: number;
  readonly minPause: number;
  readonly maxConcurrent: number;
  readonly unaligned: boolean;
  readonly alignedCheckpointTimeout: number;
  readonly mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  readonly checkpointDir: string | undefined;
  /** execution.checkpointing.savepoint-dir: where savepoints go when the request names no directory. */
  readonly defaultSavepointDir: string | undefined;
  /** execution.state-recovery.claim-mode of the snapshot the job starts from. */
  readonly claimMode: 'CLAIM' | 'NO_CLAIM';
  readonly inlineThreshold: number;
  /** execution.checkpointing.checkpoints-after-tasks-finish: false = no checkpoint once a task finished, no final checkpoint. */
  readonly checkpointsAfterTasksFinish: boolean;
  private readonly retention: 'NO_EXTERNALIZED_CHECKPOINTS' | 'DELETE_ON_CANCELLATION' | 'RETAIN_ON_CANCELLATION';
  private readonly storage: CheckpointStorage | undefined;
  private storageReady: Promise<void> | undefined;
  readonly store: CompletedCheckpointStore;
  /** The job ended keeping its checkpoints (externalized retention). */
  private retainedAtShutdown = false;
  /** Reference counts of incremental checkpoints' shared files. */
  readonly sharedState: SharedStateRegistry;
  private readonly failureManager: CheckpointFailureManager;
  private readonly pending = new Map<number, PendingCheckpoint>();
  private nextCheckpointId = 1;
  private triggering = false;
  private lastCheckpointCompletion = 0;
  private timer: NodeJS.Timeout | undefined;
  private shutDown = false;
  private readonly completionWaiters = new Map<number, { resolve: (c: CompletedCheckpoint) => void; reject: (e: Error) => void }>();
  /** Requests waiting for a free slot: manual ones first, then at most one periodic one (Flink's CheckpointRequestDecider). */
  private readonly queued: Array<{ request: SnapshotRequest; periodic: boolean; resolve: (c: CompletedCheckpoint) => void; reject: (e: Error) => void }> = [];
  /** A stop-with-savepoint is under way: the tasks' end of input is its doing, not a reason for a final checkpoint. */
  private stopWithSavepointPending = false;
  /** The last stop-with-savepoint's trigger reached the tasks: its sources stopped, a failure needs a failover. */
  stopWithSavepointReachedTasks = false;
  /** Trigger preparations and chk-<n> disposals still running: shutdown waits for them, so no chk-<n> outlives the job. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(conf: ReadableConfig, private readonly ctx: CheckpointCoordinatorContext) {
    this.interval = conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL);
    this.timeout = conf.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT);
    this.minPause = conf.get(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS);
    this.maxConcurrent = conf.get(CheckpointingOptions.MAX_CONCURRENT_CHECKPOINTS);
    this.mode = conf.get(CheckpointingOptions.CHECKPOINTING_MODE);
    this.unaligned = conf.get(CheckpointingOptions.ENABLE_UNALIGNED) && this.mode === 'EXACTLY_ONCE';
    this.inlineThreshold = conf.get(CheckpointingOptions.DATA_INLINE_THRESHOLD);
    // Without periodic checkpoints no final checkpoint follows the end of input: tasks finish at once.
    this.checkpointsAfterTasksFinish = this.interval !== undefined && conf.get(CheckpointingOptions.CHECKPOINTS_AFTER_TASKS_FINISH);
    this.alignedCheckpointTimeout = this.unaligned ? conf.get(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT) : 0;
    this.retention = conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION);
    const dir = conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
    const kind = conf.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE) ?? (dir !== undefined ? 'filesystem' : 'jobmanager');
    if (kind === 'filesystem' && dir === undefined) {
      throw new Error("execution.checkpointing.storage is 'filesystem' but execution.checkpointing.dir is not set; set it to a file:// or hdfs:// directory.");
    }
    this.checkpointDir = kind === 'filesystem' ? dir : undefined;
    this.defaultSavepointDir = conf.getOptional(CheckpointingOptions.SAVEPOINT_DIRECTORY);
    this.claimMode = conf.get(StateRecoveryOptions.RESTORE_MODE);
    this.storage = this.checkpointDir !== undefined ? new CheckpointStorage(this.checkpointDir, ctx.jobId) : undefined;
    this.store = new CompletedCheckpointStore(conf.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS), (cp) => this.discardCompleted(cp));
    this.sharedState = new SharedStateRegistry((path) => getFileSystem(path).delete(path, false).then(() => undefined));
    this.failureManager = new CheckpointFailureManager(conf.get(CheckpointingOptions.TOLERABLE_FAILED_CHECKPOINTS), (message) => ctx.failJob(new Error(message)));
  }

  get isPeriodicCheckpointingConfigured(): boolean { return this.interval !== undefined; }
  get numberOfPendingCheckpoints(): number { return this.pending.size; }
  get numberOfRetainedCheckpoints(): number { return this.store.numberOfRetainedCheckpoints; }
  getLatestCheckpoint(): CompletedCheckpoint | undefined { return this.store.getLatestCheckpoint(); }

  // ---- scheduling --------------------------------------------------------------------------

  /** Flink: the first trigger after a random delay in [minPause, interval], then every interval. */
  startCheckpointScheduler(): void {
    if (this.shutDown || this.interval === undefined || this.timer) return;
    const interval = this.interval;
    this.scheduleTrigger(this.minPause >= interval ? interval : randomInt(this.minPause, interval + 1));
  }

  /** The next periodic trigger after `delayMs`, then every interval (Flink's rescheduleTrigger after a min-pause hold-back). */
  private scheduleTrigger(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    const interval = this.interval!;
    const tick = (): void => {
      this.timer = setTimeout(tick, interval);
      this.trigger({ type: 'CHECKPOINT' }, true).catch(() => { /* logged and counted where it failed */ });
    };
    this.timer = setTimeout(tick, delayMs);
  }

  stopCheckpointScheduler(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Periodic and min-pause not over: refuse, and move the periodic trigger to when the pause ends. */
  private holdBackForMinPause(): CheckpointException | undefined {
    if (this.lastCheckpointCompletion <= 0) return undefined;
    const remaining = this.minPause - (Date.now() - this.lastCheckpointCompletion);
    if (remaining <= 0) return undefined;
    if (this.timer) this.scheduleTrigger(remaining);
    return new CheckpointException('MINIMUM_TIME_BETWEEN_CHECKPOINTS');
  }

  // ---- triggering --------------------------------------------------------------------------

  /** Triggers a checkpoint; resolves when it completed, rejects with a CheckpointException. */
  triggerCheckpoint(type: SnapshotType, isPeriodic: boolean): Promise<CompletedCheckpoint> {
    return this.trigger({ type }, isPeriodic);
  }

  /**
   * Triggers a savepoint (always aligned, always full) into `targetDirectory` (else the configured
   * savepoint-dir); with `stop`, a synchronous savepoint after which the tasks finish (stop-with-savepoint).
   * Resolves with the completed savepoint; its `externalPath` is the savepoint's directory.
   */
  triggerSavepoint(targetDirectory: string | undefined, stop?: StopMode): Promise<CompletedCheckpoint> {
    const dir = targetDirectory ?? this.defaultSavepointDir;
    if (dir === undefined || dir === '') return Promise.reject(new NoSavepointDirectoryError());
    if (stop) {
      if (this.stopWithSavepointPending) return Promise.reject(new Error(`A stop-with-savepoint of job ${this.ctx.jobId} is already in progress.`));
      this.stopWithSavepointPending = true;
      this.stopWithSavepointReachedTasks = false;
    }
    const p = this.trigger({ type: 'SAVEPOINT', targetDirectory: dir, ...(stop ? { stop } : {}) }, false);
    if (stop) p.catch(() => { this.stopWithSavepointPending = false; });
    return p;
  }

  private trigger(request: SnapshotRequest, isPeriodic: boolean): Promise<CompletedCheckpoint> {
    if (this.shutDown) return Promise.reject(new CheckpointException('CHECKPOINT_COORDINATOR_SHUTDOWN'));
    if (this.triggering || this.pending.size >= this.maxConcurrent) {
      // Wait for a free slot (Flink's CheckpointRequestDecider): manual requests in order, ahead of
      // the periodic one; one periodic request waiting is enough, a further one is refused.
      if (isPeriodic && this.queued.some((q) => q.periodic)) return Promise.reject(new CheckpointException('TOO_MANY_CHECKPOINT_REQUESTS'));
      return new Promise((resolve, reject) => {
        const req = { request, periodic: isPeriodic, resolve, reject };
        if (isPeriodic) this.queued.push(req);
        else {
          // Savepoints ahead of other manual requests (Flink's CheckpointRequestDecider priority).
          const isSavepoint = (r: SnapshotRequest): boolean => r.targetDirectory !== undefined;
          const i = this.queued.findIndex((q) => q.periodic || (isSavepoint(request) && !isSavepoint(q.request)));
          if (i < 0) this.queued.push(req); else this.queued.splice(i, 0, req);
        }
      });
    }
    if (isPeriodic) {
      const held = this.holdBackForMinPause();
      if (held) return Promise.reject(held);
    }
    return this.startTrigger(request);
  }

  private async startTrigger(request: SnapshotRequest): Promise<CompletedCheckpoint> {
    const type = request.type;
    const savepoint = request.targetDirectory !== undefined;
    const tasks = this.ctx.currentTasks();
    const notReady = tasks.find((t) => t.state !== 'RUNNING' && t.state !== 'FINISHED');
    if (notReady || tasks.every((t) => t.state === 'FINISHED')) throw new CheckpointException('NOT_ALL_REQUIRED_TASKS_RUNNING');
    // Without checkpoints after tasks finish (Flink before FLIP-147), a finished task ends checkpointing.
    if (!this.checkpointsAfterTasksFinish && tasks.some((t) => t.state === 'FINISHED')) throw new CheckpointException('NOT_ALL_REQUIRED_TASKS_RUNNING');
    const toAck = new Map<string, TaskToAck>();
    const toTrigger: CheckpointPlanTask[] = [];
    for (const t of tasks) {
      if (t.state !== 'RUNNING') continue;
      toAck.set(t.attemptId, { vertexId: t.vertexId, subtaskIndex: t.subtaskIndex });
      if (t.allProducersFinished) toTrigger.push(t);
    }
    this.triggering = true;
    const checkpointId = this.nextCheckpointId++;
    const timestamp = Date.now();
    traceCheckpoint('decide', checkpointId);
    let location: string | undefined;
    const coordinatorStates = new Map<number, unknown>();
    let preparedResolve!: () => void;
    this.track(new Promise<void>((r) => { preparedResolve = r; }));
    try {
      if (savepoint) {
        const dir = `${request.targetDirectory!.replace(/\/+$/, '')}/${savepointDirectoryName(this.ctx.jobId)}`;
        await getFileSystem(dir).mkdirs(dir);
        location = dir;
      } else if (this.storage) {
        // A failed initialization (storage briefly unavailable) is retried by the next trigger.
        this.storageReady ??= this.storage.initialize().catch((e: unknown) => { this.storageReady = undefined; throw e; });
        await this.storageReady;
        const dir = this.storage.checkpointPath(checkpointId);
        await this.storage.fs.mkdirs(dir);
        location = dir;
      }
      traceCheckpoint('storage-ready', checkpointId);
      this.ctx.log('INFO', `Triggering checkpoint ${checkpointId} (type=${type}) @ ${timestamp} for job ${this.ctx.jobId}.`);
      // Coordinators first (Flink's OperatorCoordinatorCheckpoints), each closing its event valve
      // right after its snapshot, so no split assignment slips between snapshot and barrier.
      for (const [nodeId, c] of this.ctx.coordinators) {
        if (!c.checkpointCoordinator) continue;
        const s = await c.checkpointCoordinator(checkpointId, () => this.ctx.closeEventValve(nodeId));
        if (s !== undefined) coordinatorStates.set(nodeId, s);
      }
    } catch (e) {
      this.triggering = false;
      this.ctx.openEventValves();
      if (location !== undefined) this.disposeLocation(checkpointId, savepoint ? location : undefined);
      preparedResolve();
      const reason: CheckpointFailureReason = location === undefined && (this.storage || savepoint) ? 'IO_EXCEPTION' : 'TRIGGER_CHECKPOINT_FAILURE';
      this.ctx.log('WARN', `Failed to trigger checkpoint ${checkpointId} for job ${this.ctx.jobId}: ${(e as Error).message}`);
      this.failureManager.handleCheckpointException(checkpointId, reason, (e as Error).message);
      this.ctx.stats?.reportFailedCheckpointsWithoutInProgress();
      this.runQueued();
      throw new CheckpointException(reason, e);
    }
    if (this.shutDown) {
      // Shut down while chk-<n> was being created: nobody else will delete it.
      this.triggering = false;
      this.ctx.openEventValves();
      if (location !== undefined) this.disposeLocation(checkpointId, savepoint ? location : undefined);
      preparedResolve();
      throw new CheckpointException('CHECKPOINT_COORDINATOR_SHUTDOWN');
    }
    preparedResolve();

    const pc = new PendingCheckpoint(checkpointId, timestamp, type, toAck, coordinatorStates, location, savepoint);
    this.pending.set(checkpointId, pc);
    this.ctx.stats?.reportPendingCheckpoint(checkpointId, timestamp, type === 'SAVEPOINT' ? (request.stop ? 'SYNC_SAVEPOINT' : 'SAVEPOINT') : type, this.unaligned && !savepoint, this.subtasksPerVertex());
    pc.timeout = setTimeout(() => {
      if (this.pending.get(checkpointId) !== pc) return;
      this.ctx.log('INFO', `Checkpoint ${checkpointId} of job ${this.ctx.jobId} expired before completing.`);
      this.abortPending(pc, 'CHECKPOINT_EXPIRED');
    }, this.timeout);
    const done = new Promise<CompletedCheckpoint>((resolve, reject) => this.completionWaiters.set(checkpointId, { resolve, reject }));
    // A task of the plan that finished (or failed) while chk-<n> was being prepared can never acknowledge, and
    // onTaskFinished / a failover did not see this checkpoint yet: give it up before any trigger goes out.
    const states = new Map(this.ctx.currentTasks().map((t) => [t.attemptId, t.state]));
    const gone = [...toAck.keys()].find((id) => states.get(id) !== 'RUNNING');
    if (gone !== undefined) {
      this.ctx.openEventValves();
      this.triggering = false;
      this.abortPending(pc, 'NOT_ALL_REQUIRED_TASKS_RUNNING', `Task ${gone} is ${states.get(gone) ?? 'gone'} since checkpoint ${checkpointId} was planned.`);
      return done;
    }
    // With an aligned-checkpoint-timeout, barriers start aligned; each task switches when the timeout passes.
    const cmd: CheckpointCommand = {
      kind: 'trigger', checkpointId, timestamp, type, unaligned: this.unaligned && this.alignedCheckpointTimeout === 0 && type !== 'SAVEPOINT',
      ...(savepoint ? { location } : {}), ...(request.stop ? { stop: request.stop } : {}),
      ...(this.latestOwnCheckpointId() !== undefined ? { completed: this.latestOwnCheckpointId()! } : {}),
    };
    traceCheckpoint('send', checkpointId, String(toTrigger.length));
    for (const t of toTrigger) this.ctx.sendCommand(t.attemptId, cmd);
    if (request.stop) this.stopWithSavepointReachedTasks = true;
    this.ctx.openEventValves();
    this.triggering = false;
    if (pc.isFullyAcknowledged) void this.completePendingCheckpoint(pc);
    this.runQueued();
    return done;
  }

  private subtasksPerVertex(): Map<string, number> {
    return new Map(this.ctx.vertices.map((v) => [v.id, v.parallelism]));
  }

  private runQueued(): void {
    while (this.queued.length > 0 && !this.triggering && this.pending.size < this.maxConcurrent) {
      const q = this.queued.shift()!;
      const held = q.periodic ? this.holdBackForMinPause() : undefined;
      if (held) { q.reject(held); continue; }
      this.startTrigger(q.request).then(q.resolve, q.reject);
    }
  }

  // ---- acknowledgements --------------------------------------------------------------------

  receiveCheckpointResponse(r: CheckpointResponse): void {
    if (r.kind === 'endOfInput') { this.onEndOfInput(r.executionAttemptId); return; }
    const pc = this.pending.get(r.checkpointId);
    if (r.kind === 'decline') {
      if (!pc) return;
      this.ctx.log('INFO', `Decline checkpoint ${r.checkpointId} by task ${r.executionAttemptId} of job ${this.ctx.jobId}: ${r.message}`);
      this.abortPending(pc, r.reason, r.message);
      return;
    }
    if (!pc) {
      // Late or unknown: nobody will reference this state, so its files go (Flink discards it too).
      this.discardTaskState(r.checkpointId, r.state);
      return;
    }
    const task = pc.taskOf(r.executionAttemptId);
    const res = pc.acknowledgeTask(r.executionAttemptId, r.state, r.metrics);
    if (res !== 'SUCCESS') { if (res !== 'DUPLICATE') this.discardTaskState(r.checkpointId, r.state); return; }
    if (task) {
      let size = 0, written = 0;
      for (const st of Object.values(r.state.operators)) { size += stateSize(st); written += checkpointedSize(st, r.checkpointId); }
      this.ctx.stats?.reportSubtaskAck(r.checkpointId, task.vertexId, task.subtaskIndex, {
        ackTimestamp: Date.now(), stateSize: size, checkpointedSize: written, alignmentDurationMs: r.metrics.alignmentDurationMs, syncDurationMs: r.metrics.syncDurationMs,
        asyncDurationMs: r.metrics.asyncDurationMs, processedData: r.metrics.bytesProcessedDuringAlignment, persistedData: r.metrics.persistedData ?? 0, unaligned: r.metrics.unaligned, startDelayMs: r.metrics.startDelayMs,
      });
    }
    if (pc.isFullyAcknowledged) void this.completePendingCheckpoint(pc);
  }

  private readonly endedInput = new Set<string>();
  private finalCheckpointRequested = false;

  /**
   * Once every task that gets triggers (sources, tasks whose inputs all finished) has ended its
   * input, the final checkpoint is taken right away instead of at the next interval, so a bounded
   * job does not idle up to one interval before it can finish (Flink waits for the periodic trigger).
   */
  private onEndOfInput(attemptId: string): void {
    this.endedInput.add(attemptId);
    if (this.finalCheckpointRequested || this.shutDown || !this.checkpointsAfterTasksFinish || this.stopWithSavepointPending) return;
    const tasks = this.ctx.currentTasks();
    const roots = tasks.filter((t) => t.state === 'RUNNING' && t.allProducersFinished);
    if (roots.length === 0 || !roots.every((t) => this.endedInput.has(t.attemptId))) return;
    this.finalCheckpointRequested = true;
    this.triggerCheckpoint('CHECKPOINT', false).catch(() => { /* the periodic trigger still follows */ }).finally(() => { this.finalCheckpointRequested = false; });
  }

  /** A failover: the new attempts report their end of input again. */
  resetEndOfInput(): void { this.endedInput.clear(); }

  private async completePendingCheckpoint(pc: PendingCheckpoint): Promise<void> {
    if (this.pending.get(pc.checkpointId) !== pc) return;
    // An incremental chain part a task reused was deleted meanwhile (its checkpoint was subsumed before
    // the task heard that a newer one completed): this checkpoint cannot be restored; the next one can.
    const missing = this.sharedState.missingReused(pc.checkpointId, pc.allSubtaskStates());
    if (missing.length > 0) {
      this.abortPending(pc, 'FINALIZE_CHECKPOINT_FAILURE', `It reuses ${missing.length} incremental state file(s) that were discarded meanwhile (e.g. ${missing[0]}); the next checkpoint uploads them anew.`);
      return;
    }
    this.pending.delete(pc.checkpointId);
    if (pc.timeout) clearTimeout(pc.timeout);
    const t0 = Date.now();
    const byNode = new Map<number, { parallelism: number; maxParallelism: number; uid?: string }>();
    for (const v of this.ctx.vertices) for (const o of v.operators) byNode.set(o.nodeId, { parallelism: v.parallelism, maxParallelism: v.maxParallelism, ...(o.uid ? { uid: o.uid } : {}) });
    const metadata: CheckpointMetadata = { checkpointId: pc.checkpointId, timestamp: pc.timestamp, type: pc.type, operators: pc.operatorStates((id) => byNode.get(id)) };
    try {
      if (pc.savepoint) await writeMetadataFile(getFileSystem(pc.location!), pc.location!, serializeCheckpointMetadata(metadata, pc.location));
      else if (this.storage && pc.location !== undefined) await this.storage.writeMetadata(pc.checkpointId, serializeCheckpointMetadata(metadata, pc.location));
    } catch (e) {
      this.ctx.log('WARN', `Could not finalize checkpoint ${pc.checkpointId} of job ${this.ctx.jobId}: ${(e as Error).message}`);
      this.pending.set(pc.checkpointId, pc);
      this.abortPending(pc, 'FINALIZE_CHECKPOINT_FAILURE', (e as Error).message);
      return;
    }
    if (this.shutDown) {
      // Finalized after shutdown: not in the store, so it is discarded here, unless the job ended keeping its
      // checkpoints (retention): then this complete one stays too (a savepoint stays anyway: it is complete).
      if (pc.location !== undefined && !pc.savepoint && !this.retainedAtShutdown) this.disposeLocation(pc.checkpointId);
      const w = this.completionWaiters.get(pc.checkpointId);
      this.completionWaiters.delete(pc.checkpointId);
      w?.reject(new CheckpointException('CHECKPOINT_COORDINATOR_SHUTDOWN'));
      return;
    }
    const completed: CompletedCheckpoint = { checkpointId: pc.checkpointId, timestamp: pc.timestamp, completionTimestamp: Date.now(), metadata, externalPath: pc.location, stateSize: pc.stateSize };
    this.failureManager.handleCheckpointSuccess(pc.checkpointId);
    // Savepoints belong to the user: not retained for failover, never subsumed or deleted (Flink ≥ 1.15).
    if (!pc.savepoint) {
      this.retain(completed);
      this.track(this.sharedState.checkpointCompleted(pc.checkpointId));
      // Older pending checkpoints can never be useful now.
      for (const older of [...this.pending.values()]) if (older.checkpointId < pc.checkpointId) this.abortPending(older, 'CHECKPOINT_SUBSUMED');
    }
    this.lastCheckpointCompletion = Date.now();
    const what = pc.savepoint ? 'savepoint' : 'checkpoint';
    this.ctx.log('INFO', `Completed ${what} ${pc.checkpointId} for job ${this.ctx.jobId} (${pc.stateSize} bytes, checkpointDuration=${completed.completionTimestamp - pc.timestamp} ms, finalizationTime=${completed.completionTimestamp - t0} ms)${pc.savepoint ? ` at ${pc.location}` : ''}.`);
    this.ctx.stats?.reportCompletedCheckpoint(pc.checkpointId, completed.completionTimestamp, pc.location ?? null);
    const cmd: CheckpointCommand = { kind: 'complete', checkpointId: pc.checkpointId };
    for (const t of this.ctx.currentTasks()) if (t.state === 'RUNNING') this.ctx.sendCommand(t.attemptId, cmd);
    for (const c of this.ctx.coordinators.values()) { try { c.notifyCheckpointComplete?.(pc.checkpointId); } catch (e) { this.ctx.log('WARN', `Coordinator failed on checkpoint ${pc.checkpointId} complete: ${(e as Error).message}`); } }
    const w = this.completionWaiters.get(pc.checkpointId);
    this.completionWaiters.delete(pc.checkpointId);
    w?.resolve(completed);
    this.runQueued();
  }

  private abortPending(pc: PendingCheckpoint, reason: CheckpointFailureReason, cause?: string): void {
    if (this.pending.get(pc.checkpointId) !== pc) return;
    this.pending.delete(pc.checkpointId);
    pc.abort(reason);
    // The incremental parts this checkpoint uploaded are referenced by nothing now.
    this.track(this.sharedState.discardUnregistered(pc.checkpointId, pc.allSubtaskStates()));
    const message = cause !== undefined ? `${failureMessage(reason)} ${cause}` : failureMessage(reason);
    this.ctx.stats?.reportFailedCheckpoint(pc.checkpointId, Date.now(), message);
    const cmd: CheckpointCommand = { kind: 'abort', checkpointId: pc.checkpointId };
    for (const t of this.ctx.currentTasks()) if (t.state === 'RUNNING') this.ctx.sendCommand(t.attemptId, cmd);
    if (pc.location !== undefined) this.disposeLocation(pc.checkpointId, pc.savepoint ? pc.location : undefined);
    const w = this.completionWaiters.get(pc.checkpointId);
    this.completionWaiters.delete(pc.checkpointId);
    w?.reject(new CheckpointException(reason, cause));
    if (!isPreFlight(reason)) this.failureManager.handleCheckpointException(pc.checkpointId, reason, cause ?? failureMessage(reason));
    this.runQueued();
  }

  /**
   * A task finished: it acknowledges nothing any more (a trigger reaching a finished task is dropped),
   * so pending checkpoints still waiting for it can never complete. They are aborted (Flink: declined,
   * task not ready; not counted as a failure) so the next trigger plans without the finished task;
   * otherwise the checkpoint blocks the slot until it expires and the remaining tasks wait that long
   * for their final checkpoint.
   */
  onTaskFinished(attemptId: string): void {
    for (const pc of [...this.pending.values()]) if (pc.taskOf(attemptId)) this.abortPending(pc, 'NOT_ALL_REQUIRED_TASKS_RUNNING', `Task ${attemptId} finished before it acknowledged checkpoint ${pc.checkpointId}.`);
  }

  /** A failover started: pending checkpoints cannot complete (not counted as failures). */
  abortPendingCheckpoints(reason: CheckpointFailureReason = 'JOB_FAILOVER_REGION'): void {
    for (const pc of [...this.pending.values()]) this.abortPending(pc, reason);
  }

  // ---- restore -----------------------------------------------------------------------------

  /**
   * Start-up from a savepoint or retained checkpoint (execution.state-recovery.path): its state,
   * mapped onto this program by uid / operator id, becomes the checkpoint the first deployment
   * restores (and failovers, until a newer one completes). Checkpoint ids continue after its id.
   * It stays the user's: never deleted (NO_CLAIM).
   */
  async restoreSavepoint(path: string, allowNonRestoredState: boolean, resetCoordinator: (nodeId: number, checkpointId: number, state: unknown) => Promise<void>): Promise<{ checkpointId: number; assignments: Map<string, JobManagerTaskRestore[]> }> {
    const loaded = await loadSnapshot(path);
    const { metadata, skipped, withoutUid } = mapToProgram(loaded.metadata, this.ctx.vertices, path, allowNonRestoredState);
    if (withoutUid.length > 0) {
      this.ctx.log('WARN', `The state of ${withoutUid.join(', ')} was restored by generated operator id: these operators have no uid(), and the id changes when the program's topology does. Set .uid('…') on every stateful operator.`);
    }
    if (skipped.length > 0) this.ctx.log('WARN', `Skipping the state of operator(s) ${skipped.join(', ')} of ${path}: not in the new program (allowNonRestoredState).`);
    const assignments = assignStates(metadata, this.ctx.vertices, this.ctx.edges);
    // CLAIM: the snapshot becomes this job's (subsumed and deleted like its own checkpoints); NO_CLAIM: never touched.
    const claim = this.claimMode === 'CLAIM';
    const cp: CompletedCheckpoint = {
      checkpointId: metadata.checkpointId, timestamp: metadata.timestamp, completionTimestamp: metadata.timestamp,
      metadata, externalPath: claim ? loaded.directory : undefined, restoredFrom: loaded.directory, stateSize: 0, ...(claim ? { claimed: true } : {}),
    };
    this.retain(cp);
    this.nextCheckpointId = Math.max(this.nextCheckpointId, metadata.checkpointId + 1);
    for (const nodeId of this.ctx.coordinators.keys()) await resetCoordinator(nodeId, metadata.checkpointId, metadata.operators[nodeId]?.coordinatorState);
    const kind = metadata.type === 'SAVEPOINT' ? 'savepoint' : 'checkpoint';
    this.ctx.log('INFO', `Starting job ${this.ctx.jobId} from ${kind} ${metadata.checkpointId} (${loaded.directory}, ${claim ? 'CLAIM' : 'NO_CLAIM'} mode).`);
    this.ctx.stats?.reportRestoredCheckpoint(metadata.checkpointId, Date.now(), loaded.directory, metadata.type === 'SAVEPOINT');
    return { checkpointId: metadata.checkpointId, assignments };
  }

  /**
   * JobManager recovery (high availability): this job ran before under another JobManager, which
   * left its completed checkpoints in the checkpoint storage. They become the retained checkpoints
   * (the newest `max-retained` of them; older and unfinished ones are deleted as subsumption would
   * have), checkpoint ids continue after the newest, and the first deployment restores it.
   * Undefined: nothing to recover (the job starts from its savepoint, if any, or from scratch).
   */
  async recoverCheckpointsFromStorage(resetCoordinator: (nodeId: number, checkpointId: number, state: unknown) => Promise<void>): Promise<{ checkpointId: number; assignments: Map<string, JobManagerTaskRestore[]> } | undefined> {
    const storage = this.storage;
    if (!storage) {
      this.ctx.log('WARN', `Job ${this.ctx.jobId} is recovered, but its checkpoints were kept in the JobManager's memory (no execution.checkpointing.dir): it starts without them.`);
      return undefined;
    }
    const completed = await storage.listCompletedCheckpoints();
    if (completed.length === 0) return undefined;
    const keep = completed.slice(-this.store.maxRetained);
    const loaded: CompletedCheckpoint[] = [];
    for (const c of keep) {
      const dir = storage.checkpointPath(c.checkpointId);
      try {
        const { metadata } = await loadSnapshot(dir);
        loaded.push({ checkpointId: metadata.checkpointId, timestamp: metadata.timestamp, completionTimestamp: metadata.timestamp, metadata, externalPath: dir, stateSize: 0 });
      } catch (e) {
        this.ctx.log('WARN', `Skipping checkpoint ${c.checkpointId} of job ${this.ctx.jobId} found at recovery: ${(e as Error).message}`);
      }
    }
    if (loaded.length === 0) return undefined;
    // Everything else in the job's directory is garbage of the previous JobManager: older checkpoints,
    // and chk-<n> directories it never finished.
    const kept = new Set(loaded.map((c) => c.checkpointId));
    for (const c of completed) if (!kept.has(c.checkpointId)) this.disposeLocation(c.checkpointId);
    try {
      for (const st of await storage.fs.listStatus(storage.jobDir)) {
        const m = /\/chk-(\d+)$/.exec(st.path);
        if (st.isDirectory && m && !kept.has(Number(m[1])) && !completed.some((c) => c.checkpointId === Number(m[1]))) this.disposeLocation(Number(m[1]));
      }
    } catch { /* cleaning up is best effort */ }
    for (const cp of loaded) this.retain(cp);
    // Incremental parts no recovered checkpoint references were the previous JobManager's to delete.
    await this.deleteUnreferencedSharedFiles();
    const latest = loaded[loaded.length - 1]!;
    this.nextCheckpointId = Math.max(this.nextCheckpointId, latest.checkpointId + 1);
    for (const nodeId of this.ctx.coordinators.keys()) await resetCoordinator(nodeId, latest.checkpointId, latest.metadata.operators[nodeId]?.coordinatorState);
    this.ctx.log('INFO', `Recovered ${loaded.length} checkpoint(s) of job ${this.ctx.jobId}; restoring from Checkpoint ${latest.checkpointId} @ ${latest.timestamp} for ${latest.externalPath}.`);
    this.ctx.stats?.reportRestoredCheckpoint(latest.checkpointId, Date.now(), latest.externalPath ?? null, false);
    return { checkpointId: latest.checkpointId, assignments: assignStates(latest.metadata, this.ctx.vertices, this.ctx.edges) };
  }

  /**
   * The state every subtask restores on failover, from the latest retained checkpoint (undefined:
   * none, start from scratch). Coordinators are reset to that checkpoint's state here.
   */
  async restoreLatestCheckpointedState(resetCoordinator: (nodeId: number, state: unknown) => Promise<void>): Promise<{ checkpointId: number; assignments: Map<string, JobManagerTaskRestore[]> } | undefined> {
    const cp = this.store.getLatestCheckpoint();
    if (!cp) return undefined;
    const assignments = assignStates(cp.metadata, this.ctx.vertices, this.ctx.edges);
    for (const nodeId of this.ctx.coordinators.keys()) await resetCoordinator(nodeId, cp.metadata.operators[nodeId]?.coordinatorState);
    const path = cp.externalPath ?? cp.restoredFrom;
    this.ctx.log('INFO', `Restoring job ${this.ctx.jobId} from Checkpoint ${cp.checkpointId} @ ${cp.timestamp}${path ? ` for ${path}` : ''}.`);
    this.ctx.stats?.reportRestoredCheckpoint(cp.checkpointId, Date.now(), path ?? null, cp.metadata.type === 'SAVEPOINT');
    return { checkpointId: cp.checkpointId, assignments };
  }

  /** A task could not read checkpoint `checkpointId` (missing or corrupt file): recovery falls back to the previous one. */
  markUnreadable(checkpointId: number): void {
    if (this.store.getAllCheckpoints().some((c) => c.checkpointId === checkpointId)) {
      this.ctx.log('WARN', `Checkpoint ${checkpointId} of job ${this.ctx.jobId} cannot be read; recovery falls back to the previous retained checkpoint.`);
      this.store.remove(checkpointId);
    }
  }

  // ---- shutdown ----------------------------------------------------------------------------

  /** The job reached a terminal state: stop, abort what is pending, keep or discard retained checkpoints per the retention. */
  async shutdown(jobStatus: 'FINISHED' | 'FAILED' | 'CANCELED'): Promise<void> {
    if (this.shutDown) return;
    this.stopCheckpointScheduler();
    this.shutDown = true;
    // Queued requests first: aborting a pending checkpoint frees a slot and would start them.
    for (const q of this.queued.splice(0)) q.reject(new CheckpointException('CHECKPOINT_COORDINATOR_SHUTDOWN'));
    this.abortPendingCheckpoints('CHECKPOINT_COORDINATOR_SHUTDOWN');
    // Flink's CheckpointProperties: externalized checkpoints survive a failed job, and a cancelled one with RETAIN_ON_CANCELLATION.
    const externalized = this.retention !== 'NO_EXTERNALIZED_CHECKPOINTS';
    const retain = externalized && (jobStatus === 'FAILED' || (jobStatus === 'CANCELED' && this.retention === 'RETAIN_ON_CANCELLATION'));
    this.retainedAtShutdown = retain;
    await this.store.shutdown(retain);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.deleteUnreferencedSharedFiles();
  }

  /**
   * Incremental parts no retained checkpoint references: uploads of aborted checkpoints whose
   * acknowledgement never came (a TaskManager died mid-upload). Safe once no task of this job runs.
   */
  private async deleteUnreferencedSharedFiles(): Promise<void> {
    const storage = this.storage;
    if (!storage) return;
    const shared = storage.sharedDir;
    await this.sharedState.flush();
    try {
      if (!(await storage.fs.exists(shared))) return;
      // By file name (a UUID): listings may spell the directory differently (file:///x vs /x).
      const referenced = this.sharedState.registeredFileNames();
      const left = (await storage.fs.listStatus(shared)).filter((st) => !st.isDirectory && !referenced.has(baseName(st.path)));
      await Promise.all(left.map((st) => storage.fs.delete(st.path, false).catch(() => false)));
      if (this.sharedState.numberOfFiles === 0) await storage.fs.delete(shared, true).catch(() => false);
    } catch { /* cleaning up is best effort */ }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const untrack = (): void => { this.inFlight.delete(p); };
    p.then(untrack, untrack);
    return p;
  }

  /** Deletes an unfinished or discarded chk-<n>, or an unfinished savepoint directory (failures ignored: nothing references it). */
  private disposeLocation(checkpointId: number, savepointDir?: string): void {
    if (savepointDir !== undefined) this.track(getFileSystem(savepointDir).delete(savepointDir, true).catch(() => false));
    else if (this.storage) this.track(this.storage.disposeCheckpoint(checkpointId).catch(() => false));
  }

  /** The newest retained checkpoint this job took itself (a restored snapshot's chain is no task's). */
  private latestOwnCheckpointId(): number | undefined {
    const cp = this.store.getLatestCheckpoint();
    return cp && !cp.restoredFrom ? cp.checkpointId : undefined;
  }

  /** Adds a completed checkpoint to the store; its incremental files are referenced until it leaves. */
  private retain(cp: CompletedCheckpoint): void {
    // A NO_CLAIM snapshot is not this job's: its files are never deleted, so they are not counted either.
    if (!cp.restoredFrom || cp.claimed) this.sharedState.register(cp.checkpointId, sharedFilesOfMetadata(cp.metadata));
    this.store.addCheckpointAndSubsumeOldestOne(cp);
  }

  private async discardCompleted(cp: CompletedCheckpoint): Promise<void> {
    if (!cp.restoredFrom || cp.claimed) this.sharedState.unregister(cp.checkpointId, sharedFilesOfMetadata(cp.metadata), this.store.getLatestCheckpoint()?.checkpointId ?? cp.checkpointId);
    if (cp.claimed && cp.externalPath !== undefined) await getFileSystem(cp.externalPath).delete(cp.externalPath, true);
    else if (this.storage && cp.externalPath !== undefined) await this.storage.disposeCheckpoint(cp.checkpointId);
  }

  private discardTaskState(checkpointId: number, s: TaskStateSnapshot): void {
    if (!this.storage) return;
    this.track(this.sharedState.discardUnregistered(checkpointId, Object.values(s.operators)));
    for (const st of Object.values(s.operators)) {
      // Incremental parts: only those of this checkpoint, and only if unreferenced (done above).
      for (const h of [...st.keyed.filter((k) => !k.incremental).map((k) => k.handle), ...st.operator.map((o) => o.handle)]) {
        if (h.kind === 'file') void this.storage.fs.delete(h.path, false).catch(() => false);
      }
    }
  }
}


