// `tsflink cluster start`: Flink's start-cluster.sh — a JobManager and N TaskManagers as background
// processes, pids and logs under the working directory.
import { spawn } from 'node:child_process';
import { openSync, writeFileSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { ClusterCommand, clusterFlags } from '../../ClusterCommand.js';
import { CliError, ExitCode } from '../../CliError.js';
import { RestOptions } from '../../../runtime/configuration/index.js';
import { packageRoot } from '../../../runtime/configuration/packageRoot.js';
import { restTokenOf } from '../../../runtime/security/RestAuthentication.js';

export default class ClusterStart extends ClusterCommand {
  static override summary = 'Start a standalone session cluster (JobManager + TaskManagers) in the background.';
  static override flags = {
    ...clusterFlags,
    taskmanagers: Flags.integer({ char: 'n', min: 0, default: 1, description: 'Number of TaskManager processes.' }),
  };

  async run(): Promise<void> {
    try {
      const { flags } = await this.parse(ClusterStart);
      const workDir = this.workDir(flags['work-dir']);
      const conf = this.conf(flags);
      const pidDir = join(workDir, 'pids');
      mkdirSync(pidDir, { recursive: true });
      if (existsSync(join(pidDir, 'jobmanager.pid')) && alive(Number(readFileSync(join(pidDir, 'jobmanager.pid'), 'utf8')))) {
        throw new CliError(`A cluster is already running from ${workDir} (see ${pidDir}); stop it with 'tsflink cluster stop'.`, ExitCode.USAGE);
      }
      const secret = this.secret(conf, workDir, true);
      const passthrough = [...(flags.dynamic ?? []).flatMap((d) => ['-D', d]), ...(flags['conf-dir'] ? ['--conf-dir', flags['conf-dir']] : [])];
      const env = { ...process.env, TSFLINK_CLUSTER_SECRET: secret, TSFLINK_WORK_DIR: workDir };
      const start = (name: string, cmd: string): number => {
        const log = openSync(join(workDir, 'log', `${name}.log`), 'a');
        const child = spawn(process.execPath, [join(packageRoot(), 'cli', 'bin', 'run.js'), cmd, '--work-dir', workDir, ...passthrough], {
          // TSFLINK_LOG_FILE: the process serves this file over REST (…/log, …/logs).
          detached: true, stdio: ['ignore', log, log], env: { ...env, TSFLINK_LOG_FILE: join(workDir, 'log', `${name}.log`) },
        });
        child.unref();
        writeFileSync(join(pidDir, `${name}.pid`), String(child.pid));
        return child.pid!;
      };
      const host = conf.getOptional(RestOptions.ADDRESS) ?? '127.0.0.1';
      const port = conf.get(RestOptions.PORT);
      const token = restTokenOf(secret);
      process.stdout.write(`Starting cluster.\nStarting standalonesession daemon (pid ${start('tsflink-jobmanager-0', 'jobmanager')}).\n`);
      await waitFor(async () => (await overview(host, port, token)) !== null, 30_000, `the JobManager's REST endpoint at http://${host}:${port} (see ${join(workDir, 'log', 'tsflink-jobmanager-0.log')})`);
      for (let i = 0; i < flags.taskmanagers; i++) process.stdout.write(`Starting taskexecutor daemon (pid ${start(`tsflink-taskmanager-${i}`, 'taskmanager')}).\n`);
      await waitFor(async () => ((await overview(host, port, token))?.taskmanagers ?? -1) >= flags.taskmanagers, 60_000, `${flags.taskmanagers} TaskManager(s) to register`);
      process.stdout.write(`Cluster started: REST API and web interface at http://${host}:${port}; logs in ${join(workDir, 'log')}.\n`);
    } catch (e) {
      this.fail(e);
    }
    this.exit(ExitCode.SUCCESS);
  }
}

function alive(pid: number): boolean { try { process.kill(pid, 0); return true; } catch { return false; } }

async function overview(host: string, port: number, token: string): Promise<{ taskmanagers: number } | null> {
  try {
    const r = await fetch(`http://${host}:${port}/overview`, { headers: { authorization: `Bearer ${token}` } });
    return r.ok ? ((await r.json()) as { taskmanagers: number }) : null;
  } catch { return null; }
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new CliError(`Timed out after ${ms / 1000} s waiting for ${what}.`, ExitCode.CLUSTER_UNREACHABLE);
}
