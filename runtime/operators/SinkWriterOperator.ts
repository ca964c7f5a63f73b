import { AbstractStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator, StateSnapshotContext } from './StreamOperator.js';
import type { Sink, SinkWriter, CommittingSinkWriter, StatefulSinkWriter, SinkWriterContext, WriterInitContext, Committer } from '../api/connector/Sink.js';
import type { ListState } from '../api/state/State.js';
import { ListStateDescriptor } from '../api/state/StateDescriptor.js';

/** Operator list state holding the writer's own state (StatefulSinkWriter.snapshotState). */
export const WRITER_STATE_NAME = 'sink-writer-state';
/** Operator list state holding the committables not committed yet, each with its checkpoint. */
export const COMMITTABLES_STATE_NAME = 'sink-committables';

/** A committable waiting for its checkpoint to complete; checkpointId null = the next checkpoint (end of input). */
interface HeldCommittable { checkpointId: number | null; committable: unknown }

/**
 * Hosts a Sink V2 writer and, for a two-phase-commit sink, its committer (Flink's SinkWriterOperator
 * and CommitterOperator in one: the committables stay in this subtask, so no extra exchange).
 *
 * Without checkpointing (BATCH, or STREAMING without an interval) the writer flushes at the end
 * of input and everything is committed right there. With checkpointing: on a checkpoint the
 * writer pre-commits (flush(false) + prepareCommit) and its committables and state go into
 * operator state; notifyCheckpointComplete(n) commits those of checkpoints ≤ n. A restored
 * operator commits the committables it finds in state first: they belong to the checkpoint it
 * was restored from, which completed — so commits must be idempotent (Committer contract).
 */
export class SinkWriterOperator<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T> {
  private writer!: SinkWriter<T>;
  private committer: Committer<unknown> | undefined;
  private ts: number | undefined;
  private readonly ctx: SinkWriterContext;
  /** In checkpoint order: what prepareCommit produced and no completed checkpoint covered yet. */
  private held: HeldCommittable[] = [];
  private writerState: ListState<unknown> | undefined;
  private committablesState: ListState<HeldCommittable> | undefined;
  private endOfInput = false;
  /** Highest checkpoint snapshotted before the end of input: the final checkpoint comes after it. */
  private lastSnapshotBeforeEnd = -1;
  /** Commits run one after the other (notifications may overlap while a commit awaits the file system). */
  private commits: Promise<void> = Promise.resolve();

  constructor(private readonly sink: Sink<T, unknown, unknown>) {
    super();
    const self = this;
    this.ctx = { timestamp: () => self.ts ?? null, currentWatermark: () => self.currentWatermark };
  }

  private initContext(): WriterInitContext {
    const p = this.params;
    return { getTaskInfo: () => p.taskInfo, metricGroup: () => p.metricGroup, runtimeMode: () => p.runtimeMode };
  }

  /** Creates (or, from restored state, restores) the writer, as Flink does before open(). */
  override async initializeState(): Promise<void> {
    const store = this.params.operatorStateStore;
    this.writerState = store.getListState(new ListStateDescriptor<unknown>(WRITER_STATE_NAME));
    this.committablesState = store.getListState(new ListStateDescriptor<HeldCommittable>(COMMITTABLES_STATE_NAME));
    if (!store.isRestored()) {
      this.writer = this.sink.createWriter(this.initContext());
      return;
    }
    const states = [...this.writerState.get()];
    this.writer = this.sink.restoreWriter ? await this.sink.restoreWriter(this.initContext(), states) : this.sink.createWriter(this.initContext());
    const restored = [...this.committablesState.get()].sort((a, b) => (a.checkpointId ?? Infinity) - (b.checkpointId ?? Infinity));
    for (const h of restored) if (h.checkpointId !== null) this.lastSnapshotBeforeEnd = Math.max(this.lastSnapshotBeforeEnd, h.checkpointId);
    if (restored.length > 0) {
      if (!this.sink.createCommitter) {
        throw new Error(`Operator '${this.params.operatorName}': restored state holds ${restored.length} committable(s), but the sink has no createCommitter().`);
      }
      await this.commit(restored.map((h) => h.committable));
    }
    // Committed: the next snapshot must not carry them again (a second commit would be harmless, but is work).
    this.committablesState.clear();
  }

  override open(): void {
    // An operator driven without initializeState (it has no state then) still gets a writer.
    this.writer ??= this.sink.createWriter(this.initContext());
  }

  processElement(value: T, timestamp: number | undefined): void {
    this.ts = timestamp;
    this.writer.write(value, this.ctx);
  }

  override processWatermark(mark: number): void {
    this.currentWatermark = mark;
    this.writer.writeWatermark?.(mark);
  }

  private get twoPhase(): boolean {
    return typeof (this.writer as Partial<CommittingSinkWriter<T, unknown>>).prepareCommit === 'function' && this.sink.createCommitter !== undefined;
  }

  override async snapshotState(ctx: StateSnapshotContext): Promise<void> {
    if (!this.endOfInput) {
      // Flink: flush, then the pre-commit turns what the writer closed into committables of this checkpoint.
      await this.writer.flush(false);
      if (this.twoPhase) {
        const committables = await (this.writer as CommittingSinkWriter<T, unknown>).prepareCommit();
        for (const c of committables) this.held.push({ checkpointId: ctx.checkpointId, committable: c });
      }
      this.lastSnapshotBeforeEnd = ctx.checkpointId;
    }
    // The end-of-input committables belong to the first checkpoint after finish(): this one.
    for (const h of this.held) if (h.checkpointId === null) h.checkpointId = ctx.checkpointId;
    const w = this.writer as Partial<StatefulSinkWriter<T, unknown>>;
    if (this.writerState) this.writerState.update(typeof w.snapshotState === 'function' ? await w.snapshotState(ctx.checkpointId) : []);
    this.committablesState?.update(this.held.map((h) => ({ checkpointId: h.checkpointId, committable: h.committable })));
  }

  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    // The final checkpoint may complete without snapshotState having run on this (finished) operator.
    const due = (h: HeldCommittable): boolean => (h.checkpointId === null ? checkpointId > this.lastSnapshotBeforeEnd : h.checkpointId <= checkpointId);
    const ready = this.held.filter(due);
    if (ready.length === 0) return;
    await this.commit(ready.map((h) => h.committable));
    // Dropped only once committed: a failed commit is retried from state after the restart.
    this.held = this.held.filter((h) => !ready.includes(h));
  }

  /** Aborted checkpoints change nothing: their committables are committed with the next completed checkpoint. */
  override notifyCheckpointAborted(_checkpointId: number): void {}

  private commit(committables: unknown[]): Promise<void> {
    const run = this.commits.then(async () => {
      this.committer ??= this.sink.createCommitter!();
      await this.committer.commit(committables);
    });
    this.commits = run.catch(() => undefined);
    return run;
  }

  override async finish(): Promise<void> {
    await this.writer.flush(true);
    this.endOfInput = true;
    if (!this.twoPhase) return;
    const committables = await (this.writer as CommittingSinkWriter<T, unknown>).prepareCommit();
    if (this.params.checkpointingEnabled && this.params.finalCheckpoint !== false) {
      // Exactly once: visible only when the final checkpoint completes (it also stores them, for a failure before that).
      for (const c of committables) this.held.push({ checkpointId: null, committable: c });
      return;
    }
    const committer = this.sink.createCommitter!();
    try { await committer.commit(committables); } finally { await committer.close(); }
  }

  override async close(): Promise<void> {
    try {
      await this.writer?.close();
    } finally {
      await this.commits;
      await this.committer?.close();
      await super.close();
    }
  }
}
