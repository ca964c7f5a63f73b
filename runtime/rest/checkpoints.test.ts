// The checkpoint REST API (statistics, configuration, manual triggers) and the job metrics, over
// real HTTP against an in-process cluster (MiniCluster + in-thread TaskExecutor) running real
// streaming jobs whose checkpoints complete. Plus unit tests of the trigger body and operations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, DiscardingSink, StreamExecutionEnvironment, WatermarkStrategy } from 'tsflink';
import { MiniCluster } from '../minicluster/MiniCluster.js';
import { TaskExecutor } from '../taskmanager/TaskExecutor.js';
import { Configuration } from '../configuration/index.js';
import { captureStreamGraph } from '../usercode/PlanningEnvironment.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import type { JobGraphSpec } from '../graph/jobgraph/JobGraph.js';
import { waitFor } from '../testing/waitFor.js';
import { RestServerEndpoint } from './RestServerEndpoint.js';
import { silentRestLogger } from './RestLogger.js';
import { CheckpointTriggerOperations, parseCheckpointTriggerRequest } from './messages/CheckpointTrigger.js';
import { PERIODIC_CHECKPOINTING_DISABLED, checkpointConfigInfo } from './messages/CheckpointConfigInfo.js';
import { parseSavepointTriggerRequest, parseStopWithSavepointRequest } from './messages/SavepointTrigger.js';

const SLOTS = 8;
const PARALLELISM = 2;

let dir: string;
let cluster: MiniCluster;
let endpoint: RestServerEndpoint;
let base: string;

/**
 * `keyed`: a keyed running sum over a rate-limited unbounded generator (state in the source and
 * the sum); `chained`: generator → map → sink in one vertex. Jobs running at the same time need
 * different shapes: the in-thread TaskExecutor has one shuffle environment whose partition ids
 * (edge id, subtask, attempt) are not scoped by job.
 */
async function submit(name: string, conf: Record<string, string>, shape: 'keyed' | 'chained' = 'keyed'): Promise<{ jobId: string; jobGraph: JobGraphSpec }> {
  const sg = await captureStreamGraph(async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const ticks = env.fromSource(new DataGeneratorSource((i: number) => i, Infinity, 400), WatermarkStrategy.noWatermarks<number>(), 'Ticks');
    if (shape === 'keyed') {
      ticks.map((n: number): [number, number] => [n % 5, 1]).name('Pair')
        .keyBy((t) => t[0])
        .sum(1).name('Counter')
        .sinkTo(new DiscardingSink<[number, number]>()).name('Discard');
    } else {
      ticks.map((n: number) => n + 1).name('Increment').sinkTo(new DiscardingSink<number>()).name('Discard');
    }
    await env.execute(name);
  }, [], { baseConfiguration: Configuration.fromMap(conf), defaultParallelism: PARALLELISM, executionIndex: 0, what: 'test' });
  const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
  cluster.submitJob({ jobGraph, defaultParallelism: PARALLELISM }, sg);
  return { jobId: jobGraph.jobId, jobGraph };
}

async function get(path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`${base}${path}`);
  return { status: r.status, body: await r.json() };
}

async function post(path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const init: RequestInit = { method: 'POST' };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  if (body !== undefined) init.headers = { 'content-type': contentType };
  const r = await fetch(`${base}${path}`, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

const running = (jobId: string) => waitFor(`job ${jobId} RUNNING`, async () => {
  const d = (await get(`/jobs/${jobId}`)).body;
  return d.state === 'RUNNING' && d.vertices.every((v: { status: string }) => v.status === 'RUNNING') ? true : undefined;
});

/** Polls GET /jobs/:jobid/checkpoints/:triggerid until COMPLETED. */
const triggerResult = (jobId: string, triggerId: string) => waitFor(`trigger ${triggerId}`, async () => {
  const r = await get(`/jobs/${jobId}/checkpoints/${triggerId}`);
  expect(r.status).toBe(200);
  if (r.body.status.id === 'IN_PROGRESS') {
    expect(r.body).toEqual({ status: { id: 'IN_PROGRESS' } });
    return undefined;
  }
  expect(r.body.status).toEqual({ id: 'COMPLETED' });
  return r.body.operation as { checkpointId?: number; failureCause?: { class: string } };
}, 30_000);

const SUMMARY_KEYS = ['avg', 'max', 'min', 'p50', 'p90', 'p95', 'p99', 'p999'];
const CHECKPOINT_KEYS = ['alignment_buffered', 'checkpoint_type', 'checkpointed_size', 'className', 'end_to_end_duration', 'id', 'is_savepoint', 'latest_ack_timestamp',
  'num_acknowledged_subtasks', 'num_subtasks', 'persisted_data', 'processed_data', 'savepointFormat', 'state_size', 'status', 'tasks', 'trigger_timestamp'];
const TASK_KEYS = ['alignment_buffered', 'checkpointed_size', 'end_to_end_duration', 'id', 'latest_ack_timestamp', 'num_acknowledged_subtasks', 'num_subtasks', 'persisted_data', 'processed_data', 'state_size', 'status'];

let streaming: { jobId: string; jobGraph: JobGraphSpec };
let plain: { jobId: string; jobGraph: JobGraphSpec };
let checkpointDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-rest-checkpoints-'));
  checkpointDir = join(dir, 'checkpoints');
  cluster = new MiniCluster();
  const te = new TaskExecutor(SLOTS, (id) => cluster.dispatcher.jobMasterGateway(id), (id) => cluster.dispatcher.userGraph(id),
    { bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8 }, 200);
  cluster.addTaskExecutor(te, SLOTS);
  endpoint = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: new Configuration().setString('rest.port', '0'), uploadDir: join(dir, 'uploads'), logger: silentRestLogger });
  const { port } = await endpoint.start();
  base = `http://127.0.0.1:${port}`;
  streaming = await submit('checkpointed', {
    'execution.checkpointing.interval': '150 ms',
    'execution.checkpointing.timeout': '45 s',
    'execution.checkpointing.min-pause': '20 ms',
    'execution.checkpointing.tolerable-failed-checkpoints': '3',
    'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    'execution.checkpointing.dir': `file://${checkpointDir}`,
  });
  plain = await submit('unchecked', {}, 'chained');
  await running(streaming.jobId);
  await running(plain.jobId);
});

