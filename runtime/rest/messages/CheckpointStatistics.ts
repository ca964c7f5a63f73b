// GET /jobs/:jobid/checkpoints, /checkpoints/details/:checkpointid and
// /checkpoints/details/:checkpointid/subtasks/:vertexid (Flink's CheckpointingStatistics,
// CheckpointStatistics, TaskCheckpointStatisticsWithSubtaskDetails): the JSON shapes, and the
// min/max/avg/percentile summary as Flink computes it (StatsSummary + StatsSummaryDto). The values
// come from runtime/checkpoint/CheckpointStatsTracker.ts.

/**
 * Flink's StatsSummaryDto. min/max/avg are whole numbers (avg truncated, like Java's long
 * division), 0 when nothing was recorded. Percentiles are doubles over the last 10,000 values;
 * with no value Flink's Jackson writes Java's NaN as the string "NaN", and so does tsflink.
 */
export interface StatsSummaryDto {
  min: number; max: number; avg: number;
  p50: number | 'NaN'; p90: number | 'NaN'; p95: number | 'NaN'; p99: number | 'NaN'; p999: number | 'NaN';
}

export type CheckpointStatsStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
/** Flink's RestAPICheckpointType (SYNC_SAVEPOINT: the savepoint of a stop-with-savepoint). */
export type RestCheckpointType = 'CHECKPOINT' | 'UNALIGNED_CHECKPOINT' | 'SAVEPOINT' | 'SYNC_SAVEPOINT';

/** One vertex of one checkpoint (Flink's TaskCheckpointStatistics). */
export interface TaskCheckpointStatistics {
  /** The checkpoint id. */
  id: number;
  status: CheckpointStatsStatus;
  /** Ack time of the subtask that acknowledged last; -1 before any did. */
  latest_ack_timestamp: number;
  checkpointed_size: number;
  state_size: number;
  /** latest_ack_timestamp − trigger time; -1 before any subtask acknowledged. */
  end_to_end_duration: number;
  /** Deprecated in Flink, always 0. */
  alignment_buffered: number;
  processed_data: number;
  persisted_data: number;
  num_subtasks: number;
  num_acknowledged_subtasks: number;
}

interface CheckpointStatisticsBase {
  id: number;
  status: CheckpointStatsStatus;
  is_savepoint: boolean;
  /** "CANONICAL" for savepoints, null for checkpoints. */
  savepointFormat: 'CANONICAL' | 'NATIVE' | null;
  trigger_timestamp: number;
  latest_ack_timestamp: number;
  checkpointed_size: number;
  state_size: number;
  end_to_end_duration: number;
  alignment_buffered: number;
  processed_data: number;
  persisted_data: number;
  num_subtasks: number;
  num_acknowledged_subtasks: number;
  checkpoint_type: RestCheckpointType;
  /** Per JobVertex id; empty in /checkpoints (history, latest), filled in /checkpoints/details/:id. */
  tasks: Record<string, TaskCheckpointStatistics>;
}
export interface CompletedCheckpointStatistics extends CheckpointStatisticsBase {
  className: 'completed';
  status: 'COMPLETED';
  external_path: string | null;
  discarded: boolean;
}
export interface FailedCheckpointStatistics extends CheckpointStatisticsBase {
  className: 'failed';
  status: 'FAILED';
  failure_timestamp: number;
  failure_message: string | null;
}
export interface PendingCheckpointStatistics extends CheckpointStatisticsBase {
  className: 'in_progress';
  status: 'IN_PROGRESS';
}
/** Flink's CheckpointStatistics (polymorphic on "className"). */
export type CheckpointStatistics = CompletedCheckpointStatistics | FailedCheckpointStatistics | PendingCheckpointStatistics;

export interface RestoredCheckpointStatistics {
  id: number;
  restore_timestamp: number;
  is_savepoint: boolean;
  external_path: string | null;
}

