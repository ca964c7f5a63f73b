// The REST API over real HTTP, against an in-process cluster (MiniCluster + in-thread TaskExecutor).
// Jobs are submitted as a client does: a bundle of fixtures/rest-job.ts plus its JobGraph.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { MiniCluster } from '../minicluster/MiniCluster.js';
import { TaskExecutor } from '../taskmanager/TaskExecutor.js';
import { Configuration } from '../configuration/index.js';
import { loadJobMain, type JobBundle } from '../usercode/JobBundle.js';
import { bundleJob } from '../client/JobBundler.js';
import { captureStreamGraph } from '../usercode/PlanningEnvironment.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import type { JobSubmissionInfo } from '../jobmanager/gateways.js';
import { waitFor } from '../testing/waitFor.js';
import { RestServerEndpoint } from './RestServerEndpoint.js';
import { silentRestLogger } from './RestLogger.js';
import { ClusterUnreachableException, JobCancellationException, RestClientException, RestClusterClient } from '../client/RestClusterClient.js';
import { JobExecutionException } from '../jobmanager/jobmaster/JobResult.js';
import type { JobSubmitRequestBody } from './messages/JobSubmitRequestBody.js';

const fixture = resolve(import.meta.dirname, 'fixtures', 'rest-job.ts');
const SLOTS = 4;

let dir: string;
let uploadDir: string;
let bundle: JobBundle;
let cluster: MiniCluster;
let endpoint: RestServerEndpoint;
let base: string;
let client: RestClusterClient;

function startCluster(): MiniCluster {
  const c = new MiniCluster();
  const te = new TaskExecutor(SLOTS, (id) => c.dispatcher.jobMasterGateway(id), (id) => c.dispatcher.userGraph(id),
    { bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8 }, 200);
  c.addTaskExecutor(te, SLOTS);
  return c;
}

/** The JobGraph a client builds for the fixture in `mode` (what `tsflink run -m` does). */
async function jobInfo(args: string[], parallelism = 2): Promise<Omit<JobSubmissionInfo, 'bundle'>> {
  const main = await loadJobMain(bundle);
  const sg = await captureStreamGraph(main, args, { baseConfiguration: new Configuration(), defaultParallelism: parallelism, executionIndex: 0, what: 'test client' });
  const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
  return { jobGraph, args, defaultParallelism: parallelism, baseConfiguration: {} };
}

async function get(path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`${base}${path}`);
  return { status: r.status, body: await r.json() };
}

async function send(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(`${base}${path}`, { method, ...(body !== undefined ? { body } : {}), headers });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
}

/** A multipart submission, with overrides of the request JSON and of the file part. */
async function submitForm(info: Omit<JobSubmissionInfo, 'bundle'>, opts: { request?: Partial<JobSubmitRequestBody> | string | null; file?: Blob | null; fileName?: string; extraFile?: boolean } = {}): Promise<FormData> {
  const bytes = await readFile(bundle.path);
  const form = new FormData();
  if (opts.request !== null) {
    const req = typeof opts.request === 'string' ? opts.request : JSON.stringify({ ...info, bundleHash: bundle.hash, ...opts.request });
    form.set('request', req);
  }
  if (opts.file !== null) form.set('bundle', opts.file ?? new Blob([bytes]), opts.fileName ?? basename(bundle.path));
  if (opts.extraFile) form.append('other', new Blob([bytes]), 'other.mjs');
  return form;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-rest-'));
  uploadDir = join(dir, 'uploads');
  bundle = await bundleJob(fixture, { outDir: join(dir, 'bundles') });
  cluster = startCluster();
  const conf = new Configuration().setString('rest.port', '0').setString('security.cluster.secret', 'do-not-serve');
  endpoint = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: conf, uploadDir, logger: silentRestLogger });
  const { address, port } = await endpoint.start();
  expect(address).toBe('127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  client = new RestClusterClient({ address: '127.0.0.1', port, maxPollIntervalMs: 50 });
});

