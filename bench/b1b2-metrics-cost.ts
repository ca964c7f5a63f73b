// The metric system's cost on the hot path (issue 15), B1 and B2 before/after in one invocation.
// The only per-record work metrics add is the chained operator's `numRecordsIn` add
// (ChainingOutput.ts); everything else reads counters the gate and partitions keep per batch.
// Children load the build through metrics-cost/uncounted-chain-hooks.ts (in every thread):
// `before` = ChainingOutput.js without that add; `after` = the build as it is. Children
// alternate before/after/after/before…, each runs B1 (engine time / hand-written loop time) and
// B2 (keyed sum on worker-thread slots, p1 and p2), so both sides see the same machine load.
//   node dist/bench/b1b2-metrics-cost.js [rounds=6] [b1Records=10000000] [b2Records=4000000]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../runtime/configuration/index.js';
import { engine, handLoop } from './b1-chained-pipeline.js';
import { bundleKeyedSumJob, run as runKeyed } from './b2-keyed-scaling.js';
import { effectiveCores, machineLine, median, writeResultsSection } from './machine.js';

interface ChildResult { b1: number; b2p1: number; b2p2: number }
type Side = 'before' | 'after';

async function child(b1n: number, b2n: number): Promise<ChildResult> {
  handLoop(1_000_000); await engine(1_000_000);
  const ratios: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now(); handLoop(b1n); const loop = performance.now() - t0;
    ratios.push((await engine(b1n)) / loop);
  }
  const bundle = await bundleKeyedSumJob();
  await runKeyed(bundle, 1, Math.min(b2n, 1_000_000), 10_000);
  const p1 = await runKeyed(bundle, 1, b2n, 10_000);
  const p2 = await runKeyed(bundle, 2, b2n, 10_000);
  return { b1: median(ratios), b2p1: b2n / (p1 / 1000), b2p2: b2n / (p2 / 1000) };
}

function spawnChild(side: Side, b1n: number, b2n: number): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  const hooks = join(packageRoot(), 'dist', 'bench', 'metrics-cost', 'register-hooks.js');
  const args = ['--import', hooks, self, '--child', String(b1n), String(b2n)];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, B1B2_SIDE: side } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('error', reject);
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) { reject(new Error(`${side} child exited with ${code}: ${out.slice(-2000)}`)); return; }
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 6);
  const b1n = Number(process.argv[3] ?? 10_000_000);
  const b2n = Number(process.argv[4] ?? 4_000_000);
  const startLine = machineLine();
  const coresBefore = await effectiveCores();
  const results: Record<Side, ChildResult[]> = { before: [], after: [] };
  for (let r = 0; r < rounds; r++) {
    const order: Side[] = r % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    for (const side of order) {
      const res = await spawnChild(side, b1n, b2n);
      results[side].push(res);
      console.error(`round ${r + 1} ${side}: B1 ${res.b1.toFixed(2)}x, B2 p1 ${(res.b2p1 / 1e6).toFixed(2)} M/s, p2 ${(res.b2p2 / 1e6).toFixed(2)} M/s`);
    }
  }
  const coresAfter = await effectiveCores();
  const col = (side: Side, k: keyof ChildResult): number[] => results[side].map((x) => x[k]);
  const m = (side: Side, k: keyof ChildResult): number => median(col(side, k));
  const spread = (xs: number[]): string => `${((Math.max(...xs) / Math.min(...xs) - 1) * 100).toFixed(0)} %`;
  const list = (xs: number[], f: (x: number) => string): string => xs.map(f).join(' ');
  const x2 = (x: number): string => `${x.toFixed(2)}×`, mps = (x: number): string => (x / 1e6).toFixed(2);
  const loaded = coresBefore < 1.8 || coresAfter < 1.8;
  const body = `Run ${new Date().toISOString()}. ${startLine}
Effective cores for two busy threads (CPU probe, 2.0 = two free cores): ${coresBefore.toFixed(2)} before, ${coresAfter.toFixed(2)} after.${loaded ? '\n**Machine loaded by other agents**: compare the two sides only with each other, and against their spread.' : ''}

\`node dist/bench/b1b2-metrics-cost.js ${rounds} ${b1n} ${b2n}\`: ${rounds} rounds, each one child process per side, alternating
(before, after; then after, before; …). \`before\` = the chain without the metric system's only per-record work (the chained
operator's \`numRecordsIn\` add: its collect is its processElement, as before issue 15; ChainingOutput.js rewritten on load by
bench/metrics-cost/uncounted-chain-hooks.ts in every thread);
\`after\` = the build as it is, loaded through the same hook. Each child: B1 (${b1n.toLocaleString('en-US')} records, median of 3 engine / hand-written loop
ratios) and B2 (keyed sum, ${b2n.toLocaleString('en-US')} records over 10,000 keys on worker-thread slots, p1 and p2, net runtime).

| | before runs | before median | after runs | after median | after / before |
|---|---|---:|---|---:|---:|
| B1 engine / loop (lower is better) | ${list(col('before', 'b1'), x2)} | ${x2(m('before', 'b1'))} | ${list(col('after', 'b1'), x2)} | ${x2(m('after', 'b1'))} | ${(m('after', 'b1') / m('before', 'b1')).toFixed(3)} |
| B2 p1 M records/s | ${list(col('before', 'b2p1'), mps)} | ${mps(m('before', 'b2p1'))} | ${list(col('after', 'b2p1'), mps)} | ${mps(m('after', 'b2p1'))} | ${(m('after', 'b2p1') / m('before', 'b2p1')).toFixed(3)} |
| B2 p2 M records/s | ${list(col('before', 'b2p2'), mps)} | ${mps(m('before', 'b2p2'))} | ${list(col('after', 'b2p2'), mps)} | ${mps(m('after', 'b2p2'))} | ${(m('after', 'b2p2') / m('before', 'b2p2')).toFixed(3)} |

Run-to-run spread (max / min − 1): B1 before ${spread(col('before', 'b1'))}, after ${spread(col('after', 'b1'))}; B2 p1 before ${spread(col('before', 'b2p1'))}, after ${spread(col('after', 'b2p1'))}; B2 p2 before ${spread(col('before', 'b2p2'))}, after ${spread(col('after', 'b2p2'))}.`;
  console.log(body);
  writeResultsSection(packageRoot(), 'B1/B2: cost of the metric system on the hot path (issue 15)', body);
}

if (process.argv[2] === '--child') {
  const r = await child(Number(process.argv[3]), Number(process.argv[4]));
  console.log(JSON.stringify(r));
  process.exit(0);
} else {
  await main();
}
