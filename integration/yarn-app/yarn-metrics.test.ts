/**
 * Metrics and logs on YARN (issue 15): a yarn-session with the Prometheus reporter and a port
 * range on the real Hadoop minicluster. The AM (JobManager) and every TaskManager container serve
 * /metrics; the TaskManagers announce their reporter in REST /taskmanagers; TaskManager logs come
 * from the container's log directory (what `yarn logs` shows) through REST.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { formatApplicationId, parseApplicationId, type YarnClient, type ApplicationId } from '../../yarn-am/protocols/index.js';
import { FIXTURES, useYarnTestCluster, tsflink, webhdfs, httpGet, type ClusterInfo } from './harness.js';
import { waitFor } from '../../runtime/testing/waitFor.js';
import { freePort } from '../../runtime/testing/ClusterProcesses.js';

interface Family { name: string; metrics: Array<{ value?: string; labels?: Record<string, string> }> }
type Tm = { id: string; metricReporters?: Array<{ name: string; host: string; port: number }> };
let cluster: ClusterInfo;
let yarn: YarnClient;
let sessionId: ApplicationId | undefined;

useYarnTestCluster((c, y) => { cluster = c; yarn = y; }, () => sessionId);

/** Every container's log files of the application (for failure messages). */
function containerLogs(appId: ApplicationId): string {
  let out = '';
  for (const nm of cluster.nodemanagers) {
    for (const logDir of nm.logDirs.split(',')) {
      const dir = join(logDir, formatApplicationId(appId));
      if (!existsSync(dir)) continue;
      for (const c of readdirSync(dir)) for (const f of readdirSync(join(dir, c))) out += `--- ${c}/${f}\n${readFileSync(join(dir, c, f), 'utf8').slice(-3000)}\n`;
    }
  }
  return out;
}

