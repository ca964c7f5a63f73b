// Nexmark generator and queries: the generator matches java.util.Random and is reproducible and restartable;
// each query's result equals a direct computation of its SQL definition over the same events (Beam's
// *Model.java idea), at small event counts with a low rate so that many windows close.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamExecutionEnvironment, WatermarkStrategy, RichMapFunction, FileSink, BasePathBucketAssigner,
  type SourceReaderContext, type ReaderOutput, type CheckpointListener,
} from 'tsflink';
import { JavaRandom } from './job/JavaRandom.js';
import { NexmarkGenerator, nexmarkConfig, splitGenerators, type NexmarkConfig } from './job/generator.js';
import { NexmarkSource, type NexmarkSplit } from './job/NexmarkSource.js';
import { query, type QueryName, type Q1Out, type Q2Out, type Q3Out, type Q4Out, type Q5Out, type Q8Out, type WindowCount } from './job/queries.js';
import type { Auction, Bid, NexmarkEvent, Person } from './job/model.js';

describe('JavaRandom', () => {
  it('draws what java.util.Random draws for the same seed', () => {
    // Values printed by OpenJDK 17: new Random(42).nextInt(), .nextInt(10), .nextInt(1 << 20), .nextDouble(); nextInt(13) x5 for seed 7.
    const r = new JavaRandom(42);
    expect(r.nextInt()).toBe(-1170105035);
    expect(r.nextIntBounded(10)).toBe(3);
    expect(r.nextIntBounded(1 << 20)).toBe(716411);
    expect(r.nextDouble()).toBe(0.047939305137387644);
    const s = new JavaRandom(7);
    expect(Array.from({ length: 5 }, () => s.nextIntBounded(13))).toEqual([3, 12, 3, 10, 8]);
  });
});

const events = (config: NexmarkConfig, n: number, splits = 1): NexmarkEvent[] =>
  splitGenerators(n, splits).flatMap((s) => { const g = new NexmarkGenerator(config, s); return Array.from({ length: s.maxEvents }, (_, i) => g.event(i)); });

