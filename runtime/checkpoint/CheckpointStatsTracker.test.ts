// CheckpointStatsTracker (Flink's DefaultCheckpointStatsTracker): counts, bounded history, the
// completed-checkpoint summary, in-progress → completed/failed transitions, per-task and
// per-subtask details, and the job metrics — fed as the CheckpointCoordinator feeds it.
import { describe, expect, it } from 'vitest';
import { CheckpointStatsTracker, type CheckpointType, type SubtaskAckMetrics } from './CheckpointStatsTracker.js';
import { percentile } from '../rest/messages/CheckpointStatistics.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
/** Vertex A with 2 subtasks, B with 3. */
const VERTICES = new Map([[A, 2], [B, 3]]);
const T0 = 1_000_000;

function ack(at: number, stateSize: number, extra: Partial<SubtaskAckMetrics> = {}): SubtaskAckMetrics {
  return { ackTimestamp: at, stateSize, alignmentDurationMs: 1, syncDurationMs: 2, asyncDurationMs: 3, ...extra };
}

/** Triggers `id` at T0 + 1000·id and acknowledges every subtask; each subtask's state is `size`. */
function complete(t: CheckpointStatsTracker, id: number, size: number, opts: { delay?: number; type?: CheckpointType; path?: string } = {}): void {
  const trigger = T0 + 1000 * id;
  t.reportPendingCheckpoint(id, trigger, opts.type ?? 'CHECKPOINT', false, VERTICES);
  for (const [v, n] of VERTICES) for (let i = 0; i < n; i++) t.reportSubtaskAck(id, v, i, ack(trigger + (opts.delay ?? 10), size));
  t.reportCompletedCheckpoint(id, trigger + (opts.delay ?? 10) + 1, opts.path ?? `file:///cp/chk-${id}`);
}