afterAll(async () => {
  await endpoint?.close();
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /jobs/:jobid/checkpoints', () => {
  it("has Flink's keys, and counts.completed grows as periodic checkpoints complete", async () => {
    const first = await waitFor('2 completed checkpoints', async () => {
      const r = await get(`/jobs/${streaming.jobId}/checkpoints`);
      return r.status === 200 && r.body.counts.completed >= 2 ? r.body : undefined;
    });
    expect(Object.keys(first).sort()).toEqual(['counts', 'history', 'latest', 'summary']);
    expect(Object.keys(first.counts).sort()).toEqual(['completed', 'failed', 'in_progress', 'restored', 'total']);
    expect(first.counts.restored).toBe(0);
    expect(first.counts.total).toBe(first.counts.completed + first.counts.failed + first.counts.in_progress);
    expect(Object.keys(first.summary).sort()).toEqual(['alignment_buffered', 'checkpointed_size', 'end_to_end_duration', 'persisted_data', 'processed_data', 'state_size']);
    for (const s of Object.values(first.summary)) expect(Object.keys(s as object).sort()).toEqual(SUMMARY_KEYS);
    expect(first.summary.state_size.max).toBeGreaterThan(0);
    expect(first.summary.end_to_end_duration.min).toBeLessThanOrEqual(first.summary.end_to_end_duration.max);
    expect(Object.keys(first.latest).sort()).toEqual(['completed', 'failed', 'restored', 'savepoint']);
    expect(first.latest.savepoint).toBeNull();
    expect(first.latest.restored).toBeNull();
    const latest = first.latest.completed;
    expect(Object.keys(latest).sort()).toEqual([...CHECKPOINT_KEYS, 'discarded', 'external_path'].sort());
    expect(latest).toMatchObject({ className: 'completed', status: 'COMPLETED', is_savepoint: false, savepointFormat: null, checkpoint_type: 'CHECKPOINT', discarded: false, tasks: {} });
    expect(latest.num_acknowledged_subtasks).toBe(latest.num_subtasks);
    expect(latest.num_subtasks).toBe(streaming.jobGraph.vertices.reduce((n, v) => n + v.parallelism, 0));
    expect(latest.external_path).toContain(checkpointDir);
    expect(latest.external_path).toMatch(new RegExp(`${streaming.jobId}/chk-${latest.id}$`));
    // History: newest first, the latest completed among them.
    expect(first.history.length).toBeGreaterThanOrEqual(2);
    const ids = first.history.map((h: { id: number }) => h.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids).toContain(latest.id);
    for (const h of first.history) {
      expect(['completed', 'in_progress', 'failed']).toContain(h.className);
      for (const k of CHECKPOINT_KEYS) expect(h).toHaveProperty([k]);
    }

    const later = await waitFor('more completed checkpoints', async () => {
      const r = (await get(`/jobs/${streaming.jobId}/checkpoints`)).body;
      return r.counts.completed > first.counts.completed ? r : undefined;
    });
    expect(later.latest.completed.id).toBeGreaterThan(latest.id);
    expect(later.history.length).toBeLessThanOrEqual(10);
  });

  it('a job without checkpointing has statistics of zero checkpoints', async () => {
    const r = await get(`/jobs/${plain.jobId}/checkpoints`);
    expect(r.status).toBe(200);
    expect(r.body.counts).toEqual({ restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 });
    expect(r.body.history).toEqual([]);
    expect(r.body.latest).toEqual({ completed: null, savepoint: null, failed: null, restored: null });
    expect(r.body.summary.state_size).toEqual({ min: 0, max: 0, avg: 0, p50: 'NaN', p90: 'NaN', p95: 'NaN', p99: 'NaN', p999: 'NaN' });
  });
});

