/**
 * `tsflink yarn-session` on the real Hadoop minicluster: a detached session, three jobs submitted
 * with `tsflink run -t yarn-session` (one unbounded, canceled with `tsflink cancel`; `tsflink list`),
 * TaskManager containers started on demand and released when idle, then `--stop`.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatApplicationId, parseApplicationId, type YarnClient, type ApplicationId } from '../../yarn-am/protocols/index.js';
import { CLI, FIXTURES, REPO, useYarnTestCluster, tsflink, readHdfsDir, webhdfs, httpGet, type ClusterInfo } from './harness.js';
import { spawnCollecting } from '../../runtime/testing/spawnCollecting.js';
import { waitFor } from '../../runtime/testing/waitFor.js';

let cluster: ClusterInfo;
let yarn: YarnClient;
let sessionId: ApplicationId | undefined;
const runId = `${Date.now()}`;

useYarnTestCluster((c, y) => { cluster = c; yarn = y; }, () => sessionId);

function amLog(appId: ApplicationId): string {
  const app = formatApplicationId(appId);
  let out = '';
  for (const nm of cluster.nodemanagers) {
    for (const logDir of nm.logDirs.split(',')) {
      const dir = join(logDir, app);
      if (!existsSync(dir)) continue;
      for (const c of readdirSync(dir).filter((d) => d.endsWith('_000001'))) {
        for (const f of ['jobmanager.out', 'jobmanager.err']) if (existsSync(join(dir, c, f))) out += readFileSync(join(dir, c, f), 'utf8');
      }
    }
  }
  return out;
}

/** Lines of the visible files of an HDFS directory. */
async function readHdfsLines(path: string): Promise<string[]> {
  return (await readHdfsDir(path)).split('\n').filter(Boolean);
}

