import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { waitFor } from '../testing/waitFor.js';

// A standalone session cluster as real processes: `tsflink cluster start` (1 JobManager + 2
// TaskManagers × 2 slots), jobs submitted with `tsflink run -m`, REST read with a real HTTP client.
const root = resolve(import.meta.dirname, '../..');
const fixture = (f: string): string => join(root, 'runtime/entrypoint/fixtures', f);
let work: string;
let rest: string;
let dyn: string[];

const freePort = (): Promise<number> => new Promise((r) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
const cli = (args: string[], timeout = 120_000): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(root, 'cli/bin/run.js'), ...args], { cwd: root, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const get = async <T>(path: string): Promise<T> => (await (await fetch(`${rest}${path}`)).json()) as T;
const pidsOf = (): number[] => readdirSync(join(work, 'pids')).map((f) => Number(readFileSync(join(work, 'pids', f), 'utf8')));
const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
const readCounts = (out: string): Map<string, number> => new Map(readdirSync(out).filter((f) => !f.startsWith('.'))
  .flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)).map((l) => { const [w, n] = l.split(' '); return [w, Number(n)] as [string, number]; }));
function expectedCounts(n: number): Map<string, number> {
  const W = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) for (const w of [W[i % 5], W[(i * 3) % 5]]) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}
const extraTms: ChildProcess[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsflink-standalone-'));
  const [restPort, rpcPort] = [await freePort(), await freePort()];
  rest = `http://127.0.0.1:${restPort}`;
  dyn = ['-D', `rest.port=${restPort}`, '-D', `jobmanager.rpc.port=${rpcPort}`, '-D', 'taskmanager.numberOfTaskSlots=2',
    '-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s', '-D', 'restart-strategy.type=fixed-delay',
    '-D', 'restart-strategy.fixed-delay.attempts=5', '-D', 'restart-strategy.fixed-delay.delay=200 ms'];
  const r = cli(['cluster', 'start', '--work-dir', work, '-n', '2', ...dyn]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 120_000);

afterAll(() => {
  for (const p of extraTms) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
  cli(['cluster', 'stop', '--work-dir', work]);
  if (process.env['TSFLINK_KEEP_TEST_DIRS']) console.log(`kept ${work}`); else rmSync(work, { recursive: true, force: true });
});

describe('standalone session cluster (real processes)', () => {
  it('reports its TaskManagers and slots over REST with Flink\'s keys', async () => {
    const o = await get<Record<string, number>>('/overview');
    expect(o['taskmanagers']).toBe(2);
    expect(o['slots-total']).toBe(4);
    const tms = await get<{ taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number; dataPort: number }> }>('/taskmanagers');
    expect(tms.taskmanagers.map((t) => t.slotsNumber)).toEqual([2, 2]);
    expect(tms.taskmanagers.every((t) => t.dataPort > 0)).toBe(true);
  });

  it('word count at parallelism 4 across TaskManagers gives correct results', () => {
    const out = join(work, 'wc-out');
    const r = cli(['run', '-m', rest.replace('http://', ''), '-p', '4', fixture('slow-wordcount.ts'), out, '5000', '0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readCounts(out)).toEqual(expectedCounts(5000));
  });

  it('kill -9 of a TaskManager mid-job: the job restarts on the remaining slots plus a new TaskManager and finishes correctly', async () => {
    const out = join(work, 'kill-out');
    const job = spawn(process.execPath, [join(root, 'cli/bin/run.js'), 'run', '-m', rest.replace('http://', ''), '-p', '4', fixture('slow-wordcount.ts'), out, '6000', '2000'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    job.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exit = new Promise<number | null>((r) => job.on('exit', (c) => r(c)));
    await waitFor('a RUNNING job', async () => (await get<{ jobs: Array<{ status: string }> }>('/jobs')).jobs.some((j) => j.status === 'RUNNING'), 30_000, 100);
    await new Promise((r) => setTimeout(r, 800));
    const victim = Number(readFileSync(join(work, 'pids', 'tsflink-taskmanager-0.pid'), 'utf8'));
    process.kill(victim, 'SIGKILL');
    const log = openSync(join(work, 'log', 'tsflink-taskmanager-extra.log'), 'a');
    const tm = spawn(process.execPath, [join(root, 'cli/bin/run.js'), 'taskmanager', '--work-dir', work, ...dyn], { cwd: root, stdio: ['ignore', log, log] });
    extraTms.push(tm);
    const code = await exit;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readCounts(out)).toEqual(expectedCounts(6000));
    const jobs = await get<{ jobs: Array<{ id: string }> }>('/jobs');
    const exceptions = await Promise.all(jobs.jobs.map((j) => get<{ exceptionHistory?: { entries: Array<{ exceptionName?: string; stacktrace?: string }> } }>(`/jobs/${j.id}/exceptions`)));
    expect(JSON.stringify(exceptions)).toMatch(/TaskManager .* is lost/);
  }, 120_000);

  it('cancel via REST and via the CLI', async () => {
    const submit = (): string => {
      const r = cli(['run', '-d', '-m', rest.replace('http://', ''), '-p', '2', fixture('endless.ts')]);
      expect(r.code).toBe(0);
      return /JobID ([0-9a-f]{32})/.exec(r.stdout)![1];
    };
    const a = submit();
    await waitFor(`${a} RUNNING`, async () => (await get<{ state: string }>(`/jobs/${a}`)).state === 'RUNNING', 30_000, 100);
    const patch = await fetch(`${rest}/jobs/${a}?mode=cancel`, { method: 'PATCH' });
    expect(patch.status).toBe(202);
    await waitFor(`${a} CANCELED`, async () => (await get<{ state: string }>(`/jobs/${a}`)).state === 'CANCELED', 30_000, 100);
    const b = submit();
    await waitFor(`${b} RUNNING`, async () => (await get<{ state: string }>(`/jobs/${b}`)).state === 'RUNNING', 30_000, 100);
    expect(cli(['list', '-m', rest.replace('http://', '')]).stdout).toContain(b);
    const c = cli(['cancel', '-m', rest.replace('http://', ''), b]);
    expect(c.code).toBe(0);
    await waitFor(`${b} CANCELED`, async () => (await get<{ state: string }>(`/jobs/${b}`)).state === 'CANCELED', 30_000, 100);
  }, 120_000);

  it('20 jobs back to back all finish, and every slot is free afterwards', async () => {
    for (let i = 0; i < 20; i++) {
      const out = join(work, `b2b-${i}`);
      const r = cli(['run', '-m', rest.replace('http://', ''), '-p', '2', fixture('slow-wordcount.ts'), out, '200', '0'], 60_000);
      expect(r.code, `job ${i}: ${r.stdout}\n${r.stderr}`).toBe(0);
      expect(readCounts(out)).toEqual(expectedCounts(200));
    }
    await waitFor('every slot available', async () => { const o = await get<Record<string, number>>('/overview'); return o['slots-available'] === o['slots-total']; }, 10_000, 100);
    const o = await get<Record<string, number>>('/overview');
    expect(o['jobs-running']).toBe(0);
  }, 300_000);

  it('cluster stop leaves no process behind', async () => {
    const pids = [...pidsOf(), ...extraTms.map((p) => p.pid!)];
    for (const p of extraTms) p.kill('SIGTERM');
    const r = cli(['cluster', 'stop', '--work-dir', work]);
    expect(r.code).toBe(0);
    await waitFor('the processes to exit', () => pids.every((p) => !alive(p)), 15_000, 100);
    expect(existsSync(join(work, 'pids', 'tsflink-jobmanager-0.pid'))).toBe(false);
  });
});
