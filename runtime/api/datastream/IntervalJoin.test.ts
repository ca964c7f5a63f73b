import { describe, it, expect } from 'vitest';
import {
  StreamExecutionEnvironment, WatermarkStrategy, OutputTag, ProcessJoinFunction, type Collector, type ProcessJoinContext,
} from 'tsflink';

type Ev = { k: number; ts: number; side: string };
const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Ev>(3).withTimestampAssigner((e) => e.ts);

// Seeded out-of-order streams of 5 keys; no element is behind its source's watermark by more than the bound.
function events(seed: number, n: number, side: string): Ev[] {
  let x = seed;
  const rnd = (): number => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
  return Array.from({ length: n }, (_, i) => ({ k: Math.floor(rnd() * 5), ts: Math.max(0, i * 2 - Math.floor(rnd() * 3)), side }));
}

class Describe extends ProcessJoinFunction<Ev, Ev, string> {
  processElement(l: Ev, r: Ev, ctx: ProcessJoinContext, out: Collector<string>): void {
    out.collect(`${l.k} ${l.ts} ${r.ts} @${ctx.getTimestamp()}`);
  }
}

async function run(mode: 'STREAMING' | 'BATCH', parallelism: number, left: Ev[], right: Ev[], backend: 'hashmap' | 'leveldb' = 'hashmap'): Promise<string[]> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism).setRuntimeMode(mode).setStateBackend(backend);
  const a = env.fromElements(...left).assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k);
  const b = env.fromElements(...right).assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k);
  return (await a.intervalJoin(b).between(-4, 2).upperBoundExclusive().process(new Describe()).executeAndCollect()).sort();
}

describe('KeyedStream.intervalJoin end to end', () => {
  const left = events(7, 200, 'l'), right = events(11, 150, 'r');
  const expected: string[] = [];
  for (const l of left) for (const r of right) if (l.k === r.k && r.ts >= l.ts - 4 && r.ts < l.ts + 2) expected.push(`${l.k} ${l.ts} ${r.ts} @${Math.max(l.ts, r.ts)}`);
  expected.sort();

  it('STREAMING at parallelism 3 gives exactly the pairs within the bounds', async () => {
    expect(expected.length).toBeGreaterThan(50);
    expect(await run('STREAMING', 3, left, right)).toEqual(expected);
  });

  it('the buffers work the same on the leveldb state backend', async () => {
    expect(await run('STREAMING', 2, left, right, 'leveldb')).toEqual(expected);
  });

  it('BATCH gives the same results as STREAMING for bounded input', async () => {
    expect(await run('BATCH', 2, left, right)).toEqual(expected);
  });

  it('late elements go to the side outputs', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    // Punctuated watermark = ts after every element, so the element at 1 after 10 is late.
    const wm = WatermarkStrategy.forGenerator<Ev>(() => ({ onEvent: (_e, ts, o) => o.emitWatermark(ts), onPeriodicEmit: () => {} })).withTimestampAssigner((e) => e.ts);
    const lateLeft = new OutputTag<Ev>('late-left');
    const joined = env.fromElements<Ev>({ k: 1, ts: 10, side: 'l' }, { k: 1, ts: 1, side: 'l' }).assignTimestampsAndWatermarks(wm).keyBy((e) => e.k)
      .intervalJoin(env.fromElements<Ev>({ k: 1, ts: 11, side: 'r' }).assignTimestampsAndWatermarks(wm).keyBy((e) => e.k))
      .between(0, 5).sideOutputLeftLateData(lateLeft)
      .process({ processElement: (l: Ev, r: Ev, _c: ProcessJoinContext, o: Collector<string>) => o.collect(`${l.ts}-${r.ts}`) });
    const out = await joined.union(joined.getSideOutput(lateLeft).map((e) => `late ${e.ts}`)).executeAndCollect();
    // The left source's watermark (10) only holds back left elements: 1 is late on the left input.
    expect(out.sort()).toEqual(['10-11', 'late 1']);
  });

  it('bad input gets clear errors', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const k = env.fromElements<Ev>({ k: 1, ts: 1, side: 'l' }).keyBy((e) => e.k);
    expect(() => k.intervalJoin(k).between(5, 1)).toThrow(/lowerBound <= upperBound/);
    expect(() => k.intervalJoin(k).inProcessingTime().between(0, 1)).toThrow(/only supported in event time/);
    expect(() => k.intervalJoin(env.fromElements(1) as never)).toThrow(/expected a KeyedStream/);
    expect(() => k.intervalJoin(k).between(0, 1).process((() => {}) as never)).toThrow(/expected a ProcessJoinFunction/);
  });
});

