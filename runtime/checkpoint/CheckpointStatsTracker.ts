// Statistics of a job's checkpoints (Flink's DefaultCheckpointStatsTracker with its
// CheckpointStatsCounts, CheckpointStatsHistory, CompletedCheckpointStatsSummary, PendingCheckpointStats,
// TaskStateStats and SubtaskStateStats): the CheckpointCoordinator reports triggers, acknowledgements,
// completions, failures and restores; the REST handlers read Flink's JSON shapes, and the job
// metrics read the latest values.
import {
  type CheckpointStatistics, type CheckpointStatsStatus, type CheckpointingStatistics, type CompletedCheckpointStatistics,
  type FailedCheckpointStatistics, type RestCheckpointType, type StatsSummaryDto, type SubtaskCheckpointStatistics,
  type TaskCheckpointStatistics, type TaskCheckpointStatisticsWithSubtaskDetails,
  HISTOGRAM_WINDOW_SIZE, statsSummaryDto, zeroStatsSummaryDto,
} from '../rest/messages/CheckpointStatistics.js';

/** SYNC_SAVEPOINT: the savepoint of a stop-with-savepoint. */
export type CheckpointType = 'CHECKPOINT' | 'FULL_CHECKPOINT' | 'SAVEPOINT' | 'SYNC_SAVEPOINT';

/** What a subtask reports with its acknowledgement (Flink's CheckpointMetrics); ms and bytes. */
export interface SubtaskAckMetrics {
  ackTimestamp: number;
  /** Full state size of the subtask. */
  stateSize: number;
  /** Bytes written by this checkpoint (smaller than stateSize for incremental ones); default stateSize. */
  checkpointedSize?: number;
  alignmentDurationMs: number;
  syncDurationMs: number;
  asyncDurationMs: number;
  /** Bytes processed during the alignment. */
  processedData?: number;
  /** Bytes of in-flight data persisted (unaligned checkpoints). */
  persistedData?: number;
  /** The subtask took the checkpoint unaligned. */
  unaligned?: boolean;
  /** Time from the trigger to the first barrier reaching the subtask (Flink's checkpointStartDelay). */
  startDelayMs?: number;
}

/** Default of web.checkpoints.history. */
export const DEFAULT_NUM_REMEMBERED_CHECKPOINTS = 10;

const int = (v: number | undefined): number => (v === undefined || !Number.isFinite(v) ? 0 : Math.round(v));

/** Flink's StatsSummary: min/max/sum/count of the values ≥ 0, and a sliding window for percentiles. */
class StatsSummary {
  private min = 0;
  private max = 0;
  private sum = 0;
  private count = 0;
  private readonly window: number[] = [];
  private next = 0;

  add(value: number): void {
    if (!(value >= 0)) return;
    if (this.count > 0) {
      this.min = Math.min(this.min, value);
      this.max = Math.max(this.max, value);
    } else {
      this.min = value;
      this.max = value;
    }
    this.count++;
    this.sum += value;
    if (this.window.length < HISTOGRAM_WINDOW_SIZE) this.window.push(value);
    else { this.window[this.next] = value; this.next = (this.next + 1) % HISTOGRAM_WINDOW_SIZE; }
  }

  get total(): number { return this.sum; }

  dto(): StatsSummaryDto {
    // Java's long division truncates.
    return statsSummaryDto(this.min, this.max, this.count === 0 ? 0 : Math.trunc(this.sum / this.count), this.window);
  }
}

interface SubtaskStats {
  readonly index: number;
  readonly ackTimestamp: number;
  readonly checkpointedSize: number;
  readonly stateSize: number;
  readonly syncDurationMs: number;
  readonly asyncDurationMs: number;
  readonly processedData: number;
  readonly persistedData: number;
  readonly alignmentDurationMs: number;
  readonly startDelayMs: number;
  readonly unaligned: boolean;
}

