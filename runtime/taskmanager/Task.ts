import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { TaskDeploymentDescriptor, TaskIOMetrics, TaskManagerActions } from './TaskDeploymentDescriptor.js';
import { serializeThrowable } from './TaskDeploymentDescriptor.js';
import { type ExecutionState, isTerminal } from '../graph/executiongraph/ExecutionState.js';
import type { JobGraphSpec, JobVertexSpec } from '../graph/jobgraph/JobGraph.js';
import { vertexOf } from '../graph/jobgraph/JobGraph.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import type { ShuffleEnvironment, ResultPartition, SingleInputGate, InputBatch } from '../network/index.js';
import type { TaskInfo } from '../api/functions/RuntimeContext.js';
import { TaskMailbox } from './TaskMailbox.js';
import { OperatorChain } from './OperatorChain.js';
import { TaskProcessingTimeService } from '../operators/timers/ProcessingTimeService.js';
import { AccumulatorRegistry } from '../operators/AccumulatorRegistry.js';
import type { TaskMetricGroup, TaskManagerMetricGroup } from '../metrics/groups/ComponentMetricGroups.js';
import { unregisteredTaskManagerMetricGroup } from '../metrics/index.js';
import { registerTaskIOMetrics, type TaskMetricsSource } from './TaskIOMetricGroup.js';
import type { OneInputStreamOperator, TwoInputStreamOperator, KeyGroupedInputAware, StreamOperator } from '../operators/StreamOperator.js';
import { SourceOperator } from '../operators/SourceOperator.js';
import { StatusWatermarkValve, type ValveOutput } from './StatusWatermarkValve.js';
import { KeyGroupedInputBuffer } from './KeyGroupedInputBuffer.js';
import { Configuration, ExecutionOptions } from '../configuration/index.js';
import { MAX_WATERMARK } from '../api/eventtime/WatermarkStrategy.js';
import type { CheckpointCommand, SnapshotType } from '../checkpoint/CheckpointMessages.js';
import { traceCheckpoint } from '../checkpoint/CheckpointTrace.js';
import { SubtaskCheckpointCoordinator, type BarrierMetrics } from './checkpointing/SubtaskCheckpointCoordinator.js';
import { loadTaskRestore, asRestoreError } from './checkpointing/TaskStateManager.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../util/KeyGroupRangeAssignment.js';
import { createBarrierHandler, type CheckpointBarrierHandler } from './checkpointing/CheckpointBarrierHandler.js';
import { UnalignedCheckpointBarrierHandler } from './checkpointing/UnalignedCheckpointBarrierHandler.js';
import type { RestoredOperatorState } from './OperatorChain.js';

export interface TaskServices {
  shuffle: ShuffleEnvironment;
  actions: TaskManagerActions;
  jobGraph: JobGraphSpec;
  /** The user's operators: the client's graph in-thread, the rebuilt one in a slot. */
  streamGraph: StreamGraph;
  autoWatermarkInterval: number;
  /** The TaskManager's metric group (this thread's registry); tasks add their job, task and operator groups. */
  metricGroup?: TaskManagerMetricGroup;
}

class CancelTaskException extends Error {}

/** Time slice after which a task yields to the event loop, so tasks sharing a thread all progress. */
type RecordBatch = Extract<InputBatch, { kind: 'records' }>;
const SLICE_MS = 4;
/** Records between two time checks while a batch is processed (a check costs one performance.now()). */
const SLICE_RECORDS = 256;

/** What a task is waiting for (time accounting): nothing, input (idle), or output (back-pressured). */
const NOT_WAITING = 0;
const IDLE = 1;
const BACK_PRESSURED = 2;
type WaitKind = typeof IDLE | typeof BACK_PRESSURED;

/**
 * One subtask attempt: sets up partitions, gate and operator chain, runs the source or input
 * loop, and reports its state to the JobMaster (Flink's Task + StreamTask). Cooperative: it
 * yields between batches, never inside one.
 */
