// REST contract of the metric, log and job handlers (Flink's paths and JSON), over real HTTP
// against an in-process cluster (MiniCluster + in-thread TaskExecutor) running fixtures/metrics-job.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MiniCluster } from '../../minicluster/MiniCluster.js';
import { TaskExecutor } from '../../taskmanager/TaskExecutor.js';
import { Configuration } from '../../configuration/index.js';
import { loadJobMain, type JobBundle } from '../../usercode/JobBundle.js';
import { bundleJob } from '../../client/JobBundler.js';
import { captureStreamGraph } from '../../usercode/PlanningEnvironment.js';
import { StreamingJobGraphGenerator } from '../../graph/jobgraph/StreamingJobGraphGenerator.js';
import { waitFor } from '../../testing/waitFor.js';
import { RestServerEndpoint } from '../RestServerEndpoint.js';
import { silentRestLogger } from '../RestLogger.js';
import { RestClusterClient } from '../../client/RestClusterClient.js';

const fixture = resolve(import.meta.dirname, 'fixtures', 'metrics-job.ts');
const SLOTS = 4; // two jobs of parallelism 2
let dir: string;
let bundle: JobBundle;
let cluster: MiniCluster;
let endpoint: RestServerEndpoint;
let base: string;
let client: RestClusterClient;
let jobId: string;
let tmId: string;
let sourceVertex: string;
let sinkVertex: string;

async function get(path: string): Promise<{ status: number; body: any; text: string; type: string | null }> {
  const r = await fetch(`${base}${path}`);
  const text = await r.text();
  const type = r.headers.get('content-type');
  return { status: r.status, body: type?.includes('json') ? JSON.parse(text) : undefined, text, type };
}
const value = (entries: Array<{ id: string; value: string }>, id: string): number => Number(entries.find((e) => e.id === id)?.value);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-metrics-rest-'));
  writeFileSync(join(dir, 'jobmanager.log'), 'line one\nline two\n');
  writeFileSync(join(dir, 'jobmanager.out'), 'printed\n');
  bundle = await bundleJob(fixture, { outDir: join(dir, 'bundles') });
  cluster = new MiniCluster();
  const te = new TaskExecutor(SLOTS, (id) => cluster.dispatcher.jobMasterGateway(id), (id) => cluster.dispatcher.userGraph(id),
    { bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8 }, 200);
  cluster.addTaskExecutor(te, SLOTS);
  tmId = te.taskManagerId;
  // update-interval 0: every request reads the TaskManager's current values.
  const conf = new Configuration().setString('rest.port', '0').setString('metrics.fetcher.update-interval', '0').setString('env.log.dir', dir);
  endpoint = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf, uploadDir: join(dir, 'uploads'), logger: silentRestLogger });
  const { port } = await endpoint.start();
  base = `http://127.0.0.1:${port}`;
  client = new RestClusterClient({ address: '127.0.0.1', port, maxPollIntervalMs: 50 });
  const main = await loadJobMain(bundle);
  const args = ['metrics-job', '0'];
  const sg = await captureStreamGraph(main, args, { baseConfiguration: new Configuration(), defaultParallelism: 2, executionIndex: 0, what: 'test client' });
  const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
  jobId = await client.submitJob({ jobGraph, args, defaultParallelism: 2, baseConfiguration: {} }, bundle);
  const d = (await get(`/jobs/${jobId}`)).body;
  sourceVertex = d.vertices.find((v: { name: string }) => v.name.includes('Numbers')).id;
  sinkVertex = d.vertices.find((v: { name: string }) => v.name.includes('Slow sink')).id;
  await waitFor('records through the sink', async () => value((await get(`/jobs/${jobId}/vertices/${sinkVertex}/metrics?get=0.numRecordsIn`)).body, '0.numRecordsIn') > 0, 30_000, 100);
}, 60_000);

