// Nexmark queries q0–q5, q7, q8, q11, q12 as DataStream jobs (nexmark-flink queries/q*.sql), written the way
// a Flink DataStream user would; flink-peer/.../Queries.java is the same pipeline on Apache Flink, operator
// for operator. Joins are Nexmark's incremental joins: keyBy both sides, connect, keyed state (+ timers).
import {
  KeyedCoProcessFunction, KeyedProcessFunction, RichMapFunction, LongCounter,
  ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor,
  SlidingEventTimeWindows, TumblingEventTimeWindows, TumblingProcessingTimeWindows, EventTimeSessionWindows,
  type DataStream, type Collector, type KeyedProcessContext, type KeyedOnTimerContext, type ValueState, type ListState, type MapState,
  type AggregateFunction, type TimeWindow, type OpenContext, type Accumulator,
} from 'tsflink';
import type { Auction, Bid, NexmarkEvent, Person } from './model.js';
import { RecordHash } from './checksum.js';

export const QUERIES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8', 'q11', 'q12'] as const;
export type QueryName = (typeof QUERIES)[number];

export interface Q1Out { auction: number; bidder: number; price: number; dateTime: number; extra: string }
export interface Q2Out { auction: number; price: number }
export interface Q3Out { name: string; city: string; state: string; id: number }
export interface Q4Out { category: number; avg: number }
export interface Q5Out { auction: number; num: number; starttime: number }
export interface Q8Out { id: number; name: string; starttime: number }
export interface WindowCount { bidder: number; count: number; starttime: number; endtime: number }

const WINDOW = 10_000;

const bids = (s: DataStream<NexmarkEvent>): DataStream<Bid> => s.filter((e) => e.type === 2).map((e) => e.bid!);
const auctions = (s: DataStream<NexmarkEvent>): DataStream<Auction> => s.filter((e) => e.type === 1).map((e) => e.auction!);
const persons = (s: DataStream<NexmarkEvent>): DataStream<Person> => s.filter((e) => e.type === 0).map((e) => e.person!);

class Count<T> implements AggregateFunction<T, number, number> {
  createAccumulator(): number { return 0; }
  add(_v: T, acc: number): number { return acc + 1; }
  getResult(acc: number): number { return acc; }
  merge(a: number, b: number): number { return a + b; }
}

/** q3: sellers in OR, ID or CA of category-10 auctions; either side may arrive first, so both are buffered. */
export class Q3Join extends KeyedCoProcessFunction<number, Auction, Person, Q3Out> {
  private person!: ValueState<{ name: string; city: string; state: string }>;
  private pending!: ListState<number>;
  override open(_ctx: OpenContext): void {
    this.person = this.getRuntimeContext().getState(new ValueStateDescriptor<{ name: string; city: string; state: string }>('person'));
    this.pending = this.getRuntimeContext().getListState(new ListStateDescriptor<number>('pending-auctions'));
  }
  processElement1(a: Auction, _ctx: KeyedProcessContext<number>, out: Collector<Q3Out>): void {
    const p = this.person.value();
    if (p !== undefined) out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
    else this.pending.add(a.id);
  }
  processElement2(p: Person, _ctx: KeyedProcessContext<number>, out: Collector<Q3Out>): void {
    this.person.update({ name: p.name, city: p.city, state: p.state });
    for (const id of this.pending.get()) out.collect({ name: p.name, city: p.city, state: p.state, id });
    this.pending.clear();
  }
}