/** One vertex of one checkpoint (Flink's TaskStateStats). */
class TaskStats {
  readonly subtasks: Array<SubtaskStats | undefined>;
  numAcknowledged = 0;
  latest: SubtaskStats | undefined;
  readonly summary = {
    checkpointedSize: new StatsSummary(), stateSize: new StatsSummary(), endToEnd: new StatsSummary(),
    sync: new StatsSummary(), async: new StatsSummary(), processed: new StatsSummary(), persisted: new StatsSummary(),
    alignment: new StatsSummary(), startDelay: new StatsSummary(),
  };

  constructor(readonly vertexId: string, parallelism: number) {
    this.subtasks = new Array<SubtaskStats | undefined>(parallelism).fill(undefined);
  }

  /** false for an index out of range or a second report of the same subtask. */
  report(s: SubtaskStats, triggerTimestamp: number): boolean {
    if (s.index < 0 || s.index >= this.subtasks.length || this.subtasks[s.index] !== undefined) return false;
    this.subtasks[s.index] = s;
    this.numAcknowledged++;
    this.latest = s;
    const m = this.summary;
    m.checkpointedSize.add(s.checkpointedSize);
    m.stateSize.add(s.stateSize);
    m.endToEnd.add(Math.max(0, s.ackTimestamp - triggerTimestamp));
    m.sync.add(s.syncDurationMs);
    m.async.add(s.asyncDurationMs);
    m.processed.add(s.processedData);
    m.persisted.add(s.persistedData);
    m.alignment.add(s.alignmentDurationMs);
    m.startDelay.add(s.startDelayMs);
    return true;
  }
}

/** One checkpoint, in progress, completed or failed (Flink's Pending/Completed/FailedCheckpointStats). */
class CheckpointStats {
  status: CheckpointStatsStatus = 'IN_PROGRESS';
  readonly tasks = new Map<string, TaskStats>();
  readonly numSubtasks: number;
  numAcknowledged = 0;
  latest: SubtaskStats | undefined;
  checkpointedSize = 0;
  stateSize = 0;
  processedData = 0;
  persistedData = 0;
  externalPath: string | null = null;
  failureTimestamp = -1;
  failureMessage: string | null = null;

  constructor(readonly id: number, readonly triggerTimestamp: number, readonly type: CheckpointType, public unaligned: boolean, subtasksPerVertex: ReadonlyMap<string, number>) {
    let n = 0;
    for (const [vertexId, parallelism] of subtasksPerVertex) {
      this.tasks.set(vertexId, new TaskStats(vertexId, parallelism));
      n += parallelism;
    }
    this.numSubtasks = n;
  }

  get isSavepoint(): boolean { return this.type === 'SAVEPOINT' || this.type === 'SYNC_SAVEPOINT'; }

  report(vertexId: string, s: SubtaskStats): boolean {
    const task = this.tasks.get(vertexId);
    if (!task?.report(s, this.triggerTimestamp)) return false;
    this.numAcknowledged++;
    this.latest = s;
    this.checkpointedSize += s.checkpointedSize;
    this.stateSize += s.stateSize;
    if (s.processedData > 0) this.processedData += s.processedData;
    if (s.persistedData > 0) this.persistedData += s.persistedData;
    this.unaligned ||= s.unaligned;
    return true;
  }

  get latestAckTimestamp(): number { return this.latest?.ackTimestamp ?? -1; }

  /** Latest ack − trigger (failed: failure − trigger); -1 while no subtask acknowledged. */
  get endToEndDuration(): number {
    if (this.status === 'FAILED') return Math.max(0, this.failureTimestamp - this.triggerTimestamp);
    return this.latest ? Math.max(0, this.latest.ackTimestamp - this.triggerTimestamp) : -1;
  }

  get restType(): RestCheckpointType {
    if (this.isSavepoint) return this.type === 'SYNC_SAVEPOINT' ? 'SYNC_SAVEPOINT' : 'SAVEPOINT';
    return this.unaligned ? 'UNALIGNED_CHECKPOINT' : 'CHECKPOINT';
  }
}

