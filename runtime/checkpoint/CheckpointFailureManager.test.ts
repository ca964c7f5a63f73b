// CheckpointFailureManager (Flink's CheckpointFailureManagerTest) and the failure-reason tables of
// CheckpointMessages it relies on: which reasons count toward
// execution.checkpointing.tolerable-failed-checkpoints, each checkpoint once, reset on success.
import { describe, expect, it } from 'vitest';
import { CheckpointFailureManager, EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE } from './CheckpointFailureManager.js';
import { type CheckpointFailureReason, CheckpointException, countsTowardTolerableFailures, failureMessage, isPreFlight } from './CheckpointMessages.js';

/** Every reason tsflink has; the Record type makes the compiler reject a missing one. */
const ALL_REASONS = Object.keys({
  PERIODIC_SCHEDULER_SHUTDOWN: 1, TOO_MANY_CHECKPOINT_REQUESTS: 1, MINIMUM_TIME_BETWEEN_CHECKPOINTS: 1, NOT_ALL_REQUIRED_TASKS_RUNNING: 1,
  IO_EXCEPTION: 1, CHECKPOINT_ASYNC_EXCEPTION: 1, CHECKPOINT_DECLINED: 1, CHECKPOINT_EXPIRED: 1, CHECKPOINT_SUBSUMED: 1,
  CHECKPOINT_COORDINATOR_SHUTDOWN: 1, CHECKPOINT_COORDINATOR_SUSPEND: 1, FINALIZE_CHECKPOINT_FAILURE: 1, TRIGGER_CHECKPOINT_FAILURE: 1,
  TASK_FAILURE: 1, TASK_CHECKPOINT_FAILURE: 1, JOB_FAILOVER_REGION: 1, CHECKPOINT_DECLINED_TASK_NOT_READY: 1,
  CHECKPOINT_DECLINED_TASK_CLOSING: 1, CHECKPOINT_DECLINED_SUBSUMED: 1, CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER: 1,
  CHECKPOINT_DECLINED_INPUT_END_OF_STREAM: 1,
} satisfies Record<CheckpointFailureReason, 1>) as CheckpointFailureReason[];

/** Research notes §1.3 (Flink 2.x CheckpointFailureReason): only these go against the counter. */
const COUNTED: CheckpointFailureReason[] = ['IO_EXCEPTION', 'CHECKPOINT_ASYNC_EXCEPTION', 'CHECKPOINT_DECLINED', 'CHECKPOINT_EXPIRED', 'FINALIZE_CHECKPOINT_FAILURE'];

function manager(tolerable: number): { fm: CheckpointFailureManager; failures: string[] } {
  const failures: string[] = [];
  return { fm: new CheckpointFailureManager(tolerable, (m) => failures.push(m)), failures };
}

describe('CheckpointMessages reason tables', () => {
  it('exactly IO_EXCEPTION, CHECKPOINT_ASYNC_EXCEPTION, CHECKPOINT_DECLINED, CHECKPOINT_EXPIRED, FINALIZE_CHECKPOINT_FAILURE count', () => {
    expect(ALL_REASONS.filter(countsTowardTolerableFailures).sort()).toEqual([...COUNTED].sort());
  });

  it('pre-flight reasons are the ones that happen before the checkpoint reaches a task, none of them counted', () => {
    expect(ALL_REASONS.filter(isPreFlight).sort()).toEqual(['MINIMUM_TIME_BETWEEN_CHECKPOINTS', 'NOT_ALL_REQUIRED_TASKS_RUNNING', 'PERIODIC_SCHEDULER_SHUTDOWN', 'TOO_MANY_CHECKPOINT_REQUESTS']);
    for (const r of ALL_REASONS) if (isPreFlight(r)) expect(countsTowardTolerableFailures(r)).toBe(false);
  });

  it("CheckpointException carries the reason and Flink's message, followed by the cause", () => {
    expect(failureMessage('CHECKPOINT_EXPIRED')).toBe('Checkpoint expired before completing.');
    expect(failureMessage('NOT_ALL_REQUIRED_TASKS_RUNNING')).toBe('Not all required tasks are currently running.');
    const plain = new CheckpointException('CHECKPOINT_DECLINED');
    expect(plain.reason).toBe('CHECKPOINT_DECLINED');
    expect(plain.message).toBe('The checkpoint was declined by a task.');
    expect(plain.name).toBe('CheckpointException');
    expect(new CheckpointException('IO_EXCEPTION', new Error('disk full')).message).toBe('An Exception occurred while triggering the checkpoint. IO-problem detected. disk full');
    expect(new CheckpointException('CHECKPOINT_DECLINED', 'task said no').message).toBe('The checkpoint was declined by a task. task said no');
    for (const r of ALL_REASONS) expect(failureMessage(r)).toMatch(/\S/);
  });
});

