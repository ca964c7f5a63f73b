// Whole jobs on both backends: the same pipelines (event-time session and sliding windows with a
// ProcessWindowFunction, a KeyedProcessFunction with MapState, ListState, event-time timers and TTL-free
// state) give exactly the same output on 'hashmap' and 'leveldb', and that output is the expected one.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../testing/waitFor.js';
import { tmpdir } from 'node:os';
import {
  StreamExecutionEnvironment, WatermarkStrategy, EventTimeSessionWindows, SlidingEventTimeWindows, ProcessWindowFunction, KeyedProcessFunction,
  MapStateDescriptor, ListStateDescriptor, ValueStateDescriptor,
  type Collector, type ProcessWindowContext, type TimeWindow, type MapState, type ListState, type ValueState, type KeyedProcessContext, type KeyedOnTimerContext,
} from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsflink-backend-jobs-'));
afterAll(async () => {
  try {
    // Every task deletes its LevelDB directory when it ends (closing the DB is asynchronous).
    await waitFor('LevelDB directories deleted', () => readdirSync(dir).length === 0, 10_000, 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Ev { readonly user: string; readonly ts: number; readonly v: number }
const END = 1e12;
const events: Ev[] = Array.from({ length: 3000 }, (_, i) => ({ user: `u${(i * 7) % 23}`, ts: i * 37 + ((i * 13) % 5) * 400, v: i % 11 }));

class Sessions extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(user: string, ctx: ProcessWindowContext<TimeWindow>, xs: Iterable<Ev>, out: Collector<string>): void {
    let n = 0, sum = 0;
    for (const x of xs) { n++; sum += x.v; }
    out.collect(`session ${user} ${ctx.window().start}-${ctx.window().end} n=${n} sum=${sum}`);
  }
}

/**
 * Per user: a map of value → count, the last five values, an event-time timer 1 s after each event
 * (its output is only its key and time: when it fires relative to records depends on the periodic
 * watermark) and one at the end, which reports the state.
 */
class Profile extends KeyedProcessFunction<string, Ev, string> {
  private counts!: MapState<number, number>;
  private last!: ListState<number>;
  private fired!: ValueState<number>;
  override open(): void {
    const rc = this.getRuntimeContext();
    this.counts = rc.getMapState(new MapStateDescriptor<number, number>('counts'));
    this.last = rc.getListState(new ListStateDescriptor<number>('last'));
    this.fired = rc.getState(new ValueStateDescriptor<number>('fired', 0));
  }
  processElement(e: Ev, ctx: KeyedProcessContext<string>): void {
    this.counts.put(e.v, (this.counts.get(e.v) ?? 0) + 1);
    const l = [...this.last.get(), e.v].slice(-5);
    this.last.update(l);
    ctx.timerService().registerEventTimeTimer(e.ts + 1000);
    ctx.timerService().registerEventTimeTimer(END);
  }
  override onTimer(ts: number, ctx: KeyedOnTimerContext<string>, out: Collector<string>): void {
    this.fired.update(this.fired.value()! + 1);
    if (ts !== END) { out.collect(`tick ${ctx.getCurrentKey()} ${ts}`); return; }
    const top = [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
    out.collect(`timer ${ctx.getCurrentKey()} ${ts} fired=${this.fired.value()} top=${top[0]}x${top[1]} last=${[...this.last.get()].join(',')}`);
  }
}

async function run(backend: 'hashmap' | 'leveldb'): Promise<string[]> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(2, { 'state.backend.type': backend, 'state.backend.leveldb.localdir': dir, 'state.backend.leveldb.write-batch-size': '4kb' });
  // One timestamp-assigner subtask: each key then sees its records in one order on every run.
  const src = env.fromCollection(events).assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(2000).withTimestampAssigner((e) => e.ts)).setParallelism(1);
  const keyed = src.keyBy((e) => e.user);
  const sessions = keyed.window(EventTimeSessionWindows.withGap(300)).process(new Sessions());
  const sliding = keyed.window(SlidingEventTimeWindows.of(2000, 500)).reduce((a, b) => ({ user: a.user, ts: Math.max(a.ts, b.ts), v: a.v + b.v })).map((e) => `slide ${e.user} ${e.v}`);
  const profiles = keyed.process(new Profile());
  return (await sessions.union(sliding, profiles).executeAndCollect(`jobs on ${backend}`)).sort();
}

describe('the same jobs on hashmap and leveldb', () => {
  it('windows, map/list/value state and event-time timers give identical output', async () => {
    const heap = await run('hashmap');
    const level = await run('leveldb');
    expect(level.length).toBe(heap.length);
    expect(level).toEqual(heap);
    // Non-trivial: sessions, sliding sums and every timer fired.
    expect(heap.filter((l) => l.startsWith('session')).length).toBeGreaterThan(23);
    expect(heap.filter((l) => l.startsWith('slide')).length).toBeGreaterThan(100);
    expect(heap.filter((l) => l.startsWith('tick')).length).toBe(new Set(events.map((e) => `${e.user} ${e.ts + 1000}`)).size);
    expect(heap.filter((l) => l.startsWith('timer')).length).toBe(23);
  }, 120_000);
});
