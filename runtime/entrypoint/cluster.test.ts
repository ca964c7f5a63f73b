import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StandaloneSessionClusterEntrypoint } from './StandaloneSessionClusterEntrypoint.js';
import { TaskManagerRunner } from './TaskManagerRunner.js';
import { loadConfiguration, type Configuration } from '../configuration/index.js';
import { type JobBundle } from '../usercode/JobBundle.js';
import { bundleJob } from '../client/JobBundler.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import { captureStreamGraph } from '../usercode/PlanningEnvironment.js';
import { loadJobMain } from '../usercode/JobBundle.js';
import { connectRpc } from '../rpc/RpcConnection.js';
import type { JobMaster } from '../jobmanager/jobmaster/JobMaster.js';
import { jobDetailsInfo } from '../rest/messages/JobDetailsInfo.js';
import { taskManagerDetailsInfo } from '../rest/messages/TaskManagersInfo.js';

// JobManager and TaskManagers of a session cluster, in this process (worker-thread slots, real RPC).
const secret = randomBytes(16).toString('hex');
let dir: string;
let jm: StandaloneSessionClusterEntrypoint;
let conf: Configuration;
let bundle: JobBundle;
let keyedBundle: JobBundle;
let endlessBundle: JobBundle;
const tms: TaskManagerRunner[] = [];

async function startTm(slots = 2): Promise<TaskManagerRunner> {
  const tmConf = conf.clone();
  tmConf.setString('taskmanager.numberOfTaskSlots', String(slots));
  const tm = new TaskManagerRunner(tmConf, secret, join(dir, `tm-${tms.length}`));
  await tm.start();
  tms.push(tm);
  return tm;
}

async function submit(args: string[], parallelism: number, b: JobBundle = bundle): Promise<JobMaster> {
  const bundle = b;
  const base = conf.clone();
  base.setString('parallelism.default', String(parallelism));
  const sg = await captureStreamGraph(await loadJobMain(bundle), args, { baseConfiguration: base, defaultParallelism: parallelism, executionIndex: 0, what: 'test' });
  const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
  return jm.dispatcher.submitJobFromBundle({ jobGraph, bundle, args, defaultParallelism: parallelism, baseConfiguration: base.toMap() });
}

const readParts = (out: string): string[] => readdirSync(out).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsflink-cluster-'));
  conf = loadConfiguration({ dynamicProperties: {
    'jobmanager.rpc.port': '0', 'heartbeat.interval': '200 ms', 'heartbeat.timeout': '1500 ms',
    'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '3', 'restart-strategy.fixed-delay.delay': '100 ms',
    'slot.request.timeout': '20 s',
  } });
  jm = new StandaloneSessionClusterEntrypoint(conf, secret, join(dir, 'jm'));
  const { rpcAddress } = await jm.start();
  conf.setString('jobmanager.rpc.port', String(rpcAddress.port));
  // The same job files the YARN integration tests run (one copy, in integration/yarn-app/fixtures).
  bundle = await bundleJob(resolve(import.meta.dirname, '../../integration/yarn-app/fixtures/sequence-to-files.ts'));
  keyedBundle = await bundleJob(resolve(import.meta.dirname, '../../integration/yarn-app/fixtures/keyed-count-to-files.ts'));
  endlessBundle = await bundleJob(resolve(import.meta.dirname, 'fixtures/endless.ts'));
  await startTm(); await startTm();
}, 60_000);

