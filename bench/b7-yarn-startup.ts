// B7: YARN startup. Seconds from starting `tsflink yarn-application` (the CLI process) to the
// job RUNNING (all its tasks deployed) and to FINISHED, for a small job on the Hadoop
// minicluster, beside the bare time YARN takes to launch an AM container that exits at once
// (a trivial AM submitted with YarnClient, in the same run). Goal: RUNNING ≤ 10 s.
// The first run is cold: the runtime archive is deleted from HDFS first, so it is uploaded again
// and every NodeManager localizes it anew (a new tsflink version on a cluster); the others are warm.
//   node dist/bench/b7-yarn-startup.js [runs]
// Needs the minicluster (npm run hadoop:start) or HADOOP_CONF_DIR of another cluster; run it on
// the same host as the NodeManagers (the tsflink runtime must exist at the same path there).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HadoopSiteConfig } from '../yarn-am/ipc/index.js';
import { YarnClient, formatApplicationId } from '../yarn-am/protocols/index.js';
import { packageRoot } from '../runtime/configuration/index.js';
import { runtimeArchive } from '../yarn-am/RuntimeArchive.js';
import { getFileSystem } from '../hdfs/index.js';
import { machineLine, median, writeResultsSection } from './machine.js';
import { spawnCollecting } from '../runtime/testing/spawnCollecting.js';

const ROOT = packageRoot();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ClusterJson { hadoopConfDir: string; namenode: string; superuser?: string }

function clusterEnv(): { confDir: string; namenode: string; user: string } {
  const file = join(ROOT, 'integration', 'hadoop', '.run', 'cluster.json');
  const info = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClusterJson) : undefined;
  const confDir = process.env['HADOOP_CONF_DIR'] ?? info?.hadoopConfDir;
  if (!confDir) throw new Error('B7 needs a YARN cluster: set HADOOP_CONF_DIR or start the minicluster (npm run hadoop:start).');
  const site = HadoopSiteConfig.load(confDir);
  return { confDir, namenode: info?.namenode ?? site.get('fs.defaultFS') ?? 'hdfs:///', user: process.env['HADOOP_USER_NAME'] ?? info?.superuser ?? process.env['USER'] ?? 'root' };
}

interface BareRun { launched: number; ended: number }

/** A trivial AM (`true`): seconds from submitApplication to its container LAUNCHED, and to the application's end. */
async function bareAm(yarn: YarnClient): Promise<BareRun> {
  const { applicationId } = await yarn.getNewApplication();
  const t0 = performance.now();
  await yarn.submitApplication({
    applicationId,
    applicationName: 'b7 trivial AM',
    applicationType: 'tsflink-bench',
    applicationTags: [],
    maxAppAttempts: 1,
    resource: { memoryMb: 256, vcores: 1 },
    amContainerSpec: { commands: ['true'], environment: {}, localResources: {} },
  }, { waitForAccepted: false });
  let launched = NaN;
  for (;;) {
    const r = await yarn.getApplicationReport(applicationId);
    if (Number.isNaN(launched) && r.currentApplicationAttemptId) {
      const a = await yarn.getApplicationAttemptReport(r.currentApplicationAttemptId);
      if (a.state === 'LAUNCHED' || a.state === 'RUNNING' || a.state === 'FAILED' || a.state === 'FINISHED' || a.state === 'FINISHING') launched = (performance.now() - t0) / 1000;
    }
    if (r.state === 'FINISHED' || r.state === 'FAILED' || r.state === 'KILLED') {
      const ended = (performance.now() - t0) / 1000;
      return { launched: Number.isNaN(launched) ? ended : launched, ended };
    }
    if (performance.now() - t0 > 120_000) {
      await yarn.killApplication(applicationId).catch(() => undefined);
      throw new Error(`the trivial AM ${formatApplicationId(applicationId)} did not end in 120 s (${r.state})`);
    }
    await sleep(50);
  }
}

interface TsflinkRun { submitted: number; appRunning: number; jobRunning: number; jobFinished: number; cliExit: number; appId: string }

interface JobsOverview { jobs: { jid: string; state: string }[] }
interface JobDetails { state: string; timestamps: Record<string, number>; vertices: { status: string }[] }