afterAll(async () => {
  await endpoint?.close();
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cluster endpoints', () => {
  it('GET /config', async () => {
    const r = await get('/config');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['features', 'flink-revision', 'flink-version', 'refresh-interval', 'timezone-name', 'timezone-offset']);
    expect(r.body['refresh-interval']).toBe(3000);
    expect(r.body.features).toEqual({ 'web-submit': true, 'web-cancel': true, 'web-rescale': false, 'web-history': false });
  });

  it('GET /jobmanager/config hides secrets', async () => {
    const r = await get('/jobmanager/config');
    expect(r.status).toBe(200);
    expect(r.body).toContainEqual({ key: 'rest.port', value: '0' });
    expect(r.body).toContainEqual({ key: 'security.cluster.secret', value: '******' });
  });

  it('GET /overview', async () => {
    const r = await get('/overview');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ taskmanagers: 1, 'slots-total': SLOTS });
    for (const k of ['slots-available', 'jobs-running', 'jobs-finished', 'jobs-cancelled', 'jobs-failed', 'flink-version', 'flink-commit']) expect(r.body).toHaveProperty([k]);
  });

  it('GET /taskmanagers and /taskmanagers/:id', async () => {
    const r = await get('/taskmanagers');
    expect(r.status).toBe(200);
    expect(r.body.taskmanagers).toHaveLength(1);
    const tm = r.body.taskmanagers[0];
    for (const k of ['id', 'path', 'dataPort', 'jmxPort', 'timeSinceLastHeartbeat', 'slotsNumber', 'freeSlots', 'totalResource', 'freeResource', 'hardware', 'memoryConfiguration', 'blocked']) expect(tm).toHaveProperty([k]);
    expect(tm.slotsNumber).toBe(SLOTS);
    expect(tm.totalResource).toHaveProperty('cpuCores');
    expect(tm.hardware).toHaveProperty('physicalMemory');
    const d = await get(`/taskmanagers/${tm.id}`);
    expect(d.status).toBe(200);
    expect(d.body.id).toBe(tm.id);
    expect(Array.isArray(d.body.allocatedSlots)).toBe(true);
    expect(d.body.metrics).toHaveProperty('garbageCollectors');
    expect((await get('/taskmanagers/no-such-tm')).status).toBe(404);
    expect((await get('/taskmanagers/bad%20id')).status).toBe(400);
  });

  it('optional /v1 prefix, unknown routes 404, wrong methods 405', async () => {
    expect((await get('/v1/overview')).status).toBe(200);
    const nf = await get('/nope');
    expect(nf.status).toBe(404);
    expect(nf.body).toEqual({ errors: ['Not found: /nope'] });
    const m = await send('DELETE', '/jobs');
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toContain('GET');
    expect(m.body.errors[0]).toContain('DELETE');
    expect((await send('POST', '/overview')).status).toBe(405);
  });
});

