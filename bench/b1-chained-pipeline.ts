// B1: generator → map → filter → discarding sink at parallelism 1 (one chained task) vs a
// hand-written loop doing the same work with the same functions, in the same run.
//   node dist/bench/b1-chained-pipeline.js [records]
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment, DataGeneratorSource, DiscardingSink, WatermarkStrategy } from '../runtime/index.js';
import { packageRoot } from '../runtime/configuration/index.js';
import { machineLine, writeResultsSection, median } from './machine.js';

interface Order { id: number; customer: string; amount: number }
const CUSTOMERS = ['ann', 'bob', 'cy', 'dee', 'eve'];
const generate = (i: number): Order => ({ id: i, customer: CUSTOMERS[i % 5], amount: (i * 7919) % 1000 });
const addTax = (o: Order): Order => ({ id: o.id, customer: o.customer, amount: o.amount * 1.2 });
const isLarge = (o: Order): boolean => o.amount > 600;

/** The same work as the job: generate, map, filter, and discard (count what passed). */
export function handLoop(n: number): number {
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const o = addTax(generate(i));
    if (isLarge(o)) kept++;
  }
  return kept;
}

/** The job's wall time in ms (setup and teardown included). */
export async function engine(n: number): Promise<number> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(1);
  env.fromSource(new DataGeneratorSource<Order>(generate, n), WatermarkStrategy.noWatermarks(), 'orders')
    .map(addTax).filter(isLarge).sinkTo(new DiscardingSink<Order>());
  const t0 = performance.now();
  await env.execute('B1');
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 20_000_000);
  // Warm up both paths (JIT), then alternate measured runs.
  handLoop(1_000_000); await engine(1_000_000);
  const loopMs: number[] = [];
  const engineMs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now(); handLoop(n); loopMs.push(performance.now() - t0);
    engineMs.push(await engine(n));
  }
  const l = median(loopMs), e = median(engineMs);
  const ratio = e / l;
  const body = `Run ${new Date().toISOString()}. ${machineLine()}

Generator → map → filter → discarding sink, ${n.toLocaleString('en-US')} records, parallelism 1 (one chained task, in-thread), vs a hand-written loop
calling the same three functions. Median of 5 alternating runs; engine time includes job setup and teardown.

| | median ms | records/s |
|---|---:|---:|
| hand-written loop | ${l.toFixed(0)} | ${Math.round(n / (l / 1000)).toLocaleString('en-US')} |
| tsflink | ${e.toFixed(0)} | ${Math.round(n / (e / 1000)).toLocaleString('en-US')} |

Engine time / loop time: **${ratio.toFixed(2)}×** (target ≤ 1.3×).`;
  console.log(body);
  writeResultsSection(packageRoot(), 'B1 chained pipeline vs hand-written loop', body);
}

// Also imported by b1b2-metrics-cost.ts, which runs only the functions above.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