/** `tsflink yarn-application` of a small job; milestones in seconds after the CLI was spawned. */
async function tsflinkRun(env: ReturnType<typeof clusterEnv>, runId: string, records: number): Promise<TsflinkRun> {
  const out = `${env.namenode.replace(/\/+$/, '')}/tmp/tsflink-b7/${runId}`;
  const job = join(ROOT, 'integration', 'yarn-app', 'fixtures', 'sequence-to-files.ts');
  const start = Date.now();
  const t0 = performance.now();
  const since = (): number => (performance.now() - t0) / 1000;
  const cli = spawnCollecting(process.execPath, [join(ROOT, 'cli', 'bin', 'run.js'), 'yarn-application', '-p', '1', '-s', '1', '-jm', '512', '-tm', '512', '-nm', 'b7', job, out, String(records), '0'], {
    cwd: ROOT,
    env: { ...process.env, HADOOP_CONF_DIR: env.confDir, HADOOP_USER_NAME: env.user },
  });
  let exitCode: number | null | undefined;
  let cliExit = NaN;
  void cli.exited.then((c) => { exitCode = c; cliExit = since(); });
  let appRunning = NaN;
  let jobRunning = NaN;
  let jobFinished = NaN;
  let url: string | undefined;
  let jobId: string | undefined;
  while (exitCode === undefined) {
    if (url === undefined) {
      url = /JobManager Web Interface: (http:\/\/\S+)/.exec(cli.stdout())?.[1];
      if (url !== undefined) appRunning = since();
    } else if (Number.isNaN(jobFinished)) {
      try {
        if (jobId === undefined) {
          const o = (await (await fetch(`${url}/jobs/overview`, { signal: AbortSignal.timeout(2000) })).json()) as JobsOverview;
          jobId = o.jobs[0]?.jid;
        }
        if (jobId !== undefined) {
          const d = (await (await fetch(`${url}/jobs/${jobId}`, { signal: AbortSignal.timeout(2000) })).json()) as JobDetails;
          const deployed = d.vertices.length > 0 && d.vertices.every((v) => v.status === 'RUNNING' || v.status === 'FINISHED');
          if (Number.isNaN(jobRunning) && (deployed || d.state === 'FINISHED')) jobRunning = since();
          if (d.state === 'FINISHED') {
            // the JobManager's own timestamp (same host clock)
            const at = d.timestamps['FINISHED'] ?? 0;
            jobFinished = at > 0 ? (at - start) / 1000 : since();
          }
        }
      } catch {
        // the AM is shutting down (or not yet answering)
      }
    }
    await sleep(50);
  }
  const appId = /application_\d+_\d+/.exec(cli.stdout())?.[0] ?? '?';
  if (exitCode !== 0) throw new Error(`tsflink yarn-application exited ${exitCode}\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`);
  // the CLI prints "… is RUNNING (x s after submission)": what came before is bundling and staging
  const afterSubmission = Number(/\(([\d.]+) s after submission\)/.exec(cli.stdout())?.[1] ?? NaN);
  return { submitted: appRunning - afterSubmission, appRunning, jobRunning, jobFinished: Number.isNaN(jobFinished) ? cliExit : jobFinished, cliExit, appId };
}