describe('GET /jobs/:jobid/checkpoints/details/:checkpointid[/subtasks/:vertexid]', () => {
  it('details of a completed checkpoint list every vertex; subtasks list every subtask', async () => {
    const stats = (await get(`/jobs/${streaming.jobId}/checkpoints`)).body;
    const id = stats.latest.completed.id as number;
    const d = await get(`/jobs/${streaming.jobId}/checkpoints/details/${id}`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ id, className: 'completed', status: 'COMPLETED' });
    expect(Object.keys(d.body.tasks).sort()).toEqual(streaming.jobGraph.vertices.map((v) => v.id).sort());
    let stateSize = 0;
    for (const v of streaming.jobGraph.vertices) {
      const t = d.body.tasks[v.id];
      expect(Object.keys(t).sort()).toEqual(TASK_KEYS);
      expect(t).toMatchObject({ id, status: 'COMPLETED', num_subtasks: v.parallelism, num_acknowledged_subtasks: v.parallelism });
      expect(t.latest_ack_timestamp).toBeGreaterThanOrEqual(d.body.trigger_timestamp);
      stateSize += t.state_size;
    }
    expect(stateSize).toBe(d.body.state_size);
    // The /v1 prefix works here too.
    expect((await get(`/v1/jobs/${streaming.jobId}/checkpoints/details/${id}`)).body.id).toBe(id);

    const counter = streaming.jobGraph.vertices.find((v) => v.name.includes('Counter'))!;
    const s = await get(`/jobs/${streaming.jobId}/checkpoints/details/${id}/subtasks/${counter.id.toUpperCase()}`);
    expect(s.status).toBe(200);
    expect(Object.keys(s.body).sort()).toEqual([...TASK_KEYS, 'subtasks', 'summary'].sort());
    expect(Object.keys(s.body.summary).sort()).toEqual(['alignment', 'checkpoint_duration', 'checkpointed_size', 'end_to_end_duration', 'start_delay', 'state_size']);
    expect(Object.keys(s.body.summary.checkpoint_duration).sort()).toEqual(['async', 'sync']);
    expect(Object.keys(s.body.summary.alignment).sort()).toEqual(['buffered', 'duration', 'persisted', 'processed']);
    expect(s.body.subtasks.map((x: { index: number }) => x.index)).toEqual([...Array(counter.parallelism).keys()]);
    for (const sub of s.body.subtasks) {
      expect(Object.keys(sub).sort()).toEqual(['aborted', 'ack_timestamp', 'alignment', 'checkpoint', 'checkpointed_size', 'className', 'end_to_end_duration', 'index', 'start_delay', 'state_size', 'status', 'unaligned_checkpoint']);
      expect(sub).toMatchObject({ className: 'completed', status: 'completed', aborted: false, unaligned_checkpoint: false });
      expect(Object.keys(sub.checkpoint).sort()).toEqual(['async', 'sync']);
      expect(Object.keys(sub.alignment).sort()).toEqual(['buffered', 'duration', 'persisted', 'processed']);
      expect(sub.end_to_end_duration).toBe(sub.ack_timestamp - d.body.trigger_timestamp);
    }
    // The keyed sum has state in every subtask.
    expect(s.body.summary.state_size.min).toBeGreaterThan(0);
    expect(s.body.state_size).toBe(d.body.tasks[counter.id].state_size);
  });

  it('unknown ids are 404 with what is missing; malformed ids are 400', async () => {
    const j = streaming.jobId;
    const none = await get(`/jobs/${j}/checkpoints/details/987654`);
    expect(none.status).toBe(404);
    expect(none.body.errors[0]).toBe('Could not find checkpointing statistics for checkpoint 987654.');
    const id = (await get(`/jobs/${j}/checkpoints`)).body.latest.completed.id;
    const otherVertex = randomBytes(16).toString('hex');
    const noVertex = await get(`/jobs/${j}/checkpoints/details/${id}/subtasks/${otherVertex}`);
    expect(noVertex.status).toBe(404);
    expect(noVertex.body.errors[0]).toContain(`There is no checkpoint statistics for task ${otherVertex} in checkpoint ${id}`);
    expect((await get(`/jobs/${j}/checkpoints/details/987654/subtasks/${otherVertex}`)).body.errors[0]).toContain('checkpoint 987654');
    const badId = await get(`/jobs/${j}/checkpoints/details/latest`);
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0]).toContain("Invalid checkpoint id 'latest'");
    expect((await get(`/jobs/${j}/checkpoints/details/-1`)).status).toBe(400);
    const badVertex = await get(`/jobs/${j}/checkpoints/details/${id}/subtasks/nope`);
    expect(badVertex.status).toBe(400);
    expect(badVertex.body.errors[0]).toContain("Invalid vertex id 'nope'");
    const unknownJob = randomBytes(16).toString('hex');
    for (const p of ['/checkpoints', '/checkpoints/config', `/checkpoints/details/${id}`, `/checkpoints/${randomBytes(16).toString('hex')}`, '/metrics']) {
      const r = await get(`/jobs/${unknownJob}${p}`);
      expect(r.status, p).toBe(404);
      expect(r.body.errors).toEqual([`Job ${unknownJob} not found`]);
      expect((await get(`/jobs/xyz${p}`)).status, p).toBe(400);
    }
    expect((await post(`/jobs/${unknownJob}/checkpoints`, {})).status).toBe(404);
  });
});

