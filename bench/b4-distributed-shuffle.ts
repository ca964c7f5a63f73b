// B4: keyed shuffle at parallelism 2 across two TaskManager processes (records cross TCP) vs both
// slots in one TaskManager process (records cross a MessagePort), in the same run. Target ≥ 0.7×.
//   node dist/bench/b4-distributed-shuffle.js [records] [keys]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StandaloneSessionClusterEntrypoint } from '../runtime/entrypoint/StandaloneSessionClusterEntrypoint.js';
import { loadJobMain, type JobBundle } from '../runtime/usercode/JobBundle.js';
import { bundleJob } from '../runtime/client/JobBundler.js';
import { captureStreamGraph } from '../runtime/usercode/PlanningEnvironment.js';
import { StreamingJobGraphGenerator } from '../runtime/graph/jobgraph/StreamingJobGraphGenerator.js';
import { loadConfiguration, packageRoot, type Configuration } from '../runtime/configuration/index.js';
import { machineLine, writeResultsSection, median } from './machine.js';

const secret = randomBytes(16).toString('hex');

function startTaskManager(conf: Configuration, slots: number, work: string): ChildProcess {
  const args = [join(packageRoot(), 'cli', 'bin', 'run.js'), 'taskmanager', '--work-dir', work,
    '-D', `jobmanager.rpc.port=${conf.toMap()['jobmanager.rpc.port']}`, '-D', `taskmanager.numberOfTaskSlots=${slots}`];
  return spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, TSFLINK_CLUSTER_SECRET: secret } });
}

async function runJob(jm: StandaloneSessionClusterEntrypoint, conf: Configuration, bundle: JobBundle, n: number, keys: number): Promise<number> {
  const base = conf.clone();
  base.setString('parallelism.default', '2');
  const args = [String(n), String(keys)];
  const sg = await captureStreamGraph(await loadJobMain(bundle), args, { baseConfiguration: base, defaultParallelism: 2, executionIndex: 0, what: 'B4' });
  const jobGraph = new StreamingJobGraphGenerator(sg, randomBytes(16).toString('hex'), 0).generate();
  const master = await jm.dispatcher.submitJobFromBundle({ jobGraph, bundle, args, defaultParallelism: 2, baseConfiguration: base.toMap() });
  const r = await master.result;
  if (r.status !== 'FINISHED') throw new Error(`B4 job ${r.status}: ${r.error?.message}`);
  // Slots on different TaskManagers? (the SlotManager spreads over TaskManagers)
  return r.endTime - r.startTime;
}

async function withCluster<T>(tmSlots: number[], fn: (jm: StandaloneSessionClusterEntrypoint, conf: Configuration) => Promise<T>): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), 'tsflink-b4-'));
  const conf = loadConfiguration({ dynamicProperties: { 'jobmanager.rpc.port': '0' } });
  const jm = new StandaloneSessionClusterEntrypoint(conf, secret, join(work, 'jm'));
  const { rpcAddress } = await jm.start();
  conf.setString('jobmanager.rpc.port', String(rpcAddress.port));
  const tms = tmSlots.map((s, i) => startTaskManager(conf, s, join(work, `tm${i}`)));
  const total = tmSlots.reduce((a, b) => a + b, 0);
  while (jm.resourceManager.slotManager.numberOfRegisteredSlots < total) await new Promise((r) => setTimeout(r, 100));
  try { return await fn(jm, conf); } finally {
    for (const t of tms) t.kill('SIGTERM');
    await jm.close();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5_000_000);
  const keys = Number(process.argv[3] ?? 10_000);
  const bundle = await bundleJob(join(packageRoot(), 'bench', 'fixtures', 'keyed-sum-job.ts'));
  const one: number[] = [], two: number[] = [];
  for (let r = 0; r < 3; r++) {
    one.push(await withCluster([2], async (jm, conf) => { await runJob(jm, conf, bundle, 200_000, keys); return runJob(jm, conf, bundle, n, keys); }));
    two.push(await withCluster([1, 1], async (jm, conf) => { await runJob(jm, conf, bundle, 200_000, keys); return runJob(jm, conf, bundle, n, keys); }));
  }
  const t1 = median(one), t2 = median(two);
  const rps = (t: number): string => Math.round(n / (t / 1000)).toLocaleString('en-US');
  const body = `Run ${new Date().toISOString()}. ${machineLine()}

Generator → keyBy → sum → discarding sink at parallelism 2, ${n.toLocaleString('en-US')} records over ${keys.toLocaleString('en-US')} keys.
(a) one TaskManager process with 2 slots: the shuffle crosses a MessagePort between worker threads;
(b) two TaskManager processes with 1 slot each: half the records cross the TCP data plane (authenticated, credit-based).
JobManager in the benchmark process; job net runtime (deploy to finish) after a warm-up job, median of 3 alternating runs.

| layout | median s | records/s |
|---|---:|---:|
| 1 TaskManager × 2 slots | ${(t1 / 1000).toFixed(2)} | ${rps(t1)} |
| 2 TaskManagers × 1 slot | ${(t2 / 1000).toFixed(2)} | ${rps(t2)} |

Two processes / one process: **${(t1 / t2).toFixed(2)}×** the records/s (target ≥ 0.7×).`;
  console.log(body);
  writeResultsSection(packageRoot(), 'B4 keyed shuffle across TaskManager processes', body);
}

await main();
