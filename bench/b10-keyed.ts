// B10: keyed sum (issue 18). fromSequence(1, n) → map to [x % keys, 1] → keyBy → sum(1) → discarding sink,
// p=1 and p=2, three engines alternating in one invocation: tsflink (embedded cluster, worker-thread slots:
// `tsflink run`'s path), a hand-written Node loop doing the same work, and Apache Flink 2.x (local
// MiniCluster in a JVM, the same job: bench/b10-flink-peer). Times: job net runtime (deploy to finish) for
// both engines, the loop's own time inside its worker thread.
// Targets: tsflink ≥ 1.5× Flink's throughput at p=1 and ≤ 3× the loop's time; tsflink p2/p1 ≥ 1.7×.
//   node dist/bench/b10-keyed.js [records=10000000] [keys=10000] [rounds=3] [--no-flink] [--no-write]
// Also reports the busiest slot thread's CPU time per p (b10-thread-cpu.ts): scaling that a loaded machine does not hide.
import { join } from 'node:path';
import { bundleJob } from '../runtime/client/JobBundler.js';
import { runProgram } from '../runtime/client/ProgramRunner.js';
import { loadConfiguration, packageRoot } from '../runtime/configuration/index.js';
import { machineLine, writeResultsSection, median, effectiveCores } from './machine.js';
import { peerArgs } from './b10-flink.js';
import { withThreadCpu } from './b10-thread-cpu.js';

type Bundle = Awaited<ReturnType<typeof bundleJob>>;

/** CPU ms of the busiest slot thread of the last tsflink run (its critical path on free cores). */
let lastSlotCpuMs = NaN;

async function tsflink(bundle: Bundle, p: number, n: number, keys: number, objectReuse = true): Promise<number> {
  const conf = loadConfiguration({ dynamicProperties: {
    'parallelism.default': String(p), 'taskmanager.numberOfTaskSlots': String(p), 'pipeline.object-reuse': String(objectReuse),
  } });
  const { threadsMs } = await withThreadCpu(() => runProgram({ bundle, args: [String(n), String(keys)], configuration: conf }));
  // The busiest thread is a slot thread (the main thread only deploys and waits).
  lastSlotCpuMs = threadsMs[0] ?? NaN;
  return (globalThis as { __tsflinkNetRuntime?: number }).__tsflinkNetRuntime!;
}

/**
 * The job's work written by hand: the same map to a fresh tuple, a Map lookup, a new tuple per update
 * (sum keeps the first record's other fields, as Flink's SumAggregator) and a sink that looks at it.
 * In a worker thread (a fresh isolate, like a slot); p threads each do n/p records, no exchange.
 */
const LOOP = `
  const { parentPort, workerData } = require('node:worker_threads');
  const { from, to, keys } = workerData;
  const map = (x) => [x % keys, 1];
  const sums = new Map();
  let check = 0;
  const t = performance.now();
  for (let x = from; x <= to; x++) {
    const r = map(x);
    const cur = sums.get(r[0]);
    const next = cur === undefined ? r : [cur[0], cur[1] + r[1]];
    sums.set(r[0], next);
    check += next[1];
  }
  parentPort.postMessage([performance.now() - t, check]);`;

async function loop(p: number, n: number, keys: number): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const one = (from: number, to: number): Promise<number> => new Promise((resolve, reject) => {
    const w = new Worker(LOOP, { eval: true, workerData: { from, to, keys } });
    w.once('message', (m: [number, number]) => { resolve(m[0]); void w.terminate(); });
    w.once('error', reject);
  });
  const per = Math.ceil(n / p);
  const times = await Promise.all(Array.from({ length: p }, (_, i) => one(1 + i * per, Math.min(n, (i + 1) * per))));
  return Math.max(...times);
}

