// Every process of a standalone cluster serves Prometheus metrics: a JobManager on 127.0.0.2 and
// TaskManagers on 127.0.0.3 and .4 (real processes) run a job with user metrics; each /metrics is
// scraped and parsed with a Prometheus text-format parser: Flink's names and labels, counters that
// grow, the JobManager's view through REST (metrics fetched from the TaskManagers over RPC). Two
// more TaskManagers on one host (127.0.0.5) share the port range and take different ports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { ClusterProcesses, freePort } from '../../testing/ClusterProcesses.js';
import { waitFor } from '../../testing/waitFor.js';

interface Family { name: string; type: string; metrics: Array<{ value?: string; labels?: Record<string, string> }> }
const root = resolve(import.meta.dirname, '../../..');
let work: string;
let cluster: ClusterProcesses;
let range: string;
let jobId: string;

type TmInfo = { id: string; path: string; metricReporters?: Array<{ name: string; host: string; port: number }> };
const scrape = async (host: string, port: number): Promise<Map<string, Family>> => {
  const text = await (await fetch(`http://${host}:${port}/metrics`)).text();
  return new Map((parsePrometheusTextFormat(text) as Family[]).map((f) => [f.name, f]));
};
const sum = (f: Family | undefined, where: (l: Record<string, string>) => boolean = () => true): number =>
  (f?.metrics ?? []).filter((m) => where(m.labels ?? {})).reduce((a, m) => a + Number(m.value), 0);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsflink-prom-'));
  const base = await freePort('127.0.0.2');
  range = `${base}-${base + 5}`;
  // The processes' log directory (env.log.dir): the TaskManagers serve taskmanager.log / .out from it over RPC.
  mkdirSync(join(work, 'logs'));
  writeFileSync(join(work, 'logs', 'taskmanager.log'), 'INFO TaskManager - started\n');
  writeFileSync(join(work, 'logs', 'taskmanager.out'), 'a printed line\n');
  cluster = new ClusterProcesses(work, '127.0.0.2', ['-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=5 s',
    '-D', 'metrics.reporter.prom.factory.class=org.apache.flink.metrics.prometheus.PrometheusReporterFactory', '-D', `metrics.reporter.prom.port=${range}`,
    '-D', 'metrics.fetcher.update-interval=200 ms', '-D', `env.log.dir=${join(work, 'logs')}`]);
  await cluster.startJobManager();
  cluster.startTaskManager('127.0.0.3', 1);
  cluster.startTaskManager('127.0.0.4', 1);
  await cluster.waitForTaskManagers(2).catch((e: Error) => { throw new Error(`${e.message}\n${cluster.dumpLogs()}`); });
  const run = cluster.cli(['run', '-d', '-m', cluster.restAddress, join(root, 'runtime/rest/handlers/fixtures/metrics-job.ts'), 'prom job', '0']);
  expect(await run.exited, `${run.stdout()}\n${run.stderr()}`).toBe(0);
  jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout())![1]!;
  await waitFor('the job RUNNING', async () => (await cluster.get<{ state: string }>(`/jobs/${jobId}`)).state === 'RUNNING', 60_000, 100);
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('Prometheus reporter in every process', () => {
  it('the JobManager serves jobmanager and jobmanager_job metrics with Flink\'s names and labels', async () => {
    const m = /Metric reporter 'prom' \(Prometheus\) serving http:\/\/127\.0\.0\.2:(\d+)\/metrics/.exec(cluster.jobManager.stdout());
    expect(m, cluster.jobManager.stdout()).not.toBeNull();
    const port = Number(m![1]);
    expect(port).toBe(Number(range.split('-')[0]));
    // REST names the JobManager's reporter too (on YARN the port is one of a range).
    expect(await cluster.get('/jobmanager/metric-reporters')).toEqual({ reporters: [{ name: 'prom', host: '127.0.0.2', port }] });
    const f = await scrape('127.0.0.2', port);
    expect(f.get('flink_jobmanager_numRegisteredTaskManagers')!.metrics).toEqual([{ value: '2', labels: { host: '127_0_0_2' } }]);
    expect(f.get('flink_jobmanager_taskSlotsTotal')!.metrics[0]!.value).toBe('2');
    expect(f.get('flink_jobmanager_numRunningJobs')!.metrics[0]!.value).toBe('1');
    expect(f.get('flink_jobmanager_job_numRestarts')!.metrics).toEqual([{ value: '0', labels: { host: '127_0_0_2', job_id: jobId, job_name: 'prom_job' } }]);
    expect(Number(f.get('flink_jobmanager_job_runningTime')!.metrics[0]!.value)).toBeGreaterThan(0);
    expect(Number(f.get('flink_jobmanager_Status_JVM_Memory_Heap_Used')!.metrics[0]!.value)).toBeGreaterThan(1e6);
  });

  it('each TaskManager serves its tasks\' and operators\' metrics; counters grow between scrapes', async () => {
    const tms = (await cluster.get<{ taskmanagers: TmInfo[] }>('/taskmanagers')).taskmanagers;
    expect(tms).toHaveLength(2);
    const subtasks = new Set<string>();
    for (const tm of tms) {
      const rep = tm.metricReporters!.find((r) => r.name === 'prom')!;
      expect(['127.0.0.3', '127.0.0.4']).toContain(rep.host);
      const isJob = (l: Record<string, string>): boolean => l['job_id'] === jobId;
      let first!: Map<string, Family>;
      await waitFor(`records at ${rep.host}`, async () => { first = await scrape(rep.host, rep.port); return sum(first.get('flink_taskmanager_job_task_operator_numRecordsIn'), isJob) > 0; }, 30_000, 100);
      const recIn = first.get('flink_taskmanager_job_task_operator_numRecordsIn')!;
      expect(recIn.type).toBe('GAUGE');
      const labels = recIn.metrics[0]!.labels!;
      expect(labels).toMatchObject({ job_id: jobId, job_name: 'prom_job', host: rep.host.replaceAll('.', '_'), tm_id: tm.id.replace(/[^a-zA-Z0-9:_]/g, '_'), task_attempt_num: '0' });
      expect(Object.keys(labels).sort()).toEqual(['host', 'job_id', 'job_name', 'operator_id', 'operator_name', 'subtask_index', 'task_attempt_id', 'task_attempt_num', 'task_id', 'task_name', 'tm_id']);
      for (const s of recIn.metrics) subtasks.add(`${s.labels!['task_name']}#${s.labels!['subtask_index']}`);
      expect(new Set(recIn.metrics.map((s) => s.labels!['operator_name']))).toEqual(new Set(['Numbers', 'Tagged', 'Slow_sink']));
      for (const name of ['flink_taskmanager_job_task_numRecordsOut', 'flink_taskmanager_job_task_busyTimeMsPerSecond', 'flink_taskmanager_job_task_backPressuredTimeMsPerSecond',
        'flink_taskmanager_job_task_idleTimeMsPerSecond', 'flink_taskmanager_job_task_isBackPressured', 'flink_taskmanager_job_task_numBytesOutPerSecond',
        'flink_taskmanager_job_task_operator_currentOutputWatermark', 'flink_taskmanager_job_task_currentInputWatermark', 'flink_taskmanager_job_task_Shuffle_Netty_Output_Buffers_outPoolUsage',
        'flink_taskmanager_Status_JVM_CPU_Load', 'flink_taskmanager_Status_Shuffle_Netty_TotalMemorySegments', 'flink_taskmanager_Status_JVM_Memory_RSS', 'flink_taskmanager_Status_EventLoop_Delay_P99', 'flink_taskmanager_Status_JVM_Threads_Count']) {
        expect(first.has(name), `${name} at ${rep.host}`).toBe(true);
      }
      // The user's addGroup('region', 'eu') is a label; the slot's heap is labelled by slot.
      expect(first.get('flink_taskmanager_job_task_operator_region_seen')!.metrics[0]!.labels).toMatchObject({ region: 'eu', operator_name: 'Tagged' });
      expect(first.get('flink_taskmanager_Status_Slot_Heap_Used')!.metrics).toEqual([expect.objectContaining({ labels: expect.objectContaining({ Slot: '0', tm_id: labels['tm_id'] }) })]);
      expect(first.get('flink_taskmanager_job_task_operator_valueMod')!.type).toBe('SUMMARY');
      await new Promise((r) => setTimeout(r, 400));
      const second = await scrape(rep.host, rep.port);
      expect(sum(second.get('flink_taskmanager_job_task_operator_numRecordsIn'), isJob)).toBeGreaterThan(sum(recIn, isJob));
      expect(sum(second.get('flink_taskmanager_job_task_operator_region_seen'))).toBeGreaterThan(sum(first.get('flink_taskmanager_job_task_operator_region_seen')));
    }
    // Both subtasks of both vertices ran, spread over the two TaskManagers.
    expect([...subtasks].sort()).toEqual(['Slow_sink#0', 'Slow_sink#1', 'Source:_Numbers____Tagged#0', 'Source:_Numbers____Tagged#1']);
  });

  it('the JobManager\'s REST metrics come from the TaskManagers (metrics.fetcher.update-interval)', async () => {
    const job = await cluster.get<{ vertices: Array<{ id: string; name: string }> }>(`/jobs/${jobId}`);
    const src = job.vertices.find((v) => v.name.includes('Numbers'))!;
    const ids = (await cluster.get<Array<{ id: string }>>(`/jobs/${jobId}/vertices/${src.id}/metrics`)).map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['0.numRecordsOut', '1.numRecordsOut', '0.Tagged.region.eu.seen', '1.Tagged.numRecordsIn']));
    const read = async (): Promise<number> => Number((await cluster.get<Array<{ id: string; value: string }>>(`/jobs/${jobId}/vertices/${src.id}/metrics?get=0.numRecordsOut`))[0]!.value);
    const a = await read();
    await waitFor('fresher metrics', async () => (await read()) > a, 10_000, 100);
    const tms = (await cluster.get<{ taskmanagers: TmInfo[] }>('/taskmanagers')).taskmanagers;
    const heap = await cluster.get<Array<{ id: string; value: string }>>(`/taskmanagers/${tms[0]!.id}/metrics?get=Status.JVM.Memory.Heap.Used,Status.Slot.0.Heap.Used`);
    expect(heap.map((e) => e.id)).toEqual(['Status.JVM.Memory.Heap.Used', 'Status.Slot.0.Heap.Used']);
    const dump = await cluster.get<{ threadInfos: Array<{ threadName: string; stringifiedThreadInfo: string }> }>(`/taskmanagers/${tms[0]!.id}/thread-dump`);
    expect(dump.threadInfos.map((t) => t.threadName)).toEqual(['main', 'slot-0']);
    expect(dump.threadInfos[1]!.stringifiedThreadInfo).toMatch(/RUNNING/);
    const logs = await cluster.get<{ logs: Array<{ name: string; size: number }> }>(`/taskmanagers/${tms[0]!.id}/logs`);
    expect(logs.logs.map((l) => l.name)).toEqual(['taskmanager.log', 'taskmanager.out']);
    const token = (await import('node:fs')).readFileSync(join(work, 'rest-token'), 'utf8').trim();
    const text = async (path: string): Promise<{ status: number; body: string }> => {
      const r = await fetch(`http://${cluster.restAddress}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: await r.text() };
    };
    expect(await text(`/taskmanagers/${tms[0]!.id}/log`)).toEqual({ status: 200, body: 'INFO TaskManager - started\n' });
    expect(await text(`/taskmanagers/${tms[0]!.id}/stdout`)).toEqual({ status: 200, body: 'a printed line\n' });
    expect(await text(`/taskmanagers/${tms[0]!.id}/logs/taskmanager.out`)).toEqual({ status: 200, body: 'a printed line\n' });
    const missing = await text(`/taskmanagers/${tms[0]!.id}/logs/nope.log`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).errors[0]).toMatch(/^Log file 'nope.log' does not exist in .*logs/);
    expect((await text(`/taskmanagers/${tms[0]!.id}/logs/..%2Fsecret`)).status).toBe(400);
  });

  it('two TaskManagers on one host take different ports of the range', async () => {
    cluster.startTaskManager('127.0.0.5', 1);
    cluster.startTaskManager('127.0.0.5', 1);
    await cluster.waitForTaskManagers(4).catch((e: Error) => { throw new Error(`${e.message}\n${cluster.dumpLogs()}`); });
    const tms = (await cluster.get<{ taskmanagers: TmInfo[] }>('/taskmanagers')).taskmanagers.filter((t) => t.metricReporters?.[0]?.host === '127.0.0.5');
    expect(tms).toHaveLength(2);
    const ports = tms.map((t) => t.metricReporters![0]!.port).sort();
    expect(ports[0]).not.toBe(ports[1]);
    const [lo, hi] = range.split('-').map(Number);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(lo!);
      expect(p).toBeLessThanOrEqual(hi!);
      const f = await scrape('127.0.0.5', p);
      expect(f.get('flink_taskmanager_Status_JVM_Memory_Heap_Used')!.metrics[0]!.labels!['host']).toBe('127_0_0_5');
    }
    expect(new Set(tms.map((t) => t.id)).size).toBe(2);
  });
});