function taskJson(cp: CheckpointStats, t: TaskStats): TaskCheckpointStatistics {
  return {
    id: cp.id,
    status: cp.status,
    latest_ack_timestamp: t.latest?.ackTimestamp ?? -1,
    checkpointed_size: t.summary.checkpointedSize.total,
    state_size: t.summary.stateSize.total,
    end_to_end_duration: t.latest ? Math.max(0, t.latest.ackTimestamp - cp.triggerTimestamp) : -1,
    alignment_buffered: 0,
    processed_data: t.summary.processed.total,
    persisted_data: t.summary.persisted.total,
    num_subtasks: t.subtasks.length,
    num_acknowledged_subtasks: t.numAcknowledged,
  };
}

function checkpointJson(cp: CheckpointStats, includeTasks: boolean): CheckpointStatistics {
  const tasks: Record<string, TaskCheckpointStatistics> = {};
  if (includeTasks) for (const [id, t] of cp.tasks) tasks[id] = taskJson(cp, t);
  const base = {
    id: cp.id,
    is_savepoint: cp.isSavepoint,
    savepointFormat: cp.isSavepoint ? 'CANONICAL' as const : null,
    trigger_timestamp: cp.triggerTimestamp,
    latest_ack_timestamp: cp.latestAckTimestamp,
    checkpointed_size: cp.checkpointedSize,
    state_size: cp.stateSize,
    end_to_end_duration: cp.endToEndDuration,
    alignment_buffered: 0,
    processed_data: cp.processedData,
    persisted_data: cp.persistedData,
    num_subtasks: cp.numSubtasks,
    num_acknowledged_subtasks: cp.numAcknowledged,
    checkpoint_type: cp.restType,
    tasks,
  };
  switch (cp.status) {
    case 'COMPLETED': return { className: 'completed', ...base, status: 'COMPLETED', external_path: cp.externalPath, discarded: false };
    case 'FAILED': return { className: 'failed', ...base, status: 'FAILED', failure_timestamp: cp.failureTimestamp, failure_message: cp.failureMessage };
    default: return { className: 'in_progress', ...base, status: 'IN_PROGRESS' };
  }
}

function subtaskJson(cp: CheckpointStats, s: SubtaskStats | undefined, index: number): SubtaskCheckpointStatistics {
  if (!s) return { className: 'pending', index, status: 'pending_or_failed' };
  return {
    className: 'completed',
    index,
    status: 'completed',
    ack_timestamp: s.ackTimestamp,
    end_to_end_duration: Math.max(0, s.ackTimestamp - cp.triggerTimestamp),
    checkpointed_size: s.checkpointedSize,
    state_size: s.stateSize,
    checkpoint: { sync: s.syncDurationMs, async: s.asyncDurationMs },
    alignment: { buffered: 0, processed: s.processedData, persisted: s.persistedData, duration: s.alignmentDurationMs },
    start_delay: s.startDelayMs,
    unaligned_checkpoint: s.unaligned,
    aborted: false,
  };
}

export class CheckpointStatsTracker {
  private readonly maxHistory: number;
  /** Newest first (by trigger), at most maxHistory entries; entries change status in place. */
  private readonly history: CheckpointStats[] = [];
  /** In-progress checkpoints, also those pushed out of the history (they still get acks). */
  private readonly pending = new Map<number, CheckpointStats>();
  private numRestored = 0;
  private numTotal = 0;
  private numInProgress = 0;
  private numCompleted = 0;
  private numFailed = 0;
  private readonly summary = {
    checkpointedSize: new StatsSummary(), stateSize: new StatsSummary(), endToEnd: new StatsSummary(),
    processed: new StatsSummary(), persisted: new StatsSummary(),
  };
  private latestCompleted: CheckpointStats | undefined;
  private latestSavepoint: CheckpointStats | undefined;
  private latestFailed: CheckpointStats | undefined;
  /** Latest completed checkpoint or savepoint: the job metrics' "last checkpoint". */
  private lastCompleted: CheckpointStats | undefined;
  private restored: { id: number; timestamp: number; externalPath: string | null; isSavepoint: boolean } | undefined;

  /** @param numRememberedCheckpoints history size, in-progress checkpoints included (web.checkpoints.history). */
  constructor(numRememberedCheckpoints: number = DEFAULT_NUM_REMEMBERED_CHECKPOINTS) {
    if (!(Number.isInteger(numRememberedCheckpoints) && numRememberedCheckpoints >= 0)) {
      throw new Error(`Invalid number of remembered checkpoints ${numRememberedCheckpoints}: expected an integer ≥ 0.`);
    }
    this.maxHistory = numRememberedCheckpoints;
  }

