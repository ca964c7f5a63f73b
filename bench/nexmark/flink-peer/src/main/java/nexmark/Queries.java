package nexmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.AllWindowFunction;
import org.apache.flink.streaming.api.functions.windowing.WindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingProcessingTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** The queries of bench/nexmark/job/queries.ts, operator for operator, on Flink's DataStream API. */
final class Queries {
  static final long WINDOW = 10_000;
  static final String COUNT = "nexmark-records";
  static final String CHECKSUM = "nexmark-checksum";

  public static class Q1Out { public long auction, bidder, price, dateTime; public String extra; public Q1Out() {} }
  public static class Q2Out { public long auction, price; public Q2Out() {} }
  public static class Q3Out { public String name, city, state; public long id; public Q3Out() {} }
  public static class Q4Winner { public long category, fin; public Q4Winner() {} }
  public static class Q4Out { public long category, avg; public Q4Out() {} }
  public static class Q5Count { public long auction, num, starttime, endtime; public Q5Count() {} }
  public static class Q5Out { public long auction, num, starttime; public Q5Out() {} }
  public static class Q8Out { public long id; public String name; public long starttime; public Q8Out() {} }
  public static class WindowCount { public long bidder, count, starttime, endtime; public WindowCount() {} }
  public static class PersonInfo { public String name, city, state; public PersonInfo() {} }
  public static class AuctionInfo { public long dateTime, expires, category; public AuctionInfo() {} }

  static DataStream<Bid> bids(DataStream<Event> s) { return s.filter(e -> e.type == 2).map(e -> e.bid).returns(Bid.class); }
  static DataStream<Auction> auctions(DataStream<Event> s) { return s.filter(e -> e.type == 1).map(e -> e.auction).returns(Auction.class); }
  static DataStream<Person> persons(DataStream<Event> s) { return s.filter(e -> e.type == 0).map(e -> e.person).returns(Person.class); }

  static final class Count<T> implements AggregateFunction<T, Long, Long> {
    @Override public Long createAccumulator() { return 0L; }
    @Override public Long add(T v, Long acc) { return acc + 1; }
    @Override public Long getResult(Long acc) { return acc; }
    @Override public Long merge(Long a, Long b) { return a + b; }
  }

  static final class Q3Join extends KeyedCoProcessFunction<Long, Auction, Person, Q3Out> {
    private transient ValueState<PersonInfo> person;
    private transient ListState<Long> pending;
    @Override public void open(OpenContext ctx) {
      person = getRuntimeContext().getState(new ValueStateDescriptor<>("person", PersonInfo.class));
      pending = getRuntimeContext().getListState(new ListStateDescriptor<>("pending-auctions", Types.LONG));
    }
    private static Q3Out out(PersonInfo p, long id) { Q3Out o = new Q3Out(); o.name = p.name; o.city = p.city; o.state = p.state; o.id = id; return o; }
    @Override public void processElement1(Auction a, Context ctx, Collector<Q3Out> out) throws Exception {
      PersonInfo p = person.value();
      if (p != null) out.collect(out(p, a.id));
      else pending.add(a.id);
    }
    @Override public void processElement2(Person p, Context ctx, Collector<Q3Out> out) throws Exception {
      PersonInfo info = new PersonInfo();
      info.name = p.name; info.city = p.city; info.state = p.state;
      person.update(info);
      for (Long id : pending.get()) out.collect(out(info, id));
      pending.clear();
    }
  }

