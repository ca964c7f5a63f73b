// Nexmark, tsflink vs Apache Flink on this machine, in one invocation (issue 13 item 5).
//
//   npx tsc -p tsconfig.json && node dist/bench/nexmark/run.js [events=2000000] [options]
//     --queries q0,q1,…   which queries (default: q0 q1 q2 q3 q4 q5 q7 q8 q11 q12)
//     --parallelism n     both engines (default 2)
//     --rate r            events per second of event time (default 10,000,000, nexmark's tps)
//     --runs n            measured runs per engine and query, alternating; medians reported (default 1)
//     --no-flink          tsflink only;  --no-write  print, leave bench/RESULTS.md alone
//     --profile dir       also run the slow queries (below 1.0× Flink per core-second; all with --no-flink) under
//                         node --cpu-prof (one profile per thread) and report the busiest threads' top frames
//
// Each query runs as a job on the embedded cluster (worker-thread slots, the path of `tsflink run`) and, in a JVM
// per query, on Flink's local MiniCluster (bench/nexmark/flink-peer, built with Maven from ~/.m2 on first use) after
// a warm-up job in that JVM. Same generator (seeded, bit-identical events), same DataStream pipeline, same
// event count and parallelism. Reported per query: events/s (events / job net runtime) and events per core-second
// (events / CPU time of the whole process over the job: tsflink's process incl. all worker threads, the JVM incl.
// JIT and GC), and the ratios. Before measuring, a small differential run checks that both engines' result
// counts and checksums agree; the measured runs are checked the same way (except q12: processing time).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { bundleJob } from '../../runtime/client/JobBundler.js';
import { runProgram } from '../../runtime/client/ProgramRunner.js';
import { loadConfiguration, packageRoot } from '../../runtime/configuration/index.js';
import { machineLine, writeResultsSection, effectiveCores } from '../machine.js';
import { topSelfFrames } from '../b10-cpuprofile-top.js';

const FLINK_TIMEOUT_MS = 20 * 60_000;
const ALL = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8', 'q11', 'q12'];
/** What bench/nexmark/job/nexmark-job.ts leaves on globalThis. */
interface JobResult { netRuntimeMs: number; records: number; checksum: number }
interface Measured { ms: number; cpuMs: number; records: number; checksum: number }

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

type Bundle = Awaited<ReturnType<typeof bundleJob>>;

async function tsflink(bundle: Bundle, q: string, events: number, rate: number, p: number): Promise<Measured> {
  const conf = loadConfiguration({ dynamicProperties: { 'parallelism.default': String(p), 'taskmanager.numberOfTaskSlots': String(p) } });
  const cpu0 = process.cpuUsage();
  await runProgram({ bundle, args: [q, String(events), String(rate), '0'], configuration: conf });
  const cpu = process.cpuUsage(cpu0);
  const r = (globalThis as { __nexmarkResult?: JobResult }).__nexmarkResult!;
  return { ms: r.netRuntimeMs, cpuMs: (cpu.user + cpu.system) / 1000, records: r.records, checksum: r.checksum };
}

interface Flink { version: string; java: string; run(q: string, events: number, rate: number, p: number, warmup: number): Promise<Measured> }

/** Medians of net runtime and CPU time over runs (each its own median); results must be the same in every run. */
function medianRun(runs: Measured[]): Measured {
  const mid = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
  return { ms: mid(runs.map((r) => r.ms)), cpuMs: mid(runs.map((r) => r.cpuMs)), records: runs[0]!.records, checksum: runs[0]!.checksum };
}

