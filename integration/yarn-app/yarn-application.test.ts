/**
 * `tsflink yarn-application` end to end on the real Hadoop minicluster (integration/hadoop):
 * the CLI uploads to HDFS and submits; the TypeScript ApplicationMaster runs the JobManager and
 * the job's main(), starts TaskManager containers through the NodeManagers, and unregisters.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_WORK_DIR } from '../../yarn-am/YarnConstants.js';
import { runtimeArchive } from '../../yarn-am/RuntimeArchive.js';
import { waitFor as waitUntil } from '../../runtime/testing/waitFor.js';
import { formatApplicationId, type YarnClient, type ApplicationId, type ApplicationReport } from '../../yarn-am/protocols/index.js';
import { FIXTURES, REPO, CLI, setupYarnTestCluster, tsflink, webhdfs, readHdfsDir, type ClusterInfo } from './harness.js';

let cluster: ClusterInfo;
let yarn: YarnClient;
const runId = `${Date.now()}`;

beforeAll(async () => {
  ({ cluster, yarn } = await setupYarnTestCluster());
}, 600_000);

afterAll(() => yarn?.close());

function appIdFrom(stdout: string): ApplicationId {
  const m = /application_(\d+)_(\d+)/.exec(stdout);
  if (!m) throw new Error(`no application id in:\n${stdout}`);
  return { clusterTimestamp: Number(m[1]), id: Number(m[2]) };
}

/** Container logs of the application, all NMs: `<containerId>/<file>` → text. */
function containerLogs(appId: ApplicationId): Map<string, string> {
  const app = formatApplicationId(appId);
  const out = new Map<string, string>();
  for (const nm of cluster.nodemanagers) {
    for (const logDir of nm.logDirs.split(',')) {
      const dir = join(logDir, app);
      if (!existsSync(dir)) continue;
      for (const c of readdirSync(dir)) {
        for (const f of readdirSync(join(dir, c))) {
          if (/\.(out|err)$/.test(f)) out.set(`${c}/${f}`, readFileSync(join(dir, c, f), 'utf8'));
        }
      }
    }
  }
  return out;
}

/** launch_container.sh of every container of the application (the NM copies it to the log dir). */
function launchScripts(appId: ApplicationId): Map<string, string> {
  const out = new Map<string, string>();
  for (const nm of cluster.nodemanagers) {
    for (const logDir of nm.logDirs.split(',')) {
      const dir = join(logDir, formatApplicationId(appId));
      if (!existsSync(dir)) continue;
      for (const c of readdirSync(dir)) if (existsSync(join(dir, c, 'launch_container.sh'))) out.set(c, readFileSync(join(dir, c, 'launch_container.sh'), 'utf8'));
    }
  }
  return out;
}

function amLog(appId: ApplicationId): string {
  const logs = containerLogs(appId);
  return [...logs.entries()].filter(([k]) => /_000001\/jobmanager\.(out|err)$/.test(k)).map(([k, v]) => `--- ${k}\n${v}`).join('\n');
}


