import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../../testing/waitFor.js';
import { ClusterProcesses } from '../../testing/ClusterProcesses.js';
import { checkCountOutput } from '../../entrypoint/fixtures/checkCountOutput.js';

// In-flight async requests are part of the checkpoint: a job with an async stage chained to its
// source runs on a standalone cluster of real processes (JobManager on 127.0.0.2, TaskManagers on
// .3 and .4, replacements on fresh aliases); TaskManagers are killed with SIGKILL mid-run, and the
// exactly-once output must hold every record once with keyed counts continuing from restored state.
const root = resolve(import.meta.dirname, '../../..');
const N = 12_000;
let cluster: ClusterProcesses;

beforeAll(async () => {
  cluster = await ClusterProcesses.started('tsflink-async-failover-', () => ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=20', '-D', 'restart-strategy.fixed-delay.delay=200 ms']);
}, 60_000);

afterAll(() => cluster.dispose());

describe('async I/O recovery (real processes, kill -9)', () => {
  it('an unorderedWait stage survives two TaskManager kills with every record exactly once', async () => {
    const out = join(cluster.workDir, 'out');
    const chk = join(cluster.workDir, 'checkpoints');
    const tms = cluster.procs.filter((p) => p !== cluster.jobManager && ClusterProcesses.alive(p));
    const job = cluster.cli(['run', '-m', cluster.restAddress, '-p', '4', join(root, 'runtime/operators/async/fixtures/async-count.ts'), out, String(N), '1500', `file://${chk}`, '200']);
    await waitFor('a RUNNING job', async () => (await cluster.get<{ jobs: Array<{ status: string }> }>('/jobs')).jobs.some((j) => j.status === 'RUNNING'), 60_000, 100);
    for (const host of ['127.0.0.11', '127.0.0.12']) {
      const before = cluster.completedCheckpoints();
      await waitFor('two checkpoints since the last restart', () => cluster.completedCheckpoints() >= before + 2, 60_000, 50)
        .catch((e: Error) => { throw new Error(`${e.message}\n${cluster.dumpLogs()}`); });
      const victim = tms.find(ClusterProcesses.alive)!;
      process.kill(victim.child.pid!, 'SIGKILL');
      await victim.exited;
      tms.push(cluster.startTaskManager(host));
    }
    const code = await job.exited;
    expect(code, `${job.stdout()}\n${job.stderr()}\n${cluster.dumpLogs()}`).toBe(0);
    expect(cluster.jobManager.stdout()).toMatch(/Restoring job [0-9a-f]{32} from Checkpoint \d+/);
    const lines = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    expect(checkCountOutput(lines, N)).toEqual({ lines: N, duplicates: [], missing: [], badCounts: [] });
  }, 240_000);
});