describe('tsflink yarn-session', () => {
  it('detached session: 3 jobs via run -t yarn-session (one unbounded), list, cancel; TaskManagers on demand with log URLs, idle ones released; --stop ends it', async () => {
    const propsDir = mkdtempSync(join(tmpdir(), 'tsflink-yarn-props-'));
    const props = join(propsDir, `.yarn-properties-${userInfo().username}`);
    const common = ['-D', `yarn.properties-file.location=${propsDir}`];
    const s = await tsflink(['yarn-session', '-d', '-jm', '512', '-tm', '512', '-s', '1', '-nm', 'session-it', '-D', 'resourcemanager.taskmanager-timeout=2 s', ...common]);
    expect(s.code, `${s.stdout}\n${s.stderr}`).toBe(0);
    const url = /JobManager Web Interface: (http:\/\/\S+)/.exec(s.stdout)?.[1];
    expect(url, s.stdout).toBeDefined();
    const id = /applicationID=(\S+)/.exec(readFileSync(props, 'utf8'))?.[1];
    expect(id).toMatch(/^application_\d+_\d+$/);
    sessionId = parseApplicationId(id!);
    // where the AM's logs are: its NodeManager's containerlogs page
    expect(s.stdout).toMatch(new RegExp(`ApplicationMaster \\(JobManager\\) logs: http://\\S+/node/containerlogs/container_${id!.slice('application_'.length)}_01_000001/\\S+`));
    const report = await yarn.getApplicationReport(sessionId);
    expect(report.state).toBe('RUNNING');
    expect(report.name).toBe('session-it');
    expect(report.originalTrackingUrl).toBe(url);
    console.log(`[yarn-session-test] session RUNNING after ${/\(([\d.]+) s after submission\)/.exec(s.stdout)?.[1]} s`);
    // The AM's node is a "host" of its own: JobManager and REST there, advertised to YARN as host + rpc port (Flink's convention).
    const nmHosts = cluster.nodemanagers.map((n) => n.host);
    expect(nmHosts).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(nmHosts).toContain(report.host);
    expect(url).toBe(`http://${report.host}:${report.rpcPort}`);
    expect(amLog(sessionId)).toMatch(new RegExp(`REST listening on ${report.host.replaceAll('.', '\\.')}:${report.rpcPort}`));
    // REST on YARN always needs the token: refused from a client host (127.0.0.4) without it, answered with the
    // token from the staging directory, which only the submitting user can read.
    const staging = `/user/${cluster.superuser ?? 'root'}/.tsflink/${id}`;
    const perm = async (p: string): Promise<string> => ((await (await webhdfs(p, 'GETFILESTATUS')).json()) as { FileStatus: { permission: string } }).FileStatus.permission;
    expect([await perm(staging), await perm(`${staging}/rest-token`)]).toEqual(['700', '600']);
    const token = (await (await webhdfs(`${staging}/rest-token`, 'OPEN')).text()).trim();
    const bare = await httpGet(`${url}/overview`, { from: '127.0.0.4' });
    expect(bare.status).toBe(401);
    expect((JSON.parse(bare.text) as { errors: string[] }).errors[0]).toMatch(new RegExp(`^Unauthorized: .*Read-only access without a token: through YARN's web proxy \\(http://127\\.0\\.0\\.1:\\d+/proxy/${id}\\)`));
    expect((await httpGet(`${url}/overview`, { from: '127.0.0.4', token: 'wrong' })).status).toBe(401);
    expect((await httpGet(`${url}/overview`, { from: '127.0.0.4', token })).status).toBe(200);
    // Through the ResourceManager's web proxy (the tracking URL YARN shows): read-only requests answer without a token.
    expect(report.trackingUrl).toContain(`/proxy/${id}`);
    const proxied = await httpGet(`${cluster.resourceManagerWeb}/proxy/${id}/overview`);
    expect(proxied.status, proxied.text.slice(0, 500)).toBe(200);
    expect(JSON.parse(proxied.text)).toMatchObject({ taskmanagers: 0 });
    const taskManagers = async (): Promise<{ id: string; path: string; logUrl?: string }[]> => ((JSON.parse((await httpGet(`${url}/taskmanagers`, { token })).text)) as { taskmanagers: { id: string; path: string; logUrl?: string }[] }).taskmanagers;
    // no TaskManagers until a job needs slots
    expect(await taskManagers()).toHaveLength(0);

    // 1: an unbounded (slow) job, detached; the session from the properties file
    const base = `/tmp/tsflink-yarn-session-test/${runId}`;
    const slow = await tsflink(['run', '-t', 'yarn-session', ...common, '-d', '-p', '1', join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}${base}/slow`, '1000000000', '20']);
    expect(slow.code, `${slow.stdout}\n${slow.stderr}\n${amLog(sessionId)}`).toBe(0);
    const slowJob = /JobID ([0-9a-f]{32})/.exec(slow.stdout)?.[1];
    expect(slowJob, slow.stdout).toBeDefined();
    // 2 and 3: bounded jobs, attached; the session by -D yarn.application.id
    const byId = ['-D', `yarn.application.id=${id}`];
    const r2 = await tsflink(['run', '-t', 'yarn-session', ...byId, '-p', '2', join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}${base}/numbers`, '300', '0']);
    expect(r2.code, `${r2.stdout}\n${r2.stderr}\n${amLog(sessionId)}`).toBe(0);
    expect(new Set(await readHdfsLines(`${base}/numbers`))).toEqual(new Set(Array.from({ length: 300 }, (_, i) => `n=${i}`)));
    const r3 = await tsflink(['run', ...byId, '-p', '2', join(FIXTURES, 'keyed-count-to-files.ts'), `${cluster.namenode}${base}/keyed`, '1000', '10']);
    expect(r3.code, `${r3.stdout}\n${r3.stderr}\n${amLog(sessionId)}`).toBe(0);
    expect((await readHdfsLines(`${base}/keyed`)).sort()).toEqual(Array.from({ length: 10 }, (_, k) => `${k} 100`).sort());
    // executeAndCollect: the values come back from the session's JobManager over REST
    const r4 = await tsflink(['run', ...byId, '-p', '2', join(REPO, 'runtime', 'client', 'fixtures', 'collect-job.ts'), 'many']);
    expect(r4.code, `${r4.stdout}\n${r4.stderr}\n${amLog(sessionId)}`).toBe(0);
    expect(r4.stdout).toContain(`RESULT count=25000 distinct=25000 sum=${(25000 * 25001) / 2} negZero=true bigint=true`);

    // the running TaskManagers say where their logs are, and advertise their node's host (data plane there)
    const tms = await taskManagers();
    expect(tms.length).toBeGreaterThanOrEqual(1);
    for (const tm of tms) expect(nmHosts).toContain(/^tsflink:\/\/([^:/]+)[:/]/.exec(tm.path)?.[1]);
    for (const tm of tms) expect(tm.logUrl).toMatch(/^http:\/\/\S+\/node\/containerlogs\/container_\S+\/\S+$/);

    const list = await tsflink(['list', '-t', 'yarn-session', ...common]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${slowJob} : sequence-to-files \\(RUNNING\\)`));
    const all = await tsflink(['list', '-a', ...byId]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.match(/\(FINISHED\)/g)).toHaveLength(3);
    expect(all.stdout).toContain('keyed-count-to-files (FINISHED)');
    expect(all.stdout).toContain('collect-many (FINISHED)');

    const cancel = await tsflink(['cancel', '-t', 'yarn-session', ...common, slowJob!]);
    expect(cancel.code, `${cancel.stdout}\n${cancel.stderr}`).toBe(0);
    expect(cancel.stdout).toContain(`Cancelled job ${slowJob}.`);
    // every TaskManager goes idle and is returned to YARN after the timeout
    const end = Date.now() + 60_000;
    while ((await taskManagers()).length > 0) {
      if (Date.now() > end) throw new Error(`TaskManagers not released:\n${amLog(sessionId)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const am = amLog(sessionId);
    const launched = new Set([...am.matchAll(/Launching TaskManager in (container_\S+)/g)].map((m) => m[1]));
    expect(launched.size).toBeGreaterThanOrEqual(2);
    expect([...am.matchAll(/Releasing idle TaskManager container/g)].length).toBeGreaterThanOrEqual(1);

    const stop = await tsflink(['yarn-session', '--stop', ...common]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`Session ${id} stopped (state KILLED)`);
    expect(existsSync(props)).toBe(false);
    expect((await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${id}`, 'GETFILESTATUS')).status).toBe(404);
    sessionId = undefined;
    // the session is gone: -t yarn-session says so (exit 2), naming the state
    const gone = await tsflink(['list', '-t', 'yarn-session', ...byId]);
    expect(gone.code, gone.stderr).toBe(2);
    expect(gone.stderr).toMatch(new RegExp(`${id} is KILLED, not RUNNING`));
    const unknown = await tsflink(['cancel', '-D', 'yarn.application.id=application_1_9999', '00000000000000000000000000000000']);
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toContain('does not know the application application_1_9999');
  }, 300_000);
  it('attached session: Ctrl+C (SIGINT) of the CLI stops the session and removes the properties file', async () => {
    const propsDir = mkdtempSync(join(tmpdir(), 'tsflink-yarn-props-'));
    const props = join(propsDir, `.yarn-properties-${userInfo().username}`);
    const cli = spawnCollecting(process.execPath, [CLI, 'yarn-session', '-jm', '512', '-nm', 'attached-session-it', '-D', `yarn.properties-file.location=${propsDir}`], {
      cwd: REPO,
      env: { ...process.env, HADOOP_CONF_DIR: cluster.hadoopConfDir, HADOOP_USER_NAME: cluster.superuser ?? 'root' },
    });
    await waitFor('the session to run', () => cli.stdout().includes('press Ctrl+C'), 60_000, 250);
    const id = /applicationID=(\S+)/.exec(readFileSync(props, 'utf8'))?.[1];
    sessionId = parseApplicationId(id!);
    expect((await yarn.getApplicationReport(sessionId)).state).toBe('RUNNING');
    cli.child.kill('SIGINT');
    const code = await cli.exited;
    expect(code, `${cli.stdout()}\n${cli.stderr()}`).toBe(0);
    expect(cli.stdout()).toMatch(/Session application_\d+_\d+ ended: state KILLED/);
    const report = await yarn.getApplicationReport(sessionId);
    expect(report.state).toBe('KILLED');
    expect(report.diagnostics).toContain('stopped by tsflink yarn-session (Ctrl+C)');
    expect(existsSync(props)).toBe(false);
    expect((await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${id}`, 'GETFILESTATUS')).status).toBe(404);
    sessionId = undefined;
  }, 120_000);
});
