import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../testing/waitFor.js';
import { ClusterProcesses } from '../testing/ClusterProcesses.js';
import { checkCountOutput } from './fixtures/checkCountOutput.js';

// Exactly-once under TaskManager crashes, as real processes on distinct loopback "hosts": a
// JobManager on 127.0.0.2, TaskManagers (2 slots each) on 127.0.0.3, .4, and a fresh alias for
// each replacement. A keyed running count goes into the exactly-once FileSink with checkpoints on
// file://; TaskManagers are killed with SIGKILL several times mid-run, and the committed output
// must hold every record exactly once with counts that continue from the restored state.
const root = resolve(import.meta.dirname, '../..');
const N = 24_000;
let work: string;
let cluster: ClusterProcesses;

beforeAll(async () => {
  cluster = await ClusterProcesses.started('tsflink-cp-failover-', () => ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=20', '-D', 'restart-strategy.fixed-delay.delay=200 ms']);
  work = cluster.workDir;
}, 60_000);

afterAll(() => cluster.dispose());

const aliases = [['127.0.0.5', '127.0.0.6', '127.0.0.7'], ['127.0.0.8', '127.0.0.9', '127.0.0.10']];

describe.each([['aligned', false], ['unaligned', true]] as const)('exactly-once recovery from %s checkpoints (real processes, kill -9)', (name, unaligned) => {
  it('a keyed count into the FileSink survives three TaskManager kills with every record exactly once', async () => {
    const out = join(work, `out-${name}`);
    const chk = join(work, `checkpoints-${name}`);
    const tms = cluster.procs.filter((p) => p !== cluster.jobManager && ClusterProcesses.alive(p) && p.stdout().includes('TaskManager '));
    const job = cluster.cli(['run', '-m', cluster.restAddress, '-p', '4', '-D', `execution.checkpointing.unaligned.enabled=${unaligned}`,
      join(root, 'runtime/entrypoint/fixtures/checkpointed-count.ts'), out, String(N), '2000', `file://${chk}`, '200']);
    await waitFor('a RUNNING job', async () => (await cluster.get<{ jobs: Array<{ status: string }> }>('/jobs')).jobs.some((j) => j.status === 'RUNNING'), 60_000, 100);
    const running = (await cluster.get<{ jobs: Array<{ id: string; status: string }> }>('/jobs')).jobs.find((j) => j.status === 'RUNNING')!;
    expect((await cluster.get<{ unaligned_checkpoints: boolean }>(`/jobs/${running.id}/checkpoints/config`)).unaligned_checkpoints).toBe(unaligned);
    const replacements = aliases[unaligned ? 1 : 0]!;
    for (let k = 0; k < 3; k++) {
      // Kill only after checkpoints completed since the last restart, so recovery restores state (not a fresh start).
      const before = cluster.completedCheckpoints();
      await waitFor(`checkpoint after kill ${k}`, () => cluster.completedCheckpoints() >= before + 2, 60_000, 50)
        .catch((e: Error) => { throw new Error(`${e.message}\n${cluster.dumpLogs()}`); });
      const victim = tms.find(ClusterProcesses.alive)!;
      process.kill(victim.child.pid!, 'SIGKILL');
      await victim.exited;
      tms.push(cluster.startTaskManager(replacements[k]!));
    }
    const code = await job.exited;
    expect(code, `${job.stdout()}\n${job.stderr()}\n${cluster.dumpLogs()}`).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(job.stdout())?.[1] ?? /\(([0-9a-f]{32})\)/.exec(job.stdout())?.[1];
    expect(cluster.jobManager.stdout()).toMatch(new RegExp(`Restoring job ${jobId ?? '[0-9a-f]{32}'} from Checkpoint \\d+`));
    const lines = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    expect(checkCountOutput(lines, N)).toEqual({ lines: N, duplicates: [], missing: [], badCounts: [] });
    // The job's checkpoints are cleaned up after it FINISHED (no externalized retention).
    const jobDirs = existsSync(chk) ? readdirSync(chk) : [];
    for (const d of jobDirs) expect(readdirSync(join(chk, d)).filter((f) => f.startsWith('chk-'))).toEqual([]);
  }, 240_000);
});

// Flink's UnalignedCheckpointITCase failure points on the same cluster: a failure in the keyed map,
// in snapshotState (synchronous phase) and again during recovery, with aligned and with unaligned
// checkpoints, while a busy loop after the count keeps the sink side slower than the source
// (backpressure: barriers queue behind in-flight buffers, or overtake them when unaligned).
describe.each([['aligned', false], ['unaligned', true]] as const)('failures injected under backpressure with %s checkpoints (real processes)', (name, unaligned) => {
  it.each(['map', 'snapshot', 'recovery'] as const)('a failure in %s: the job restores from a checkpoint and the output holds every record exactly once', async (failure) => {
    const n = 6000;
    const out = join(work, `out-${name}-${failure}`);
    const chk = join(work, `checkpoints-${name}-${failure}`);
    const before = (cluster.jobManager.stdout().match(/Restoring job [0-9a-f]{32} from Checkpoint/g) ?? []).length;
    const job = cluster.cli(['run', '-m', cluster.restAddress, '-p', '4', '-D', `execution.checkpointing.unaligned.enabled=${unaligned}`,
      join(root, 'runtime/entrypoint/fixtures/checkpointed-count.ts'), out, String(n), '4000', `file://${chk}`, '100', failure, '600']);
    const code = await job.exited;
    expect(code, `${job.stdout()}\n${job.stderr()}\n${cluster.dumpLogs()}`).toBe(0);
    const log = cluster.jobManager.stdout();
    const restores = (log.match(/Restoring job [0-9a-f]{32} from Checkpoint/g) ?? []).length - before;
    // One restore per injected failure (recovery: the restored attempt fails and restores again).
    expect(restores, log.slice(-4000)).toBe(failure === 'recovery' ? 2 : 1);
    const lines = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    expect(checkCountOutput(lines, n)).toEqual({ lines: n, duplicates: [], missing: [], badCounts: [] });
  }, 120_000);
});