describe('job lifecycle', () => {
  it('submit → RUNNING → FINISHED, with details, overview, plan, result', async () => {
    const info = await jobInfo(['bounded']);
    const jobId = await client.submitJob(info, bundle);
    expect(jobId).toBe(info.jobGraph.jobId);
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    const ids = await get('/jobs');
    expect(ids.body.jobs).toContainEqual({ id: jobId, status: expect.stringMatching(/^(CREATED|RUNNING|FINISHED)$/) });

    const result = await client.waitForResult(jobId);
    expect(result.getJobID()).toBe(jobId);
    expect(result.getNetRuntime()).toBeGreaterThanOrEqual(0);

    const d = (await get(`/jobs/${jobId}`)).body;
    for (const k of ['jid', 'name', 'isStoppable', 'state', 'job-type', 'start-time', 'end-time', 'duration', 'maxParallelism', 'now', 'timestamps', 'vertices', 'status-counts', 'plan']) expect(d).toHaveProperty([k]);
    expect(d).toMatchObject({ jid: jobId, name: 'rest-bounded', state: 'FINISHED', 'job-type': 'STREAMING' });
    expect(d['end-time']).toBeGreaterThanOrEqual(d['start-time']);
    expect(d.duration).toBe(d['end-time'] - d['start-time']);
    expect(d.timestamps.FINISHED).toBeGreaterThan(0);
    expect(d.timestamps.RUNNING).toBeGreaterThan(0);
    expect(d.timestamps.FAILED).toBe(0);
    expect(d.vertices.length).toBe(info.jobGraph.vertices.length);
    for (const v of d.vertices) {
      for (const k of ['id', 'name', 'maxParallelism', 'parallelism', 'status', 'start-time', 'end-time', 'duration', 'tasks', 'metrics']) expect(v).toHaveProperty([k]);
      expect(v.status).toBe('FINISHED');
      expect(v.tasks.FINISHED).toBe(v.parallelism);
      expect(v.tasks.RUNNING).toBe(0);
      expect(v['start-time']).toBeGreaterThan(0);
      expect(v.metrics).toHaveProperty('read-records-complete');
      expect(v.metrics['read-records-complete']).toBe(true);
    }
    // fromSequence(1, 300) → Pair sends 300 records over the keyBy to Summer.
    const byId = new Map(d.vertices.map((v: { id: string; metrics: Record<string, number> }) => [v.id, v.metrics]));
    const edge = info.jobGraph.edges[0]!;
    expect(byId.get(edge.sourceVertexId)).toMatchObject({ 'write-records': 300, 'read-records': 0 });
    expect(byId.get(edge.targetVertexId)).toMatchObject({ 'read-records': 300, 'write-records': 0 });
    expect(d['status-counts'].FINISHED).toBe(d.vertices.length);

    const ov = (await get('/jobs/overview')).body.jobs.find((j: { jid: string }) => j.jid === jobId);
    expect(ov).toMatchObject({ jid: jobId, name: 'rest-bounded', state: 'FINISHED' });
    for (const k of ['start-time', 'end-time', 'duration', 'last-modification']) expect(typeof ov[k]).toBe('number');
    expect(ov.tasks.total).toBe(ov.tasks.finished);
    expect(Object.keys(ov.tasks).sort()).toEqual(['canceled', 'canceling', 'created', 'deploying', 'failed', 'finished', 'initializing', 'reconciling', 'running', 'scheduled', 'total']);

    const plan = (await get(`/jobs/${jobId}/plan`)).body.plan;
    expect(plan).toMatchObject({ jid: jobId, name: 'rest-bounded', type: 'STREAMING' });
    const withInput = plan.nodes.find((n: { inputs?: unknown[] }) => n.inputs);
    expect(withInput.inputs[0]).toMatchObject({ num: 0, ship_strategy: 'HASH', exchange: 'pipelined_bounded' });
    expect(plan.nodes.map((n: { id: string }) => n.id)).toContain(withInput.inputs[0].id);
    for (const n of plan.nodes) for (const k of ['id', 'parallelism', 'operator', 'operator_strategy', 'description', 'optimizer_properties']) expect(n).toHaveProperty([k]);
    expect(plan.nodes.some((n: { description: string }) => n.description.includes('Summer'))).toBe(true);

    const er = (await get(`/jobs/${jobId}/execution-result`)).body;
    expect(er.status.id).toBe('COMPLETED');
    expect(er['job-execution-result']).toMatchObject({ id: jobId, 'application-status': 'SUCCEEDED' });

    const ex = (await get(`/jobs/${jobId}/exceptions`)).body;
    expect(ex.exceptionHistory).toEqual({ entries: [], truncated: false });
    expect(ex['root-exception']).toBeNull();

    const overview = (await get('/overview')).body;
    expect(overview['jobs-finished']).toBeGreaterThanOrEqual(1);
    expect((await client.listJobs()).map((j) => j.jid)).toContain(jobId);
    expect(await client.getJobStatus(jobId)).toBe('FINISHED');
  });

  it('while the JobManager rebuilds a slow main, the job is INITIALIZING (not 404), then runs', async () => {
    const info = await jobInfo(['slow', '1200']);
    const jobId = info.jobGraph.jobId;
    const submitted = client.submitJob(info, bundle); // answers once the rebuild is done
    const d = await waitFor('the job to appear', async () => {
      const r = await get(`/jobs/${jobId}`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(d).toMatchObject({ jid: jobId, name: 'rest-slow', state: 'INITIALIZING', 'end-time': -1 });
    expect(d.timestamps.INITIALIZING).toBeGreaterThan(0);
    expect(d.timestamps.CREATED).toBe(0);
    expect(d.vertices.length).toBe(info.jobGraph.vertices.length);
    for (const v of d.vertices) {
      expect(v.status).toBe('CREATED');
      expect(v.tasks.CREATED).toBe(v.parallelism);
      expect(v.metrics['read-records']).toBe(0);
    }
    const ov = (await get('/jobs/overview')).body.jobs.find((j: { jid: string }) => j.jid === jobId);
    expect(ov).toMatchObject({ state: 'INITIALIZING' });
    expect(ov.tasks.created).toBe(ov.tasks.total);
    expect((await get('/jobs')).body.jobs).toContainEqual({ id: jobId, status: 'INITIALIZING' });
    expect((await get(`/jobs/${jobId}/execution-result`)).body).toEqual({ status: { id: 'IN_PROGRESS' } });
    expect(await client.getJobStatus(jobId)).toBe('INITIALIZING');

    expect(await submitted).toBe(jobId);
    await client.waitForResult(jobId);
    const done = (await get(`/jobs/${jobId}`)).body;
    expect(done.state).toBe('FINISHED');
    expect(done.timestamps.CREATED).toBeGreaterThanOrEqual(done.timestamps.INITIALIZING);
    expect(done.timestamps.RUNNING).toBeGreaterThanOrEqual(done.timestamps.CREATED);
  });

  it('a job cancelled while INITIALIZING ends CANCELED without running', async () => {
    const info = await jobInfo(['slow', '800']);
    const jobId = info.jobGraph.jobId;
    const submitted = client.submitJob(info, bundle);
    await waitFor('INITIALIZING', async () => ((await get(`/jobs/${jobId}`)).body.state === 'INITIALIZING' ? true : undefined));
    expect((await send('PATCH', `/jobs/${jobId}?mode=cancel`)).status).toBe(202);
    expect(await submitted).toBe(jobId);
    await expect(client.waitForResult(jobId)).rejects.toBeInstanceOf(JobCancellationException);
    const d = (await get(`/jobs/${jobId}`)).body;
    expect(d.state).toBe('CANCELED');
    expect(d.timestamps.RUNNING).toBe(0);
    expect(d.vertices.every((v: { status: string }) => v.status === 'CANCELED')).toBe(true);
  });

  it('an unbounded job runs until PATCH ?mode=cancel, then ends CANCELED', async () => {
    const info = await jobInfo(['unbounded']);
    const jobId = await client.submitJob(info, bundle);
    const running = await waitFor('RUNNING tasks', async () => {
      const d = (await get(`/jobs/${jobId}`)).body;
      return d.state === 'RUNNING' && d.vertices.every((v: { status: string }) => v.status === 'RUNNING') ? d : undefined;
    });
    expect(running['end-time']).toBe(-1);
    expect(running.vertices[0].tasks.RUNNING).toBe(running.vertices[0].parallelism);
    expect((await get('/overview')).body['jobs-running']).toBeGreaterThanOrEqual(1);
    const ov = (await get('/jobs/overview')).body.jobs.find((j: { jid: string }) => j.jid === jobId);
    expect(ov.tasks.running).toBe(ov.tasks.total);
    expect((await get(`/jobs/${jobId}/execution-result`)).body).toEqual({ status: { id: 'IN_PROGRESS' } });

    const c = await send('PATCH', `/jobs/${jobId}?mode=cancel`);
    expect(c.status).toBe(202);
    expect(c.body).toEqual({});
    const err = await client.waitForResult(jobId).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(JobCancellationException);
    expect((err as Error).name).toBe('JobCancellationException');
    const d = (await get(`/jobs/${jobId}`)).body;
    expect(d.state).toBe('CANCELED');
    expect(d.timestamps.CANCELLING).toBeGreaterThan(0);
    expect(d.vertices.every((v: { status: string }) => v.status === 'CANCELED')).toBe(true);
    expect((await get(`/jobs/${jobId}/execution-result`)).body['job-execution-result']['application-status']).toBe('CANCELED');
    // Cancelling again is harmless; a finished job cannot be cancelled (409).
    expect((await send('PATCH', `/jobs/${jobId}?mode=cancel`)).status).toBe(202);
    const finished = (await get('/jobs/overview')).body.jobs.find((j: { state: string }) => j.state === 'FINISHED');
    const conflict = await send('PATCH', `/jobs/${finished.jid}?mode=cancel`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.errors[0]).toContain('FINISHED');
  });

  it('a failing job: /exceptions has the root cause; the client rejects with the user error and location', async () => {
    const info = await jobInfo(['fail']);
    const jobId = await client.submitJob(info, bundle);
    const err = await client.waitForResult(jobId).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(JobExecutionException);
    const e = err as JobExecutionException;
    expect(e.message).toContain('RangeError: record 77 is out of range');
    expect(e.location).toMatch(/Validator \(\d\/2\)/);
    expect(e.stack).toContain('rest-job.ts');
    const ex = (await get(`/jobs/${jobId}/exceptions`)).body;
    expect(ex['root-exception']).toContain('record 77 is out of range');
    const entry = ex.exceptionHistory.entries[0];
    for (const k of ['exceptionName', 'stacktrace', 'timestamp', 'taskName', 'location', 'taskManagerId', 'failureLabels', 'concurrentExceptions']) expect(entry).toHaveProperty([k]);
    expect(entry.exceptionName).toBe('RangeError');
    expect(entry.taskName).toMatch(/\(\d\/2\)$/);
    expect(entry.location).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(entry.taskManagerId).toBe((await get('/taskmanagers')).body.taskmanagers[0].id);
    const limited = (await get(`/jobs/${jobId}/exceptions?maxExceptions=0`)).body;
    expect(limited.exceptionHistory).toEqual({ entries: [], truncated: true });
    expect((await get(`/jobs/${jobId}`)).body.state).toBe('FAILED');
    expect((await get(`/jobs/${jobId}/execution-result`)).body['job-execution-result']['failure-cause'].class).toBe('RangeError');
  });
});

describe('bad input', () => {
  let info: Omit<JobSubmissionInfo, 'bundle'>;
  beforeAll(async () => { info = await jobInfo(['bounded']); });
  const post = async (form: FormData) => send('POST', '/jobs', form);
  const fresh = async () => { const i = await jobInfo(['bounded']); return i; };

  it('unknown job id → 404, malformed job id → 400', async () => {
    const id = randomBytes(16).toString('hex');
    for (const p of ['', '/plan', '/exceptions', '/execution-result']) {
      const r = await get(`/jobs/${id}${p}`);
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ errors: [`Job ${id} not found`] });
      const b = await get(`/jobs/not-a-job-id${p}`);
      expect(b.status).toBe(400);
      expect(b.body.errors[0]).toContain("Invalid job id 'not-a-job-id'");
    }
    expect((await send('PATCH', `/jobs/${id}?mode=cancel`)).status).toBe(404);
    expect((await send('PATCH', '/jobs/xyz?mode=cancel')).status).toBe(400);
    expect((await send('PATCH', `/jobs/${id}?mode=explode`)).status).toBe(400);
    expect((await send('PATCH', `/jobs/${id}?mode=cancel`, '{"broken', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await get(`/jobs/${id}/exceptions?maxExceptions=-1`)).status).toBe(400);
  });

  it('POST /jobs needs multipart with both parts', async () => {
    const json = await send('POST', '/jobs', JSON.stringify({ jobGraph: info.jobGraph }), { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    expect(json.body.errors[0]).toContain('multipart/form-data');
    const broken = await send('POST', '/jobs', '{"broken', { 'content-type': 'application/json' });
    expect(broken.status).toBe(400);
    const noReq = await post(await submitForm(info, { request: null }));
    expect(noReq.status).toBe(400);
    expect(noReq.body.errors[0]).toContain("Missing part 'request'");
    const noFile = await post(await submitForm(info, { file: null }));
    expect(noFile.status).toBe(400);
    expect(noFile.body.errors[0]).toContain('Missing the job bundle file part');
    const two = await post(await submitForm(info, { extraFile: true }));
    expect(two.status).toBe(400);
    const truncated = await send('POST', '/jobs', '--XYZ\r\nContent-Disposition: form-data; name="request"\r\n\r\n{}', { 'content-type': 'multipart/form-data; boundary=XYZ' });
    expect(truncated.status).toBe(400);
    expect(truncated.body.errors.length).toBeGreaterThan(0);
  });

  it('malformed or invalid request JSON → 400', async () => {
    const bad = await post(await submitForm(info, { request: '{"jobGraph": ' }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toContain("Malformed JSON in part 'request'");
    const invalid = await post(await submitForm(info, { request: { defaultParallelism: 0 } }));
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0]).toContain('defaultParallelism');
    const badGraph = await post(await submitForm(info, { request: { jobGraph: { ...info.jobGraph, jobId: 'nope' } } }));
    expect(badGraph.status).toBe(400);
    expect(badGraph.body.errors[0]).toContain('/jobGraph/jobId');
  });

  it('a bundle that does not match bundleHash → 400', async () => {
    const r = await post(await submitForm(info, { file: new Blob(['export default async function main() {}']) }));
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toContain('bundleHash');
    expect((await post(await submitForm(info, { request: { bundleFileName: 'other.mjs' } }))).status).toBe(400);
  });

  it('file names with directories or absolute paths → 400; nothing is written outside uploadDir', async () => {
    for (const name of ['../../escape.mjs', '/tmp/absolute.mjs', 'sub/dir.mjs', '..\\win.mjs', 'C:\\x.mjs']) {
      const r = await post(await submitForm(info, { fileName: name }));
      expect(r.status, name).toBe(400);
      expect(r.body.errors[0]).toContain('Illegal file name');
    }
    expect(existsSync(join(dir, 'escape.mjs'))).toBe(false);
    expect(existsSync(resolve(uploadDir, '../../escape.mjs'))).toBe(false);
    // Rejected uploads leave nothing behind.
    expect(readdirSync(uploadDir).filter((f) => f.endsWith('.upload'))).toEqual([]);
  });

  it('a job graph that differs from what the bundle builds → 400; a duplicate job id → 409', async () => {
    const mismatch = await post(await submitForm(info, { request: { jobGraph: { ...info.jobGraph, fingerprint: 'tampered' } } }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0]).toContain('differs from the submitted one');
    const i = await fresh();
    expect((await post(await submitForm(i))).status).toBe(202);
    const dup = await post(await submitForm(i));
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0]).toContain('DuplicateJobSubmissionException');
    await client.waitForResult(i.jobGraph.jobId);
  });

  it("a bundle pinned to another installation's runtime is re-pinned to the JobManager's", async () => {
    const foreign = 'file:///elsewhere/tsflink/dist/runtime/index.js';
    const other = await bundleJob(fixture, { outDir: join(dir, 'foreign'), runtimeEntry: '/elsewhere/tsflink/dist/runtime/index.js' });
    const bytes = await readFile(other.path);
    expect(bytes.toString('utf8')).toContain(foreign);
    const i = await fresh();
    const r = await post(await submitForm(i, { file: new Blob([bytes]), fileName: basename(other.path), request: { bundleHash: other.hash, tsflinkRuntime: foreign } }));
    expect(r.status).toBe(202);
    await client.waitForResult(i.jobGraph.jobId);
  });

  it('an upload over rest.server.max-content-length → 413', async () => {
    const small = new RestServerEndpoint({
      dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, uploadDir: join(dir, 'small'), logger: silentRestLogger,
      configuration: new Configuration().setString('rest.port', '0').setString('rest.server.max-content-length', '2 kb'),
    });
    const { port } = await small.start();
    try {
      const r = await fetch(`http://127.0.0.1:${port}/jobs`, { method: 'POST', body: await submitForm(info) });
      expect(r.status).toBe(413);
      expect(((await r.json()) as { errors: string[] }).errors[0]).toContain('rest.server.max-content-length');
      // Without a Content-Length (chunked), the multipart limit catches it.
      const bytes = await readFile(bundle.path);
      const boundary = 'B0UNDARY';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="bundle"; filename="b.mjs"\r\n\r\n`;
      const stream = new ReadableStream({
        start(c) { c.enqueue(new TextEncoder().encode(head)); c.enqueue(bytes); c.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`)); c.close(); },
      });
      const chunked = await fetch(`http://127.0.0.1:${port}/jobs`, { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(readdirSync(join(dir, 'small'))).toEqual([]);
    } finally {
      await small.close();
    }
  });
});

describe('RestClusterClient', () => {
  it('an unreachable cluster names the address and source, with ECONNREFUSED in the cause chain', async () => {
    const c = new RestClusterClient({ address: '127.0.0.1', port: 1, source: 'from -m 127.0.0.1:1' });
    const e = await c.listJobs().then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(ClusterUnreachableException);
    expect((e as Error).message).toContain('http://127.0.0.1:1 (from -m 127.0.0.1:1)');
    expect((e as ClusterUnreachableException).code).toBe('ECONNREFUSED');
  });

  it('fromConfiguration names where rest.address and rest.port were set', () => {
    const conf = new Configuration().setString('rest.address', 'example.invalid', '-D').setString('rest.port', '9999', '-D');
    const c = RestClusterClient.fromConfiguration(conf);
    expect(c.baseUrl).toBe('http://example.invalid:9999');
    expect(c.source).toContain('rest.address=example.invalid set by -D');
  });

  it('server errors surface as RestClientException with the errors body', async () => {
    const e = await client.getJobStatus(randomBytes(16).toString('hex')).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(RestClientException);
    expect((e as RestClientException).status).toBe(404);
  });
});
