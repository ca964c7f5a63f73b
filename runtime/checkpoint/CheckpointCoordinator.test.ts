// The JobManager side of checkpointing, modelled on Flink's CheckpointCoordinatorTest,
// CheckpointCoordinatorTriggeringTest, CheckpointCoordinatorRestoringTest, PendingCheckpointTest and
// CheckpointRequestDeciderTest: a CheckpointCoordinator over a fake context (tasks, commands,
// operator coordinators, event valves), fake timers for timeouts / min-pause / the periodic
// scheduler, and real temp directories on file:// for what ends up in checkpoint storage.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Configuration } from '../configuration/index.js';
import type { JobVertexSpec } from '../graph/jobgraph/JobGraph.js';
import type { ExecutionState } from '../graph/executiongraph/ExecutionState.js';
import { CheckpointCoordinator, type CheckpointCoordinatorContext, type CheckpointPlanTask, type CheckpointedOperatorCoordinator } from './CheckpointCoordinator.js';
import { type CheckpointCommand, type CheckpointFailureReason, type TaskCheckpointMetrics, CheckpointException } from './CheckpointMessages.js';
import type { CompletedCheckpoint } from './CompletedCheckpointStore.js';
import { CheckpointStatsTracker } from './CheckpointStatsTracker.js';
import { deserializeCheckpointMetadata } from './CheckpointMetadata.js';
import type { OperatorSubtaskState, StreamStateHandle, TaskStateSnapshot } from './StateHandles.js';
import { LocalFileSystem } from '../../hdfs/LocalFileSystem.js';

const JOB = 'job-1';
const VA = 'a'.repeat(32);
const VB = 'b'.repeat(32);
const T0 = 1_700_000_000_000;
const EXCEEDED = /^Exceeded checkpoint tolerable failure threshold\./;

function vertex(id: string, name: string, parallelism: number, nodeIds: number[], isSource: boolean): JobVertexSpec {
  return {
    id, name, parallelism, maxParallelism: 128, slotSharingGroup: 'default', headNodeId: nodeIds[0]!, isSource, bufferTimeout: 100,
    operators: nodeIds.map((nodeId) => ({ nodeId, name: `op-${nodeId}`, operatorKind: 'map', isKeyed: !isSource, chainedOutputs: [], networkOutputs: [] })),
  };
}

/** Source vertex A (operator 1) → vertex B (operators 2 and 3 chained), both parallelism 2. */
const VERTICES = [vertex(VA, 'Source: gen', 2, [1], true), vertex(VB, 'Map -> Sink', 2, [2, 3], false)];

interface Task { attemptId: string; vertexId: string; subtaskIndex: number; state: ExecutionState; allProducersFinished: boolean }

/** a0, a1: source subtasks (barriers injected there); b0, b1: downstream. */
function defaultTasks(): Task[] {
  return [
    { attemptId: 'a0', vertexId: VA, subtaskIndex: 0, state: 'RUNNING', allProducersFinished: true },
    { attemptId: 'a1', vertexId: VA, subtaskIndex: 1, state: 'RUNNING', allProducersFinished: true },
    { attemptId: 'b0', vertexId: VB, subtaskIndex: 0, state: 'RUNNING', allProducersFinished: false },
    { attemptId: 'b1', vertexId: VB, subtaskIndex: 1, state: 'RUNNING', allProducersFinished: false },
  ];
}

class FakeContext implements CheckpointCoordinatorContext {
  readonly jobId = JOB;
  readonly vertices = VERTICES;
  tasks: Task[] = defaultTasks();
  readonly sent: Array<{ attemptId: string; cmd: CheckpointCommand; at: number }> = [];
  /** Commands, valve changes and coordinator snapshots in the order they happened. */
  readonly events: string[] = [];
  readonly failures: Error[] = [];
  readonly logs: Array<{ level: string; msg: string }> = [];
  readonly coordinators = new Map<number, CheckpointedOperatorCoordinator>();
  readonly stats = new CheckpointStatsTracker();

  currentTasks(): CheckpointPlanTask[] { return this.tasks.map((t) => ({ ...t })); }
  sendCommand(attemptId: string, cmd: CheckpointCommand): void {
    this.sent.push({ attemptId, cmd, at: Date.now() });
    this.events.push(`${cmd.kind}:${cmd.checkpointId}:${attemptId}`);
  }
  closeEventValve(nodeId: number): void { this.events.push(`close:${nodeId}`); }
  openEventValves(): void { this.events.push('open'); }
  failJob(error: Error): void { this.failures.push(error); }
  log(level: 'INFO' | 'WARN' | 'ERROR', msg: string): void { this.logs.push({ level, msg }); }

  /** Attempts that got `kind` for checkpoint `id`, in order. */
  got(kind: CheckpointCommand['kind'], id: number): string[] { return this.sent.filter((s) => s.cmd.kind === kind && s.cmd.checkpointId === id).map((s) => s.attemptId); }
  triggered(): number[] { return [...new Set(this.sent.filter((s) => s.cmd.kind === 'trigger').map((s) => s.cmd.checkpointId))]; }
  setState(attemptId: string, state: ExecutionState): void { this.tasks.find((t) => t.attemptId === attemptId)!.state = state; }
  counts(): { total: number; in_progress: number; completed: number; failed: number; restored: number } { return this.stats.checkpointingStatistics().counts; }
}

function make(conf: Record<string, string> = {}, ctx = new FakeContext()): { cc: CheckpointCoordinator; ctx: FakeContext } {
  return { cc: new CheckpointCoordinator(Configuration.fromMap({ 'execution.checkpointing.interval': '1000', ...conf }), ctx), ctx };
}

const METRICS: TaskCheckpointMetrics = { alignmentDurationMs: 1, bytesProcessedDuringAlignment: 0, syncDurationMs: 2, asyncDurationMs: 3, startDelayMs: 4, unaligned: false };

const bytes = (n: number): StreamStateHandle => ({ kind: 'bytes', data: new Uint8Array(n).fill(7) });

/** What each attempt reports by default: source operator state (10 bytes), keyed state of operator 2 (5 bytes); operator 3 is stateless. */
function defaultState(attemptId: string): TaskStateSnapshot {
  const i = Number(attemptId.slice(1));
  if (attemptId.startsWith('a')) return { operators: { 1: { keyed: [], operator: [{ states: { splits: { mode: 'SPLIT', offsets: [0] } }, handle: bytes(10) }] } } };
  return { operators: { 2: { keyed: [{ startKeyGroup: i * 64, endKeyGroup: i * 64 + 63, offsets: [0], handle: bytes(5) }], operator: [] } } };
}

function ack(cc: CheckpointCoordinator, checkpointId: number, attemptId: string, state: TaskStateSnapshot = defaultState(attemptId)): void {
  cc.receiveCheckpointResponse({ kind: 'ack', executionAttemptId: attemptId, checkpointId, state, metrics: METRICS });
}
function ackAll(cc: CheckpointCoordinator, checkpointId: number, attempts = ['a0', 'a1', 'b0', 'b1']): void {
  for (const a of attempts) ack(cc, checkpointId, a);
}
function decline(cc: CheckpointCoordinator, checkpointId: number, attemptId: string, reason: CheckpointFailureReason = 'CHECKPOINT_DECLINED', message = 'task said no'): void {
  cc.receiveCheckpointResponse({ kind: 'decline', executionAttemptId: attemptId, checkpointId, reason, message });
}

