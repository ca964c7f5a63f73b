// Differential test against Apache Flink (issue 13): a seeded out-of-order event file with very late events
// and session gaps goes through the same windowed pipelines on Flink 2.x (./flink, built with Maven from Maven
// Central) and on tsflink; both engines' output lines, sorted, must be equal byte for byte.
// Needs java and mvn on the PATH (CI has both); without them the test is skipped and says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamExecutionEnvironment, WatermarkStrategy, OutputTag, ProcessWindowFunction,
  TumblingEventTimeWindows, SlidingEventTimeWindows, EventTimeSessionWindows,
  type AggregateFunction, type Collector, type ProcessWindowContext, type TimeWindow, type GlobalWindow, type WatermarkOutput,
} from 'tsflink';
import { hasJava, flinkClasspath, eventFile, runFlink, onlyIn } from './flinkPeer.js';

type Event = [string, number, number]; // key, timestamp, value

if (!hasJava) console.warn('WindowingDifferential: java or mvn not on the PATH; the comparison with Apache Flink is skipped.');

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
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-differential-')); classpath = flinkClasspath('Main'); }, 300_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const seed of [1, 2]) {
    it(`seed ${seed}: 20,000 out-of-order events with very late ones and session gaps`, async () => {
      const file = join(dir, `events-${seed}.csv`);
      writeFileSync(file, eventFile(20_000, seed));
      const run = runFlink(classpath, 'Main', [file], join(dir, `flink-${seed}.txt`));
      expect(run.status, run.stderr).toBe(0);
      const flink = run.lines.sort();
      const ours = (await tsflink(file)).sort();
      // The input exercises every path: late side outputs and late re-firings exist.
      expect(flink.some((l) => l.startsWith('late-tumble|'))).toBe(true);
      expect(flink.some((l) => l.startsWith('late-session|'))).toBe(true);
      // Byte for byte; on a difference, show the first lines only one engine produced (multiset difference).
      expect({ onlyFlink: onlyIn(flink, ours).slice(0, 10), onlyTsflink: onlyIn(ours, flink).slice(0, 10) }).toEqual({ onlyFlink: [], onlyTsflink: [] });
      expect(ours.join('\n')).toBe(flink.join('\n'));
    }, 180_000);
  }
});
