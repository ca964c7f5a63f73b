// Task IO metrics through the REST API, on both kinds of in-process TaskManager: the in-thread
// TaskExecutor and worker-thread slots (counters cross the MessagePort; needs the compiled dist/):
// record/byte counters, and busy / idle / back-pressured time (fixtures/time-job.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MiniCluster } from './MiniCluster.js';
import { TaskExecutor } from '../taskmanager/TaskExecutor.js';
import { WorkerTaskExecutor } from '../taskmanager/WorkerTaskExecutor.js';
import { Configuration } from '../configuration/index.js';
import { loadJobMain, type JobBundle } from '../usercode/JobBundle.js';
import { bundleJob } from '../client/JobBundler.js';
import { captureStreamGraph } from '../usercode/PlanningEnvironment.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import type { JobSubmissionInfo } from '../jobmanager/gateways.js';
import { RestServerEndpoint } from '../rest/RestServerEndpoint.js';
import { silentRestLogger } from '../rest/RestLogger.js';
import { JobCancellationException, RestClusterClient } from '../client/RestClusterClient.js';
import { waitFor } from '../testing/waitFor.js';

const fixture = resolve(import.meta.dirname, '..', 'rest', 'fixtures', 'rest-job.ts');
const timeFixture = resolve(import.meta.dirname, 'fixtures', 'time-job.ts');
const HEARTBEAT_MS = 100;

let dir: string;
let bundle: JobBundle;
let timeBundle: JobBundle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-iometrics-'));
  bundle = await bundleJob(fixture, { outDir: join(dir, 'bundles') });
  timeBundle = await bundleJob(timeFixture, { outDir: join(dir, 'time-bundles') });
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

async function jobInfo(args: string[], parallelism = 2, b: JobBundle = bundle): Promise<Omit<JobSubmissionInfo, 'bundle'>> {
  const main = await loadJobMain(b);
  const sg = await captureStreamGraph(main, args, { baseConfiguration: new Configuration(), defaultParallelism: parallelism, executionIndex: 0, what: 'test client' });
  const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
  return { jobGraph, args, defaultParallelism: parallelism, baseConfiguration: {} };
}

type Metrics = Record<string, number | boolean>;
interface Vertex { id: string; metrics: Metrics }
interface Times { busy: number; idle: number; bp: number; duration: number; running: number }
const BUSY = 'accumulated-busy-time';
const IDLE = 'accumulated-idle-time';
const BP = 'accumulated-backpressured-time';

const executors: Array<[string, (c: MiniCluster) => Promise<void>]> = [
  ['in-thread TaskExecutor', async (c) => {
    const te = new TaskExecutor(4, (id) => c.dispatcher.jobMasterGateway(id), (id) => c.dispatcher.userGraph(id),
      { bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8 }, 200, HEARTBEAT_MS);
    c.addTaskExecutor(te, 4);
  }],
  ['worker-thread slots', async (c) => {
    const conf = new Configuration().setString('heartbeat.interval', `${HEARTBEAT_MS} ms`);
    const te = new WorkerTaskExecutor(2, conf, (id) => c.dispatcher.jobMasterGateway(id));
    await te.start();
    c.addTaskExecutor(te, 2);
  }],
];

