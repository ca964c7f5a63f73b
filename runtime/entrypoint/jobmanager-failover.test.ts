import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../testing/waitFor.js';
import { ClusterProcesses } from '../testing/ClusterProcesses.js';
import { checkCountOutput } from './fixtures/checkCountOutput.js';

// JobManager recovery (high-availability.type: FILESYSTEM) with real processes on loopback "hosts":
// the JobManager on 127.0.0.2 is killed with SIGKILL mid-job and started again with the same
// high-availability.storageDir and cluster id; the TaskManagers (.3, .4) re-register, the job is
// recovered from the job graph store and continues from its latest checkpoint; the exactly-once
// FileSink output holds every record once, and checkpoint ids keep increasing.
const root = resolve(import.meta.dirname, '../..');
let work: string;
let cluster: ClusterProcesses;
let ha: string[];

beforeAll(async () => {
  cluster = await ClusterProcesses.started('tsflink-jm-failover-', (dir) => {
    ha = ['-D', 'high-availability.type=FILESYSTEM', '-D', `high-availability.storageDir=file://${join(dir, 'ha')}`, '-D', 'high-availability.cluster-id=cluster-1'];
    return ha;
  });
  work = cluster.workDir;
}, 60_000);

afterAll(() => cluster.dispose());

const checkpointIds = (log: string): number[] => [...log.matchAll(/Completed checkpoint (\d+) for job/g)].map((m) => Number(m[1]));

describe('JobManager failover with high availability on the file system (real processes, kill -9)', () => {
  it('the restarted JobManager recovers the job and its latest checkpoint; every record exactly once', async () => {
    const n = 16_000;
    const out = join(work, 'out');
    const chk = join(work, 'checkpoints');
    const submit = cluster.cli(['run', '-d', '-m', cluster.restAddress, '-p', '4', join(root, 'runtime/entrypoint/fixtures/checkpointed-count.ts'), out, String(n), '2000', `file://${chk}`, '200']);
    expect(await submit.exited, `${submit.stdout()}\n${submit.stderr()}`).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(submit.stdout())![1]!;
    expect(readdirSync(join(work, 'ha', 'cluster-1', 'jobgraphs'))).toEqual([jobId]);
    await waitFor('3 completed checkpoints', () => cluster.completedCheckpoints() >= 3, 60_000, 50)
      .catch((e: Error) => { throw new Error(`${e.message}\n${cluster.dumpLogs()}`); });
    const first = cluster.jobManager;
    const before = checkpointIds(first.stdout());
    process.kill(first.child.pid!, 'SIGKILL');
    await first.exited;

    await cluster.startJobManager(ha, true);
    const second = cluster.jobManager;
    await waitFor('the job FINISHED', async () => (await cluster.get<{ state?: string }>(`/jobs/${jobId}`)).state === 'FINISHED', 120_000, 200)
      .catch((e: Error) => { throw new Error(`${e.message}\n${cluster.dumpLogs()}`); });
    const log = second.stdout();
    expect(log).toMatch(new RegExp(`Recovering job .* \\(${jobId}\\) submitted to a previous JobManager`));
    const restored = Number(new RegExp(`restoring from Checkpoint (\\d+) @`).exec(log)?.[1]);
    expect(restored).toBeGreaterThanOrEqual(Math.max(...before) - 1); // the newest one whose _metadata was written
    const after = checkpointIds(log);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after)).toBeGreaterThan(restored); // ids continue

    const lines = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    expect(checkCountOutput(lines, n)).toEqual({ lines: n, duplicates: [], missing: [], badCounts: [] });
    // Ended: its graph left the store, its result is recorded; its checkpoints were cleaned up.
    await waitFor('the job graph removed', () => readdirSync(join(work, 'ha', 'cluster-1', 'jobgraphs')).length === 0, 10_000, 50);
    expect(readdirSync(join(work, 'ha', 'cluster-1', 'job-results'))).toEqual([`${jobId}.json`]);
    const jobDir = join(chk, jobId);
    expect(existsSync(jobDir) ? readdirSync(jobDir).filter((f) => f.startsWith('chk-')) : []).toEqual([]);
  }, 240_000);

  it('a third JobManager does not run the finished job again', async () => {
    const last = cluster.jobManager;
    process.kill(last.child.pid!, 'SIGKILL');
    await last.exited;
    await cluster.startJobManager(ha, true);
    await new Promise((r) => setTimeout(r, 1000));
    expect(cluster.jobManager.stdout()).not.toContain('Recovering job');
    expect((await cluster.get<{ jobs: unknown[] }>('/jobs')).jobs).toEqual([]);
  }, 60_000);
});
