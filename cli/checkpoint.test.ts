// `tsflink checkpoint` against a cluster this test hosts: a MiniCluster with the in-thread
// TaskExecutor and the REST endpoint on an ephemeral port, running streaming jobs submitted
// in-process (needs the compiled dist/ for bin/run.js).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataGeneratorSource, DiscardingSink, StreamExecutionEnvironment, WatermarkStrategy } from 'tsflink';
import { MiniCluster } from '../runtime/minicluster/MiniCluster.js';
import { TaskExecutor } from '../runtime/taskmanager/TaskExecutor.js';
import { Configuration } from '../runtime/configuration/index.js';
import { captureStreamGraph } from '../runtime/usercode/PlanningEnvironment.js';
import { StreamingJobGraphGenerator } from '../runtime/graph/jobgraph/StreamingJobGraphGenerator.js';
import { RestServerEndpoint } from '../runtime/rest/RestServerEndpoint.js';
import { silentRestLogger } from '../runtime/rest/RestLogger.js';
import { spawnCollecting } from '../runtime/testing/spawnCollecting.js';
import { waitFor } from '../runtime/testing/waitFor.js';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'cli', 'bin', 'run.js');

interface Run { code: number | null; stdout: string; stderr: string }

/** Spawns the CLI without blocking this process (it hosts the cluster the CLI talks to). */
async function tsflink(args: string[]): Promise<Run> {
  const p = spawnCollecting(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env } });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 60_000);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

let dir: string;
let cluster: MiniCluster;
let endpoint: RestServerEndpoint;
let m: string;
const rest = async (path: string): Promise<any> => (await fetch(`http://${m}${path}`)).json();

/**
 * A streaming job over a rate-limited generator: `keyed` (keyBy → sum) or `chained` (one vertex).
 * Jobs running at the same time need different shapes: the in-thread TaskExecutor's partition ids
 * are not scoped by job.
 */
async function submit(name: string, conf: Record<string, string>, shape: 'keyed' | 'chained'): Promise<string> {
  const sg = await captureStreamGraph(async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    const ticks = env.fromSource(new DataGeneratorSource((i: number) => i, Infinity, 300), WatermarkStrategy.noWatermarks<number>(), 'Ticks');
    if (shape === 'keyed') ticks.keyBy((n: number) => n % 3).map((n: number): [number, number] => [n % 3, n]).keyBy((t) => t[0]).sum(1).sinkTo(new DiscardingSink<[number, number]>());
    else ticks.map((n: number) => n * 2).sinkTo(new DiscardingSink<number>());
    await env.execute(name);
  }, [], { baseConfiguration: Configuration.fromMap(conf), defaultParallelism: 2, executionIndex: 0, what: 'test' });
  const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
  cluster.submitJob({ jobGraph, defaultParallelism: 2 }, sg);
  await waitFor(`${name} RUNNING`, async () => {
    const d = await rest(`/jobs/${jobGraph.jobId}`);
    return d.state === 'RUNNING' && d.vertices.every((v: { status: string }) => v.status === 'RUNNING') ? true : undefined;
  });
  return jobGraph.jobId;
}

let checkpointed: string;
let unchecked: string;
let failing: string;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'commands', 'checkpoint.js'))) {
    // tsc exits non-zero while other modules are incomplete but still emits.
    spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { cwd: root });
  }
  dir = mkdtempSync(join(tmpdir(), 'tsflink-cli-checkpoint-'));
  cluster = new MiniCluster();
  const te = new TaskExecutor(8, (id) => cluster.dispatcher.jobMasterGateway(id), (id) => cluster.dispatcher.userGraph(id),
    { bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8 }, 200);
  cluster.addTaskExecutor(te, 8);
  endpoint = new RestServerEndpoint({ dispatcher: cluster.dispatcher, resourceManager: cluster.resourceManager, configuration: new Configuration().setString('rest.port', '0'), uploadDir: join(dir, 'uploads'), logger: silentRestLogger });
  m = `127.0.0.1:${(await endpoint.start()).port}`;
  // Periodic checkpoints practically off (1 h): the checkpoints are the CLI's.
  checkpointed = await submit('cli-checkpointed', { 'execution.checkpointing.interval': '1 h' }, 'keyed');
  unchecked = await submit('cli-unchecked', {}, 'chained');
});

