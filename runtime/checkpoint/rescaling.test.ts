import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamExecutionEnvironment, DataGeneratorSource, DiscardingSink, WatermarkStrategy, RichMapFunction, KeyedProcessFunction,
  ListStateDescriptor, ValueStateDescriptor, type JobClient, type ListState, type ValueState, type Collector,
  type CheckpointedFunction, type FunctionInitializationContext, type FunctionSnapshotContext,
} from 'tsflink';
import { waitFor } from '../testing/waitFor.js';
import { assignKeyToParallelOperator } from '../util/KeyGroupRangeAssignment.js';

// Flink's RescalingITCase, the cases beyond keyed sums (those are in savepoints.test.ts):
// testSavepointRescalingIn/OutPartitionedOperatorState (ListState: SPLIT_DISTRIBUTE, round robin),
// testSavepointRescalingIn/OutBroadcastOperatorState (union list state: every subtask gets all), and
// keyed event-time timers moving with their key groups. Each job is stopped with a savepoint
// mid-stream and resumed at another parallelism (max parallelism 13, as in Flink's test).
const MAX_P = 13;
const PARTS = 7; // list entries each subtask writes per snapshot (Flink's NUM_PARTITIONS idea)

type Entry = [from: number, part: number, value: number];

/** Counts the records of its subtask; snapshots the count split into PARTS tagged entries. */
class PartitionedCounter extends RichMapFunction<number, number> implements CheckpointedFunction {
  static union = false;
  /** subtask → the entries it wrote at its latest snapshot. */
  static written = new Map<number, Entry[]>();
  /** subtask → the entries it got on restore. */
  static restored = new Map<number, Entry[]>();
  /** subtask → its count (restored share + records since). */
  static counts = new Map<number, number>();
  static maxInput = -1;
  private count = 0;
  private state!: ListState<Entry>;

  private get index(): number { return this.getRuntimeContext().getTaskInfo().indexOfThisSubtask; }

  map(v: number): number {
    this.count++;
    PartitionedCounter.counts.set(this.index, this.count);
    PartitionedCounter.maxInput = Math.max(PartitionedCounter.maxInput, v);
    return v;
  }

  initializeState(ctx: FunctionInitializationContext): void {
    const desc = new ListStateDescriptor<Entry>('counter-parts');
    const store = ctx.getOperatorStateStore();
    this.state = PartitionedCounter.union ? store.getUnionListState(desc) : store.getListState(desc);
    if (!ctx.isRestored()) return;
    const got = [...this.state.get()];
    PartitionedCounter.restored.set(this.index, got);
    // A split share continues counting; a union copy is everyone's, so it is not this subtask's count.
    if (!PartitionedCounter.union) this.count = got.reduce((s, e) => s + e[2], 0);
    PartitionedCounter.counts.set(this.index, this.count);
  }

  snapshotState(_ctx: FunctionSnapshotContext): void {
    const entries: Entry[] = [];
    for (let i = 0; i < PARTS; i++) entries.push([this.index, i, Math.floor(this.count / PARTS) + (i < this.count % PARTS ? 1 : 0)]);
    this.state.update(entries);
    PartitionedCounter.written.set(this.index, entries);
  }
}

const dirs: string[] = [];
const tmp = (prefix: string): string => { const d = mkdtempSync(join(tmpdir(), prefix)); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const sortEntries = (es: Entry[]): Entry[] => [...es].sort((a, b) => a[0] - b[0] || a[1] - b[1]);

async function counterJob(p: number, n: number, rate: number, conf: Record<string, unknown>): Promise<JobClient> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(p, { 'restart-strategy.type': 'none', 'pipeline.max-parallelism': MAX_P, ...conf });
  env.fromSource(new DataGeneratorSource((i) => i, n, rate), WatermarkStrategy.noWatermarks(), 'gen').uid('gen')
    .map(new PartitionedCounter()).uid('counter')
    .sinkTo(new DiscardingSink<number>());
  return env.executeAsync('partitioned-operator-state');
}

