// Sliding windows by slicing vs the WindowOperator (issue 13 item 2), in one invocation: the same
// keyed count over sliding windows (size 10 s, slide 1 s: every element is in 10 windows) runs with
// an AggregateFunction that has merge() (SlicingWindowOperator: one pane per element) and with the same
// function without merge() (WindowOperator: the element is added to each of its 10 windows), for
// event time (timestamp = index ms) and processing time. Rounds alternate the order of the two.
//   node dist/bench/b13-sliding-slicing.js [records=2000000] [rounds=3] [--write]
import {
  StreamExecutionEnvironment, DataGeneratorSource, DiscardingSink, WatermarkStrategy, SlidingEventTimeWindows, SlidingProcessingTimeWindows,
} from '../runtime/index.js';
import { packageRoot } from '../runtime/configuration/index.js';
import { machineLine, median, writeResultsSection, effectiveCores } from './machine.js';

type Domain = 'event' | 'processing';
type Op = 'slicing' | 'WindowOperator';
const KEYS = 1000;

async function runOnce(domain: Domain, op: Op, n: number): Promise<{ perSecond: number; perCoreSecond: number }> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(1);
  const strategy = domain === 'event' ? WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((i) => i) : WatermarkStrategy.noWatermarks<number>();
  const count = { createAccumulator: () => 0, add: (_i: number, a: number) => a + 1, getResult: (a: number) => a };
  // Without merge() WindowedStream keeps the WindowOperator.
  const agg = { ...count, merge: op === 'slicing' ? (a: number, b: number) => a + b : undefined as unknown as (a: number, b: number) => number };
  const assigner = domain === 'event' ? SlidingEventTimeWindows.of(10_000, 1000) : SlidingProcessingTimeWindows.of(10_000, 1000);
  const windowed = env.fromSource(new DataGeneratorSource((i) => i, n), strategy, 'gen').keyBy((i) => i % KEYS).window(assigner).aggregate(agg);
  const kind = (windowed as unknown as { transformation: { operatorKind: string } }).transformation.operatorKind;
  if ((op === 'slicing') !== (kind === 'SlicingWindowOperator')) throw new Error(`expected ${op}, the job uses ${kind}`);
  windowed.sinkTo(new DiscardingSink<number>());
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await env.execute(`b13 ${domain} ${op}`);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { perSecond: n / wall, perCoreSecond: n / ((c.user + c.system) / 1e6) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const n = Number(args[0] ?? 2_000_000);
  const rounds = Number(args[1] ?? 3);
  const write = process.argv.includes('--write');
  const startLine = machineLine();
  const coresBefore = await effectiveCores();
  await runOnce('event', 'slicing', Math.min(n, 200_000)); // warm-up
  const res: Record<string, number[]> = {};
  const add = (k: string, v: number): void => { (res[k] ??= []).push(v); };
  for (let r = 0; r < rounds; r++) {
    for (const domain of ['event', 'processing'] as const) {
      const order: Op[] = r % 2 === 0 ? ['slicing', 'WindowOperator'] : ['WindowOperator', 'slicing'];
      for (const op of order) {
        const x = await runOnce(domain, op, n);
        add(`${domain} ${op} s`, x.perSecond);
        add(`${domain} ${op} cs`, x.perCoreSecond);
        console.error(`round ${r + 1} ${domain} ${op}: ${(x.perSecond / 1e6).toFixed(3)} M events/s, ${(x.perCoreSecond / 1e6).toFixed(3)} M per core-second`);
      }
    }
  }
  const coresAfter = await effectiveCores();
  const m = (k: string): number => median(res[k]!);
  const rows = (['event', 'processing'] as const).map((d) => {
    const s = m(`${d} slicing s`), w = m(`${d} WindowOperator s`), sc = m(`${d} slicing cs`), wc = m(`${d} WindowOperator cs`);
    return `| ${d} time | ${(s / 1e6).toFixed(3)} | ${(w / 1e6).toFixed(3)} | ${(s / w).toFixed(2)}× | ${(sc / 1e6).toFixed(3)} | ${(wc / 1e6).toFixed(3)} | ${(sc / wc).toFixed(2)}× |`;
  });
  const loaded = coresBefore < 1.8 || coresAfter < 1.8;
  const body = `Run ${new Date().toISOString()}. ${startLine}
Effective cores for two busy threads (2.0 = two free cores): ${coresBefore.toFixed(2)} before, ${coresAfter.toFixed(2)} after.${loaded ? ' **Machine loaded by other agents**: compare the two operators only with each other.' : ''}

\`node dist/bench/b13-sliding-slicing.js ${n} ${rounds} --write\`: ${n.toLocaleString('en-US')} records, keyBy(i % ${KEYS}), sliding windows
10 s / 1 s (each element in 10 windows), count per key and window, parallelism 1, in-process; medians of ${rounds} alternating rounds.
\`slicing\` = the AggregateFunction with merge() (SlicingWindowOperator), \`WindowOperator\` = the same without merge().
Event time: timestamp = index (ms), monotonous watermarks; processing time: the clock of the run.

| windows | slicing M events/s | WindowOperator M events/s | ratio | slicing M per core-s | WindowOperator M per core-s | ratio |
|---|---|---|---|---|---|---|
${rows.join('\n')}`;
  console.log(body);
  if (write) writeResultsSection(packageRoot(), 'Sliding windows: slicing vs WindowOperator (issue 13)', body);
}

await main();
