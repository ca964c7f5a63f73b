// Pipelined regions, their scheduling and region failover (Flink's PipelinedRegionComputeUtilTest,
// PipelinedRegionSchedulingStrategyTest, RestartPipelinedRegionFailoverStrategyTest), then BATCH jobs
// on an in-thread TaskManager with fewer slots than subtasks.
import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, RichMapFunction } from 'tsflink';
import { StreamingJobGraphGenerator } from '../../graph/jobgraph/StreamingJobGraphGenerator.js';
import { ExecutionGraph, type ExecutionVertex } from '../../graph/executiongraph/ExecutionGraph.js';
import { PipelinedRegionTopology } from './PipelinedRegionTopology.js';
import { PipelinedRegionSchedulingStrategy } from './PipelinedRegionSchedulingStrategy.js';
import { JobSlotPool } from './JobSlotPool.js';
import { SlotManager } from '../resourcemanager/SlotManager.js';
import type { TaskExecutorGateway } from '../gateways.js';
import { RestartPipelinedRegionFailoverStrategy } from '../jobmaster/failover/RestartPipelinedRegionFailoverStrategy.js';
import { MiniCluster } from '../../minicluster/MiniCluster.js';
import { TaskExecutor } from '../../taskmanager/TaskExecutor.js';
import { networkConfigFromConfiguration } from '../../taskmanager/NetworkEnvironmentConfiguration.js';
import { Configuration } from '../../configuration/index.js';
import type { SlotLocation } from '../../graph/executiongraph/ExecutionGraph.js';

/** source(p) -> rebalance -> map(p) -> keyBy -> sink(p), as an ExecutionGraph. */
function graph(mode: 'BATCH' | 'STREAMING', p = 2, conf: Record<string, string> = {}): ExecutionGraph {
  const env = StreamExecutionEnvironment.createLocalEnvironment(p, conf);
  env.setRuntimeMode(mode);
  env.fromSequence(1, 10).name('S').rebalance().map((x) => x).name('M').keyBy((x) => x % 2).map((x) => x).name('K').print();
  return new ExecutionGraph(new StreamingJobGraphGenerator(env.getStreamGraph('t', false)).generate());
}
const names = (vs: Iterable<ExecutionVertex>): string[] => [...vs].map((v) => v.taskNameWithSubtaskIndex).sort();
const finish = (v: ExecutionVertex): void => { for (const s of ['SCHEDULED', 'DEPLOYING', 'RUNNING', 'FINISHED'] as const) v.currentExecution.transitionState(s); };

describe('pipelined regions', () => {
  it('blocking exchanges make every subtask its own region, in topological order', () => {
    const t = PipelinedRegionTopology.build(graph('BATCH'));
    expect(t.regions.map((r) => names(r.vertices))).toEqual([
      ['Source: S (1/2)'], ['Source: S (2/2)'], ['M (1/2)'], ['M (2/2)'], ['K -> Sink: Print to Std. Out (1/2)'], ['K -> Sink: Print to Std. Out (2/2)'],
    ]);
    const m0 = t.regions[2]!;
    expect(names(m0.blockingProducers)).toEqual(['Source: S (1/2)', 'Source: S (2/2)']);
    expect(names([...m0.consumerRegions].flatMap((r) => r.vertices))).toEqual(['K -> Sink: Print to Std. Out (1/2)', 'K -> Sink: Print to Std. Out (2/2)']);
  });

  it('pipelined exchanges (STREAMING, or BATCH with ALL_EXCHANGES_PIPELINED) join everything into one region', () => {
    for (const g of [graph('STREAMING'), graph('BATCH', 2, { 'execution.batch-shuffle-mode': 'ALL_EXCHANGES_PIPELINED' })]) {
      const t = PipelinedRegionTopology.build(g);
      expect(t.regions).toHaveLength(1);
      expect(t.regions[0]!.vertices).toHaveLength(6);
      expect(t.regions[0]!.blockingProducers.size).toBe(0);
    }
  });

  it('a region is scheduled once all producers of its blocking inputs finished (all-to-all waits for every producer)', () => {
    const t = PipelinedRegionTopology.build(graph('BATCH'));
    const scheduled: string[][] = [];
    const s = new PipelinedRegionSchedulingStrategy(t, (r) => scheduled.push(names(r.vertices)));
    s.startScheduling();
    expect(scheduled).toEqual([['Source: S (1/2)'], ['Source: S (2/2)']]);
    const [s0, s1, m0, m1] = t.regions.map((r) => r.vertices[0]!);
    finish(s0!); s.onExecutionFinished(s0!);
    expect(scheduled).toHaveLength(2);
    finish(s1!); s.onExecutionFinished(s1!);
    expect(scheduled.slice(2)).toEqual([['M (1/2)'], ['M (2/2)']]);
    finish(m0!); s.onExecutionFinished(m0!);
    expect(scheduled).toHaveLength(4);
    // A held region (failover under way) is not scheduled even when its inputs finish.
    const k = t.regions.slice(4);
    s.holdRegions(k);
    finish(m1!); s.onExecutionFinished(m1!);
    expect(scheduled).toHaveLength(4);
    s.restartRegions(k);
    expect(scheduled.slice(4)).toEqual([['K -> Sink: Print to Std. Out (1/2)'], ['K -> Sink: Print to Std. Out (2/2)']]);
  });
});