describe('GET /jobs/:jobid/checkpoints/config', () => {
  it("reports the coordinator's settings and the job's configuration", async () => {
    const r = await get(`/jobs/${streaming.jobId}/checkpoints/config`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['aligned_checkpoint_timeout', 'changelog_periodic_materialization_interval', 'changelog_storage', 'checkpoint_storage', 'checkpoints_after_tasks_finish',
      'externalization', 'interval', 'max_concurrent', 'min_pause', 'mode', 'state_backend', 'state_changelog_enabled', 'timeout', 'tolerable_failed_checkpoints', 'unaligned_checkpoints']);
    expect(r.body).toMatchObject({
      mode: 'exactly_once', interval: 150, timeout: 45_000, min_pause: 20, max_concurrent: 1,
      externalization: { enabled: true, delete_on_cancellation: false },
      state_backend: 'HashMapStateBackend', checkpoint_storage: 'FileSystemCheckpointStorage',
      unaligned_checkpoints: false, tolerable_failed_checkpoints: 3, aligned_checkpoint_timeout: 0, checkpoints_after_tasks_finish: true,
    });
  });

  it("a job without checkpointing: Flink's 404 \"Checkpointing is not enabled for this job (<id>).\"", async () => {
    const r = await get(`/jobs/${plain.jobId}/checkpoints/config`);
    expect(r.status).toBe(404);
    expect(r.body.errors[0]).toBe(`Checkpointing is not enabled for this job (${plain.jobId}).`);
    expect(r.body.errors[1]).toContain('execution.checkpointing.interval');
  });
});

