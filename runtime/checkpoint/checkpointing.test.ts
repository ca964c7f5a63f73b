import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamExecutionEnvironment, RichMapFunction, DataGeneratorSource, WatermarkStrategy, ListStateDescriptor, JobExecutionException, FileSink, BasePathBucketAssigner,
  type CheckpointListener, type CheckpointedFunction, type FunctionInitializationContext, type FunctionSnapshotContext, type ListState,
} from 'tsflink';

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

  /** A keyed sum job whose final per-key sums prove exactly-once state (collect itself is at-least-once). */
  async function runKeyedSum(env: StreamExecutionEnvironment, mapper: RichMapFunction<number, number>, rate = 6000): Promise<Map<number, number>> {
    const out = await env.fromSource(new DataGeneratorSource((i) => i, N, rate), WatermarkStrategy.noWatermarks(), 'gen')
      .map(mapper)
      .map((v): [number, number] => [v % KEYS, v])
      .keyBy((t) => t[0])
      .sum(1)
      .executeAndCollect();
    const max = new Map<number, number>();
    for (const [k, sum] of out) max.set(k, Math.max(max.get(k) ?? 0, sum));
    return max;
  }
  const restarting = (extra: Record<string, unknown> = {}): StreamExecutionEnvironment => StreamExecutionEnvironment.createLocalEnvironment(2,
    { 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 5, 'restart-strategy.fixed-delay.delay': '10 ms', ...extra });

  it('a failure in snapshotState (synchronous phase) fails the task; the job recovers from the previous checkpoint (UnalignedCheckpointITCase pattern)', async () => {
    class FailingSnapshot extends RichMapFunction<number, number> implements CheckpointedFunction, CheckpointListener {
      static snapshotFailed = false;
      static completed = 0;
      private seen!: ListState<number>;
      private n = 0;
      map(v: number): number { this.n++; return v; }
      initializeState(ctx: FunctionInitializationContext): void {
        this.seen = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('seen'));
      }
      snapshotState(_ctx: FunctionSnapshotContext): void {
        if (!FailingSnapshot.snapshotFailed && FailingSnapshot.completed >= 2 && this.n > N / 4) {
          FailingSnapshot.snapshotFailed = true;
          throw new Error('Artificial snapshot failure');
        }
        this.seen.update([this.n]);
      }
      notifyCheckpointComplete(): void { FailingSnapshot.completed++; }
    }
    const env = restarting();
    env.enableCheckpointing(40);
    expect(await runKeyedSum(env, new FailingSnapshot())).toEqual(expectedSums());
    expect(FailingSnapshot.snapshotFailed).toBe(true);
  }, 60_000);

  it('a failure during recovery (the restored attempt fails again right away) restores again and ends exact', async () => {
    class FailTwice extends RichMapFunction<number, number> implements CheckpointListener {
      static failures = 0;
      private completed = 0;
      map(v: number): number {
        const attempt = this.getRuntimeContext().getTaskInfo().attemptNumber;
        if (attempt === 0 && FailTwice.failures === 0 && this.completed > 0 && v >= N / 2) { FailTwice.failures++; throw new Error('Artificial Failure'); }
        if (attempt === 1 && FailTwice.failures === 1) { FailTwice.failures++; throw new Error('Artificial failure during recovery'); }
        return v;
      }
      notifyCheckpointComplete(): void { this.completed++; }
    }
    const env = restarting();
    env.enableCheckpointing(50);
    expect(await runKeyedSum(env, new FailTwice())).toEqual(expectedSums());
    expect(FailTwice.failures).toBe(2);
  }, 60_000);

  it('AT_LEAST_ONCE: checkpoints complete without blocking channels, and no record is lost after a failure', async () => {
    FailOnceAfterCheckpoint.failed = false;
    const env = restarting();
    env.enableCheckpointing(50, 'AT_LEAST_ONCE');
    const sums = await runKeyedSum(env, new FailOnceAfterCheckpoint());
    expect(FailOnceAfterCheckpoint.failed).toBe(true);
    // At-least-once state may count replayed records twice, never lose one.
    for (const [k, s] of expectedSums()) expect(sums.get(k)!).toBeGreaterThanOrEqual(s);
  }, 60_000);

  it('checkpoint storage that cannot be written: past tolerable-failed-checkpoints the job fails with Flink\'s message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-unwritable-'));
    try {
      const blocker = join(dir, 'not-a-directory');
      writeFileSync(blocker, 'x');
      const env = StreamExecutionEnvironment.createLocalEnvironment(1, {
        'restart-strategy.type': 'none',
        'execution.checkpointing.tolerable-failed-checkpoints': 2,
        'execution.checkpointing.dir': `file://${blocker}/checkpoints`,
      });
      env.enableCheckpointing(20);
      env.fromSource(new DataGeneratorSource((i) => i, Infinity, 1000), WatermarkStrategy.noWatermarks(), 'gen').map((v) => v).print();
      const err = await env.execute('unwritable').then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(JobExecutionException);
      expect((err as Error).message).toContain('Exceeded checkpoint tolerable failure threshold.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a bounded job takes its final checkpoint as soon as every source ended, not at the next interval', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    env.enableCheckpointing(3_600_000); // one hour: only the end-of-input trigger can finish the job in time
    const out = await env.fromSource(new DataGeneratorSource((i) => i, 500), WatermarkStrategy.noWatermarks(), 'gen')
      .keyBy((v) => v % 3).map((v) => v + 1).executeAndCollect();
    expect(out.sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  }, 20_000);

  it('checkpoints-after-tasks-finish=false: a bounded job ends without a final checkpoint, and the exactly-once FileSink commits its last files at the end of input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-no-final-'));
    try {
      const env = StreamExecutionEnvironment.createLocalEnvironment(2, { 'execution.checkpointing.checkpoints-after-tasks-finish': false });
      env.enableCheckpointing(3_600_000); // never reached: with a final checkpoint the job would wait for it
      class CountCompleted extends RichMapFunction<number, string> implements CheckpointListener {
        static completed = 0;
        map(v: number): string { return String(v); }
        notifyCheckpointComplete(): void { CountCompleted.completed++; }
      }
      env.fromSource(new DataGeneratorSource((i) => i, 500), WatermarkStrategy.noWatermarks(), 'gen')
        .keyBy((v) => v % 3).map(new CountCompleted())
        .sinkTo(FileSink.forRowFormat<string>(dir, (s) => s).withBucketAssigner(new BasePathBucketAssigner()).build());
      const t0 = performance.now();
      await env.execute('no final checkpoint');
      expect(performance.now() - t0).toBeLessThan(15_000);
      expect(CountCompleted.completed).toBe(0); // no (final) checkpoint was taken
      const files = readdirSync(dir);
      expect(files.filter((f) => f.startsWith('.'))).toEqual([]); // nothing left in progress or pending
      const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)).map(Number);
      expect(lines.sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it.each([['unaligned', '0 ms'], ['aligned with a 1 ms timeout to unaligned', '1 ms']])('%s checkpoints: a failure after completed checkpoints restores state and in-flight data and ends exact', async (_name, alignedTimeout) => {
    class SlowFailOnce extends RichMapFunction<[number, number], [number, number]> implements CheckpointListener {
      static failed = false;
      private completed = 0;
      map(t: [number, number]): [number, number] {
        const until = performance.now() + 0.05; // a slow stage: buffers queue up in front of it
        while (performance.now() < until) { /* busy */ }
        if (!SlowFailOnce.failed && this.completed >= 2 && t[1] >= N / 2) { SlowFailOnce.failed = true; throw new Error('Artificial Failure'); }
        return t;
      }
      notifyCheckpointComplete(): void { this.completed++; }
    }
    SlowFailOnce.failed = false;
    const env = restarting({ 'execution.checkpointing.unaligned.enabled': true, 'execution.checkpointing.aligned-checkpoint-timeout': alignedTimeout, 'execution.buffer-timeout.interval': '5 ms' });
    env.enableCheckpointing(30);
    const out = await env.fromSource(new DataGeneratorSource((i) => i, N, 4000), WatermarkStrategy.noWatermarks(), 'gen')
      .map((v): [number, number] => [v % KEYS, v])
      .keyBy((t) => t[0])
      .map(new SlowFailOnce())
      .keyBy((t) => t[0])
      .sum(1)
      .executeAndCollect();
    expect(SlowFailOnce.failed).toBe(true);
    const max = new Map<number, number>();
    for (const [k, sum] of out) max.set(k, Math.max(max.get(k) ?? 0, sum));
    expect(max).toEqual(expectedSums());
  }, 60_000);

});
