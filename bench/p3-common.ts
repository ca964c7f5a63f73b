// What the P3 benches share (bench/p3-batch-wordcount.ts, bench/p3-parquet-groupby.ts): running the tsflink job
// fixture on the embedded cluster, running a Maven-built Apache Flink peer JVM, reading and checking outputs,
// and the timing table.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { bundleJob } from '../runtime/client/JobBundler.js';
import { runProgram } from '../runtime/client/ProgramRunner.js';
import { loadConfiguration, packageRoot } from '../runtime/configuration/index.js';
import { median } from './machine.js';

export type Bundle = Awaited<ReturnType<typeof bundleJob>>;

/** Sorted lines of an output directory (every visible file, recursively). */
export function outputOf(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      if (f.startsWith('.') || f.startsWith('_')) continue;
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else for (const l of readFileSync(p, 'utf8').split('\n')) if (l) lines.push(l);
    }
  };
  walk(dir);
  return lines.sort().join('\n');
}

/** Runs a bench job fixture at parallelism p (one TaskManager with p worker-thread slots); its net runtime in ms. */
export async function runTsflink(bundle: Bundle, p: number, args: string[], tmpDir: string, conf: Record<string, string> = {}): Promise<number> {
  mkdirSync(tmpDir, { recursive: true });
  const configuration = loadConfiguration({ dynamicProperties: {
    'parallelism.default': String(p), 'taskmanager.numberOfTaskSlots': String(p), 'io.tmp.dirs': tmpDir, ...conf,
  } });
  const g = globalThis as { __tsflinkNetRuntime?: number };
  g.__tsflinkNetRuntime = undefined;
  await runProgram({ bundle, args, configuration });
  const ms = g.__tsflinkNetRuntime;
  if (ms === undefined) throw new Error('the bench job fixture did not set globalThis.__tsflinkNetRuntime');
  return ms;
}

export interface FlinkPeer {
  /** "Apache Flink 2.3.0" plus the listed jars' versions. */
  version: string;
  java: string;
  /**
   * Runs `java <mainClass> <mode> <p> <input> <output> <warmup input> <warmup output>` (the peer runs the warm-up
   * job first, then prints `RESULT {"ms": net runtime}`); resolves with the ms.
   */
  run(mode: string, p: number, input: string, output: string, warmup: string, env?: Record<string, string>): Promise<number>;
}

/**
 * The Apache Flink peer in bench/<folder> (a Maven project; compiled on first use, classpath in target/cp.txt).
 * `jars` names further jars whose versions go into `version`, e.g. { 'parquet-avro': 'parquet-avro' }.
 */
export function flinkPeer(folder: string, mainClass: string, tmpDir: string, jars: Record<string, string> = {}): FlinkPeer {
  const dir = join(packageRoot(), 'bench', folder);
  const cpFile = join(dir, 'target', 'cp.txt');
  if (!existsSync(cpFile) || !existsSync(join(dir, 'target', 'classes', ...mainClass.split('.')) + '.class')) {
    execFileSync('mvn', ['-q', '-B', 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const classpath = `${join(dir, 'target', 'classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
  const jarVersion = (artifact: string): string => new RegExp(`${artifact}-([^/:]+)\\.jar`).exec(classpath)?.[1] ?? 'unknown';
  const extra = Object.entries(jars).map(([label, artifact]) => `${label} ${jarVersion(artifact)}`);
  return {
    version: `Apache Flink ${jarVersion('flink-streaming-java')}${extra.length ? ` (${extra.join(', ')})` : ''}`,
    java: execFileSync('sh', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim(),
    run: (mode, p, input, output, warmup, env = {}) => new Promise((resolve, reject) => {
      const warmOut = `${output}-warmup`;
      rmSync(warmOut, { recursive: true, force: true });
      const child = spawn('java', ['-cp', classpath, `-Djava.io.tmpdir=${tmpDir}`, mainClass, mode, String(p), input, output, warmup, warmOut],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
      let out = '', err = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      child.once('error', reject);
      child.once('exit', (code) => {
        rmSync(warmOut, { recursive: true, force: true });
        const line = out.split('\n').find((l) => l.startsWith('RESULT '));
        if (code !== 0 || !line) reject(new Error(`Flink peer ${mainClass} exited with ${code}: ${(out + err).slice(-3000)}`));
        else resolve((JSON.parse(line.slice(7)) as { ms: number }).ms);
      });
    }),
  };
}

/** Run times per engine, each run's output checked equal to the expected one; the markdown rows of the results. */
export class Timings {
  readonly runs: Record<string, number[]> = {};
  /** What every output must equal (sorted lines); set before the first `add`. */
  expected = '';

  constructor(private readonly what: string) {}

  /** Checks the output dir against `expected`, removes it, records ms under k. */
  add(k: string, ms: number, out: string): void {
    const got = outputOf(out);
    if (got !== this.expected) throw new Error(`${k}: output differs from ${this.what} (${got.split('\n').length} vs ${this.expected.split('\n').length} lines)`);
    rmSync(out, { recursive: true, force: true });
    (this.runs[k] ??= []).push(ms);
    console.error(`  ${k}: ${ms.toFixed(0)} ms`);
  }

  median(k: string): number { return median(this.runs[k] ?? [NaN]); }

  /** `| label | s | <rate> | runs (s) |`; rate(ms) formats the throughput column. */
  row(label: string, k: string, rate: (ms: number) => string): string {
    const m = this.median(k);
    return `| ${label} | ${f2(m / 1000)} | ${Number.isFinite(m) ? rate(m) : '–'} | ${(this.runs[k] ?? []).map((x) => (x / 1000).toFixed(2)).join(' / ')} |`;
  }
}

/** Two decimals, or "–" for a run that did not happen. */
export function f2(x: number): string { return Number.isFinite(x) ? x.toFixed(2) : '–'; }
