import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, DataGeneratorSource, DiscardingSink, WatermarkStrategy, type JobClient } from 'tsflink';
import { waitFor } from '../testing/waitFor.js';
import { loadSnapshot } from './SavepointLoader.js';
import { SharedStateRegistry, baseName, sharedFilesOfMetadata } from './SharedStateRegistry.js';
import type { OperatorSubtaskState } from './StateHandles.js';

// Incremental checkpoints end to end (leveldb backend, file:// storage): chains of a base and
// deltas in <job>/shared/, retained checkpoints reference exactly the files left there (no orphans
// after subsumption and cancel), and restoring the latest retained checkpoint continues exactly.
const KEYS = 50;
class Seen { static sums: Array<[number, number]> = []; static maxInput = -1; }
const dirs: string[] = [];
const tmp = (prefix: string): string => { const d = mkdtempSync(join(tmpdir(), prefix)); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

async function keyedJob(conf: Record<string, unknown>, n: number, rate: number): Promise<JobClient> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(2, {
    'restart-strategy.type': 'none', 'state.backend.type': 'leveldb', 'execution.checkpointing.incremental': true,
    'state.backend.leveldb.incremental.max-deltas': 3, ...conf,
  });
  env.fromSource(new DataGeneratorSource((i) => i, n, rate), WatermarkStrategy.noWatermarks(), 'gen').uid('gen')
    .map((v: number): [number, number] => { Seen.maxInput = Math.max(Seen.maxInput, v); return [v % KEYS, v]; }).uid('pair')
    .keyBy((t) => t[0])
    .sum(1).uid('sums')
    .map((t: [number, number]) => { Seen.sums.push(t); return t; }).uid('seen')
    .sinkTo(new DiscardingSink<[number, number]>());
  return env.executeAsync('incremental');
}

const completed = (jobDir: string): number[] => (existsSync(jobDir) ? readdirSync(jobDir) : [])
  .map((d) => /^chk-(\d+)$/.exec(d)).filter((m): m is RegExpExecArray => m !== null && existsSync(join(jobDir, m[0], '_metadata'))).map((m) => Number(m[1])).sort((a, b) => a - b);

describe('incremental checkpoints (leveldb)', () => {
  it('retained checkpoints reference exactly the files in shared/; restoring the latest continues every key exactly', async () => {
    Seen.sums = []; Seen.maxInput = -1;
    const chk = tmp('tsflink-incr-');
    const N = 6000;
    const c = await keyedJob({
      'execution.checkpointing.interval': 60, 'execution.checkpointing.dir': `file://${chk}`, 'execution.checkpointing.num-retained': 2,
      'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    }, N, 2000);
    const jobDir = join(chk, c.getJobID());
    // Enough checkpoints that chains were re-based (max-deltas 3) and old ones subsumed.
    await waitFor('8 completed checkpoints', () => (completed(jobDir).at(-1) ?? 0) >= 8, 60_000, 20);
    await c.cancel();
    await c.getJobExecutionResult().catch(() => undefined);
    const retained = completed(jobDir);
    expect(retained).toHaveLength(2);
    const metas = await Promise.all(retained.map(async (id) => (await loadSnapshot(join(jobDir, `chk-${id}`))).metadata));
    const referenced = new Set(metas.flatMap((m) => sharedFilesOfMetadata(m)).map(baseName));
    expect(referenced.size).toBeGreaterThan(0);
    expect(new Set(readdirSync(join(jobDir, 'shared')))).toEqual(referenced); // no orphans, nothing missing
    // The latest is a chain: a base and (unless it was just re-based) deltas; uploads smaller than the state.
    const parts = Object.values(metas.at(-1)!.operators).flatMap((op) => Object.values(op.subtasks)).flatMap((s) => s.keyed).filter((k) => k.incremental);
    expect(parts.some((p) => p.incremental!.kind === 'base')).toBe(true);

    const before = [...Seen.sums];
    Seen.sums = [];
    await (await keyedJob({ 'execution.state-recovery.path': join(jobDir, `chk-${retained.at(-1)}`) }, N, 1e9)).getJobExecutionResult();
    // Each key's final sum is the sum of all its inputs: restored state + the rest, nothing twice.
    const last = new Map<number, number>();
    for (const [k, s] of Seen.sums) last.set(k, s);
    const want = new Map<number, number>();
    for (let i = 0; i < N; i++) want.set(i % KEYS, (want.get(i % KEYS) ?? 0) + i);
    expect(last).toEqual(want);
    expect(before.length).toBeGreaterThan(0);
  }, 120_000);
});

describe('SharedStateRegistry', () => {
  const part = (path: string, uploadedBy: number): OperatorSubtaskState => ({
    keyed: [{ startKeyGroup: 0, endKeyGroup: 0, offsets: [0], handle: { kind: 'file', path, size: 1 }, incremental: { kind: 'delta', uploadedBy } }], operator: [],
  });
  it('deletes a file no retained checkpoint references once the next checkpoint completes without it; an aborted checkpoint\'s own uploads at once', async () => {
    const deleted: string[] = [];
    const r = new SharedStateRegistry(async (p) => { deleted.push(p); });
    r.register(1, ['/s/base1']);
    r.register(2, ['/s/base2']); // checkpoint 2 re-based: 1 is subsumed
    r.unregister(1, ['/s/base1'], 2);
    await r.checkpointCompleted(2);
    expect(deleted).toEqual([]); // a task may still build on checkpoint 1's chain
    // …and checkpoint 3 does (it had not heard of 2): base1 is taken back, not missing.
    expect(r.missingReused(3, [part('/s/base1', 1)])).toEqual([]);
    r.register(3, ['/s/base1', '/s/d3']);
    await r.checkpointCompleted(3);
    expect(deleted).toEqual([]);
    // Checkpoint 3 reused base1 and d3 (4) was aborted: only d4 goes.
    await r.discardUnregistered(4, [part('/s/base1', 1), part('/s/d3', 3), part('/s/d4', 4)]);
    expect(deleted).toEqual(['/s/d4']);
    expect(r.missingReused(5, [part('/s/gone', 1), part('/s/d3', 3)])).toEqual(['/s/gone']);
    // 2 and 3 leave the store (subsumed by 5); 5 completes: nothing of theirs is referenced, so it goes after the next completion.
    r.register(5, ['/s/base5']);
    r.unregister(2, ['/s/base2'], 5);
    r.unregister(3, ['/s/base1', '/s/d3'], 5);
    await r.checkpointCompleted(5);
    expect(deleted).toEqual(['/s/d4']);
    await r.checkpointCompleted(6);
    expect(deleted.sort()).toEqual(['/s/base1', '/s/base2', '/s/d3', '/s/d4']);
    r.unregister(5, ['/s/base5'], 5);
    await r.flush();
    expect(deleted).toContain('/s/base5');
    expect(r.numberOfFiles).toBe(0);
  });
});
