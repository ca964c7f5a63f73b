// `tsflink cluster stop`: Flink's stop-cluster.sh — TERM every process started by `cluster start`, KILL stragglers.
import { readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterCommand, clusterFlags } from '../../ClusterCommand.js';
import { ExitCode } from '../../CliError.js';

export default class ClusterStop extends ClusterCommand {
  static override summary = 'Stop the standalone cluster started from this working directory.';
  static override flags = { ...clusterFlags };

  async run(): Promise<void> {
    try {
      const { flags } = await this.parse(ClusterStop);
      const pidDir = join(this.workDir(flags['work-dir']), 'pids');
      const files = existsSync(pidDir) ? readdirSync(pidDir).filter((f) => f.endsWith('.pid')).sort().reverse() : [];
      if (files.length === 0) { process.stdout.write('No cluster to stop.\n'); this.exit(ExitCode.SUCCESS); }
      const pids = files.map((f) => ({ name: f.replace(/\.pid$/, ''), pid: Number(readFileSync(join(pidDir, f), 'utf8')) }));
      for (const { name, pid } of pids) {
        if (!alive(pid)) { process.stdout.write(`No ${name} running (pid ${pid}).\n`); continue; }
        process.stdout.write(`Stopping ${name} (pid ${pid}).\n`);
        try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
      }
      const t0 = Date.now();
      while (pids.some((p) => alive(p.pid)) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
      for (const p of pids) if (alive(p.pid)) { process.stdout.write(`Killing ${p.name} (pid ${p.pid}).\n`); try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
      for (const f of files) rmSync(join(pidDir, f), { force: true });
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}

function alive(pid: number): boolean { try { process.kill(pid, 0); return true; } catch { return false; } }
