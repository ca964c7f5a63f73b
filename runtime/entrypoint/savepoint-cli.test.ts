import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../testing/waitFor.js';
import { ClusterProcesses } from '../testing/ClusterProcesses.js';
import { checkCountOutput } from './fixtures/checkCountOutput.js';

// `tsflink savepoint`, `tsflink stop` and `tsflink run -s` against a standalone cluster of real
// processes on distinct loopback "hosts" (JobManager 127.0.0.2, TaskManagers .3 and .4): a keyed
// running count into the exactly-once FileSink is savepointed, stopped with a savepoint, moved, and
// resumed at another parallelism; the two runs' committed output holds every record exactly once
// with counts continuing from the savepoint's state.
const root = resolve(import.meta.dirname, '../..');
const fixture = join(root, 'runtime/entrypoint/fixtures/checkpointed-count.ts');
let work: string;
let cluster: ClusterProcesses;

beforeAll(async () => {
  cluster = await ClusterProcesses.started('tsflink-savepoint-cli-');
  work = cluster.workDir;
}, 60_000);

afterAll(() => cluster.dispose());

const linesOf = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []).filter((f) => !f.startsWith('.'))
  .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));

describe('savepoints from the CLI (real processes)', () => {
  it('savepoint, stop with a savepoint, move it, run -s at parallelism 2: every record exactly once across both runs', async () => {
    const n = 20_000;
    const [out1, out2, chk, sp] = ['out-1', 'out-2', 'checkpoints', 'savepoints'].map((d) => join(work, d));
    // Periodic checkpoints rare (10 s): what the second run continues from is the savepoint.
    const job = cluster.cli(['run', '-d', '-m', cluster.restAddress, '-p', '4', fixture, out1!, String(n), '2000', `file://${chk}`, '10000']);
    expect(await job.exited, `${job.stdout()}\n${job.stderr()}`).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(job.stdout())?.[1];
    expect(jobId, job.stdout()).toBeDefined();
    await waitFor('the job RUNNING', async () => (await cluster.get<{ state: string }>(`/jobs/${jobId}`)).state === 'RUNNING', 60_000, 100);
    await new Promise((r) => setTimeout(r, 1500));

    const save = cluster.cli(['savepoint', '-m', cluster.restAddress, jobId!, `file://${sp}`]);
    expect(await save.exited, `${save.stdout()}\n${save.stderr()}\n${cluster.dumpLogs()}`).toBe(0);
    expect(save.stdout()).toContain(`Triggering savepoint for job ${jobId}.`);
    const first = /Savepoint completed\. Path: (\S+)/.exec(save.stdout())?.[1];
    expect(first).toMatch(new RegExp(`^file://${sp}/savepoint-${jobId!.slice(0, 6)}-[0-9a-f]{12}$`));

    const stop = cluster.cli(['stop', '-m', cluster.restAddress, '-p', `file://${sp}`, jobId!]);
    expect(await stop.exited, `${stop.stdout()}\n${stop.stderr()}\n${cluster.dumpLogs()}`).toBe(0);
    expect(stop.stdout()).toContain(`Suspending job "${jobId}" with a CANONICAL savepoint.`);
    const path = /Savepoint completed\. Path: (\S+)/.exec(stop.stdout())![1]!;
    expect((await cluster.get<{ state: string }>(`/jobs/${jobId}`)).state).toBe('FINISHED');
    // As in Flink (row format, no roll on checkpoint): the stopped run's part files stay in progress,
    // recorded in the savepoint; the resumed run continues and commits them.
    expect(linesOf(out1!)).toEqual([]);
    expect(readdirSync(out1!).filter((f) => /^\.part-\d+-\d+\.inprogress\./.test(f)).length).toBeGreaterThan(0);

    // Relocated: the savepoint restores from where it is now.
    const moved = join(work, 'moved-savepoint');
    renameSync(path.slice('file://'.length), moved);
    const resumed = cluster.cli(['run', '-m', cluster.restAddress, '-p', '2', '-s', moved, fixture, out2!, String(n), '0', `file://${chk}`, '10000']);
    expect(await resumed.exited, `${resumed.stdout()}\n${resumed.stderr()}\n${cluster.dumpLogs()}`).toBe(0);
    expect(checkCountOutput([...linesOf(out1!), ...linesOf(out2!)], n)).toEqual({ lines: n, duplicates: [], missing: [], badCounts: [] });

    const dispose = cluster.cli(['savepoint', '-m', cluster.restAddress, '-d', `file://${moved}`]);
    expect(await dispose.exited, `${dispose.stdout()}\n${dispose.stderr()}`).toBe(0);
    expect(dispose.stdout()).toContain(`Savepoint 'file://${moved}' disposed.`);
    expect(existsSync(moved)).toBe(false);
    expect(existsSync(first!.slice('file://'.length))).toBe(true); // the other savepoint is untouched
  }, 180_000);

  it('errors: an unknown job id (exit 1, the server\'s 404), no target directory (Flink\'s message)', async () => {
    const unknown = cluster.cli(['savepoint', '-m', cluster.restAddress, 'a'.repeat(32), `file://${work}/x`]);
    expect(await unknown.exited).toBe(1);
    expect(unknown.stderr()).toContain(`Job ${'a'.repeat(32)} not found`);
    const job = cluster.cli(['run', '-d', '-m', cluster.restAddress, '-p', '1', fixture, join(work, 'out-3'), '1000000', '500', `file://${work}/chk-3`, '10000']);
    expect(await job.exited).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(job.stdout())![1]!;
    await waitFor('RUNNING', async () => (await cluster.get<{ state: string }>(`/jobs/${jobId}`)).state === 'RUNNING', 60_000, 100);
    const noDir = cluster.cli(['stop', '-m', cluster.restAddress, jobId]);
    expect(await noDir.exited).toBe(1);
    expect(noDir.stderr()).toContain('No savepoint directory configured.');
    expect((await cluster.get<{ state: string }>(`/jobs/${jobId}`)).state).toBe('RUNNING');
    const cancel = cluster.cli(['cancel', '-m', cluster.restAddress, jobId]);
    expect(await cancel.exited).toBe(0);
  }, 120_000);
});
