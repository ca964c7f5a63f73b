// Exactly-once with checkpoints on HDFS under `tsflink yarn-application` (issue 10): the keyed running
// count of runtime/entrypoint/fixtures/checkpointed-count.ts runs in the TypeScript ApplicationMaster's
// JobManager on two TaskManager containers, checkpoints to hdfs:// and writes into the exactly-once
// FileSink on hdfs://. After checkpoints completed (REST and _metadata on HDFS), one TaskManager
// container's process is killed with SIGKILL: the AM replaces the container, the job restores from
// the latest checkpoint, and the application ends FINISHED/SUCCEEDED with every record exactly once,
// counts continuing from the restored state, and no chk-* directory left.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFileSystem } from '../../hdfs/index.js';
import { waitFor } from '../../runtime/testing/waitFor.js';
import { CONTAINER_WORK_DIR } from '../../yarn-am/YarnConstants.js';
import { formatApplicationId, type ApplicationId, type ApplicationReport, type YarnClient } from '../../yarn-am/protocols/index.js';
import { REPO, setupYarnTestCluster, tsflink, webhdfs, readHdfsDir, type ClusterInfo } from '../yarn-app/harness.js';
import { completedOnHdfs, expectExactlyOnce, listHdfs } from './harness.js';

const fixture = join(REPO, 'runtime/entrypoint/fixtures/checkpointed-count.ts');
const N = 9_600; // a multiple of 16 keys
const RATE = 600; // records/s: about 16 s of input, so the kill lands mid-run
const base = `/tmp/it-yarn-checkpoints-${Date.now()}-${process.pid}`;
let cluster: ClusterInfo;
let yarn: YarnClient;
let appId: ApplicationId | undefined;

beforeAll(async () => {
  ({ cluster, yarn } = await setupYarnTestCluster());
}, 600_000);

afterAll(async () => {
  // A failed test must not leave its application running on the shared cluster.
  if (appId) {
    const r = await yarn.getApplicationReport(appId).catch(() => undefined);
    if (r && !['FINISHED', 'FAILED', 'KILLED'].includes(r.state)) await yarn.killApplication(appId, { diagnostics: 'yarn-checkpoints test cleanup' }).catch(() => undefined);
  }
  if (!process.env['TSFLINK_KEEP_TEST_DIRS'] && cluster) {
    await getFileSystem(`${cluster.namenode}${base}`, { 'fs.hdfs.hadoopconf': cluster.hadoopConfDir, 'fs.hdfs.user': cluster.superuser ?? 'root' }).delete(base, true).catch(() => false);
  }
  yarn?.close();
});

function appIdFrom(stdout: string): ApplicationId {
  const m = /application_(\d+)_(\d+)/.exec(stdout);
  if (!m) throw new Error(`no application id in:\n${stdout}`);
  return { clusterTimestamp: Number(m[1]), id: Number(m[2]) };
}

/** The ApplicationMaster's (JobManager's) stdout/stderr from the NodeManagers' log dirs. */
function amLog(id: ApplicationId): string {
  let out = '';
  for (const nm of cluster.nodemanagers) {
    for (const logDir of nm.logDirs.split(',')) {
      const dir = join(logDir, formatApplicationId(id));
      if (!existsSync(dir)) continue;
      for (const c of readdirSync(dir).filter((d) => d.endsWith('_000001'))) {
        for (const f of readdirSync(join(dir, c)).filter((x) => /^jobmanager\.(out|err)$/.test(x))) out += `--- ${c}/${f}\n${readFileSync(join(dir, c, f), 'utf8')}\n`;
      }
    }
  }
  return out;
}

