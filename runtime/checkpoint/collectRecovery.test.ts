import { describe, it, expect } from 'vitest';
import { StreamExecutionEnvironment, DataGeneratorSource, WatermarkStrategy, RichMapFunction, type CheckpointListener } from 'tsflink';

// executeAndCollect across a failover from a checkpoint (Flink's CollectSinkFunction is at-least-once):
// what the collect sink sent before the failure stays collected, and the source resumes after the
// checkpoint, so every value arrives at least once: none is lost.
const N = 3000;

class FailOnceAfterCheckpoint extends RichMapFunction<number, number> implements CheckpointListener {
  static failed = false;
  private completed = 0;
  map(v: number): number {
    if (!FailOnceAfterCheckpoint.failed && this.completed >= 1 && v >= N / 2) { FailOnceAfterCheckpoint.failed = true; throw new Error('Artificial Failure'); }
    return v;
  }
  notifyCheckpointComplete(): void { this.completed++; }
}

describe('executeAndCollect with a failover from a checkpoint', () => {
  it.each([1, 2])('parallelism %i: every value is collected at least once', async (p) => {
    FailOnceAfterCheckpoint.failed = false;
    const env = StreamExecutionEnvironment.createLocalEnvironment(p, {
      'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 3, 'restart-strategy.fixed-delay.delay': '10 ms',
    });
    env.enableCheckpointing(40);
    const out = await env.fromSource(new DataGeneratorSource((i) => i, N, 3000), WatermarkStrategy.noWatermarks(), 'gen')
      .map(new FailOnceAfterCheckpoint())
      .executeAndCollect();
    expect(FailOnceAfterCheckpoint.failed).toBe(true);
    const missing = [];
    const seen = new Set(out);
    for (let i = 0; i < N; i++) if (!seen.has(i)) missing.push(i);
    expect(missing.length === 0 ? [] : [`${missing.length} missing`, missing[0], missing.at(-1)]).toEqual([]);
  }, 60_000);
});