describe('CheckpointFailureManager', () => {
  it('ignores failures of checkpoints not newer than the last success (testIgnoresPastCheckpoints)', () => {
    const { fm, failures } = manager(2);
    fm.handleCheckpointException(1, 'CHECKPOINT_EXPIRED', 'x');
    fm.handleCheckpointException(2, 'CHECKPOINT_EXPIRED', 'x');
    fm.handleCheckpointSuccess(2);
    expect(fm.numberOfContinuousFailures).toBe(0);
    fm.handleCheckpointException(1, 'CHECKPOINT_EXPIRED', 'x');
    fm.handleCheckpointException(2, 'CHECKPOINT_EXPIRED', 'x');
    expect(fm.numberOfContinuousFailures).toBe(0);
    fm.handleCheckpointException(3, 'CHECKPOINT_EXPIRED', 'x');
    fm.handleCheckpointException(4, 'CHECKPOINT_EXPIRED', 'x');
    expect(fm.numberOfContinuousFailures).toBe(2);
    expect(failures).toEqual([]);
  });

  it('fails the job once the consecutive counted failures exceed the tolerable number (testContinuousFailure)', () => {
    const { fm, failures } = manager(2);
    fm.handleCheckpointException(1, 'CHECKPOINT_DECLINED', 'declined by task a');
    fm.handleCheckpointException(2, 'CHECKPOINT_DECLINED', 'declined by task a');
    // Not counted: neither increments nor resets.
    fm.handleCheckpointException(3, 'JOB_FAILOVER_REGION', 'failover');
    expect(failures).toEqual([]);
    fm.handleCheckpointException(4, 'CHECKPOINT_DECLINED', 'declined by task b');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBe(`${EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE} The latest checkpoint failed due to CHECKPOINT_DECLINED: declined by task b`);
    expect(EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE).toBe('Exceeded checkpoint tolerable failure threshold.');
  });

  it('a success with a newer id resets the count (testBreakContinuousFailure)', () => {
    const { fm, failures } = manager(2);
    fm.handleCheckpointException(1, 'IO_EXCEPTION', 'x');
    fm.handleCheckpointException(2, 'CHECKPOINT_DECLINED', 'x');
    fm.handleCheckpointException(3, 'JOB_FAILOVER_REGION', 'x');
    fm.handleCheckpointSuccess(4);
    fm.handleCheckpointException(5, 'CHECKPOINT_EXPIRED', 'x');
    fm.handleCheckpointException(6, 'CHECKPOINT_EXPIRED', 'x');
    expect(failures).toEqual([]);
    fm.handleCheckpointException(7, 'CHECKPOINT_EXPIRED', 'x');
    expect(failures).toHaveLength(1);
  });

  it('a success with an older id than the last success does not reset the count', () => {
    const { fm, failures } = manager(1);
    fm.handleCheckpointSuccess(5);
    fm.handleCheckpointException(6, 'CHECKPOINT_EXPIRED', 'x');
    fm.handleCheckpointSuccess(4);
    expect(fm.numberOfContinuousFailures).toBe(1);
    fm.handleCheckpointException(7, 'CHECKPOINT_EXPIRED', 'x');
    expect(failures).toHaveLength(1);
  });

  it('counts each checkpoint once (testIgnoreOneCheckpointRepeatedlyCountMultiTimes)', () => {
    const { fm, failures } = manager(2);
    fm.handleCheckpointException(1, 'CHECKPOINT_DECLINED', 'x');
    fm.handleCheckpointException(2, 'CHECKPOINT_DECLINED', 'x');
    fm.handleCheckpointException(3, 'JOB_FAILOVER_REGION', 'x');
    fm.handleCheckpointException(2, 'CHECKPOINT_DECLINED', 'again');
    fm.handleCheckpointException(2, 'CHECKPOINT_EXPIRED', 'and expired');
    expect(fm.numberOfContinuousFailures).toBe(2);
    expect(failures).toEqual([]);
  });

  it('with tolerable 0 every counted reason fails the job and no other reason does (testTotalCountValue)', () => {
    const failedOn: CheckpointFailureReason[] = [];
    let current: CheckpointFailureReason = 'IO_EXCEPTION';
    const fm = new CheckpointFailureManager(0, () => failedOn.push(current));
    // No checkpoint id (failed before one was assigned): every report counts.
    for (const r of ALL_REASONS) { current = r; fm.handleCheckpointException(undefined, r, 'x'); }
    expect(failedOn.sort()).toEqual([...COUNTED].sort());
  });

  it('reports without a checkpoint id are counted every time', () => {
    const { fm, failures } = manager(2);
    for (let i = 0; i < 3; i++) fm.handleCheckpointException(undefined, 'IO_EXCEPTION', 'no storage');
    expect(failures).toHaveLength(1);
  });

  it.each([0, 1, 2])('tolerable-failed-checkpoints=%i: the job fails on consecutive counted failure number tolerable+1', (tolerable) => {
    const { fm, failures } = manager(tolerable);
    for (let id = 1; id <= tolerable; id++) {
      fm.handleCheckpointException(id, 'CHECKPOINT_EXPIRED', 'x');
      // Not-counted reasons in between change nothing.
      fm.handleCheckpointException(100 + id, 'CHECKPOINT_SUBSUMED', 'x');
      fm.handleCheckpointException(200 + id, 'CHECKPOINT_DECLINED_TASK_NOT_READY', 'x');
    }
    expect(failures).toEqual([]);
    expect(fm.numberOfContinuousFailures).toBe(tolerable);
    fm.handleCheckpointException(tolerable + 1, 'CHECKPOINT_EXPIRED', 'x');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^Exceeded checkpoint tolerable failure threshold\. The latest checkpoint failed due to CHECKPOINT_EXPIRED/);
  });

  it('clears the count when it fails the job, so the restarted job tolerates as many failures again (Flink clearCount())', () => {
    const { fm, failures } = manager(1);
    fm.handleCheckpointException(1, 'CHECKPOINT_EXPIRED', 'x');
    fm.handleCheckpointException(2, 'CHECKPOINT_EXPIRED', 'x');
    expect(failures).toHaveLength(1);
    expect(fm.numberOfContinuousFailures).toBe(0);
    // After the failover the first failure is tolerated again ...
    fm.handleCheckpointException(3, 'CHECKPOINT_EXPIRED', 'x');
    expect(failures).toHaveLength(1);
    // ... the second is not.
    fm.handleCheckpointException(4, 'CHECKPOINT_EXPIRED', 'x');
    expect(failures).toHaveLength(2);
  });

  it('reset() forgets the count and the counted ids', () => {
    const { fm, failures } = manager(1);
    fm.handleCheckpointException(1, 'CHECKPOINT_DECLINED', 'x');
    fm.reset();
    expect(fm.numberOfContinuousFailures).toBe(0);
    fm.handleCheckpointException(1, 'CHECKPOINT_DECLINED', 'x');
    expect(fm.numberOfContinuousFailures).toBe(1);
    expect(failures).toEqual([]);
  });
});