  static final class Q4WinningBid extends KeyedCoProcessFunction<Long, Auction, Bid, Q4Winner> {
    private transient ValueState<AuctionInfo> auction;
    private transient ValueState<Long> max;
    private transient ListState<long[]> early;
    private transient ValueState<Boolean> closed;
    @Override public void open(OpenContext ctx) {
      auction = getRuntimeContext().getState(new ValueStateDescriptor<>("auction", AuctionInfo.class));
      max = getRuntimeContext().getState(new ValueStateDescriptor<>("max-price", Types.LONG));
      early = getRuntimeContext().getListState(new ListStateDescriptor<>("early-bids", TypeInformation.of(long[].class)));
      closed = getRuntimeContext().getState(new ValueStateDescriptor<>("closed", Types.BOOLEAN));
    }
    @Override public void processElement1(Auction a, Context ctx, Collector<Q4Winner> out) throws Exception {
      AuctionInfo info = new AuctionInfo();
      info.dateTime = a.dateTime; info.expires = a.expires; info.category = a.category;
      auction.update(info);
      Long m = max.value();
      for (long[] b : early.get()) if (b[1] >= a.dateTime && b[1] <= a.expires && (m == null || b[0] > m)) m = b[0];
      if (m != null) max.update(m);
      early.clear();
      ctx.timerService().registerEventTimeTimer(a.expires);
    }
    @Override public void processElement2(Bid b, Context ctx, Collector<Q4Winner> out) throws Exception {
      AuctionInfo a = auction.value();
      if (a == null) {
        if (!Boolean.TRUE.equals(closed.value())) early.add(new long[] {b.price, b.dateTime});
        return;
      }
      if (b.dateTime >= a.dateTime && b.dateTime <= a.expires) {
        Long m = max.value();
        if (m == null || b.price > m) max.update(b.price);
      }
    }
    @Override public void onTimer(long ts, OnTimerContext ctx, Collector<Q4Winner> out) throws Exception {
      AuctionInfo a = auction.value();
      Long m = max.value();
      if (m != null) { Q4Winner w = new Q4Winner(); w.category = a.category; w.fin = m; out.collect(w); }
      auction.clear();
      max.clear();
      closed.update(true);
    }
  }

  static final class Q4Average extends KeyedProcessFunction<Long, Q4Winner, Q4Out> {
    private transient ValueState<long[]> acc;
    @Override public void open(OpenContext ctx) { acc = getRuntimeContext().getState(new ValueStateDescriptor<>("sum-count", TypeInformation.of(long[].class))); }
    @Override public void processElement(Q4Winner w, Context ctx, Collector<Q4Out> out) throws Exception {
      long[] cur = acc.value();
      long sum = (cur == null ? 0 : cur[0]) + w.fin;
      long count = (cur == null ? 0 : cur[1]) + 1;
      acc.update(new long[] {sum, count});
      Q4Out o = new Q4Out(); o.category = w.category; o.avg = sum / count; out.collect(o);
    }
  }

  static final class Q5HotItems extends KeyedProcessFunction<Long, Q5Count, Q5Out> {
    private transient ValueState<Long> max;
    private transient ListState<long[]> hot;
    @Override public void open(OpenContext ctx) {
      max = getRuntimeContext().getState(new ValueStateDescriptor<>("max-count", Types.LONG));
      hot = getRuntimeContext().getListState(new ListStateDescriptor<>("hot-auctions", TypeInformation.of(long[].class)));
    }
    @Override public void processElement(Q5Count c, Context ctx, Collector<Q5Out> out) throws Exception {
      Long m = max.value();
      if (m == null || c.num > m) {
        max.update(c.num);
        List<long[]> l = new ArrayList<>();
        l.add(new long[] {c.auction, c.starttime});
        hot.update(l);
        ctx.timerService().registerEventTimeTimer(c.endtime - 1);
      } else if (c.num == m) {
        hot.add(new long[] {c.auction, c.starttime});
      }
    }
    @Override public void onTimer(long ts, OnTimerContext ctx, Collector<Q5Out> out) throws Exception {
      long num = max.value();
      for (long[] h : hot.get()) { Q5Out o = new Q5Out(); o.auction = h[0]; o.num = num; o.starttime = h[1]; out.collect(o); }
      max.clear();
      hot.clear();
    }
  }

  public static class MaxBids { public long price = -1; public List<Bid> bids = new ArrayList<>(); public MaxBids() {} }