async function main(): Promise<void> {
  const runs = Math.max(1, Number(process.argv[2] ?? 3));
  const records = 1000;
  const env = clusterEnv();
  if (!existsSync(join(ROOT, 'dist', 'yarn-am', 'main.js'))) throw new Error('dist/yarn-am/main.js missing: npm run build first');
  const yarn = YarnClient.fromConfiguration(HadoopSiteConfig.load(env.confDir));
  const bare: BareRun[] = [];
  const ts: TsflinkRun[] = [];
  try {
    const metrics = await yarn.getClusterMetrics();
    const runId = `${Date.now()}`;
    const archive = await runtimeArchive();
    const lib = `${env.namenode.replace(/\/+$/, '')}/user/${env.user}/.tsflink/lib/${archive.name}`;
    for (let i = 0; i < runs; i++) {
      if (i === 0) await getFileSystem(lib, { 'fs.hdfs.hadoopconf': env.confDir, 'fs.hdfs.user': env.user }).delete(lib, false).catch(() => undefined);
      const b = await bareAm(yarn);
      bare.push(b);
      console.log(`[b7] trivial AM: launched after ${b.launched.toFixed(2)} s, application ended after ${b.ended.toFixed(2)} s`);
      const t = await tsflinkRun(env, `${runId}-${i}`, records);
      ts.push(t);
      console.log(`[b7] tsflink ${t.appId}: submitted ${t.submitted.toFixed(2)} s, AM running ${t.appRunning.toFixed(2)} s, job RUNNING ${t.jobRunning.toFixed(2)} s, FINISHED ${t.jobFinished.toFixed(2)} s, CLI exit ${t.cliExit.toFixed(2)} s`);
    }
    const cold = ts.slice(0, 1);
    const warm = ts.slice(1);
    const col = (xs: TsflinkRun[], f: (x: TsflinkRun) => number): string => (xs.length ? median(xs.map(f)).toFixed(1) : '–');
    const row = (label: string, f: (x: TsflinkRun) => number, bold = false): string =>
      `| ${label} | ${bold ? `**${col(cold, f)}**` : col(cold, f)} | ${bold && warm.length ? `**${col(warm, f)}**` : col(warm, f)} |`;
    const mb = (f: (x: BareRun) => number): string => median(bare.map(f)).toFixed(1);
    const worst = Math.max(...ts.map((t) => t.jobRunning));
    const body = [
      `${machineLine().replace(/\.+$/, '')}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; Hadoop minicluster, ${metrics.numActiveNodeManagers} NodeManagers on this host; ` +
        `${runs} run(s), trivial AM and tsflink runs interleaved. Job: \`integration/yarn-app/fixtures/sequence-to-files.ts\` (${records} records → HDFS files), ` +
        '`tsflink yarn-application -p 1 -s 1 -jm 512 -tm 512` attached. Times in seconds from the CLI process start (tsflink) or from submitApplication (trivial AM). ' +
        `Cold: the first run, with the runtime archive (${archive.files} files and directories, ${(statSync(archive.path).size / 1e6).toFixed(1)} MB) deleted from HDFS before it, so it is uploaded and every NodeManager localizes it anew; warm: median of the other runs.`,
      '',
      '| | cold | warm |',
      '|---|---:|---:|',
      `| trivial AM (\`true\`): container LAUNCHED | ${bare[0]!.launched.toFixed(1)} | ${mb((b) => b.launched)} (all runs) |`,
      `| trivial AM: application ended (YARN noticed the exit) | ${bare[0]!.ended.toFixed(1)} | ${mb((b) => b.ended)} (all runs) |`,
      row('tsflink: CLI submitted the application (after bundling the job and uploading to the staging dir)', (t) => t.submitted),
      row('tsflink: application RUNNING (AM registered, CLI printed the web interface)', (t) => t.appRunning),
      row('tsflink: **job RUNNING** (all tasks deployed on the TaskManager container)', (t) => t.jobRunning, true),
      row('tsflink: job FINISHED', (t) => t.jobFinished),
      row('tsflink: CLI exit (application FINISHED/SUCCEEDED)', (t) => t.cliExit),
      '',
      `Runs (job RUNNING / FINISHED): ${ts.map((t, i) => `${t.jobRunning.toFixed(1)}/${t.jobFinished.toFixed(1)} s (trivial AM ${bare[i]!.launched.toFixed(1)}/${bare[i]!.ended.toFixed(1)} s)`).join('; ')}.`,
      `Where the time goes (warm medians): CLI start, bundling and staging ${col(warm, (t) => t.submitted)} s; submission → AM registered ${col(warm, (t) => t.appRunning - t.submitted)} s ` +
        `(YARN's own share: the trivial AM's ${mb((b) => b.launched)} s to launch — the rest is localization, Node and the JobManager starting); ` +
        `AM registered → tasks deployed ${col(warm, (t) => t.jobRunning - t.appRunning)} s (main() and the JobGraph, a TaskManager container requested, launched, Node started, registered, tasks deployed).`,
      `Goal RUNNING ≤ 10 s: ${worst <= 10 ? 'met' : 'not met'} (slowest run ${worst.toFixed(1)} s).`,
    ].join('\n');
    console.log(body);
    if (!process.argv.includes('--no-write')) writeResultsSection(ROOT, 'B7 YARN startup', body);
  } finally {
    yarn.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
