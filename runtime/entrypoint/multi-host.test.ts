import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { waitFor } from '../testing/waitFor.js';

// Three "hosts" on one machine: Linux routes all of 127/8 to lo, so 127.0.0.2 (JobManager),
// 127.0.0.3 and 127.0.0.4 (TaskManagers) are distinct addresses, and a server bound to one of them
// is not reachable at another. The TaskManagers get only taskmanager.host, as the YARN AM sets it.
const root = resolve(import.meta.dirname, '../..');
const JM = '127.0.0.2';
const TM_HOSTS = ['127.0.0.3', '127.0.0.4'];
let work: string;
let rpcPort: number;
let restPort: number;
const procs: ChildProcess[] = [];
const logs = new Map<ChildProcess, { out: string; err: string }>();

const freePort = (host: string): Promise<number> => new Promise((r) => { const s = createServer(); s.listen(0, host, () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
const cliPath = join(root, 'cli/bin/run.js');

function start(args: string[]): ChildProcess {
  const p = spawn(process.execPath, [cliPath, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const l = { out: '', err: '' };
  p.stdout!.on('data', (d: Buffer) => { l.out += d.toString(); });
  p.stderr!.on('data', (d: Buffer) => { l.err += d.toString(); });
  logs.set(p, l);
  procs.push(p);
  return p;
}
const exited = (p: ChildProcess): Promise<number | null> => new Promise((r) => { if (p.exitCode !== null) r(p.exitCode); else p.on('exit', (c) => r(c)); });
const jmConf = (): string[] => ['-D', `jobmanager.rpc.address=${JM}`, '-D', `jobmanager.rpc.port=${rpcPort}`, '-D', 'heartbeat.interval=500 ms'];
// REST beyond 127.0.0.1 needs the bearer token; the JobManager writes it into its work dir.
const token = (): string => readFileSync(join(work, 'rest-token'), 'utf8').trim();
const get = async <T>(path: string): Promise<T> => (await (await fetch(`http://${JM}:${restPort}${path}`, { headers: { authorization: `Bearer ${token()}` } })).json()) as T;
/** The CLI as a client: cwd is a directory without a .tsflink work dir. */
const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [cliPath, ...args],
  { cwd: tmpdir(), encoding: 'utf8', timeout: 120_000, env: { ...process.env, TSFLINK_WORK_DIR: '', TSFLINK_CLUSTER_SECRET: '', ...env } });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsflink-multihost-'));
  rpcPort = await freePort(JM);
  restPort = await freePort(JM);
  const jm = start(['jobmanager', '--work-dir', work, ...jmConf(), '-D', `rest.address=${JM}`, '-D', `rest.bind-address=${JM}`, '-D', `rest.port=${restPort}`]);
  await waitFor('the JobManager', () => logs.get(jm)!.out.includes('JobManager started'), 30_000, 50);
  for (const host of TM_HOSTS) {
    start(['taskmanager', '--work-dir', work, ...jmConf(), '-D', `taskmanager.host=${host}`, '-D', 'taskmanager.numberOfTaskSlots=1']);
  }
  await waitFor('two TaskManagers', async () => (await get<{ taskmanagers: unknown[] }>('/taskmanagers')).taskmanagers.length === 2, 30_000, 100);
}, 60_000);

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? exited(p) : null)));
  rmSync(work, { recursive: true, force: true });
});

