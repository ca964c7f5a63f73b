import { describe, it, expect, vi, afterEach } from 'vitest';
import {
  StreamExecutionEnvironment, OutputTag, ProcessFunction, RichMapFunction, IntCounter, ListAccumulator, ListStateDescriptor, ValueStateDescriptor,
  type Collector, type ValueState, type ProcessContext, type OpenContext,
} from 'tsflink';

const env = (p = 1): StreamExecutionEnvironment => StreamExecutionEnvironment.createLocalEnvironment(p);
const sorted = <T>(xs: T[]): T[] => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));

describe('record-at-a-time operators', () => {
  it('map, filter and flatMap (collector and returned iterable) in a chain', async () => {
    const e = env();
    const out = await e.fromElements(1, 2, 3, 4, 5)
      .map((x: number) => x * 10)
      .filter((x) => x !== 30)
      .flatMap((x: number, c) => { c.collect(x); c.collect(x + 1); })
      .flatMap((x: number) => (x % 2 === 0 ? [x] : []))
      .executeAndCollect();
    expect(out).toEqual([10, 20, 40, 50]);
  });

  it('accepts objects and class instances with the method instead of functions', async () => {
    class Doubler { factor = 2; map(v: number): number { return v * this.factor; } }
    const out = await env().fromElements(1, 2).map(new Doubler()).filter({ filter: (v: number) => v > 2 }).executeAndCollect();
    expect(out).toEqual([4]);
  });

  it('rejects a non-function with a clear error', () => {
    expect(() => env().fromElements(1).map(42 as never)).toThrow(/map: expected a function or an object with a map\(\) method, got number/);
  });

  it('union merges streams of the same type', async () => {
    const e = env(2);
    const a = e.fromElements('a', 'b');
    const b = e.fromElements('c');
    const c = e.fromSequence(1, 3).map((n) => `n${n}`);
    expect(sorted(await a.union(b, c).executeAndCollect())).toEqual(['a', 'b', 'c', 'n1', 'n2', 'n3']);
  });

  it('fromSequence is parallel and inclusive; fromCollection takes any iterable', async () => {
    const e = env(4);
    const xs = await e.fromSequence(1, 1000).executeAndCollect();
    expect(xs.length).toBe(1000);
    expect(new Set(xs).size).toBe(1000);
    expect(Math.min(...xs)).toBe(1);
    expect(Math.max(...xs)).toBe(1000);
    const ys = await env().fromCollection(new Set(['x', 'y'])).executeAndCollect();
    expect(ys).toEqual(['x', 'y']);
  });

  it('fromElements is non-parallel', () => {
    expect(() => env().fromElements(1, 2).setParallelism(2)).toThrow(/non parallel operator .* must be 1/);
  });
});

