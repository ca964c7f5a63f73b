import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamExecutionEnvironment, DataGeneratorSource, DiscardingSink, WatermarkStrategy, TumblingEventTimeWindows, type JobClient,
} from 'tsflink';
import { waitFor } from '../testing/waitFor.js';
import { disposeSavepoint } from '../rest/SavepointHandlers.js';

// Savepoints through the JobClient (Flink's SavepointITCase cases): layout and relocation, resume
// with exact state, stop-with-savepoint with and without drain (no record lost or processed twice
// across the stop), disposal, and the errors a user meets.
const KEYS = 5;

/** Every running sum the keyed sum emits (in-thread cluster: a static sink is visible here). */
class Seen {
  static sums: Array<[number, number]> = [];
  static windows: number[] = [];
  static maxInput = -1;
}

const dirs: string[] = [];
const tmp = (prefix: string): string => { const d = mkdtempSync(join(tmpdir(), prefix)); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** gen(rate/s, n) → key by i % KEYS → running sum, uid'd so the savepoint maps by uid. */
async function keyedJob(conf: Record<string, unknown>, n: number, rate: number, parallelism = 2, periodicCheckpoints = true): Promise<JobClient> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, { 'restart-strategy.type': 'none', ...conf });
  if (periodicCheckpoints) env.enableCheckpointing(60_000);
  env.fromSource(new DataGeneratorSource((i) => i, n, rate), WatermarkStrategy.noWatermarks(), 'gen').uid('gen')
    .map((v: number): [number, number] => { Seen.maxInput = Math.max(Seen.maxInput, v); return [v % KEYS, v]; }).uid('pair')
    .keyBy((t) => t[0])
    .sum(1).uid('sums')
    .map((t: [number, number]) => { Seen.sums.push(t); return t; }).uid('seen')
    .sinkTo(new DiscardingSink<[number, number]>());
  return env.executeAsync('keyed');
}

/**
 * The inputs each key's running sums account for: a key's sums rise strictly (inputs ≥ 0, the
 * sum continues across the stop from the savepoint's state), so the differences of its sorted sums
 * are its inputs. Exactly-once across the stop = every input 0..n-1 once, under its key.
 */
function inputsBehind(sums: ReadonlyArray<readonly [number, number]>): Map<number, number[]> {
  const byKey = new Map<number, number[]>();
  for (const [k, s] of sums) { if (!byKey.has(k)) byKey.set(k, []); byKey.get(k)!.push(s); }
  const out = new Map<number, number[]>();
  for (const [k, xs] of byKey) {
    xs.sort((a, b) => a - b);
    out.set(k, xs.map((x, i) => x - (i === 0 ? 0 : xs[i - 1]!)).sort((a, b) => a - b));
  }
  return out;
}

function inputsByKey(n: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let i = 0; i < n; i++) { if (!out.has(i % KEYS)) out.set(i % KEYS, []); out.get(i % KEYS)!.push(i); }
  return out;
}

const running = async (c: JobClient): Promise<void> => { await waitFor('job RUNNING with input', async () => ((await c.getJobStatus()) === 'RUNNING' && Seen.maxInput > 50 ? true : undefined)); };