// Ported from Flink's IntervalJoinITCase.
describe('IntervalJoinITCase', () => {
  type T2 = [string, number];
  const ascending = WatermarkStrategy.forMonotonousTimestamps<T2>().withTimestampAssigner((t) => t[1]);
  const show = (l: T2, r: T2): string => `(${l.join(',')}):(${r.join(',')})`;
  const combine = { processElement: (l: T2, r: T2, _c: ProcessJoinContext, o: Collector<string>) => o.collect(show(l, r)) };
  const keyed = (env: StreamExecutionEnvironment, s: WatermarkStrategy<T2>, ...xs: T2[]) => env.fromElements(...xs).assignTimestampsAndWatermarks(s).keyBy((t) => t[0]);
  const seq = (key: (i: number) => string, n: number): T2[] => Array.from({ length: n }, (_, i): T2 => [key(i), i]);

  it('testCanJoinOverSameKey', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const out = await keyed(env, ascending, ...seq(() => 'key', 6)).intervalJoin(keyed(env, ascending, ...seq(() => 'key', 6))).between(0, 0).process(combine).executeAndCollect();
    expect(out.sort()).toEqual(seq(() => 'key', 6).map((t) => show(t, t)).sort());
  });

  it('testJoinsCorrectlyWithMultipleKeys', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const k = (i: number): string => (i % 2 === 0 ? 'key1' : 'key2');
    // Without the key, [0, 1] would also pair (key1,0) with (key2,1) and so on.
    const out = await keyed(env, ascending, ...seq(k, 6)).intervalJoin(keyed(env, ascending, ...seq(k, 6))).between(0, 1).process(combine).executeAndCollect();
    expect(out.sort()).toEqual(seq(k, 6).map((t) => show(t, t)).sort());
  });

  it('testBoundedUnorderedStreamsStillJoinCorrectly', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    // Out of order, with a watermark of 5 after the first five elements (Flink's source emits it there).
    const afterFive = WatermarkStrategy.forGenerator<T2>(() => {
      let n = 0;
      return { onEvent: (_e, _ts, o) => { if (++n === 5) o.emitWatermark(5); }, onPeriodicEmit: () => {} };
    }).withTimestampAssigner((t) => t[1]);
    const one = [5, 1, 4, 3, 2, 9, 8, 7, 6].map((v): T2 => ['key', v]);
    const two = [2, 1, 3, 4, 5, 8, 7, 9, 6].map((v): T2 => ['key', v]);
    const out = await keyed(env, afterFive, ...one).intervalJoin(keyed(env, afterFive, ...two)).between(-1, 1).process(combine).executeAndCollect();
    const want: string[] = [];
    for (let l = 1; l <= 9; l++) for (let r = l - 1; r <= l + 1; r++) if (r >= 1 && r <= 9) want.push(show(['key', l], ['key', r]));
    expect(out.sort()).toEqual(want.sort());
  });

  it('testFailsWithoutUpperBound / testFailsWithoutLowerBound', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const a = keyed(env, ascending, ['1', 1]);
    expect(() => a.intervalJoin(keyed(env, ascending, ['1', 1])).between(0, null as never)).toThrow(/upperBound must be a whole number/);
    expect(() => a.intervalJoin(keyed(env, ascending, ['1', 1])).between(null as never, 1)).toThrow(/lowerBound must be a whole number/);
  });

  const three = (): T2[] => seq(() => 'key', 3);
  it('testBoundsCanBeExclusive', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const out = await keyed(env, ascending, ...three()).intervalJoin(keyed(env, ascending, ...three())).between(0, 2).upperBoundExclusive().lowerBoundExclusive()
      .process(combine).executeAndCollect();
    expect(out.sort()).toEqual(['(key,0):(key,1)', '(key,1):(key,2)']);
  });

  for (const name of ['testBoundsCanBeInclusive', 'testBoundsAreInclusiveByDefault']) {
    it(name, async () => {
      const env = StreamExecutionEnvironment.createLocalEnvironment(1);
      const out = await keyed(env, ascending, ...three()).intervalJoin(keyed(env, ascending, ...three())).between(0, 2).process(combine).executeAndCollect();
      expect(out.sort()).toEqual(['(key,0):(key,0)', '(key,0):(key,1)', '(key,0):(key,2)', '(key,1):(key,1)', '(key,1):(key,2)', '(key,2):(key,2)']);
    });
  }

  it('testExecutionFailsInProcessingTime', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    expect(() => keyed(env, ascending, ['1', 1]).intervalJoin(keyed(env, ascending, ['1', 1])).inProcessingTime().between(0, 0))
      .toThrow(/only supported in event time/);
  });
});