describe('region failover (RestartPipelinedRegionFailoverStrategy)', () => {
  it('a failed consumer restarts only its region and its consumers while its producers\' partitions are available', () => {
    const g = graph('BATCH');
    const t = PipelinedRegionTopology.build(g);
    const [, , m0] = t.regions.map((r) => r.vertices[0]!);
    const f = new RestartPipelinedRegionFailoverStrategy(t, () => true);
    expect(names([...f.regionsToRestart([m0!])].flatMap((r) => r.vertices))).toEqual(['K -> Sink: Print to Std. Out (1/2)', 'K -> Sink: Print to Std. Out (2/2)', 'M (1/2)']);
    const sink0 = t.regions[4]!.vertices[0]!;
    expect(names([...f.regionsToRestart([sink0])].flatMap((r) => r.vertices))).toEqual(['K -> Sink: Print to Std. Out (1/2)']);
  });

  it('producers still running or not started are not restarted: only lost partitions pull their producer in', () => {
    const g = graph('BATCH');
    const t = PipelinedRegionTopology.build(g);
    // As the JobMaster sees it: finished = available unless lost; running/created = available.
    const lost = new Set<ExecutionVertex>();
    const f = new RestartPipelinedRegionFailoverStrategy(t, (p) => !lost.has(p));
    const [, , m0, m1] = t.regions.map((r) => r.vertices[0]!);
    // M (2/2) still runs while M (1/2) fails: the K regions restart (consumers of M (1/2)), M (2/2) does not.
    expect(names([...f.regionsToRestart([m0!])].flatMap((r) => r.vertices))).not.toContain(m1!.taskNameWithSubtaskIndex);
    lost.add(m1!);
    expect(names([...f.regionsToRestart([m0!])].flatMap((r) => r.vertices))).toContain(m1!.taskNameWithSubtaskIndex);
  });

  it('a lost partition adds its producer region, and that region\'s consumers', () => {
    const g = graph('BATCH');
    const t = PipelinedRegionTopology.build(g);
    const [s0, , , , k0] = t.regions.map((r) => r.vertices[0]!);
    const f = new RestartPipelinedRegionFailoverStrategy(t, (p) => p !== s0);
    expect(names([...f.regionsToRestart([k0!])].flatMap((r) => r.vertices))).toEqual(['K -> Sink: Print to Std. Out (1/2)']);
    // M (1/2) needs S (1/2)'s lost partition: S (1/2) reruns, so do all its consumers (both M) and theirs.
    const m0 = t.regions[2]!.vertices[0]!;
    expect(names([...f.regionsToRestart([m0])].flatMap((r) => r.vertices))).toEqual([
      'K -> Sink: Print to Std. Out (1/2)', 'K -> Sink: Print to Std. Out (2/2)', 'M (1/2)', 'M (2/2)', 'Source: S (1/2)',
    ]);
  });
});

