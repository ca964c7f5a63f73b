// One task's part of a checkpoint (Flink's SubtaskCheckpointCoordinatorImpl): forward the barrier,
// run the operators' snapshotState and serialize their stores in the same mailbox turn (the
// synchronous phase), then upload in the background while the task keeps processing, and
// acknowledge (or decline) to the CheckpointCoordinator.
import { traceCheckpoint } from '../../checkpoint/CheckpointTrace.js';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { getFileSystem } from '../../../hdfs/index.js';
import type { ResultPartition } from '../../network/index.js';
import type { OperatorChain } from '../OperatorChain.js';
import type { CheckpointFailureReason, CheckpointResponse, SnapshotType } from '../../checkpoint/CheckpointMessages.js';
import { failureMessage } from '../../checkpoint/CheckpointMessages.js';
import type { KeyGroupsStateHandle, OperatorSubtaskState, StreamStateHandle, TaskStateSnapshot } from '../../checkpoint/StateHandles.js';
import type { PendingKeyedSnapshot } from '../../state/KeyedStateBackend.js';
import type { KeyGroupsSnapshot } from '../../state/KeyGroupsSnapshot.js';
import type { OperatorStateSnapshot } from '../../state/OperatorStateStore.js';
import type { InputChannelStateSnapshot } from './UnalignedCheckpointBarrierHandler.js';

/** A msgpack array of already packed items: an array32 header, then the items back to back. */
function msgpackArray(items: readonly Uint8Array[]): Uint8Array {
  let n = 5;
  for (const b of items) n += b.byteLength;
  const out = new Uint8Array(n);
  out[0] = 0xdd;
  new DataView(out.buffer).setUint32(1, items.length);
  let at = 5;
  for (const b of items) { out.set(b, at); at += b.byteLength; }
  return out;
}

/** How a task takes checkpoints (TaskDeploymentDescriptor.checkpointing). */
export interface TaskCheckpointConfig {
  readonly mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  /** `<dir>/<job-id>`; state files go to its chk-<n>/. Undefined: everything inline (jobmanager storage). */
  readonly jobCheckpointDir: string | undefined;
  /** State smaller than this travels inline in the acknowledgement (and _metadata). */
  readonly inlineThreshold: number;
  readonly checkpointsAfterTasksFinish: boolean;
  /** execution.checkpointing.unaligned.enabled (EXACTLY_ONCE only): barriers overtake in-flight data. */
  readonly unaligned: boolean;
  /** With unaligned: start aligned and switch after this many ms since the barrier's creation (0 = always unaligned). */
  readonly alignedCheckpointTimeout: number;
  /**
   * execution.checkpointing.interval is set. Without it the task still takes savepoints, but its
   * operators run as without checkpointing (a two-phase-commit sink commits at finish()).
   */
  readonly periodic: boolean;
}

/** Unaligned: the in-flight input of the task's head operator, complete once every channel delivered its part. */
export interface ChannelStateFuture {
  readonly headNodeId: number;
  readonly state: Promise<InputChannelStateSnapshot[]>;
}

export interface BarrierMetrics { readonly alignmentDurationMs: number; readonly bytesProcessedDuringAlignment: number }

interface TakenSnapshot { nodeId: number; keyed: PendingKeyedSnapshot | undefined; operator: OperatorStateSnapshot | undefined }

const handleSize = (h: StreamStateHandle): number => (h.kind === 'bytes' ? h.data.byteLength : h.size);

/**
 * Serialization of an asynchronous snapshot runs in slices between the thread's other work. A slice
 * lasts as long as that other work took since the previous slice, between these bounds: an idle task
 * gets its next input after at most 0.25 ms, a busy one shares the thread about half and half with the
 * snapshot instead of starving it. The upper bound is what a record can wait behind one slice: at 4 ms
 * (a task's own slice, Task.ts) the catch-up after each slice made the next one 4 ms too, and a cold
 * first snapshot (~100 ms of CPU) put a few % of a run's records 1–4 ms late (B8's p99).
 */