describe('POST /jobs/:jobid/checkpoints and GET /jobs/:jobid/checkpoints/:triggerid', () => {
  it('a manual checkpoint completes with its checkpoint id, which the statistics then list', async () => {
    const r = await post(`/jobs/${streaming.jobId}/checkpoints`, {});
    expect(r.status).toBe(202);
    expect(Object.keys(r.body)).toEqual(['request-id']);
    expect(r.body['request-id']).toMatch(/^[0-9a-f]{32}$/);
    const op = await triggerResult(streaming.jobId, r.body['request-id']);
    expect(Object.keys(op)).toEqual(['checkpointId']);
    expect(op.checkpointId).toBeGreaterThan(0);
    const d = await get(`/jobs/${streaming.jobId}/checkpoints/details/${op.checkpointId}`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ id: op.checkpointId, status: 'COMPLETED', checkpoint_type: 'CHECKPOINT' });
    // The result stays available for later polls.
    expect((await get(`/jobs/${streaming.jobId}/checkpoints/${r.body['request-id']}`)).body.operation).toEqual({ checkpointId: op.checkpointId });
    // No body at all is CONFIGURED too.
    const noBody = await post(`/jobs/${streaming.jobId}/checkpoints`);
    expect(noBody.status).toBe(202);
    expect((await triggerResult(streaming.jobId, noBody.body['request-id'])).checkpointId).toBeGreaterThan(op.checkpointId!);
  });

  it('FULL with a client-chosen triggerId; the same triggerId again triggers nothing new', async () => {
    const triggerId = randomBytes(16).toString('hex').toUpperCase();
    const r = await post(`/jobs/${streaming.jobId}/checkpoints`, { checkpointType: 'FULL', triggerId });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ 'request-id': triggerId.toLowerCase() });
    const op = await triggerResult(streaming.jobId, triggerId);
    expect(op.checkpointId).toBeGreaterThan(0);
    const again = await post(`/jobs/${streaming.jobId}/checkpoints`, { checkpointType: 'FULL', triggerId });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ 'request-id': triggerId.toLowerCase() });
    expect((await triggerResult(streaming.jobId, triggerId)).checkpointId).toBe(op.checkpointId);
    const inc = await post(`/jobs/${streaming.jobId}/checkpoints`, { checkpointType: 'INCREMENTAL', triggerId: null });
    expect(inc.status).toBe(202);
    expect((await triggerResult(streaming.jobId, inc.body['request-id'])).checkpointId).toBeGreaterThan(op.checkpointId!);
  });

  it('a checkpoint that fails completes the operation with its failureCause; the statistics count it', async () => {
    // A file where the checkpoint directory should be: the JobManager cannot create chk-<n>.
    writeFileSync(join(dir, 'blocker'), 'not a directory');
    const job = await submit('failing-checkpoints', { 'execution.checkpointing.interval': '1 h', 'execution.checkpointing.dir': `file://${dir}/blocker/cp`, 'execution.checkpointing.tolerable-failed-checkpoints': '10' }, 'chained');
    await running(job.jobId);
    const r = await post(`/jobs/${job.jobId}/checkpoints`, {});
    expect(r.status).toBe(202);
    const op = await triggerResult(job.jobId, r.body['request-id']);
    expect(Object.keys(op)).toEqual(['failureCause']);
    expect(Object.keys(op.failureCause!).sort()).toEqual(['class', 'serialized-throwable', 'stack-trace']);
    expect(op.failureCause!.class).toBe('CheckpointException');
    expect((op.failureCause as unknown as Record<string, string>)['stack-trace']).toMatch(/^CheckpointException: An Exception occurred while triggering the checkpoint\. IO-problem detected\./);
    const stats = (await get(`/jobs/${job.jobId}/checkpoints`)).body;
    expect(stats.counts).toMatchObject({ total: 1, failed: 1, completed: 0, in_progress: 0 });
    expect((await get(`/jobs/${job.jobId}/metrics?get=numberOfFailedCheckpoints`)).body).toEqual([{ id: 'numberOfFailedCheckpoints', value: '1' }]);
    expect((await get(`/jobs/${job.jobId}`)).body.state).toBe('RUNNING');
    await fetch(`${base}/jobs/${job.jobId}?mode=cancel`, { method: 'PATCH' });
  });

  it('bad bodies and trigger ids → 400 saying what is wrong; an unknown trigger id → 404', async () => {
    const j = streaming.jobId;
    const cases: Array<[unknown, string, string?]> = [
      [{ checkpointType: 'SAVEPOINT' }, 'checkpointType must be one of CONFIGURED, FULL, INCREMENTAL, got "SAVEPOINT"'],
      [{ checkpointType: 7 }, 'checkpointType must be one of'],
      [{ triggerId: 'abc' }, 'triggerId must be 32 hexadecimal characters, got "abc"'],
      [{ checkpointtype: 'FULL' }, 'unknown field(s) "checkpointtype"'],
      [[1, 2], 'the body must be a JSON object'],
      ['"FULL"', 'the body must be a JSON object'],
    ];
    for (const [body, msg] of cases) {
      const r = await post(`/jobs/${j}/checkpoints`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.errors[0]).toContain(`Invalid body of POST /jobs/${j}/checkpoints: ${msg}`);
      expect(r.body.errors[0]).toContain('Expected {"checkpointType"?');
    }
    const broken = await post(`/jobs/${j}/checkpoints`, '{"checkpointType": ');
    expect(broken.status).toBe(400);
    expect(broken.body.errors.length).toBe(1);
    const text = await post(`/jobs/${j}/checkpoints`, 'FULL', 'text/plain');
    expect(text.status).toBe(400);
    const unknown = randomBytes(16).toString('hex');
    const nf = await get(`/jobs/${j}/checkpoints/${unknown}`);
    expect(nf.status).toBe(404);
    expect(nf.body.errors).toEqual([`There is no checkpoint operation with triggerId=${unknown} for job ${j}.`]);
    const bad = await get(`/jobs/${j}/checkpoints/not-a-trigger`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toContain("Invalid trigger id 'not-a-trigger'");
    // Trigger ids are per job.
    const mine = (await post(`/jobs/${j}/checkpoints`, {})).body['request-id'];
    expect((await get(`/jobs/${plain.jobId}/checkpoints/${mine}`)).status).toBe(404);
    await triggerResult(j, mine);
    expect((await fetch(`${base}/jobs/${j}/checkpoints`, { method: 'DELETE' })).status).toBe(405);
  });

  it('a job without checkpointing → 409 saying how to enable it; a terminated job → 409', async () => {
    const r = await post(`/jobs/${plain.jobId}/checkpoints`, {});
    expect(r.status).toBe(409);
    expect(r.body.errors[0]).toContain(`Checkpointing is not enabled for this job (${plain.jobId}): execution.checkpointing.interval is not set`);
    const other = await submit('cancelled-checkpointed', { 'execution.checkpointing.interval': '1 h' }, 'chained');
    await running(other.jobId);
    expect((await fetch(`${base}/jobs/${other.jobId}?mode=cancel`, { method: 'PATCH' })).status).toBe(202);
    await waitFor('CANCELED', async () => ((await get(`/jobs/${other.jobId}`)).body.state === 'CANCELED' ? true : undefined));
    const t = await post(`/jobs/${other.jobId}/checkpoints`, {});
    expect(t.status).toBe(409);
    expect(t.body.errors[0]).toBe(`Job ${other.jobId} has already reached the terminal state CANCELED; it takes no more checkpoints.`);
    // Periodic checkpointing effectively off (1 h): the config still says so; nothing was taken.
    expect((await get(`/jobs/${other.jobId}/checkpoints/config`)).body.interval).toBe(3_600_000);
    expect((await get(`/jobs/${other.jobId}/checkpoints`)).body.counts.total).toBe(0);
  });
});

