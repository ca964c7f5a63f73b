// Test and benchmark helper: a standalone cluster as real processes on loopback "hosts"
// (127.0.0.2, .3, …: Linux routes all of 127/8 to lo, and a server bound to one alias is not
// reachable at another). Every process is started by pid here and killed in close().
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { spawnCollecting, type CollectedProcess } from './spawnCollecting.js';
import { waitFor } from './waitFor.js';

import { packageRoot } from '../configuration/index.js';

const root = packageRoot();
const cliPath = join(root, 'cli/bin/run.js');

export const freePort = (host: string): Promise<number> => new Promise((r) => {
  const s = createServer();
  s.listen(0, host, () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); });
});

export class ClusterProcesses {
  readonly procs: CollectedProcess[] = [];
  jobManager!: CollectedProcess;
  private rpcPort = 0;
  restPort = 0;

  constructor(readonly workDir: string, readonly jmHost = '127.0.0.2', private readonly common: string[] = ['-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s']) {}

  /**
   * A JobManager on 127.0.0.2 with `jobManagerArgs` (given the fresh work dir) and TaskManagers on
   * `taskManagerHosts` (2 slots each), all registered; dispose() ends them and removes the work dir.
   */
  static async started(prefix: string, jobManagerArgs: (workDir: string) => string[] = () => [], taskManagerHosts = ['127.0.0.3', '127.0.0.4']): Promise<ClusterProcesses> {
    const c = new ClusterProcesses(mkdtempSync(join(tmpdir(), prefix)));
    await c.startJobManager(jobManagerArgs(c.workDir));
    for (const h of taskManagerHosts) c.startTaskManager(h);
    await c.waitForTaskManagers(taskManagerHosts.length);
    return c;
  }

  /** close(), then the work dir goes (kept with TSFLINK_KEEP_TEST_DIRS=1). */
  async dispose(): Promise<void> {
    await this.close();
    if (process.env['TSFLINK_KEEP_TEST_DIRS']) console.log(`kept ${this.workDir}`); else rmSync(this.workDir, { recursive: true, force: true });
  }

  /** Runs the tsflink CLI with `args` (collecting its output); `env` adds to this process's environment. */
  cli(args: string[], env: Record<string, string> = {}): CollectedProcess {
    // TSFLINK_WORK_DIR: client commands (run -m, list, …) find the REST token of the cluster there.
    const p = spawnCollecting(process.execPath, [cliPath, ...args], { cwd: root, env: { ...process.env, TSFLINK_WORK_DIR: this.workDir, ...env } });
    this.procs.push(p);
    return p;
  }

  private conf(): string[] { return ['-D', `jobmanager.rpc.address=${this.jmHost}`, '-D', `jobmanager.rpc.port=${this.rpcPort}`, ...this.common]; }

  get restAddress(): string { return `${this.jmHost}:${this.restPort}`; }

  /** `reusePorts`: the ports of the previous JobManager (a restart its TaskManagers reconnect to). */
  async startJobManager(extra: string[] = [], reusePorts = false): Promise<void> {
    if (!reusePorts || this.rpcPort === 0) {
      this.rpcPort = await freePort(this.jmHost);
      this.restPort = await freePort(this.jmHost);
    }
    this.jobManager = this.cli(['jobmanager', '--work-dir', this.workDir, ...this.conf(), '-D', `rest.address=${this.jmHost}`, '-D', `rest.bind-address=${this.jmHost}`,
      '-D', `rest.port=${this.restPort}`, ...extra]);
    await waitFor('the JobManager', () => this.jobManager.stdout().includes('JobManager started'), 30_000, 50);
  }

  startTaskManager(host: string, slots = 2, env: Record<string, string> = {}): CollectedProcess {
    return this.cli(['taskmanager', '--work-dir', this.workDir, ...this.conf(), '-D', `taskmanager.host=${host}`, '-D', `taskmanager.numberOfTaskSlots=${slots}`], env);
  }

  /** REST beyond 127.0.0.1 needs the bearer token the JobManager wrote into its work dir. */
  async get<T>(path: string): Promise<T> {
    const token = readFileSync(join(this.workDir, 'rest-token'), 'utf8').trim();
    return (await (await fetch(`http://${this.restAddress}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  }

  async waitForTaskManagers(n: number): Promise<void> {
    await waitFor(`${n} TaskManagers`, async () => (await this.get<{ taskmanagers: unknown[] }>('/taskmanagers')).taskmanagers.length >= n, 30_000, 100);
  }

  static alive(p: CollectedProcess): boolean { return p.child.exitCode === null && p.child.signalCode === null; }

  /** Completed checkpoints so far, from the JobManager's log lines. */
  completedCheckpoints(): number { return (this.jobManager.stdout().match(/Completed checkpoint \d+ for job/g) ?? []).length; }

  dumpLogs(): string {
    return this.procs.map((p, i) => `--- process ${i} (pid ${p.child.pid}, exit ${p.child.exitCode ?? p.child.signalCode}) ---\n${p.stdout().slice(-2500)}\n${p.stderr().slice(-1500)}`).join('\n');
  }

  /** SIGKILLs whatever still runs and waits for every process to exit. */
  async close(): Promise<void> {
    for (const p of this.procs) if (ClusterProcesses.alive(p)) p.child.kill('SIGKILL');
    await Promise.all(this.procs.map((p) => p.exited));
  }
}