/** GET /jobs/:jobid/checkpoints. */
export interface CheckpointingStatistics {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  /** Over all completed checkpoints and savepoints; alignment_buffered is always zeros (deprecated). */
  summary: {
    checkpointed_size: StatsSummaryDto;
    state_size: StatsSummaryDto;
    end_to_end_duration: StatsSummaryDto;
    alignment_buffered: StatsSummaryDto;
    processed_data: StatsSummaryDto;
    persisted_data: StatsSummaryDto;
  };
  latest: {
    completed: CompletedCheckpointStatistics | null;
    savepoint: CompletedCheckpointStatistics | null;
    failed: FailedCheckpointStatistics | null;
    restored: RestoredCheckpointStatistics | null;
  };
  /** Newest first, at most web.checkpoints.history entries (in-progress ones included). */
  history: CheckpointStatistics[];
}

export interface PendingSubtaskCheckpointStatistics {
  className: 'pending';
  index: number;
  status: 'pending_or_failed';
}
export interface CompletedSubtaskCheckpointStatistics {
  className: 'completed';
  index: number;
  status: 'completed';
  ack_timestamp: number;
  end_to_end_duration: number;
  checkpointed_size: number;
  state_size: number;
  checkpoint: { sync: number; async: number };
  alignment: { buffered: number; processed: number; persisted: number; duration: number };
  start_delay: number;
  unaligned_checkpoint: boolean;
  aborted: boolean;
}
export type SubtaskCheckpointStatistics = PendingSubtaskCheckpointStatistics | CompletedSubtaskCheckpointStatistics;

/** GET /jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid. */
export interface TaskCheckpointStatisticsWithSubtaskDetails extends TaskCheckpointStatistics {
  /** Over the subtasks that acknowledged. */
  summary: {
    checkpointed_size: StatsSummaryDto;
    state_size: StatsSummaryDto;
    /** Ack time − trigger time of the subtasks. */
    end_to_end_duration: StatsSummaryDto;
    checkpoint_duration: { sync: StatsSummaryDto; async: StatsSummaryDto };
    alignment: { buffered: StatsSummaryDto; processed: StatsSummaryDto; persisted: StatsSummaryDto; duration: StatsSummaryDto };
    start_delay: StatsSummaryDto;
  };
  /** One per subtask, by index; "pending_or_failed" until the subtask acknowledged. */
  subtasks: SubtaskCheckpointStatistics[];
}

/** Flink keeps a sliding window of this many values for the percentiles (HISTOGRAM_WINDOW_SIZE). */
export const HISTOGRAM_WINDOW_SIZE = 10_000;

/**
 * The p-th percentile (0 < p ≤ 100) of `values` as Flink's histograms compute it (Apache
 * Commons Math's Percentile, estimation LEGACY): position p·(n+1)/100 in the sorted values, linear
 * interpolation between its neighbours, clamped to the first and last value; NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  if (n === 1) return sorted[0]!;
  const pos = (p * (n + 1)) / 100;
  if (pos < 1) return sorted[0]!;
  if (pos >= n) return sorted[n - 1]!;
  const lower = sorted[Math.floor(pos) - 1]!;
  const upper = sorted[Math.floor(pos)]!;
  return lower + (pos - Math.floor(pos)) * (upper - lower);
}

const nanAsString = (v: number): number | 'NaN' => (Number.isNaN(v) ? 'NaN' : v);

/** Builds the DTO from min/max/avg and the values kept for the percentiles. */
export function statsSummaryDto(min: number, max: number, avg: number, window: readonly number[]): StatsSummaryDto {
  return {
    min, max, avg,
    p50: nanAsString(percentile(window, 50)),
    p90: nanAsString(percentile(window, 90)),
    p95: nanAsString(percentile(window, 95)),
    p99: nanAsString(percentile(window, 99)),
    p999: nanAsString(percentile(window, 99.9)),
  };
}

/** Flink's `new StatsSummaryDto(0, 0, 0, 0, 0, 0, 0, 0)` of the deprecated alignment_buffered. */
export function zeroStatsSummaryDto(): StatsSummaryDto {
  return { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
}