describe('GET /jobs/:jobid/metrics', () => {
  it("lists the job's checkpoint metrics and returns the requested ones as strings (Flink's [{id, value}])", async () => {
    const names = (await get(`/jobs/${streaming.jobId}/metrics`)).body;
    expect(names).toEqual(expect.arrayContaining(['lastCheckpointDuration', 'lastCheckpointSize', 'numberOfCompletedCheckpoints', 'numberOfFailedCheckpoints',
      'numberOfInProgressCheckpoints', 'totalNumberOfCheckpoints', 'lastCheckpointExternalPath', 'lastCheckpointRestoreTimestamp'].map((id) => ({ id }))));
    for (const n of names) expect(Object.keys(n)).toEqual(['id']);

    const r = await get(`/jobs/${streaming.jobId}/metrics?get=numberOfCompletedCheckpoints,lastCheckpointDuration,noSuchMetric,lastCheckpointSize&get=numberOfFailedCheckpoints,numberOfInProgressCheckpoints,lastCheckpointExternalPath`);
    expect(r.status).toBe(200);
    expect(r.body.map((m: { id: string }) => m.id)).toEqual(['numberOfCompletedCheckpoints', 'lastCheckpointDuration', 'lastCheckpointSize', 'numberOfFailedCheckpoints', 'numberOfInProgressCheckpoints', 'lastCheckpointExternalPath']);
    const m = Object.fromEntries(r.body.map((x: { id: string; value: string }) => [x.id, x.value]));
    for (const v of Object.values(m)) expect(typeof v).toBe('string');
    const stats = (await get(`/jobs/${streaming.jobId}/checkpoints`)).body;
    expect(Number(m.numberOfCompletedCheckpoints)).toBeGreaterThanOrEqual(2);
    expect(Number(m.numberOfCompletedCheckpoints)).toBeLessThanOrEqual(stats.counts.completed);
    expect(Number(m.numberOfFailedCheckpoints)).toBe(0);
    expect(Number(m.lastCheckpointDuration)).toBeGreaterThanOrEqual(0);
    expect(Number(m.lastCheckpointSize)).toBeGreaterThan(0);
    expect(m.lastCheckpointExternalPath).toContain(checkpointDir);
    expect(existsSync(new URL(m.lastCheckpointExternalPath).pathname)).toBe(true);
    expect((await get(`/jobs/${streaming.jobId}/metrics?get=`)).body).toEqual([]);
  });

  it('a job without checkpoints: zeros, and -1 / "n/a" for the last checkpoint', async () => {
    const r = await get(`/jobs/${plain.jobId}/metrics?get=numberOfCompletedCheckpoints,lastCheckpointDuration,lastCheckpointSize,lastCheckpointExternalPath`);
    expect(r.body).toEqual([
      { id: 'numberOfCompletedCheckpoints', value: '0' }, { id: 'lastCheckpointDuration', value: '-1' },
      { id: 'lastCheckpointSize', value: '-1' }, { id: 'lastCheckpointExternalPath', value: 'n/a' },
    ]);
  });
});

