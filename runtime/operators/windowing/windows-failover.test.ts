import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../../testing/waitFor.js';
import { ClusterProcesses } from '../../testing/ClusterProcesses.js';
import { windowsExpected } from './fixtures/windows-job.js';

// Tumbling reduce, sliding aggregate (SlicingWindowOperator) and session windows on a standalone
// cluster of real processes (JobManager on 127.0.0.2, TaskManagers on .3 and .4, a replacement on
// .13): a TaskManager is killed with SIGKILL mid-run, the job restarts from its latest checkpoint,
// and the exactly-once FileSink holds every window result exactly once.
const root = resolve(import.meta.dirname, '../../..');
const N = 6000;
let cluster: ClusterProcesses;

beforeAll(async () => {
  cluster = await ClusterProcesses.started('tsflink-windows-failover-', () => ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=20', '-D', 'restart-strategy.fixed-delay.delay=200 ms']);
}, 60_000);

afterAll(() => cluster.dispose());

describe('windows recover on a cluster (real processes, kill -9)', () => {
  it('tumbling, sliding (slicing) and session windows: exact output after a TaskManager is killed', async () => {
    const out = join(cluster.workDir, 'out');
    const chk = join(cluster.workDir, 'checkpoints');
    const job = cluster.cli(['run', '-m', cluster.restAddress, '-p', '4', join(root, 'runtime/operators/windowing/fixtures/windows-job.ts'), out, String(N), '1500', `file://${chk}`, '200']);
    await waitFor('a RUNNING job', async () => (await cluster.get<{ jobs: Array<{ status: string }> }>('/jobs')).jobs.some((j) => j.status === 'RUNNING'), 60_000, 100)
      .catch((e: Error) => { throw new Error(`${e.message}\n${job.stdout()}\n${job.stderr()}\n${cluster.dumpLogs()}`); });
    await waitFor('two checkpoints', () => cluster.completedCheckpoints() >= 2, 60_000, 50)
      .catch((e: Error) => { throw new Error(`${e.message}\n${cluster.dumpLogs()}`); });
    const victim = cluster.procs.find((p) => p !== cluster.jobManager && p !== job && ClusterProcesses.alive(p))!;
    process.kill(victim.child.pid!, 'SIGKILL');
    await victim.exited;
    cluster.startTaskManager('127.0.0.13');
    const code = await job.exited;
    expect(code, `${job.stdout()}\n${job.stderr()}\n${cluster.dumpLogs()}`).toBe(0);
    expect(cluster.jobManager.stdout()).toMatch(/Restoring job [0-9a-f]{32} from Checkpoint \d+/);
    const lines = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    const want = windowsExpected(N);
    expect(lines.length).toBe(want.length);
    expect(lines.sort()).toEqual(want);
  }, 240_000);
});
