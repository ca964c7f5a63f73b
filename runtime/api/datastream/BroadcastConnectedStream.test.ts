import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamExecutionEnvironment, WatermarkStrategy, MapStateDescriptor, ListStateDescriptor, DataGeneratorSource, RichMapFunction,
  BroadcastProcessFunction, KeyedBroadcastProcessFunction,
  type Collector, type BroadcastContext, type ReadOnlyBroadcastContext, type KeyedBroadcastContext, type KeyedReadOnlyContext,
  type KeyedBroadcastOnTimerContext, type CheckpointListener, type ListState,
} from 'tsflink';

const RULES = new MapStateDescriptor<string, number>('rules');

// Like Flink's BroadcastStateITCase: the keyed side registers an event-time timer per key at the
// end of time, so its output is the whole broadcast state, whatever order the two inputs arrive in.
class AtEndOfTime extends KeyedBroadcastProcessFunction<number, number, [string, number], string> {
  processBroadcastElement(r: [string, number], ctx: KeyedBroadcastContext<number>): void { ctx.getBroadcastState(RULES).put(r[0], r[1]); }
  processElement(_v: number, ctx: KeyedReadOnlyContext<number>): void { ctx.timerService().registerEventTimeTimer(1_000_000); }
  override onTimer(ts: number, ctx: KeyedBroadcastOnTimerContext<number>, out: Collector<string>): void {
    const rules = [...ctx.getBroadcastState(RULES).immutableEntries()].sort().map(([k, v]) => `${k}=${v}`).join(',');
    out.collect(`${ctx.getCurrentKey()}@${ts} ${rules}`);
  }
}

async function keyedRun(mode: 'STREAMING' | 'BATCH', parallelism: number, backend: 'hashmap' | 'leveldb' = 'hashmap'): Promise<string[]> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism).setRuntimeMode(mode).setStateBackend(backend);
  const wm = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v);
  const rules = env.fromElements<[string, number]>(['a', 1], ['b', 2], ['a', 3], ['c', 4]).broadcast(RULES);
  return (await env.fromSequence(0, 99).assignTimestampsAndWatermarks(wm).keyBy((v) => v % 7)
    .connect(rules).process(new AtEndOfTime()).executeAndCollect()).sort();
}

describe('broadcast state end to end', () => {
  const expected = Array.from({ length: 7 }, (_, k) => `${k}@1000000 a=3,b=2,c=4`).sort();

  it('keyed: every key sees the complete broadcast state (parallelism 3, STREAMING)', async () => {
    expect(await keyedRun('STREAMING', 3)).toEqual(expected);
  });

  it('keyed on the leveldb state backend (timers and keyed state there)', async () => {
    expect(await keyedRun('STREAMING', 2, 'leveldb')).toEqual(expected);
  });

  it('keyed in BATCH: the broadcast side is processed first, results equal STREAMING', async () => {
    expect(await keyedRun('BATCH', 2)).toEqual(expected);
  });

  it('non-keyed: every broadcast element reaches every parallel instance', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(3);
    const out = await env.fromSequence(1, 6).rebalance().connect(env.fromElements<[string, number]>(['x', 1], ['y', 2]).broadcast(RULES))
      .process(new (class extends BroadcastProcessFunction<number, [string, number], string> {
        processElement(v: number, ctx: ReadOnlyBroadcastContext, out: Collector<string>): void { out.collect(`el ${v}`); void ctx.getBroadcastState(RULES).get('x'); }
        processBroadcastElement(r: [string, number], ctx: BroadcastContext, out: Collector<string>): void {
          ctx.getBroadcastState(RULES).put(r[0], r[1]);
          out.collect(`rule ${r[0]} at ${this.getRuntimeContext().getTaskInfo().indexOfThisSubtask}`);
        }
      })()).executeAndCollect();
    expect(out.filter((s) => s.startsWith('el')).sort()).toEqual([1, 2, 3, 4, 5, 6].map((v) => `el ${v}`));
    expect(out.filter((s) => s.startsWith('rule')).sort()).toEqual(['rule x at 0', 'rule x at 1', 'rule x at 2', 'rule y at 0', 'rule y at 1', 'rule y at 2']);
  });

  it('non-keyed in BATCH: the broadcast side is processed first (Flink\'s BatchCoBroadcastWithNonKeyedOperator)', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2).setRuntimeMode('BATCH');
    const out = await env.fromSequence(1, 50).connect(env.fromElements<[string, number]>(['x', 7]).broadcast(RULES))
      .process(new (class extends BroadcastProcessFunction<number, [string, number], string> {
        processElement(v: number, ctx: ReadOnlyBroadcastContext, out: Collector<string>): void { out.collect(`${v} ${ctx.getBroadcastState(RULES).get('x') ?? 'none'}`); }
        processBroadcastElement(r: [string, number], ctx: BroadcastContext): void { ctx.getBroadcastState(RULES).put(r[0], r[1]); }
      })()).executeAndCollect();
    expect(out.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `${i + 1} 7`).sort());
  });

  it('bad input gets clear errors', () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(1);
    const s = env.fromElements(1, 2);
    expect(() => s.broadcast(new ListStateDescriptor('l') as never)).toThrow(/expected a MapStateDescriptor/);
    expect(() => s.broadcast(RULES, RULES)).toThrow(/given twice/);
    const bs = s.broadcast(RULES);
    expect(() => s.keyBy((v) => v).connect(bs).process(new (class extends BroadcastProcessFunction<number, number, number> {
      processElement(): void {} processBroadcastElement(): void {}
    })())).toThrow(/BroadcastProcessFunction can only be used on a non-keyed stream/);
    expect(() => s.connect(bs).process(new AtEndOfTime() as never)).toThrow(/KeyedBroadcastProcessFunction can only be used on a keyed stream/);
    expect(() => s.connect(bs).process({ processElement() {} } as never)).toThrow(/without processBroadcastElement/);
    expect(() => s.connect(42 as never)).toThrow(/expected a DataStream or a BroadcastStream/);
    expect(s.broadcast()).not.toBe(s); // plain broadcast() partitioning still works
  });
});