  static final class MaxBidsAggregate implements AggregateFunction<Bid, MaxBids, List<Bid>> {
    @Override public MaxBids createAccumulator() { return new MaxBids(); }
    @Override public MaxBids add(Bid b, MaxBids acc) {
      if (b.price > acc.price) { acc.price = b.price; acc.bids = new ArrayList<>(); acc.bids.add(b); }
      else if (b.price == acc.price) acc.bids.add(b);
      return acc;
    }
    @Override public List<Bid> getResult(MaxBids acc) { return acc.bids; }
    @Override public MaxBids merge(MaxBids a, MaxBids b) {
      if (a.price != b.price) return a.price > b.price ? a : b;
      MaxBids m = new MaxBids(); m.price = a.price; m.bids.addAll(a.bids); m.bids.addAll(b.bids); return m;
    }
  }

  static final class Q8NewUsers extends KeyedCoProcessFunction<Long, Person, Auction, Q8Out> {
    private transient MapState<Long, String> names;
    private transient MapState<Long, Boolean> sellers;
    @Override public void open(OpenContext ctx) {
      names = getRuntimeContext().getMapState(new MapStateDescriptor<>("person-by-window", Types.LONG, Types.STRING));
      sellers = getRuntimeContext().getMapState(new MapStateDescriptor<>("seller-by-window", Types.LONG, Types.BOOLEAN));
    }
    @Override public void processElement1(Person p, Context ctx, Collector<Q8Out> out) throws Exception {
      long start = p.dateTime - p.dateTime % WINDOW;
      names.put(start, p.name);
      ctx.timerService().registerEventTimeTimer(start + WINDOW - 1);
    }
    @Override public void processElement2(Auction a, Context ctx, Collector<Q8Out> out) throws Exception {
      long start = a.dateTime - a.dateTime % WINDOW;
      sellers.put(start, true);
      ctx.timerService().registerEventTimeTimer(start + WINDOW - 1);
    }
    @Override public void onTimer(long ts, OnTimerContext ctx, Collector<Q8Out> out) throws Exception {
      long start = ts - WINDOW + 1;
      String name = names.get(start);
      if (name != null && sellers.contains(start)) { Q8Out o = new Q8Out(); o.id = ctx.getCurrentKey(); o.name = name; o.starttime = start; out.collect(o); }
      names.remove(start);
      sellers.remove(start);
    }
  }

  static final class WindowCountFn implements WindowFunction<Long, WindowCount, Long, TimeWindow> {
    @Override public void apply(Long bidder, TimeWindow w, Iterable<Long> counts, Collector<WindowCount> out) {
      for (Long c : counts) { WindowCount o = new WindowCount(); o.bidder = bidder; o.count = c; o.starttime = w.getStart(); o.endtime = w.getEnd(); out.collect(o); }
    }
  }