describe('JobSlotPool', () => {
  const slot = (i: number): SlotLocation => ({ taskManagerId: 'tm', slotIndex: i });
  /** A ResourceManager with `n` free slots; requests it cannot serve wait until rejected or withdrawn. */
  function rm(n: number) {
    const free = Array.from({ length: n }, (_, i) => slot(i));
    const returned: number[] = [];
    const waiting: Array<{ count: number; signal: AbortSignal; reject: (e: Error) => void }> = [];
    return {
      returned, waiting,
      provider: {
        requestSlots: (count: number, signal: AbortSignal): Promise<SlotLocation[]> => (free.length >= count ? Promise.resolve(free.splice(0, count))
          : new Promise<SlotLocation[]>((_, reject) => { waiting.push({ count, signal, reject }); signal.addEventListener('abort', () => reject(new Error('withdrawn'))); })),
        releaseSlots: (s: SlotLocation[]): void => { for (const x of s) { returned.push(x.slotIndex); free.push(x); } },
      },
    };
  }

  it('serves regions in order, reuses released slots, withdraws requests it no longer needs, returns idle slots', async () => {
    const r = rm(2);
    const pool = new JobSlotPool(r.provider);
    const a = await pool.allocate(2);
    expect(pool.numHeld).toBe(2);
    const b = pool.allocate(1);
    const c = pool.allocate(1);
    // Both waiters asked the ResourceManager at once (the whole demand is visible to it).
    expect(r.waiting.map((w) => w.count)).toEqual([1, 1]);
    pool.release([a[0]!]);
    expect((await b).map((s) => s.slotIndex)).toEqual([0]);
    expect(r.waiting.map((w) => w.signal.aborted)).toEqual([true, false]);
    pool.release([a[1]!]);
    expect((await c).map((s) => s.slotIndex)).toEqual([1]);
    expect(r.waiting[1]!.signal.aborted).toBe(true);
    pool.release(await b);
    pool.release(await c);
    expect(r.returned.sort()).toEqual([0, 1]); // nobody waits: back to the ResourceManager
  });

  it('a ResourceManager timeout does not fail a job that holds enough slots; one that can never get enough fails', async () => {
    const r = rm(1);
    const pool = new JobSlotPool(r.provider);
    const a = await pool.allocate(1);
    const b = pool.allocate(1);
    r.waiting[0]!.reject(new Error('NoResourceAvailableException: could not acquire 1 slot(s)'));
    await new Promise((res) => setImmediate(res));
    pool.release(a);
    expect(await b).toEqual(a);
    const tooMany = pool.allocate(3);
    r.waiting.at(-1)!.reject(new Error('NoResourceAvailableException: could not acquire 3 slot(s)'));
    await expect(tooMany).rejects.toThrow(/NoResourceAvailable/);
  });

  it('SlotManager: a withdrawn request leaves the queue (no longer missing, no longer blocking the requests behind it)', async () => {
    const sm = new SlotManager();
    sm.registerTaskExecutor({ taskManagerId: 'tm-1' } as TaskExecutorGateway, 1);
    const ctl = new AbortController();
    const big = sm.requestSlots('job-a', 3, 60_000, ctl.signal);
    const small = sm.requestSlots('job-b', 1, 60_000);
    expect(sm.missingSlots).toBe(3);
    ctl.abort();
    await expect(big).rejects.toThrow(/withdrawn/);
    expect((await small).map((s) => s.taskManagerId)).toEqual(['tm-1']);
    expect(sm.missingSlots).toBe(0);
  });

  it('close() withdraws pending requests and fails their regions', async () => {
    const r = rm(0);
    const pool = new JobSlotPool(r.provider);
    const a = pool.allocate(2);
    pool.close('job ended');
    await expect(a).rejects.toThrow(/job ended/);
    expect(r.waiting[0]!.signal.aborted).toBe(true);
  });
});

/** Keeps what one attempt wrote and publishes it when that attempt reaches its end of input (so failed attempts add nothing). */
class ListSink<T> {
  constructor(private readonly out: T[]) {}
  createWriter(): { write(v: T): void; flush(end: boolean): void; close(): void } {
    const buf: T[] = [];
    return { write: (v) => { buf.push(v); }, flush: (end) => { if (end) this.out.push(...buf.splice(0)); }, close: () => {} };
  }
}

