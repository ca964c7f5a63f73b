// Differential test against Apache Flink (issue 13): a seeded out-of-order event file with very late events
// and session gaps goes through the same windowed pipelines on Flink 2.x (./flink, built with Maven from Maven
// Central) and on tsflink; both engines' output lines, sorted, must be equal byte for byte.
// Needs java and mvn on the PATH (CI has both); without them the test is skipped and says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  StreamExecutionEnvironment, WatermarkStrategy, OutputTag, ProcessWindowFunction,
  TumblingEventTimeWindows, SlidingEventTimeWindows, EventTimeSessionWindows,
  type AggregateFunction, type Collector, type ProcessWindowContext, type TimeWindow, type GlobalWindow, type WatermarkOutput,
} from 'tsflink';

type Event = [string, number, number]; // key, timestamp, value

const here = dirname(fileURLToPath(import.meta.url));
const project = join(here, 'flink');
const hasJava = spawnSync('java', ['-version']).status === 0 && spawnSync('mvn', ['-v']).status === 0;
if (!hasJava) console.warn('WindowingDifferential: java or mvn not on the PATH; the comparison with Apache Flink is skipped.');

/** Seeded events: ~20 ms apart, jitter within the 1 s watermark bound, 2.5 % very late (1.5–13.5 s), gaps of 4–9 s. */
function eventFile(n: number, seed: number): string {
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
    const ts = rnd(40) === 0 ? t - 1500 - rnd(12_000) : t - rnd(900);
    lines.push(`k${rnd(8)},${ts},${1 + rnd(100)}`);
  }
  return lines.join('\n') + '\n';
}

class CountSum implements AggregateFunction<Event, [number, number], [number, number]> {
  createAccumulator(): [number, number] { return [0, 0]; }
  add(v: Event, acc: [number, number]): [number, number] { return [acc[0] + 1, acc[1] + v[2]]; }
  getResult(acc: [number, number]): [number, number] { return acc; }
  merge(a: [number, number], b: [number, number]): [number, number] { return [a[0] + b[0], a[1] + b[1]]; }
}

class Emit extends ProcessWindowFunction<[number, number], string, string, TimeWindow> {
  constructor(private readonly label: string) { super(); }
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, results: Iterable<[number, number]>, out: Collector<string>): void {
    for (const [count, sum] of results) out.collect(`${this.label}|${key}|${ctx.window().start}|${ctx.window().end}|${count}|${sum}`);
  }
}

/** The pipelines of flink/src/main/java/differential/Main.java, name for name. */
async function tsflink(file: string): Promise<string[]> {
  const events: Event[] = readFileSync(file, 'utf8').trim().split('\n').map((l) => { const f = l.split(','); return [f[0]!, Number(f[1]), Number(f[2])]; });
  const env = StreamExecutionEnvironment.createLocalEnvironment(2);
  // Punctuated bounded out-of-orderness: after every event, watermark = max timestamp - 1000 - 1.
  const punctuated = WatermarkStrategy.forGenerator<Event>(() => {
    let max = Number.MIN_SAFE_INTEGER + 1001;
    return { onEvent(_e: Event, ts: number, out: WatermarkOutput) { max = Math.max(max, ts); out.emitWatermark(max - 1000 - 1); }, onPeriodicEmit() {} };
  }).withTimestampAssigner((e) => e[1]);
  const input = env.fromCollection(events).setParallelism(1).assignTimestampsAndWatermarks(punctuated).setParallelism(1);
  const lateTumble = new OutputTag<Event>('late-tumble');
  const lateSession = new OutputTag<Event>('late-session');
  const tumble = input.keyBy((e) => e[0]).window(TumblingEventTimeWindows.of(5000)).allowedLateness(2000).sideOutputLateData(lateTumble)
    .aggregate(new CountSum(), new Emit('tumble'));
  const slide = input.keyBy((e) => e[0]).window(SlidingEventTimeWindows.of(6000, 2000)).aggregate(new CountSum(), new Emit('slide'));
  const session = input.keyBy((e) => e[0]).window(EventTimeSessionWindows.withGap(3000)).allowedLateness(1000).sideOutputLateData(lateSession)
    .aggregate(new CountSum(), new Emit('session'));
  const all = input.windowAll(TumblingEventTimeWindows.of(10_000)).reduce((a, b) => (a[2] >= b[2] ? a : b)).map((e) => `all|max|${e[0]}|${e[1]}|${e[2]}`);
  const counts = input.keyBy((e) => e[0]).countWindow(3).process(new (class extends ProcessWindowFunction<Event, string, string, GlobalWindow> {
    process(key: string, _ctx: ProcessWindowContext<GlobalWindow>, els: Iterable<Event>, out: Collector<string>): void {
      let s = `count3|${key}`;
      for (const e of els) s += `|${e[1]}:${e[2]}`;
      out.collect(s);
    }
  })());
  const late = tumble.getSideOutput(lateTumble).map((e) => `late-tumble|${e[0]}|${e[1]}|${e[2]}`)
    .union(session.getSideOutput(lateSession).map((e) => `late-session|${e[0]}|${e[1]}|${e[2]}`));
  return tumble.union(slide, session, all, counts, late).executeAndCollect('windowing differential');
}

describe.skipIf(!hasJava)('windowed pipelines: tsflink and Apache Flink give the same output', () => {
  let dir = '';
  let classpath = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsflink-differential-'));
    const cpFile = join(project, 'target', 'cp.txt');
    if (!existsSync(cpFile) || !existsSync(join(project, 'target', 'classes', 'differential', 'Main.class'))) {
      execFileSync('mvn', ['-q', '-B', 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], { cwd: project, stdio: ['ignore', 'inherit', 'inherit'] });
    }
    classpath = `${join(project, 'target', 'classes')}:${readFileSync(cpFile, 'utf8').trim()}`;
  }, 300_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const seed of [1, 2]) {
    it(`seed ${seed}: 20,000 out-of-order events with very late ones and session gaps`, async () => {
      const file = join(dir, `events-${seed}.csv`);
      writeFileSync(file, eventFile(20_000, seed));
      const out = join(dir, `flink-${seed}.txt`);
      const java = spawnSync('java', ['-cp', classpath, 'differential.Main', file, out], { encoding: 'utf8', timeout: 120_000 });
      expect(java.status, java.stderr.slice(-3000)).toBe(0);
      const flink = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').sort();
      const ours = (await tsflink(file)).sort();
      // The input exercises every path: late side outputs and late re-firings exist.
      expect(flink.some((l) => l.startsWith('late-tumble|'))).toBe(true);
      expect(flink.some((l) => l.startsWith('late-session|'))).toBe(true);
      // Byte for byte; on a difference, show the first lines only one engine produced (multiset difference).
      const missing = (a: string[], b: string[]): string[] => { const rest = new Map<string, number>(); for (const l of b) rest.set(l, (rest.get(l) ?? 0) + 1); return a.filter((l) => { const n = rest.get(l) ?? 0; rest.set(l, n - 1); return n <= 0; }); };
      expect({ onlyFlink: missing(flink, ours).slice(0, 10), onlyTsflink: missing(ours, flink).slice(0, 10) }).toEqual({ onlyFlink: [], onlyTsflink: [] });
      expect(ours.join('\n')).toBe(flink.join('\n'));
    }, 180_000);
  }
});