describe('checkpoint trigger messages (unit)', () => {
  it('parseCheckpointTriggerRequest: defaults, types, trigger ids', () => {
    expect(parseCheckpointTriggerRequest(undefined)).toEqual({ checkpointType: 'CONFIGURED', triggerId: undefined });
    expect(parseCheckpointTriggerRequest({})).toEqual({ checkpointType: 'CONFIGURED', triggerId: undefined });
    expect(parseCheckpointTriggerRequest({ checkpointType: null })).toEqual({ checkpointType: 'CONFIGURED', triggerId: undefined });
    expect(parseCheckpointTriggerRequest({ checkpointType: 'FULL', triggerId: 'AB'.repeat(16) })).toEqual({ checkpointType: 'FULL', triggerId: 'ab'.repeat(16) });
    expect(() => parseCheckpointTriggerRequest({ checkpointType: 'full' })).toThrow(/checkpointType must be one of CONFIGURED, FULL, INCREMENTAL, got "full"/);
    expect(() => parseCheckpointTriggerRequest({ triggerId: 'g'.repeat(32) })).toThrow(/triggerId must be 32 hexadecimal/);
    expect(() => parseCheckpointTriggerRequest({ type: 'FULL' })).toThrow(/unknown field\(s\) "type"/);
    expect(() => parseCheckpointTriggerRequest(5)).toThrow(/JSON object/);
  });

  it('CheckpointTriggerOperations: IN_PROGRESS, then COMPLETED with the id or the failure; idempotent; expires', async () => {
    const ops = new CheckpointTriggerOperations(50);
    let resolve: ((id: number) => void) | undefined;
    expect(ops.start('job', 't1', () => new Promise<number>((r) => { resolve = r; }))).toBe(true);
    expect(ops.status('job', 't1')).toEqual({ status: { id: 'IN_PROGRESS' } });
    expect(ops.start('job', 't1', async () => 99)).toBe(false);
    expect(ops.status('other', 't1')).toBeUndefined();
    // The operation starts on a later microtask (a synchronous throw is caught like a rejection).
    await waitFor('t1 running', () => resolve !== undefined);
    expect(ops.status('job', 't1')).toEqual({ status: { id: 'IN_PROGRESS' } });
    resolve!(7);
    await waitFor('t1 done', () => ops.status('job', 't1')?.status.id === 'COMPLETED');
    expect(ops.status('job', 'T1')).toEqual({ status: { id: 'COMPLETED' }, operation: { checkpointId: 7 } });
    ops.start('job', 't2', () => { throw Object.assign(new Error('Checkpoint Coordinator is shutting down.'), { name: 'CheckpointException' }); });
    const failed = await waitFor('t2 done', () => { const s = ops.status('job', 't2'); return s?.status.id === 'COMPLETED' ? s : undefined; });
    const cause = (failed as { operation: { failureCause: { class: string; 'stack-trace': string; 'serialized-throwable': string } } }).operation.failureCause;
    expect(cause.class).toBe('CheckpointException');
    expect(cause['stack-trace']).toContain('shutting down');
    expect(JSON.parse(Buffer.from(cause['serialized-throwable'], 'base64').toString('utf8'))).toMatchObject({ name: 'CheckpointException', message: 'Checkpoint Coordinator is shutting down.' });
    // Kept for the retention time after completion, then gone.
    await waitFor('t1 expired', () => ops.status('job', 't1') === undefined, 2_000);
    ops.close();
  });

  it('CheckpointTriggerOperations is bounded: the oldest completed operation makes room', async () => {
    const ops = new CheckpointTriggerOperations(60_000, 2);
    ops.start('j', 'a', async () => 1);
    ops.start('j', 'b', async () => 2);
    await waitFor('both done', () => ops.status('j', 'a')?.status.id === 'COMPLETED' && ops.status('j', 'b')?.status.id === 'COMPLETED');
    ops.start('j', 'c', async () => 3);
    expect(ops.status('j', 'a')).toBeUndefined();
    expect(ops.status('j', 'b')).toBeDefined();
    ops.close();
  });

  it('checkpointConfigInfo: configuration defaults, Flink\'s externalization flags, coordinator settings win', () => {
    const none = checkpointConfigInfo(new Configuration());
    expect(none).toMatchObject({ mode: 'exactly_once', interval: PERIODIC_CHECKPOINTING_DISABLED, timeout: 600_000, min_pause: 0, max_concurrent: 1,
      externalization: { enabled: false, delete_on_cancellation: true }, checkpoint_storage: 'JobManagerCheckpointStorage', unaligned_checkpoints: false });
    expect(JSON.parse(JSON.stringify(none)).interval).toBe(9223372036854775807);
    const conf = Configuration.fromMap({ 'execution.checkpointing.externalized-checkpoint-retention': 'DELETE_ON_CANCELLATION', 'execution.checkpointing.mode': 'AT_LEAST_ONCE', 'execution.checkpointing.unaligned.enabled': 'true' });
    // Unaligned checkpoints need EXACTLY_ONCE (Flink's CheckpointConfig.isUnalignedCheckpointsEnabled).
    expect(checkpointConfigInfo(conf)).toMatchObject({ mode: 'at_least_once', unaligned_checkpoints: false, externalization: { enabled: true, delete_on_cancellation: true } });
    const cc = { interval: 500, timeout: 1000, minPause: 10, maxConcurrent: 2, mode: 'EXACTLY_ONCE' as const, unaligned: true, checkpointDir: 'file:///tmp/cp' };
    expect(checkpointConfigInfo(conf, cc)).toMatchObject({ mode: 'exactly_once', interval: 500, timeout: 1000, min_pause: 10, max_concurrent: 2, unaligned_checkpoints: true, checkpoint_storage: 'FileSystemCheckpointStorage' });
    expect(checkpointConfigInfo(conf, { ...cc, interval: undefined, checkpointDir: undefined })).toMatchObject({ interval: PERIODIC_CHECKPOINTING_DISABLED, checkpoint_storage: 'JobManagerCheckpointStorage' });
  });
});

/** Polls GET /jobs/:jobid/savepoints/:triggerid (or another operation path) until COMPLETED. */
const operationResult = (path: string) => waitFor(`operation ${path}`, async () => {
  const r = await get(path);
  expect(r.status).toBe(200);
  if (r.body.status.id === 'IN_PROGRESS') return undefined;
  expect(r.body.status).toEqual({ id: 'COMPLETED' });
  return r.body.operation as { location?: string; 'failure-cause'?: { class: string; 'stack-trace': string } };
}, 30_000);

