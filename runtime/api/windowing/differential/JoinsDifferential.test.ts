// Differential test against Apache Flink (issue 13) for joins: two seeded out-of-order event files (with
// session gaps; disorder within the watermark bound, so no element is late whatever the interleaving of
// the two inputs) go through the same window join, coGroup (sliding and session windows), interval
// join and keyed broadcast state on Flink 2.x (./flink, differential.Joins) and on tsflink; the sorted output lines, each with the
// timestamp its engine gave the record, must be equal byte for byte. Skipped without java and mvn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, SlidingEventTimeWindows, EventTimeSessionWindows, ProcessJoinFunction,
  KeyedBroadcastProcessFunction, MapStateDescriptor,
  type Collector, type DataStream, type ProcessJoinContext, type WatermarkOutput, type KeyedBroadcastContext, type KeyedReadOnlyContext, type KeyedBroadcastOnTimerContext,
} from 'tsflink';
import { hasJava, flinkClasspath, eventFile, runFlink, onlyIn } from './flinkPeer.js';

type Event = [string, number, number]; // key, timestamp, value
/** Joins.END_OF_TIME: beyond every event, below both engines' end-of-input watermark. */
const END_OF_TIME = 9_000_000_000_000;
if (!hasJava) console.warn('JoinsDifferential: java or mvn not on the PATH; the comparison with Apache Flink is skipped.');

/** Flink's Summary coGroup function of Joins.java. */
const summary = (name: string) => (as: Iterable<Event>, bs: Iterable<Event>, out: Collector<string>): void => {
  let na = 0, sa = 0, nb = 0, sb = 0, lo = Number.MAX_SAFE_INTEGER, hi = Number.MIN_SAFE_INTEGER, key = '';
  for (const a of as) { na++; sa += a[2]; lo = Math.min(lo, a[1]); hi = Math.max(hi, a[1]); key = a[0]; }
  for (const b of bs) { nb++; sb += b[2]; lo = Math.min(lo, b[1]); hi = Math.max(hi, b[1]); key = b[0]; }
  out.collect(`${name}|${key}|${na}|${sa}|${nb}|${sb}|${lo}|${hi}`);
};

/** The pipelines of flink/src/main/java/differential/Joins.java, name for name. */
async function tsflink(left: string, right: string): Promise<string[]> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(2);
  const punctuated = WatermarkStrategy.forGenerator<Event>(() => {
    let max = Number.MIN_SAFE_INTEGER + 1001;
    return { onEvent(_e: Event, ts: number, out: WatermarkOutput) { max = Math.max(max, ts); out.emitWatermark(max - 1000 - 1); }, onPeriodicEmit() {} };
  }).withTimestampAssigner((e) => e[1]);
  const read = (file: string): DataStream<Event> => env.fromCollection(readFileSync(file, 'utf8').trim().split('\n').map((l): Event => { const f = l.split(','); return [f[0]!, Number(f[1]), Number(f[2])]; }))
    .setParallelism(1).assignTimestampsAndWatermarks(punctuated).setParallelism(1);
  const a = read(left), b = read(right);
  const joined = a.join(b).where((e) => e[0]).equalTo((e) => e[0]).window(TumblingEventTimeWindows.of(1000))
    .apply((x, y) => `join|${x[0]}|${x[1]}|${x[2]}|${y[1]}|${y[2]}`);
  const sliding = a.coGroup(b).where((e) => e[0]).equalTo((e) => e[0]).window(SlidingEventTimeWindows.of(4000, 2000)).apply(summary('cogroup-slide'));
  const sessions = a.coGroup(b).where((e) => e[0]).equalTo((e) => e[0]).window(EventTimeSessionWindows.withGap(3000)).apply(summary('cogroup-session'));
  const interval = a.keyBy((e) => e[0]).intervalJoin(b.keyBy((e) => e[0])).between(-500, 300).upperBoundExclusive()
    .process(new (class extends ProcessJoinFunction<Event, Event, string> {
      processElement(l: Event, r: Event, ctx: ProcessJoinContext, out: Collector<string>): void {
        out.collect(`interval|${l[0]}|${l[1]}|${l[2]}|${r[1]}|${r[2]}|${ctx.getLeftTimestamp()}|${ctx.getRightTimestamp()}`);
      }
    })());
  const latest = new MapStateDescriptor<string, number>('latest');
  const broadcast = a.keyBy((e) => e[0]).connect(b.broadcast(latest))
    .process(new (class extends KeyedBroadcastProcessFunction<string, Event, Event, string> {
      processElement(_e: Event, ctx: KeyedReadOnlyContext<string>): void { ctx.timerService().registerEventTimeTimer(END_OF_TIME); }
      processBroadcastElement(e: Event, ctx: KeyedBroadcastContext<string>): void { ctx.getBroadcastState(latest).put(e[0], e[2]); }
      override onTimer(_ts: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
        let n = 0, sum = 0;
        for (const [, v] of ctx.getBroadcastState(latest).immutableEntries()) { n++; sum += v; }
        out.collect(`broadcast|${ctx.getCurrentKey()}|${ctx.getBroadcastState(latest).get(ctx.getCurrentKey())}|${n}|${sum}`);
      }
    })());
  return joined.union(sliding, sessions, interval, broadcast)
    .process({ processElement: (v: string, ctx, out: Collector<string>) => out.collect(`${v}@${ctx.timestamp()}`) })
    .executeAndCollect('joins differential');
}

describe.skipIf(!hasJava)('joined pipelines: tsflink and Apache Flink give the same output', () => {
  let dir = '';
  let classpath = '';
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsflink-joins-differential-')); classpath = flinkClasspath('Joins'); }, 300_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const seed of [1, 2]) {
    it(`seed ${seed}: two streams of 4,000 out-of-order events with session gaps`, async () => {
      const left = join(dir, `left-${seed}.csv`), right = join(dir, `right-${seed}.csv`);
      writeFileSync(left, eventFile(4000, seed, false));
      writeFileSync(right, eventFile(4000, seed + 100, false));
      const flink = runFlink(classpath, 'Joins', [left, right], join(dir, `flink-${seed}.txt`));
      expect(flink.status, flink.stderr).toBe(0);
      const theirs = flink.lines.sort();
      const ours = (await tsflink(left, right)).sort();
      for (const kind of ['join|', 'cogroup-slide|', 'cogroup-session|', 'interval|', 'broadcast|']) expect(theirs.some((l) => l.startsWith(kind))).toBe(true);
      expect({ onlyFlink: onlyIn(theirs, ours).slice(0, 10), onlyTsflink: onlyIn(ours, theirs).slice(0, 10) }).toEqual({ onlyFlink: [], onlyTsflink: [] });
      expect(ours.join('\n')).toBe(theirs.join('\n'));
    }, 180_000);
  }
});
