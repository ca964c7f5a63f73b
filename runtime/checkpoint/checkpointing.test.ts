import { describe, it, expect } from 'vitest';
import { StreamExecutionEnvironment, RichMapFunction, DataGeneratorSource, WatermarkStrategy, type CheckpointListener } from 'tsflink';

// In-process ITCases: the whole checkpoint cycle (coordinator, barriers, heap snapshots, restore)
// inside one thread. Multi-process ones with kill -9 are in runtime/entrypoint/checkpoint-failover.test.ts.
const N = 3000;
const KEYS = 7;
const expectedSums = (): Map<number, number> => {
  const m = new Map<number, number>();
  for (let i = 0; i < N; i++) m.set(i % KEYS, (m.get(i % KEYS) ?? 0) + i);
  return m;
};

/** Fails once, at the first record ≥ N/2 after a checkpoint completed (Flink's FailingSource pattern). */
class FailOnceAfterCheckpoint extends RichMapFunction<number, number> implements CheckpointListener {
  static failed = false;
  static completedBeforeFailure = 0;
  /** Smallest value the restarted attempts saw: > 0 only if the source resumed from its checkpointed position. */
  static minAfterRestart = Infinity;
  private completed = 0;
  map(v: number): number {
    if (this.getRuntimeContext().getTaskInfo().attemptNumber > 0) FailOnceAfterCheckpoint.minAfterRestart = Math.min(FailOnceAfterCheckpoint.minAfterRestart, v);
    if (!FailOnceAfterCheckpoint.failed && v >= N / 2 && this.completed > 0) {
      FailOnceAfterCheckpoint.failed = true;
      FailOnceAfterCheckpoint.completedBeforeFailure = this.completed;
      throw new Error('Artificial Failure');
    }
    return v;
  }
  notifyCheckpointComplete(): void { this.completed++; }
}

describe('checkpoints and exactly-once state (in-process)', () => {
  it('a keyed sum restored from the latest checkpoint after a failure ends with exact totals', async () => {
    FailOnceAfterCheckpoint.failed = false;
    FailOnceAfterCheckpoint.minAfterRestart = Infinity;
    const env = StreamExecutionEnvironment.createLocalEnvironment(2, { 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 2, 'restart-strategy.fixed-delay.delay': '10 ms' });
    env.enableCheckpointing(50);
    const out = await env.fromSource(new DataGeneratorSource((i) => i, N, 6000), WatermarkStrategy.noWatermarks(), 'gen')
      .map(new FailOnceAfterCheckpoint())
      .keyBy((v) => v % KEYS)
      .map((v): [number, number] => [v % KEYS, v])
      .keyBy((t) => t[0])
      .sum(1)
      .executeAndCollect();
    expect(FailOnceAfterCheckpoint.failed).toBe(true);
    expect(FailOnceAfterCheckpoint.minAfterRestart).toBeGreaterThan(0);
    expect(FailOnceAfterCheckpoint.minAfterRestart).toBeLessThan(Infinity);
    // collect is at-least-once (records after the checkpoint are sent again), but the running sums
    // come from restored state: any loss or double count would change each key's final sum.
    const max = new Map<number, number>();
    for (const [k, s] of out) max.set(k, Math.max(max.get(k) ?? 0, s));
    expect(max).toEqual(expectedSums());
  }, 60_000);

  it('a bounded job with checkpointing finishes after its final checkpoint, with exact output', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    env.enableCheckpointing(30);
    const out = await env.fromSource(new DataGeneratorSource((i) => i, 500, 5000), WatermarkStrategy.noWatermarks(), 'gen')
      .keyBy((v) => v % 3).map((v): [number, number] => [v % 3, 1]).keyBy((t) => t[0]).sum(1).executeAndCollect();
    expect(out.length).toBe(500);
    const last = new Map<number, number>();
    for (const [k, c] of out) last.set(k, Math.max(last.get(k) ?? 0, c));
    expect([...last.entries()].sort()).toEqual([[0, 167], [1, 167], [2, 166]]);
  }, 30_000);
});
