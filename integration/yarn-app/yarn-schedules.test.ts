/**
 * Schedules on a `tsflink yarn-session` (real Hadoop minicluster): a seconds schedule declared with
 * `tsflink schedule create -t yarn-session` runs BATCH jobs in TaskManager containers and commits
 * each run's partition on HDFS with _SUCCESS; the ApplicationMaster is killed with SIGKILL and the
 * second attempt finds the run history on HDFS: earlier runs kept, no interval run twice or lost.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseApplicationId, type YarnClient, type ApplicationId } from '../../yarn-am/protocols/index.js';
import { REPO, amLog, readHdfsDir, useYarnTestCluster, tsflink, webhdfs, type ClusterInfo } from './harness.js';
import { waitFor } from '../../runtime/testing/waitFor.js';

let cluster: ClusterInfo;
let yarn: YarnClient;
let sessionId: ApplicationId | undefined;

useYarnTestCluster((c, y) => { cluster = c; yarn = y; }, () => sessionId);

interface Run { runId: string; intervalStart: string; intervalEnd: string; state: string; attempt: number; jobId: string | null }
async function list(path: string): Promise<string[]> {
  const r = await webhdfs(path, 'LISTSTATUS');
  if (r.status === 404) return [];
  return ((await r.json()) as { FileStatuses: { FileStatus: { pathSuffix: string }[] } }).FileStatuses.FileStatus.map((s) => s.pathSuffix).sort();
}

describe('schedules on a YARN session', () => {
  it('runs commit partitions on HDFS; the run history survives a killed ApplicationMaster', async () => {
    const base = `/tmp/tsflink-yarn-schedules/${Date.now()}`;
    const table = `${base}/table`;
    const s = await tsflink(['yarn-session', '-d', '-jm', '512', '-tm', '512', '-s', '2', '-nm', 'schedules-it',
      '-D', 'yarn.application-attempts=2', '-D', 'scheduler.tick-interval=200 ms', '-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s',
      '-D', 'restart-strategy.type=none', '-D', 'resourcemanager.taskmanager-timeout=60 s']);
    expect(s.code, `${s.stdout}\n${s.stderr}`).toBe(0);
    const id = /application_\d+_\d+/.exec(s.stdout)?.[0];
    expect(id, s.stdout).toBeDefined();
    sessionId = parseApplicationId(id!);
    const target = ['-t', 'yarn-session', '-D', `yarn.application.id=${id}`];
    const why = (): string => amLog(sessionId!).slice(-6000);
    const runs = async (): Promise<Run[]> => {
      const r = await tsflink(['schedule', 'runs', 'every5s', '--json', ...target]);
      if (r.code !== 0) throw new Error(`schedule runs: ${r.stderr}`);
      return JSON.parse(r.stdout) as Run[];
    };

    const file = join(mkdtempSync(join(tmpdir(), 'tsflink-yarn-sched-')), 'every5s.yaml');
    writeFileSync(file, [
      'name: every5s', `job: ${join(REPO, 'runtime/schedule/fixtures/partition-job.ts')}`,
      'cron: "*/5 * * * * *"', 'catchup: all', 'concurrencyPolicy: Allow', 'maxActiveRuns: 2',
      // HDFS path names cannot hold ':', so the partition is named by the run id.
      // Each line's label is the run id as the TaskManager container reads it: getRuntimeContext().getJobParameter('run_id').
      `args: ["{{output}}", "@param:run_id", "/nonexistent/marker", "0"]`,
      `output: { path: "${cluster.namenode}${table}/ts={{run_id}}" }`, '',
    ].join('\n'));
    const c = await tsflink(['schedule', 'create', file, ...target]);
    expect(c.code, `${c.stdout}\n${c.stderr}\n${why()}`).toBe(0);
    await waitFor('2 succeeded runs', async () => (await runs()).filter((r) => r.state === 'SUCCEEDED').length >= 2, 180_000, 1000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${why()}`); });
    const before = (await runs()).filter((r) => r.state === 'SUCCEEDED');
    for (const r of before) expect(await list(`${table}/ts=${r.runId}`)).toContain('_SUCCESS');

    const pid = Number(/container_\S+_01_000001 on \S+ \(node \S+, pid (\d+)\)/.exec(amLog(sessionId))?.[1]);
    expect(pid, why()).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await waitFor('the second AM attempt', async () => (await yarn.getApplicationReport(sessionId!)).currentApplicationAttemptId?.attemptId === 2, 120_000, 500);
    await waitFor('its REST endpoint', async () => (await tsflink(['schedule', 'list', ...target])).code === 0, 180_000, 2000);
    await waitFor('a run after the restart', async () => (await runs()).filter((r) => r.state === 'SUCCEEDED').length >= before.length + 2, 180_000, 1000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${why()}`); });
    await tsflink(['schedule', 'pause', 'every5s', ...target]);
    const after = await runs();
    // The history from the first attempt is there, unchanged, and the intervals are contiguous and unique.
    for (const r of before) expect(after.find((x) => x.runId === r.runId)).toMatchObject({ state: 'SUCCEEDED', jobId: r.jobId, attempt: r.attempt });
    expect(new Set(after.map((r) => r.runId)).size).toBe(after.length);
    for (let i = 1; i < after.length; i++) expect(after[i]!.intervalStart).toBe(after[i - 1]!.intervalEnd);
    const committed = (await list(table)).filter((d) => !d.startsWith('.'));
    for (const r of after.filter((x) => x.state === 'SUCCEEDED')) {
      expect(committed).toContain(`ts=${r.runId}`);
      const got = (await readHdfsDir(`${table}/ts=${r.runId}`)).split('\n').filter(Boolean).sort();
      expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `${r.runId},${i + 1}`).sort()); // exact, once, with its own parameter
    }
    // yarn.application-attempts 2 (the default): under the high-availability storage in the staging dir.
    expect(await list(`/user/${cluster.superuser ?? 'root'}/.tsflink/${id}/ha/schedules/every5s/runs`)).toEqual(expect.arrayContaining(before.map((r) => `${r.runId}.json`)));
  }, 600_000);
});
