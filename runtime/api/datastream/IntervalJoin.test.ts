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
