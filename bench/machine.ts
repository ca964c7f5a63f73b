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