// Broadcast state is operator state in BROADCAST mode: a job fails after two checkpoints, and a new
// job with a different parallelism starts from the retained checkpoint. Its broadcast input has no
// rule any more, so the factor it applies can only come from the restored broadcast state.
describe('broadcast state in checkpoints', () => {
  const N = 3000;
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  class FailAfterCheckpoints extends RichMapFunction<number, number> implements CheckpointListener {
    private completed = 0;
    constructor(private readonly fail: boolean) { super(); }
    map(v: number): number {
      if (this.fail && this.completed >= 2 && v >= N / 2) throw new Error('Artificial Failure');
      return v;
    }
    notifyCheckpointComplete(): void { this.completed++; }
  }

  const PENDING = new ListStateDescriptor<number>('pending');
  /** Multiplies by the broadcast 'factor'; elements seen before it wait in keyed state until it arrives. */
  class Enrich extends KeyedBroadcastProcessFunction<number, number, [string, number], number> {
    processElement(v: number, ctx: KeyedReadOnlyContext<number>, out: Collector<number>): void {
      const f = ctx.getBroadcastState(RULES).get('factor');
      if (f === undefined) this.getRuntimeContext().getListState(PENDING).add(v); else out.collect(v * f);
    }
    processBroadcastElement(r: [string, number], ctx: KeyedBroadcastContext<number>, out: Collector<number>): void {
      ctx.getBroadcastState(RULES).put(r[0], r[1]);
      if (r[0] !== 'factor') return;
      ctx.applyToKeyedState(PENDING, (_k: number, s: ListState<number>) => { for (const v of s.get()) out.collect(v * r[1]); s.clear(); });
    }
  }

  async function run(parallelism: number, conf: Record<string, unknown>, fail: boolean, rule: [string, number], rulesUid: string): Promise<number[]> {
    const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, { 'restart-strategy.type': 'none', ...conf });
    env.enableCheckpointing(40);
    const rules = env.fromElements<[string, number]>(rule).uid(rulesUid).broadcast(RULES);
    return env.fromSource(new DataGeneratorSource((i) => i, N, 6000), WatermarkStrategy.noWatermarks(), 'gen').uid('gen').setParallelism(1) // one split: it resumes at one position
      .map(new FailAfterCheckpoints(fail)).uid('fail')
      .keyBy((v) => v % 5)
      .connect(rules).process(new Enrich()).uid('enrich')
      .executeAndCollect();
  }

  it('a job restored at another parallelism (2 -> 3) gets every subtask a copy of the broadcast state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-broadcast-'));
    dirs.push(dir);
    const err = await run(2, { 'execution.checkpointing.dir': `file://${dir}`, 'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION' },
      true, ['factor', 3], 'rules').then(() => null, (e: unknown) => e);
    expect((err as Error | null)?.message ?? '').toMatch(/Artificial Failure/);
    const [job] = readdirSync(dir);
    const chk = readdirSync(join(dir, job!)).filter((f) => f.startsWith('chk-') && existsSync(join(dir, job!, f, '_metadata')))
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))).at(-1)!;

    const out = await run(3, { 'execution.state-recovery.path': join(dir, job!, chk), 'execution.state-recovery.ignore-unclaimed-state': true },
      false, ['unrelated', 0], 'rules-2');
    const values = out.map((v) => { expect(v % 3).toBe(0); return v / 3; }).sort((a, b) => a - b);
    // The source resumed past 0 and every later element came out once, multiplied by the restored factor.
    expect(values[0]).toBeGreaterThan(0);
    expect(values).toEqual(Array.from({ length: N - values[0] }, (_, i) => values[0] + i));
  }, 60_000);
});

