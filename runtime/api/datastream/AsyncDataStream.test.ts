import { describe, it, expect } from 'vitest';
import {
  StreamExecutionEnvironment, AsyncDataStream, RichAsyncFunction, RichMapFunction, WatermarkStrategy, TumblingEventTimeWindows,
  AsyncRetryStrategies, RetryPredicates, DataGeneratorSource,
} from 'tsflink';

// Async I/O in real in-process jobs: the operator inside tasks, chained, back-pressuring the task.

const env = (p = 1): StreamExecutionEnvironment => StreamExecutionEnvironment.createLocalEnvironment(p);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A pseudo-random delay per value (deterministic), so requests complete out of order. */
const delayOf = (v: number): number => (v * 7919) % 5;

describe('AsyncDataStream in a job', () => {
  it('orderedWait keeps the input order although requests complete out of order', async () => {
    const input = Array.from({ length: 500 }, (_, i) => i);
    const out = await AsyncDataStream.orderedWait(env().fromCollection(input), async (v: number) => { await sleep(delayOf(v)); return [v * 2]; }, 10_000, 20)
      .executeAndCollect();
    expect(out).toEqual(input.map((v) => v * 2));
  });

  it('unorderedWait emits every result once, in completion order', async () => {
    const out = await AsyncDataStream.unorderedWait(env(2).fromSequence(1, 400), async (v: number) => { await sleep(delayOf(v)); return [v, -v]; }, 10_000, 16)
      .executeAndCollect();
    expect([...out].sort((a, b) => a - b)).toEqual([...Array.from({ length: 400 }, (_, i) => -400 + i), ...Array.from({ length: 400 }, (_, i) => i + 1)]);
    const positives = out.filter((v) => v > 0);
    expect(positives).not.toEqual([...positives].sort((a, b) => a - b));
  });

  it('is chained with its neighbours (one task) and opens rich functions with the runtime context', async () => {
    const seen: string[] = [];
    class Lookup extends RichAsyncFunction<number, string> {
      override open(): void { seen.push(`async ${this.getRuntimeContext().getTaskInfo().taskNameWithSubtasks}`); }
      async asyncInvoke(v: number): Promise<string[]> { return [`v${v}`]; }
    }
    class Tag extends RichMapFunction<string, string> {
      override open(): void { seen.push(`map ${this.getRuntimeContext().getTaskInfo().taskNameWithSubtasks}`); }
      map(s: string): string { return s.toUpperCase(); }
    }
    const out = await AsyncDataStream.orderedWait(env().fromElements(1, 2, 3), new Lookup(), 1000).map(new Tag()).executeAndCollect();
    expect(out).toEqual(['V1', 'V2', 'V3']);
    expect(seen).toHaveLength(2);
    const task = (s: string): string => s.replace(/^(async|map) /, '');
    expect(task(seen[0]!)).toBe(task(seen[1]!));
  });

  it('capacity back-pressures the task: the source stops while the queue is full, and never more than capacity requests are in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let passed = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const n = 20_000;
    const job = AsyncDataStream.unorderedWait(env().fromSequence(1, n).map((v) => { passed++; return v; }), async (v: number) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gate;
      inFlight--;
      return [v];
    }, 60_000, 4).executeAndCollect();
    await sleep(300);
    // One source poll (a batch of at most 1024 records) can pass before the task sees the full queue.
    expect(passed).toBeGreaterThan(0);
    expect(passed).toBeLessThanOrEqual(1024 + 4);
    release();
    const out = await job;
    expect(out).toHaveLength(n);
    expect(maxInFlight).toBe(4);
  });

  it('unorderedWait never lets a record cross a watermark: an event-time window downstream drops nothing', async () => {
    const events = Array.from({ length: 300 }, (_, i) => ({ key: i % 3, ts: i * 10 }));
    const build = (async: boolean): Promise<string[]> => {
      const e = env();
      let s = e.fromCollection(events).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ key: number; ts: number }>().withTimestampAssigner((x) => x.ts));
      if (async) s = AsyncDataStream.unorderedWait(s, async (x: { key: number; ts: number }) => { await sleep(delayOf(x.ts / 10)); return [x]; }, 10_000, 8);
      return s.map((x) => [x.key, 1] as [number, number]).keyBy((t) => t[0]).window(TumblingEventTimeWindows.of(200)).sum(1)
        .map((t) => `${t[0]}:${t[1]}`).executeAndCollect();
    };
    const withAsync = await build(true);
    expect([...withAsync].sort()).toEqual([...(await build(false))].sort());
    expect(withAsync.reduce((a, s) => a + Number(s.split(':')[1]), 0)).toBe(300);
  });

  it('retries a request per the retry strategy while the input runs; after its end waiting retries fire at once and their results stand (Flink)', async () => {
    const attempts = new Map<number, number>();
    const strategy = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<number>(3, 5).ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE).build();
    // Value v <= 3 needs v attempts; 10 values at 50/s keep the input open ~200 ms, long past those retries.
    const e = env();
    const src = e.fromSource(new DataGeneratorSource<number>((i) => i + 1, 10, 50), WatermarkStrategy.noWatermarks(), 'numbers');
    const out = await AsyncDataStream.orderedWaitWithRetry(src, async (v: number) => {
      const a = (attempts.get(v) ?? 0) + 1;
      attempts.set(v, a);
      return a < v && v <= 3 ? [] : [v * 10];
    }, 10_000, strategy).executeAndCollect();
    expect(out).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 10));
    expect([1, 2, 3, 4].map((v) => attempts.get(v))).toEqual([1, 2, 3, 1]);

    // A bounded input that ends at once: no retry outlives the end of input (a waiting one fires at once), so the empty result stands.
    const late = new Map<number, number>();
    const out2 = await AsyncDataStream.orderedWaitWithRetry(env().fromElements(7), async (v: number) => {
      const a = (late.get(v) ?? 0) + 1;
      late.set(v, a);
      await sleep(20);
      return a < 3 ? [] : [v];
    }, 10_000, strategy).executeAndCollect();
    expect(out2).toEqual([]);
    expect(late.get(7)).toBeLessThanOrEqual(2);
  });

  it('a timeout without timeout() fails the job with TimeoutException', async () => {
    const job = AsyncDataStream.orderedWait(env().fromElements(1), () => new Promise<number[]>(() => {}), 50).executeAndCollect();
    await expect(job).rejects.toThrow(/TimeoutException: Async function call has timed out/);
  });

  it('bad arguments are clear errors where the job is built', () => {
    const s = env().fromElements(1);
    expect(() => AsyncDataStream.orderedWait(s, 42 as never, 10)).toThrow(/expected an async function \(input\) => Promise<OUT\[\]> or an object with asyncInvoke\(input\), got number/);
    expect(() => AsyncDataStream.unorderedWait(s, async (v: number) => [v], 10, -1)).toThrow(/capacity\) must be a positive integer, got -1/);
    const retry = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<number>(2, 10).ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE).build();
    expect(() => AsyncDataStream.unorderedWaitWithRetry(s, async (v: number) => [v], 0, retry)).toThrow(/Timeout should be configured when do async with retry/);
  });
});
