import { cpus, totalmem, loadavg } from 'node:os';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** One line describing where a benchmark ran (results are only comparable on the same machine). */
export function machineLine(): string {
  const c = cpus();
  return `Machine: nproc ${c.length}, ${c[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; ` +
    `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}.`;
}

/** Replaces (or appends) the section `## <heading>` of bench/RESULTS.md. */
export function writeResultsSection(root: string, heading: string, body: string): void {
  const path = join(root, 'bench', 'RESULTS.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(`\n## ${heading}`);
  const section = `\n## ${heading}\n\n${body.trim()}\n`;
  if (start < 0) { writeFileSync(path, text.trimEnd() + '\n' + section); return; }
  const next = text.indexOf('\n## ', start + 4);
  writeFileSync(path, text.slice(0, start) + section + (next < 0 ? '' : text.slice(next)));
}

export function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

/**
 * Effective cores two busy threads get right now (2.0 = two free cores): the machine is shared,
 * so scaling results are only meaningful next to this number. Median of three one-vs-two rounds.
 */
export async function effectiveCores(): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const code = 'const { parentPort } = require("node:worker_threads"); let h = 1; const t = performance.now();' +
    'for (let r = 0; r < 40; r++) for (let i = 0; i < 5e6; i++) h = Math.imul(h ^ i, 0x5bd1e995) + (h >>> 13) | 0;' +
    'parentPort.postMessage([performance.now() - t, h]);';
  const spin = (): Promise<number> => new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('message', (m: [number, number]) => { resolve(m[0]); void w.terminate(); });
    w.once('error', reject);
  });
  const ratios: number[] = [];
  for (let r = 0; r < 3; r++) {
    const one = await spin();
    const two = await Promise.all([spin(), spin()]);
    ratios.push((2 * one) / Math.max(two[0], two[1]));
  }
  return median(ratios);
}