describe('Nexmark generator', () => {
  const config = nexmarkConfig({ rate: 2000 });

  it('has Nexmark proportions 1:3:46, ids from 1000 and timestamps at the configured rate', () => {
    const es = events(config, 5000);
    expect(es.filter((e) => e.type === 0).length).toBe(100);
    expect(es.filter((e) => e.type === 1).length).toBe(300);
    expect(es.filter((e) => e.type === 2).length).toBe(4600);
    expect(es[0]!.person!.id).toBe(1000);
    expect(es[1]!.auction!.id).toBe(1000);
    const ts = es.map((e) => (e.bid ?? e.auction ?? e.person)!.dateTime);
    expect(ts[4999]! - ts[0]!).toBe(2499); // 2000 events/s: one every 0.5 ms
    const cats = new Set(es.filter((e) => e.type === 1).map((e) => e.auction!.category));
    expect([...cats].sort()).toEqual([10, 11, 12, 13, 14]);
    const bid = es.find((e) => e.type === 2)!.bid!;
    expect(bid.extra.length).toBeGreaterThan(50); // 100-byte average, 32 in fields
    expect(bid.url).toMatch(/^https:\/\/www\.nexmark\.com\/[a-z_]+\/[a-z_]+\/[a-z_]+\/item\.htm\?query=1/);
  });

  it('is deterministic for a seed and differs for another', () => {
    expect(events(config, 2000)).toEqual(events(config, 2000));
    expect(events(nexmarkConfig({ rate: 2000, seed: 1 }), 2000)).not.toEqual(events(config, 2000));
  });

  it('permutes blocks with outOfOrderGroupSize as nexmark does', () => {
    const g = new NexmarkGenerator(nexmarkConfig({ rate: 2000, outOfOrderGroupSize: 10 }), splitGenerators(100, 1)[0]!);
    const block = Array.from({ length: 10 }, (_, i) => g.adjustedEventNumber(10 + i));
    expect([...block].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    expect(block).not.toEqual([...block].sort((a, b) => a - b));
  });

  it('source reader: restarting from a snapshot continues the same events, splits are disjoint timelines', () => {
    const ctx = { getIndexOfSubtask: () => 0, currentParallelism: () => 1, sendSplitRequest() {}, sendSourceEventToCoordinator() {}, metricGroup: () => { throw new Error('unused'); } } as unknown as SourceReaderContext;
    const src = new NexmarkSource(config, 4000, { splits: 2 });
    const splits: NexmarkSplit[] = [];
    const enumerator = src.createEnumerator({ currentParallelism: () => 1, registeredReaders: () => new Set([0]), assignSplit: (s) => splits.push(s), signalNoMoreSplits() {}, sendEventToSourceReader() {} });
    enumerator.handleSplitRequest(0);
    enumerator.handleSplitRequest(0);
    expect(splits.map((s) => [s.firstEventId, s.maxEvents])).toEqual([[0, 2000], [2000, 2000]]);
    const collect = (reader: ReturnType<typeof src.createReader>, polls: number): NexmarkEvent[] => {
      const out: NexmarkEvent[] = [];
      const o: ReaderOutput<NexmarkEvent> = { collect: (e) => { out.push(e); } };
      for (let i = 0; i < polls; i++) if (reader.pollNext(o) === 'END_OF_INPUT') break;
      return out;
    };
    const whole = src.createReader(ctx);
    whole.addSplits([splits[0]!]);
    whole.notifyNoMoreSplits();
    const all = collect(whole, 100);
    const first = src.createReader(ctx);
    first.addSplits([splits[0]!]);
    const head = collect(first, 1);
    const restored = src.createReader(ctx);
    restored.addSplits(first.snapshotState(1));
    restored.notifyNoMoreSplits();
    expect([...head, ...collect(restored, 100)]).toEqual(all);
    expect(all).toEqual(events(config, 4000, 2).slice(0, 2000));
  });
});

// Direct computations of the SQL definitions (nexmark-flink queries/q*.sql) over the event list.
const bidsOf = (es: NexmarkEvent[]): Bid[] => es.filter((e) => e.type === 2).map((e) => e.bid!);
const auctionsOf = (es: NexmarkEvent[]): Auction[] => es.filter((e) => e.type === 1).map((e) => e.auction!);
const personsOf = (es: NexmarkEvent[]): Person[] => es.filter((e) => e.type === 0).map((e) => e.person!);
const groupBy = <T, K>(xs: T[], k: (x: T) => K): Map<K, T[]> => { const m = new Map<K, T[]>(); for (const x of xs) { const g = m.get(k(x)); if (g) g.push(x); else m.set(k(x), [x]); } return m; };

function expected(q: QueryName, es: NexmarkEvent[]): unknown[] {
  const bids = bidsOf(es);
  switch (q) {
    case 'q0': return bids;
    case 'q1': return bids.map((b): Q1Out => ({ auction: b.auction, bidder: b.bidder, price: b.price * 908, dateTime: b.dateTime, extra: b.extra }));
    case 'q2': return bids.filter((b) => b.auction % 123 === 0).map((b): Q2Out => ({ auction: b.auction, price: b.price }));
    case 'q3': {
      const ps = personsOf(es).filter((p) => ['OR', 'ID', 'CA'].includes(p.state));
      return auctionsOf(es).filter((a) => a.category === 10).flatMap((a) => ps.filter((p) => p.id === a.seller).map((p): Q3Out => ({ name: p.name, city: p.city, state: p.state, id: a.id })));
    }
    case 'q4': {
      const byAuction = groupBy(bids, (b) => b.auction);
      const finals = auctionsOf(es).flatMap((a) => {
        const valid = (byAuction.get(a.id) ?? []).filter((b) => b.dateTime >= a.dateTime && b.dateTime <= a.expires);
        return valid.length === 0 ? [] : [{ category: a.category, final: Math.max(...valid.map((b) => b.price)) }];
      });
      return [...groupBy(finals, (f) => f.category)].map(([category, fs]): Q4Out => ({ category, avg: Math.floor(fs.reduce((s, f) => s + f.final, 0) / fs.length) }));
    }
    case 'q5': {
      const out: Q5Out[] = [];
      const withWindows = bids.flatMap((b) => { const last = b.dateTime - (b.dateTime % 2000); return [0, 1, 2, 3, 4].map((i) => ({ b, start: last - i * 2000 })); });
      for (const [start, inWindow] of groupBy(withWindows, (x) => x.start)) {
        const counts = [...groupBy(inWindow, (x) => x.b.auction)].map(([auction, xs]) => ({ auction, num: xs.length }));
        const max = Math.max(...counts.map((c) => c.num));
        for (const c of counts) if (c.num === max) out.push({ auction: c.auction, num: c.num, starttime: start });
      }
      return out;
    }
    case 'q7': return [...groupBy(bids, (b) => Math.floor(b.dateTime / 10_000))].flatMap(([, bs]) => { const max = Math.max(...bs.map((b) => b.price)); return bs.filter((b) => b.price === max); });
    case 'q8': {
      const sellers = new Set(auctionsOf(es).map((a) => `${a.seller}/${a.dateTime - (a.dateTime % 10_000)}`));
      return personsOf(es).map((p) => ({ p, start: p.dateTime - (p.dateTime % 10_000) })).filter(({ p, start }) => sellers.has(`${p.id}/${start}`)).map(({ p, start }): Q8Out => ({ id: p.id, name: p.name, starttime: start }));
    }
    case 'q11': {
      const out: WindowCount[] = [];
      for (const [bidder, bs] of groupBy(bids, (b) => b.bidder)) {
        const ts = bs.map((b) => b.dateTime).sort((a, b) => a - b);
        let start = ts[0]!, end = start + 10_000, count = 0;
        for (const t of ts) {
          if (t > end) { out.push({ bidder, count, starttime: start, endtime: end }); start = t; count = 0; }
          end = Math.max(end, t + 10_000);
          count++;
        }
        out.push({ bidder, count, starttime: start, endtime: end });
      }
      return out;
    }
    case 'q12': throw new Error('q12 windows in processing time: no expected result');
  }
}

const canonical = (xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

async function run(q: QueryName, config: NexmarkConfig, n: number, parallelism: number): Promise<unknown[]> {
  const env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
  const src = env.fromSource(new NexmarkSource(config, n), WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(4000), 'Nexmark source');
  return query(q, src).executeAndCollect(`Nexmark ${q}`);
}

describe('Nexmark queries equal their SQL definitions', () => {
  // 20,000 events at 500 events/s of event time: 40 s, so 4 tumbling windows, ~20 sliding ones, sessions that end.
  const config = nexmarkConfig({ rate: 500, seed: 3 });
  const n = 20_000;
  for (const q of ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8', 'q11'] as const) {
    it(`${q}, parallelism 2`, async () => {
      const want = canonical(expected(q, events(config, n, 2)));
      const got = await run(q, config, n, 2);
      if (q === 'q4') {
        // An updating result: one update per winning bid; compare the last value per category.
        const last = new Map<number, Q4Out>();
        for (const r of got as Q4Out[]) last.set(r.category, r);
        expect(canonical([...last.values()])).toEqual(want);
      } else {
        expect(want.length).toBeGreaterThan(0);
        expect(canonical(got)).toEqual(want);
      }
    });
  }
  it('q12 counts at most every bid, each in a 10 s processing-time window', async () => {
    const got = (await run('q12', config, 5000, 1)) as WindowCount[];
    expect(got.reduce((s, w) => s + w.count, 0)).toBeLessThanOrEqual(bidsOf(events(config, 5000)).length);
    for (const w of got) expect(w.endtime - w.starttime).toBe(10_000);
  });
});

class FailOnceAfterCheckpoint extends RichMapFunction<NexmarkEvent, NexmarkEvent> implements CheckpointListener {
  static failed = false;
  static restarted = false;
  private completed = 0;
  map(e: NexmarkEvent): NexmarkEvent {
    if (this.getRuntimeContext().getTaskInfo().attemptNumber > 0) FailOnceAfterCheckpoint.restarted = true;
    if (!FailOnceAfterCheckpoint.failed && this.completed > 0) { FailOnceAfterCheckpoint.failed = true; throw new Error('Artificial Failure'); }
    return e;
  }
  notifyCheckpointComplete(): void { this.completed++; }
}

describe('a Nexmark job recovers exactly from a failure', () => {
  it('q3, q5 and q8 (join state, windows, timers, source positions) are exact after a restart from the latest checkpoint', async () => {
    // 20,000 events at 10,000 events/s emitted in real time (max-emit-speed off): 2 s, so checkpoints complete mid-stream.
    const config = nexmarkConfig({ rate: 10_000, seed: 5 });
    const n = 20_000;
    const env = StreamExecutionEnvironment.createLocalEnvironment(2, { 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 2, 'restart-strategy.fixed-delay.delay': '10 ms' });
    env.enableCheckpointing(100);
    const src = env.fromSource(new NexmarkSource(config, n, { maxEmitSpeed: false }), WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(4000), 'Nexmark source')
      .map(new FailOnceAfterCheckpoint());
    const qs = ['q3', 'q5', 'q8'] as const;
    const [first, ...rest] = qs.map((q) => query(q, src).map((r) => `${q} ${JSON.stringify(r)}`));
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-nexmark-recovery-'));
    FailOnceAfterCheckpoint.failed = false;
    FailOnceAfterCheckpoint.restarted = false;
    let out: string[];
    try {
      first!.union(...rest).sinkTo(FileSink.forRowFormat<string>(dir, (v) => v).withBucketAssigner(new BasePathBucketAssigner()).build());
      await env.execute('Nexmark recovery');
      out = readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(FailOnceAfterCheckpoint.failed).toBe(true);
    expect(FailOnceAfterCheckpoint.restarted).toBe(true);
    const es = events(config, n, 2);
    const want = qs.flatMap((q) => expected(q, es).map((r) => `${q} ${JSON.stringify(r)}`));
    expect(want.length).toBeGreaterThan(10);
    expect(out.sort()).toEqual(want.sort());
  }, 60_000);
});