describe('RescalingITCase: operator state through a savepoint', () => {
  for (const union of [false, true]) {
    for (const [from, to] of [[2, 3], [3, 2]] as const) {
      const name = union ? 'union list state (BroadcastOperatorState): every new subtask gets all entries'
        : 'list state (PartitionedOperatorState): the entries are split round robin, none lost or doubled';
      it(`${name}; parallelism ${from} → ${to}`, async () => {
        PartitionedCounter.union = union;
        PartitionedCounter.written = new Map(); PartitionedCounter.restored = new Map(); PartitionedCounter.counts = new Map(); PartitionedCounter.maxInput = -1;
        const N = 3000;
        const spDir = `file://${tmp('tsflink-rescale-op-')}`;
        const first = await counterJob(from, N, 3000, { 'execution.checkpointing.savepoint-dir': spDir });
        await waitFor('input flowing', async () => ((await first.getJobStatus()) === 'RUNNING' && PartitionedCounter.maxInput > 100 ? true : undefined));
        const path = await first.stopWithSavepoint(false);
        const counted = [...PartitionedCounter.counts.values()].reduce((a, b) => a + b, 0);
        expect(counted).toBeLessThan(N);
        const written = sortEntries([...PartitionedCounter.written.values()].flat());
        expect(written).toHaveLength(from * PARTS);
        expect(written.reduce((s, e) => s + e[2], 0)).toBe(counted); // the savepoint holds exactly what was counted

        PartitionedCounter.counts = new Map();
        await (await counterJob(to, N, 1e9, { 'execution.state-recovery.path': path })).getJobExecutionResult();
        expect(PartitionedCounter.restored.size).toBe(to);
        const restored = [...PartitionedCounter.restored.values()];
        if (union) {
          for (const got of restored) expect(sortEntries(got)).toEqual(written);
        } else {
          expect(sortEntries(restored.flat())).toEqual(written);
          const sizes = restored.map((r) => r.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1); // even split
          // Every record counted once across the stop: restored shares + the rest.
          expect([...PartitionedCounter.counts.values()].reduce((a, b) => a + b, 0)).toBe(N);
        }
      }, 90_000);
    }
  }
});

/** Per key: counts inputs, registers one event-time timer far ahead; the timer reports where it fired. */
class CountThenFire extends KeyedProcessFunction<number, number, [key: number, count: number, subtask: number]> {
  static fired: Array<[number, number, number]> = [];
  static maxInput = -1;
  private count!: ValueState<number>;
  override open(): void { this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count')); }
  processElement(v: number, ctx: Parameters<KeyedProcessFunction<number, number, [number, number, number]>['processElement']>[1]): void {
    CountThenFire.maxInput = Math.max(CountThenFire.maxInput, v);
    const c = this.count.value();
    if (c === undefined) ctx.timerService().registerEventTimeTimer(1e12);
    this.count.update((c ?? 0) + 1);
  }
  override onTimer(_ts: number, ctx: Parameters<NonNullable<KeyedProcessFunction<number, number, [number, number, number]>['onTimer']>>[1], out: Collector<[number, number, number]>): void {
    const fired: [number, number, number] = [ctx.getCurrentKey(), this.count.value() ?? -1, this.getRuntimeContext().getTaskInfo().indexOfThisSubtask];
    CountThenFire.fired.push(fired);
    out.collect(fired);
  }
}

describe('RescalingITCase: keyed timers move with their key groups', () => {
  for (const [from, to] of [[2, 3], [3, 1]] as const) {
    it(`event-time timers registered at parallelism ${from} fire once, in the subtask owning the key, after resuming at ${to}`, async () => {
      const KEYS = 11, N = 4400;
      const job = (p: number, rate: number, conf: Record<string, unknown>): Promise<JobClient> => {
        const env = StreamExecutionEnvironment.createLocalEnvironment(p, { 'restart-strategy.type': 'none', 'pipeline.max-parallelism': MAX_P, ...conf });
        env.fromSource(new DataGeneratorSource((i) => i, N, rate), WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v), 'gen').uid('gen')
          .keyBy((v) => v % KEYS)
          .process(new CountThenFire()).uid('timers')
          .sinkTo(new DiscardingSink<[number, number, number]>());
        return env.executeAsync('keyed-timers');
      };
      CountThenFire.fired = []; CountThenFire.maxInput = -1;
      const spDir = `file://${tmp('tsflink-rescale-timers-')}`;
      const first = await job(from, 3000, { 'execution.checkpointing.savepoint-dir': spDir });
      await waitFor('input flowing', async () => ((await first.getJobStatus()) === 'RUNNING' && CountThenFire.maxInput > 200 ? true : undefined));
      const path = await first.stopWithSavepoint(false); // no drain: the timers stay in the savepoint
      expect(CountThenFire.fired).toEqual([]);
      await (await job(to, 1e9, { 'execution.state-recovery.path': path })).getJobExecutionResult();
      const byKey = new Map(CountThenFire.fired.map(([k, c, s]) => [k, { c, s }]));
      expect(CountThenFire.fired).toHaveLength(KEYS); // one timer per key: none lost, none duplicated by the restore
      for (let k = 0; k < KEYS; k++) {
        expect(byKey.get(k)).toEqual({ c: N / KEYS, s: assignKeyToParallelOperator(k, MAX_P, to) });
      }
    }, 90_000);
  }
});