  // ---- reports (from the CheckpointCoordinator) -----------------------------------------------

  reportPendingCheckpoint(checkpointId: number, triggerTimestamp: number, type: CheckpointType, unaligned: boolean, subtasksPerVertex: ReadonlyMap<string, number>): void {
    if (this.pending.has(checkpointId)) return;
    const cp = new CheckpointStats(checkpointId, int(triggerTimestamp), type, unaligned, subtasksPerVertex);
    this.pending.set(checkpointId, cp);
    this.numTotal++;
    this.numInProgress++;
    if (this.maxHistory === 0) return;
    this.history.unshift(cp);
    if (this.history.length > this.maxHistory) this.history.length = this.maxHistory;
  }

  /** Ignored for an unknown or finished checkpoint, an unknown vertex, or a subtask that already acknowledged. */
  reportSubtaskAck(checkpointId: number, vertexId: string, subtaskIndex: number, m: SubtaskAckMetrics): void {
    const cp = this.pending.get(checkpointId);
    if (!cp) return;
    cp.report(vertexId, {
      index: subtaskIndex,
      ackTimestamp: int(m.ackTimestamp),
      checkpointedSize: int(m.checkpointedSize ?? m.stateSize),
      stateSize: int(m.stateSize),
      syncDurationMs: int(m.syncDurationMs),
      asyncDurationMs: int(m.asyncDurationMs),
      processedData: int(m.processedData),
      persistedData: int(m.persistedData),
      alignmentDurationMs: int(m.alignmentDurationMs),
      startDelayMs: int(m.startDelayMs),
      unaligned: m.unaligned ?? false,
    });
  }

  /** Like Flink, the end-to-end duration is that of the last acknowledgement (completionTimestamp is not part of the statistics). */
  reportCompletedCheckpoint(checkpointId: number, _completionTimestamp: number, externalPath: string | null): void {
    const cp = this.pending.get(checkpointId);
    if (!cp) return;
    this.pending.delete(checkpointId);
    cp.status = 'COMPLETED';
    cp.externalPath = externalPath;
    this.numInProgress--;
    this.numCompleted++;
    if (cp.isSavepoint) {
      if (!this.latestSavepoint || cp.id > this.latestSavepoint.id) this.latestSavepoint = cp;
    } else if (!this.latestCompleted || cp.id > this.latestCompleted.id) {
      this.latestCompleted = cp;
    }
    this.lastCompleted = cp;
    const s = this.summary;
    s.checkpointedSize.add(cp.checkpointedSize);
    s.stateSize.add(cp.stateSize);
    s.endToEnd.add(cp.endToEndDuration);
    s.processed.add(cp.processedData);
    s.persisted.add(cp.persistedData);
  }

  reportFailedCheckpoint(checkpointId: number, failureTimestamp: number, failureMessage: string): void {
    const cp = this.pending.get(checkpointId);
    if (!cp) return;
    this.pending.delete(checkpointId);
    cp.status = 'FAILED';
    cp.failureTimestamp = int(failureTimestamp);
    cp.failureMessage = failureMessage;
    this.numInProgress--;
    this.numFailed++;
    if (!this.latestFailed || cp.id > this.latestFailed.id) this.latestFailed = cp;
  }

  /** Failed before it was even triggered (e.g. a task was not running): counts as failed, no history entry detail. */
  reportFailedCheckpointsWithoutInProgress(): void {
    this.numTotal++;
    this.numFailed++;
  }

  reportRestoredCheckpoint(checkpointId: number, restoreTimestamp: number, externalPath: string | null, isSavepoint: boolean): void {
    this.numRestored++;
    this.restored = { id: checkpointId, timestamp: int(restoreTimestamp), externalPath, isSavepoint };
  }

  // ---- read side: Flink's REST JSON ------------------------------------------------------------

