// Test helper for the kill -9 recovery ITCases: a job on a ClusterProcesses cluster loses one
// TaskManager to SIGKILL mid-run and must finish from its latest checkpoint.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './waitFor.js';
import { ClusterProcesses } from './ClusterProcesses.js';

/** JobManager flags for these tests: enough restarts for a replacement TaskManager to register. */
export const FAILOVER_RESTARTS = ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=20', '-D', 'restart-strategy.fixed-delay.delay=200 ms'];

/**
 * `tsflink run -p 4 <jobFile> ...jobArgs(out, checkpoints)`; after two completed checkpoints one
 * TaskManager is SIGKILLed and a replacement starts on 127.0.0.13. The job must exit 0 having
 * restored from a checkpoint; returns the lines it wrote to `out` (committed files only).
 */
export async function runKillingOneTaskManager(cluster: ClusterProcesses, jobFile: string, jobArgs: (out: string, checkpoints: string) => string[]): Promise<string[]> {
  const out = join(cluster.workDir, 'out');
  const chk = join(cluster.workDir, 'checkpoints');
  const job = cluster.cli(['run', '-m', cluster.restAddress, '-p', '4', jobFile, ...jobArgs(out, chk)]);
  await waitFor('a RUNNING job', async () => (await cluster.get<{ jobs: Array<{ status: string }> }>('/jobs')).jobs.some((j) => j.status === 'RUNNING'), 60_000, 100)
    .catch((e: Error) => { throw new Error(`${e.message}\n${job.stdout()}\n${job.stderr()}\n${cluster.dumpLogs()}`); });
  await waitFor('two checkpoints', () => cluster.completedCheckpoints() >= 2, 60_000, 50)
    .catch((e: Error) => { throw new Error(`${e.message}\n${cluster.dumpLogs()}`); });
  const victim = cluster.procs.find((p) => p !== cluster.jobManager && p !== job && ClusterProcesses.alive(p))!;
  process.kill(victim.child.pid!, 'SIGKILL');
  await victim.exited;
  cluster.startTaskManager('127.0.0.13');
  const code = await job.exited;
  if (code !== 0) throw new Error(`the job exited with ${code}\n${job.stdout()}\n${job.stderr()}\n${cluster.dumpLogs()}`);
  if (!/Restoring job [0-9a-f]{32} from Checkpoint \d+/.test(cluster.jobManager.stdout())) throw new Error(`the job did not restore from a checkpoint\n${cluster.dumpLogs()}`);
  return readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
}
