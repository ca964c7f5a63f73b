// Stress: a 10 M-record keyed count into the exactly-once FileSink on a standalone cluster (JobManager
// on 127.0.0.2, TaskManagers with 2 slots on further loopback aliases), with a TaskManager killed by
// SIGKILL 20 times (each after two completed checkpoints, a new TaskManager started each time). The
// output must hold every record exactly once. Too long for CI; records its duration in RESULTS.md.
//   node dist/bench/stress-checkpoint-kills.js [records] [kills] [records/s]
// The source is throttled (default 150k/s) so that the job outlives the kills: unthrottled, 10 M
// records finish in ~16 s, after 7 kills.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterProcesses } from '../runtime/testing/ClusterProcesses.js';
import { waitFor } from '../runtime/testing/waitFor.js';
import { checkCountOutput } from '../runtime/entrypoint/fixtures/checkCountOutput.js';
import { packageRoot } from '../runtime/configuration/index.js';
import { machineLine, writeResultsSection } from './machine.js';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000_000);
  const kills = Number(process.argv[3] ?? 20);
  const rate = Number(process.argv[4] ?? 150_000);
  const work = mkdtempSync(join(tmpdir(), 'tsflink-stress-'));
  const cluster = new ClusterProcesses(work);
  const t0 = performance.now();
  try {
    await cluster.startJobManager(['-D', 'restart-strategy.type=fixed-delay', '-D', `restart-strategy.fixed-delay.attempts=${kills * 3}`, '-D', 'restart-strategy.fixed-delay.delay=200 ms']);
    const tms = [cluster.startTaskManager('127.0.0.3'), cluster.startTaskManager('127.0.0.4')];
    await cluster.waitForTaskManagers(2);
    const out = join(work, 'out');
    const job = cluster.cli(['run', '-m', cluster.restAddress, '-p', '4', join(packageRoot(), 'runtime/entrypoint/fixtures/checkpointed-count.ts'), out, String(n), String(rate), `file://${join(work, 'chk')}`, '500']);
    await waitFor('a RUNNING job', async () => (await cluster.get<{ jobs: Array<{ status: string }> }>('/jobs')).jobs.some((j) => j.status === 'RUNNING'), 60_000, 100);
    let killed = 0;
    for (let k = 0; k < kills && ClusterProcesses.alive(job); k++) {
      const before = cluster.completedCheckpoints();
      const ok = await waitFor(`checkpoints before kill ${k}`, () => cluster.completedCheckpoints() >= before + 2 || !ClusterProcesses.alive(job), 120_000, 50).then(() => true, () => false);
      if (!ok || !ClusterProcesses.alive(job)) break;
      const victim = tms.find(ClusterProcesses.alive)!;
      process.kill(victim.child.pid!, 'SIGKILL');
      await victim.exited;
      killed++;
      tms.push(cluster.startTaskManager(`127.0.0.${5 + (k % 240)}`));
      console.log(`kill ${killed}: TaskManager pid ${victim.child.pid} at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const code = await job.exited;
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`job exited with ${code}\n${job.stderr()}\n${cluster.dumpLogs()}`);
    const lines = readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    const check = checkCountOutput(lines, n);
    const exact = check.lines === n && check.duplicates.length === 0 && check.missing.length === 0 && check.badCounts.length === 0;
    const restores = (cluster.jobManager.stdout().match(/Restoring job [0-9a-f]{32} from Checkpoint/g) ?? []).length;
    const body = `Run ${new Date().toISOString()}. ${machineLine()}

Keyed running count (16 keys) of ${n.toLocaleString('en-US')} records into the exactly-once FileSink, parallelism 4 on a standalone cluster
(JobManager + TaskManagers with 2 slots as processes on loopback aliases), checkpoints every 500 ms to file://, source throttled to ${rate.toLocaleString('en-US')} records/s.
${killed} TaskManagers killed with SIGKILL (each after two completed checkpoints, a new TaskManager started each time); the job restored
from a checkpoint ${restores} times. Output: ${check.lines.toLocaleString('en-US')} lines, ${check.duplicates.length} duplicated, ${check.missing.length} missing values,
${check.badCounts.length} bad counts: **${exact ? 'exactly once' : 'NOT exactly once'}**. Total time ${seconds.toFixed(0)} s (cluster start to job end).`;
    console.log(body);
    writeResultsSection(packageRoot(), 'Stress: 20 TaskManager kills under a checkpointed job', body);
    if (!exact) process.exitCode = 1;
  } finally {
    await cluster.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