// Ported from Flink's BroadcastStateITCase.
describe('BroadcastStateITCase', () => {
  const expectedState = new Map<number, string>([0, 1, 2, 3, 4, 5].map((k) => [k, `test:${k}`]));
  const punctuated = <T>(ts: (v: T) => number): WatermarkStrategy<T> =>
    WatermarkStrategy.forGenerator<T>(() => ({ onEvent: (_e, t, o) => o.emitWatermark(t), onPeriodicEmit: () => {} })).withTimestampAssigner(ts);

  /** Registers a timer per element far in the future; each timer checks its key and the complete broadcast state. */
  class TestKeyedBroadcastProcessFunction extends KeyedBroadcastProcessFunction<number, number, string, string> {
    // Made in open(): each subtask gets a shallow copy of the function object, so a Map made in the
    // constructor would be shared by the subtasks of an in-process job (Flink deserializes a copy each).
    private timerToExpectedKey!: Map<number, number>;
    private descriptor!: MapStateDescriptor<number, string>;
    constructor(private nextTimerTimestamp: number) { super(); }
    override open(): void {
      this.timerToExpectedKey = new Map();
      this.descriptor = new MapStateDescriptor<number, string>('broadcast-state'); // same name: the same state
    }
    processElement(v: number, ctx: KeyedReadOnlyContext<number>): void {
      const t = this.nextTimerTimestamp++;
      ctx.timerService().registerEventTimeTimer(t);
      this.timerToExpectedKey.set(t, v);
    }
    processBroadcastElement(v: string, ctx: KeyedBroadcastContext<number>): void { ctx.getBroadcastState(this.descriptor).put(Number(v.split(':')[1]), v); }
    override onTimer(ts: number, ctx: KeyedBroadcastOnTimerContext<number>, out: Collector<string>): void {
      expect(ctx.getCurrentKey()).toBe(this.timerToExpectedKey.get(ts));
      expect(new Map(ctx.getBroadcastState(this.descriptor).immutableEntries())).toEqual(expectedState);
      out.collect(String(ts));
    }
  }

  const sources = (env: StreamExecutionEnvironment) => ({
    one: env.fromSequence(0, 5).assignTimestampsAndWatermarks(punctuated<number>((v) => v)),
    two: env.fromElements(...expectedState.values()).assignTimestampsAndWatermarks(punctuated<string>((v) => Number(v.split(':')[1]))),
  });

  it('testKeyedWithBroadcastTranslation', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const { one, two } = sources(env);
    const out = await one.keyBy((v) => v).connect(two.broadcast(new MapStateDescriptor<number, string>('broadcast-state')))
      .process(new TestKeyedBroadcastProcessFunction(100_000)).executeAndCollect();
    expect(out).toHaveLength(expectedState.size); // every timer fired, each after checking the state
  });

  it('testBroadcastTranslation', async () => {
    const env = StreamExecutionEnvironment.createLocalEnvironment(2);
    const { one, two } = sources(env);
    const out = await one.connect(two.broadcast(new MapStateDescriptor<number, string>('broadcast-state')))
      .process(new (class extends BroadcastProcessFunction<number, string, string> {
        processElement(): void {}
        processBroadcastElement(v: string, ctx: BroadcastContext): void { ctx.getBroadcastState(new MapStateDescriptor<number, string>('broadcast-state')).put(Number(v.split(':')[1]), v); }
      })()).executeAndCollect();
    expect(out).toEqual([]);
  });
});