/** pids of the application's TaskManager processes (work dirs <container>/tsflink/taskmanager/<pid>), by container. */
function taskManagerPids(id: ApplicationId): Map<string, number> {
  const out = new Map<string, number>();
  for (const nm of cluster.nodemanagers) {
    for (const local of nm.localDirs.split(',')) {
      const appDir = join(local, 'usercache', cluster.superuser ?? 'root', 'appcache', formatApplicationId(id));
      if (!existsSync(appDir)) continue;
      for (const c of readdirSync(appDir).filter((d) => d.startsWith('container_'))) {
        const tmDir = join(appDir, c, CONTAINER_WORK_DIR, 'taskmanager');
        if (!existsSync(tmDir)) continue;
        for (const pid of readdirSync(tmDir)) out.set(c, Number(pid));
      }
    }
  }
  return out;
}

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** The app turns FINISHED at unregistration; the AM process may still be cleaning up. */
async function waitForAttemptEnd(report: ApplicationReport): Promise<void> {
  if (!report.currentApplicationAttemptId) return;
  for (let i = 0; i < 150; i++) {
    const a = await yarn.getApplicationAttemptReport(report.currentApplicationAttemptId);
    if (a.state !== 'FINISHING') return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The id of the application's RUNNING job, from its JobManager's REST API. */
function runningJob(url: string, id: ApplicationId): Promise<string> {
  return waitFor('a RUNNING job', async () => {
    const o = (await (await fetch(`${url}/jobs/overview`)).json()) as { jobs: { jid: string; state: string }[] };
    return o.jobs.find((j) => j.state === 'RUNNING')?.jid;
  }, 120_000, 250).catch((e: Error) => { throw new Error(`${e.message}\n${amLog(id).slice(-6000)}`); });
}

/** The pid of the first AM attempt's process, from the line it logs at start. */
function firstAttemptAmPid(id: ApplicationId): number {
  return Number(/container_\S+_01_000001 on \S+ \(node \S+, pid (\d+)\)/.exec(amLog(id))?.[1]);
}

interface CheckpointStats { counts: { completed: number; restored: number } }

describe('exactly-once with checkpoints on HDFS under yarn-application (kill -9 of a TaskManager container)', () => {
  // On the leveldb backend with incremental checkpoints (classic-level from the runtime archive, LevelDB in the
  // containers' local dirs, chain parts in <job>/shared/ on HDFS): the done-when case of the state-backend issue.
  it('a keyed count in LevelDB (incremental checkpoints) into the FileSink on hdfs:// survives a killed TaskManager container: FINISHED/SUCCEEDED, every record exactly once, no chk-* or shared file left', async () => {
    const t0 = Date.now();
    const nn = cluster.namenode;
    const out = `${base}/out`;
    const chk = `${base}/checkpoints`;
    const r = await tsflink([
      'yarn-application', '-d', '-p', '2', '-s', '1', '-jm', '512', '-tm', '512', '-nm', `yarn-checkpoints-it-${process.pid}`,
      '-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=10', '-D', 'restart-strategy.fixed-delay.delay=500 ms',
      '-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s',
      '-D', 'state.backend.type=leveldb', '-D', 'execution.checkpointing.incremental=true',
      fixture, `${nn}${out}`, String(N), String(RATE), `${nn}${chk}`, '300',
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    appId = appIdFrom(r.stdout);
    const id = appId;
    const why = (): string => amLog(id).slice(-8000);
    const url = (await yarn.getApplicationReport(id)).originalTrackingUrl;
    const jobId = await runningJob(url, id);
    const jobDir = `${chk}/${jobId}`;

    // Checkpoints completed (the JobManager's statistics) and on HDFS with their _metadata.
    await waitFor('two completed checkpoints', async () => {
      const res = await fetch(`${url}/jobs/${jobId}/checkpoints`);
      return res.ok && ((await res.json()) as CheckpointStats).counts.completed >= 2;
    }, 60_000, 200).catch((e: Error) => { throw new Error(`${e.message}\n${why()}`); });
    const onHdfs = await waitFor('a completed checkpoint on HDFS', async () => { const c = await completedOnHdfs(jobDir); return c.length ? c : undefined; }, 20_000, 100);
    // Incremental: once a task knows a confirmed chain, its checkpoints upload deltas, smaller than the state they stand for.
    type History = Array<{ status: string; state_size: number; checkpointed_size: number }>;
    let history: History = [];
    await waitFor('a completed checkpoint smaller than its state (a delta)', async () => {
      history = ((await (await fetch(`${url}/jobs/${jobId}/checkpoints`)).json()) as { history: History }).history;
      return history.some((h) => h.status === 'COMPLETED' && h.checkpointed_size < h.state_size);
    }, 30_000, 200).catch((e: Error) => { throw new Error(`${e.message}\n${JSON.stringify(history)}`); });
    // Barriers carry the latest completion, so no task extends a chain whose files were discarded.
    expect(history.filter((h) => h.status === 'FAILED'), 'failed checkpoints').toEqual([]);
    expect(((await listHdfs(`${jobDir}/shared`)) ?? []).length).toBeGreaterThan(0);

    const pids = await waitFor('two TaskManager processes', () => { const m = taskManagerPids(id); return m.size >= 2 ? m : undefined; }, 60_000, 250);
    const [victim, pid] = [...pids.entries()].find(([, p]) => alive(p))!;
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();

    const report = await yarn.waitForApplication(id, { timeoutMs: 120_000 });
    await waitForAttemptEnd(report);
    const am = amLog(id);
    expect([report.state, report.finalStatus], `${report.diagnostics}\n${am.slice(-8000)}`).toEqual(['FINISHED', 'SUCCEEDED']);
    // The job was still running when the TaskManager died, and recovered from a checkpoint.
    expect(am).toMatch(new RegExp(`TaskManager container failed: ${victim} exited with`));
    const restores = [...am.matchAll(new RegExp(`Restoring job ${jobId} from Checkpoint (\\d+)`, 'g'))].map((m) => Number(m[1]));
    expect(restores.length, am.slice(-8000)).toBeGreaterThanOrEqual(1);
    expect(Math.min(...restores)).toBeGreaterThanOrEqual(Math.min(...onHdfs));
    const launched = new Set([...am.matchAll(/Launching TaskManager in (container_\S+)/g)].map((m) => m[1]));
    expect(launched.size, am.slice(-8000)).toBeGreaterThanOrEqual(3);

    // Every record exactly once in the committed output; nothing in progress.
    const listing = (await listHdfs(out)) ?? [];
    expect(listing.map((s) => s.pathSuffix).filter((n) => n.startsWith('.') || n.includes('inprogress')), 'in-progress files after FINISHED').toEqual([]);
    expectExactlyOnce((await readHdfsDir(out)).split('\n').filter(Boolean), N);

    // Checkpoints cleaned up after FINISHED; the staging directory is gone.
    const left = (await listHdfs(jobDir))?.filter((s) => s.pathSuffix.startsWith('chk-')).map((s) => s.pathSuffix) ?? [];
    const contents = await Promise.all(left.map(async (d) => `${d}: [${((await listHdfs(`${jobDir}/${d}`)) ?? []).map((f) => f.pathSuffix).join(', ')}]`));
    expect(left, `chk dirs left in ${jobDir}: ${contents.join('; ')}\n${am.slice(-3000)}`).toEqual([]);
    expect(((await listHdfs(`${jobDir}/shared`)) ?? []).map((f) => f.pathSuffix), 'incremental chain parts left after FINISHED').toEqual([]);
    expect((await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${formatApplicationId(id)}`, 'GETFILESTATUS')).status).toBe(404);
    console.log(`[yarn-checkpoints] ${((Date.now() - t0) / 1000).toFixed(1)} s (${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill); killed ${victim}; restored from ${restores.join(', ')}; on HDFS before the kill: ${onHdfs.join(',')}`);
  }, 180_000);
});

describe('JobManager recovery on YARN (kill -9 of the ApplicationMaster)', () => {
  it('the second AM attempt resumes the job from its latest checkpoint on HDFS: SUCCEEDED, every record exactly once, checkpoint ids continue', async () => {
    const nn = cluster.namenode;
    const out = `${base}/am-out`;
    const chk = `${base}/am-checkpoints`;
    // yarn.application-attempts defaults to 2: high availability under the staging directory.
    const r = await tsflink([
      'yarn-application', '-d', '-p', '2', '-s', '1', '-jm', '512', '-tm', '512', '-nm', `yarn-am-recovery-it-${process.pid}`,
      '-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s',
      fixture, `${nn}${out}`, String(N), String(RATE), `${nn}${chk}`, '300',
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const id = appIdFrom(r.stdout);
    appId = id;
    const why = (): string => amLog(id).slice(-8000);
    const url = (await yarn.getApplicationReport(id)).originalTrackingUrl;
    const jobId = await runningJob(url, id);
    const onHdfs = await waitFor('two completed checkpoints on HDFS', async () => { const c = await completedOnHdfs(`${chk}/${jobId}`); return c.length >= 1 && (await (await fetch(`${url}/jobs/${jobId}/checkpoints`)).json() as CheckpointStats).counts.completed >= 2 ? c : undefined; }, 60_000, 200)
      .catch((e: Error) => { throw new Error(`${e.message}\n${why()}`); });
    const pid = firstAttemptAmPid(id);
    expect(pid, why()).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');

    const report = await yarn.waitForApplication(id, { timeoutMs: 180_000 });
    await waitForAttemptEnd(report);
    const am = amLog(id);
    expect([report.state, report.finalStatus], `${report.diagnostics}\n${am.slice(-8000)}`).toEqual(['FINISHED', 'SUCCEEDED']);
    expect(report.currentApplicationAttemptId?.attemptId).toBe(2);
    // The second attempt's main submitted the same job id, which found its checkpoints on HDFS.
    const m = new RegExp(`Recovered \\d+ checkpoint\\(s\\) of job ${jobId}; restoring from Checkpoint (\\d+)`).exec(am);
    expect(m, am.slice(-8000)).not.toBeNull();
    const restored = Number(m![1]);
    expect(restored).toBeGreaterThanOrEqual(Math.max(...onHdfs));
    const after = [...am.matchAll(new RegExp(`Completed checkpoint (\\d+) for job ${jobId}`, 'g'))].map((x) => Number(x[1])).filter((x) => x > restored);
    expect(after.length, am.slice(-4000)).toBeGreaterThan(0);

    expectExactlyOnce((await readHdfsDir(out)).split('\n').filter(Boolean), N);
    const left = (await listHdfs(`${chk}/${jobId}`))?.filter((s) => s.pathSuffix.startsWith('chk-')).map((s) => s.pathSuffix) ?? [];
    expect(left).toEqual([]);
    expect((await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${formatApplicationId(id)}`, 'GETFILESTATUS')).status).toBe(404);
  }, 300_000);
});

describe('savepoints on HDFS through yarn-application', () => {
  it('tsflink stop -t yarn-application writes the savepoint to hdfs://; a new yarn-application at another parallelism resumes it: every record exactly once', async () => {
    const nn = cluster.namenode;
    const out = `${base}/sp-out`;
    const chk = `${base}/sp-checkpoints`;
    const sp = `${nn}${base}/savepoints`;
    const r = await tsflink([
      'yarn-application', '-d', '-p', '2', '-s', '1', '-jm', '512', '-tm', '512', '-nm', `yarn-savepoint-it-${process.pid}`,
      fixture, `${nn}${out}`, String(N), String(RATE), `${nn}${chk}`, '1000',
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const id = appIdFrom(r.stdout);
    appId = id;
    const url = (await yarn.getApplicationReport(id)).originalTrackingUrl;
    const jobId = await runningJob(url, id);
    await new Promise((res) => setTimeout(res, 3000));
    const stop = await tsflink(['stop', '-t', 'yarn-application', '-D', `yarn.application.id=${formatApplicationId(id)}`, '-p', sp, jobId]);
    expect(stop.code, `${stop.stdout}\n${stop.stderr}\n${amLog(id).slice(-6000)}`).toBe(0);
    const path = /Savepoint completed\. Path: (\S+)/.exec(stop.stdout)![1]!;
    expect(path).toMatch(new RegExp(`^${sp}/savepoint-${jobId.slice(0, 6)}-[0-9a-f]{12}$`));
    const report = await yarn.waitForApplication(id, { timeoutMs: 120_000 });
    await waitForAttemptEnd(report);
    expect([report.state, report.finalStatus], report.diagnostics).toEqual(['FINISHED', 'SUCCEEDED']);
    expect((await listHdfs(path.slice(nn.length)))?.some((f) => f.pathSuffix === '_metadata')).toBe(true);

    const resumed = await tsflink([
      'run', '-t', 'yarn-application', '-p', '1', '-s', path, '-D', 'taskmanager.numberOfTaskSlots=1', '-D', 'jobmanager.memory.process.size=512m', '-D', 'taskmanager.memory.process.size=512m',
      fixture, `${nn}${out}`, String(N), '0', `${nn}${chk}`, '1000',
    ]);
    appId = appIdFrom(resumed.stdout);
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}\n${amLog(appId).slice(-6000)}`).toBe(0);
    expect(amLog(appId)).toMatch(/Starting job [0-9a-f]{32} from savepoint \d+/);
    expectExactlyOnce((await readHdfsDir(out)).split('\n').filter(Boolean), N);
  }, 300_000);
});

describe('JobManager recovery of a yarn-session (kill -9 of the session\'s ApplicationMaster)', () => {
  it('the second attempt recovers the session\'s job from the high-availability store on HDFS and its latest checkpoint: every record exactly once', async () => {
    const nn = cluster.namenode;
    const out = `${base}/session-out`;
    const chk = `${base}/session-checkpoints`;
    const s = await tsflink(['yarn-session', '-d', '-jm', '512', '-tm', '512', '-s', '1', '-nm', `ha-session-it-${process.pid}`,
      '-D', `yarn.properties-file.location=${mkdtempSync(join(tmpdir(), 'tsflink-ha-session-'))}`, '-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s']);
    expect(s.code, `${s.stdout}\n${s.stderr}`).toBe(0);
    const id = appIdFrom(s.stdout);
    appId = id;
    const target = ['-t', 'yarn-session', '-D', `yarn.application.id=${formatApplicationId(id)}`];
    const run = await tsflink(['run', ...target, '-d', '-p', '2', fixture, `${nn}${out}`, String(N), String(RATE), `${nn}${chk}`, '300']);
    expect(run.code, `${run.stdout}\n${run.stderr}\n${amLog(id).slice(-6000)}`).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    const url1 = (await yarn.getApplicationReport(id)).originalTrackingUrl;
    await waitFor('two completed checkpoints', async () => {
      const res = await fetch(`${url1}/jobs/${jobId}/checkpoints`);
      return res.ok && ((await res.json()) as CheckpointStats).counts.completed >= 2;
    }, 90_000, 200).catch((e: Error) => { throw new Error(`${e.message}\n${amLog(id).slice(-8000)}`); });
    const pid = firstAttemptAmPid(id);
    process.kill(pid, 'SIGKILL');

    // Attempt 2: a new REST address; the job shows up there again and finishes.
    await waitFor('the recovered job FINISHED under attempt 2', async () => {
      const r = await yarn.getApplicationReport(id);
      if (r.currentApplicationAttemptId?.attemptId !== 2 || r.state !== 'RUNNING' || !r.originalTrackingUrl || r.originalTrackingUrl === url1) return undefined;
      const res = await fetch(`${r.originalTrackingUrl}/jobs/${jobId}`).catch(() => undefined);
      return res?.ok && ((await res.json()) as { state: string }).state === 'FINISHED';
    }, 180_000, 500).catch((e: Error) => { throw new Error(`${e.message}\n${amLog(id).slice(-8000)}`); });
    const am = amLog(id);
    expect(am).toMatch(new RegExp(`Recovering job .* \\(${jobId}\\) submitted to a previous JobManager`));
    expect(am).toMatch(new RegExp(`Recovered \\d+ checkpoint\\(s\\) of job ${jobId}; restoring from Checkpoint \\d+`));
    expectExactlyOnce((await readHdfsDir(out)).split('\n').filter(Boolean), N);
    await yarn.killApplication(id, { diagnostics: 'ha-session test done' });
  }, 360_000);
});