describe.each(executors)('IO metrics on %s', (_name, addTaskExecutor) => {
  let cluster: MiniCluster;
  let endpoint: RestServerEndpoint;
  let base: string;
  let client: RestClusterClient;
  const get = async (path: string): Promise<{ status: number; body: any }> => {
    const r = await fetch(`${base}${path}`);
    return { status: r.status, body: await r.json() };
  };

  beforeAll(async () => {
    cluster = new MiniCluster();
    await addTaskExecutor(cluster);
    const conf = new Configuration().setString('rest.port', '0');
    endpoint = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf, uploadDir: join(dir, `uploads-${randomBytes(4).toString('hex')}`), logger: silentRestLogger });
    const { port } = await endpoint.start();
    base = `http://127.0.0.1:${port}`;
    client = new RestClusterClient({ address: '127.0.0.1', port, maxPollIntervalMs: 50 });
  });

  afterAll(async () => {
    await endpoint?.close();
    await cluster?.close();
  });

  it('a finished job shows exact record counts per vertex and per subtask, complete', async () => {
    const info = await jobInfo(['counts']);
    expect(info.jobGraph.edges.length).toBe(1);
    const { sourceVertexId, targetVertexId } = info.jobGraph.edges[0]!;
    const jobId = await client.submitJob(info, bundle);
    await client.waitForResult(jobId);

    const d = (await get(`/jobs/${jobId}`)).body;
    expect(d.state).toBe('FINISHED');
    const src = d.vertices.find((v: Vertex) => v.id === sourceVertexId).metrics as Metrics;
    const keyed = d.vertices.find((v: Vertex) => v.id === targetVertexId).metrics as Metrics;
    // Source → map (chained) sends 1000 records over the keyBy; sum → sink (chained) sends nothing on.
    expect(src).toMatchObject({ 'read-records': 0, 'read-bytes': 0, 'write-records': 1000 });
    expect(keyed).toMatchObject({ 'read-records': 1000, 'write-records': 0, 'write-bytes': 0 });
    expect(src['write-bytes']).toBeGreaterThan(1000);
    expect(keyed['read-bytes']).toBe(src['write-bytes']);
    for (const m of [src, keyed]) {
      for (const k of ['read-bytes-complete', 'write-bytes-complete', 'read-records-complete', 'write-records-complete']) expect(m[k]).toBe(true);
    }

    const vd = await get(`/jobs/${jobId}/vertices/${targetVertexId}`);
    expect(vd.status).toBe(200);
    expect(Object.keys(vd.body).sort()).toEqual(['id', 'maxParallelism', 'name', 'now', 'parallelism', 'subtasks']);
    expect(vd.body).toMatchObject({ id: targetVertexId, parallelism: 2 });
    expect(vd.body.subtasks.map((s: { subtask: number }) => s.subtask)).toEqual([0, 1]);
    let read = 0;
    let bytes = 0;
    for (const s of vd.body.subtasks) {
      expect(s).toMatchObject({ status: 'FINISHED', attempt: 0, host: '127.0.0.1', endpoint: expect.stringMatching(/^127\.0\.0\.1:\d+$/), 'taskmanager-id': expect.any(String) });
      expect(s['start-time']).toBeGreaterThan(0);
      expect(s['end-time']).toBeGreaterThanOrEqual(s['start-time']);
      expect(s.duration).toBe(s['end-time'] - s['start-time']);
      expect(s.metrics['read-records-complete']).toBe(true);
      read += s.metrics['read-records'];
      bytes += s.metrics['read-bytes'];
    }
    expect(read).toBe(1000);
    expect(bytes).toBe(keyed['read-bytes']);
    // The key groups of 7 keys spread over both subtasks.
    expect(vd.body.subtasks.every((s: { metrics: Metrics }) => (s.metrics['read-records'] as number) > 0)).toBe(true);

    expect((await get(`/jobs/${jobId}/vertices/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await get(`/jobs/${jobId}/vertices/not-a-vertex`)).status).toBe(400);
    expect((await get(`/jobs/${'0'.repeat(32)}/vertices/${targetVertexId}`)).status).toBe(404);
  });

  /** Per-subtask busy / idle / back-pressured ms of a vertex, and the subtasks' durations (deploy → end). */
  const subtaskTimes = async (jobId: string, vertexId: string): Promise<Times[]> => {
    const vd = await get(`/jobs/${jobId}/vertices/${vertexId}`);
    expect(vd.status).toBe(200);
    const st = await get(`/jobs/${jobId}/vertices/${vertexId}/subtasktimes`);
    expect(st.status).toBe(200);
    const running = new Map<number, number>(st.body.subtasks.map((s: { subtask: number; timestamps: Record<string, number> }) =>
      [s.subtask, s.timestamps.FINISHED! - s.timestamps.RUNNING!]));
    return vd.body.subtasks.map((s: { subtask: number; duration: number; metrics: Metrics }) => ({
      busy: s.metrics[BUSY] as number, idle: s.metrics[IDLE] as number, bp: s.metrics[BP] as number, duration: s.duration, running: running.get(s.subtask)!,
    }));
  };
  /**
   * The three times add up to the subtask's RUNNING span (RUNNING → FINISHED, from subtasktimes) and no more
   * than its duration (deploy → end): deployment and initialization count in none of them (a loaded machine
   * can spend more than 100 ms there, and a source subtask with no split ends right after RUNNING).
   */
  const expectCoversRunningTime = (t: Times): void => {
    const sum = t.busy + t.idle + t.bp;
    expect(Math.min(t.busy, t.idle, t.bp)).toBeGreaterThanOrEqual(0);
    expect(t.running).toBeGreaterThanOrEqual(0);
    expect(t.running).toBeLessThanOrEqual(t.duration);
    expect(sum).toBeLessThanOrEqual(t.duration + 20); // RUNNING is stamped when the JobManager hears of it
    expect(sum).toBeGreaterThanOrEqual(Math.min(t.running * 0.6, t.running - 100));
  };

  it('a slow downstream vertex is busy and back-pressures its upstream vertex', async () => {
    const records = 2000;
    const msPerRecord = 1;
    const info = await jobInfo(['slow-sink', String(records), String(msPerRecord)], 2, timeBundle);
    const { sourceVertexId, targetVertexId } = info.jobGraph.edges[0]!;
    const jobId = await client.submitJob(info, timeBundle);
    await client.waitForResult(jobId);
    const d = (await get(`/jobs/${jobId}`)).body;
    const src = d.vertices.find((v: Vertex) => v.id === sourceVertexId).metrics as Metrics;
    const slow = d.vertices.find((v: Vertex) => v.id === targetVertexId).metrics as Metrics;
    const srcTimes = await subtaskTimes(jobId, sourceVertexId);
    const slowTimes = await subtaskTimes(jobId, targetVertexId);
    for (const t of [...srcTimes, ...slowTimes]) expectCoversRunningTime(t);
    // Every record took msPerRecord of busy-waiting in the slow vertex.
    const slowBusy = slowTimes.reduce((a, t) => a + t.busy, 0);
    expect(slowBusy).toBeGreaterThanOrEqual(records * msPerRecord * 0.95);
    for (const t of slowTimes) expect(t.bp).toBe(0); // it has no network output
    // The source produced far faster than that: most of its running time it waited for credit.
    // (In-thread, one source subtask may take every split and the other end at once: look at the busiest.)
    const producer = srcTimes.reduce((a, t) => (t.bp + t.busy > a.bp + a.busy ? t : a));
    expect(producer.bp).toBeGreaterThan(300);
    expect(producer.bp).toBeGreaterThan(3 * producer.busy);
    for (const t of srcTimes) expect(t.idle).toBeLessThan(100); // its input (the sequence) was always there
    // The vertex reports each time as the maximum over its subtasks.
    expect(src[BP]).toBe(Math.max(...srcTimes.map((t) => t.bp)));
    expect(slow[BUSY]).toBe(Math.max(...slowTimes.map((t) => t.busy)));
    expect(slow[IDLE]).toBe(Math.max(...slowTimes.map((t) => t.idle)));
    expect(slow[BUSY]).toBeGreaterThan(src[BUSY] as number);
  });

  it('downstream of a rate-limited source, tasks are idle most of the time', async () => {
    const records = 300;
    const perSecond = 200; // ~1.5 s
    const info = await jobInfo(['slow-source', String(records), String(perSecond)], 2, timeBundle);
    const { sourceVertexId, targetVertexId } = info.jobGraph.edges[0]!;
    const jobId = await client.submitJob(info, timeBundle);
    await client.waitForResult(jobId);
    const d = (await get(`/jobs/${jobId}`)).body;
    const down = d.vertices.find((v: Vertex) => v.id === targetVertexId).metrics as Metrics;
    const srcTimes = await subtaskTimes(jobId, sourceVertexId);
    const downTimes = await subtaskTimes(jobId, targetVertexId);
    for (const t of [...srcTimes, ...downTimes]) expectCoversRunningTime(t);
    for (const t of downTimes) {
      expect(t.idle).toBeGreaterThan(1000);
      expect(t.idle).toBeGreaterThan(4 * t.busy);
      expect(t.bp).toBe(0);
    }
    // The source waits for its rate limiter: idle, not back-pressured.
    for (const t of srcTimes) { expect(t.idle).toBeGreaterThan(t.busy); expect(t.bp).toBeLessThan(100); }
    expect(down[IDLE]).toBe(Math.max(...downTimes.map((t) => t.idle)));
  });

  it('GET /taskmanagers/:id: heap, network buffer and GC metrics of the TaskManager, read when asked', async () => {
    // Runs after the 'counts' job: its keyBy went through the buffer pools.
    const tm = (await get('/taskmanagers')).body.taskmanagers[0];
    let garbage: unknown[] = [];
    for (let i = 0; i < 200_000; i++) garbage.push({ i, s: `x${i}` }); // some allocation, for the GC counters
    garbage = [];
    // Worker slots answer the previous request: poll until their samples are in.
    const d = await waitFor('TaskManager metrics', async () => {
      const r = await get(`/taskmanagers/${tm.id}`);
      return r.body.metrics.memorySegmentsTotal > 0 && r.body.metrics.garbageCollectors.length > 0 ? r.body : undefined;
    });
    const m = d.metrics;
    expect(Object.keys(m).sort()).toEqual([
      'directCount', 'directMax', 'directUsed', 'garbageCollectors', 'heapCommitted', 'heapMax', 'heapUsed',
      'mappedCount', 'mappedMax', 'mappedUsed', 'memorySegmentsAvailable', 'memorySegmentsTotal',
      'nettyShuffleMemoryAvailable', 'nettyShuffleMemorySegmentsAvailable', 'nettyShuffleMemorySegmentsTotal',
      'nettyShuffleMemorySegmentsUsed', 'nettyShuffleMemoryTotal', 'nettyShuffleMemoryUsed', 'nonHeapCommitted', 'nonHeapMax', 'nonHeapUsed',
    ].sort());
    expect(m.heapUsed).toBeGreaterThan(0);
    expect(m.heapMax).toBeGreaterThanOrEqual(m.heapUsed);
    expect(m.heapCommitted).toBeGreaterThanOrEqual(m.heapUsed);
    expect(m.nonHeapUsed).toBeGreaterThan(0);
    expect(m.directMax).toBeGreaterThanOrEqual(m.directUsed);
    expect(m.memorySegmentsAvailable).toBeLessThanOrEqual(m.memorySegmentsTotal);
    expect(m.nettyShuffleMemoryTotal).toBe(m.memorySegmentsTotal * 32 * 1024);
    expect([m.mappedCount, m.mappedUsed, m.mappedMax]).toEqual([0, 0, 0]);
    expect(m.garbageCollectors.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['Scavenge']));
    for (const g of m.garbageCollectors) { expect(g.count).toBeGreaterThan(0); expect(g.time).toBeGreaterThanOrEqual(0); }
    expect(d.hardware.cpuCores).toBeGreaterThan(0);
    expect(d.hardware.physicalMemory).toBeGreaterThan(0);
    expect(d.hardware.freeMemory).toBe(d.memoryConfiguration.totalFlinkMemory);
    expect(d.memoryConfiguration.frameworkHeap).toBeGreaterThan(0);
    expect(d.memoryConfiguration.totalFlinkMemory).toBe(d.memoryConfiguration.frameworkHeap + d.memoryConfiguration.taskHeap);
  });

  it('a running job reports growing counters with heartbeats, incomplete until it ends', async () => {
    const info = await jobInfo(['unbounded-keyed']);
    const { sourceVertexId, targetVertexId } = info.jobGraph.edges[0]!;
    const jobId = await client.submitJob(info, bundle);
    const metricsOf = async (): Promise<{ state: string; src: Metrics; keyed: Metrics }> => {
      const d = (await get(`/jobs/${jobId}`)).body;
      return { state: d.state, src: d.vertices.find((v: Vertex) => v.id === sourceVertexId).metrics, keyed: d.vertices.find((v: Vertex) => v.id === targetVertexId).metrics };
    };
    const first = await waitFor('first reported records', async () => {
      const m = await metricsOf();
      return (m.keyed['read-records'] as number) > 0 ? m : undefined;
    });
    expect(first.state).toBe('RUNNING');
    expect(first.keyed['read-records-complete']).toBe(false);
    expect(first.src['write-records-complete']).toBe(false);
    expect(first.keyed['read-bytes']).toBeGreaterThan(0);
    expect(first.src['write-records']).toBeGreaterThan(0);
    const later = await waitFor('more records', async () => {
      const m = await metricsOf();
      return (m.keyed['read-records'] as number) > (first.keyed['read-records'] as number) ? m : undefined;
    });
    expect(later.state).toBe('RUNNING');
    // Heartbeats carry the times so far too: a running task's idle time grows (its generator is rate-limited).
    expect(later.keyed[IDLE]).toBeGreaterThanOrEqual(first.keyed[IDLE] as number);
    expect((later.keyed[IDLE] as number) + (later.keyed[BUSY] as number)).toBeGreaterThan(0);

    await client.cancelJob(jobId);
    await expect(client.waitForResult(jobId)).rejects.toBeInstanceOf(JobCancellationException);
    const end = await metricsOf();
    expect(end.state).toBe('CANCELED');
    expect(end.keyed['read-records-complete']).toBe(true);
    expect(end.src['write-records-complete']).toBe(true);
    expect(end.keyed['read-records']).toBeGreaterThanOrEqual(later.keyed['read-records'] as number);
    // What arrived was sent: nothing is received that the source did not emit.
    expect(end.src['write-records']).toBeGreaterThanOrEqual(end.keyed['read-records'] as number);
  });
});