describe('keyed rolling aggregations', () => {
  const data: Array<[string, number]> = [['a', 3], ['b', 1], ['a', 1], ['a', 5], ['b', 7]];

  it('map, flatMap and filter after keyBy are keyed: their keyed state is per key (Flink\'s KeyedStream)', async () => {
    class Count extends RichMapFunction<number, [number, number]> {
      private c!: ValueState<number>;
      override open(): void { this.c = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('c')); }
      map(v: number): [number, number] { const n = (this.c.value() ?? 0) + 1; this.c.update(n); return [v % 5, n]; }
    }
    const out = await env(3).fromSequence(0, 99).keyBy((v) => v % 5).map(new Count()).executeAndCollect();
    for (let k = 0; k < 5; k++) expect(out.filter((t) => t[0] === k).map((t) => t[1]).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('STREAMING emits every update of reduce and sum', async () => {
    const e = env(2).setRuntimeMode('STREAMING');
    const out = await e.fromElements(...data).keyBy((t) => t[0]).reduce((x, y) => [x[0], x[1] + y[1]]).executeAndCollect();
    expect(sorted(out)).toEqual(sorted([['a', 3], ['a', 4], ['a', 9], ['b', 1], ['b', 8]]));
    const s = await env(2).fromElements(...data).keyBy((t) => t[0]).sum(1).executeAndCollect();
    expect(sorted(s)).toEqual(sorted([['a', 3], ['a', 4], ['a', 9], ['b', 1], ['b', 8]]));
  });

  it('BATCH emits only the final value per key', async () => {
    const e = env(2).setRuntimeMode('BATCH');
    const out = await e.fromElements(...data).keyBy((t) => t[0]).sum(1).executeAndCollect();
    expect(sorted(out)).toEqual([['a', 9], ['b', 8]]);
  });

  it('min/max keep the first record\'s other fields; minBy/maxBy return whole records', async () => {
    type R = { k: string; v: number; tag: string };
    const rs: R[] = [{ k: 'x', v: 5, tag: 'first' }, { k: 'x', v: 2, tag: 'second' }, { k: 'x', v: 9, tag: 'third' }, { k: 'x', v: 2, tag: 'fourth' }];
    const run = async (f: 'min' | 'max' | 'minBy' | 'maxBy'): Promise<R[]> =>
      env().setRuntimeMode('BATCH').fromElements(...rs).keyBy((r) => r.k)[f]('v').executeAndCollect();
    expect(await run('min')).toEqual([{ k: 'x', v: 2, tag: 'first' }]);
    expect(await run('max')).toEqual([{ k: 'x', v: 9, tag: 'first' }]);
    expect(await run('minBy')).toEqual([{ k: 'x', v: 2, tag: 'second' }]);
    expect(await run('maxBy')).toEqual([{ k: 'x', v: 9, tag: 'third' }]);
  });

  it('keys may be numbers, bigints, booleans and tuples', async () => {
    const out = await env(3).setRuntimeMode('BATCH').fromElements(
      { k: [1, 'a'], n: 1 }, { k: [1, 'a'], n: 2 }, { k: [1, 'b'], n: 4 }, { k: [2, 'a'], n: 8 },
    ).keyBy((r) => r.k as [number, string]).sum('n').executeAndCollect();
    expect(sorted(out.map((r) => [r.k, r.n]))).toEqual(sorted([[[1, 'a'], 3], [[1, 'b'], 4], [[2, 'a'], 8]]));
    const big = await env(2).setRuntimeMode('BATCH').fromElements<[bigint, number]>([1n, 1], [1n, 2], [2n, 5]).keyBy((t) => t[0]).sum(1).executeAndCollect();
    expect(sorted(big.map((t) => [String(t[0]), t[1]]))).toEqual([['1', 3], ['2', 5]]);
  });

  it('an invalid key fails the job with a clear error', async () => {
    await expect(env().fromElements({ a: 1 }).keyBy((r) => ({ nested: r }) as never).sum('a').executeAndCollect())
      .rejects.toThrow(/Invalid key: an object .* must return a string, number, bigint, boolean or an array/);
  });
});

describe('process functions and side outputs', () => {
  it('ProcessFunction emits to the main output and to side outputs', async () => {
    const odd = new OutputTag<string>('odd');
    class Split extends ProcessFunction<number, number> {
      processElement(v: number, ctx: ProcessContext, out: Collector<number>): void {
        if (v % 2 === 0) out.collect(v); else ctx.output(odd, `odd:${v}`);
      }
    }
    const e = env();
    const main = e.fromElements(1, 2, 3, 4).process(new Split());
    const side = main.getSideOutput(odd);
    const [mainOut, sideOut] = await Promise.all([main.executeAndCollect(), Promise.resolve()]).then(async ([m]) => [m, await sideRun()]);
    expect(mainOut).toEqual([2, 4]);
    expect(sideOut).toEqual(['odd:1', 'odd:3']);
    async function sideRun(): Promise<string[]> {
      const e2 = env();
      const m2 = e2.fromElements(1, 2, 3, 4).process(new Split());
      return m2.getSideOutput(odd).executeAndCollect();
    }
    void side;
  });

  it('timers are rejected on non-keyed streams', async () => {
    await expect(env().fromElements(1).process({
      processElement(_v: number, ctx: ProcessContext) { ctx.timerService().registerProcessingTimeTimer(1); },
    }).executeAndCollect()).rejects.toThrow(/only supported on a keyed stream/);
  });
});

describe('connected streams', () => {
  it('map with two functions and CoMapFunction objects', async () => {
    const e = env();
    const out = await e.fromElements(1, 2).connect(e.fromElements('x')).map((n: number) => `n${n}`, (s: string) => `s${s}`).executeAndCollect();
    expect(sorted(out)).toEqual(['n1', 'n2', 'sx']);
  });

  it('flatMap and CoProcessFunction', async () => {
    const e = env();
    const out = await e.fromElements(1, 2).connect(e.fromElements('ab'))
      .flatMap({ flatMap1: (n: number, c: Collector<string>) => c.collect(`${n}`), flatMap2: (s: string) => s.split('') })
      .executeAndCollect();
    expect(sorted(out)).toEqual(['1', '2', 'a', 'b']);
    const e2 = env();
    const out2 = await e2.fromElements(1).connect(e2.fromElements(2)).process({
      processElement1(v: number, _c: ProcessContext, o: Collector<string>) { o.collect(`first ${v}`); },
      processElement2(v: number, _c: ProcessContext, o: Collector<string>) { o.collect(`second ${v}`); },
    }).executeAndCollect();
    expect(sorted(out2)).toEqual(['first 1', 'second 2']);
  });
});

describe('partitioning', () => {
  const subtaskOf = (p: number) => new (class extends RichMapFunction<number, [number, number]> {
    map(v: number): [number, number] { return [this.getRuntimeContext().getTaskInfo().indexOfThisSubtask, v]; }
  })();

  it('rebalance spreads round-robin, broadcast copies to all, global sends to subtask 0', async () => {
    const reb = await env(1).fromSequence(1, 8).rebalance().map(subtaskOf(4)).setParallelism(4).executeAndCollect();
    const per = [0, 0, 0, 0];
    for (const [s] of reb) per[s]++;
    expect(per).toEqual([2, 2, 2, 2]);
    const bc = await env(1).fromElements(7).broadcast().map(subtaskOf(3)).setParallelism(3).executeAndCollect();
    expect(sorted(bc)).toEqual([[0, 7], [1, 7], [2, 7]]);
    const gl = await env(1).fromSequence(1, 6).global().map(subtaskOf(3)).setParallelism(3).executeAndCollect();
    expect(new Set(gl.map((x) => x[0]))).toEqual(new Set([0]));
  });

  it('shuffle and rescale deliver every record exactly once', async () => {
    const sh = await env(2).fromSequence(1, 100).shuffle().map((x) => x).setParallelism(3).executeAndCollect();
    expect(sh.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const rs = await env(2).fromSequence(1, 100).map(subtaskOf(2)).rescale()
      .map(new (class extends RichMapFunction<[number, number], [number, number, number]> {
        map(v: [number, number]): [number, number, number] { return [v[0], this.getRuntimeContext().getTaskInfo().indexOfThisSubtask, v[1]]; }
      })()).setParallelism(4).executeAndCollect();
    expect(rs.map((x) => x[2]).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // rescale is pointwise: producer 0 feeds consumers 0-1, producer 1 feeds 2-3.
    for (const [producer, consumer] of rs) expect(Math.floor(consumer / 2)).toBe(producer);
  });

  it('partitionCustom routes by the user partitioner; keyBy keeps each key on one subtask', async () => {
    const out = await env(1).fromSequence(1, 9).partitionCustom((k: number, n) => k % n, (x) => x).map(subtaskOf(3)).setParallelism(3).executeAndCollect();
    for (const [s, v] of out) expect(s).toBe(v % 3);
    const keyed = await env(4).fromSequence(1, 400).keyBy((x) => x % 10).map(subtaskOf(4)).executeAndCollect();
    const owner = new Map<number, number>();
    for (const [s, v] of keyed) {
      const k = v % 10;
      if (owner.has(k)) expect(owner.get(k)).toBe(s); else owner.set(k, s);
    }
  });

  it('partitionCustom with a bad partition index fails clearly', async () => {
    await expect(env().fromElements(1).partitionCustom(() => 5, (x) => x).map((x) => x).setParallelism(2).executeAndCollect())
      .rejects.toThrow(/partitionCustom: the partitioner returned 5/);
  });
});

describe('rich functions, accumulators, metrics', () => {
  it('open/close lifecycle, task info, per-subtask function copies and accumulators', async () => {
    const opened: number[] = [];
    class Tagger extends RichMapFunction<number, string> {
      private seen = 0;
      override open(ctx: OpenContext): void {
        opened.push(ctx.taskInfo.indexOfThisSubtask);
        this.getRuntimeContext().addAccumulator('records', new IntCounter());
        this.getRuntimeContext().addAccumulator('values', new ListAccumulator<number>());
      }
      map(v: number): string {
        this.seen++;
        this.getRuntimeContext().getAccumulator<number, number>('records')!.add(1);
        this.getRuntimeContext().getAccumulator<number, number[]>('values')!.add(v);
        this.getRuntimeContext().getMetricGroup().counter('mapped').inc();
        const ti = this.getRuntimeContext().getTaskInfo();
        return `${ti.taskName}:${ti.numberOfParallelSubtasks}:${ti.attemptNumber}`;
      }
    }
    const e = env(2);
    e.fromSequence(1, 10).map(new Tagger()).name('Tagger').sinkTo(new (await import('tsflink')).DiscardingSink());
    const result = await e.execute('acc');
    expect(opened.sort()).toEqual([0, 1]);
    expect(result.getAccumulatorResult('records')).toBe(10);
    expect((result.getAccumulatorResult<number[]>('values') ?? []).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.getJobID()).toMatch(/^[0-9a-f]{32}$/);
    expect(result.getNetRuntime()).toBeGreaterThanOrEqual(0);
  });
});

describe('print', () => {
  afterEach(() => vi.restoreAllMocks());
  it('formats like Flink: prefix:subtask> when parallelism > 1, JSON for non-strings', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { lines.push(...String(s).split('\n').filter(Boolean)); return true; });
    const e = env(1);
    e.fromElements('plain', 'text').print();
    e.fromElements([1, 'a'], { k: 2 }).print('pre');
    e.fromElements(5, 6).rebalance().map((x) => x).setParallelism(2).print('p').setParallelism(2);
    await e.execute();
    expect(lines).toContain('plain');
    expect(lines).toContain('pre> [1,"a"]');
    expect(lines).toContain('pre> {"k":2}');
    expect(lines.some((l) => /^p:[12]> 5$/.test(l))).toBe(true);
    expect(lines.some((l) => /^p:[12]> 6$/.test(l))).toBe(true);
  });
});

describe('executeAndCollect and modes', () => {
  it('stops at the limit, even on an unbounded source', async () => {
    const { DataGeneratorSource, WatermarkStrategy } = await import('tsflink');
    const e = env(2);
    const out = await e.fromSource(new DataGeneratorSource((i) => i, Infinity), WatermarkStrategy.noWatermarks(), 'gen').executeAndCollect('limited', 50);
    expect(out.length).toBe(50);
  });

  it('BATCH rejects an unbounded source; AUTOMATIC picks the mode from the sources', async () => {
    const { DataGeneratorSource, WatermarkStrategy } = await import('tsflink');
    const e = env().setRuntimeMode('BATCH');
    e.fromSource(new DataGeneratorSource((i) => i, Infinity), WatermarkStrategy.noWatermarks(), 'endless').print();
    await expect(e.execute()).rejects.toThrow(/Detected an UNBOUNDED source \('endless'\) with 'execution.runtime-mode' set to 'BATCH'/);
    const auto = env(2).setRuntimeMode('AUTOMATIC');
    const out = await auto.fromElements<[string, number]>(['a', 1], ['a', 2]).keyBy((t) => t[0]).sum(1).executeAndCollect();
    expect(out).toEqual([['a', 3]]); // bounded → BATCH → final value only
  });

  it('execute without a sink is an error', async () => {
    const e = env();
    await expect(e.execute()).rejects.toThrow(/No operators defined in streaming topology/);
  });
});

describe('event timestamps, watermarks and operator state', () => {
  it('assignTimestampsAndWatermarks sets timestamps and drives event-time timers; the final watermark fires the rest', async () => {
    const { WatermarkStrategy, KeyedProcessFunction } = await import('tsflink');
    class FireAt extends KeyedProcessFunction<string, { k: string; t: number }, string> {
      processElement(e: { k: string; t: number }, ctx: import('tsflink').KeyedProcessContext<string>): void {
        expect(ctx.timestamp()).toBe(e.t);
        ctx.timerService().registerEventTimeTimer(e.t + 10);
      }
      override onTimer(ts: number, ctx: import('tsflink').KeyedOnTimerContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}@${ts}:${ctx.timeDomain()}:wm>=${ctx.timerService().currentWatermark() >= ts}`);
      }
    }
    const out = await env(2).fromElements({ k: 'a', t: 100 }, { k: 'b', t: 200 }, { k: 'a', t: 300 })
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ k: string; t: number }>().withTimestampAssigner((e) => e.t))
      .keyBy((e) => e.k).process(new FireAt()).executeAndCollect();
    expect(out.sort()).toEqual(['a@110:EVENT_TIME:wm>=true', 'a@310:EVENT_TIME:wm>=true', 'b@210:EVENT_TIME:wm>=true']);
  });

  it('CheckpointedFunction gets initializeState with the operator state store before open', async () => {
    const calls: string[] = [];
    class WithState extends RichMapFunction<number, number> {
      initializeState(ctx: import('tsflink').FunctionInitializationContext): void {
        calls.push(`init restored=${ctx.isRestored()}`);
        ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('buffer')).add(1);
      }
      snapshotState(): void {}
      override open(): void { calls.push('open'); }
      map(v: number): number { return v; }
    }
    await env().fromElements(1).map(new WithState()).executeAndCollect();
    expect(calls).toEqual(['init restored=false', 'open']);
  });
});