afterAll(async () => {
  if (jobId) await client.cancelJob(jobId).catch(() => undefined);
  await endpoint?.close();
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('JobManager and TaskManager metrics', () => {
  it('GET /jobmanager/metrics lists ids, and ?get= answers known ones only', async () => {
    const list = await get('/jobmanager/metrics');
    expect(list.status).toBe(200);
    const ids = list.body.map((e: { id: string }) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['numRegisteredTaskManagers', 'numRunningJobs', 'taskSlotsAvailable', 'taskSlotsTotal']));
    expect(list.body[0]).toEqual({ id: expect.any(String) });
    const some = await get('/jobmanager/metrics?get=taskSlotsTotal,numRunningJobs,noSuchMetric');
    expect(some.body).toEqual([{ id: 'taskSlotsTotal', value: String(SLOTS) }, { id: 'numRunningJobs', value: '1' }]);
    expect((await get('/v1/jobmanager/metrics?get=numRegisteredTaskManagers')).body).toEqual([{ id: 'numRegisteredTaskManagers', value: '1' }]);
  });

  it('GET /taskmanagers/:id/metrics has the process metrics; an unknown TaskManager is a 404 JSON error', async () => {
    const r = await get(`/taskmanagers/${tmId}/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.Memory.RSS,Status.JVM.CPU.Time,Status.EventLoop.Delay.Max,bogus`);
    expect(r.status).toBe(200);
    expect(r.body.map((e: { id: string }) => e.id)).toEqual(['Status.JVM.Memory.Heap.Used', 'Status.JVM.Memory.RSS', 'Status.JVM.CPU.Time', 'Status.EventLoop.Delay.Max']);
    expect(value(r.body, 'Status.JVM.Memory.Heap.Used')).toBeGreaterThan(1_000_000);
    const ids = (await get(`/taskmanagers/${tmId}/metrics`)).body.map((e: { id: string }) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['Status.JVM.GarbageCollector.Scavenge.Count', 'Status.JVM.Threads.Count', 'Status.JVM.CPU.Load', 'Status.Shuffle.Netty.TotalMemorySegments', 'Status.Shuffle.Netty.UsedMemory']));
    const missing = await get('/taskmanagers/no-such-tm/metrics');
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]).toBe('Could not find TaskExecutor no-such-tm.');
  });
});

describe('aggregated over TaskManagers and jobs', () => {
  it('GET /taskmanagers/metrics and /jobs/metrics aggregate one metric over components (filters taskmanagers=, jobs=)', async () => {
    const tm = (await get('/taskmanagers/metrics?get=Status.JVM.Memory.Heap.Used&agg=min,sum')).body;
    expect(tm).toEqual([{ id: 'Status.JVM.Memory.Heap.Used', min: expect.any(Number), sum: expect.any(Number) }]);
    expect(tm[0].sum).toBe(tm[0].min); // one TaskManager
    expect((await get('/taskmanagers/metrics?get=Status.JVM.Memory.Heap.Used&taskmanagers=nope')).body).toEqual([]);
    expect((await get('/taskmanagers/metrics')).body).toEqual(expect.arrayContaining([{ id: 'Status.JVM.CPU.Load' }]));
    const jobs = (await get(`/jobs/metrics?get=numRestarts,noSuchMetric&jobs=${jobId}`)).body;
    expect(jobs).toEqual([{ id: 'numRestarts', min: 0, max: 0, avg: 0, sum: 0 }]);
    expect((await get('/jobs/metrics?get=numRestarts&agg=p99')).status).toBe(400);
  });
});

