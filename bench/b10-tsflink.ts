// B10's tsflink job alone (no loop, no Flink): p=1 / p=2 alternating, net runtime and the busiest slot threads' CPU,
// plus a 1000-record run per p for the fixed start-up cost. For before/after comparisons of one change: build the
// baseline in its own worktree and alternate the two builds' runs (the machine is shared, so ratios within a turn).
//   node dist/bench/b10-tsflink.js [records=10000000] [rounds=3] [ps=1,2]
import { join } from 'node:path';
import { bundleJob } from '../runtime/client/JobBundler.js';
import { runProgram } from '../runtime/client/ProgramRunner.js';
import { loadConfiguration, packageRoot } from '../runtime/configuration/index.js';
import { withThreadCpu } from './b10-thread-cpu.js';
import { median } from './machine.js';

const n = Number(process.argv[2] ?? 10_000_000);
const rounds = Number(process.argv[3] ?? 3);
const ps = (process.argv[4] ?? '1,2').split(',').map(Number);
const bundle = await bundleJob(join(packageRoot(), 'bench', 'fixtures', 'b10-keyed-sum-job.ts'));

async function run(p: number, records: number): Promise<{ netMs: number; threadsMs: number[] }> {
  const configuration = loadConfiguration({ dynamicProperties: { 'parallelism.default': String(p), 'taskmanager.numberOfTaskSlots': String(p), 'pipeline.object-reuse': 'true' } });
  const { threadsMs } = await withThreadCpu(() => runProgram({ bundle, args: [String(records), '10000'], configuration }));
  return { netMs: (globalThis as { __tsflinkNetRuntime?: number }).__tsflinkNetRuntime!, threadsMs: threadsMs.slice(0, p) };
}

await run(1, 1_000_000); // warm-up (bundle cache, disk)
const net = new Map<number, number[]>(ps.map((p) => [p, []]));
const fixed = new Map<number, number[]>(ps.map((p) => [p, []]));
for (let r = 0; r < rounds; r++) {
  for (const p of ps) {
    const small = await run(p, 1000);
    fixed.get(p)!.push(small.netMs);
    const big = await run(p, n);
    net.get(p)!.push(big.netMs);
    process.stdout.write(`round ${r + 1} p=${p}: ${n} records net ${big.netMs} ms (slot threads CPU ${big.threadsMs.join(' / ')} ms); 1000 records net ${small.netMs} ms\n`);
  }
}
for (const p of ps) process.stdout.write(`p=${p}: median net ${median(net.get(p)!)} ms, 1000-record job ${median(fixed.get(p)!)} ms\n`);
if (ps.includes(1) && ps.includes(2)) process.stdout.write(`p2/p1 (medians): ${(median(net.get(1)!) / median(net.get(2)!)).toFixed(2)}×\n`);
process.exit(0);