/** q4, first half: each auction's winning (maximum) bid among bids with A.dateTime ≤ B.dateTime ≤ A.expires, emitted when it closes. */
export class Q4WinningBid extends KeyedCoProcessFunction<number, Auction, Bid, { category: number; final: number }> {
  private auction!: ValueState<{ dateTime: number; expires: number; category: number }>;
  private max!: ValueState<number>;
  private early!: ListState<[number, number]>;
  private closed!: ValueState<boolean>;
  override open(_ctx: OpenContext): void {
    const rc = this.getRuntimeContext();
    this.auction = rc.getState(new ValueStateDescriptor<{ dateTime: number; expires: number; category: number }>('auction'));
    this.max = rc.getState(new ValueStateDescriptor<number>('max-price'));
    this.early = rc.getListState(new ListStateDescriptor<[number, number]>('early-bids'));
    this.closed = rc.getState(new ValueStateDescriptor<boolean>('closed'));
  }
  processElement1(a: Auction, ctx: KeyedProcessContext<number>): void {
    this.auction.update({ dateTime: a.dateTime, expires: a.expires, category: a.category });
    let max = this.max.value();
    for (const [price, t] of this.early.get()) if (t >= a.dateTime && t <= a.expires && (max === undefined || price > max)) max = price;
    if (max !== undefined) this.max.update(max);
    this.early.clear();
    ctx.timerService().registerEventTimeTimer(a.expires);
  }
  processElement2(b: Bid): void {
    const a = this.auction.value();
    if (a === undefined) {
      if (this.closed.value() !== true) this.early.add([b.price, b.dateTime]);
      return;
    }
    if (b.dateTime >= a.dateTime && b.dateTime <= a.expires) {
      const max = this.max.value();
      if (max === undefined || b.price > max) this.max.update(b.price);
    }
  }
  override onTimer(_ts: number, _ctx: KeyedOnTimerContext<number>, out: Collector<{ category: number; final: number }>): void {
    const a = this.auction.value()!;
    const max = this.max.value();
    if (max !== undefined) out.collect({ category: a.category, final: max });
    this.auction.clear();
    this.max.clear();
    this.closed.update(true);
  }
}

/** q4, second half: AVG(final) per category, updated with every winning bid (SQL's updating aggregate; BIGINT average truncates). */
export class Q4Average extends KeyedProcessFunction<number, { category: number; final: number }, Q4Out> {
  private acc!: ValueState<[number, number]>;
  override open(_ctx: OpenContext): void { this.acc = this.getRuntimeContext().getState(new ValueStateDescriptor<[number, number]>('sum-count')); }
  processElement(w: { category: number; final: number }, _ctx: KeyedProcessContext<number>, out: Collector<Q4Out>): void {
    const cur = this.acc.value();
    const sum = (cur ? cur[0] : 0) + w.final;
    const count = (cur ? cur[1] : 0) + 1;
    this.acc.update([sum, count]);
    out.collect({ category: w.category, avg: Math.floor(sum / count) });
  }
}

/** q5, second half: per window, the auctions whose count equals the window's maximum (ties kept), emitted once the window is complete. */
export class Q5HotItems extends KeyedProcessFunction<number, Q5Out & { endtime: number }, Q5Out> {
  private max!: ValueState<number>;
  private hot!: ListState<[number, number]>;
  override open(_ctx: OpenContext): void {
    this.max = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('max-count'));
    this.hot = this.getRuntimeContext().getListState(new ListStateDescriptor<[number, number]>('hot-auctions'));
  }
  processElement(c: Q5Out & { endtime: number }, ctx: KeyedProcessContext<number>): void {
    const max = this.max.value();
    if (max === undefined || c.num > max) {
      this.max.update(c.num);
      this.hot.update([[c.auction, c.starttime]]);
      ctx.timerService().registerEventTimeTimer(c.endtime - 1);
    } else if (c.num === max) {
      this.hot.add([c.auction, c.starttime]);
    }
  }
  override onTimer(_ts: number, _ctx: KeyedOnTimerContext<number>, out: Collector<Q5Out>): void {
    const num = this.max.value()!;
    for (const [auction, starttime] of this.hot.get()) out.collect({ auction, num, starttime });
    this.max.clear();
    this.hot.clear();
  }
}

interface MaxBids { price: number; bids: Bid[] }

