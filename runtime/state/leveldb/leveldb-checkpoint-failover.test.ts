import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../../testing/waitFor.js';
import { ClusterProcesses } from '../../testing/ClusterProcesses.js';
import { checkCountOutput } from '../../entrypoint/fixtures/checkCountOutput.js';

// The exactly-once kill test of the checkpoints issue (entrypoint/checkpoint-failover.test.ts) with
// state.backend.type: leveldb: JobManager on 127.0.0.2, TaskManagers on 127.0.0.3/.4 and fresh
// aliases for replacements; TaskManagers are killed with SIGKILL mid-run; the keyed running count
// lives in LevelDB, is checkpointed in the canonical format and restored into new LevelDB instances.
// With execution.checkpointing.incremental the checkpoints are chains (a base, then deltas of what
// changed) in <job>/shared/: restored the same way, smaller uploads than state, no file left behind.
const root = resolve(import.meta.dirname, '../../..');
const N = 16_000;
let work: string;
let cluster: ClusterProcesses;

beforeAll(async () => {
  cluster = await ClusterProcesses.started('tsflink-leveldb-failover-', () => ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=20', '-D', 'restart-strategy.fixed-delay.delay=200 ms']);
  work = cluster.workDir;
}, 60_000);

afterAll(() => cluster.dispose());

describe('exactly-once recovery with the leveldb state backend (real processes, kill -9)', () => {
  it.each([false, true])('a keyed count in LevelDB into the FileSink survives two TaskManager kills with every record exactly once (incremental: %s)', async (incremental) => {
    const out = join(work, `out-${incremental}`);
    const chk = join(work, `checkpoints-${incremental}`);
    const local = join(work, `leveldb-${incremental}`);
    const tms = cluster.procs.filter((p) => p !== cluster.jobManager && ClusterProcesses.alive(p) && p.stdout().includes('TaskManager '));
    const job = cluster.cli(['run', '-m', cluster.restAddress, '-p', '4', '-D', 'state.backend.type=leveldb', '-D', `state.backend.leveldb.localdir=${local}`,
      '-D', `execution.checkpointing.incremental=${incremental}`,
      join(root, 'runtime/entrypoint/fixtures/checkpointed-count.ts'), out, String(N), '2000', `file://${chk}`, '200']);
    await waitFor('a RUNNING job', async () => (await cluster.get<{ jobs: Array<{ status: string }> }>('/jobs')).jobs.some((j) => j.status === 'RUNNING'), 60_000, 100);
    const running = (await cluster.get<{ jobs: Array<{ id: string; status: string }> }>('/jobs')).jobs.find((j) => j.status === 'RUNNING')!;
    expect((await cluster.get<{ state_backend: string }>(`/jobs/${running.id}/checkpoints/config`)).state_backend).toBe('LevelDBStateBackend');
    // The keyed operator's 4 subtasks each have a LevelDB instance of their own.
    await waitFor('LevelDB instances', () => existsSync(local) && readdirSync(local).filter((d) => d.startsWith('tsflink-leveldb-')).length >= 4, 30_000, 50);
    for (const [k, host] of (incremental ? ['127.0.0.13', '127.0.0.14'] : ['127.0.0.11', '127.0.0.12']).entries()) {
      const before = cluster.completedCheckpoints();
      await waitFor(`checkpoint after kill ${k}`, () => cluster.completedCheckpoints() >= before + 2, 60_000, 50)
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
    // Tasks that ended (not killed) deleted their LevelDB directories: at most the killed TaskManagers' ones remain.
    await waitFor('LevelDB directories of ended tasks deleted', () => readdirSync(local).length <= 4, 10_000, 50);
    if (incremental) {
      // Deltas upload less than the state they stand for (Flink's checkpointed_size vs state_size).
      const stats = await cluster.get<{ history: Array<{ status: string; state_size: number; checkpointed_size: number }> }>(`/jobs/${running.id}/checkpoints`);
      const done = stats.history.filter((h) => h.status === 'COMPLETED');
      expect(done.length).toBeGreaterThan(0);
      expect(done.some((h) => h.checkpointed_size < h.state_size)).toBe(true);
      // The job ended without retention: every chain part is gone, including those of aborted uploads.
      const shared = join(chk, running.id, 'shared');
      await waitFor('shared/ emptied', () => !existsSync(shared) || readdirSync(shared).length === 0, 10_000, 50);
    }
  }, 240_000);
});