// Last in the file: the stop-with-savepoint case ends the streaming job.
describe('savepoints over REST: POST /jobs/:jobid/savepoints, POST /jobs/:jobid/stop, /savepoint-disposal', () => {
  it("a savepoint completes with its location (savepoint-<6 of job id>-<12 hex>); the statistics list it as the latest savepoint; disposal deletes it", async () => {
    const target = join(dir, 'savepoints');
    const r = await post(`/jobs/${streaming.jobId}/savepoints`, { 'target-directory': `file://${target}`, 'cancel-job': false, formatType: 'CANONICAL' });
    expect(r.status).toBe(202);
    expect(Object.keys(r.body)).toEqual(['request-id']);
    const op = await operationResult(`/jobs/${streaming.jobId}/savepoints/${r.body['request-id']}`);
    expect(op.location).toMatch(new RegExp(`^file://${target}/savepoint-${streaming.jobId.slice(0, 6)}-[0-9a-f]{12}$`));
    expect(existsSync(join(op.location!.slice('file://'.length), '_metadata'))).toBe(true);
    const stats = (await get(`/jobs/${streaming.jobId}/checkpoints`)).body;
    expect(stats.latest.savepoint).toMatchObject({ is_savepoint: true, checkpoint_type: 'SAVEPOINT', savepointFormat: 'CANONICAL', external_path: op.location });
    expect((await get(`/jobs/${streaming.jobId}`)).body.state).toBe('RUNNING');

    const d = await post('/savepoint-disposal', { 'savepoint-path': op.location });
    expect(d.status).toBe(202);
    expect(await operationResult(`/savepoint-disposal/${d.body['request-id']}`)).toEqual({});
    expect(existsSync(op.location!.slice('file://'.length))).toBe(false);
    const again = await post('/savepoint-disposal', { 'savepoint-path': op.location });
    const failed = await operationResult(`/savepoint-disposal/${again.body['request-id']}`);
    expect(failed['failure-cause']!['stack-trace']).toContain('Cannot find checkpoint or savepoint file/directory');
  }, 40_000);

  it('failures complete the operation with failure-cause; bad bodies → 400; unknown job → 404; unknown trigger → 404', async () => {
    // No target and no execution.checkpointing.savepoint-dir: Flink's message, as the operation's failure.
    const r = await post(`/jobs/${streaming.jobId}/savepoints`);
    expect(r.status).toBe(202);
    const op = await operationResult(`/jobs/${streaming.jobId}/savepoints/${r.body['request-id']}`);
    expect(op['failure-cause']!['stack-trace']).toContain('No savepoint directory configured.');
    // A job without periodic checkpointing still takes savepoints (as in Flink), and keeps running.
    const nc = await post(`/jobs/${plain.jobId}/savepoints`, { 'target-directory': `file://${dir}/x` });
    expect((await operationResult(`/jobs/${plain.jobId}/savepoints/${nc.body['request-id']}`)).location).toMatch(new RegExp(`^file://${dir}/x/savepoint-${plain.jobId.slice(0, 6)}-[0-9a-f]{12}$`));
    expect((await get(`/jobs/${plain.jobId}`)).body.state).toBe('RUNNING');

    const bad = await post(`/jobs/${streaming.jobId}/savepoints`, { targetDirectory: '/x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toContain('unknown field(s) "targetDirectory"');
    expect((await post(`/jobs/${streaming.jobId}/stop`, { drain: 'yes' })).body.errors[0]).toContain('drain must be true or false');
    expect((await post(`/jobs/${streaming.jobId}/savepoints`, { formatType: 'JSON' })).body.errors[0]).toContain('formatType must be one of CANONICAL, NATIVE');
    expect((await post('/savepoint-disposal', {})).body.errors[0]).toContain('"savepoint-path" is required');
    expect((await post(`/jobs/${'0'.repeat(32)}/savepoints`, {})).status).toBe(404);
    const unknown = await get(`/jobs/${streaming.jobId}/savepoints/${'a'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]).toContain(`There is no savepoint operation with triggerId=${'a'.repeat(32)} for job ${streaming.jobId}.`);
  }, 40_000);

  it('stop-with-savepoint: the operation completes with the location once the job FINISHED; then the job takes no more savepoints (409)', async () => {
    const target = join(dir, 'stopped');
    const r = await post(`/jobs/${streaming.jobId}/stop`, { targetDirectory: `file://${target}`, drain: false });
    expect(r.status).toBe(202);
    const op = await operationResult(`/jobs/${streaming.jobId}/savepoints/${r.body['request-id']}`);
    expect(op.location).toMatch(new RegExp(`^file://${target}/savepoint-`));
    expect((await get(`/jobs/${streaming.jobId}`)).body.state).toBe('FINISHED');
    const stats = (await get(`/jobs/${streaming.jobId}/checkpoints`)).body;
    expect(stats.latest.savepoint).toMatchObject({ checkpoint_type: 'SYNC_SAVEPOINT', external_path: op.location });
    const late = await post(`/jobs/${streaming.jobId}/savepoints`, { 'target-directory': `file://${target}` });
    expect(late.status).toBe(409);
    expect(late.body.errors[0]).toContain('has already reached the terminal state FINISHED');
  }, 40_000);
});

describe('savepoint request bodies (unit)', () => {
  it('parse: defaults, lower-cased trigger ids, refused types and fields', () => {
    expect(parseSavepointTriggerRequest(undefined)).toEqual({ targetDirectory: undefined, cancelJob: false, formatType: 'CANONICAL', triggerId: undefined });
    expect(parseSavepointTriggerRequest({ 'target-directory': 'hdfs:///sp', 'cancel-job': true, formatType: 'NATIVE', triggerId: 'A'.repeat(32) }))
      .toEqual({ targetDirectory: 'hdfs:///sp', cancelJob: true, formatType: 'NATIVE', triggerId: 'a'.repeat(32) });
    expect(parseStopWithSavepointRequest({ drain: true })).toEqual({ targetDirectory: undefined, drain: true, formatType: 'CANONICAL', triggerId: undefined });
    expect(() => parseSavepointTriggerRequest({ 'target-directory': '' })).toThrow(/target-directory must be a non-empty string/);
    expect(() => parseStopWithSavepointRequest([1])).toThrow(/must be a JSON object/);
    expect(() => parseStopWithSavepointRequest({ triggerId: 'x' })).toThrow(/triggerId must be 32 hexadecimal characters/);
  });
});
