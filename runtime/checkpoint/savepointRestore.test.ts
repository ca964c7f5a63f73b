import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, RichMapFunction, DataGeneratorSource, WatermarkStrategy, type CheckpointListener } from 'tsflink';

// Starting a job from a retained checkpoint (execution.state-recovery.path, `run -s`): state mapped
// by uid / operator id, source positions restored, the snapshot left untouched (NO_CLAIM), clear
// errors for a missing snapshot and for state the new program does not claim.
const N = 3000;
const KEYS = 5;
const expected = (): Map<number, number> => {
  const m = new Map<number, number>();
  for (let i = 0; i < N; i++) m.set(i % KEYS, (m.get(i % KEYS) ?? 0) + i);
  return m;
};

class FailAfterCheckpoints extends RichMapFunction<number, number> implements CheckpointListener {
  /** The smallest value the last run saw: > 0 only if its source resumed from the snapshot. */
  static minSeen = Infinity;
  private completed = 0;
  constructor(private readonly fail: boolean) { super(); FailAfterCheckpoints.minSeen = Infinity; }
  map(v: number): number {
    FailAfterCheckpoints.minSeen = Math.min(FailAfterCheckpoints.minSeen, v);
    if (this.fail && this.completed >= 2 && v >= N / 2) throw new Error('Artificial Failure');
    return v;
  }
  notifyCheckpointComplete(): void { this.completed++; }
}

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

async function run(conf: Record<string, unknown>, fail: boolean, uid = 'sums'): Promise<Map<number, number>> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(2, { 'restart-strategy.type': 'none', ...conf });
  env.enableCheckpointing(40);
  const out = await env.fromSource(new DataGeneratorSource((i) => i, N, 6000), WatermarkStrategy.noWatermarks(), 'gen').uid('gen')
    .map(new FailAfterCheckpoints(fail))
    .map((v): [number, number] => [v % KEYS, v])
    .keyBy((t) => t[0])
    .sum(1).uid(uid)
    .executeAndCollect();
  const max = new Map<number, number>();
  for (const [k, s] of out) max.set(k, Math.max(max.get(k) ?? 0, s));
  return max;
}

/** Runs the job until its artificial failure; returns the retained checkpoint it left (RETAIN_ON_CANCELLATION keeps it on FAILED). */
async function retainedCheckpoint(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tsflink-retained-'));
  dirs.push(dir);
  const err = await run({ 'execution.checkpointing.dir': `file://${dir}`, 'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION' }, true).then(() => null, (e: unknown) => e);
  expect((err as Error | null)?.message ?? '').toMatch(/Artificial Failure/);
  const [job] = readdirSync(dir);
  const chks = readdirSync(join(dir, job!)).filter((f) => f.startsWith('chk-') && existsSync(join(dir, job!, f, '_metadata')));
  expect(chks.length).toBeGreaterThan(0);
  const latest = chks.sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))).at(-1)!;
  return join(dir, job!, latest);
}

describe('starting a job from a retained checkpoint (execution.state-recovery.path)', () => {
  it('the new job continues from the snapshot: exact final sums, and the snapshot is left in place', async () => {
    const chk = await retainedCheckpoint();
    const sums = await run({ 'execution.state-recovery.path': chk }, false);
    expect(FailAfterCheckpoints.minSeen).toBeGreaterThan(0); // resumed, not re-read from the start
    expect(sums).toEqual(expected());
    expect(existsSync(join(chk, '_metadata'))).toBe(true); // NO_CLAIM: the restored job never deletes it
    // The _metadata file itself works as the path too.
    expect(await run({ 'execution.state-recovery.path': `file://${join(chk, '_metadata')}` }, false)).toEqual(expected());
  }, 60_000);

  it('CLAIM: the job owns the snapshot it started from and deletes it once subsumed (Flink\'s claim mode); NO_CLAIM leaves it', async () => {
    const chk = await retainedCheckpoint();
    const sums = await run({ 'execution.state-recovery.path': chk, 'execution.state-recovery.claim-mode': 'CLAIM' }, false);
    expect(sums).toEqual(expected());
    expect(existsSync(chk)).toBe(false); // subsumed by the new job's checkpoints, then deleted
    const kept = await retainedCheckpoint();
    await run({ 'execution.state-recovery.path': kept, 'execution.state-recovery.claim-mode': 'NO_CLAIM' }, false);
    expect(existsSync(join(kept, '_metadata'))).toBe(true);
  }, 60_000);

  it('state of an operator the new program does not have fails the start (Flink\'s message) unless allowNonRestoredState', async () => {
    const chk = await retainedCheckpoint();
    const err = await run({ 'execution.state-recovery.path': chk }, false, 'renamed').then(() => null, (e: unknown) => e);
    expect((err as Error).message).toContain(`Cannot map checkpoint/savepoint state for operator`);
    expect((err as Error).message).toContain(`(uid 'sums')`);
    expect((err as Error).message).toContain('--allowNonRestoredState');
    // Skipping it: the job runs; the sums start over where the source resumes, so they fall short.
    const sums = await run({ 'execution.state-recovery.path': chk, 'execution.state-recovery.ignore-unclaimed-state': true }, false, 'renamed');
    const want = expected();
    for (const [k, s] of sums) expect(s).toBeLessThan(want.get(k)!);
  }, 60_000);

  it('a path with no snapshot is a clear error naming it', async () => {
    const err = await run({ 'execution.state-recovery.path': '/nonexistent/savepoint-1234' }, false).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toContain("Cannot find checkpoint or savepoint file/directory '/nonexistent/savepoint-1234' on file system 'file'.");
    const empty = mkdtempSync(join(tmpdir(), 'tsflink-empty-'));
    dirs.push(empty);
    const err2 = await run({ 'execution.state-recovery.path': empty }, false).then(() => null, (e: unknown) => e);
    expect((err2 as Error).message).toContain(`Cannot find meta data file '_metadata' in directory '${empty}'`);
  }, 30_000);
});