describe('job and vertex metrics', () => {
  it('GET /jobs/:jobid/metrics: the JobManager job scope (restarts, state times, checkpoints)', async () => {
    const r = await get(`/jobs/${jobId}/metrics?get=numRestarts,runningTime,totalNumberOfCheckpoints,lastCheckpointExternalPath`);
    expect(r.body).toEqual([
      { id: 'numRestarts', value: '0' }, { id: 'runningTime', value: expect.stringMatching(/^\d+$/) },
      { id: 'totalNumberOfCheckpoints', value: '0' }, { id: 'lastCheckpointExternalPath', value: 'n/a' },
    ]);
    expect(Number(r.body[1].value)).toBeGreaterThan(0);
  });

  it('GET /jobs/:jobid/vertices/:vid/metrics: <subtask>.<name> and <subtask>.<operator>.<name>, counters that grow', async () => {
    const ids = (await get(`/jobs/${jobId}/vertices/${sourceVertex}/metrics`)).body.map((e: { id: string }) => e.id);
    for (const i of [0, 1]) {
      for (const n of ['numRecordsOut', 'numRecordsOutPerSecond', 'numBytesOut', 'busyTimeMsPerSecond', 'idleTimeMsPerSecond', 'backPressuredTimeMsPerSecond', 'isBackPressured', 'currentInputWatermark', 'checkpointAlignmentTime', 'checkpointStartDelayNanos', 'Shuffle.Netty.Output.Buffers.outPoolUsage']) expect(ids).toContain(`${i}.${n}`);
      for (const n of ['numRecordsIn', 'numRecordsOut', 'numRecordsInPerSecond', 'currentOutputWatermark', 'region.eu.seen', 'region.eu.seenRate', 'valueMod_p99', 'lastValue']) expect(ids).toContain(`${i}.Tagged.${n}`);
    }
    const q = (names: string[]) => get(`/jobs/${jobId}/vertices/${sourceVertex}/metrics?get=${names.join(',')}`);
    const a = (await q(['0.Tagged.numRecordsIn', '0.Tagged.region.eu.seen', '0.numRecordsOut'])).body;
    await new Promise((r) => setTimeout(r, 300));
    const b = (await q(['0.Tagged.numRecordsIn', '0.Tagged.region.eu.seen', '0.numRecordsOut', '0.Tagged.currentOutputWatermark', '0.Tagged.region.eu.seenRate'])).body;
    expect(value(b, '0.Tagged.numRecordsIn')).toBeGreaterThan(value(a, '0.Tagged.numRecordsIn'));
    expect(value(b, '0.numRecordsOut')).toBeGreaterThan(value(a, '0.numRecordsOut'));
    // The chained map's user counter and its numRecordsIn count the same records; the map saw no more than the task sent.
    expect(Math.abs(value(b, '0.Tagged.region.eu.seen') - value(b, '0.Tagged.numRecordsIn'))).toBeLessThanOrEqual(0);
    expect(value(b, '0.Tagged.region.eu.seenRate')).toBeGreaterThan(0);
    expect(value(b, '0.Tagged.currentOutputWatermark')).toBeGreaterThan(-1);
  });

  it('GET …/subtasks/metrics aggregates over subtasks (agg, subtasks) and leaves unknown names out; bad agg is a 400', async () => {
    const r = await get(`/jobs/${jobId}/vertices/${sinkVertex}/subtasks/metrics?get=numRecordsIn,noSuchMetric&agg=min,max,sum`);
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    const m = r.body[0];
    expect(Object.keys(m).sort()).toEqual(['id', 'max', 'min', 'sum']);
    expect(m.id).toBe('numRecordsIn');
    expect(m.sum).toBeGreaterThanOrEqual(m.max);
    expect(m.max).toBeGreaterThanOrEqual(m.min);
    const one = (await get(`/jobs/${jobId}/vertices/${sinkVertex}/subtasks/metrics?get=numRecordsIn&subtasks=1`)).body[0];
    expect(Object.keys(one).sort()).toEqual(['avg', 'id', 'max', 'min', 'sum']);
    expect(one.min).toBe(one.max);
    expect((await get(`/jobs/${jobId}/vertices/${sinkVertex}/subtasks/metrics`)).body).toEqual(expect.arrayContaining([{ id: 'numRecordsIn' }, { id: 'Slow sink.numRecordsIn' }]));
    const bad = await get(`/jobs/${jobId}/vertices/${sinkVertex}/subtasks/metrics?get=numRecordsIn&agg=median`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatch(/Invalid agg 'median': expected a comma-separated list of min, max, avg, sum/);
    const sub = await get(`/jobs/${jobId}/vertices/${sinkVertex}/subtasks/1/metrics?get=numRecordsIn`);
    expect(sub.body).toEqual([{ id: 'numRecordsIn', value: expect.stringMatching(/^\d+$/) }]);
    expect((await get(`/jobs/${jobId}/vertices/${sinkVertex}/subtasks/2/metrics`)).status).toBe(404);
  });

  it('GET …/watermarks: <subtask>.currentInputWatermark per subtask', async () => {
    await waitFor('a watermark at the sink', async () => {
      const w = (await get(`/jobs/${jobId}/vertices/${sinkVertex}/watermarks`)).body as Array<{ id: string; value: string }>;
      return w.length === 2 && w.every((e) => Number(e.value) > 0);
    }, 10_000, 100);
    const w = (await get(`/jobs/${jobId}/vertices/${sinkVertex}/watermarks`)).body;
    expect(w.map((e: { id: string }) => e.id)).toEqual(['0.currentInputWatermark', '1.currentInputWatermark']);
  });

  it('GET …/backpressure: Flink\'s levels from the back-pressured time ratio', async () => {
    const r = await get(`/jobs/${jobId}/vertices/${sourceVertex}/backpressure`);
    expect(r.body.status).toBe('ok');
    expect(['ok', 'low', 'high']).toContain(r.body.backpressureLevel);
    expect(r.body['end-timestamp']).toBeGreaterThan(0);
    expect(r.body.subtasks).toHaveLength(2);
    for (const s of r.body.subtasks) {
      expect(Object.keys(s).sort()).toEqual(['attempt-number', 'backpressureLevel', 'busyRatio', 'idleRatio', 'ratio', 'subtask']);
      expect(s.ratio).toBeGreaterThanOrEqual(0);
      expect(s.ratio + s.idleRatio + s.busyRatio).toBeLessThanOrEqual(1.2);
    }
  });

  it('GET …/subtasktimes and /jobs/:jobid/config', async () => {
    const t = (await get(`/jobs/${jobId}/vertices/${sinkVertex}/subtasktimes`)).body;
    expect(t).toMatchObject({ id: sinkVertex, name: expect.stringContaining('Slow sink') });
    expect(t.subtasks).toHaveLength(2);
    expect(t.subtasks[0].timestamps.RUNNING).toBeGreaterThan(t.subtasks[0].timestamps.DEPLOYING);
    expect(t.subtasks[0].timestamps.FINISHED).toBe(0);
    expect(t.subtasks[0].host).toBe('127.0.0.1');
    const c = (await get(`/jobs/${jobId}/config`)).body;
    expect(c).toMatchObject({ jid: jobId, name: 'metrics-job' });
    expect(c['execution-config']).toMatchObject({ 'execution-mode': 'PIPELINED', 'job-parallelism': 2, 'object-reuse-mode': false, 'restart-strategy': expect.stringMatching(/^NoRestart/) });
  });

  it('unknown jobs and vertices are 404 JSON errors that say where to look', async () => {
    const j = await get(`/jobs/${'0'.repeat(32)}/vertices/${sinkVertex}/metrics`);
    expect(j.status).toBe(404);
    expect(j.body.errors[0]).toBe(`Job ${'0'.repeat(32)} not found`);
    for (const p of ['metrics', 'subtasks/metrics', 'watermarks', 'backpressure', 'subtasktimes']) {
      const v = await get(`/jobs/${jobId}/vertices/${'a'.repeat(32)}/${p}`);
      expect(v.status).toBe(404);
      expect(v.body.errors).toEqual([`Vertex ${'a'.repeat(32)} not found in job ${jobId}`, `GET /jobs/${jobId} lists its vertices.`]);
    }
    expect((await get(`/jobs/${'0'.repeat(32)}/config`)).status).toBe(404);
    expect((await get('/jobs/xyz/config')).status).toBe(400);
  });
});

describe('a back-pressured job', () => {
  it('a source ahead of a sink that cannot keep up is back-pressured (level high), the sink is busy', async () => {
    const main = await loadJobMain(bundle);
    const args = ['slow-job', '0.05'];
    const sg = await captureStreamGraph(main, args, { baseConfiguration: new Configuration(), defaultParallelism: 2, executionIndex: 0, what: 'test client' });
    const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
    const slow = await client.submitJob({ jobGraph, args, defaultParallelism: 2, baseConfiguration: {} }, bundle);
    try {
      const d = (await get(`/jobs/${slow}`)).body;
      const src = d.vertices.find((v: { name: string }) => v.name.includes('Numbers')).id;
      const sink = d.vertices.find((v: { name: string }) => v.name.includes('Slow sink')).id;
      let bp: { backpressureLevel: string; subtasks: Array<{ backpressureLevel: string; ratio: number }> } = { backpressureLevel: 'ok', subtasks: [] };
      await waitFor('back-pressure at every source subtask', async () => {
        bp = (await get(`/jobs/${slow}/vertices/${src}/backpressure`)).body;
        return bp.backpressureLevel === 'high' && bp.subtasks.every((s) => s.backpressureLevel === 'high');
      }, 30_000, 200);
      expect(bp.subtasks).toHaveLength(2);
      expect(bp.subtasks.every((s: { backpressureLevel: string; ratio: number }) => s.backpressureLevel === 'high' && s.ratio > 0.5)).toBe(true);
      const isBp = (await get(`/jobs/${slow}/vertices/${src}/subtasks/metrics?get=isBackPressured,backPressuredTimeMsPerSecond&agg=max`)).body;
      expect(isBp.find((m: { id: string }) => m.id === 'backPressuredTimeMsPerSecond').max).toBeGreaterThan(500);
      const busy = (await get(`/jobs/${slow}/vertices/${sink}/subtasks/metrics?get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond&agg=max`)).body;
      expect(busy.find((m: { id: string }) => m.id === 'busyTimeMsPerSecond').max).toBeGreaterThan(300);
      expect((await get(`/jobs/${slow}/vertices/${sink}/backpressure`)).body.backpressureLevel).toBe('ok');
      // The sink's input buffers are full while it cannot keep up.
      const pool = (await get(`/jobs/${slow}/vertices/${sink}/subtasks/metrics?get=Shuffle.Netty.Input.Buffers.inPoolUsage,Shuffle.Netty.Input.Buffers.inputQueueLength&agg=max`)).body;
      expect(pool.find((m: { id: string }) => m.id === 'Shuffle.Netty.Input.Buffers.inPoolUsage').max).toBeGreaterThan(0.2);
      expect(pool.find((m: { id: string }) => m.id === 'Shuffle.Netty.Input.Buffers.inputQueueLength').max).toBeGreaterThan(0);
    } finally {
      await client.cancelJob(slow).catch(() => undefined);
    }
  }, 60_000);
});

describe('checkpoint metrics', () => {
  it('a checkpointing job reports checkpointStartDelayNanos / checkpointAlignmentTime per subtask and completed checkpoints on the job', async () => {
    const main = await loadJobMain(bundle);
    const args = ['checkpointed', '0'];
    const base = { 'execution.checkpointing.interval': '200 ms' };
    const sg = await captureStreamGraph(main, args, { baseConfiguration: Configuration.fromMap(base), defaultParallelism: 2, executionIndex: 0, what: 'test client' });
    const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
    const cp = await client.submitJob({ jobGraph, args, defaultParallelism: 2, baseConfiguration: base }, bundle);
    try {
      await waitFor('two completed checkpoints', async () => value((await get(`/jobs/${cp}/metrics?get=numberOfCompletedCheckpoints`)).body, 'numberOfCompletedCheckpoints') >= 2, 30_000, 100);
      const d = (await get(`/jobs/${cp}`)).body;
      const sink = d.vertices.find((v: { name: string }) => v.name.includes('Slow sink')).id;
      // The sink takes its checkpoints on barriers from two source subtasks: a start delay, an alignment time (ns).
      await waitFor('checkpoint metrics at the sink', async () => {
        const m = (await get(`/jobs/${cp}/vertices/${sink}/subtasks/metrics?get=checkpointStartDelayNanos,checkpointAlignmentTime&agg=max`)).body as Array<{ id: string; max: number }>;
        return m.length === 2 && m.find((x) => x.id === 'checkpointStartDelayNanos')!.max > 0;
      }, 10_000, 100);
      const job = (await get(`/jobs/${cp}/metrics?get=lastCheckpointDuration,lastCheckpointSize,totalNumberOfCheckpoints`)).body;
      expect(value(job, 'lastCheckpointDuration')).toBeGreaterThanOrEqual(0);
      expect(value(job, 'totalNumberOfCheckpoints')).toBeGreaterThanOrEqual(2);
    } finally {
      await client.cancelJob(cp).catch(() => undefined);
    }
  });
});

describe('logs and thread dumps', () => {
  it('GET /jobmanager/logs, /log, /stdout, /logs/:name read env.log.dir', async () => {
    const list = (await get('/jobmanager/logs')).body.logs;
    expect(list.map((l: { name: string }) => l.name)).toEqual(expect.arrayContaining(['jobmanager.log', 'jobmanager.out']));
    expect(list[0]).toEqual({ name: expect.any(String), size: expect.any(Number), mtime: expect.any(Number) });
    const log = await get('/jobmanager/log');
    expect(log.type).toMatch(/^text\/plain/);
    expect(log.text).toBe('line one\nline two\n');
    expect((await get('/jobmanager/stdout')).text).toBe('printed\n');
    expect((await get('/jobmanager/logs/jobmanager.out')).text).toBe('printed\n');
    const missing = await get('/jobmanager/logs/nope.log');
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]).toMatch(/Log file 'nope.log' does not exist/);
    expect((await get('/jobmanager/logs/..%2Fsecret')).status).toBe(400);
    expect((await get('/jobmanager/thread-dump')).body.threadInfos[0]).toMatchObject({ threadName: 'main', stringifiedThreadInfo: expect.stringContaining('event loop') });
  });

  it('an in-process TaskManager has no log files of its own; its thread dump is the shared thread; unknown ids are 404', async () => {
    expect((await get(`/taskmanagers/${tmId}/logs`)).body).toEqual({ logs: [] });
    const log = await get(`/taskmanagers/${tmId}/log`);
    expect(log.status).toBe(404);
    expect(log.body.errors[0]).toMatch(/runs inside the JobManager process/);
    expect((await get(`/taskmanagers/${tmId}/thread-dump`)).body.threadInfos[0].threadName).toBe('main');
    for (const p of ['logs', 'log', 'stdout', 'thread-dump', 'logs/x.log']) expect((await get(`/taskmanagers/nope/${p}`)).status).toBe(404);
  });
});