afterAll(async () => {
  await endpoint?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tsflink checkpoint', () => {
  it("triggers a checkpoint and prints Flink's lines with its id (exit 0); --full says FULL", async () => {
    const r = await tsflink(['checkpoint', '-m', m, checkpointed]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = Number(/^Checkpoint (\d+) for job /m.exec(r.stdout)?.[1]);
    expect(r.stdout).toBe(`Triggering checkpoint for job ${checkpointed}.\nWaiting for response...\nCheckpoint ${id} for job ${checkpointed} completed.\n`
      + 'You can resume your program from this checkpoint with the run command.\n');
    expect(await rest(`/jobs/${checkpointed}/checkpoints/details/${id}`)).toMatchObject({ id, status: 'COMPLETED' });

    const full = await tsflink(['checkpoint', '--full', '-D', `rest.address=${m.split(':')[0]}`, '-D', `rest.port=${m.split(':')[1]}`, checkpointed.toUpperCase()]);
    expect(full.stderr).toBe('');
    expect(full.code).toBe(0);
    const fullId = Number(/^Checkpoint\(FULL\) (\d+) for job /m.exec(full.stdout)?.[1]);
    expect(fullId).toBeGreaterThan(id);
    expect(full.stdout).toContain(`Checkpoint(FULL) ${fullId} for job ${checkpointed} completed.\n`);
    expect((await rest(`/jobs/${checkpointed}/checkpoints`)).counts.completed).toBeGreaterThanOrEqual(2);
  });

  it('a checkpoint that fails exits 1 with the reason', async () => {
    // The checkpoint directory cannot be created (a file is in the way): every trigger fails with
    // an I/O error; tolerated, so the job keeps running.
    writeFileSync(join(dir, 'blocker'), 'not a directory');
    failing = await submit('cli-failing', { 'execution.checkpointing.interval': '1 h', 'execution.checkpointing.dir': `file://${dir}/blocker/cp`, 'execution.checkpointing.tolerable-failed-checkpoints': '1000' }, 'chained');
    const r = await tsflink(['checkpoint', '-m', m, failing]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`Triggering checkpoint for job ${failing}.\nWaiting for response...\n`);
    expect(r.stderr).toMatch(new RegExp(`^Error: Failed to trigger a checkpoint for the job ${failing}: CheckpointException: An Exception occurred while triggering the checkpoint\\. IO-problem detected\\. .+\n$`));
    expect((await rest(`/jobs/${failing}/checkpoints`)).counts.failed).toBe(1);
    expect((await rest(`/jobs/${failing}`)).state).toBe('RUNNING');
  });

  it('a job without checkpointing, an unknown job: exit 1 with the server\'s reason', async () => {
    const r = await tsflink(['checkpoint', '-m', m, unchecked]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`Triggering checkpoint for job ${unchecked}.\n`);
    expect(r.stderr).toContain(`Failed to trigger a checkpoint for the job ${unchecked}: Checkpointing is not enabled for this job (${unchecked}): execution.checkpointing.interval is not set`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = randomBytes(16).toString('hex');
    const u = await tsflink(['checkpoint', '-m', m, unknown]);
    expect(u.code).toBe(1);
    expect(u.stderr).toContain(`Job ${unknown} not found`);
  });

  it('usage errors exit 2; an unreachable cluster exits 3', async () => {
    const bad = await tsflink(['checkpoint', '-m', m, 'xyz']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Invalid job id 'xyz'");
    expect(bad.stdout).toBe('');
    const missing = await tsflink(['checkpoint', '-m', m]);
    expect(missing.code).toBe(2);
    const down = await tsflink(['checkpoint', '-m', '127.0.0.1:1', checkpointed]);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('http://127.0.0.1:1 (from -m 127.0.0.1:1)');
  });
});
