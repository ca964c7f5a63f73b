import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { waitFor } from '../testing/waitFor.js';

// Exactly-once under TaskManager crashes, as real processes on distinct loopback "hosts": a
// JobManager on 127.0.0.2, TaskManagers (2 slots each) on 127.0.0.3, .4, and a fresh alias for
// each replacement. A keyed running count goes into the exactly-once FileSink with checkpoints on
// file://; TaskManagers are killed with SIGKILL several times mid-run, and the committed output
// must hold every record exactly once with counts that continue from the restored state.
const root = resolve(import.meta.dirname, '../..');
const JM = '127.0.0.2';
const cliPath = join(root, 'cli/bin/run.js');
const N = 24_000;
const KEYS = 16;
let work: string;
let rpcPort: number;
let restPort: number;
const procs: ChildProcess[] = [];
const logs = new Map<ChildProcess, { out: string; err: string }>();

const freePort = (host: string): Promise<number> => new Promise((r) => { const s = createServer(); s.listen(0, host, () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
function start(args: string[]): ChildProcess {
  const p = spawn(process.execPath, [cliPath, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const l = { out: '', err: '' };
  p.stdout!.on('data', (d: Buffer) => { l.out += d.toString(); });
  p.stderr!.on('data', (d: Buffer) => { l.err += d.toString(); });
  logs.set(p, l);
  procs.push(p);
  return p;
}
const exited = (p: ChildProcess): Promise<number | null> => new Promise((r) => { if (p.exitCode !== null || p.signalCode !== null) r(p.exitCode); else p.on('exit', (c) => r(c)); });
const conf = (): string[] => ['-D', `jobmanager.rpc.address=${JM}`, '-D', `jobmanager.rpc.port=${rpcPort}`, '-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s'];
const get = async <T>(path: string): Promise<T> => (await (await fetch(`http://${JM}:${restPort}${path}`)).json()) as T;
const startTm = (host: string): ChildProcess => start(['taskmanager', '--work-dir', work, ...conf(), '-D', `taskmanager.host=${host}`, '-D', 'taskmanager.numberOfTaskSlots=2']);
let jm: ChildProcess;
const dumpLogs = (): string => procs.map((p, i) => `--- process ${i} (pid ${p.pid}, exit ${p.exitCode ?? p.signalCode}) ---\n${logs.get(p)!.out.slice(-2500)}\n${logs.get(p)!.err.slice(-1500)}`).join('\n');
const completedCheckpoints = (): number => (logs.get(jm)!.out.match(/Completed checkpoint \d+ for job/g) ?? []).length;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsflink-cp-failover-'));
  rpcPort = await freePort(JM);
  restPort = await freePort(JM);
  jm = start(['jobmanager', '--work-dir', work, ...conf(), '-D', `rest.address=${JM}`, '-D', `rest.bind-address=${JM}`, '-D', `rest.port=${restPort}`,
    '-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=20', '-D', 'restart-strategy.fixed-delay.delay=200 ms']);
  await waitFor('the JobManager', () => logs.get(jm)!.out.includes('JobManager started'), 30_000, 50);
  startTm('127.0.0.3');
  startTm('127.0.0.4');
  await waitFor('two TaskManagers', async () => (await get<{ taskmanagers: unknown[] }>('/taskmanagers')).taskmanagers.length === 2, 30_000, 100);
}, 60_000);

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => exited(p)));
  if (process.env['TSFLINK_KEEP_TEST_DIRS']) console.log(`kept ${work}`); else rmSync(work, { recursive: true, force: true });
});

function readOutput(out: string): string[] {
  return readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
}

describe('exactly-once recovery from checkpoints (real processes, kill -9)', () => {
  it('a keyed count into the FileSink survives three TaskManager kills with every record exactly once', async () => {
    const out = join(work, 'out');
    const chk = join(work, 'checkpoints');
    const job = start(['run', '-m', `${JM}:${restPort}`, '-p', '4', join(root, 'runtime/entrypoint/fixtures/checkpointed-count.ts'), out, String(N), '2000', `file://${chk}`, '200']);
    await waitFor('a RUNNING job', async () => (await get<{ jobs: Array<{ status: string }> }>('/jobs')).jobs.some((j) => j.status === 'RUNNING'), 60_000, 100);
    const tms = procs.filter((p) => logs.get(p) && p !== jm && p !== job);
    const replacements = ['127.0.0.5', '127.0.0.6', '127.0.0.7'];
    for (let k = 0; k < 3; k++) {
      // Kill only after a checkpoint completed since the last restart, so recovery restores state (not a fresh start).
      const before = completedCheckpoints();
      await waitFor(`checkpoint after kill ${k}`, () => completedCheckpoints() >= before + 2, 60_000, 50)
        .catch((e: Error) => { throw new Error(`${e.message}\n${dumpLogs()}`); });
      const victim = tms.find((p) => p.exitCode === null && p.signalCode === null)!;
      process.kill(victim.pid!, 'SIGKILL');
      await exited(victim);
      tms.push(startTm(replacements[k]!));
    }
    const code = await exited(job);
    const jl = logs.get(job)!;
    expect(code, `${jl.out}\n${jl.err}\n--- JM ---\n${logs.get(jm)!.out.slice(-4000)}`).toBe(0);
    expect(logs.get(jm)!.out).toMatch(/Restoring job [0-9a-f]{32} from Checkpoint \d+/);

    const lines = readOutput(out);
    const values = new Map<number, number>();
    const countsByKey = new Map<number, number[]>();
    for (const l of lines) {
      const [k, c, v] = l.split(' ').map(Number) as [number, number, number];
      expect(k).toBe(v % KEYS);
      values.set(v, (values.get(v) ?? 0) + 1);
      (countsByKey.get(k) ?? countsByKey.set(k, []).get(k)!).push(c);
    }
    const dup = [...values].filter(([, n]) => n > 1).map(([v]) => v);
    expect(dup.slice(0, 10), 'duplicated values').toEqual([]);
    expect(values.size, 'no value lost').toBe(N);
    for (let k = 0; k < KEYS; k++) {
      const cs = countsByKey.get(k)!.sort((a, b) => a - b);
      expect(cs, `counts of key ${k}`).toEqual(Array.from({ length: N / KEYS }, (_, i) => i + 1));
    }
    // The job's checkpoints are cleaned up after it FINISHED (no externalized retention).
    const jobDirs = existsSync(chk) ? readdirSync(chk) : [];
    for (const d of jobDirs) expect(readdirSync(join(chk, d)).filter((f) => f.startsWith('chk-'))).toEqual([]);
  }, 240_000);
});