afterAll(async () => {
  for (const tm of tms) await tm.stop();
  await jm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('session cluster: JobManager + TaskManagers over the control RPC', () => {
  it('TaskManagers register their slots', () => {
    expect(jm.resourceManager.slotManager.numberOfRegisteredSlots).toBe(4);
  });

  it('runs a job at parallelism 4 across both TaskManagers and frees every slot', async () => {
    const out = join(dir, 'out-1');
    const master = await submit([out, '20000', '0'], 4);
    const r = await master.result;
    expect(r.status).toBe('FINISHED');
    const lines = readParts(out);
    expect(lines.length).toBe(20000);
    expect(new Set(lines).size).toBe(20000);
    const tmsUsed = new Set([...master.executionGraph.allExecutionVertices()].map((v) => v.currentExecution.slot!.taskManagerId));
    expect(tmsUsed.size).toBe(2);
    expect(jm.resourceManager.slotManager.numberOfFreeSlots).toBe(4);
  });

  it('a keyed shuffle at parallelism 4 crosses TaskManagers over the TCP data plane', async () => {
    const out = join(dir, 'out-keyed');
    const master = await submit([out, '100000', '97'], 4, keyedBundle);
    const r = await master.result;
    expect(r.error?.message).toBeUndefined();
    expect(r.status).toBe('FINISHED');
    const counts = new Map(readParts(out).map((l) => l.split(' ').map(Number) as [number, number]));
    expect(counts.size).toBe(97);
    for (let k = 0; k < 97; k++) expect(counts.get(k)).toBe(Math.floor(100000 / 97) + (k < 100000 % 97 ? 1 : 0));
    // The final IO counters came back with the tasks' FINISHED states, from both TaskManagers.
    const d = jobDetailsInfo({ master, result: r });
    const edge = master.job.jobGraph.edges[0]!;
    const src = d.vertices.find((v) => v.id === edge.sourceVertexId)!.metrics;
    const keyed = d.vertices.find((v) => v.id === edge.targetVertexId)!.metrics;
    // BATCH pre-aggregation: each source subtask sends one partial count per key it saw (97 to 4 × 97).
    expect(src).toMatchObject({ 'read-records': 0, 'write-records-complete': true, 'write-bytes-complete': true });
    expect(src['write-records']).toBeGreaterThanOrEqual(97);
    expect(src['write-records']).toBeLessThanOrEqual(4 * 97);
    expect(keyed).toMatchObject({ 'read-records': src['write-records'], 'write-records': 0, 'read-records-complete': true });
    expect(src['write-bytes']).toBeGreaterThan(97 * 3);
    expect(keyed['read-bytes']).toBe(src['write-bytes']);
  });

  it('TaskManagers send their heap, network buffer and GC metrics with heartbeat answers (REST /taskmanagers/:id)', async () => {
    // Runs after the keyed shuffle: every TaskManager's slots have used their buffer pools.
    const sm = jm.resourceManager.slotManager;
    const ids = sm.taskExecutorIds();
    expect(ids.length).toBe(2);
    for (const id of ids) {
      const t0 = Date.now();
      // Slot samples are one heartbeat behind: wait for an answer that includes them.
      while ((sm.getRegistration(id)?.metrics?.memorySegmentsTotal ?? 0) === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
      const reg = sm.getRegistration(id)!;
      expect(reg.gateway.metrics).toBeUndefined(); // remote: only what heartbeats brought
      const d = taskManagerDetailsInfo(reg);
      const m = d.metrics;
      expect(m.heapUsed).toBeGreaterThan(0);
      expect(m.heapCommitted).toBeGreaterThanOrEqual(m.heapUsed);
      expect(m.heapMax).toBeGreaterThanOrEqual(m.heapCommitted);
      expect(m.directUsed).toBeGreaterThan(0);
      expect(m.directMax).toBeGreaterThanOrEqual(m.directUsed);
      expect(m.memorySegmentsTotal).toBeGreaterThan(0);
      expect(m.nettyShuffleMemorySegmentsTotal).toBe(m.memorySegmentsTotal);
      expect(m.nettyShuffleMemorySegmentsUsed + m.nettyShuffleMemorySegmentsAvailable).toBe(m.nettyShuffleMemorySegmentsTotal);
      expect(m.nettyShuffleMemoryTotal).toBe(m.memorySegmentsTotal * 32 * 1024);
      expect(m.mappedUsed).toBe(0);
      expect(m.garbageCollectors.length).toBeGreaterThan(0);
      for (const g of m.garbageCollectors) { expect(g.count).toBeGreaterThan(0); expect(g.time).toBeGreaterThanOrEqual(0); }
      expect(d.hardware.cpuCores).toBeGreaterThan(0);
      expect(d.hardware.physicalMemory).toBeGreaterThan(0);
      expect(d.memoryConfiguration.taskHeap).toBeGreaterThan(0);
      expect(d.memoryConfiguration.frameworkHeap).toBeGreaterThan(0);
      expect(d.memoryConfiguration.totalFlinkMemory).toBe(d.memoryConfiguration.frameworkHeap + d.memoryConfiguration.taskHeap);
      expect(d.hardware.freeMemory).toBe(d.memoryConfiguration.totalFlinkMemory);
      expect(d.memoryConfiguration.totalProcessMemory).toBe(1728 * 1024 * 1024);
    }
  });

  it('running tasks\' IO counters reach the JobMaster with the TaskManagers\' heartbeats', async () => {
    const master = await submit([], 2, endlessBundle);
    const edge = master.job.jobGraph.edges[0]!;
    const keyedOf = () => jobDetailsInfo({ master, result: undefined }).vertices.find((v) => v.id === edge.targetVertexId)!.metrics;
    const t0 = Date.now();
    while (keyedOf()['read-records'] === 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
    const first = keyedOf();
    expect(master.status).toBe('RUNNING');
    expect(first['read-records']).toBeGreaterThan(0);
    expect(first['read-bytes']).toBeGreaterThan(0);
    expect(first['read-records-complete']).toBe(false);
    while (keyedOf()['read-records'] === first['read-records'] && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
    expect(keyedOf()['read-records']).toBeGreaterThan(first['read-records']);
    await master.cancel();
    const end = jobDetailsInfo({ master, result: await master.result });
    expect(end.state).toBe('CANCELED');
    const keyed = end.vertices.find((v) => v.id === edge.targetVertexId)!.metrics;
    expect(keyed['read-records-complete']).toBe(true);
    expect(keyed['read-records']).toBeGreaterThan(first['read-records']);
  });

  it('a lost TaskManager fails its tasks; the job restarts on the remaining and new slots and finishes', async () => {
    const out = join(dir, 'out-2');
    const master = await submit([out, '3000', '1500'], 2); // ~2 s of data
    await new Promise((r) => setTimeout(r, 700));
    expect(master.status).toBe('RUNNING');
    const victim = tms[0];
    await victim.stop();
    tms.splice(0, 1);
    await startTm(); // replacement capacity
    const r = await master.result;
    expect(r.status).toBe('FINISHED');
    const attempts = [...master.executionGraph.allExecutionVertices()].map((v) => v.currentExecution.attemptNumber);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(1);
    expect(master.executionGraph.exceptionHistory.some((e) => /TaskManager .* is lost/.test(e.exception))).toBe(true);
    const lines = readParts(out);
    expect(new Set(lines).size).toBe(3000);
    expect(lines.length).toBe(3000); // the failed attempt committed nothing
  }, 60_000);

  it('a TaskManager that stops answering heartbeats is declared lost within the timeout', async () => {
    const fake = await connectRpc('127.0.0.1', conf.get((await import('../configuration/index.js')).JobManagerOptions.PORT), secret, () => new Promise(() => {}));
    await fake.call('registerTaskExecutor', [{ taskManagerId: 'frozen-tm', numSlots: 1, info: { host: '127.0.0.1', dataPort: 0 } }]);
    expect(jm.resourceManager.slotManager.taskExecutorIds()).toContain('frozen-tm');
    const t0 = Date.now();
    while (jm.resourceManager.slotManager.taskExecutorIds().includes('frozen-tm') && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
    expect(jm.resourceManager.slotManager.taskExecutorIds()).not.toContain('frozen-tm');
    expect(Date.now() - t0).toBeLessThan(3000);
    fake.close();
  });

  it('a TaskManager with the wrong secret cannot register', async () => {
    const bad = new TaskManagerRunner(conf.clone(), 'not-the-secret', join(dir, 'tm-bad'));
    const port = conf.get((await import('../configuration/index.js')).JobManagerOptions.PORT);
    await expect(connectRpc('127.0.0.1', port, 'not-the-secret', () => null, { attempts: 1 })).rejects.toThrow(/Cannot connect/);
    void bad;
    expect(jm.resourceManager.slotManager.taskExecutorIds().length).toBe(2);
  });
});