describe('processes on distinct hosts (loopback aliases)', () => {
  it('each server listens where it advertises, and says both', async () => {
    const [jm, tm3, tm4] = procs.map((p) => logs.get(p)!);
    expect(jm!.out + jm!.err).toContain(`RPC endpoint listening on ${JM}:${rpcPort}, advertised as ${JM}:${rpcPort}`);
    for (const [l, host] of [[tm3!, TM_HOSTS[0]!], [tm4!, TM_HOSTS[1]!]] as const) {
      expect(l.out + l.err).toMatch(new RegExp(`Data plane listening on ${host.replaceAll('.', '\\.')}:\\d+, advertised as ${host.replaceAll('.', '\\.')}:\\d+`));
    }
    const tms = await get<{ taskmanagers: Array<{ path: string; dataPort: number }> }>('/taskmanagers');
    expect(tms.taskmanagers.map((t) => /^tsflink:\/\/([^/]+)\//.exec(t.path)![1]).sort()).toEqual(TM_HOSTS);
  });

  it('a keyed job at p=2 exchanges records across the TaskManagers and gives the exact counts', () => {
    const out = join(work, 'wc-out');
    const r = cli(['run', '-m', `${JM}:${restPort}`, '--work-dir', work, '-p', '2', join(root, 'runtime/entrypoint/fixtures/slow-wordcount.ts'), out, '3000', '0']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const counts = new Map(readdirSync(out).filter((f) => !f.startsWith('.'))
      .flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)).map((l) => { const [w, n] = l.split(' '); return [w!, Number(n)] as const; }));
    // 3000 sentences "W[i%5] W[3i%5]": every word 600 + 600 times.
    expect(Object.fromEntries(counts)).toEqual({ alpha: 1200, beta: 1200, gamma: 1200, delta: 1200, epsilon: 1200 });
  }, 120_000);

  it('REST on 127.0.0.2 demands the token: the CLI finds it in the work dir (--work-dir, $TSFLINK_WORK_DIR) or derives it from the secret; without it, 401 saying how', async () => {
    const raw = await fetch(`http://${JM}:${restPort}/jobs/overview`);
    expect(raw.status).toBe(401);
    expect(((await raw.json()) as { errors: string[] }).errors[0]).toMatch(/^Unauthorized: .*Authorization: Bearer <token>/);
    const denied = cli(['list', '-a', '-m', `${JM}:${restPort}`]);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toMatch(/HTTP 401: Unauthorized: This REST endpoint requires a credential.*--work-dir or \$TSFLINK_WORK_DIR/s);
    const job = /: ([0-9a-f]{32}) : /.exec(cli(['list', '-a', '-m', `${JM}:${restPort}`, '--work-dir', work]).stdout);
    expect(job).not.toBeNull();
    expect(cli(['list', '-a', '-m', `${JM}:${restPort}`], { TSFLINK_WORK_DIR: work }).stdout).toContain(job![1]);
    const secret = readFileSync(join(work, 'cluster-secret'), 'utf8').trim();
    expect(cli(['list', '-a', '-m', `${JM}:${restPort}`], { TSFLINK_CLUSTER_SECRET: secret }).stdout).toContain(job![1]);
    const wrong = cli(['list', '-a', '-m', `${JM}:${restPort}`], { TSFLINK_CLUSTER_SECRET: 'not-the-secret' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain('The bearer token is not valid for this cluster');
  }, 60_000);

  it('a TaskManager whose bind address cannot serve its advertised host fails at start-up, naming both keys', async () => {
    const tm = start(['taskmanager', '--work-dir', work, ...jmConf(), '-D', 'taskmanager.host=127.0.0.5', '-D', 'taskmanager.bind-host=127.0.0.1']);
    expect(await exited(tm)).not.toBe(0);
    expect(logs.get(tm)!.out + logs.get(tm)!.err).toContain('TaskManager data plane: taskmanager.bind-host=127.0.0.1 cannot serve the advertised address taskmanager.host=127.0.0.5');
    expect((await get<{ taskmanagers: unknown[] }>('/taskmanagers')).taskmanagers).toHaveLength(2);
  }, 60_000);

  it('so does a JobManager', async () => {
    const port = await freePort('127.0.0.1');
    const jm = start(['jobmanager', '--work-dir', join(work, 'jm2'), '-D', 'jobmanager.rpc.address=127.0.0.5', '-D', 'jobmanager.bind-host=127.0.0.1',
      '-D', `jobmanager.rpc.port=${port}`, '-D', 'rest.port=0']);
    expect(await exited(jm)).not.toBe(0);
    expect(logs.get(jm)!.out + logs.get(jm)!.err).toContain('JobManager RPC endpoint: jobmanager.bind-host=127.0.0.1 cannot serve the advertised address jobmanager.rpc.address=127.0.0.5');
  }, 60_000);
});
