import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, existsSync, openSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runtimeArchive } from './RuntimeArchive.js';

// The runtime YARN ships to containers: bundled, small, and a TaskManager started from the
// unpacked archive (as in a container) runs a job with worker-thread slots, a keyed shuffle and Parquet.
const root = resolve(import.meta.dirname, '..');
const freePort = (): Promise<number> => new Promise((r) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
const parquetjs = createRequire(import.meta.url)('parquetjs-lite') as {
  ParquetReader: { openFile(path: string): Promise<{ getCursor(): { next(): Promise<Record<string, unknown> | null> }; close(): Promise<void> }> };
};

let work: string;
let unpacked: string;
let archive: Awaited<ReturnType<typeof runtimeArchive>>;
const procs: ChildProcess[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsflink-runtime-archive-'));
  archive = await runtimeArchive();
  unpacked = join(work, 'container', 'tsflink');
  execFileSync('mkdir', ['-p', unpacked]);
  execFileSync('tar', ['-xzf', archive.path, '-C', unpacked]);
}, 120_000);

afterAll(() => {
  for (const p of procs) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
  rmSync(work, { recursive: true, force: true });
});

function countEntries(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + 1 + (e.isDirectory() ? countEntries(join(dir, e.name)) : 0), 0);
}

describe('runtime archive (what YARN containers run)', () => {
  it('is bundled: a few hundred entries at most (NodeManagers localize file by file), with the entry points at their dist/ paths', () => {
    expect(archive.name).toMatch(/^tsflink-runtime-[0-9a-f]{16}\.tar\.gz$/);
    expect(countEntries(unpacked)).toBe(archive.files);
    expect(archive.files).toBeLessThan(300);
    for (const e of ['dist/yarn-am/main.js', 'dist/yarn-am/taskmanager.js', 'dist/runtime/index.js', 'dist/runtime/taskmanager/slot/SlotWorker.js', 'conf/config.yaml', 'package.json']) {
      expect(existsSync(join(unpacked, e)), e).toBe(true);
    }
    expect(readdirSync(join(unpacked, 'yarn-am', 'proto')).some((f) => f.endsWith('.proto'))).toBe(true);
    // no build tools or CLI framework in containers
    expect(existsSync(join(unpacked, 'node_modules', 'esbuild'))).toBe(false);
    expect(existsSync(join(unpacked, 'node_modules', '@oclif'))).toBe(false);
  });

  it('is cached per runtime version: a second call returns the same file without rebuilding', async () => {
    const again = await runtimeArchive();
    expect(again).toEqual(archive);
  });

  it('also builds from an installed tsflink whose dependencies npm hoisted beside it (my-project/node_modules/*)', () => {
    const project = join(work, 'my-project');
    const installed = join(project, 'node_modules', 'tsflink');
    mkdirSync(installed, { recursive: true });
    for (const e of ['package.json', 'dist', 'conf', 'yarn-am/proto']) cpSync(join(root, e), join(installed, e), { recursive: true });
    for (const dep of readdirSync(join(root, 'node_modules')).filter((d) => !d.startsWith('.'))) symlinkSync(join(root, 'node_modules', dep), join(project, 'node_modules', dep));
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);
    const script = `const { runtimeArchive } = await import(${JSON.stringify(join(installed, 'dist', 'yarn-am', 'RuntimeArchive.js'))}); console.log(JSON.stringify(await runtimeArchive()));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const built = JSON.parse(r.stdout.trim().split('\n').pop()!) as { path: string; name: string };
    expect(built.name).not.toBe(archive.name); // another installation, its own archive
    const out = join(work, 'hoisted-unpacked');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', built.path, '-C', out]);
    for (const e of ['node_modules/msgpackr/package.json', 'node_modules/parquetjs-lite/package.json', 'node_modules/snappyjs/package.json', 'dist/runtime/index.js']) expect(existsSync(join(out, e)), e).toBe(true);
    // the unpacked runtime runs a keyed job in-thread (msgpackr from the archive's node_modules)
    const job = `const t = await import(${JSON.stringify(join(out, 'dist', 'runtime', 'index.js'))}); const env = t.StreamExecutionEnvironment.createLocalEnvironment(2);` +
      'const got = await env.fromSequence(1, 100).map((n) => [n % 3, n]).keyBy((t) => t[0]).sum(1).executeAndCollect(); console.log("max", Math.max(...got.map((t) => t[1])));';
    const j = spawnSync(process.execPath, ['--input-type=module', '-e', job], { cwd: out, encoding: 'utf8', timeout: 60_000 });
    expect(j.status, j.stderr).toBe(0);
    expect(j.stdout).toContain('max 1717'); // key 1: 1 + 4 + … + 100
  }, 180_000);

  it("ships classic-level for the 'leveldb' state backend (Linux prebuilds only, no C++ sources): a keyed job on leveldb runs from the unpacked archive", () => {
    const cl = join(unpacked, 'node_modules', 'classic-level');
    expect(existsSync(join(cl, 'package.json'))).toBe(true);
    expect(existsSync(join(cl, 'prebuilds', 'linux-x64'))).toBe(true);
    expect(existsSync(join(cl, 'deps'))).toBe(false);
    expect(readdirSync(join(cl, 'prebuilds')).filter((d) => !d.startsWith('linux-'))).toEqual([]);
    const dir = join(work, 'leveldb-local');
    const job = `const t = await import(${JSON.stringify(join(unpacked, 'dist', 'runtime', 'index.js'))});` +
      `const env = t.StreamExecutionEnvironment.createLocalEnvironment(2, { 'state.backend.type': 'leveldb', 'state.backend.leveldb.localdir': ${JSON.stringify(dir)} });` +
      'const got = await env.fromSequence(1, 100).map((n) => [n % 3, n]).keyBy((t) => t[0]).sum(1).executeAndCollect(); console.log("max", Math.max(...got.map((t) => t[1])));';
    const j = spawnSync(process.execPath, ['--input-type=module', '-e', job], { cwd: unpacked, encoding: 'utf8', timeout: 60_000 });
    expect(j.status, j.stderr).toBe(0);
    expect(j.stdout).toContain('max 1717');
    expect(j.stderr).not.toMatch(/classic-level/);
  }, 90_000);

  it('the ApplicationMaster entry loads (all its imports resolve) and fails clearly without a container environment', () => {
    const r = spawnSync(process.execPath, [join(unpacked, 'dist', 'yarn-am', 'main.js')], { cwd: join(work, 'container'), encoding: 'utf8', timeout: 60_000, env: { PATH: process.env['PATH'] ?? '' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)|Dynamic require/);
    expect(r.stderr).toMatch(/cluster secret|TSFLINK_|container/i);
  });

  it('a TaskManager from the unpacked archive registers with a JobManager and runs a job on its worker-thread slots (keyed shuffle, -0 kept, Parquet)', async () => {
    const [restPort, rpcPort] = [await freePort(), await freePort()];
    const secret = 'runtime-archive-test-secret';
    const dyn = ['-D', `rest.port=${restPort}`, '-D', `jobmanager.rpc.port=${rpcPort}`, '-D', 'jobmanager.rpc.address=127.0.0.1', '-D', `security.cluster.secret=${secret}`];
    const jmLog = openSync(join(work, 'jobmanager.log'), 'a');
    procs.push(spawn(process.execPath, [join(root, 'cli/bin/run.js'), 'jobmanager', '--work-dir', join(work, 'jm'), ...dyn], { cwd: root, stdio: ['ignore', jmLog, jmLog] }));
    // Started the way the ApplicationMaster starts it: cwd = container dir, runtime in ./tsflink/.
    const tmLog = openSync(join(work, 'taskmanager.log'), 'a');
    procs.push(spawn(process.execPath, [join('tsflink', 'dist', 'yarn-am', 'taskmanager.js'), '-D', 'jobmanager.rpc.address=127.0.0.1', '-D', `jobmanager.rpc.port=${rpcPort}`,
      '-D', 'taskmanager.numberOfTaskSlots=2', '-D', 'taskmanager.bind-host=127.0.0.1'],
    { cwd: join(work, 'container'), stdio: ['ignore', tmLog, tmLog], env: { PATH: process.env['PATH'] ?? '', TSFLINK_CLUSTER_SECRET: secret, CONTAINER_ID: 'container_test_0001_01_000002' } }));
    const logs = (): string => `jobmanager:\n${readFileSync(join(work, 'jobmanager.log'), 'utf8')}\ntaskmanager:\n${readFileSync(join(work, 'taskmanager.log'), 'utf8')}`;
    const t0 = Date.now();
    for (;;) {
      const o = await fetch(`http://127.0.0.1:${restPort}/overview`).then((r) => r.json() as Promise<Record<string, number>>).catch(() => undefined);
      if (o?.['slots-total'] === 2) break;
      if (Date.now() - t0 > 60_000) throw new Error(`the TaskManager did not register:\n${logs()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const out = join(work, 'out');
    const r = spawnSync(process.execPath, [join(root, 'cli/bin/run.js'), 'run', '-m', `127.0.0.1:${restPort}`, '-p', '2', join(root, 'yarn-am', 'fixtures', 'bundled-runtime-job.ts'), out, '7000'],
      { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}\n${logs()}`).toBe(0);
    // the tasks ran in the archive's runtime (the job bundle was re-pinned to it)
    expect(logs()).not.toMatch(/ERR_MODULE_NOT_FOUND|Dynamic require/);
    const rows: Record<string, unknown>[] = [];
    for (const f of readdirSync(out).filter((f) => !f.startsWith('.'))) {
      const reader = await parquetjs.ParquetReader.openFile(join(out, f));
      const cursor = reader.getCursor();
      for (let row = await cursor.next(); row; row = await cursor.next()) rows.push(row);
      await reader.close();
    }
    rows.sort((a, b) => (a['key'] as number) - (b['key'] as number));
    expect(rows.map((x) => x['key'])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const x of rows) {
      const k = x['key'] as number;
      let total = 0;
      for (let i = k; i < 7000; i += 7) total += i;
      expect([x['total'], x['count']]).toEqual([total, 1000]);
      expect(x['negZero']).toBe(k === 0);
    }
  }, 180_000);
});