/** pids of the TaskManager processes of an application (work dirs <container>/tsflink/taskmanager/<pid>). */
function taskManagerPids(appId: ApplicationId, localDirsOf: (nm: ClusterInfo['nodemanagers'][number]) => string[]): Map<string, number> {
  const app = formatApplicationId(appId);
  const out = new Map<string, number>();
  for (const nm of cluster.nodemanagers) {
    for (const local of localDirsOf(nm)) {
      const appDir = join(local, 'usercache', cluster.superuser ?? 'root', 'appcache', app);
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

/** The runtime is a PUBLIC resource shared by all containers of a node: nobody writes into it. */
async function expectRuntimeCacheUntouched(): Promise<void> {
  const { name } = await runtimeArchive();
  let seen = 0;
  for (const nm of cluster.nodemanagers) {
    for (const local of nm.localDirs.split(',')) {
      const cache = join(local, 'filecache');
      if (!existsSync(cache)) continue;
      for (const n of readdirSync(cache)) {
        if (!existsSync(join(cache, n, name))) continue;
        seen++;
        expect(readdirSync(join(cache, n, name)).sort(), join(cache, n, name)).toEqual(['conf', 'dist', 'node_modules', 'package.json', 'yarn-am']);
      }
    }
  }
  expect(seen, `the runtime ${name} localized by the NodeManagers`).toBeGreaterThan(0);
}

/** YARN steps take seconds: poll every 250 ms for up to 2 minutes. */
const waitFor = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> => waitUntil(what, probe, 120_000, 250);

/** The app turns FINISHED at unregistration; the AM process may still be cleaning up (staging dir). */
async function waitForAttemptEnd(report: ApplicationReport): Promise<void> {
  if (!report.currentApplicationAttemptId) return;
  for (let i = 0; i < 150; i++) {
    const a = await yarn.getApplicationAttemptReport(report.currentApplicationAttemptId);
    if (a.state !== 'FINISHING') return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('tsflink yarn-application', () => {
  it('runs a chained job at parallelism 2 on two TaskManager containers: output on HDFS, FINISHED/SUCCEEDED, staging dir deleted', async () => {
    const out = `/tmp/tsflink-yarn-app-test/${runId}/numbers`;
    const r = await tsflink(['yarn-application', '-p', '2', '-s', '1', '-jm', '512', '-tm', '512m', '-nm', 'yarn-app-it', '-D', 'yarn.tags=tsflink-it', join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}${out}`, '400', '0']);
    const appId = appIdFrom(r.stdout);
    const why = `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}\n${amLog(appId)}`;
    expect(r.code, why).toBe(0);
    expect(r.stdout).toMatch(/JobManager Web Interface: http:\/\/[^\s:]+:\d+/);
    expect(r.stdout).toMatch(/finished: state FINISHED, final status SUCCEEDED/);
    const report = await yarn.getApplicationReport(appId);
    expect(report.state).toBe('FINISHED');
    expect(report.finalStatus).toBe('SUCCEEDED');
    expect(report.applicationType).toBe('tsflink');
    expect(report.name).toBe('yarn-app-it');
    expect(report.applicationTags).toContain('tsflink-it');
    await waitForAttemptEnd(report);
    // every record exactly once
    const lines = (await readHdfsDir(out)).split('\n').filter(Boolean);
    expect(lines.length).toBe(400);
    expect(new Set(lines)).toEqual(new Set(Array.from({ length: 400 }, (_, i) => `n=${i}`)));
    // the staging directory is gone
    const staging = await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${formatApplicationId(appId)}`, 'GETFILESTATUS');
    expect(staging.status, why).toBe(404);
    // two TaskManager containers registered with the JobManager in the AM
    const am = amLog(appId);
    const registered = [...am.matchAll(/Registered TaskManager (container_\S+)/g)].map((m) => m[1]);
    expect(new Set(registered).size, am).toBe(2);
    expect(am).toContain('Unregistered from YARN with SUCCEEDED');
    // the cluster secret travels in the container credentials, never in a launch script (copied to the log dir)
    for (const nm of cluster.nodemanagers) {
      const dir = join(nm.logDirs.split(',')[0]!, formatApplicationId(appId));
      if (!existsSync(dir)) continue;
      for (const c of readdirSync(dir)) {
        const script = join(dir, c, 'launch_container.sh');
        if (existsSync(script)) expect(readFileSync(script, 'utf8')).not.toMatch(/CLUSTER_SECRET|security\.cluster\.secret/);
      }
    }
    console.log(`[yarn-app-test] success run: ${r.seconds.toFixed(1)} s end to end; ${/\(([\d.]+) s after submission\)/.exec(r.stdout)?.[1]} s to ${/is (\w+) \(/.exec(r.stdout)?.[1]}`);
  }, 240_000);

  it('tsflink run -t yarn-application deploys the job like yarn-application', async () => {
    const out = `/tmp/tsflink-yarn-app-test/${runId}/run-t`;
    const r = await tsflink(['run', '-t', 'yarn-application', '-p', '2', '-D', 'taskmanager.numberOfTaskSlots=1', '-D', 'jobmanager.memory.process.size=512m',
      '-D', 'taskmanager.memory.process.size=512m', '-D', 'yarn.application.name=run-t-it', join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}${out}`, '50', '0']);
    const appId = appIdFrom(r.stdout);
    expect(r.code, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}\n${amLog(appId)}`).toBe(0);
    expect(r.stdout).toMatch(/finished: state FINISHED, final status SUCCEEDED/);
    expect((await yarn.getApplicationReport(appId)).name).toBe('run-t-it');
    const lines = (await readHdfsDir(out)).split('\n').filter(Boolean);
    expect(new Set(lines)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `n=${i}`)));
  });

  it('examples/wordcount.ts at parallelism 4: hdfs:// input uploaded through the hdfs/ FileSystem, a keyed shuffle across TaskManager containers on both NodeManagers (4 requested; TCP), output on HDFS', async () => {
    const base = `${cluster.namenode}/tmp/tsflink-yarn-app-test/${runId}/wordcount`;
    // 3000 lines over 40 words: word k appears in lines where i % (k + 1) === 0, plus 'every' on each line
    const words = Array.from({ length: 40 }, (_, k) => `w${k}`);
    const expected = new Map<string, number>([['every', 0]]);
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const ws = ['every', ...words.filter((_, k) => i % (k + 1) === 0)];
      for (const w of ws) expected.set(w, (expected.get(w) ?? 0) + 1);
      lines.push(ws.join(i % 2 ? ' ' : ', '));
    }
    const { getFileSystem } = await import('../../hdfs/index.js');
    const hdfsConf = { 'fs.hdfs.hadoopconf': cluster.hadoopConfDir, 'fs.hdfs.user': cluster.superuser ?? 'root' };
    await getFileSystem(base, hdfsConf).writeFile(`${base}/input.txt`, `${lines.join('\n')}\n`, { overwrite: true });
    const r = await tsflink(['yarn-application', '-p', '4', '-s', '1', '-jm', '512', '-tm', '512', join(REPO, 'examples', 'wordcount.ts'), `${base}/input.txt`, '--output', `${base}/out`]);
    const appId = appIdFrom(r.stdout);
    const am = amLog(appId);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${am}`).toBe(0);
    expect(r.stdout).toMatch(/finished: state FINISHED, final status SUCCEEDED/);
    const report = await yarn.getApplicationReport(appId);
    expect([report.state, report.finalStatus]).toEqual(['FINISHED', 'SUCCEEDED']);
    // 4 TaskManager containers launched; where they ran. BATCH deploys each region as soon as a slot is there
    // (region scheduling, as Flink), so the job may finish before the last container registers.
    const launched = [...am.matchAll(/Launching TaskManager in (container_\S+) on (\S+) /g)];
    expect(launched, am).toHaveLength(4);
    const ranOn = new Set([...am.matchAll(/Deploying .* to (container_\S+) @/g)].map((m) => m[1]));
    expect(ranOn.size, am).toBeGreaterThanOrEqual(1);
    for (const c of ranOn) expect(launched.map((m) => m[1]), am).toContain(c);
    const perNode = Object.fromEntries([...new Set(launched.map((m) => m[2]))].map((n) => [n, launched.filter((m) => m[2] === n).length]));
    console.log(`[yarn-app-test] wordcount p4: ${r.seconds.toFixed(1)} s; TaskManagers per NodeManager: ${JSON.stringify(perNode)}`);
    // across both NodeManagers: the shuffle crosses NodeManagers, not just containers
    expect(Object.keys(perNode).sort(), am).toEqual(cluster.nodemanagers.map((n) => n.nodeId).sort());
    const out = (await readHdfsDir(`${new URL(base).pathname}/out`)).split('\n').filter(Boolean);
    expect(new Map(out.map((l) => { const [w, c] = l.split('\t'); return [w!, Number(c)] as const; }))).toEqual(expected);
    expect(out).toHaveLength(expected.size);
    await waitForAttemptEnd(report);
    expect((await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${formatApplicationId(appId)}`, 'GETFILESTATUS')).status).toBe(404);
    await expectRuntimeCacheUntouched();
  }, 180_000);

  it('examples/parquet-etl.ts: JSON Lines orders on HDFS → revenue per customer and day as Parquet on HDFS, rejects beside it', async () => {
    const base = `${cluster.namenode}/tmp/tsflink-yarn-app-test/${runId}/etl`;
    const expected = new Map<string, { orders: number; revenue: number }>();
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const o = { id: i, customer: `c-${i % 5}`, amount: (i % 40) + 0.5, ts: `2026-11-2${i % 4}T08:00:00Z` };
      lines.push(JSON.stringify(o));
      const k = `${o.customer}|${o.ts.slice(0, 10)}`;
      const e = expected.get(k) ?? { orders: 0, revenue: 0 };
      expected.set(k, { orders: e.orders + 1, revenue: e.revenue + o.amount });
    }
    lines.push('{"id":9999,"customer":"c-1","amount":"lots","ts":"2026-11-20T08:00:00Z"}');
    const { getFileSystem } = await import('../../hdfs/index.js');
    const hfs = getFileSystem(base, { 'fs.hdfs.hadoopconf': cluster.hadoopConfDir, 'fs.hdfs.user': cluster.superuser ?? 'root' });
    await hfs.writeFile(`${base}/orders/part-0.jsonl`, `${lines.slice(0, 2000).join('\n')}\n`, { overwrite: true });
    await hfs.writeFile(`${base}/orders/part-1.jsonl`, `${lines.slice(2000).join('\n')}\n`, { overwrite: true });
    const r = await tsflink(['yarn-application', '-p', '2', '-s', '1', '-jm', '512', '-tm', '512', join(REPO, 'examples', 'parquet-etl.ts'), `${base}/orders`, '--output', `${base}/revenue`, '--rejects', `${base}/rejects`]);
    const appId = appIdFrom(r.stdout);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${amLog(appId)}`).toBe(0);
    const parquet = createRequire(import.meta.url)('parquetjs-lite') as {
      ParquetReader: { openFile(path: string): Promise<{ getCursor(): { next(): Promise<Record<string, unknown> | null> }; close(): Promise<void> }> };
    };
    const local = mkdtempSync(join(tmpdir(), 'tsflink-etl-'));
    const got = new Map<string, { orders: number; revenue: number }>();
    for (const st of (await hfs.listStatus(`${base}/revenue`)).filter((f) => !f.isDirectory && !f.path.split('/').pop()!.startsWith('.'))) {
      const file = join(local, st.path.split('/').pop()!);
      writeFileSync(file, await hfs.readFile(st.path));
      const reader = await parquet.ParquetReader.openFile(file);
      const cursor = reader.getCursor();
      for (let row = await cursor.next(); row; row = await cursor.next()) got.set(`${row['customer'] as string}|${row['day'] as string}`, { orders: Number(row['orders']), revenue: row['revenue'] as number });
      await reader.close();
    }
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, e] of expected) {
      expect(got.get(k)!.orders, k).toBe(e.orders);
      expect(got.get(k)!.revenue, k).toBeCloseTo(e.revenue, 6);
    }
    expect((await readHdfsDir(`${new URL(base).pathname}/rejects`)).trim()).toContain('amount is not a non-negative number');
  }, 180_000);

  it("yarn.ship-node: the AM and the TaskManagers run the shipped Node (an ARCHIVE resource); containerized.*.env.* reach their environments", async () => {
    // A stand-in "Node distribution": bin/node announces itself and execs the real node.
    const dist = mkdtempSync(join(tmpdir(), 'tsflink-fake-node-'));
    mkdirSync(join(dist, 'bin'));
    writeFileSync(join(dist, 'bin', 'node'), `#!/bin/sh\necho "shipped-node-wrapper $$" >&2\nexec ${process.execPath} "$@"\n`, { mode: 0o755 });
    const out = `/tmp/tsflink-yarn-app-test/${runId}/ship-node`;
    const r = await tsflink([
      'yarn-application', '-p', '1', '-jm', '512', '-tm', '512', '-D', `yarn.ship-node=${dist}`,
      '-D', 'containerized.master.env.TSFLINK_IT_MASTER=m-1', '-D', 'containerized.taskmanager.env.TSFLINK_IT_TM=t-1',
      join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}${out}`, '50', '0',
    ]);
    const appId = appIdFrom(r.stdout);
    const logs = containerLogs(appId);
    const all = [...logs.entries()].map(([k, v]) => `--- ${k}\n${v}`).join('\n');
    expect(r.code, `${r.stdout}\n${r.stderr}\n${all}`).toBe(0);
    expect([...logs.entries()].find(([k]) => /_000001\/jobmanager\.err$/.test(k))?.[1]).toContain('shipped-node-wrapper');
    expect([...logs.entries()].find(([k]) => /taskmanager\.err$/.test(k))?.[1]).toContain('shipped-node-wrapper');
    expect((await readHdfsDir(out)).split('\n').filter(Boolean)).toHaveLength(50);
    // containerized.{master,taskmanager}.env.* reach the containers' environments (launch scripts are copied to the log dirs)
    const scripts = launchScripts(appId);
    const am = [...scripts.entries()].find(([c]) => c.endsWith('_000001'))![1];
    const tms = [...scripts.entries()].filter(([c]) => !c.endsWith('_000001')).map(([, v]) => v);
    expect(am).toContain('export TSFLINK_IT_MASTER="m-1"');
    expect(am).not.toContain('TSFLINK_IT_TM');
    expect(tms.length).toBeGreaterThan(0);
    for (const tm of tms) {
      expect(tm).toContain('export TSFLINK_IT_TM="t-1"');
      expect(tm).not.toContain('TSFLINK_IT_MASTER');
    }
  }, 180_000);

  it('yarn.ship-node pointing at nothing → exit 2', async () => {
    const r = await tsflink(['yarn-application', '-D', 'yarn.ship-node=/no/such/node-dist', join(FIXTURES, 'throwing-main.ts')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('yarn.ship-node: /no/such/node-dist does not exist');
  }, 60_000);

  it('yarn.ship-files: a file and a directory reach the AM (main) and the TaskManagers (operators)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-ship-'));
    writeFileSync(join(dir, 'lookup.txt'), 'from-lookup\n');
    mkdirSync(join(dir, 'dict'));
    writeFileSync(join(dir, 'dict', 'words.txt'), 'from-dict\n');
    const out = `/tmp/tsflink-yarn-app-test/${runId}/ship-files`;
    const r = await tsflink(['yarn-application', '-jm', '512', '-tm', '512', '-D', `yarn.ship-files=${join(dir, 'lookup.txt')};${join(dir, 'dict')}`, join(FIXTURES, 'ship-files-job.ts'), `${cluster.namenode}${out}`]);
    const appId = appIdFrom(r.stdout);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${amLog(appId)}`).toBe(0);
    expect((await readHdfsDir(out)).split('\n').filter(Boolean).sort()).toEqual(['from-lookup:0:from-dict', 'from-lookup:1:from-dict', 'from-lookup:2:from-dict']);
  }, 180_000);

  it('TaskManagers that cannot start (crash loop) → the AM gives up after 10 failed containers: FAILED with the exit status', async () => {
    const r = await tsflink(['yarn-application', '-jm', '512', '-tm', '256', '-D', 'containerized.taskmanager.env.NODE_OPTIONS=--no-such-node-option', join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}/tmp/tsflink-yarn-app-test/${runId}/crash-loop`, '10', '0']);
    const appId = appIdFrom(r.stdout);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${amLog(appId)}`).toBe(1);
    const report = await yarn.getApplicationReport(appId);
    expect(report.finalStatus).toBe('FAILED');
    expect(report.diagnostics).toMatch(/11 TaskManager containers failed \(more than 10\); last: container_\S+ exited with \d+/);
    expect(r.stderr).toContain('TaskManager containers failed');
    // where the failed TaskManager's logs are
    expect(report.diagnostics).toMatch(/last: (container_\S+) exited with [\s\S]*\(logs: http:\/\/\S+\/node\/containerlogs\/container_\S+\/\S+\)/);
  }, 180_000);

  it('-d returns once the application runs; a TaskManager container killed mid-job is replaced and the job (restarted) succeeds', async () => {
    const out = `/tmp/tsflink-yarn-app-test/${runId}/failover`;
    const r = await tsflink([
      'yarn-application', '-d', '-p', '2', '-jm', '512', '-tm', '512',
      '-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=3', '-D', 'restart-strategy.fixed-delay.delay=1 s',
      join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}${out}`, '600', '40',
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/is RUNNING/);
    expect(r.stdout).toMatch(/Detached/);
    const appId = appIdFrom(r.stdout);
    expect((await yarn.getApplicationReport(appId)).state).toBe('RUNNING');
    // both TaskManagers registered and running tasks, then one of them dies
    await waitFor('two TaskManagers', () => ([...amLog(appId).matchAll(/Registered TaskManager (container_\S+)/g)].length >= 2 ? true : undefined));
    const pids = await waitFor('TaskManager pids', () => {
      const m = taskManagerPids(appId, (nm) => nm.localDirs.split(','));
      return m.size >= 2 ? m : undefined;
    });
    await new Promise((res) => setTimeout(res, 1500));
    const [victim, pid] = [...pids.entries()][0]!;
    process.kill(pid, 'SIGKILL');
    const report = await yarn.waitForApplication(appId, { timeoutMs: 180_000 });
    await waitForAttemptEnd(report);
    const am = amLog(appId);
    expect(report.finalStatus, `${report.diagnostics}\n${am}`).toBe('SUCCEEDED');
    expect(am).toMatch(new RegExp(`TaskManager container failed: ${victim} exited with`));
    const launched = new Set([...am.matchAll(/Launching TaskManager in (container_\S+)/g)].map((m) => m[1]));
    expect(launched.size, am).toBeGreaterThanOrEqual(3);
    const lines = new Set((await readHdfsDir(out)).split('\n').filter(Boolean));
    for (let i = 0; i < 600; i++) expect(lines.has(`n=${i}`), `n=${i}`).toBe(true);
  }, 240_000);

  it('yarn.application-attempts=2: after the ApplicationMaster process dies, the second attempt runs the job again and succeeds', async () => {
    const out = `/tmp/tsflink-yarn-app-test/${runId}/am-restart`;
    const r = await tsflink(['yarn-application', '-d', '-p', '2', '-jm', '512', '-tm', '512', '-D', 'yarn.application-attempts=2', join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}${out}`, '400', '40']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const appId = appIdFrom(r.stdout);
    const pid = await waitFor('the first attempt to run the job', () => {
      const log = amLog(appId);
      const m = /container_\S+_01_000001 on \S+ \(node \S+, pid (\d+)\)/.exec(log);
      return m && [...log.matchAll(/Registered TaskManager/g)].length >= 2 ? Number(m[1]) : undefined;
    });
    process.kill(pid, 'SIGKILL');
    const report = await yarn.waitForApplication(appId, { timeoutMs: 180_000 });
    await waitForAttemptEnd(report);
    const am = amLog(appId);
    expect(report.finalStatus, `${report.diagnostics}\n${am}`).toBe('SUCCEEDED');
    expect(report.currentApplicationAttemptId?.attemptId).toBe(2);
    expect(am).toMatch(/container_\S+_02_000001 on/);
    const lines = new Set((await readHdfsDir(out)).split('\n').filter(Boolean));
    for (let i = 0; i < 400; i++) expect(lines.has(`n=${i}`), `n=${i}`).toBe(true);
    expect((await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${formatApplicationId(appId)}`, 'GETFILESTATUS')).status).toBe(404);
  }, 240_000);

  it('yarn application -kill of an attached application → the CLI reports KILLED and exits 4; staging dir removed', async () => {
    // a name of its own: concurrent test runs share the cluster, and killing their application would break them
    const name = `kill-it-${runId}-${process.pid}`;
    const run = tsflink(['yarn-application', '-jm', '512', '-tm', '512', '-nm', name, join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}/tmp/tsflink-yarn-app-test/${runId}/killed`, '100000', '20']);
    const appId = await waitFor('the application to run', async () => {
      const apps = await yarn.getApplications({ applicationTypes: ['tsflink'], states: ['RUNNING'] });
      const mine = apps.filter((a) => a.name === name);
      return mine.length ? mine.sort((a, b) => b.startTime - a.startTime)[0]!.applicationId : undefined;
    });
    await waitFor('a TaskManager', () => (/Registered TaskManager/.test(amLog(appId)) ? true : undefined));
    const killed = await yarn.killApplication(appId, { diagnostics: 'killed by the yarn-app test' });
    expect(killed.state).toBe('KILLED');
    const r = await run;
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(4);
    expect(r.stdout).toMatch(/state KILLED, final status KILLED/);
    expect(r.stderr).toContain('killed by the yarn-app test');
    expect((await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${formatApplicationId(appId)}`, 'GETFILESTATUS')).status).toBe(404);
  }, 180_000);

  it("a job whose main() throws → application FAILED with the user's error in YARN's diagnostics and the CLI output (exit 1)", async () => {
    const r = await tsflink(['yarn-application', '-jm', '512', join(FIXTURES, 'throwing-main.ts'), 'x', 'y']);
    const appId = appIdFrom(r.stdout);
    const why = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}\n${amLog(appId)}`;
    expect(r.code, why).toBe(1);
    expect(r.stdout).toMatch(/final status FAILED/);
    expect(r.stderr).toContain('bad job arguments: ["x","y"] (tsflink-yarn-test-marker)');
    const report = await yarn.getApplicationReport(appId);
    expect(report.state).toBe('FINISHED');
    expect(report.finalStatus).toBe('FAILED');
    expect(report.diagnostics).toContain("The application's main() failed");
    expect(report.diagnostics).toContain('tsflink-yarn-test-marker');
    // the stack points at the user's file
    expect(report.diagnostics).toMatch(/throwing-main\.ts:\d+/);
    // where to look: the AM container's logs on its NodeManager (in YARN's diagnostics, printed by the CLI)
    const amLogs = new RegExp(`ApplicationMaster logs: http://\\S+/node/containerlogs/container_${formatApplicationId(appId).slice('application_'.length)}_01_000001/\\S+`);
    expect(report.diagnostics).toMatch(amLogs);
    expect(r.stderr).toMatch(amLogs);
    expect(r.stdout).toMatch(/ApplicationMaster \(JobManager\) logs: http:\/\/\S+\/node\/containerlogs\//);
    await waitForAttemptEnd(report);
    expect((await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${formatApplicationId(appId)}`, 'GETFILESTATUS')).status).toBe(404);
    await expectRuntimeCacheUntouched();
  }, 180_000);

  it("a task that throws on a TaskManager → application FAILED with the user's error (exit 1)", async () => {
    const r = await tsflink(['yarn-application', '-jm', '512', '-tm', '512', '-D', 'restart-strategy.type=none', join(FIXTURES, 'failing-map.ts'), `${cluster.namenode}/tmp/tsflink-yarn-app-test/${runId}/failing`]);
    const appId = appIdFrom(r.stdout);
    const why = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}\n${amLog(appId)}`;
    expect(r.code, why).toBe(1);
    expect(r.stderr).toContain('record 50 is poison (tsflink-yarn-map-marker)');
    const report = await yarn.getApplicationReport(appId);
    expect(report.finalStatus).toBe('FAILED');
    expect(report.diagnostics).toMatch(/Job 'failing-map' \([0-9a-f]{32}\) failed/);
    expect(report.diagnostics).toContain('tsflink-yarn-map-marker');
    expect(report.diagnostics).toMatch(/failing-map\.ts:\d+/);
  }, 180_000);

  it('canceling the job through the REST API → application KILLED (exit 4 when attached)', async () => {
    const name = `cancel-it-${runId}-${process.pid}`; // concurrent test runs share the cluster
    const run = tsflink(['yarn-application', '-jm', '512', '-tm', '512', '-nm', name, join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}/tmp/tsflink-yarn-app-test/${runId}/canceled`, '100000', '20']);
    const appId = await waitFor('the application to run', async () => {
      const apps = await yarn.getApplications({ applicationTypes: ['tsflink'], states: ['RUNNING'] });
      const mine = apps.filter((a) => a.name === name);
      return mine.length ? mine.sort((a, b) => b.startTime - a.startTime)[0]! : undefined;
    });
    const url = appId.originalTrackingUrl;
    const jobId = await waitFor('a RUNNING job', async () => {
      const o = (await (await fetch(`${url}/jobs/overview`)).json()) as { jobs: { jid: string; state: string }[] };
      return o.jobs.find((j) => j.state === 'RUNNING')?.jid;
    });
    // REST on YARN always needs the token: a bare cancel is refused, the CLI finds the token in the staging directory.
    const res = await fetch(`${url}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: string[] }).errors[0]).toMatch(/^Unauthorized: .*yarn\.application\.id/);
    const cancel = await tsflink(['cancel', '-t', 'yarn-application', '-D', `yarn.application.id=${formatApplicationId(appId.applicationId)}`, jobId]);
    expect(cancel.code, `${cancel.stdout}\n${cancel.stderr}`).toBe(0);
    expect(cancel.stdout).toContain(`Cancelled job ${jobId}.`);
    const r = await run;
    expect(r.code, `${r.stdout}\n${r.stderr}\n${amLog(appId.applicationId)}`).toBe(4);
    const report = await yarn.getApplicationReport(appId.applicationId);
    expect(report.state).toBe('FINISHED');
    expect(report.finalStatus).toBe('KILLED');
    expect(report.diagnostics).toMatch(/canceled/);
  }, 180_000);

  it('an ApplicationMaster that cannot start its JobManager still ends FAILED with the reason in the diagnostics', async () => {
    const r = await tsflink(['yarn-application', '-jm', '512', '-D', 'rest.bind-port=not-a-port', join(FIXTURES, 'throwing-main.ts')]);
    const appId = appIdFrom(r.stdout);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${amLog(appId)}`).toBe(1);
    const report = await yarn.getApplicationReport(appId);
    expect(report.finalStatus).toBe('FAILED');
    expect(report.diagnostics).toContain('The tsflink ApplicationMaster failed');
    expect(report.diagnostics).toContain("Invalid rest.bind-port 'not-a-port'");
    expect(r.stderr).toContain("Invalid rest.bind-port 'not-a-port'");
  }, 120_000);

  it('unknown queue → exit 2 with YARN\'s message; the staging dir is removed', async () => {
    const r = await tsflink(['yarn-application', '-qu', 'no-such-queue', join(FIXTURES, 'throwing-main.ts')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/unknown queue 'no-such-queue' \(from -qu \/ yarn\.application\.queue\)/);
    expect(r.stderr).toContain('unknown queue: no-such-queue');
    const appId = appIdFrom(r.stderr);
    expect((await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${formatApplicationId(appId)}`, 'GETFILESTATUS')).status).toBe(404);
  }, 120_000);

  it('JobManager memory above the scheduler maximum → exit 2 naming the size, the flag and the maximum; nothing submitted', async () => {
    const r = await tsflink(['yarn-application', '-jm', '100000', join(FIXTURES, 'throwing-main.ts')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/JobManager container \(100000 MB, jobmanager\.memory\.process\.size from -jm\) is larger than the YARN scheduler's maximum allocation of \d+ MB/);
    expect(r.stdout).not.toContain('Submitted');
  }, 120_000);

  it('no HADOOP_CONF_DIR → exit 2 saying what to set', async () => {
    const r = await tsflink(['yarn-application', join(FIXTURES, 'throwing-main.ts')], { HADOOP_CONF_DIR: '', YARN_CONF_DIR: '' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('HADOOP_CONF_DIR is not set');
  }, 60_000);

  it('ResourceManager unreachable → exit 3 naming the address and the yarn-site.xml it came from', async () => {
    const probe = createServer();
    const port = await new Promise<number>((res) => probe.listen(0, '127.0.0.1', () => res((probe.address() as AddressInfo).port)));
    await new Promise((r) => probe.close(r));
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-yarn-conf-'));
    writeFileSync(join(dir, 'yarn-site.xml'), `<configuration><property><name>yarn.resourcemanager.address</name><value>127.0.0.1:${port}</value></property></configuration>`);
    const r = await tsflink(['yarn-application', join(FIXTURES, 'throwing-main.ts')], { HADOOP_CONF_DIR: dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expect(r.stderr).toContain(`yarn.resourcemanager.address in ${join(dir, 'yarn-site.xml')}`);
  }, 60_000);
});