interface Tracked { status: 'pending' | 'resolved' | 'rejected'; value?: CompletedCheckpoint; error?: Error }
/** Observes a trigger's promise (so a rejection is never unhandled). */
function track(p: Promise<CompletedCheckpoint>): Tracked {
  const t: Tracked = { status: 'pending' };
  p.then((v) => { t.status = 'resolved'; t.value = v; }, (e: Error) => { t.status = 'rejected'; t.error = e; });
  return t;
}
async function flush(): Promise<void> { for (let i = 0; i < 20; i++) await Promise.resolve(); }
function reasonOf(t: Tracked): CheckpointFailureReason | undefined {
  expect(t.status).toBe('rejected');
  expect(t.error).toBeInstanceOf(CheckpointException);
  return (t.error as CheckpointException).reason;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void; let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

// ==== in memory (jobmanager storage), fake timers =============================================

describe('CheckpointCoordinator', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('configuration', () => {
    it("storage 'filesystem' without a directory is a clear error", () => {
      expect(() => make({ 'execution.checkpointing.storage': 'filesystem' })).toThrow(
        "execution.checkpointing.storage is 'filesystem' but execution.checkpointing.dir is not set; set it to a file:// or hdfs:// directory.");
    });

    it('a directory alone means filesystem storage; jobmanager storage ignores the directory; Flink defaults otherwise', () => {
      expect(make({ 'execution.checkpointing.dir': 'file:///tmp/cp-never-written' }).cc.checkpointDir).toBe('file:///tmp/cp-never-written');
      expect(make({ 'execution.checkpointing.dir': 'file:///tmp/cp-never-written', 'execution.checkpointing.storage': 'jobmanager' }).cc.checkpointDir).toBeUndefined();
      const { cc } = make();
      expect(cc.checkpointDir).toBeUndefined();
      expect([cc.interval, cc.timeout, cc.minPause, cc.maxConcurrent, cc.mode, cc.unaligned]).toEqual([1000, 600_000, 0, 1, 'EXACTLY_ONCE', false]);
      expect(cc.isPeriodicCheckpointingConfigured).toBe(true);
      expect(new CheckpointCoordinator(Configuration.fromMap({}), new FakeContext()).isPeriodicCheckpointingConfigured).toBe(false);
    });
  });

  describe('triggering', () => {
    it("sends 'trigger' only to RUNNING tasks whose producers all finished; every RUNNING task must acknowledge, FINISHED ones neither", async () => {
      const { cc, ctx } = make();
      // a1 finished (so b1, whose only producer it is, gets the barrier injected); b0 still reads from a0.
      ctx.tasks = [
        { attemptId: 'a0', vertexId: VA, subtaskIndex: 0, state: 'RUNNING', allProducersFinished: true },
        { attemptId: 'a1', vertexId: VA, subtaskIndex: 1, state: 'FINISHED', allProducersFinished: true },
        { attemptId: 'b0', vertexId: VB, subtaskIndex: 0, state: 'RUNNING', allProducersFinished: false },
        { attemptId: 'b1', vertexId: VB, subtaskIndex: 1, state: 'RUNNING', allProducersFinished: true },
      ];
      const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
      expect(ctx.got('trigger', 1)).toEqual(['a0', 'b1']);
      expect(ctx.sent[0]!.cmd).toEqual({ kind: 'trigger', checkpointId: 1, timestamp: T0, type: 'CHECKPOINT', unaligned: false });
      expect(ctx.logs).toContainEqual({ level: 'INFO', msg: `Triggering checkpoint 1 (type=CHECKPOINT) @ ${T0} for job ${JOB}.` });
      expect(cc.numberOfPendingCheckpoints).toBe(1);
      ack(cc, 1, 'a0');
      ack(cc, 1, 'b1');
      // The finished task is not part of the checkpoint: its ack is unknown and changes nothing.
      ack(cc, 1, 'a1');
      await flush();
      expect(t.status).toBe('pending');
      ack(cc, 1, 'b0');
      await flush();
      expect(t.status).toBe('resolved');
      expect(Object.keys(t.value!.metadata.operators[1]!.subtasks)).toEqual(['0']);
    });

    it.each<ExecutionState>(['DEPLOYING', 'CREATED', 'SCHEDULED', 'INITIALIZING', 'CANCELING'])(
      'NOT_ALL_REQUIRED_TASKS_RUNNING when a task is %s: pre-flight, nothing sent, no id used, not counted', async (state) => {
        const { cc, ctx } = make({ 'execution.checkpointing.tolerable-failed-checkpoints': '0' });
        ctx.setState('b1', state);
        const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
        await flush();
        expect(reasonOf(t)).toBe('NOT_ALL_REQUIRED_TASKS_RUNNING');
        expect(t.error!.message).toBe('Not all required tasks are currently running.');
        expect(ctx.sent).toEqual([]);
        expect(cc.numberOfPendingCheckpoints).toBe(0);
        expect(ctx.failures).toEqual([]);
        expect(ctx.counts()).toMatchObject({ total: 0, in_progress: 0 });
        ctx.setState('b1', 'RUNNING');
        track(cc.triggerCheckpoint('CHECKPOINT', false));
        expect(ctx.triggered()).toEqual([1]);
      });

    it('checkpoints-after-tasks-finish=false: once a task finished, no checkpoint (NOT_ALL_REQUIRED_TASKS_RUNNING) and no final checkpoint on end of input', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.checkpoints-after-tasks-finish': 'false' });
      ctx.setState('a1', 'FINISHED');
      const t = track(cc.triggerCheckpoint('CHECKPOINT', true));
      await flush();
      expect(reasonOf(t)).toBe('NOT_ALL_REQUIRED_TASKS_RUNNING');
      expect(ctx.sent).toEqual([]);
      for (const task of ctx.tasks) cc.receiveCheckpointResponse({ kind: 'endOfInput', executionAttemptId: task.attemptId });
      await flush();
      expect(ctx.sent).toEqual([]);
      // The default: the same situation checkpoints the running tasks.
      const d = make();
      d.ctx.setState('a1', 'FINISHED');
      track(d.cc.triggerCheckpoint('CHECKPOINT', true));
      expect(d.ctx.triggered()).toEqual([1]);
    });

    it('NOT_ALL_REQUIRED_TASKS_RUNNING when every task already finished', async () => {
      const { cc, ctx } = make();
      for (const t of ctx.tasks) t.state = 'FINISHED';
      const t = track(cc.triggerCheckpoint('CHECKPOINT', true));
      await flush();
      expect(reasonOf(t)).toBe('NOT_ALL_REQUIRED_TASKS_RUNNING');
      expect(ctx.sent).toEqual([]);
    });

    it('checkpoint ids strictly increase, also across abortPendingCheckpoints (not counted) and a restore', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.tolerable-failed-checkpoints': '0' });
      const t1 = track(cc.triggerCheckpoint('CHECKPOINT', false));
      cc.abortPendingCheckpoints();
      await flush();
      expect(reasonOf(t1)).toBe('JOB_FAILOVER_REGION');
      expect(ctx.got('abort', 1)).toEqual(['a0', 'a1', 'b0', 'b1']);
      expect(ctx.failures).toEqual([]);
      const t2 = track(cc.triggerCheckpoint('CHECKPOINT', false));
      ackAll(cc, 2);
      await flush();
      expect(t2.value?.checkpointId).toBe(2);
      expect((await cc.restoreLatestCheckpointedState(async () => {}))?.checkpointId).toBe(2);
      ctx.tasks = defaultTasks().map((t) => ({ ...t, attemptId: `${t.attemptId}-attempt2` }));
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      track(cc.triggerCheckpoint('FULL_CHECKPOINT', false)); // queued behind 3
      cc.abortPendingCheckpoints('JOB_FAILOVER_REGION');
      await flush();
      expect(ctx.triggered()).toEqual([1, 2, 3, 4]);
    });

    it('unaligned checkpoints only in EXACTLY_ONCE mode, and never for savepoints', () => {
      const u = make({ 'execution.checkpointing.unaligned.enabled': 'true', 'execution.checkpointing.max-concurrent-checkpoints': '2' });
      expect(u.cc.unaligned).toBe(true);
      track(u.cc.triggerCheckpoint('CHECKPOINT', false));
      track(u.cc.triggerCheckpoint('SAVEPOINT', false));
      expect(u.ctx.sent.map((s) => [s.cmd.kind === 'trigger' && s.cmd.type, s.cmd.kind === 'trigger' && s.cmd.unaligned])).toEqual([
        ['CHECKPOINT', true], ['CHECKPOINT', true], ['SAVEPOINT', false], ['SAVEPOINT', false]]);
      const alo = make({ 'execution.checkpointing.unaligned.enabled': 'true', 'execution.checkpointing.mode': 'AT_LEAST_ONCE' });
      expect(alo.cc.unaligned).toBe(false);
      track(alo.cc.triggerCheckpoint('CHECKPOINT', false));
      expect(alo.ctx.sent.every((s) => s.cmd.kind === 'trigger' && !s.cmd.unaligned)).toBe(true);
    });
  });

  describe('completion', () => {
    it("after the last ack: completed checkpoint, 'complete' to running tasks, coordinators notified, stats and Flink's log line", async () => {
      const { cc, ctx } = make();
      const notified: Array<[number, number]> = [];
      ctx.coordinators.set(1, { checkpointCoordinator: async (_id, done) => { done(); return { splits: ['s0'] }; }, notifyCheckpointComplete: (id) => notified.push([1, id]) });
      ctx.coordinators.set(3, { notifyCheckpointComplete: (id) => notified.push([3, id]) });
      const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
      await flush();
      vi.advanceTimersByTime(250);
      ackAll(cc, 1, ['a0', 'a1', 'b0']);
      await flush();
      expect(t.status).toBe('pending');
      expect(ctx.got('complete', 1)).toEqual([]);
      expect(notified).toEqual([]);
      // a1 finished meanwhile: it gets no notification.
      ctx.setState('a1', 'FINISHED');
      ack(cc, 1, 'b1');
      await flush();

      expect(t.status).toBe('resolved');
      const c = t.value!;
      expect(c).toMatchObject({ checkpointId: 1, timestamp: T0, completionTimestamp: T0 + 250, externalPath: undefined, stateSize: 30 });
      expect(c.metadata).toEqual({
        checkpointId: 1, timestamp: T0, type: 'CHECKPOINT',
        operators: {
          1: { parallelism: 2, maxParallelism: 128, subtasks: { 0: defaultState('a0').operators[1], 1: defaultState('a1').operators[1] }, coordinatorState: { splits: ['s0'] } },
          2: { parallelism: 2, maxParallelism: 128, subtasks: { 0: defaultState('b0').operators[2], 1: defaultState('b1').operators[2] } },
        },
      });
      expect(cc.getLatestCheckpoint()).toBe(c);
      expect(cc.numberOfPendingCheckpoints).toBe(0);
      expect(cc.numberOfRetainedCheckpoints).toBe(1);
      expect(ctx.got('complete', 1)).toEqual(['a0', 'b0', 'b1']);
      expect(ctx.sent.find((s) => s.cmd.kind === 'complete')!.cmd).toEqual({ kind: 'complete', checkpointId: 1 });
      expect(notified).toEqual([[1, 1], [3, 1]]);
      expect(ctx.logs).toContainEqual({ level: 'INFO', msg: `Completed checkpoint 1 for job ${JOB} (30 bytes, checkpointDuration=250 ms, finalizationTime=0 ms).` });
      const s = ctx.stats.checkpointingStatistics();
      expect(s.counts).toEqual({ restored: 0, total: 1, in_progress: 0, completed: 1, failed: 0 });
      expect(s.latest.completed).toMatchObject({ id: 1, state_size: 30, external_path: null, num_acknowledged_subtasks: 4, num_subtasks: 4 });
    });

    it('a coordinator failing on notifyCheckpointComplete is logged; the others are still notified', async () => {
      const { cc, ctx } = make();
      const notified: number[] = [];
      ctx.coordinators.set(1, { notifyCheckpointComplete: () => { throw new Error('enumerator broke'); } });
      ctx.coordinators.set(3, { notifyCheckpointComplete: (id) => notified.push(id) });
      const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
      ackAll(cc, 1);
      await flush();
      expect(t.status).toBe('resolved');
      expect(notified).toEqual([1]);
      expect(ctx.logs).toContainEqual({ level: 'WARN', msg: 'Coordinator failed on checkpoint 1 complete: enumerator broke' });
    });

    it('duplicate acks, acks of unknown attempts and of unknown or finished checkpoints change nothing', async () => {
      const { cc, ctx } = make();
      const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
      ack(cc, 1, 'a0');
      // Duplicate, with other state: neither counted nor stored.
      ack(cc, 1, 'a0', { operators: { 1: { keyed: [], operator: [{ states: {}, handle: bytes(999) }] } } });
      ack(cc, 1, 'zz9');
      ack(cc, 7, 'a1');
      ackAll(cc, 1, ['a1', 'b0']);
      await flush();
      expect(t.status).toBe('pending');
      ack(cc, 1, 'b1');
      await flush();
      expect(t.value!.stateSize).toBe(30);
      expect(t.value!.metadata.operators[1]!.subtasks[0]).toEqual(defaultState('a0').operators[1]);
      // Late ack after completion.
      ack(cc, 1, 'b1', { operators: { 2: { keyed: [], operator: [{ states: {}, handle: bytes(1) }] } } });
      expect(cc.getLatestCheckpoint()!.stateSize).toBe(30);
      expect(ctx.stats.checkpointDetails(1)).toMatchObject({ num_acknowledged_subtasks: 4 });
    });

    it("a decline aborts with its reason: 'abort' to running tasks, statistics, later acks and declines ignored", async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.tolerable-failed-checkpoints': '5' });
      const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
      ack(cc, 1, 'a0');
      ctx.setState('a1', 'FINISHED');
      decline(cc, 1, 'b0', 'CHECKPOINT_DECLINED', 'snapshot of op-2 failed');
      await flush();
      expect(reasonOf(t)).toBe('CHECKPOINT_DECLINED');
      expect(t.error!.message).toBe('The checkpoint was declined by a task. snapshot of op-2 failed');
      expect(ctx.got('abort', 1)).toEqual(['a0', 'b0', 'b1']);
      expect(ctx.sent.find((s) => s.cmd.kind === 'abort')!.cmd).toEqual({ kind: 'abort', checkpointId: 1 });
      expect(ctx.logs).toContainEqual({ level: 'INFO', msg: `Decline checkpoint 1 by task b0 of job ${JOB}: snapshot of op-2 failed` });
      expect(cc.numberOfPendingCheckpoints).toBe(0);
      expect(ctx.counts()).toMatchObject({ total: 1, in_progress: 0, failed: 1 });
      expect(ctx.stats.checkpointingStatistics().latest.failed).toMatchObject({ id: 1, failure_message: 'The checkpoint was declined by a task. snapshot of op-2 failed' });
      ack(cc, 1, 'a1');
      ack(cc, 1, 'b1');
      decline(cc, 1, 'b1');
      decline(cc, 42, 'b1');
      await flush();
      expect(ctx.got('abort', 1)).toHaveLength(3);
      expect(cc.getLatestCheckpoint()).toBeUndefined();
      expect(ctx.counts()).toMatchObject({ failed: 1 });
    });

    it('declining one of two pending checkpoints leaves the other, which completes (testTriggerAndDeclineCheckpointComplex)', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.max-concurrent-checkpoints': '2' });
      const t1 = track(cc.triggerCheckpoint('CHECKPOINT', false));
      const t2 = track(cc.triggerCheckpoint('CHECKPOINT', false));
      expect(cc.numberOfPendingCheckpoints).toBe(2);
      decline(cc, 1, 'a1');
      await flush();
      expect(reasonOf(t1)).toBe('CHECKPOINT_DECLINED');
      expect(cc.numberOfPendingCheckpoints).toBe(1);
      expect(ctx.got('abort', 2)).toEqual([]);
      ackAll(cc, 2);
      await flush();
      expect(t2.value?.checkpointId).toBe(2);
    });

    it('a checkpoint not completed within the timeout expires: CHECKPOINT_EXPIRED, abort sent, counted', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.timeout': '1000' });
      const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
      ackAll(cc, 1, ['a0', 'a1', 'b0']);
      vi.advanceTimersByTime(999);
      await flush();
      expect(t.status).toBe('pending');
      vi.advanceTimersByTime(1);
      await flush();
      expect(reasonOf(t)).toBe('CHECKPOINT_EXPIRED');
      expect(ctx.got('abort', 1)).toEqual(['a0', 'a1', 'b0', 'b1']);
      expect(ctx.logs).toContainEqual({ level: 'INFO', msg: `Checkpoint 1 of job ${JOB} expired before completing.` });
      expect(ctx.stats.checkpointingStatistics().latest.failed).toMatchObject({ id: 1, failure_message: 'Checkpoint expired before completing.' });
      // tolerable-failed-checkpoints defaults to 0.
      expect(ctx.failures).toHaveLength(1);
      expect(ctx.failures[0]!.message).toMatch(EXCEEDED);
      expect(ctx.failures[0]!.message).toContain('CHECKPOINT_EXPIRED');
      // The late ack after expiry is ignored.
      ack(cc, 1, 'b1');
      expect(cc.getLatestCheckpoint()).toBeUndefined();
    });

    it('completing clears the timeout: nothing expires later and no timer is left', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.timeout': '1000' });
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      expect(vi.getTimerCount()).toBe(1);
      ackAll(cc, 1);
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(5000);
      await flush();
      expect(ctx.failures).toEqual([]);
      expect(ctx.got('abort', 1)).toEqual([]);
    });
  });

  describe('tolerable failed checkpoints', () => {
    const expire = async (cc: CheckpointCoordinator): Promise<void> => {
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      vi.advanceTimersByTime(100);
      await flush();
    };
    const succeed = async (cc: CheckpointCoordinator, id: number): Promise<void> => {
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      ackAll(cc, id);
      await flush();
    };

    it.each([0, 1, 2])('tolerable-failed-checkpoints=%i: fails the job on the (tolerable+1)-th consecutive expiry; a success resets the count', async (tolerable) => {
      const { cc, ctx } = make({ 'execution.checkpointing.tolerable-failed-checkpoints': String(tolerable), 'execution.checkpointing.timeout': '100' });
      let id = 1;
      for (let i = 0; i < tolerable; i++, id++) await expire(cc);
      await succeed(cc, id++);
      for (let i = 0; i < tolerable; i++, id++) await expire(cc);
      expect(ctx.failures).toEqual([]);
      await expire(cc);
      expect(ctx.failures).toHaveLength(1);
      expect(ctx.failures[0]!.message).toMatch(EXCEEDED);
    });

    it('reasons that do not count never fail the job, even with tolerable 0', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.max-concurrent-checkpoints': '2', 'execution.checkpointing.min-pause': '10000' });
      const notCounted: CheckpointFailureReason[] = ['CHECKPOINT_DECLINED_TASK_NOT_READY', 'CHECKPOINT_DECLINED_TASK_CLOSING', 'CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER',
        'CHECKPOINT_DECLINED_SUBSUMED', 'CHECKPOINT_DECLINED_INPUT_END_OF_STREAM', 'TASK_FAILURE', 'TASK_CHECKPOINT_FAILURE'];
      let id = 0;
      for (const r of notCounted) {
        const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
        decline(cc, ++id, 'b0', r, 'x');
        await flush();
        expect(reasonOf(t)).toBe(r);
      }
      // Subsumed: 2 completes while 1 is pending.
      const older = track(cc.triggerCheckpoint('CHECKPOINT', false));
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      ackAll(cc, id + 2);
      await flush();
      expect(reasonOf(older)).toBe('CHECKPOINT_SUBSUMED');
      // Pre-flight: too many requests (two pending, one periodic request waiting already), min-pause
      // (also for the waiting one once a slot is free), a task not running.
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      const waiting = track(cc.triggerCheckpoint('CHECKPOINT', true));
      const tooMany = track(cc.triggerCheckpoint('CHECKPOINT', true));
      cc.abortPendingCheckpoints();
      const minPause = track(cc.triggerCheckpoint('CHECKPOINT', true));
      ctx.setState('b1', 'DEPLOYING');
      const notRunning = track(cc.triggerCheckpoint('CHECKPOINT', false));
      ctx.setState('b1', 'RUNNING');
      // A coordinator that fails its checkpoint.
      ctx.coordinators.set(1, { checkpointCoordinator: async () => { throw new Error('enumerator down'); } });
      const trig = track(cc.triggerCheckpoint('CHECKPOINT', false));
      await flush();
      expect([reasonOf(waiting), reasonOf(tooMany), reasonOf(minPause), reasonOf(notRunning), reasonOf(trig)]).toEqual(
        ['MINIMUM_TIME_BETWEEN_CHECKPOINTS', 'TOO_MANY_CHECKPOINT_REQUESTS', 'MINIMUM_TIME_BETWEEN_CHECKPOINTS', 'NOT_ALL_REQUIRED_TASKS_RUNNING', 'TRIGGER_CHECKPOINT_FAILURE']);
      expect(ctx.failures).toEqual([]);
      // ... while a counted one does.
      ctx.coordinators.clear();
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      decline(cc, Math.max(...ctx.triggered()), 'a0', 'CHECKPOINT_ASYNC_EXCEPTION', 'upload failed');
      expect(ctx.failures).toHaveLength(1);
    });

    it('each checkpoint is counted once, however many tasks decline it', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.tolerable-failed-checkpoints': '1' });
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      decline(cc, 1, 'b0');
      decline(cc, 1, 'b1');
      decline(cc, 1, 'a0', 'CHECKPOINT_ASYNC_EXCEPTION');
      expect(ctx.failures).toEqual([]);
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      decline(cc, 2, 'a0');
      expect(ctx.failures).toHaveLength(1);
      expect(ctx.failures[0]!.message).toBe('Exceeded checkpoint tolerable failure threshold. The latest checkpoint failed due to CHECKPOINT_DECLINED: task said no');
    });
  });

  describe('request decider: max-concurrent and min-pause', () => {
    it('max-concurrent=1: while one is pending, manual requests queue and run in order, ahead of the waiting periodic one', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.tolerable-failed-checkpoints': '0' });
      const t1 = track(cc.triggerCheckpoint('CHECKPOINT', false));
      const periodic = track(cc.triggerCheckpoint('CHECKPOINT', true));
      const m2 = track(cc.triggerCheckpoint('CHECKPOINT', false));
      const m3 = track(cc.triggerCheckpoint('SAVEPOINT', false));
      await flush();
      expect([periodic.status, m2.status, m3.status]).toEqual(['pending', 'pending', 'pending']);
      expect(ctx.triggered()).toEqual([1]);
      expect(ctx.failures).toEqual([]);
      ackAll(cc, 1);
      await flush();
      expect(t1.status).toBe('resolved');
      // Manual requests go first: the periodic one, queued before them, waits.
      expect(ctx.triggered()).toEqual([1, 2]);
      expect(cc.numberOfPendingCheckpoints).toBe(1);
      // A queued one also starts when the pending one fails.
      decline(cc, 2, 'b0', 'CHECKPOINT_DECLINED_TASK_NOT_READY');
      await flush();
      expect(reasonOf(m2)).toBe('CHECKPOINT_DECLINED_TASK_NOT_READY');
      expect(ctx.triggered()).toEqual([1, 2, 3]);
      expect(ctx.sent.filter((s) => s.cmd.kind === 'trigger' && s.cmd.checkpointId === 3).map((s) => s.cmd.kind === 'trigger' && s.cmd.type)).toEqual(['SAVEPOINT', 'SAVEPOINT']);
      ackAll(cc, 3);
      await flush();
      expect(m3.value?.checkpointId).toBe(3);
      expect(ctx.triggered()).toEqual([1, 2, 3, 4]);
      ackAll(cc, 4);
      await flush();
      expect(periodic.value?.checkpointId).toBe(4);
    });

    it('max-concurrent=2: two checkpoints in flight, the third periodic one waits for a slot, a fourth is refused', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.max-concurrent-checkpoints': '2' });
      track(cc.triggerCheckpoint('CHECKPOINT', true));
      track(cc.triggerCheckpoint('CHECKPOINT', true));
      const third = track(cc.triggerCheckpoint('CHECKPOINT', true));
      const fourth = track(cc.triggerCheckpoint('CHECKPOINT', true));
      expect(cc.numberOfPendingCheckpoints).toBe(2);
      expect(ctx.triggered()).toEqual([1, 2]);
      await flush();
      expect(third.status).toBe('pending');
      expect(reasonOf(fourth)).toBe('TOO_MANY_CHECKPOINT_REQUESTS');
      ackAll(cc, 1);
      await flush();
      expect(ctx.triggered()).toEqual([1, 2, 3]);
    });

    it('a manual request arriving while a trigger is in progress starts as soon as that trigger is done when a slot is free', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.max-concurrent-checkpoints': '2' });
      const snapshot = deferred<unknown>();
      ctx.coordinators.set(1, { checkpointCoordinator: (_id, done) => { done(); return snapshot.promise; } });
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      await flush();
      // Triggering 1 (coordinator still snapshotting): both wait, the manual one ahead of the periodic one.
      const periodic = track(cc.triggerCheckpoint('CHECKPOINT', true));
      const manual = track(cc.triggerCheckpoint('CHECKPOINT', false));
      await flush();
      expect(periodic.status).toBe('pending');
      expect(ctx.triggered()).toEqual([]);
      snapshot.resolve({ s: 1 });
      await flush();
      expect(ctx.triggered()).toEqual([1, 2]);
      expect(cc.numberOfPendingCheckpoints).toBe(2);
      ackAll(cc, 2);
      await flush();
      expect(manual.value?.checkpointId).toBe(2);
      expect(ctx.triggered()).toEqual([1, 2, 3]); // the periodic one, once a slot was free
    });

    it('min-pause holds back periodic triggers after a completion; manual ones are not held back', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.min-pause': '5000' });
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      ackAll(cc, 1);
      await flush();
      vi.advanceTimersByTime(4999);
      const early = track(cc.triggerCheckpoint('CHECKPOINT', true));
      await flush();
      expect(reasonOf(early)).toBe('MINIMUM_TIME_BETWEEN_CHECKPOINTS');
      expect(early.error!.message).toBe('The minimum time between checkpoints is still pending. Checkpoint will be triggered after the minimum time.');
      expect(ctx.triggered()).toEqual([1]);
      expect(ctx.counts()).toMatchObject({ total: 1, failed: 0 });
      vi.advanceTimersByTime(1);
      track(cc.triggerCheckpoint('CHECKPOINT', true));
      expect(ctx.triggered()).toEqual([1, 2]);
      ackAll(cc, 2);
      await flush();
      const manual = track(cc.triggerCheckpoint('CHECKPOINT', false));
      expect(ctx.triggered()).toEqual([1, 2, 3]);
      expect(manual.status).toBe('pending');
    });

    it('the periodic scheduler: first trigger at a random delay in [min-pause, interval], then every interval; one tick waits while one is pending, re-scheduled past min-pause; stops', async () => {
      const firstAt: number[] = [];
      for (let i = 0; i < 25; i++) {
        vi.setSystemTime(T0);
        const { cc, ctx } = make({ 'execution.checkpointing.interval': '1000', 'execution.checkpointing.min-pause': '300' });
        cc.startCheckpointScheduler();
        vi.advanceTimersByTime(299);
        expect(ctx.sent).toEqual([]);
        vi.advanceTimersByTime(701);
        expect(ctx.triggered()).toEqual([1]);
        firstAt.push(ctx.sent[0]!.at - T0);
        cc.stopCheckpointScheduler();
        cc.abortPendingCheckpoints();
      }
      expect(Math.min(...firstAt)).toBeGreaterThanOrEqual(300);
      expect(Math.max(...firstAt)).toBeLessThanOrEqual(1000);
      expect(new Set(firstAt).size).toBeGreaterThan(1);

      // min-pause ≥ interval: the first trigger after exactly one interval.
      vi.setSystemTime(T0);
      const { cc, ctx } = make({ 'execution.checkpointing.interval': '1000', 'execution.checkpointing.min-pause': '1000' });
      cc.startCheckpointScheduler();
      cc.startCheckpointScheduler(); // idempotent
      vi.advanceTimersByTime(999);
      expect(ctx.sent).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(ctx.triggered()).toEqual([1]);
      // Still pending at 2000 and 3000: the tick at 2000 waits for the slot, the one at 3000 is refused.
      vi.advanceTimersByTime(2000);
      await flush();
      expect(ctx.triggered()).toEqual([1]);
      vi.advanceTimersByTime(10);
      ackAll(cc, 1); // completes at T0 + 3010; the waiting request is held back by min-pause (1000) ...
      await flush();
      vi.advanceTimersByTime(999);
      await flush();
      expect(ctx.triggered()).toEqual([1]);
      vi.advanceTimersByTime(1); // ... and the periodic trigger moved to 4010, when the pause ends
      expect(ctx.triggered()).toEqual([1, 2]);
      expect(ctx.sent.filter((s) => s.cmd.kind === 'trigger').map((s) => s.at - T0)).toEqual([1000, 1000, 4010, 4010]);
      cc.stopCheckpointScheduler();
      ackAll(cc, 2);
      vi.advanceTimersByTime(10_000);
      expect(ctx.triggered()).toEqual([1, 2]);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a tick held back by min-pause moves the periodic trigger to the end of the pause, not to the next interval (Flink rescheduleTrigger)', async () => {
      vi.setSystemTime(T0);
      const { cc, ctx } = make({ 'execution.checkpointing.interval': '1000', 'execution.checkpointing.min-pause': '1000' });
      cc.startCheckpointScheduler();
      vi.advanceTimersByTime(1000);
      expect(ctx.triggered()).toEqual([1]);
      vi.advanceTimersByTime(900);
      ackAll(cc, 1); // completes at 1900
      await flush();
      vi.advanceTimersByTime(100); // tick at 2000: held back, trigger moved to 2900
      await flush();
      expect(ctx.triggered()).toEqual([1]);
      vi.advanceTimersByTime(899);
      expect(ctx.triggered()).toEqual([1]);
      vi.advanceTimersByTime(1);
      expect(ctx.triggered()).toEqual([1, 2]);
      expect(ctx.counts()).toMatchObject({ failed: 0 });
      cc.stopCheckpointScheduler();
      cc.abortPendingCheckpoints();
    });

    it('without an interval the scheduler does not start', () => {
      const ctx = new FakeContext();
      const cc = new CheckpointCoordinator(Configuration.fromMap({}), ctx);
      cc.startCheckpointScheduler();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('subsumption and retention', () => {
    it('when a newer checkpoint completes, older pending ones are aborted as CHECKPOINT_SUBSUMED (not counted); newer ones stay', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.max-concurrent-checkpoints': '3' });
      const t1 = track(cc.triggerCheckpoint('CHECKPOINT', false));
      const t2 = track(cc.triggerCheckpoint('CHECKPOINT', false));
      const t3 = track(cc.triggerCheckpoint('CHECKPOINT', false));
      ackAll(cc, 1, ['a0', 'a1']);
      ackAll(cc, 2);
      await flush();
      expect(t2.value?.checkpointId).toBe(2);
      expect(reasonOf(t1)).toBe('CHECKPOINT_SUBSUMED');
      expect(t3.status).toBe('pending');
      expect(ctx.got('abort', 1)).toEqual(['a0', 'a1', 'b0', 'b1']);
      expect(ctx.got('abort', 3)).toEqual([]);
      expect(ctx.failures).toEqual([]);
      expect(ctx.stats.checkpointDetails(1)).toMatchObject({ status: 'FAILED', failure_message: 'Checkpoint has been subsumed.' });
      // The events are ordered: 1 is aborted before 2's completion is sent out.
      expect(ctx.events.indexOf('abort:1:a0')).toBeLessThan(ctx.events.indexOf('complete:2:a0'));
      ackAll(cc, 1, ['b0', 'b1']);
      expect(cc.getLatestCheckpoint()?.checkpointId).toBe(2);
      expect(cc.numberOfPendingCheckpoints).toBe(1);
    });

    it('num-retained=2: the third completed checkpoint subsumes the first', async () => {
      const { cc } = make({ 'execution.checkpointing.num-retained': '2' });
      for (const id of [1, 2, 3]) { track(cc.triggerCheckpoint('CHECKPOINT', false)); ackAll(cc, id); }
      await flush();
      expect(cc.store.getAllCheckpoints().map((c) => c.checkpointId)).toEqual([2, 3]);
      expect(cc.numberOfRetainedCheckpoints).toBe(2);
    });
  });

  describe('operator coordinators and the event valve', () => {
    it('coordinators are checkpointed before any trigger; each valve closes in the snapshot turn and all open after the triggers', async () => {
      const { cc, ctx } = make();
      const snap1 = deferred<unknown>();
      let closedInSameTurn = false;
      ctx.coordinators.set(1, {
        checkpointCoordinator: (id, onSnapshotTaken) => {
          ctx.events.push(`snapshot:1:${id}`);
          onSnapshotTaken();
          closedInSameTurn = ctx.events.at(-1) === 'close:1';
          return snap1.promise;
        },
      });
      ctx.coordinators.set(2, { notifyCheckpointComplete: () => {} }); // takes no part in checkpoints
      ctx.coordinators.set(3, { checkpointCoordinator: async (id, done) => { ctx.events.push(`snapshot:3:${id}`); done(); return undefined; } });
      const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
      await flush();
      expect(closedInSameTurn).toBe(true);
      expect(ctx.events).toEqual(['snapshot:1:1', 'close:1']);
      snap1.resolve({ assigned: { 0: ['split-0'] } });
      await flush();
      expect(ctx.events).toEqual(['snapshot:1:1', 'close:1', 'snapshot:3:1', 'close:3', 'trigger:1:a0', 'trigger:1:a1', 'open']);
      ackAll(cc, 1);
      await flush();
      expect(t.value!.metadata.operators[1]!.coordinatorState).toEqual({ assigned: { 0: ['split-0'] } });
      expect(t.value!.metadata.operators[3]).toBeUndefined();
    });

    it('a failing coordinator checkpoint: TRIGGER_CHECKPOINT_FAILURE, valves reopened, nothing sent, not counted, next trigger gets a new id', async () => {
      const { cc, ctx } = make();
      ctx.coordinators.set(1, { checkpointCoordinator: async (_id, done) => { done(); throw new Error('enumerator down'); } });
      const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
      await flush();
      expect(reasonOf(t)).toBe('TRIGGER_CHECKPOINT_FAILURE');
      expect(t.error!.message).toBe('Trigger checkpoint failure. enumerator down');
      expect(ctx.events).toEqual(['close:1', 'open']);
      expect(ctx.failures).toEqual([]);
      expect(cc.numberOfPendingCheckpoints).toBe(0);
      expect(ctx.counts()).toMatchObject({ total: 1, in_progress: 0, failed: 1 });
      expect(ctx.logs).toContainEqual({ level: 'WARN', msg: `Failed to trigger checkpoint 1 for job ${JOB}: enumerator down` });
      ctx.coordinators.clear();
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      expect(ctx.triggered()).toEqual([2]);
    });
  });

  describe('restore', () => {
    it('without a completed checkpoint there is nothing to restore and no coordinator is reset', async () => {
      const { cc } = make();
      const reset = vi.fn(async () => {});
      expect(await cc.restoreLatestCheckpointedState(reset)).toBeUndefined();
      expect(reset).not.toHaveBeenCalled();
    });

    it('restoreLatestCheckpointedState resets every coordinator with its state (awaited) and returns the assignments', async () => {
      const { cc, ctx } = make();
      ctx.coordinators.set(1, { checkpointCoordinator: async (_id, done) => { done(); return { splits: ['x'] }; } });
      ctx.coordinators.set(3, { checkpointCoordinator: async (_id, done) => { done(); return undefined; } });
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      await flush();
      ackAll(cc, 1);
      await flush();
      vi.advanceTimersByTime(77);
      const resets: Array<[number, unknown]> = [];
      const gate = deferred();
      let settled = false;
      const restoring = cc.restoreLatestCheckpointedState(async (nodeId, state) => { resets.push([nodeId, state]); await gate.promise; });
      void restoring.then(() => { settled = true; });
      await flush();
      // One coordinator at a time, and the restore waits for the resets.
      expect(resets).toEqual([[1, { splits: ['x'] }]]);
      expect(settled).toBe(false);
      gate.resolve();
      const r = await restoring;
      expect(resets).toEqual([[1, { splits: ['x'] }], [3, undefined]]);
      expect(r!.checkpointId).toBe(1);
      expect([...r!.assignments.keys()]).toEqual([VA, VB]);
      expect(r!.assignments.get(VA)).toEqual([0, 1].map((i) => ({ checkpointId: 1, operators: { 1: { keyed: [], operator: [defaultState(`a${i}`).operators[1]!.operator[0]] } } })));
      const b1 = r!.assignments.get(VB)![1]!;
      expect(b1.operators[2]).toEqual(defaultState('b1').operators[2]);
      expect(b1.operators[3]).toBeUndefined();
      expect(ctx.logs).toContainEqual({ level: 'INFO', msg: `Restoring job ${JOB} from Checkpoint 1 @ ${T0}.` });
      expect(ctx.stats.checkpointingStatistics().latest.restored).toEqual({ id: 1, restore_timestamp: T0 + 77, is_savepoint: false, external_path: null });
    });

    it('markUnreadable: recovery falls back to the previous retained checkpoint', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.num-retained': '2' });
      for (const id of [1, 2]) { track(cc.triggerCheckpoint('CHECKPOINT', false)); ackAll(cc, id); }
      await flush();
      cc.markUnreadable(2);
      expect(ctx.logs).toContainEqual({ level: 'WARN', msg: `Checkpoint 2 of job ${JOB} cannot be read; recovery falls back to the previous retained checkpoint.` });
      expect((await cc.restoreLatestCheckpointedState(async () => {}))?.checkpointId).toBe(1);
      const warnings = ctx.logs.filter((l) => l.level === 'WARN').length;
      cc.markUnreadable(2);
      cc.markUnreadable(99);
      expect(ctx.logs.filter((l) => l.level === 'WARN')).toHaveLength(warnings);
      cc.markUnreadable(1);
      expect(await cc.restoreLatestCheckpointedState(async () => {})).toBeUndefined();
      // New checkpoints continue after the highest id ever used.
      track(cc.triggerCheckpoint('CHECKPOINT', false));
      expect(ctx.triggered()).toEqual([1, 2, 3]);
    });
  });

  describe('shutdown', () => {
    it('aborts pending checkpoints (not counted), rejects queued requests without starting them, stops the scheduler, refuses new triggers', async () => {
      const { cc, ctx } = make({ 'execution.checkpointing.tolerable-failed-checkpoints': '0' });
      cc.startCheckpointScheduler();
      vi.advanceTimersByTime(1000);
      expect(ctx.triggered()).toEqual([1]);
      const first = track(cc.triggerCheckpoint('CHECKPOINT', false)); // queued behind the periodic 1
      const second = track(cc.triggerCheckpoint('SAVEPOINT', false));
      await cc.shutdown('CANCELED');
      await flush();
      expect(reasonOf(first)).toBe('CHECKPOINT_COORDINATOR_SHUTDOWN');
      expect(reasonOf(second)).toBe('CHECKPOINT_COORDINATOR_SHUTDOWN');
      expect(ctx.triggered()).toEqual([1]);
      expect(ctx.got('abort', 1)).toEqual(['a0', 'a1', 'b0', 'b1']);
      expect(cc.numberOfPendingCheckpoints).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      expect(ctx.failures).toEqual([]);
      const late = track(cc.triggerCheckpoint('CHECKPOINT', false));
      await flush();
      expect(reasonOf(late)).toBe('CHECKPOINT_COORDINATOR_SHUTDOWN');
      await cc.shutdown('FAILED');
      vi.advanceTimersByTime(10_000);
      expect(ctx.triggered()).toEqual([1]);
    });
  });
});