  static DataStream<?> query(String name, DataStream<Event> events) {
    switch (name) {
      case "q0": return bids(events);
      case "q1": return bids(events).map(b -> { Q1Out o = new Q1Out(); o.auction = b.auction; o.bidder = b.bidder; o.price = b.price * 908; o.dateTime = b.dateTime; o.extra = b.extra; return o; }).returns(Q1Out.class);
      case "q2": return bids(events).filter(b -> b.auction % 123 == 0).map(b -> { Q2Out o = new Q2Out(); o.auction = b.auction; o.price = b.price; return o; }).returns(Q2Out.class);
      case "q3": {
        DataStream<Auction> a = auctions(events).filter(x -> x.category == 10);
        DataStream<Person> p = persons(events).filter(x -> x.state.equals("OR") || x.state.equals("ID") || x.state.equals("CA"));
        return a.connect(p).keyBy(x -> x.seller, x -> x.id, Types.LONG).process(new Q3Join()).returns(Q3Out.class);
      }
      case "q4":
        return auctions(events).connect(bids(events)).keyBy(a -> a.id, b -> b.auction, Types.LONG).process(new Q4WinningBid()).returns(Q4Winner.class)
            .keyBy(w -> w.category, Types.LONG).process(new Q4Average()).returns(Q4Out.class);
      case "q5":
        return bids(events).keyBy(b -> b.auction, Types.LONG).window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(2)))
            .aggregate(new Count<Bid>(), (WindowFunction<Long, Q5Count, Long, TimeWindow>) (auction, w, counts, out) -> {
              for (Long num : counts) { Q5Count o = new Q5Count(); o.auction = auction; o.num = num; o.starttime = w.getStart(); o.endtime = w.getEnd(); out.collect(o); }
            }, Types.LONG, TypeInformation.of(Q5Count.class))
            .keyBy(c -> c.endtime, Types.LONG).process(new Q5HotItems()).returns(Q5Out.class);
      case "q7":
        return bids(events).windowAll(TumblingEventTimeWindows.of(Duration.ofMillis(WINDOW)))
            .aggregate(new MaxBidsAggregate(), (AllWindowFunction<List<Bid>, Bid, TimeWindow>) (w, results, out) -> {
              for (List<Bid> top : results) for (Bid b : top) out.collect(b);
            }, TypeInformation.of(MaxBids.class), TypeInformation.of(Bid.class));
      case "q8":
        return persons(events).connect(auctions(events)).keyBy(p -> p.id, a -> a.seller, Types.LONG).process(new Q8NewUsers()).returns(Q8Out.class);
      case "q11":
        return bids(events).keyBy(b -> b.bidder, Types.LONG).window(EventTimeSessionWindows.withGap(Duration.ofMillis(WINDOW)))
            .aggregate(new Count<Bid>(), new WindowCountFn(), Types.LONG, TypeInformation.of(WindowCount.class));
      case "q12":
        return bids(events).keyBy(b -> b.bidder, Types.LONG).window(TumblingProcessingTimeWindows.of(Duration.ofMillis(WINDOW)))
            .aggregate(new Count<Bid>(), new WindowCountFn(), Types.LONG, TypeInformation.of(WindowCount.class));
      default: throw new IllegalArgumentException("unknown query " + name + "; expected q0, q1, q2, q3, q4, q5, q7, q8, q11 or q12");
    }
  }

  /** hashRecord of queries.ts. */
  static long hash(String q, Object r, RecordHash h) {
    switch (q) {
      case "q0": case "q7": { Bid b = (Bid) r; return h.lng(b.auction).lng(b.bidder).lng(b.price).lng(b.dateTime).lng(b.extra.length()).done(); }
      case "q1": { Q1Out b = (Q1Out) r; return h.lng(b.auction).lng(b.bidder).lng(b.price).lng(b.dateTime).lng(b.extra.length()).done(); }
      case "q2": { Q2Out b = (Q2Out) r; return h.lng(b.auction).lng(b.price).done(); }
      case "q3": { Q3Out x = (Q3Out) r; return h.str(x.name).str(x.city).str(x.state).lng(x.id).done(); }
      case "q4": { Q4Out x = (Q4Out) r; return h.lng(x.category).lng(x.avg).done(); }
      case "q5": { Q5Out x = (Q5Out) r; return h.lng(x.auction).lng(x.num).lng(x.starttime).done(); }
      case "q8": { Q8Out x = (Q8Out) r; return h.lng(x.id).str(x.name).lng(x.starttime).done(); }
      default: { WindowCount x = (WindowCount) r; return h.lng(x.bidder).lng(x.count).lng(x.starttime).lng(x.endtime).done(); }
    }
  }

  /** ChecksumMap of queries.ts: counts results and sums their hashes (q4: the last record per category). */
  static final class ChecksumMap<T> extends RichMapFunction<T, T> {
    private final String q;
    private transient LongCounter count, sum;
    private transient RecordHash h;
    private transient Map<Long, Long> last;
    ChecksumMap(String q) { this.q = q; }
    @Override public void open(OpenContext ctx) {
      count = new LongCounter();
      sum = new LongCounter();
      h = new RecordHash();
      last = new HashMap<>();
      getRuntimeContext().addAccumulator(COUNT, count);
      getRuntimeContext().addAccumulator(CHECKSUM, sum);
    }
    @Override public T map(T r) {
      count.add(1L);
      long hash = hash(q, r, h);
      if (!q.equals("q4")) sum.add(hash);
      else {
        Long prev = last.put(((Q4Out) r).category, hash);
        sum.add(hash - (prev == null ? 0 : prev));
      }
      return r;
    }
  }
}