/** q7: the highest price of a window and every bid with it (incremental, so the window keeps only the current leaders). */
class MaxBidsAggregate implements AggregateFunction<Bid, MaxBids, Bid[]> {
  createAccumulator(): MaxBids { return { price: -1, bids: [] }; }
  add(b: Bid, acc: MaxBids): MaxBids {
    if (b.price > acc.price) { acc.price = b.price; acc.bids = [b]; } else if (b.price === acc.price) acc.bids.push(b);
    return acc;
  }
  getResult(acc: MaxBids): Bid[] { return acc.bids; }
  merge(a: MaxBids, b: MaxBids): MaxBids {
    if (a.price !== b.price) return a.price > b.price ? a : b;
    return { price: a.price, bids: [...a.bids, ...b.bids] };
  }
}

/** q8: persons joined with the sellers of auctions created in the same 10 s tumbling window; one result per person and window. */
export class Q8NewUsers extends KeyedCoProcessFunction<number, Person, Auction, Q8Out> {
  private names!: MapState<number, string>;
  private sellers!: MapState<number, boolean>;
  override open(_ctx: OpenContext): void {
    this.names = this.getRuntimeContext().getMapState(new MapStateDescriptor<number, string>('person-by-window'));
    this.sellers = this.getRuntimeContext().getMapState(new MapStateDescriptor<number, boolean>('seller-by-window'));
  }
  processElement1(p: Person, ctx: KeyedProcessContext<number>): void {
    const start = p.dateTime - (p.dateTime % WINDOW);
    this.names.put(start, p.name);
    ctx.timerService().registerEventTimeTimer(start + WINDOW - 1);
  }
  processElement2(a: Auction, ctx: KeyedProcessContext<number>): void {
    const start = a.dateTime - (a.dateTime % WINDOW);
    this.sellers.put(start, true);
    ctx.timerService().registerEventTimeTimer(start + WINDOW - 1);
  }
  override onTimer(ts: number, ctx: KeyedOnTimerContext<number>, out: Collector<Q8Out>): void {
    const start = ts - WINDOW + 1;
    const name = this.names.get(start);
    if (name !== undefined && this.sellers.contains(start)) out.collect({ id: ctx.getCurrentKey(), name, starttime: start });
    this.names.remove(start);
    this.sellers.remove(start);
  }
}

// DataStream<T> is invariant in T; each query's result type is named in its hashRecord case.
const erase = <T>(s: DataStream<T>): DataStream<unknown> => s as unknown as DataStream<unknown>;

const windowCount = (bidder: number, w: TimeWindow, counts: Iterable<number>, out: Collector<WindowCount>): void => {
  for (const count of counts) out.collect({ bidder, count, starttime: w.start, endtime: w.end });
};

/** The query's result stream over the generated events. */
export function query(name: QueryName, events: DataStream<NexmarkEvent>): DataStream<unknown> {
  switch (name) {
    case 'q0': return erase(bids(events));
    // 0.908 * price as DECIMAL(23,3), kept exact as an integer number of thousandths.
    case 'q1': return erase(bids(events).map((b): Q1Out => ({ auction: b.auction, bidder: b.bidder, price: b.price * 908, dateTime: b.dateTime, extra: b.extra })));
    case 'q2': return erase(bids(events).filter((b) => b.auction % 123 === 0).map((b): Q2Out => ({ auction: b.auction, price: b.price })));
    case 'q3': {
      const a = auctions(events).filter((x) => x.category === 10);
      const p = persons(events).filter((x) => x.state === 'OR' || x.state === 'ID' || x.state === 'CA');
      return erase(a.connect(p).keyBy((x) => x.seller, (x) => x.id).process(new Q3Join()));
    }
    case 'q4':
      return erase(auctions(events).connect(bids(events)).keyBy((a) => a.id, (b) => b.auction).process(new Q4WinningBid())
        .keyBy((w) => w.category).process(new Q4Average()));
    case 'q5':
      return erase(bids(events).keyBy((b) => b.auction).window(SlidingEventTimeWindows.of(10_000, 2_000))
        .aggregate(new Count<Bid>(), (auction: number, w: TimeWindow, counts: Iterable<number>, out: Collector<Q5Out & { endtime: number }>) => {
          for (const num of counts) out.collect({ auction, num, starttime: w.start, endtime: w.end });
        })
        .keyBy((c) => c.endtime).process(new Q5HotItems()));
    case 'q7':
      return erase(bids(events).windowAll(TumblingEventTimeWindows.of(WINDOW))
        .aggregate(new MaxBidsAggregate(), (_w: TimeWindow, results: Iterable<Bid[]>, out: Collector<Bid>) => {
          for (const top of results) for (const b of top) out.collect(b);
        }));
    case 'q8':
      return erase(persons(events).connect(auctions(events)).keyBy((p) => p.id, (a) => a.seller).process(new Q8NewUsers()));
    case 'q11':
      return erase(bids(events).keyBy((b) => b.bidder).window(EventTimeSessionWindows.withGap(WINDOW)).aggregate(new Count<Bid>(), windowCount));
    case 'q12':
      return erase(bids(events).keyBy((b) => b.bidder).window(TumblingProcessingTimeWindows.of(WINDOW)).aggregate(new Count<Bid>(), windowCount));
  }
}