export class Task {
  state: ExecutionState = 'DEPLOYING';
  private canceled = false;
  private cancelWake!: () => void;
  private readonly cancelPromise = new Promise<void>((r) => { this.cancelWake = r; });
  private readonly mailbox = new TaskMailbox();
  private chain: OperatorChain | undefined;
  private partitions: ResultPartition[] = [];
  private gate: SingleInputGate | undefined;
  private readonly pts = new TaskProcessingTimeService(this.mailbox.put);
  private readonly accumulators = new AccumulatorRegistry();
  private readonly metrics: TaskMetricGroup;
  private readonly vertex: JobVertexSpec;
  private lastYield = 0;
  // Time accounting (Flink's idle / back-pressured / busy time), in performance.now() ms. Measured
  // only around the awaits for input and output, never per record; busy = running − idle − back-pressured.
  private runningSince = 0;
  private endedAt = 0;
  private idleMs = 0;
  private backPressuredMs = 0;
  private waitKind: typeof NOT_WAITING | WaitKind = NOT_WAITING;
  private waitStart = 0;
  done: Promise<void> = Promise.resolve();
  // Checkpointing (STREAMING with an interval): the task's part of checkpoints, and the final
  // checkpoint it waits for after its operators finished (so 2PC sinks commit their last data).
  private checkpoints: SubtaskCheckpointCoordinator | undefined;
  private barrierHandler: CheckpointBarrierHandler | undefined;
  private barrierType: SnapshotType = 'CHECKPOINT';
  private barrierUnaligned = false;
  private barrierLocation: string | undefined;
  /** The latest completed checkpoint the coordinator told this task of (trigger commands, barriers). */
  private knownCompleted = -1;
  /** In-flight input of the unaligned checkpoint this attempt restores, replayed before the gate is read. */
  private restoredInput: RestoredOperatorState['inputChannels'];
  /** A rescaled restore: the in-flight records of several old subtasks, of which this one replays its key groups'. */
  private restoredInputByKeyGroup = false;
  private pendingBarrier: { checkpointId: number; timestamp: number; type: SnapshotType; m: BarrierMetrics; location: string | undefined } | null = null;
  private operatorsFinished = false;
  /** Stop-with-savepoint reached this source task: its loop ends, then the savepoint follows EndOfData. */
  private stopRequest: { checkpointId: number; timestamp: number; drain: boolean; location: string | undefined } | null = null;
  /** BATCH keyed input (may have spilled to io.tmp.dirs): its files go when the task fails or is cancelled. */
  private sortedInput: KeyGroupedInputBuffer | null = null;
  private inSourceLoop = false;
  /** EndOfData reached this task (or it stops for a savepoint): it waits for the checkpoint after it before finishing. */
  private endOfDataSeen = false;
  private finalCheckpointId = -1;
  private finalCheckpointCompleted = false;

  constructor(readonly tdd: TaskDeploymentDescriptor, private readonly services: TaskServices) {
    this.vertex = vertexOf(services.jobGraph, tdd.vertexId);
    this.metrics = (services.metricGroup ?? unregisteredTaskManagerMetricGroup()).addJob(tdd.jobId, services.jobGraph.jobName).addTask(tdd);
  }

  get executionAttemptId(): string { return this.tdd.executionAttemptId; }

  /**
   * The IO counters so far. The input gate and the result partitions count as they go (records and
   * serialized buffer bytes), so this only reads and sums them: cheap enough for every heartbeat.
   * Times: a wait still in progress counts up to now, so a task idle for a minute is not reported busy.
   */
  ioMetrics(): TaskIOMetrics {
    let numRecordsOut = 0;
    let numBytesOut = 0;
    for (const p of this.partitions) { numRecordsOut += p.numRecordsOut; numBytesOut += p.numBytesOut; }
    const g = this.gate;
    const now = performance.now();
    let idle = this.idleMs;
    let bp = this.backPressuredMs;
    if (this.waitKind === IDLE) idle += now - this.waitStart;
    else if (this.waitKind === BACK_PRESSURED) bp += now - this.waitStart;
    const running = this.runningSince === 0 ? 0 : Math.round((this.endedAt !== 0 ? this.endedAt : now) - this.runningSince);
    const accumulatedIdleTime = Math.min(Math.round(idle), running);
    const accumulatedBackPressuredTime = Math.min(Math.round(bp), running - accumulatedIdleTime);
    return {
      numRecordsIn: g ? g.numRecordsIn : 0, numRecordsOut, numBytesIn: g ? g.numBytesIn : 0, numBytesOut,
      accumulatedIdleTime, accumulatedBackPressuredTime, accumulatedBusyTime: running - accumulatedIdleTime - accumulatedBackPressuredTime,
    };
  }
  get taskNameWithSubtask(): string { return `${this.tdd.taskName} (${this.tdd.subtaskIndex + 1}/${this.tdd.numberOfSubtasks})`; }

