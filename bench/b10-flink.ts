// The Apache Flink peer of B10/B11: builds bench/b10-flink-peer with Maven (Flink from Maven Central, cached in
// ~/.m2) and runs its jobs, one JVM per run (a local MiniCluster; bench.Main prints "RESULT <json>" lines).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../runtime/configuration/index.js';

/** B10/B11 command line: positional numbers, `--no-flink` (tsflink and loop only), `--no-write` (print, keep RESULTS.md). */
export async function peerArgs(): Promise<{ pos: string[]; flink: FlinkPeer | null; write: boolean }> {
  const pos = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const flink = process.argv.includes('--no-flink') ? null : await flinkPeer();
  return { pos, flink, write: !process.argv.includes('--no-write') };
}

export interface FlinkPeer {
  readonly version: string;
  readonly java: string;
  /** Net runtime (ms) of one keyed-sum job, after a warm-up job in the same JVM. */
  keyed(p: number, n: number, keys: number, objectReuse: boolean): Promise<number>;
  /** Rate-limited keyed job: net runtime and sampled latencies (ms, source stamp → keyed receiver). */
  latency(p: number, n: number, keys: number, rate: number, bufferTimeoutMs: number | null, every: number): Promise<{ ms: number; latenciesMs: number[] }>;
}

export async function flinkPeer(): Promise<FlinkPeer> {
  const dir = join(packageRoot(), 'bench', 'b10-flink-peer');
  const cpFile = join(dir, 'target', 'cp.txt');
  if (!existsSync(cpFile) || !existsSync(join(dir, 'target', 'classes', 'bench', 'Main.class'))) {
    execFileSync('mvn', ['-q', '-B', 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const classpath = `${join(dir, 'target', 'classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
  const version = /flink-streaming-java-([^/:]+)\.jar/.exec(classpath)?.[1] ?? 'unknown';
  const javaVersion = execFileSync('sh', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim();
  const run = (args: string[]): Promise<Array<Record<string, unknown>>> => new Promise((resolve, reject) => {
    const child = spawn('java', ['-cp', classpath, 'bench.Main', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => {
      const results = out.split('\n').filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice(7)) as Record<string, unknown>);
      if (code !== 0 || results.length === 0) reject(new Error(`Flink peer ${args.join(' ')} exited with ${code}: ${err.slice(-2000)}`));
      else resolve(results);
    });
  });
  return {
    version: `Apache Flink ${version}`,
    java: javaVersion,
    async keyed(p, n, keys, objectReuse) {
      const [r] = await run(['keyed', String(p), String(n), String(keys), String(objectReuse), '1']);
      return r!.ms as number;
    },
    async latency(p, n, keys, rate, bufferTimeoutMs, every) {
      const [r] = await run(['latency', String(p), String(n), String(keys), String(rate), bufferTimeoutMs === null ? '-' : String(bufferTimeoutMs), String(every)]);
      return { ms: r!.ms as number, latenciesMs: (r!.latenciesNs as number[]).map((x) => x / 1e6) };
    },
  };
}