describe('savepoints', () => {
  it('triggerSavepoint: savepoint-<6 of job id>-<12 hex>/_metadata, self-contained, relocatable; resume is exact; dispose deletes it', async () => {
    Seen.sums = []; Seen.maxInput = -1;
    const base = tmp('tsflink-sp-');
    const N = 3000;
    const c = await keyedJob({ 'execution.checkpointing.dir': `file://${tmp('tsflink-chk-')}` }, N, 3000);
    await running(c);
    const path = await c.triggerSavepoint(`file://${base}`).catch(async (e) => { console.log("SPERR", e, await c.getJobExecutionResult().catch((x) => x)); throw e; });
    expect(path).toMatch(new RegExp(`^file://${base}/savepoint-${c.getJobID().slice(0, 6)}-[0-9a-f]{12}$`));
    const local = path.slice('file://'.length);
    expect(existsSync(join(local, '_metadata'))).toBe(true);
    expect(readdirSync(local).filter((f) => f.startsWith('.'))).toEqual([]); // no in-progress leftovers
    await c.cancel();
    await c.getJobExecutionResult().catch(() => undefined);

    // Moved elsewhere, it still restores (relative paths inside), and the sums end exactly right.
    const moved = join(tmp('tsflink-moved-'), 'sp');
    renameSync(local, moved);
    Seen.sums = []; Seen.maxInput = -1;
    const r = await keyedJob({ 'execution.state-recovery.path': moved }, N, 1e9);
    await r.getJobExecutionResult();
    const last = new Map<number, number>();
    for (const [k, s] of Seen.sums) last.set(k, s);
    const want = new Map<number, number>();
    for (let i = 0; i < N; i++) want.set(i % KEYS, (want.get(i % KEYS) ?? 0) + i);
    expect(last).toEqual(want);
    expect(Math.min(...Seen.sums.map(([, s]) => s))).toBeGreaterThan(KEYS * 10); // resumed, not from scratch

    await disposeSavepoint(moved);
    expect(existsSync(moved)).toBe(false);
    await expect(disposeSavepoint(moved)).rejects.toThrow(/Cannot find checkpoint or savepoint/);
  }, 60_000);

  it('stop-with-savepoint (no drain): the job FINISHES; the resumed job emits exactly the rest — no sum lost, none twice', async () => {
    Seen.sums = []; Seen.maxInput = -1;
    const N = 4000;
    const c = await keyedJob({ 'execution.checkpointing.savepoint-dir': `file://${tmp('tsflink-spdir-')}` }, N, 4000);
    await running(c);
    const path = await c.stopWithSavepoint(false);
    expect(await c.getJobStatus()).toBe('FINISHED');
    const first = [...Seen.sums];
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(N); // stopped before the end
    Seen.sums = [];
    const r = await keyedJob({ 'execution.state-recovery.path': path }, N, 1e9);
    await r.getJobExecutionResult();
    expect(first.length + Seen.sums.length).toBe(N);
    expect(inputsBehind([...first, ...Seen.sums])).toEqual(inputsByKey(N));
  }, 60_000);

  // RescalingITCase.testSavepointRescalingIn/OutKeyedState: keyed state and source positions move to the new subtasks.
  for (const [from, to] of [[2, 3], [3, 1]] as const) {
    it(`rescaling through a savepoint, parallelism ${from} → ${to}: every input counted once under its key`, async () => {
      Seen.sums = []; Seen.maxInput = -1;
      const N = 3000;
      const c = await keyedJob({ 'execution.checkpointing.savepoint-dir': `file://${tmp('tsflink-rescale-')}`, 'pipeline.max-parallelism': 13 }, N, 3000, from);
      await running(c);
      const path = await c.stopWithSavepoint(false);
      const first = [...Seen.sums];
      expect(first.length).toBeLessThan(N);
      Seen.sums = [];
      await (await keyedJob({ 'execution.state-recovery.path': path, 'pipeline.max-parallelism': 13 }, N, 1e9, to)).getJobExecutionResult();
      expect(first.length + Seen.sums.length).toBe(N);
      expect(inputsBehind([...first, ...Seen.sums])).toEqual(inputsByKey(N));
    }, 60_000);
  }

  it('stop --drain fires the open event-time window before the savepoint; without drain it stays in the savepoint', async () => {
    const N = 100_000;
    const windowJob = async (conf: Record<string, unknown>, rate = 2000): Promise<JobClient> => {
      const env = StreamExecutionEnvironment.createLocalEnvironment(1, { 'restart-strategy.type': 'none', ...conf });
      env.enableCheckpointing(60_000);
      env.fromSource(new DataGeneratorSource((i) => i, N, rate), WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v), 'gen').uid('gen')
        .map((v: number) => { Seen.maxInput = Math.max(Seen.maxInput, v); return v; }).uid('seen-in')
        .keyBy(() => 0)
        .window(TumblingEventTimeWindows.of(1e12)) // one window for the whole run
        .reduce((a, b) => a + b).uid('window')
        .map((s: number) => { Seen.windows.push(s); return s; }).uid('seen')
        .sinkTo(new DiscardingSink<number>());
      return env.executeAsync('windowed');
    };
    const spDir = `file://${tmp('tsflink-drain-')}`;

    Seen.windows = []; Seen.maxInput = -1;
    const plain = await windowJob({});
    await running(plain);
    const sp = await plain.stopWithSavepoint(false, spDir);
    expect(Seen.windows).toEqual([]); // the window did not fire: its contents are in the savepoint
    Seen.windows = []; Seen.maxInput = -1;
    await (await windowJob({ 'execution.state-recovery.path': sp }, 1e9)).getJobExecutionResult();
    expect(Seen.windows).toEqual([(N * (N - 1)) / 2]); // restored contents + the rest, fired once at the end

    Seen.windows = []; Seen.maxInput = -1;
    const drained = await windowJob({});
    await running(drained);
    await drained.stopWithSavepoint(true, spDir);
    expect(await drained.getJobStatus()).toBe('FINISHED');
    const upTo = Seen.maxInput;
    expect(Seen.windows).toEqual([(upTo * (upTo + 1)) / 2]); // +∞ watermark: the partial window fired
  }, 60_000);

  it('without periodic checkpointing (no interval): savepoint and stop-with-savepoint work, and the resumed job is exact', async () => {
    Seen.sums = []; Seen.maxInput = -1;
    const N = 4000;
    const c = await keyedJob({ 'execution.checkpointing.savepoint-dir': `file://${tmp('tsflink-spdir-')}` }, N, 4000, 2, false);
    await running(c);
    const sp = await c.triggerSavepoint();
    expect(existsSync(join(sp.slice('file://'.length), '_metadata'))).toBe(true);
    const path = await c.stopWithSavepoint(false);
    expect(await c.getJobStatus()).toBe('FINISHED');
    const first = [...Seen.sums];
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(N);
    Seen.sums = [];
    const r = await keyedJob({ 'execution.state-recovery.path': path }, N, 1e9, 2, false);
    await r.getJobExecutionResult();
    expect(first.length + Seen.sums.length).toBe(N);
    expect(inputsBehind([...first, ...Seen.sums])).toEqual(inputsByKey(N));
  }, 60_000);

  it('errors: no directory given or configured', async () => {
    Seen.sums = []; Seen.maxInput = -1;
    const c = await keyedJob({}, 1e9, 2000);
    await running(c);
    await expect(c.triggerSavepoint()).rejects.toThrow("No savepoint directory configured. You can either specify a directory while triggering this savepoint or configure a cluster-wide default via key 'execution.checkpointing.savepoint-dir'.");
    await expect(c.stopWithSavepoint(false)).rejects.toThrow(/No savepoint directory configured/);
    expect(await c.getJobStatus()).toBe('RUNNING'); // a refused stop leaves the job running
    await c.cancel();
    await c.getJobExecutionResult().catch(() => undefined);

    const env = StreamExecutionEnvironment.createLocalEnvironment(1, { 'restart-strategy.type': 'none', 'execution.runtime-mode': 'BATCH' });
    env.fromSource(new DataGeneratorSource((i) => i, 1e9, 1000), WatermarkStrategy.noWatermarks(), 'gen').sinkTo(new DiscardingSink<number>());
    const batch = await env.executeAsync('batch');
    await waitFor('RUNNING', async () => ((await batch.getJobStatus()) === 'RUNNING' ? true : undefined));
    await expect(batch.triggerSavepoint(`file://${tmp('tsflink-x-')}`)).rejects.toThrow(/is not a streaming job: BATCH jobs take no savepoints/);
    await batch.cancel();
    await batch.getJobExecutionResult().catch(() => undefined);
  }, 60_000);
});
