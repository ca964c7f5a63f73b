// The Apache Flink side of the differential tests in this folder: the Maven project in ./flink (Flink 2.x
// from Maven Central), the seeded event files both engines read, and the comparison of their output lines.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = join(dirname(fileURLToPath(import.meta.url)), 'flink');

/** java and mvn on the PATH (CI has both); without them the differential tests are skipped. */
export const hasJava = spawnSync('java', ['-version']).status === 0 && spawnSync('mvn', ['-v']).status === 0;

/** The classpath to run `differential.<mainClass>`, compiling the project first if that class is missing or older than its source. */
export function flinkClasspath(mainClass: string): string {
  const cpFile = join(project, 'target', 'cp.txt');
  const cls = join(project, 'target', 'classes', 'differential', `${mainClass}.class`);
  const src = join(project, 'src', 'main', 'java', 'differential', `${mainClass}.java`);
  if (!existsSync(cpFile) || !existsSync(cls) || statSync(cls).mtimeMs < statSync(src).mtimeMs) {
    execFileSync('mvn', ['-q', '-B', 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], { cwd: project, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return `${join(project, 'target', 'classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
}

/**
 * Seeded events `key,timestamp,value`: ~20 ms apart, jitter within the 1 s watermark bound, gaps of
 * 4–9 s; with `veryLate`, 2.5 % of them 1.5–13.5 s late.
 */
export function eventFile(n: number, seed: number, veryLate = true): string {
  let s = seed >>> 0;
  const rnd = (k: number): number => { // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % k);
  };
  const lines: string[] = [];
  let t = 1_000_000;
  for (let i = 0; i < n; i++) {
    t += rnd(40);
    if (rnd(200) === 0) t += 4000 + rnd(5000);
    const late = rnd(40) === 0;
    const ts = veryLate && late ? t - 1500 - rnd(12_000) : t - rnd(900);
    lines.push(`k${rnd(8)},${ts},${1 + rnd(100)}`);
  }
  return lines.join('\n') + '\n';
}

/** Runs `differential.<mainClass> args…` on Flink; returns its output file's lines. */
export function runFlink(classpath: string, mainClass: string, args: string[], out: string): { status: number | null; stderr: string; lines: string[] } {
  const java = spawnSync('java', ['-cp', classpath, `differential.${mainClass}`, ...args, out], { encoding: 'utf8', timeout: 120_000 });
  return { status: java.status, stderr: java.stderr.slice(-3000), lines: java.status === 0 ? readFileSync(out, 'utf8').split('\n').filter((l) => l !== '') : [] };
}

/** The lines of `a` that `b` lacks, counting repeats (a multiset difference), for a readable failure. */
export function onlyIn(a: readonly string[], b: readonly string[]): string[] {
  const rest = new Map<string, number>();
  for (const l of b) rest.set(l, (rest.get(l) ?? 0) + 1);
  return a.filter((l) => { const n = rest.get(l) ?? 0; rest.set(l, n - 1); return n <= 0; });
}
