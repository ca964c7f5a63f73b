import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { StreamExecutionEnvironment, DiscardingSink } from 'tsflink';
import { Dispatcher } from './Dispatcher.js';
import { ResourceManager } from '../resourcemanager/ResourceManager.js';
import { TaskExecutor } from '../../taskmanager/TaskExecutor.js';
import { Configuration } from '../../configuration/index.js';
import { StreamingJobGraphGenerator } from '../../graph/jobgraph/StreamingJobGraphGenerator.js';
import { waitFor } from '../../testing/waitFor.js';

let closers: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of closers) await c(); closers = []; });

function dispatcherWith(conf: Record<string, string>): Dispatcher {
  const rm = new ResourceManager();
  const d = new Dispatcher(rm, Configuration.fromMap(conf));
  const te = new TaskExecutor(2, (id) => d.jobMasterGateway(id), (id) => d.userGraph(id), { bufferSize: 32 * 1024, buffersPerChannel: 2, floatingBuffersPerGate: 8 }, 200);
  rm.registerTaskExecutor(te, 2);
  closers.push(() => d.close(), () => te.close());
  return d;
}

async function runJob(d: Dispatcher, name: string): Promise<string> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(1);
  env.fromSequence(1, 10).sinkTo(new DiscardingSink<number>());
  const sg = env.getStreamGraph(name);
  const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
  const jm = d.submitJob({ jobGraph, args: [], defaultParallelism: 1, baseConfiguration: {} }, sg);
  await jm.result;
  await waitFor(`${name} archived`, async () => (d.getJobResult(jm.jobId) ? true : undefined));
  return jm.jobId;
}

describe('Dispatcher job store (finished jobs)', () => {
  it("drops a finished job after 'jobstore.expiration-time'", async () => {
    const d = dispatcherWith({ 'jobstore.expiration-time': '300 ms' });
    const id = await runJob(d, 'expiring');
    expect(d.getJob(id)?.status).toBe('FINISHED');
    expect(d.listJobs().map((j) => j.jobId)).toContain(id);
    await waitFor('expiry', async () => (d.getJob(id) === undefined ? true : undefined), 5_000);
    expect(d.getJobResult(id)).toBeUndefined();
    expect(d.listJobs()).toEqual([]);
  });

  it("keeps at most 'jobstore.max-capacity' finished jobs, dropping the oldest first", async () => {
    const d = dispatcherWith({ 'jobstore.max-capacity': '2' });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await runJob(d, `job-${i}`));
    expect(d.listJobs().map((j) => j.jobId).sort()).toEqual(ids.slice(2).sort());
    expect(d.getJob(ids[0]!)).toBeUndefined();
    expect(d.getJob(ids[3]!)?.status).toBe('FINISHED');
  });

  it('keeps finished jobs by default (one hour, unbounded count)', async () => {
    const d = dispatcherWith({});
    const ids = [await runJob(d, 'a'), await runJob(d, 'b'), await runJob(d, 'c')];
    expect(d.listJobs().map((j) => j.jobId).sort()).toEqual([...ids].sort());
  });

  it('rejects bad values with the key named', () => {
    expect(() => dispatcherWith({ 'jobstore.max-capacity': '-1' })).toThrow(/jobstore\.max-capacity/);
    expect(() => dispatcherWith({ 'jobstore.expiration-time': 'soon' })).toThrow(/jobstore\.expiration-time/);
  });
});