describe('CheckpointStatsTracker', () => {
  it('rejects a bad history size', () => {
    expect(() => new CheckpointStatsTracker(-1)).toThrow(/remembered checkpoints -1/);
    expect(() => new CheckpointStatsTracker(1.5)).toThrow(/expected an integer/);
  });

  it('counts: in progress while pending, then completed; total counts every trigger', () => {
    const t = new CheckpointStatsTracker();
    expect(t.checkpointingStatistics().counts).toEqual({ restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 });
    t.reportPendingCheckpoint(1, T0, 'CHECKPOINT', false, VERTICES);
    t.reportPendingCheckpoint(2, T0 + 5, 'CHECKPOINT', false, VERTICES);
    // A second report of the same id changes nothing.
    t.reportPendingCheckpoint(1, T0, 'CHECKPOINT', false, VERTICES);
    expect(t.checkpointingStatistics().counts).toEqual({ restored: 0, total: 2, in_progress: 2, completed: 0, failed: 0 });
    t.reportCompletedCheckpoint(1, T0 + 50, null);
    t.reportFailedCheckpoint(2, T0 + 60, 'Checkpoint expired before completing.');
    expect(t.checkpointingStatistics().counts).toEqual({ restored: 0, total: 2, in_progress: 0, completed: 1, failed: 1 });
    // Finished checkpoints do not change again.
    t.reportFailedCheckpoint(1, T0 + 70, 'late');
    t.reportCompletedCheckpoint(2, T0 + 70, null);
    t.reportCompletedCheckpoint(99, T0 + 70, null);
    expect(t.checkpointingStatistics().counts).toEqual({ restored: 0, total: 2, in_progress: 0, completed: 1, failed: 1 });
    // Failed before being triggered (no statistics entry).
    t.reportFailedCheckpointsWithoutInProgress();
    expect(t.checkpointingStatistics().counts).toEqual({ restored: 0, total: 3, in_progress: 0, completed: 1, failed: 2 });
    expect(t.checkpointingStatistics().history.map((h) => h.id)).toEqual([2, 1]);
  });

  it('history: newest first, at most numRememberedCheckpoints; checkpoints pushed out still complete', () => {
    const t = new CheckpointStatsTracker(3);
    for (let id = 1; id <= 5; id++) t.reportPendingCheckpoint(id, T0 + id, 'CHECKPOINT', false, VERTICES);
    const s = t.checkpointingStatistics();
    expect(s.history.map((h) => [h.id, h.status, h.className])).toEqual([[5, 'IN_PROGRESS', 'in_progress'], [4, 'IN_PROGRESS', 'in_progress'], [3, 'IN_PROGRESS', 'in_progress']]);
    // Checkpoint 1 left the history but is still pending: its acks and completion count.
    for (const [v, n] of VERTICES) for (let i = 0; i < n; i++) t.reportSubtaskAck(1, v, i, ack(T0 + 40, 7));
    t.reportCompletedCheckpoint(1, T0 + 41, 'file:///cp/chk-1');
    const after = t.checkpointingStatistics();
    expect(after.counts).toMatchObject({ total: 5, in_progress: 4, completed: 1 });
    expect(after.latest.completed).toMatchObject({ id: 1, state_size: 35, end_to_end_duration: 39, external_path: 'file:///cp/chk-1' });
    // Details of the latest completed one stay available although it is not in the history.
    expect(t.checkpointDetails(1)).toMatchObject({ id: 1, status: 'COMPLETED' });
    expect(t.checkpointDetails(2)).toBeUndefined();
    // In-progress entries change status in place.
    t.reportFailedCheckpoint(4, T0 + 100, 'declined');
    expect(t.checkpointingStatistics().history.map((h) => h.status)).toEqual(['IN_PROGRESS', 'FAILED', 'IN_PROGRESS']);

    const none = new CheckpointStatsTracker(0);
    complete(none, 1, 10);
    expect(none.checkpointingStatistics().history).toEqual([]);
    expect(none.checkpointingStatistics().counts.completed).toBe(1);
    expect(none.checkpointingStatistics().latest.completed?.id).toBe(1);
  });

  it('summary: min/max/avg (avg truncated like Java) and percentiles over completed checkpoints only', () => {
    const t = new CheckpointStatsTracker();
    const empty = t.checkpointingStatistics().summary;
    expect(empty.state_size).toEqual({ min: 0, max: 0, avg: 0, p50: 'NaN', p90: 'NaN', p95: 'NaN', p99: 'NaN', p999: 'NaN' });
    expect(empty.alignment_buffered).toEqual({ min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 });
    // Per subtask 10, 30, 21 → per checkpoint (5 subtasks) 50, 150, 105.
    complete(t, 1, 10, { delay: 100 });
    complete(t, 2, 30, { delay: 300 });
    complete(t, 3, 21, { delay: 200 });
    // A failed checkpoint does not enter the summary.
    t.reportPendingCheckpoint(4, T0 + 4000, 'CHECKPOINT', false, VERTICES);
    t.reportSubtaskAck(4, A, 0, ack(T0 + 4000 + 900, 1_000_000));
    t.reportFailedCheckpoint(4, T0 + 5000, 'expired');
    const s = t.checkpointingStatistics().summary;
    expect(s.state_size).toMatchObject({ min: 50, max: 150, avg: 101 });
    expect(s.checkpointed_size).toMatchObject({ min: 50, max: 150, avg: 101 });
    expect(s.state_size.p50).toBe(105);
    expect(s.end_to_end_duration).toMatchObject({ min: 100, max: 300, avg: 200, p50: 200 });
    expect(s.processed_data).toMatchObject({ min: 0, max: 0, avg: 0 });
  });

  it('percentile: Commons Math LEGACY estimation as Flink reports it', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(values, 50)).toBeCloseTo(5.5);
    expect(percentile(values, 90)).toBeCloseTo(9.9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile([42], 99.9)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
  });

  it('failed checkpoints: latest.failed with the message and failure time; duration up to the failure', () => {
    const t = new CheckpointStatsTracker();
    t.reportPendingCheckpoint(1, T0, 'CHECKPOINT', false, VERTICES);
    t.reportSubtaskAck(1, A, 1, ack(T0 + 5, 4));
    t.reportFailedCheckpoint(1, T0 + 80, 'Checkpoint was declined (task is closing).');
    const f = t.checkpointingStatistics().latest.failed!;
    expect(f).toMatchObject({ className: 'failed', id: 1, status: 'FAILED', failure_timestamp: T0 + 80, failure_message: 'Checkpoint was declined (task is closing).',
      end_to_end_duration: 80, num_subtasks: 5, num_acknowledged_subtasks: 1, state_size: 4, latest_ack_timestamp: T0 + 5 });
    expect(Object.keys(f).sort()).toEqual(['alignment_buffered', 'checkpoint_type', 'checkpointed_size', 'className', 'end_to_end_duration', 'failure_message', 'failure_timestamp', 'id', 'is_savepoint',
      'latest_ack_timestamp', 'num_acknowledged_subtasks', 'num_subtasks', 'persisted_data', 'processed_data', 'savepointFormat', 'state_size', 'status', 'tasks', 'trigger_timestamp']);
    // A later ack of a failed checkpoint is ignored.
    t.reportSubtaskAck(1, A, 0, ack(T0 + 90, 4));
    expect(t.checkpointDetails(1)!.num_acknowledged_subtasks).toBe(1);
    expect(t.checkpointingStatistics().latest.completed).toBeNull();
  });

  it('in-progress details: no end-to-end duration before the first ack; per-task progress', () => {
    const t = new CheckpointStatsTracker();
    t.reportPendingCheckpoint(1, T0, 'CHECKPOINT', false, VERTICES);
    const d0 = t.checkpointDetails(1)!;
    expect(d0).toMatchObject({ className: 'in_progress', status: 'IN_PROGRESS', end_to_end_duration: -1, latest_ack_timestamp: -1, num_acknowledged_subtasks: 0, num_subtasks: 5 });
    expect(d0.tasks[A]).toMatchObject({ id: 1, status: 'IN_PROGRESS', num_subtasks: 2, num_acknowledged_subtasks: 0, end_to_end_duration: -1, latest_ack_timestamp: -1 });
    t.reportSubtaskAck(1, B, 2, ack(T0 + 30, 9, { checkpointedSize: 3, processedData: 100, persistedData: 7 }));
    const d1 = t.checkpointDetails(1)!;
    expect(d1).toMatchObject({ end_to_end_duration: 30, num_acknowledged_subtasks: 1, state_size: 9, checkpointed_size: 3, processed_data: 100, persisted_data: 7 });
    expect(d1.tasks[B]).toMatchObject({ num_acknowledged_subtasks: 1, state_size: 9, checkpointed_size: 3, end_to_end_duration: 30, latest_ack_timestamp: T0 + 30 });
    expect(d1.tasks[A]!.num_acknowledged_subtasks).toBe(0);
    // The list (history, latest) leaves tasks empty, as Flink's.
    expect(t.checkpointingStatistics().history[0]!.tasks).toEqual({});
  });

  it('subtask details: completed and pending subtasks by index, summary over the acknowledged ones', () => {
    const t = new CheckpointStatsTracker();
    t.reportPendingCheckpoint(7, T0, 'CHECKPOINT', false, VERTICES);
    t.reportSubtaskAck(7, B, 0, ack(T0 + 10, 100, { syncDurationMs: 1, asyncDurationMs: 10, alignmentDurationMs: 4, startDelayMs: 2, processedData: 50 }));
    t.reportSubtaskAck(7, B, 2, ack(T0 + 40, 300, { syncDurationMs: 3, asyncDurationMs: 30, alignmentDurationMs: 8, startDelayMs: 6, unaligned: true }));
    // Ignored: a second ack of subtask 0, an index out of range, an unknown vertex, an unknown checkpoint.
    t.reportSubtaskAck(7, B, 0, ack(T0 + 50, 999));
    t.reportSubtaskAck(7, B, 3, ack(T0 + 50, 999));
    t.reportSubtaskAck(7, 'c'.repeat(32), 0, ack(T0 + 50, 999));
    t.reportSubtaskAck(8, B, 1, ack(T0 + 50, 999));
    const d = t.taskCheckpointStatisticsWithSubtaskDetails(7, B)!;
    expect(d).toMatchObject({ id: 7, status: 'IN_PROGRESS', num_subtasks: 3, num_acknowledged_subtasks: 2, state_size: 400, end_to_end_duration: 40, latest_ack_timestamp: T0 + 40 });
    expect(d.subtasks).toEqual([
      { className: 'completed', index: 0, status: 'completed', ack_timestamp: T0 + 10, end_to_end_duration: 10, checkpointed_size: 100, state_size: 100,
        checkpoint: { sync: 1, async: 10 }, alignment: { buffered: 0, processed: 50, persisted: 0, duration: 4 }, start_delay: 2, unaligned_checkpoint: false, aborted: false },
      { className: 'pending', index: 1, status: 'pending_or_failed' },
      { className: 'completed', index: 2, status: 'completed', ack_timestamp: T0 + 40, end_to_end_duration: 40, checkpointed_size: 300, state_size: 300,
        checkpoint: { sync: 3, async: 30 }, alignment: { buffered: 0, processed: 0, persisted: 0, duration: 8 }, start_delay: 6, unaligned_checkpoint: true, aborted: false },
    ]);
    expect(d.summary.state_size).toMatchObject({ min: 100, max: 300, avg: 200 });
    expect(d.summary.end_to_end_duration).toMatchObject({ min: 10, max: 40, avg: 25 });
    expect(d.summary.checkpoint_duration.sync).toMatchObject({ min: 1, max: 3, avg: 2 });
    expect(d.summary.checkpoint_duration.async).toMatchObject({ min: 10, max: 30, avg: 20 });
    expect(d.summary.alignment.duration).toMatchObject({ min: 4, max: 8, avg: 6 });
    expect(d.summary.alignment.processed).toMatchObject({ min: 0, max: 50, avg: 25 });
    expect(d.summary.start_delay).toMatchObject({ min: 2, max: 6, avg: 4 });
    expect(d.summary.alignment.buffered).toMatchObject({ min: 0, max: 0, avg: 0 });
    // An unaligned subtask makes the checkpoint an unaligned one.
    expect(t.checkpointDetails(7)!.checkpoint_type).toBe('UNALIGNED_CHECKPOINT');
    expect(t.taskCheckpointStatisticsWithSubtaskDetails(7, 'c'.repeat(32))).toBeUndefined();
    expect(t.taskCheckpointStatisticsWithSubtaskDetails(8, B)).toBeUndefined();
    // Nobody acknowledged vertex A: all pending, zero summary.
    const a = t.taskCheckpointStatisticsWithSubtaskDetails(7, A)!;
    expect(a.subtasks.map((s) => s.status)).toEqual(['pending_or_failed', 'pending_or_failed']);
    expect(a.summary.state_size).toMatchObject({ min: 0, max: 0, avg: 0, p50: 'NaN' });
  });

  it('savepoints and restores appear in latest; savepoints are not the latest completed checkpoint', () => {
    const t = new CheckpointStatsTracker();
    complete(t, 1, 10);
    complete(t, 2, 10, { type: 'SAVEPOINT', path: 'file:///sp/savepoint-1' });
    const s = t.checkpointingStatistics();
    expect(s.latest.completed?.id).toBe(1);
    expect(s.latest.savepoint).toMatchObject({ id: 2, is_savepoint: true, savepointFormat: 'CANONICAL', checkpoint_type: 'SAVEPOINT', external_path: 'file:///sp/savepoint-1' });
    expect(s.history[1]).toMatchObject({ id: 1, is_savepoint: false, savepointFormat: null, checkpoint_type: 'CHECKPOINT' });
    t.reportRestoredCheckpoint(1, T0 + 99_000, 'file:///cp/chk-1', false);
    const r = t.checkpointingStatistics();
    expect(r.counts.restored).toBe(1);
    expect(r.latest.restored).toEqual({ id: 1, restore_timestamp: T0 + 99_000, is_savepoint: false, external_path: 'file:///cp/chk-1' });
  });

  it("metrics(): Flink's job checkpoint metrics, -1 before a completed checkpoint", () => {
    const t = new CheckpointStatsTracker();
    expect(t.metrics()).toEqual({
      totalNumberOfCheckpoints: 0, numberOfInProgressCheckpoints: 0, numberOfCompletedCheckpoints: 0, numberOfFailedCheckpoints: 0,
      lastCheckpointRestoreTimestamp: -1, lastCheckpointSize: -1, lastCheckpointFullSize: -1, lastCheckpointDuration: -1,
      lastCheckpointProcessedData: -1, lastCheckpointPersistedData: -1, lastCompletedCheckpointId: -1,
    });
    expect(t.lastCheckpointExternalPath()).toBe('n/a');
    complete(t, 1, 10, { delay: 25 });
    t.reportPendingCheckpoint(2, T0 + 2000, 'CHECKPOINT', false, VERTICES);
    t.reportPendingCheckpoint(3, T0 + 3000, 'CHECKPOINT', false, VERTICES);
    t.reportFailedCheckpoint(3, T0 + 3500, 'expired');
    expect(t.metrics()).toMatchObject({
      totalNumberOfCheckpoints: 3, numberOfInProgressCheckpoints: 1, numberOfCompletedCheckpoints: 1, numberOfFailedCheckpoints: 1,
      lastCheckpointSize: 50, lastCheckpointFullSize: 50, lastCheckpointDuration: 25, lastCompletedCheckpointId: 1, lastCheckpointProcessedData: 0,
    });
    expect(t.lastCheckpointExternalPath()).toBe('file:///cp/chk-1');
    // A savepoint is the "last checkpoint" of the metrics too (Flink: latest completed checkpoint or savepoint).
    complete(t, 4, 2, { type: 'SAVEPOINT', delay: 7, path: 'file:///sp/1' });
    expect(t.metrics()).toMatchObject({ lastCompletedCheckpointId: 4, lastCheckpointDuration: 7, lastCheckpointSize: 10 });
    expect(t.lastCheckpointExternalPath()).toBe('file:///sp/1');
  });
});