const MIN_SLICE_MS = 0.25;
const MAX_SLICE_MS = 1;
const RESOLVED = Promise.resolve();
/**
 * A pause for the sliced asynchronous phase: yields to the task only once a slice's time budget is
 * used up (yielding after every key group made a small snapshot wait for ~64 task turns: 500 ms).
 */
function slicedYield(): () => Promise<void> {
  let sliceStart = performance.now();
  let slice = MAX_SLICE_MS;
  return () => {
    const yieldedAt = performance.now();
    if (yieldedAt - sliceStart < slice) return RESOLVED;
    return new Promise((r) => setImmediate(() => {
      sliceStart = performance.now();
      slice = Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, sliceStart - yieldedAt));
      r();
    }));
  };
}

export class SubtaskCheckpointCoordinator {
  /** Highest checkpoint this task snapshotted or aborted. */
  lastCheckpointId = -1;
  private readonly uploads = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly cfg: TaskCheckpointConfig,
    private readonly executionAttemptId: string,
    private readonly chain: OperatorChain,
    private readonly partitions: readonly ResultPartition[],
    private readonly respond: (r: CheckpointResponse) => void,
  ) {}

  /**
   * The checkpoint starts at this task: barrier downstream first (so downstream aligns while this
   * task snapshots), then the synchronous phase. Throws if an operator's snapshot fails (Flink
   * fails the task: a synchronous-phase failure is a task failure).
   */
  async checkpointState(checkpointId: number, timestamp: number, type: SnapshotType, m: BarrierMetrics, unaligned = false, channelState?: ChannelStateFuture, location?: string, completed = -1): Promise<void> {
    const startDelayMs = Math.max(0, Date.now() - timestamp);
    this.lastCheckpointId = Math.max(this.lastCheckpointId, checkpointId);
    const barrier = { type: 'CheckpointBarrier' as const, checkpointId, timestamp, unaligned, savepoint: type === 'SAVEPOINT', ...(location !== undefined ? { location } : {}), ...(completed >= 0 ? { completed } : {}) };
    // Unaligned: ahead of every queued output buffer (the consumer persists what it overtook).
    for (const p of this.partitions) { if (unaligned) p.broadcastPriorityBarrier(barrier); else p.broadcastEvent(barrier); }
    traceCheckpoint('barrier-emitted', checkpointId, this.executionAttemptId);
    const t0 = performance.now();
    const ops = this.chain.operators;
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i]!;
      if (op.snapshotState) await op.snapshotState({ checkpointId, timestamp });
    }
    const taken: TakenSnapshot[] = [];
    // The coordinator's latest completion may not have reached this task yet: incremental backends confirm it now.
    if (completed >= 0) for (const stores of this.chain.stateStores.values()) stores.keyed?.notifyCheckpointComplete?.(completed);
    for (const [nodeId, stores] of this.chain.stateStores) {
      // Keyed state: key lists now, values serialized in the asynchronous phase (copy-on-write).
      const keyed = stores.keyed?.beginSnapshot({ checkpointId, savepoint: type === 'SAVEPOINT' || location !== undefined });
      const o = stores.operator.snapshot();
      const operator = Object.keys(o.states).length > 0 ? o : undefined;
      if (keyed || operator) taken.push({ nodeId, keyed, operator });
    }
    const syncDurationMs = performance.now() - t0;
    traceCheckpoint('sync-done', checkpointId, `${this.executionAttemptId} ${syncDurationMs.toFixed(2)}ms`);
    const upload = this.upload(checkpointId, taken, channelState, location).then(
      (state) => {
        if (this.closed) return;
        let persistedData = 0;
        for (const op of Object.values(state.operators)) for (const c of op.inputChannel ?? []) persistedData += handleSize(c.handle);
        this.respond({
          kind: 'ack', executionAttemptId: this.executionAttemptId, checkpointId, state,
          metrics: { ...m, syncDurationMs, asyncDurationMs: performance.now() - t0 - syncDurationMs, startDelayMs, unaligned, persistedData },
        });
      },
      (e: unknown) => { if (!this.closed) this.decline(checkpointId, 'CHECKPOINT_ASYNC_EXCEPTION', (e as Error).message ?? String(e)); },
    );
    this.uploads.add(upload);
    void upload.finally(() => this.uploads.delete(upload));
  }

  /** This task cannot take part in `checkpointId` (barrier handler abort): tell downstream and the coordinator. */
  abortCheckpointOnBarrier(checkpointId: number, reason: CheckpointFailureReason): void {
    this.lastCheckpointId = Math.max(this.lastCheckpointId, checkpointId);
    for (const p of this.partitions) p.broadcastEvent({ type: 'CancelCheckpointMarker', checkpointId });
    this.decline(checkpointId, reason, failureMessage(reason));
  }

  private decline(checkpointId: number, reason: CheckpointFailureReason, message: string): void {
    this.respond({ kind: 'decline', executionAttemptId: this.executionAttemptId, checkpointId, reason, message });
  }

  private async upload(checkpointId: number, taken: readonly TakenSnapshot[], channelState: ChannelStateFuture | undefined, location: string | undefined): Promise<TaskStateSnapshot> {
    // A savepoint keeps its files in its own directory (self-contained); a checkpoint in chk-<n>/.
    const dir = location ?? (this.cfg.jobCheckpointDir === undefined ? undefined : `${this.cfg.jobCheckpointDir.replace(/\/+$/, '')}/chk-${checkpointId}`);
    const fs = dir === undefined ? undefined : getFileSystem(dir);
    const store = async (data: Uint8Array): Promise<StreamStateHandle> => {
      if (!fs || data.byteLength < this.cfg.inlineThreshold) return { kind: 'bytes', data };
      const path = `${dir}/${randomUUID()}`;
      await fs.writeFile(path, data);
      return { kind: 'file', path, size: data.byteLength };
    };
    // Incremental chain parts outlive this checkpoint (later ones reuse them): <job>/shared/, deleted by the JobManager's SharedStateRegistry.
    const sharedDir = this.cfg.jobCheckpointDir === undefined ? undefined : `${this.cfg.jobCheckpointDir.replace(/\/+$/, '')}/shared`;
    const storeShared = async (data: Uint8Array): Promise<StreamStateHandle> => {
      if (sharedDir === undefined) return { kind: 'bytes', data };
      const path = `${sharedDir}/${randomUUID()}`;
      await getFileSystem(sharedDir).writeFile(path, data);
      return { kind: 'file', path, size: data.byteLength };
    };
    const groups = (k: KeyGroupsSnapshot): Pick<KeyGroupsStateHandle, 'startKeyGroup' | 'endKeyGroup' | 'offsets'> => ({ startKeyGroup: k.startKeyGroup, endKeyGroup: k.endKeyGroup, offsets: k.offsets });
    const operators: Record<number, OperatorSubtaskState> = {};
    try {
      for (const t of taken) {
        const k = t.keyed ? await t.keyed.serialize(slicedYield()) : undefined;
        let keyed: KeyGroupsStateHandle[] = [];
        if (k && 'kind' in k) {
          const fresh: KeyGroupsStateHandle = { ...groups(k.fresh), handle: await storeShared(k.fresh.data), incremental: { kind: k.part, uploadedBy: checkpointId } };
          k.uploaded(fresh);
          keyed = [...k.reused, fresh];
          if (k.timers && k.timers.offsets.some((x) => x >= 0)) keyed.push({ ...groups(k.timers), handle: await store(k.timers.data) });
        } else if (k && k.offsets.some((x) => x >= 0)) {
          keyed = [{ ...groups(k), handle: await store(k.data) }];
        }
        const operator = t.operator ? [{ states: t.operator.states, handle: await store(t.operator.data) }] : [];
        if (keyed.length > 0 || operator.length > 0) operators[t.nodeId] = { keyed, operator };
      }
    } finally {
      for (const t of taken) t.keyed?.release();
    }
    if (channelState) {
      const channels = await channelState.state;
      if (channels.length > 0) {
        const inputChannel = await Promise.all(channels.map(async (c) => ({ channel: c.channel, handle: await store(msgpackArray(c.batches)) })));
        operators[channelState.headNodeId] = { ...(operators[channelState.headNodeId] ?? { keyed: [], operator: [] }), inputChannel };
      }
    }
    return { operators };
  }

  /** The task ends: uploads still running are not acknowledged any more. */
  close(): void { this.closed = true; }
}