describe('BATCH jobs region by region (in-thread TaskManager)', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  async function runOnSlots(slots: number, build: (env: StreamExecutionEnvironment, tmpDir: string) => void, conf: Record<string, string> = {}) {
    const tmp = mkdtempSync(join(tmpdir(), 'tsflink-region-'));
    dirs.push(tmp);
    const env = StreamExecutionEnvironment.createLocalEnvironment(8, { 'io.tmp.dirs': tmp, 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '10', 'restart-strategy.fixed-delay.delay': '10 ms', ...conf });
    env.setRuntimeMode('BATCH');
    build(env, tmp);
    const sg = env.getStreamGraph('region-job');
    const jobGraph = new StreamingJobGraphGenerator(sg).generate();
    const cluster = new MiniCluster();
    const te = new TaskExecutor(slots, (id) => cluster.dispatcher.jobMasterGateway(id), (id) => cluster.dispatcher.userGraph(id),
      networkConfigFromConfiguration(Configuration.fromMap({ 'io.tmp.dirs': tmp, ...conf })), 200, 10_000);
    cluster.addTaskExecutor(te, slots);
    const jm = cluster.submitJob({ jobGraph, defaultParallelism: 8 }, sg);
    const result = await jm.result;
    // Released partitions delete their files asynchronously (after the last reader closed them).
    const shuffleFiles = (): string[] => readdirSync(tmp).flatMap((d) => (existsSync(join(tmp, d)) ? readdirSync(join(tmp, d)) : []));
    for (let i = 0; i < 100 && shuffleFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const left = shuffleFiles();
    const usedShuffleDir = readdirSync(tmp).some((d) => d.startsWith('tsflink-netty-shuffle-'));
    await cluster.close();
    return { result, jm, left, usedShuffleDir };
  }

  const wordCountExpected = (n: number): Array<[number, number]> => {
    const m = new Map<number, number>();
    for (let i = 1; i <= n; i++) m.set(i % 10, (m.get(i % 10) ?? 0) + i * 2);
    return [...m.entries()].sort((a, b) => a[0] - b[0]);
  };

  for (const [name, conf] of [['hash', {}], ['sort-merge', { 'taskmanager.network.sort-shuffle.min-parallelism': '1' }]] as const) {
    it(`a p=8 job on 2 slots finishes with exact output through blocking ${name} partitions and leaves no shuffle file`, async () => {
      const out: Array<[number, number]> = [];
      const { result, left, usedShuffleDir } = await runOnSlots(2, (env) => {
        env.fromSequence(1, 2000).map((x): [number, number] => [x % 10, x * 2]).keyBy((t) => t[0]).sum(1 as never)
          .map((t: [number, number]) => t).setParallelism(3).sinkTo(new ListSink(out));
      }, conf);
      expect(result.status).toBe('FINISHED');
      expect(out.sort((a, b) => a[0] - b[0])).toEqual(wordCountExpected(2000));
      expect(usedShuffleDir).toBe(true);
      expect(left).toEqual([]);
    });
  }

  it('a failed consumer subtask reruns alone: its producers run once, the other subtasks once', async () => {
    const attempts: string[] = [];
    class FailOnce extends RichMapFunction<number, number> {
      map(v: number): number {
        const info = this.getRuntimeContext().getTaskInfo();
        if (info.indexOfThisSubtask === 1 && info.attemptNumber === 0 && v > 0) throw new Error('consumer fails once');
        return v;
      }
      open(): void { const i = this.getRuntimeContext().getTaskInfo(); attempts.push(`${i.taskName}#${i.indexOfThisSubtask}@${i.attemptNumber}`); }
    }
    class Count extends RichMapFunction<number, number> {
      map(v: number): number { return v; }
      open(): void { const i = this.getRuntimeContext().getTaskInfo(); attempts.push(`source-map#${i.indexOfThisSubtask}@${i.attemptNumber}`); }
    }
    const out: number[] = [];
    const { result, jm, left } = await runOnSlots(2, (env) => {
      env.fromSequence(1, 400).setParallelism(2).map(new Count()).setParallelism(2).rebalance().map(new FailOnce()).name('Consumer').setParallelism(3).sinkTo(new ListSink(out)).setParallelism(3);
    });
    expect(result.status).toBe('FINISHED');
    expect(out.sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(attempts.filter((a) => a.startsWith('source-map')).sort()).toEqual(['source-map#0@0', 'source-map#1@0']);
    expect(attempts.filter((a) => !a.startsWith('source-map')).map((a) => a.replace(/^.*#/, '')).sort()).toEqual(['0@0', '1@0', '1@1', '2@0']);
    expect(jm.executionGraph.numRestarts).toBe(1);
    expect(left).toEqual([]);
  });

  it('shuffle files deleted before the consumers read them: the producers rerun and the output is complete (BlockingShuffleITCase)', async () => {
    let tmp = '';
    const producerAttempts: number[] = [];
    // close() runs after the task wrote and finished its partitions: the first attempts delete their files.
    class DeleteOwnFiles extends RichMapFunction<number, number> {
      map(v: number): number { return v; }
      open(): void { producerAttempts.push(this.getRuntimeContext().getTaskInfo().attemptNumber); }
      close(): void {
        if (this.getRuntimeContext().getTaskInfo().attemptNumber > 0) return;
        for (const d of readdirSync(tmp).filter((x) => x.startsWith('tsflink-netty-shuffle-'))) for (const f of readdirSync(join(tmp, d))) unlinkSync(join(tmp, d, f));
      }
    }
    const out: number[] = [];
    const { result, jm, left } = await runOnSlots(2, (env, dir) => {
      tmp = dir;
      env.fromSequence(1, 300).setParallelism(2).map(new DeleteOwnFiles()).setParallelism(2).rebalance().map((x) => x).setParallelism(2).sinkTo(new ListSink(out)).setParallelism(2);
    });
    expect(result.status, JSON.stringify(result.error)).toBe('FINISHED');
    expect(out.sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(producerAttempts.filter((a) => a > 0).length).toBeGreaterThan(0);
    expect(jm.executionGraph.numRestarts).toBeGreaterThan(0);
    expect(left).toEqual([]);
  });
});