/** Hash of one result record of a query (the fields of nexmark's sink table; `extra` by its length). */
export function hashRecord(name: QueryName, r: unknown, h: RecordHash): number {
  switch (name) {
    case 'q0': case 'q7': { const b = r as Bid; return h.long(b.auction).long(b.bidder).long(b.price).long(b.dateTime).long(b.extra.length).done(); }
    case 'q1': { const b = r as Q1Out; return h.long(b.auction).long(b.bidder).long(b.price).long(b.dateTime).long(b.extra.length).done(); }
    case 'q2': { const b = r as Q2Out; return h.long(b.auction).long(b.price).done(); }
    case 'q3': { const x = r as Q3Out; return h.str(x.name).str(x.city).str(x.state).long(x.id).done(); }
    case 'q4': { const x = r as Q4Out; return h.long(x.category).long(x.avg).done(); }
    case 'q5': { const x = r as Q5Out; return h.long(x.auction).long(x.num).long(x.starttime).done(); }
    case 'q8': { const x = r as Q8Out; return h.long(x.id).str(x.name).long(x.starttime).done(); }
    case 'q11': case 'q12': { const x = r as WindowCount; return h.long(x.bidder).long(x.count).long(x.starttime).long(x.endtime).done(); }
  }
}

/** Queries whose result is an updating stream: the checksum covers the last record per key (q4: per category). */
export function updateKey(name: QueryName): ((r: unknown) => number) | null {
  return name === 'q4' ? (r) => (r as Q4Out).category : null;
}

export const COUNT_ACCUMULATOR = 'nexmark-records';
export const CHECKSUM_ACCUMULATOR = 'nexmark-checksum';

/** A sum mod 2^32 (a plain sum of 32-bit hashes would leave the exact range of a double after ~2M records). */
export class ChecksumAccumulator implements Accumulator<number, number> {
  private value = 0;
  add(v: number): void { this.value = (this.value + v) % 0x100000000; }
  getLocalValue(): number { return this.value; }
  resetLocal(): void { this.value = 0; }
  mergeValue(other: number): void { this.value = (this.value + other) % 0x100000000; }
}

/** Counts the results and sums their hashes into two accumulators; passes every record on to the sink. */
export class ChecksumMap<T> extends RichMapFunction<T, T> {
  private count = new LongCounter();
  private sum = new ChecksumAccumulator();
  private readonly h = new RecordHash();
  private readonly last = new Map<number, number>();
  private readonly key: ((r: unknown) => number) | null;
  constructor(private readonly q: QueryName) { super(); this.key = updateKey(q); }
  override open(_ctx: OpenContext): void {
    this.count = new LongCounter();
    this.sum = new ChecksumAccumulator();
    this.getRuntimeContext().addAccumulator(COUNT_ACCUMULATOR, this.count);
    this.getRuntimeContext().addAccumulator(CHECKSUM_ACCUMULATOR, this.sum);
  }
  map(r: T): T {
    this.count.add(1);
    const hash = hashRecord(this.q, r, this.h);
    if (this.key === null) this.sum.add(hash);
    else {
      const k = this.key(r);
      this.sum.add(hash - (this.last.get(k) ?? 0));
      this.last.set(k, hash);
    }
    return r;
  }
}