describe('metrics and logs on YARN', () => {
  it('the AM and TaskManager containers serve Prometheus metrics on ports of the range; TaskManager logs come from the container log dir', async () => {
    const base = await freePort('127.0.0.2');
    const range = `${base}-${base + 9}`;
    const propsDir = mkdtempSync(join(tmpdir(), 'tsflink-yarn-props-'));
    const common = ['-D', `yarn.properties-file.location=${propsDir}`];
    const s = await tsflink(['yarn-session', '-d', '-jm', '512', '-tm', '512', '-s', '1', '-nm', 'metrics-it', ...common,
      '-D', 'metrics.reporter.prom.factory.class=org.apache.flink.metrics.prometheus.PrometheusReporterFactory', '-D', `metrics.reporter.prom.port=${range}`,
      '-D', 'metrics.fetcher.update-interval=500 ms']);
    expect(s.code, `${s.stdout}\n${s.stderr}`).toBe(0);
    const url = /JobManager Web Interface: (http:\/\/\S+)/.exec(s.stdout)![1]!;
    const id = /applicationID=(\S+)/.exec(readFileSync(join(propsDir, `.yarn-properties-${userInfo().username}`), 'utf8'))![1]!;
    sessionId = parseApplicationId(id);
    const token = (await (await webhdfs(`/user/${cluster.superuser ?? 'root'}/.tsflink/${id}/rest-token`, 'OPEN')).text()).trim();
    const rest = async <T>(path: string): Promise<{ status: number; body: T; text: string }> => {
      const r = await httpGet(`${url}${path}`, { token });
      let body: T;
      try { body = JSON.parse(r.text) as T; } catch { body = undefined as T; }
      return { status: r.status, body, text: r.text };
    };
    const scrape = async (host: string, port: number): Promise<Map<string, Family>> =>
      new Map((parsePrometheusTextFormat((await httpGet(`http://${host}:${port}/metrics`)).text) as Family[]).map((f) => [f.name, f]));

    try {
    const run = await tsflink(['run', '-t', 'yarn-session', ...common, '-d', '-p', '2', join(FIXTURES, 'sequence-to-files.ts'), `${cluster.namenode}/tmp/tsflink-yarn-metrics/${Date.now()}`, '1000000000', '200']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    let tms: Tm[] = [];
    await waitFor('2 TaskManager containers with reporters', async () => {
      tms = (await rest<{ taskmanagers: Tm[] }>('/taskmanagers')).body.taskmanagers;
      return tms.length === 2 && tms.every((t) => t.metricReporters?.length === 1);
    }, 180_000, 500);
    const [lo, hi] = range.split('-').map(Number);
    const nmHosts = cluster.nodemanagers.map((n) => n.host);
    for (const tm of tms) {
      const r = tm.metricReporters![0]!;
      expect(nmHosts).toContain(r.host);
      expect(r.port).toBeGreaterThanOrEqual(lo!);
      expect(r.port).toBeLessThanOrEqual(hi!);
      let f!: Map<string, Family>;
      try { await scrape(r.host, r.port); } catch (e) {
        throw new Error(`${(e as Error).message} (${JSON.stringify(tms)})\n${(await rest<unknown>(`/taskmanagers/${tm.id}/log`)).text.slice(-3000)}\n${(await rest<unknown>(`/taskmanagers/${tm.id}/logs/taskmanager.err`)).text.slice(-2000)}`);
      }
      await waitFor(`records at ${tm.id}`, async () => {
        f = await scrape(r.host, r.port);
        return (f.get('flink_taskmanager_job_task_operator_numRecordsIn')?.metrics ?? []).some((m) => m.labels?.['job_id'] === jobId && Number(m.value) > 0);
      }, 60_000, 500);
      // the container id is the TaskManager id (taskmanager.resource-id), a label of every series
      expect(f.get('flink_taskmanager_Status_JVM_Memory_Heap_Used')!.metrics[0]!.labels!['tm_id']).toBe(tm.id.replace(/[^a-zA-Z0-9:_]/g, '_'));
      // logs from the container's log directory: what `yarn logs` collects
      const logs = (await rest<{ logs: Array<{ name: string }> }>(`/taskmanagers/${tm.id}/logs`)).body.logs.map((l) => l.name);
      expect(logs).toEqual(expect.arrayContaining(['taskmanager.out', 'taskmanager.err']));
      const log = await rest<unknown>(`/taskmanagers/${tm.id}/log`);
      expect(log.status).toBe(200);
      expect(log.text).toMatch(/Registered .* slot\(s\) at the JobManager/);
    }
    const jm = await rest<Array<{ id: string; value: string }>>('/jobmanager/metrics?get=numRegisteredTaskManagers');
    expect(jm.body).toEqual([{ id: 'numRegisteredTaskManagers', value: '2' }]);
    const jmLogs = (await rest<{ logs: Array<{ name: string }> }>('/jobmanager/logs')).body.logs.map((l) => l.name);
    expect(jmLogs).toEqual(expect.arrayContaining(['jobmanager.out', 'jobmanager.err']));
    const amPort = Number(/Metric reporter 'prom' \(Prometheus\) serving http:\/\/\S+:(\d+)\/metrics/.exec((await rest<unknown>('/jobmanager/log')).text)![1]);
    // The AM's reporter port (one of the range) is in REST, as the TaskManagers' are in /taskmanagers.
    const [amReporter] = (await rest<{ reporters: Array<{ name: string; host: string; port: number }> }>('/jobmanager/metric-reporters')).body.reporters;
    expect(amReporter).toMatchObject({ name: 'prom', port: amPort });
    expect(amPort).toBeGreaterThanOrEqual(lo!);
    expect(amPort).toBeLessThanOrEqual(hi!);
    const am = await scrape(amReporter!.host, amReporter!.port);
    expect(am.get('flink_jobmanager_numRegisteredTaskManagers')!.metrics[0]!.value).toBe('2');
    expect(am.get('flink_jobmanager_job_numRestarts')!.metrics[0]!.labels!['job_id']).toBe(jobId);

    } catch (e) {
      throw new Error(`${(e as Error).stack}\n${containerLogs(sessionId)}`);
    }
    const stop = await tsflink(['yarn-session', '--stop', ...common]);
    expect(stop.code, stop.stderr).toBe(0);
    sessionId = undefined;
  }, 400_000);
});