  start(): Promise<void> {
    this.done = this.run();
    return this.done;
  }

  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
    this.cancelWake();
  }

  /** An event from this task's operator coordinator (runs in the mailbox). */
  deliverOperatorEvent(nodeId: number, event: unknown): void {
    this.mailbox.put(() => {
      const op = this.chain?.operatorsByNode.get(nodeId);
      if (!op?.handleOperatorEvent) throw new Error(`internal: operator ${nodeId} of ${this.taskNameWithSubtask} cannot receive operator events`);
      op.handleOperatorEvent(event);
    });
  }

  /** A command from the CheckpointCoordinator (runs in the mailbox, between batches). */
  handleCheckpointCommand(cmd: CheckpointCommand): void {
    this.mailbox.put(async () => {
      const cp = this.checkpoints;
      if (!cp || this.state !== 'RUNNING') return;
      switch (cmd.kind) {
        case 'trigger':
          // A checkpoint this task already took part in (through its inputs) is not taken twice.
          if (cmd.checkpointId <= cp.lastCheckpointId) return;
          // Stop-with-savepoint at a running source: the source loop ends first (stopForSavepoint).
          if (cmd.completed !== undefined) this.knownCompleted = Math.max(this.knownCompleted, cmd.completed);
          traceCheckpoint('mail-runs', cmd.checkpointId, this.taskNameWithSubtask);
          if (cmd.stop && this.inSourceLoop) { this.stopRequest = { checkpointId: cmd.checkpointId, timestamp: cmd.timestamp, drain: cmd.stop.drain, location: cmd.location }; return; }
          await this.performCheckpoint(cmd.checkpointId, cmd.timestamp, cmd.type, { alignmentDurationMs: 0, bytesProcessedDuringAlignment: 0 }, cmd.unaligned, cmd.location);
          break;
        case 'complete':
          // Incremental state backends: the confirmed chain is what the next checkpoint extends.
          for (const s of this.chain!.stateStores.values()) s.keyed?.notifyCheckpointComplete?.(cmd.checkpointId);
          for (const op of this.chain!.operators) if (op.notifyCheckpointComplete) await op.notifyCheckpointComplete(cmd.checkpointId);
          if (this.finalCheckpointId >= 0 && cmd.checkpointId >= this.finalCheckpointId) this.finalCheckpointCompleted = true;
          break;
        case 'abort':
          this.barrierHandler?.abortPendingCheckpoint(cmd.checkpointId);
          for (const op of this.chain!.operators) if (op.notifyCheckpointAborted) await op.notifyCheckpointAborted(cmd.checkpointId);
          break;
      }
    });
  }

  private async performCheckpoint(checkpointId: number, timestamp: number, type: SnapshotType, m: BarrierMetrics, unaligned = false, location?: string): Promise<void> {
    this.lastCheckpointMetrics = { alignmentNanos: Math.round(m.alignmentDurationMs * 1e6), startDelayNanos: Math.max(0, Date.now() - timestamp) * 1e6 };
    if (this.operatorsFinished && this.finalCheckpointId < 0) this.finalCheckpointId = checkpointId;
    const h = this.barrierHandler;
    // Savepoints are always aligned; an unaligned barrier handler hands over the in-flight input it records.
    const uch = h instanceof UnalignedCheckpointBarrierHandler ? h : undefined;
    const uc = type !== 'SAVEPOINT' && (uch ? uch.isUnaligned(checkpointId) : unaligned);
    const channelState = uc && uch ? uch.channelState(checkpointId) : undefined;
    await this.checkpoints!.checkpointState(checkpointId, timestamp, type, m, uc,
      channelState ? { headNodeId: this.vertex.headNodeId, state: channelState } : undefined, location, this.knownCompleted);
  }

  /** Operators are done: with checkpoints, tell downstream (EndOfData) so it finishes too before the final checkpoint. */
  private async finishOperators(): Promise<void> {
    if (this.operatorsFinished) return;
    for (const op of this.chain!.operators) await op.finish();
    this.operatorsFinished = true;
    if (this.checkpoints && this.finalCheckpointFollows) {
      for (const p of this.partitions) { p.broadcastEvent({ type: 'EndOfData', drain: true }); p.flushAll(); }
      this.services.actions.reportCheckpoint(this.tdd.jobId, { kind: 'endOfInput', executionAttemptId: this.tdd.executionAttemptId });
    }
  }

  /**
   * Stop-with-savepoint without drain (Flink's StopMode.NO_DRAIN): the operators are not finished
   * (no +∞ watermark, windows and timers stay in the savepoint); downstream learns it by EndOfData.
   */
  private stopOperators(): void {
    if (this.operatorsFinished) return;
    this.operatorsFinished = true;
    for (const p of this.partitions) { p.broadcastEvent({ type: 'EndOfData', drain: false }); p.flushAll(); }
  }

  /** The source loop ended for stop-with-savepoint: EndOfData downstream, then the savepoint's barrier, then wait for it. */
  private async stopForSavepoint(stop: NonNullable<Task['stopRequest']>): Promise<void> {
    this.endOfDataSeen = true;
    if (stop.drain) await this.finishOperators(); else this.stopOperators();
    await this.performCheckpoint(stop.checkpointId, stop.timestamp, 'SAVEPOINT', { alignmentDurationMs: 0, bytesProcessedDuringAlignment: 0 }, false, stop.location);
  }

  /** execution.checkpointing.checkpoints-after-tasks-finish: finished tasks take part in checkpoints, and a final one ends the job. */
  private get finalCheckpointFollows(): boolean { return (this.tdd.checkpointing?.checkpointsAfterTasksFinish ?? true) || this.endOfDataSeen; }

  /** Keeps running mails (checkpoint triggers, notifications) until a checkpoint taken after finish() completed. */
  private async awaitFinalCheckpoint(): Promise<void> {
    while (!this.finalCheckpointCompleted) {
      this.checkCanceled();
      if (this.mailbox.hasMail) { await this.mailbox.drain(); continue; }
      await Promise.race([this.mailbox.whenMail(), this.cancelPromise]);
    }
  }

  private report(state: ExecutionState, extra: Partial<Parameters<TaskManagerActions['updateTaskExecutionState']>[0]> = {}): void {
    this.state = state;
    const terminal = isTerminal(state);
    if (state === 'RUNNING') this.runningSince = performance.now();
    else if (terminal && this.runningSince !== 0 && this.endedAt === 0) this.endedAt = performance.now();
    // Terminal states carry the final counters, so finished jobs show exact totals.
    const io = terminal ? { io: this.ioMetrics() } : {};
    if (terminal) this.metrics.close();
    this.services.actions.updateTaskExecutionState({ jobId: this.tdd.jobId, executionAttemptId: this.tdd.executionAttemptId, state, ...io, ...extra });
  }

  private async run(): Promise<void> {
    const { shuffle, jobGraph, streamGraph } = this.services;
    const tdd = this.tdd;
    try {
      const bufferTimeout = this.vertex.bufferTimeout >= Number.MAX_SAFE_INTEGER ? -1 : this.vertex.bufferTimeout;
      const partitionsByEdge = new Map<string, ResultPartition>();
      // pipeline.object-reuse (default true): consumers in this thread get references, else copies.
      const inThreadHandover = jobGraph.configuration['pipeline.object-reuse']?.toLowerCase() !== 'false';
      for (const p of tdd.producedPartitions) {
        const rp = shuffle.createResultPartition({ partitionId: p.partitionId, numSubpartitions: p.numSubpartitions, bufferTimeout, owner: this.taskNameWithSubtask, inThreadHandover, type: p.resultPartitionType ?? 'PIPELINED' });
        partitionsByEdge.set(p.edgeId, rp);
        this.partitions.push(rp);
      }
      const channels = tdd.inputs.flatMap((i) => i.channels);
      if (channels.length > 0) this.gate = shuffle.createInputGate({ channels, owner: this.taskNameWithSubtask });

      const taskInfo: TaskInfo = {
        indexOfThisSubtask: tdd.subtaskIndex,
        numberOfParallelSubtasks: tdd.numberOfSubtasks,
        maxNumberOfParallelSubtasks: this.vertex.maxParallelism,
        attemptNumber: tdd.attemptNumber,
        taskName: tdd.taskName,
        taskNameWithSubtasks: this.taskNameWithSubtask,
      };
      const actions = this.services.actions;
      // Barriers (savepoints) are handled whenever the TDD carries a config; operators see checkpointing only when it is periodic.
      const takesSnapshots = tdd.checkpointing !== undefined && jobGraph.runtimeMode === 'STREAMING';
      const checkpointing = takesSnapshots && tdd.checkpointing!.periodic !== false;
      const restoredState = tdd.taskRestore ? await loadTaskRestore(tdd.taskRestore) : undefined;
      this.restoredInput = restoredState?.get(this.vertex.headNodeId)?.inputChannels;
      this.restoredInputByKeyGroup = restoredState?.get(this.vertex.headNodeId)?.inputChannelsByKeyGroup === true;
      try {
        this.chain = new OperatorChain(this.vertex, jobGraph, streamGraph, partitionsByEdge, {
          taskInfo,
          runtimeMode: jobGraph.runtimeMode,
          processingTimeService: this.pts,
          mailbox: this.mailbox.put,
          yieldToMailbox: () => this.yieldToMailbox(),
          accumulators: this.accumulators,
          metricGroup: this.metrics,
          autoWatermarkInterval: this.services.autoWatermarkInterval,
          checkpointingEnabled: checkpointing,
          finalCheckpoint: checkpointing && tdd.checkpointing!.checkpointsAfterTasksFinish,
          restoredState,
          localStateDirs: shuffle.config.blockingShuffle.tmpDirs,
          operatorEventGateway: (nodeId) => ({
            sendEventToCoordinator: (event) => actions.sendOperatorEventToCoordinator(tdd.jobId, tdd.executionAttemptId, nodeId, event),
          }),
        });
        await this.chain.openStateBackends();
      } catch (e) {
        throw tdd.taskRestore ? asRestoreError(tdd.taskRestore.checkpointId, e) : e;
      }
      if (takesSnapshots) {
        this.checkpoints = new SubtaskCheckpointCoordinator(tdd.checkpointing!, tdd.executionAttemptId, this.chain, this.partitions,
          (r) => actions.reportCheckpoint(tdd.jobId, r));
      }
      registerTaskIOMetrics(this.metrics, this.metricsSource(), this.chain);
      this.inputGatingOperators = this.chain.operators.filter((o) => typeof o.isInputAvailable === 'function');
      this.report('INITIALIZING');
      const ops = this.chain.operators;
      // Downstream first, so every operator is ready before its input emits.
      for (let i = ops.length - 1; i >= 0; i--) { await ops[i].initializeState(); await ops[i].open(); }
      this.checkCanceled();
      this.report('RUNNING');

      if (this.chain.head instanceof SourceOperator) await this.runSource(this.chain.head);
      else await this.runInput();

      // End of input: operators emit what they buffered, head first, so downstream sees it.
      const stop = this.stopRequest;
      if (stop) await this.stopForSavepoint(stop);
      else await this.finishOperators();
      if (this.checkpoints && this.finalCheckpointFollows) await this.awaitFinalCheckpoint();
      this.pts.quiesce();
      await this.mailbox.drain();
      this.checkpoints?.close();
      for (const p of this.partitions) p.finish();
      for (const op of ops) await op.close();
      this.chain.disposeStateBackends();
      this.report('FINISHED', { accumulators: this.accumulators.snapshot() });
    } catch (e) {
      this.checkpoints?.close();
      this.barrierHandler?.close();
      this.pts.quiesce();
      const canceled = this.canceled || e instanceof CancelTaskException;
      const err = e instanceof Error ? e : new Error(String(e));
      this.sortedInput?.dispose();
      for (const p of this.partitions) { try { p.release(canceled ? new Error(`${this.taskNameWithSubtask} was canceled`) : err); } catch { /* already released */ } }
      try { this.gate?.close(); } catch { /* closed */ }
      if (this.chain) for (const op of this.chain.operators) { try { await op.close(); } catch { /* cleanup after failure */ } }
      this.chain?.disposeStateBackends();
      if (canceled) this.report('CANCELED');
      else {
        const opName = this.chain?.locateOperator(err.stack);
        const location = `${opName ?? this.tdd.taskName} (${tdd.subtaskIndex + 1}/${tdd.numberOfSubtasks})`;
        this.report('FAILED', { error: serializeThrowable(err, location) });
      }
    }
  }

  private checkCanceled(): void { if (this.canceled) throw new CancelTaskException('canceled'); }

  private lastCheckpointMetrics = { alignmentNanos: 0, startDelayNanos: 0 };

  /** What the task metrics read (TaskIOMetricGroup): closures over counters kept anyway. */
  private metricsSource(): TaskMetricsSource {
    return {
      io: () => this.ioMetrics(),
      isBackPressured: () => this.waitKind === BACK_PRESSURED || !this.outputsAvailable(),
      outPoolUsage: () => {
        let u = 0;
        for (const p of this.partitions) u = Math.max(u, ((p as { congested?: number }).congested ?? 0) / p.numSubpartitions);
        return u;
      },
      lastCheckpoint: () => this.lastCheckpointMetrics,
      inputBuffers: () => {
        const channels = (this.gate as { channels?: ReadonlyArray<{ numQueued: number; floatingHeld: number }> } | undefined)?.channels;
        const c = this.services.shuffle.config;
        return channels ? { channels, buffersPerChannel: c.buffersPerChannel, floatingBuffersPerGate: c.floatingBuffersPerGate } : undefined;
      },
      isSource: this.chain!.head instanceof SourceOperator,
    };
  }

  /** Operators that can refuse input (async I/O at capacity); usually none. */
  private inputGatingOperators: StreamOperator[] = [];

  private outputsAvailable(): boolean {
    const ps = this.partitions;
    for (let i = 0; i < ps.length; i++) if (!ps[i].isAvailable()) return false;
    const g = this.inputGatingOperators;
    for (let i = 0; i < g.length; i++) if (!g[i].isInputAvailable!()) return false;
    return true;
  }

  private async waitForOutputs(): Promise<void> {
    for (const p of this.partitions) if (!p.isAvailable()) await this.waitFor(p.getAvailableFuture(), BACK_PRESSURED);
    // A full operator frees capacity only in a mail (its async results): wait for one.
    for (const o of this.inputGatingOperators) if (!o.isInputAvailable!()) await this.waitFor(this.mailbox.whenMail(), BACK_PRESSURED);
  }

  /** Flink's MailboxExecutor#yield, for an operator waiting in finish() for its own mails: runs mails, waiting for one if there is none. */
  private async yieldToMailbox(): Promise<void> {
    this.checkCanceled();
    if (!this.mailbox.hasMail) await Promise.race([this.mailbox.whenMail(), this.cancelPromise]);
    this.checkCanceled();
    await this.mailbox.drain();
  }

  /**
   * Waits for `p`, a mail, or cancellation — whichever comes first, and books the time waited as
   * idle (`p` = input) or back-pressured (`p` = output). Mails then run as busy time.
   */
  private async waitFor(p: Promise<void>, kind: WaitKind): Promise<void> {
    const t0 = performance.now();
    this.waitStart = t0;
    this.waitKind = kind;
    try {
      await Promise.race([p, this.mailbox.whenMail(), this.cancelPromise]);
    } finally {
      const t1 = performance.now();
      this.waitKind = NOT_WAITING;
      if (kind === IDLE) this.idleMs += t1 - t0;
      else this.backPressuredMs += t1 - t0;
      this.lastYield = t1;
    }
  }

  private async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < SLICE_MS) return;
    await new Promise<void>((r) => setImmediate(r));
    this.lastYield = performance.now();
  }

  private async runSource(src: SourceOperator<unknown>): Promise<void> {
    this.lastYield = performance.now();
    this.inSourceLoop = true;
    try {
      await this.sourceLoop(src);
    } finally {
      this.inSourceLoop = false;
    }
  }

  private async sourceLoop(src: SourceOperator<unknown>): Promise<void> {
    for (;;) {
      this.checkCanceled();
      if (this.mailbox.hasMail) await this.mailbox.drain();
      if (this.stopRequest) return;
      if (!this.outputsAvailable()) { await this.waitForOutputs(); continue; }
      const status = src.emitNext();
      if (status === 'END_OF_INPUT') return;
      if (status === 'NOTHING_AVAILABLE') { await this.waitFor(src.isAvailable(), IDLE); continue; }
      await this.maybeYield();
    }
  }

  private async runInput(): Promise<void> {
    const gate = this.gate!;
    const chain = this.chain!;
    const head = chain.head;
    const headNode = this.services.streamGraph.getNode(this.vertex.headNodeId);
    const twoInput = headNode.isTwoInput;
    const nCh = gate.numberOfChannels;
    // Channel index → input number (1 or 2), in the order the gate was built.
    const inputOf = new Uint8Array(nCh);
    let idx = 0;
    for (const i of this.tdd.inputs) for (let k = 0; k < i.channels.length; k++) inputOf[idx++] = i.typeNumber === 2 ? 2 : 1;
    const valves = [
      new StatusWatermarkValve(inputOf, 1),
      new StatusWatermarkValve(inputOf, 2),
    ];
    const batchKeyed = this.services.jobGraph.runtimeMode === 'BATCH' && headNode.isKeyed;
    const grouped = batchKeyed ? new KeyGroupedInputBuffer(headNode.keySelectors, {
      tmpDirs: this.services.shuffle.config.blockingShuffle.tmpDirs,
      memoryBytes: sortedInputBudget(Configuration.fromMap(this.services.jobGraph.configuration).get(ExecutionOptions.SORTED_INPUTS_MEMORY)),
      bytesRead: () => gate.numBytesIn,
      owner: this.taskNameWithSubtask,
    }) : null;
    this.sortedInput = grouped;
    const one = head as OneInputStreamOperator<unknown>;
    // Keys computed by the producer (in-thread keyBy) go straight to a head that takes them.
    const keyedOne = !twoInput && typeof one.processKeyedElement === 'function' ? one as Required<Pick<OneInputStreamOperator<unknown>, 'processKeyedElement'>> : null;
    const two = head as TwoInputStreamOperator<unknown, unknown>;
    const valveOutputs = [1, 2].map((input): ValveOutput => ({
      // BATCH: time jumps to +∞ per key instead. After EndOfData the operators are finished (drain: +∞ came
      // before) or stopped for a savepoint: no watermark fires their timers now.
      emitWatermark: (wm) => { if (!grouped && !this.operatorsFinished) this.emitWatermark(twoInput, input, wm); },
      emitWatermarkStatus: (idle) => {
        if (grouped) return;
        if (!twoInput) one.processWatermarkStatus?.(idle);
        else if (input === 1) two.processWatermarkStatus1?.(idle); else two.processWatermarkStatus2?.(idle);
      },
    }));
    let ended = 0;
    let endOfData = 0;
    let noDrain = false;
    const cp = this.checkpoints;
    const cpTask = {
      triggerCheckpointOnBarrier: (b: { checkpointId: number; timestamp: number }, m: BarrierMetrics): void => {
        this.pendingBarrier = { checkpointId: b.checkpointId, timestamp: b.timestamp, type: this.barrierType, m, location: this.barrierLocation };
      },
      abortCheckpointOnBarrier: (id: number, reason: Parameters<SubtaskCheckpointCoordinator['abortCheckpointOnBarrier']>[1]): void => cp!.abortCheckpointOnBarrier(id, reason),
    };
    const cfg = this.tdd.checkpointing;
    const handler = !cp || !cfg ? undefined
      : cfg.unaligned ? new UnalignedCheckpointBarrierHandler(nCh, gate, cpTask, cfg.alignedCheckpointTimeout > 0 ? {
        timeoutMs: cfg.alignedCheckpointTimeout,
        now: Date.now,
        // The switch to unaligned runs in the mailbox, between batches, like a barrier would.
        schedule: (delayMs, fn) => {
          const t = setTimeout(() => this.mailbox.put(async () => {
            fn();
            const pb = this.pendingBarrier;
            if (pb) { this.pendingBarrier = null; await this.performCheckpoint(pb.checkpointId, pb.timestamp, pb.type, pb.m, false, pb.location); }
          }), delayMs);
          return { cancel: () => clearTimeout(t) };
        },
      } : undefined)
      : createBarrierHandler(cfg.mode, nCh, gate, cpTask, { checkpointsAfterTasksFinish: cfg.checkpointsAfterTasksFinish });
    this.barrierHandler = handler;
    let bytesSeen = 0;
    if (this.restoredInput) { this.replayRestoredInput(inputOf, twoInput); this.restoredInput = undefined; }
    this.lastYield = performance.now();

    // Records of [from, to) of one batch into the head operator.
    const processSlice = (b: RecordBatch, from: number, to: number): void => {
      const vals = b.values;
      const tss = b.timestamps;
      const input = inputOf[b.channel];
      if (!twoInput) {
        const keys = b.keys;
        if (keys !== null && keyedOne !== null) {
          if (tss === null) for (let i = from; i < to; i++) keyedOne.processKeyedElement(vals[i], keys[i], undefined);
          else for (let i = from; i < to; i++) keyedOne.processKeyedElement(vals[i], keys[i], tss[i]);
        } else if (tss === null) for (let i = from; i < to; i++) one.processElement(vals[i], undefined);
        else for (let i = from; i < to; i++) one.processElement(vals[i], tss[i]);
      } else if (input === 1) {
        for (let i = from; i < to; i++) two.processElement1(vals[i], tss === null ? undefined : tss[i]);
      } else {
        for (let i = from; i < to; i++) two.processElement2(vals[i], tss === null ? undefined : tss[i]);
      }
    };
    // A batch is processed in slices of SLICE_RECORDS with a time check between them: with slow user
    // functions the task still yields every SLICE_MS (cancel, mails, checkpoints), keeping the rest for later.
    let rest: RecordBatch | null = null;
    let restFrom = 0;

    for (;;) {
      this.checkCanceled();
      if (this.mailbox.hasMail) await this.mailbox.drain();
      if (!this.outputsAvailable()) { await this.waitForOutputs(); continue; }
      const b: InputBatch | null = rest ?? gate.pollNext();
      if (b === null) { await this.waitFor(gate.getAvailableFuture(), IDLE); continue; }
      if (b.kind === 'records') {
        const n = b.values.length;
        if (grouped) grouped.add(inputOf[b.channel], b.values, b.timestamps);
        else {
          let i = rest !== null ? restFrom : 0;
          rest = null;
          for (;;) {
            const end = n - i > SLICE_RECORDS ? i + SLICE_RECORDS : n;
            processSlice(b, i, end);
            i = end;
            if (i >= n) break;
            if (performance.now() - this.lastYield >= SLICE_MS) { rest = b; restFrom = i; break; }
          }
        }
      } else {
        const ev = b.event;
        const input = inputOf[b.channel];
        const valve = valves[input - 1];
        switch (ev.type) {
          case 'CheckpointBarrier': {
            if (!handler) break;
            handler.addProcessedBytes(gate.numBytesIn - bytesSeen);
            bytesSeen = gate.numBytesIn;
            this.barrierType = ev.savepoint ? 'SAVEPOINT' : 'CHECKPOINT';
            this.barrierUnaligned = ev.unaligned;
            this.barrierLocation = ev.location;
            if (ev.completed !== undefined) this.knownCompleted = Math.max(this.knownCompleted, ev.completed);
            handler.processBarrier(b.channel, ev);
            const pb = this.pendingBarrier;
            if (pb) { this.pendingBarrier = null; await this.performCheckpoint(pb.checkpointId, pb.timestamp, pb.type, pb.m, this.barrierUnaligned, pb.location); }
            break;
          }
          case 'CancelCheckpointMarker':
            handler?.processCancellationBarrier(b.channel, ev.checkpointId);
            break;
          case 'EndOfData':
            // Every input finished its records: finish the operators now (or, stopping with a savepoint
            // without drain, just stop them); the final checkpoint's or the savepoint's barrier comes next.
            if (!ev.drain) noDrain = true;
            if (++endOfData === nCh && cp && !grouped) {
              this.endOfDataSeen = true;
              if (noDrain) this.stopOperators(); else await this.finishOperators();
            }
            break;
          case 'EndOfPartition': {
            ended++;
            if (handler) {
              handler.processEndOfPartition(b.channel);
              const pb = this.pendingBarrier;
              if (pb) { this.pendingBarrier = null; await this.performCheckpoint(pb.checkpointId, pb.timestamp, pb.type, pb.m, this.barrierUnaligned, pb.location); }
            }
            valve.channelFinished(b.channel, valveOutputs[input - 1]!);
            break;
          }
          case 'Watermark': {
            valve.inputWatermark(b.channel, ev.timestamp, valveOutputs[input - 1]!);
            break;
          }
          case 'WatermarkStatus': {
            // Going idle may advance the watermark (the channel held the minimum back).
            valve.inputWatermarkStatus(b.channel, ev.idle, valveOutputs[input - 1]!);
            break;
          }
        }
        if (ended === nCh) break;
      }
      await this.maybeYield();
    }

    if (grouped) {
      const aware = head as unknown as KeyGroupedInputAware;
      await grouped.replay(one, two, twoInput, () => aware.endKey(), () => this.maybeYield(), () => this.checkCanceled());
      if (twoInput) { two.processWatermark1(MAX_WATERMARK); two.processWatermark2(MAX_WATERMARK); } else one.processWatermark(MAX_WATERMARK);
    }
  }

  /** Unaligned restore: the in-flight records of the checkpoint go to the operators before any new input (Flink's channel state recovery). */
  private replayRestoredInput(inputOf: Uint8Array, twoInput: boolean): void {
    const head = this.chain!.head;
    const mine = this.restoredInputByKeyGroup ? this.ownsKeyGroupOf() : undefined;
    for (const { channel, batches } of this.restoredInput ?? []) {
      const input = inputOf[channel];
      for (const [vals, tss] of batches) {
        for (let i = 0; i < vals.length; i++) {
          if (mine && !mine(vals[i])) continue;
          const ts = tss === null ? undefined : tss[i];
          if (!twoInput) (head as OneInputStreamOperator<unknown>).processElement(vals[i], ts);
          else if (input === 1) (head as TwoInputStreamOperator<unknown, unknown>).processElement1(vals[i], ts);
          else (head as TwoInputStreamOperator<unknown, unknown>).processElement2(vals[i], ts);
        }
      }
    }
  }

  /** Whether a record of the keyed input belongs to this subtask's key groups (the head's key selector). */
  private ownsKeyGroupOf(): (v: unknown) => boolean {
    const select = this.services.streamGraph.getNode(this.vertex.headNodeId).keySelectors[0];
    if (!select) throw new Error(`internal: ${this.taskNameWithSubtask} restores keyed in-flight data but its head operator has no key selector`);
    const maxP = this.vertex.maxParallelism;
    const r = computeKeyGroupRangeForOperatorIndex(maxP, this.tdd.numberOfSubtasks, this.tdd.subtaskIndex);
    return (v) => { const kg = assignToKeyGroup(select(v), maxP); return kg >= r.startKeyGroup && kg <= r.endKeyGroup; };
  }

  private emitWatermark(twoInput: boolean, input: number, wm: number): void {
    const head = this.chain!.head;
    if (!twoInput) (head as OneInputStreamOperator<unknown>).processWatermark(wm);
    else if (input === 1) (head as TwoInputStreamOperator<unknown, unknown>).processWatermark1(wm);
    else (head as TwoInputStreamOperator<unknown, unknown>).processWatermark2(wm);
  }
}

/**
 * The sorted input's heap budget: execution.sorted-inputs.memory, but at most SORTED_INPUT_HEAP_FRACTION of this
 * slot's heap. Flink takes it from managed memory beside the heap; here it shares the slot's heap with the
 * merge buffers, the keyed state and the operator's output, so a 128 MB slot cannot give it all 128 MB.
 */
function sortedInputBudget(configured: number): number {
  return Math.max(1024, Math.min(configured, Math.floor(getHeapStatistics().heap_size_limit * SORTED_INPUT_HEAP_FRACTION)));
}
const SORTED_INPUT_HEAP_FRACTION = 0.3;