async function main(): Promise<void> {
  const { pos, flink, write } = await peerArgs();
  const n = Number(pos[0] ?? 10_000_000);
  const keys = Number(pos[1] ?? 10_000);
  const rounds = Number(pos[2] ?? 3);
  const bundle = await bundleJob(join(packageRoot(), 'bench', 'fixtures', 'b10-keyed-sum-job.ts'));
  await tsflink(bundle, 1, Math.min(n, 1_000_000), keys); // warm-up (bundle cache, disk)
  const coresBefore = await effectiveCores();
  const t: Record<string, number[]> = {};
  const add = (k: string, ms: number): void => { (t[k] ??= []).push(ms); console.error(`  ${k}: ${ms.toFixed(0)} ms`); };
  for (let r = 0; r < rounds; r++) {
    for (const p of [1, 2]) {
      add(`tsflink p${p}`, await tsflink(bundle, p, n, keys));
      add(`tsflink-cpu p${p}`, lastSlotCpuMs);
      add(`tsflink-copy p${p}`, await tsflink(bundle, p, n, keys, false));
      add(`loop p${p}`, await loop(p, n, keys));
      if (flink) {
        add(`flink p${p}`, await flink.keyed(p, n, keys, false));
        add(`flink-reuse p${p}`, await flink.keyed(p, n, keys, true));
      }
    }
  }
  const coresAfter = await effectiveCores();
  const m = (k: string): number => median(t[k] ?? [NaN]);
  const rps = (ms: number): string => (Number.isFinite(ms) ? Math.round(n / (ms / 1000)).toLocaleString('en-US') : '–');
  const row = (label: string, k: string): string =>
    `| ${label} | ${(m(`${k} p1`) / 1000).toFixed(2)} | ${rps(m(`${k} p1`))} | ${(m(`${k} p2`) / 1000).toFixed(2)} | ${rps(m(`${k} p2`))} | ${(m(`${k} p1`) / m(`${k} p2`)).toFixed(2)}× | ${(t[`${k} p1`] ?? []).map((x) => (x / 1000).toFixed(2)).join(' / ')} ; ${(t[`${k} p2`] ?? []).map((x) => (x / 1000).toFixed(2)).join(' / ')} |`;
  const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
  const body = `Run ${new Date().toISOString()}. ${machineLine()}${flink ? ` Flink: ${flink.version}, ${flink.java}.` : ''}

\`fromSequence(1, ${n.toLocaleString('en-US')}).map(x => [x % ${keys.toLocaleString('en-US')}, 1]).keyBy(t => t[0]).sum(1)\` → discarding sink, STREAMING
(every update emitted). tsflink: embedded cluster, worker-thread slots (\`tsflink run\`'s path; at p=1 source and keyed task share one
slot thread and exchange in-thread). Flink: the same job on a local MiniCluster (\`bench/b10-flink-peer\`, one JVM per run with a 2 M-record
warm-up job first), default config and with \`pipeline.object-reuse: true\`. Loop: the same map / Map lookup / new tuple per update,
hand-written, in a worker thread (p=2: two threads with half the records each, no exchange). Times: job net runtime for the engines,
loop time inside its thread; median of ${rounds} alternating rounds.

| | p=1 s | p=1 records/s | p=2 s | p=2 records/s | p2/p1 | runs p1 ; p2 (s) |
|---|---:|---:|---:|---:|---:|---|
${row('tsflink', 'tsflink')}
${row('tsflink, `pipeline.object-reuse: false` (in-thread copies)', 'tsflink-copy')}
${row('hand-written loop', 'loop')}
${flink ? `${row('Apache Flink', 'flink')}\n${row('Apache Flink, object reuse', 'flink-reuse')}` : ''}

- tsflink / Flink throughput, p=1: **${f2(m('flink p1') / m('tsflink p1'))}×** (target ≥ 1.5×); p=2: ${f2(m('flink p2') / m('tsflink p2'))}×; vs Flink with object reuse p=1: ${f2(m('flink-reuse p1') / m('tsflink p1'))}×.
- tsflink time / loop time, p=1: **${f2(m('tsflink p1') / m('loop p1'))}×** (target ≤ 3×).
- In-thread references vs copies (\`pipeline.object-reuse\` true / false), p=1: ${f2(m('tsflink-copy p1') / m('tsflink p1'))}× faster with references.
- tsflink p2 / p1: **${f2(m('tsflink p1') / m('tsflink p2'))}×** (target ≥ 1.7×; the loop's two threads: ${f2(m('loop p1') / m('loop p2'))}×).
- Busiest slot thread's CPU time (job start-up in the slot included), p=1 ; p=2: ${(m('tsflink-cpu p1') / 1000).toFixed(2)} s ; ${(m('tsflink-cpu p2') / 1000).toFixed(2)} s → p1/p2 **${f2(m('tsflink-cpu p1') / m('tsflink-cpu p2'))}×** (what p2/p1 would be on two free cores if nothing waited; runs ${(t['tsflink-cpu p1'] ?? []).map((x) => (x / 1000).toFixed(2)).join(' / ')} ; ${(t['tsflink-cpu p2'] ?? []).map((x) => (x / 1000).toFixed(2)).join(' / ')}).
- Effective cores for two busy threads (CPU probe, 2.0 = two free cores): ${coresBefore.toFixed(2)} before, ${coresAfter.toFixed(2)} after.`;
  console.log(body);
  if (write) writeResultsSection(packageRoot(), 'B10 keyed sum: tsflink vs hand-written loop vs Apache Flink', body);
}

await main();
