// B8: the cost of checkpoints. A keyed job (generator → keyBy → reduce → discard, p=2 on the embedded
// cluster's worker-thread slots) with checkpoints every 1 s to file:// vs the same job without, in
// the same run, alternating. (1) Throughput at full speed, target ≥ 0.9×. (2) End-to-end latency
// at a fixed rate (100k records/s, buffer timeout 1 ms): p99 with checkpoints vs without, target ≤ 2×.
// The keyed state (5,000 keys per subtask) is small enough for the heap backend to write it within its
// 5 ms synchronous budget on an idle machine (docs/checkpointing.md); on a loaded one part goes asynchronous.
// (3) CPU-independent: one traced run each (TSFLINK_CHECKPOINT_TRACE=1, in a child process) gives per
// checkpoint the trigger skew between the source subtasks and the keyed subtasks' alignment times.
//   node dist/bench/b8-checkpointing.js [records] [keys] [latency seconds]
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

interface TraceSummary { checkpoints: number; skew: number[]; alignment: number[]; triggerToSources: number[] }

/** Runs this file with --traced in a child with the checkpoint trace on; per checkpoint: source skew, alignments (ms). */
function tracedRun(args: string[]): Promise<TraceSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--traced', ...args], { env: { ...process.env, TSFLINK_CHECKPOINT_TRACE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) { reject(new Error(`traced B8 run exited with ${code}: ${err.split('\n').filter((l) => !l.startsWith('CPTRACE')).join('\n').slice(-2000)}`)); return; }
      const byId = new Map<number, { decide?: number; sources: number[]; aligned: number[] }>();
      for (const line of err.split('\n')) {
        const [tag, ts, id, step, ...rest] = line.split(' ');
        if (tag !== 'CPTRACE') continue;
        const e = byId.get(Number(id)) ?? { sources: [], aligned: [] };
        byId.set(Number(id), e);
        if (step === 'decide') e.decide = Number(ts);
        else if (step === 'mail-runs') e.sources.push(Number(ts));
        else if (step === 'aligned') e.aligned.push(parseFloat(rest[0] ?? ''));
      }
      const out: TraceSummary = { checkpoints: 0, skew: [], alignment: [], triggerToSources: [] };
      for (const e of byId.values()) {
        if (e.sources.length < 2 || e.decide === undefined) continue; // the final checkpoint: sources already finished
        out.checkpoints++;
        out.skew.push(Math.max(...e.sources) - Math.min(...e.sources));
        out.triggerToSources.push(Math.max(...e.sources) - e.decide);
        out.alignment.push(...e.aligned);
      }
      resolve(out);
    });
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--traced') {
    const bundle = await bundleJob(join(packageRoot(), 'bench', 'fixtures', 'checkpointed-keyed-job.ts'));
    await run(bundle, process.argv.slice(3));
    return;
  }
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
    // Latency at a fixed rate: 100k/s for 8 s, every 20th record sampled, each subtask's first half second dropped (start-up, in the probe).
    // Not shorter runs: each run starts new worker threads, whose first checkpoints run cold (unoptimized) code.
    const rate = 100_000, m = rate * Number(process.argv[4] ?? 8), every = 20, pairs = 2;
    const latNo: number[] = [], latCp: number[] = [];
    const runP99: string[] = [];
    for (let r = 0; r < pairs; r++) {
      const a = (await run(bundle, [String(m), String(keys), String(rate), '-', '1000', String(every)])).latencies;
      const b = (await run(bundle, [String(m), String(keys), String(rate), chk, '1000', String(every)])).latencies;
      latNo.push(...a); latCp.push(...b);
      runP99.push(`${pct(a, 99).toFixed(2)} / ${pct(b, 99).toFixed(2)}`);
    }
    const trLat = await tracedRun([String(m), String(keys), String(rate), chk, '1000', '0']);
    const trFull = await tracedRun([String(n), String(keys), '0', chk, '1000', '0']);
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

p99 with / without: **${(pct(latCp, 99) / pct(latNo, 99)).toFixed(2)}×** (target ≤ 2×). p99 ms of each pair, without / with: ${runP99.join('; ')}.

CPU-independent, from one traced run each (TSFLINK_CHECKPOINT_TRACE=1; periodic checkpoints, the final one excluded): trigger skew =
the time between the two source subtasks starting a checkpoint (the keyed subtasks block one channel about that long);
trigger → sources = from the coordinator's decision until the later source started it; alignment = per keyed subtask.

| run | checkpoints | skew median / max ms | trigger → sources median / max ms | alignment median / max ms |
|---|---:|---:|---:|---:|
${[['fixed rate', trLat] as const, ['full speed', trFull] as const].map(([name, t]) =>
    `| ${name} | ${t.checkpoints} | ${f(median(t.skew))} / ${f(Math.max(...t.skew))} | ${f(median(t.triggerToSources))} / ${f(Math.max(...t.triggerToSources))} | ${f(median(t.alignment))} / ${f(Math.max(...t.alignment))} |`).join('\n')}`;
    console.log(body);
    writeResultsSection(packageRoot(), 'B8 checkpoint overhead (throughput and latency)', body);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