  /** GET /jobs/:jobid/checkpoints. */
  checkpointingStatistics(): CheckpointingStatistics {
    const s = this.summary;
    return {
      counts: { restored: this.numRestored, total: this.numTotal, in_progress: this.numInProgress, completed: this.numCompleted, failed: this.numFailed },
      summary: {
        checkpointed_size: s.checkpointedSize.dto(),
        state_size: s.stateSize.dto(),
        end_to_end_duration: s.endToEnd.dto(),
        alignment_buffered: zeroStatsSummaryDto(),
        processed_data: s.processed.dto(),
        persisted_data: s.persisted.dto(),
      },
      latest: {
        completed: this.latestCompleted ? checkpointJson(this.latestCompleted, false) as CompletedCheckpointStatistics : null,
        savepoint: this.latestSavepoint ? checkpointJson(this.latestSavepoint, false) as CompletedCheckpointStatistics : null,
        failed: this.latestFailed ? checkpointJson(this.latestFailed, false) as FailedCheckpointStatistics : null,
        restored: this.restored
          ? { id: this.restored.id, restore_timestamp: this.restored.timestamp, is_savepoint: this.restored.isSavepoint, external_path: this.restored.externalPath }
          : null,
      },
      history: this.history.map((cp) => checkpointJson(cp, false)),
    };
  }

  /** GET /jobs/:jobid/checkpoints/details/:checkpointid: checkpoints in the history and the latest completed/savepoint/failed ones. */
  checkpointDetails(checkpointId: number): CheckpointStatistics | undefined {
    const cp = this.find(checkpointId);
    return cp ? checkpointJson(cp, true) : undefined;
  }

  /** GET …/details/:checkpointid/subtasks/:vertexid; undefined for an unknown checkpoint or a vertex it does not have. */
  taskCheckpointStatisticsWithSubtaskDetails(checkpointId: number, vertexId: string): TaskCheckpointStatisticsWithSubtaskDetails | undefined {
    const cp = this.find(checkpointId);
    const t = cp?.tasks.get(vertexId);
    if (!cp || !t) return undefined;
    const m = t.summary;
    return {
      ...taskJson(cp, t),
      summary: {
        checkpointed_size: m.checkpointedSize.dto(),
        state_size: m.stateSize.dto(),
        end_to_end_duration: m.endToEnd.dto(),
        checkpoint_duration: { sync: m.sync.dto(), async: m.async.dto() },
        alignment: { buffered: zeroStatsSummaryDto(), processed: m.processed.dto(), persisted: m.persisted.dto(), duration: m.alignment.dto() },
        start_delay: m.startDelay.dto(),
      },
      subtasks: t.subtasks.map((s, i) => subtaskJson(cp, s, i)),
    };
  }

  /**
   * The job's checkpoint metrics (Flink's names). last* describe the latest completed checkpoint or
   * savepoint, -1 before there is one; lastCheckpointRestoreTimestamp is -1 until a restore.
   */
  metrics(): Record<string, number> {
    const last = this.lastCompleted;
    return {
      totalNumberOfCheckpoints: this.numTotal,
      numberOfInProgressCheckpoints: this.numInProgress,
      numberOfCompletedCheckpoints: this.numCompleted,
      numberOfFailedCheckpoints: this.numFailed,
      lastCheckpointRestoreTimestamp: this.restored?.timestamp ?? -1,
      lastCheckpointSize: last ? last.checkpointedSize : -1,
      lastCheckpointFullSize: last ? last.stateSize : -1,
      lastCheckpointDuration: last ? last.endToEndDuration : -1,
      lastCheckpointProcessedData: last ? last.processedData : -1,
      lastCheckpointPersistedData: last ? last.persistedData : -1,
      lastCompletedCheckpointId: last ? last.id : -1,
    };
  }

  /** Flink's lastCheckpointExternalPath gauge (a string, so not in metrics()): "n/a" without one. */
  lastCheckpointExternalPath(): string {
    return this.lastCompleted?.externalPath ?? 'n/a';
  }

  private find(checkpointId: number): CheckpointStats | undefined {
    return this.history.find((cp) => cp.id === checkpointId)
      ?? [this.latestCompleted, this.latestSavepoint, this.latestFailed].find((cp) => cp?.id === checkpointId);
  }
}