function flinkPeer(): Flink {
  const dir = join(packageRoot(), 'bench', 'nexmark', 'flink-peer');
  const cpFile = join(dir, 'target', 'cp.txt');
  if (!existsSync(cpFile) || !existsSync(join(dir, 'target', 'classes', 'nexmark', 'Main.class'))) {
    execFileSync('mvn', ['-q', '-B', 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const classpath = `${join(dir, 'target', 'classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
  const version = /flink-streaming-java-([^/:]+)\.jar/.exec(classpath)?.[1] ?? 'unknown';
  const java = execFileSync('sh', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim();
  return {
    version: `Apache Flink ${version}`, java,
    run: (q, events, rate, p, warmup) => new Promise((resolve, reject) => {
      const child = spawn('java', ['-cp', classpath, 'nexmark.Main', q, String(events), String(rate), '0', String(p), 'true', '1', String(warmup)], { stdio: ['ignore', 'pipe', 'pipe'] });
      // A hung job must not hang the benchmark: generous, since the machine may be shared.
      const timer = setTimeout(() => { err += `\n(killed after ${FLINK_TIMEOUT_MS / 60_000} minutes)`; child.kill('SIGKILL'); }, FLINK_TIMEOUT_MS);
      let out = '', err = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      child.once('error', reject);
      child.once('exit', (code) => {
        clearTimeout(timer);
        const line = out.split('\n').find((l) => l.startsWith('RESULT '));
        if (code !== 0 || !line) reject(new Error(`Flink peer ${q} exited with ${code}: ${err.slice(-2000)}`));
        else resolve(JSON.parse(line.slice(7)) as Measured);
      });
    }),
  };
}

/** Runs the queries under node --cpu-prof in a child process; the busiest slot threads' top self-time frames per query. */
function profile(dir: string, queries: string[], events: number, rate: number, p: number): string {
  const parts: string[] = [];
  for (const q of queries) {
    const out = join(dir, q);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${out}`, process.argv[1]!, String(events), '--queries', q, '--parallelism', String(p), '--rate', String(rate), '--no-flink', '--no-write', '--no-check'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`profiling ${q} failed with ${r.status}`);
    // The main thread (JobManager, client) is the largest file only when slots idle; rank threads by busy time.
    const profiles = readdirSync(out).filter((f) => f.endsWith('.cpuprofile')).map((f) => topSelfFrames(JSON.parse(readFileSync(join(out, f), 'utf8')), 8))
      .sort((a, b) => b.busyMs - a.busyMs);
    const slots = profiles.slice(0, p);
    // Frames of the job bundle carry its content hash as file name.
    const label = (frame: string): string => frame.replace(/[0-9a-f]{64}\.mjs/, 'job bundle');
    parts.push(`**${q}** (${profiles.length} threads profiled; the ${slots.length} busiest):\n\n` + slots.map((s, i) =>
      `thread ${i + 1}: ${s.busyMs.toFixed(0)} ms busy — ` + s.frames.map((f) => `${label(f.frame)} ${(f.share * 100).toFixed(0)} %`).join('; ')).join('\n\n'));
  }
  return parts.join('\n\n');
}

const f0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');

async function main(): Promise<void> {
  const first = process.argv[2];
  const events = first !== undefined && /^\d+$/.test(first) ? Number(first) : 2_000_000;
  const queries = (option('queries') ?? ALL.join(',')).split(',');
  for (const q of queries) if (!ALL.includes(q)) throw new Error(`--queries: unknown query '${q}'; expected some of ${ALL.join(', ')}.`);
  const p = Number(option('parallelism') ?? 2);
  const runs = Number(option('runs') ?? 1);
  const rate = Number(option('rate') ?? 10_000_000);
  const flink = process.argv.includes('--no-flink') ? null : flinkPeer();
  const write = !process.argv.includes('--no-write');
  const bundle = await bundleJob(join(packageRoot(), 'bench', 'nexmark', 'job', 'nexmark-job.ts'));

  // Differential check: a small run with many windows (1,000 events/s of event time), both engines, same results.
  const mismatches: string[] = [];
  if (flink && !process.argv.includes('--no-check')) {
    for (const q of queries.filter((x) => x !== 'q12')) {
      const [a, b] = [await tsflink(bundle, q, 100_000, 1000, p), await flink.run(q, 100_000, 1000, p, 0)];
      const ok = a.records === b.records && a.checksum === b.checksum;
      console.error(`  check ${q}: tsflink ${a.records} records #${a.checksum}, Flink ${b.records} records #${b.checksum} ${ok ? 'equal' : 'DIFFERENT'}`);
      if (!ok) mismatches.push(`${q} (100,000 events at 1,000/s)`);
    }
  }

  const loadBefore = loadavg()[0]!;
  const coresBefore = await effectiveCores();
  const rows: string[] = [];
  const ratios: Record<string, number> = {};
  for (const q of queries) {
    const ts: Measured[] = [], fs: Measured[] = [];
    for (let r = 0; r < runs; r++) {
      ts.push(await tsflink(bundle, q, events, rate, p));
      if (flink) fs.push(await flink.run(q, events, rate, p, Math.min(events, 500_000)));
    }
    const t = medianRun(ts);
    const f = flink ? medianRun(fs) : null;
    const same = f === null || q === 'q12' ? '–' : t.records === f.records && t.checksum === f.checksum ? 'yes' : 'NO';
    if (same === 'NO') mismatches.push(`${q} (measured run)`);
    const tps = events / (t.ms / 1000), tpc = events / (t.cpuMs / 1000);
    const fps = f ? events / (f.ms / 1000) : NaN, fpc = f ? events / (f.cpuMs / 1000) : NaN;
    ratios[q] = tpc / fpc;
    console.error(`  ${q}: tsflink ${ts.map((x) => `${x.ms} ms/${x.cpuMs.toFixed(0)} ms CPU`).join(', ')}; Flink ${fs.map((x) => `${x.ms} ms/${x.cpuMs} ms CPU`).join(', ')}`);
    rows.push(`| ${q} | ${f0(tps)} | ${f0(tpc)} | ${f0(fps)} | ${f0(fpc)} | **${f2(tpc / fpc)}×** | ${f2(tps / fps)}× | ${t.records.toLocaleString('en-US')} | ${same} |`);
  }
  const coresAfter = await effectiveCores();
  const profDir = option('profile');
  const slow = queries.filter((q) => !flink || !(ratios[q]! >= 1));
  const prof = profDir && slow.length ? profile(profDir, slow, events, rate, p) : '';
  const body = `Run ${new Date().toISOString()}. ${machineLine()}${flink ? ` Flink: ${flink.version}, ${flink.java}.` : ''}
Effective cores for two busy threads (CPU probe, 2.0 = two free cores): ${coresBefore.toFixed(2)} before, ${coresAfter.toFixed(2)} after.${loadBefore > 1.5 || coresBefore < 1.8 ? `
**Machine loaded by other agents** (load average ${loadBefore.toFixed(2)} at the start): indicative numbers only; re-run on a quiet machine.` : ''}

\`node dist/bench/nexmark/run.js ${events}\`${process.argv.slice(3).map((a) => ' ' + a).join('')}: ${events.toLocaleString('en-US')} events (Person:Auction:Bid 1:3:46) at
${rate.toLocaleString('en-US')} events/s of event time, parallelism ${p}, ${runs === 1 ? 'one run' : `median of ${runs} alternating runs`} per engine and query. tsflink: embedded cluster,
worker-thread slots; Flink: local MiniCluster, \`pipeline.object-reuse: true\` (nexmark's setting), after a warm-up job in the same JVM.
Events per core-second = events / CPU time of the engine's process over the job (all threads).

| query | tsflink events/s | tsflink events/core-s | Flink events/s | Flink events/core-s | ratio per core-s | ratio events/s | results | same results |
|---|---:|---:|---:|---:|---:|---:|---:|---|
${rows.join('\n')}

${mismatches.length ? `**Results differ** for ${mismatches.join(', ')}.` : flink ? 'Differential check: result counts and checksums equal on both engines for every query (100,000 events at 1,000 events/s, and the measured runs; q12 runs in processing time and is not compared).' : ''}
Targets (issue 13): ≥ 1.0× Flink's events per core-second on q0–q2 (${['q0', 'q1', 'q2'].map((q) => f2(ratios[q] ?? NaN)).join(', ')}), ≥ 0.5× on q5, q7, q8, q11 (${['q5', 'q7', 'q8', 'q11'].map((q) => f2(ratios[q] ?? NaN)).join(', ')}).
${prof ? `\nProfiles (\`--profile\`, tsflink only, self time of the busiest slot threads):\n\n${prof}\n` : ''}`;
  console.log(body);
  if (write) writeResultsSection(packageRoot(), 'Nexmark: tsflink vs Apache Flink', body);
  if (mismatches.length) process.exitCode = 1;
}

await main();