// ==== file:// checkpoint storage, real timers =================================================

describe('CheckpointCoordinator with file:// checkpoint storage', () => {
  let tmp: string;
  beforeEach(async () => { tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsflink-coordinator-')); });
  afterEach(async () => {
    vi.restoreAllMocks();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  const exists = (p: string): Promise<boolean> => fsp.stat(p).then(() => true, () => false);
  const fsMake = (conf: Record<string, string> = {}): { cc: CheckpointCoordinator; ctx: FakeContext; jobDir: string } => ({
    ...make({ 'execution.checkpointing.dir': `file://${tmp}/cp`, ...conf }),
    jobDir: `${tmp}/cp/${JOB}`,
  });
  /** Starts a checkpoint; the returned promise still rejects for whoever awaits it, but never unhandled. */
  const start = (cc: CheckpointCoordinator): Promise<CompletedCheckpoint> => { const p = cc.triggerCheckpoint('CHECKPOINT', false); p.catch(() => {}); return p; };
  const waitTriggered = (ctx: FakeContext, ids: number[]): Promise<void> => vi.waitFor(() => expect(ctx.triggered()).toEqual(ids));
  /** Writes a state file for checkpoint `id` into chk-<id> and returns the ack state referencing it. */
  async function fileState(file: string, content: string, nodeId: number): Promise<TaskStateSnapshot> {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, content);
    const st: OperatorSubtaskState = { keyed: [], operator: [{ states: { s: { mode: 'SPLIT', offsets: [0] } }, handle: { kind: 'file', path: `file://${file}`, size: content.length } }] };
    return { operators: { [nodeId]: st } };
  }

  it('_metadata is written last, via a temporary file renamed into place, with paths relative to chk-<n>', async () => {
    const { cc, ctx, jobDir } = fsMake();
    const writes = vi.spyOn(LocalFileSystem.prototype, 'writeFile');
    const renames = vi.spyOn(LocalFileSystem.prototype, 'rename');
    const p = start(cc);
    await waitTriggered(ctx, [1]);
    expect((await fsp.readdir(jobDir)).sort()).toEqual(['chk-1', 'shared', 'taskowned']);
    const chk = `${jobDir}/chk-1`;
    ack(cc, 1, 'a0', await fileState(`${chk}/a0-op1`, 'AAAA', 1));
    ack(cc, 1, 'a1', await fileState(`${chk}/a1-op1`, 'BBBBBB', 1));
    ack(cc, 1, 'b0');
    await new Promise((r) => setTimeout(r, 20));
    expect(await exists(`${chk}/_metadata`)).toBe(false);
    expect(writes).not.toHaveBeenCalled();
    ack(cc, 1, 'b1');
    const c = await p;
    expect(c.externalPath).toBe(`file://${chk}`);
    expect(c.stateSize).toBe(4 + 6 + 5 + 5);
    expect(writes).toHaveBeenCalledTimes(1);
    const tmpPath = writes.mock.calls[0]![0];
    expect(tmpPath).toMatch(new RegExp(`^file://${chk}/\\._metadata\\.inprogress-[0-9a-f-]+$`));
    expect(renames.mock.calls).toEqual([[tmpPath, `file://${chk}/_metadata`]]);
    expect((await fsp.readdir(chk)).sort()).toEqual(['_metadata', 'a0-op1', 'a1-op1']);
    // Stored relative, resolved against wherever chk-1 is read from.
    const raw = await fsp.readFile(`${chk}/_metadata`);
    expect(raw.includes(Buffer.from(tmp))).toBe(false);
    // (A Uint8Array copy: from a Buffer, inline bytes would come back as Buffers and not compare equal.)
    const m = deserializeCheckpointMetadata(new Uint8Array(raw), `file://${chk}`, `file://${chk}/_metadata`);
    expect(m).toEqual(c.metadata);
    expect(m.operators[1]!.subtasks[1]!.operator[0]!.handle).toEqual({ kind: 'file', path: `file://${chk}/a1-op1`, size: 6 });
    expect(ctx.stats.checkpointingStatistics().latest.completed).toMatchObject({ id: 1, external_path: `file://${chk}` });
    expect(ctx.logs.find((l) => l.msg.startsWith('Completed checkpoint 1 '))!.msg).toMatch(
      new RegExp(`^Completed checkpoint 1 for job ${JOB} \\(20 bytes, checkpointDuration=\\d+ ms, finalizationTime=\\d+ ms\\)\\.$`));
    await cc.shutdown('FINISHED');
  });

  it("late and unknown acks have their state files deleted; a duplicate ack's are not; an aborted checkpoint's directory goes", async () => {
    const { cc, ctx, jobDir } = fsMake({ 'execution.checkpointing.tolerable-failed-checkpoints': '5' });
    const p = start(cc);
    await waitTriggered(ctx, [1]);
    const chk = `${jobDir}/chk-1`;
    const a0 = await fileState(`${chk}/a0-op1`, 'A', 1);
    ack(cc, 1, 'a0', a0);
    ack(cc, 1, 'a0', a0); // duplicate
    ack(cc, 1, 'zz', await fileState(`${chk}/unknown-attempt`, 'Z', 1));
    ack(cc, 99, 'a1', await fileState(`${tmp}/elsewhere/unknown-checkpoint`, 'U', 1));
    await vi.waitFor(async () => {
      expect(await exists(`${chk}/unknown-attempt`)).toBe(false);
      expect(await exists(`${tmp}/elsewhere/unknown-checkpoint`)).toBe(false);
    });
    expect(await exists(`${chk}/a0-op1`)).toBe(true);
    decline(cc, 1, 'b0');
    await expect(p).rejects.toMatchObject({ reason: 'CHECKPOINT_DECLINED' });
    await vi.waitFor(async () => expect(await exists(chk)).toBe(false));
    // Late ack of the aborted checkpoint.
    ack(cc, 1, 'b1', await fileState(`${tmp}/elsewhere/late`, 'L', 2));
    await vi.waitFor(async () => expect(await exists(`${tmp}/elsewhere/late`)).toBe(false));
    // Inline state of a late ack is simply dropped.
    expect(() => ack(cc, 1, 'a1')).not.toThrow();
    expect(ctx.got('abort', 1)).toEqual(['a0', 'a1', 'b0', 'b1']);
    await cc.shutdown('FINISHED');
  });

  it('num-retained=2: the third checkpoint deletes chk-1; chk-2 and chk-3 stay complete', async () => {
    const { cc, ctx, jobDir } = fsMake({ 'execution.checkpointing.num-retained': '2' });
    for (const id of [1, 2, 3]) {
      const p = start(cc);
      await waitTriggered(ctx, [1, 2, 3].slice(0, id));
      ack(cc, id, 'a0', await fileState(`${jobDir}/chk-${id}/a0`, `state-${id}`, 1));
      ackAll(cc, id, ['a1', 'b0', 'b1']);
      await p;
    }
    await vi.waitFor(async () => expect(await exists(`${jobDir}/chk-1`)).toBe(false));
    expect(await exists(`${jobDir}/chk-2/_metadata`)).toBe(true);
    expect(await exists(`${jobDir}/chk-3/_metadata`)).toBe(true);
    expect(await exists(`${jobDir}/chk-3/a0`)).toBe(true);
    expect(cc.store.getAllCheckpoints().map((c) => c.externalPath)).toEqual([`file://${jobDir}/chk-2`, `file://${jobDir}/chk-3`]);
    await cc.shutdown('FAILED');
  });

  it.each([
    ['NO_EXTERNALIZED_CHECKPOINTS', 'CANCELED', false], ['NO_EXTERNALIZED_CHECKPOINTS', 'FAILED', false], ['NO_EXTERNALIZED_CHECKPOINTS', 'FINISHED', false],
    ['DELETE_ON_CANCELLATION', 'CANCELED', false], ['DELETE_ON_CANCELLATION', 'FAILED', true], ['DELETE_ON_CANCELLATION', 'FINISHED', false],
    ['RETAIN_ON_CANCELLATION', 'CANCELED', true], ['RETAIN_ON_CANCELLATION', 'FAILED', true], ['RETAIN_ON_CANCELLATION', 'FINISHED', false],
  ] as const)('shutdown with %s when the job is %s keeps the retained checkpoint: %s', async (retention, status, kept) => {
    const { cc, ctx, jobDir } = fsMake({ 'execution.checkpointing.externalized-checkpoint-retention': retention });
    const p = start(cc);
    await waitTriggered(ctx, [1]);
    ackAll(cc, 1);
    await p;
    expect(await exists(`${jobDir}/chk-1/_metadata`)).toBe(true);
    await cc.shutdown(status);
    expect(await exists(`${jobDir}/chk-1/_metadata`)).toBe(kept);
  });

  it('a failing _metadata write: FINALIZE_CHECKPOINT_FAILURE, counted, abort sent, chk-<n> removed, nothing retained', async () => {
    const { cc, ctx, jobDir } = fsMake();
    vi.spyOn(LocalFileSystem.prototype, 'rename').mockRejectedValue(new Error('disk quota exceeded'));
    const p = start(cc);
    await waitTriggered(ctx, [1]);
    ackAll(cc, 1);
    await expect(p).rejects.toMatchObject({ reason: 'FINALIZE_CHECKPOINT_FAILURE', message: 'Failure to finalize checkpoint. disk quota exceeded' });
    expect(ctx.got('abort', 1)).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(ctx.got('complete', 1)).toEqual([]);
    expect(cc.getLatestCheckpoint()).toBeUndefined();
    expect(ctx.failures).toHaveLength(1);
    expect(ctx.failures[0]!.message).toMatch(EXCEEDED);
    expect(ctx.logs).toContainEqual({ level: 'WARN', msg: `Could not finalize checkpoint 1 of job ${JOB}: disk quota exceeded` });
    await vi.waitFor(async () => expect(await exists(`${jobDir}/chk-1`)).toBe(false));
    await cc.shutdown('FAILED');
  });

  it('storage that cannot be initialized: IO_EXCEPTION (counted); checkpoints work again once the storage is fine', async () => {
    await fsp.writeFile(`${tmp}/blocker`, 'a file where a directory should be');
    const { cc, ctx } = make({ 'execution.checkpointing.dir': `file://${tmp}/blocker/cp`, 'execution.checkpointing.tolerable-failed-checkpoints': '1' });
    await expect(start(cc)).rejects.toMatchObject({ reason: 'IO_EXCEPTION' });
    expect(ctx.sent).toEqual([]);
    expect(ctx.failures).toEqual([]);
    await fsp.rm(`${tmp}/blocker`);
    const p = start(cc);
    await waitTriggered(ctx, [2]);
    ackAll(cc, 2);
    expect((await p).externalPath).toBe(`file://${tmp}/blocker/cp/${JOB}/chk-2`);
    await cc.shutdown('FINISHED');
  });

  it('chk-<n> that cannot be created is an IO_EXCEPTION too (counted); the next checkpoint uses the next id', async () => {
    const { cc, ctx, jobDir } = fsMake();
    await fsp.mkdir(jobDir, { recursive: true });
    await fsp.writeFile(`${jobDir}/chk-1`, 'not a directory');
    await expect(start(cc)).rejects.toMatchObject({ reason: 'IO_EXCEPTION' });
    expect(ctx.failures).toHaveLength(1);
    const p = start(cc);
    await waitTriggered(ctx, [2]);
    ackAll(cc, 2);
    await p;
    expect(await exists(`${jobDir}/chk-2/_metadata`)).toBe(true);
    await cc.shutdown('FINISHED');
  });

  it('a coordinator failing its checkpoint leaves no chk-<n> directory behind', async () => {
    const { cc, ctx, jobDir } = fsMake();
    ctx.coordinators.set(1, { checkpointCoordinator: async () => { throw new Error('enumerator down'); } });
    await expect(start(cc)).rejects.toMatchObject({ reason: 'TRIGGER_CHECKPOINT_FAILURE' });
    await vi.waitFor(async () => expect(await exists(`${jobDir}/chk-1`)).toBe(false));
    expect((await fsp.readdir(jobDir)).sort()).toEqual(['shared', 'taskowned']);
    await cc.shutdown('FINISHED');
  });

  it('savepoint: its own savepoint-<6 of job id>-<12 hex> directory, aligned, _metadata relative there, not retained for failover', async () => {
    const { cc, ctx } = fsMake({ 'execution.checkpointing.unaligned.enabled': 'true' });
    const p = cc.triggerSavepoint(`file://${tmp}/sp`);
    await waitTriggered(ctx, [1]);
    const cmd = ctx.sent.find((s) => s.cmd.kind === 'trigger')!.cmd as Extract<CheckpointCommand, { kind: 'trigger' }>;
    expect(cmd.type).toBe('SAVEPOINT');
    expect(cmd.unaligned).toBe(false); // savepoints are always aligned
    expect(cmd.stop).toBeUndefined();
    const loc = cmd.location!;
    expect(loc).toMatch(new RegExp(`^file://${tmp}/sp/savepoint-${JOB.slice(0, 6)}-[0-9a-f]{12}$`));
    const dir = loc.slice('file://'.length);
    const file = `${dir}/state-a0`;
    for (const a of ['a0', 'a1', 'b0', 'b1']) ack(cc, 1, a, a === 'a0' ? await fileState(file, 'xyz', 1) : defaultState(a));
    const sp = await p;
    expect(sp.externalPath).toBe(loc);
    const md = await fsp.readFile(`${dir}/_metadata`);
    // Relative inside: resolving against a moved directory finds the moved file.
    const moved = deserializeCheckpointMetadata(md, 'file:///elsewhere', 'x');
    expect(moved.operators[1]!.subtasks[0]!.operator[0]!.handle).toEqual({ kind: 'file', path: 'file:///elsewhere/state-a0', size: 3 });
    expect(cc.numberOfRetainedCheckpoints).toBe(0); // failover never restores a savepoint
    expect(ctx.stats.checkpointingStatistics().latest.savepoint?.id).toBe(1);
    await cc.shutdown('CANCELED');
    expect(await exists(`${dir}/_metadata`)).toBe(true); // the user's: never deleted
  });

  it('a declined savepoint leaves no directory; without a directory the request is refused with Flink\'s message', async () => {
    const { cc, ctx } = fsMake();
    const p = cc.triggerSavepoint(`file://${tmp}/sp`);
    p.catch(() => {});
    await waitTriggered(ctx, [1]);
    decline(cc, 1, 'b0');
    await expect(p).rejects.toMatchObject({ reason: 'CHECKPOINT_DECLINED' });
    await vi.waitFor(async () => expect(await fsp.readdir(`${tmp}/sp`)).toEqual([]));
    await expect(cc.triggerSavepoint(undefined)).rejects.toThrow("No savepoint directory configured. You can either specify a directory while triggering this savepoint or configure a cluster-wide default via key 'execution.checkpointing.savepoint-dir'.");
    // execution.checkpointing.savepoint-dir is the default.
    const d = fsMake({ 'execution.checkpointing.savepoint-dir': `file://${tmp}/default` });
    const q = d.cc.triggerSavepoint(undefined);
    await waitTriggered(d.ctx, [1]);
    ackAll(d.cc, 1);
    expect((await q).externalPath).toMatch(new RegExp(`^file://${tmp}/default/savepoint-`));
    await cc.shutdown('FINISHED');
    await d.cc.shutdown('FINISHED');
  });

  it('a savepoint waiting for a free slot goes ahead of queued manual checkpoints; stop-with-savepoint suppresses the final checkpoint', async () => {
    const { cc, ctx } = fsMake();
    const c1 = start(cc);
    await waitTriggered(ctx, [1]);
    const c2 = track(cc.triggerCheckpoint('CHECKPOINT', false));
    const sp = cc.triggerSavepoint(`file://${tmp}/sp`, { drain: false });
    sp.catch(() => {});
    ackAll(cc, 1);
    await c1;
    await waitTriggered(ctx, [1, 2]);
    const cmd = ctx.sent.filter((s) => s.cmd.kind === 'trigger' && s.cmd.checkpointId === 2)[0]!.cmd as Extract<CheckpointCommand, { kind: 'trigger' }>;
    expect(cmd.type).toBe('SAVEPOINT');
    expect(cmd.stop).toEqual({ drain: false });
    expect(cc.stopWithSavepointReachedTasks).toBe(true);
    // The stopping sources end their input: no final checkpoint is requested for that.
    for (const a of ['a0', 'a1']) cc.receiveCheckpointResponse({ kind: 'endOfInput', executionAttemptId: a });
    await expect(cc.triggerSavepoint(`file://${tmp}/sp`, { drain: true })).rejects.toThrow(/already in progress/);
    ackAll(cc, 2);
    await sp;
    expect(ctx.stats.checkpointingStatistics().history.find((h: { id: number }) => h.id === 2)?.checkpoint_type).toBe('SYNC_SAVEPOINT');
    await waitTriggered(ctx, [1, 2, 3]); // the queued manual checkpoint runs after it
    expect(c2.status).toBe('pending');
    await cc.shutdown('FINISHED');
  });

  it('shutdown while _metadata is being written: the trigger is rejected instead of never settling', async () => {
    const { cc, ctx } = fsMake();
    const gate = deferred();
    const realRename = LocalFileSystem.prototype.rename;
    vi.spyOn(LocalFileSystem.prototype, 'rename').mockImplementation(async function (this: LocalFileSystem, src: string, dst: string) {
      await gate.promise;
      return realRename.call(this, src, dst);
    });
    const t = track(cc.triggerCheckpoint('CHECKPOINT', false));
    await waitTriggered(ctx, [1]);
    ackAll(cc, 1);
    await new Promise((r) => setTimeout(r, 20));
    await cc.shutdown('CANCELED');
    gate.resolve();
    await vi.waitFor(() => expect(t.status).not.toBe('pending'));
    expect(reasonOf(t)).toBe('CHECKPOINT_COORDINATOR_SHUTDOWN');
    expect(ctx.got('complete', 1)).toEqual([]);
  });
});
