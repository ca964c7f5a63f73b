// B8: the cost of checkpoints. A keyed job (generator → keyBy → reduce → discard, p=2 on the embedded
// cluster's worker-thread slots) with checkpoints every 1 s to file:// vs the same job without, in
// the same run, alternating. (1) Throughput at full speed, target ≥ 0.9×. (2) End-to-end latency
// at a fixed rate (100k records/s, buffer timeout 1 ms): p99 with checkpoints vs without, target ≤ 2×.
// The keyed state (5,000 keys per subtask) is small enough for the heap backend to write it within its
// 5 ms synchronous budget on an idle machine (docs/checkpointing.md); on a loaded one part goes asynchronous.
//   node dist/bench/b8-checkpointing.js [records] [keys]
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { bundleJob } from '../runtime/client/JobBundler.js';
import { runProgram } from '../runtime/client/ProgramRunner.js';
import { loadConfiguration, packageRoot } from '../runtime/configuration/index.js';
import { machineLine, writeResultsSection, median } from './machine.js';

type Bundle = Awaited<ReturnType<typeof bundleJob>>;
const g = globalThis as { __tsflinkNetRuntime?: number; __tsflinkLatencies?: number[] };

async function run(bundle: Bundle, args: string[]): Promise<{ ms: number; latencies: number[] }> {
  const conf = loadConfiguration({ dynamicProperties: { 'parallelism.default': '2', 'taskmanager.numberOfTaskSlots': '2' } });
  await runProgram({ bundle, args, configuration: conf });
  return { ms: g.__tsflinkNetRuntime!, latencies: g.__tsflinkLatencies ?? [] };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  // Long enough (≈ 4–5 s) for several periodic checkpoints: a ~1 s job measures mostly the final checkpoint's round trip.
  const n = Number(process.argv[2] ?? 16_000_000);
  const keys = Number(process.argv[3] ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'tsflink-b8-'));
  try {
    const bundle = await bundleJob(join(packageRoot(), 'bench', 'fixtures', 'checkpointed-keyed-job.ts'));
    const chk = `file://${join(dir, 'chk')}`;
    await run(bundle, [String(500_000), String(keys), '0', chk, '1000', '0']); // warm-up
    const withCp: number[] = [], without: number[] = [];
    for (let r = 0; r < 3; r++) {
      without.push((await run(bundle, [String(n), String(keys), '0', '-', '1000', '0'])).ms);
      withCp.push((await run(bundle, [String(n), String(keys), '0', chk, '1000', '0'])).ms);
    }
    // Latency at a fixed rate: 100k/s for 8 s, every 20th record sampled, first half second dropped (start-up).
    // Not shorter runs: each run starts new worker threads, whose first checkpoints run cold (unoptimized) code.
    const rate = 100_000, m = 800_000, every = 20, pairs = 2;
    const latNo: number[] = [], latCp: number[] = [];
    const runP99: string[] = [];
    for (let r = 0; r < pairs; r++) {
      const a = (await run(bundle, [String(m), String(keys), String(rate), '-', '1000', String(every)])).latencies.slice(rate / every / 2);
      const b = (await run(bundle, [String(m), String(keys), String(rate), chk, '1000', String(every)])).latencies.slice(rate / every / 2);
      latNo.push(...a); latCp.push(...b);
      runP99.push(`${pct(a, 99).toFixed(2)} / ${pct(b, 99).toFixed(2)}`);
    }
    const t0 = median(without), t1 = median(withCp);
    const rps = (t: number): string => Math.round(n / (t / 1000)).toLocaleString('en-US');
    const f = (x: number): string => x.toFixed(2);
    const body = `Run ${new Date().toISOString()}. ${machineLine()}

Generator → keyBy → reduce (running count per key, ${keys.toLocaleString('en-US')} keys) → latency probe → discarding sink, parallelism 2 on the
embedded cluster's worker-thread slots (\`tsflink run\`'s path). With checkpoints: every 1 s to file:// (heap backend, EXACTLY_ONCE, aligned);
baseline: the same job without checkpointing, in the same run, alternating. Job net runtime (several periodic checkpoints
and the final one of the bounded job included), median of 3.

| | median s | records/s |
|---|---:|---:|
| without checkpoints | ${f(t0 / 1000)} | ${rps(t0)} |
| checkpoints every 1 s | ${f(t1 / 1000)} | ${rps(t1)} |

Throughput with / without: **${(t0 / t1).toFixed(2)}×** (target ≥ 0.9×), ${n.toLocaleString('en-US')} records.

End-to-end latency (creation in the source → after the keyed reduce) at ${rate.toLocaleString('en-US')} records/s, buffer timeout 1 ms, every ${every}th record
sampled over ${pairs} alternating pairs of runs of ${m / rate} s each (first half second of each dropped):

| | p50 ms | p99 ms | p99.9 ms | samples |
|---|---:|---:|---:|---:|
| without checkpoints | ${f(pct(latNo, 50))} | ${f(pct(latNo, 99))} | ${f(pct(latNo, 99.9))} | ${latNo.length} |
| checkpoints every 1 s | ${f(pct(latCp, 50))} | ${f(pct(latCp, 99))} | ${f(pct(latCp, 99.9))} | ${latCp.length} |

p99 with / without: **${(pct(latCp, 99) / pct(latNo, 99)).toFixed(2)}×** (target ≤ 2×). p99 ms of each pair, without / with: ${runP99.join('; ')}.`;
    console.log(body);
    writeResultsSection(packageRoot(), 'B8 checkpoint overhead (throughput and latency)', body);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
