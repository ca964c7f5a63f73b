// B11: keyed latency (issue 18). A rate-limited generator stamps each record with the wall clock, keyBy, and the
// receiving keyed operator samples now − stamp; p=2, buffer timeout 1 ms and the default (100 ms), tsflink
// (embedded cluster, worker-thread slots) and Apache Flink 2.x (local MiniCluster, the same job:
// bench/b10-flink-peer) alternating in one invocation. Target: tsflink p99 at 100k records/s, 1 ms ≤ Flink's.
//   node dist/bench/b11-keyed-latency.js [rate=100000] [seconds=8] [rounds=2] [--no-flink] [--no-write]
import { join } from 'node:path';
import { bundleJob } from '../runtime/client/JobBundler.js';
import { runProgram } from '../runtime/client/ProgramRunner.js';
import { loadConfiguration, packageRoot } from '../runtime/configuration/index.js';
import { machineLine, writeResultsSection } from './machine.js';
import { peerArgs } from './b10-flink.js';

const g = globalThis as { __tsflinkNetRuntime?: number; __tsflinkLatencies?: number[] };

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  const { pos, flink, write } = await peerArgs();
  const rate = Number(pos[0] ?? 100_000);
  const seconds = Number(pos[1] ?? 8);
  const rounds = Number(pos[2] ?? 2);
  const keys = 10_000, every = 20, p = 2, n = rate * seconds;
  const bundle = await bundleJob(join(packageRoot(), 'bench', 'fixtures', 'b11-keyed-latency-job.ts'));
  const tsflink = async (timeout: string, records: number): Promise<number[]> => {
    const conf = loadConfiguration({ dynamicProperties: { 'parallelism.default': String(p), 'taskmanager.numberOfTaskSlots': String(p) } });
    await runProgram({ bundle, args: [String(records), String(keys), String(rate), timeout, String(every)], configuration: conf });
    return g.__tsflinkLatencies ?? [];
  };
  await tsflink('1', rate); // warm-up (bundle cache, disk)
  const lat: Record<string, number[]> = {};
  const add = (k: string, xs: number[]): void => { (lat[k] ??= []).push(...xs); console.error(`  ${k}: ${xs.length} samples, p99 ${pct(xs, 99).toFixed(2)} ms`); };
  for (let r = 0; r < rounds; r++) {
    for (const timeout of ['1', '-']) {
      add(`tsflink ${timeout}`, await tsflink(timeout, n));
      if (flink) add(`flink ${timeout}`, (await flink.latency(p, n, keys, rate, timeout === '-' ? null : Number(timeout), every)).latenciesMs);
    }
  }
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
  const row = (label: string, k: string): string => {
    const xs = lat[k] ?? [];
    return `| ${label} | ${f(pct(xs, 50))} | ${f(pct(xs, 99))} | ${f(pct(xs, 99.9))} | ${f(xs.length ? Math.max(...xs) : NaN)} | ${xs.length} |`;
  };
  const rows = [row('tsflink, buffer timeout 1 ms', 'tsflink 1'), ...(flink ? [row('Apache Flink, buffer timeout 1 ms', 'flink 1')] : []),
    row('tsflink, default buffer timeout (100 ms)', 'tsflink -'), ...(flink ? [row('Apache Flink, default buffer timeout (100 ms)', 'flink -')] : [])];
  const body = `Run ${new Date().toISOString()}. ${machineLine()}${flink ? ` Flink: ${flink.version}, ${flink.java}.` : ''}

Rate-limited generator (${rate.toLocaleString('en-US')} records/s in total, ${seconds} s per run) stamping \`[i % ${keys.toLocaleString('en-US')}, wall clock]\` → keyBy → latency probe at the
receiving keyed operator (now − stamp, every ${every}th record, the first 0.5 s of each run not sampled) → discarding sink, parallelism ${p}.
tsflink: embedded cluster, worker-thread slots (stamp and probe read \`performance.timeOrigin + performance.now()\`); Flink: the same job on a
local MiniCluster (\`System.nanoTime()\`, one clock per JVM). ${rounds} runs per row, alternating; samples pooled.

| | p50 ms | p99 ms | p99.9 ms | max ms | samples |
|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

p99 tsflink / Flink at 1 ms: **${f(pct(lat['tsflink 1'] ?? [], 99) / pct(lat['flink 1'] ?? [], 99))}×** (target ≤ 1×); at the default timeout: ${f(pct(lat['tsflink -'] ?? [], 99) / pct(lat['flink -'] ?? [], 99))}×.`;
  console.log(body);
  if (write) writeResultsSection(packageRoot(), 'B11 keyed latency: tsflink vs Apache Flink', body);
}

await main();
