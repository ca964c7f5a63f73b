package differential;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.CoGroupFunction;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.co.ProcessJoinFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;

/**
 * The joined pipelines of runtime/api/windowing/differential/JoinsDifferential.test.ts on Apache Flink:
 *   <left.csv> <right.csv (key,timestamp,value per line)> <output file>
 * Every result is one line, with the timestamp Flink gives it; the test compares sorted lines byte for byte.
 */
public final class Joins {
  /** Beyond every event, below both engines' end-of-input watermark. */
  static final long END_OF_TIME = 9_000_000_000_000L;

  static DataStream<Tuple3<String, Long, Long>> read(StreamExecutionEnvironment env, String file) throws Exception {
    List<Tuple3<String, Long, Long>> events = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
      String[] f = line.split(",");
      events.add(Tuple3.of(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
    }
    return env.fromData(events).setParallelism(1)
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<String, Long, Long>>forGenerator(ctx -> new Main.Punctuated()).withTimestampAssigner((e, ts) -> e.f1))
        .setParallelism(1);
  }

  /** Appends the record's timestamp: window results carry maxTimestamp, interval-join results max(left, right). */
  static final class WithTimestamp extends ProcessFunction<String, String> {
    @Override public void processElement(String v, Context ctx, Collector<String> out) { out.collect(v + "@" + ctx.timestamp()); }
  }

  static final class Summary implements CoGroupFunction<Tuple3<String, Long, Long>, Tuple3<String, Long, Long>, String> {
    private final String name;
    Summary(String name) { this.name = name; }
    @Override public void coGroup(Iterable<Tuple3<String, Long, Long>> as, Iterable<Tuple3<String, Long, Long>> bs, Collector<String> out) {
      long na = 0, sa = 0, nb = 0, sb = 0, lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
      String key = null;
      for (Tuple3<String, Long, Long> a : as) { na++; sa += a.f2; lo = Math.min(lo, a.f1); hi = Math.max(hi, a.f1); key = a.f0; }
      for (Tuple3<String, Long, Long> b : bs) { nb++; sb += b.f2; lo = Math.min(lo, b.f1); hi = Math.max(hi, b.f1); key = b.f0; }
      out.collect(name + "|" + key + "|" + na + "|" + sa + "|" + nb + "|" + sb + "|" + lo + "|" + hi);
    }
  }

  public static void main(String[] args) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DataStream<Tuple3<String, Long, Long>> a = read(env, args[0]);
    DataStream<Tuple3<String, Long, Long>> b = read(env, args[1]);

    DataStream<String> join = a.join(b).where(e -> e.f0, Types.STRING).equalTo(e -> e.f0)
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
        .apply((x, y) -> "join|" + x.f0 + "|" + x.f1 + "|" + x.f2 + "|" + y.f1 + "|" + y.f2, Types.STRING);
    DataStream<String> sliding = a.coGroup(b).where(e -> e.f0, Types.STRING).equalTo(e -> e.f0)
        .window(SlidingEventTimeWindows.of(Duration.ofSeconds(4), Duration.ofSeconds(2)))
        .apply(new Summary("cogroup-slide"), Types.STRING);
    DataStream<String> sessions = a.coGroup(b).where(e -> e.f0, Types.STRING).equalTo(e -> e.f0)
        .window(EventTimeSessionWindows.withGap(Duration.ofSeconds(3)))
        .apply(new Summary("cogroup-session"), Types.STRING);
    DataStream<String> interval = a.keyBy(e -> e.f0, Types.STRING).intervalJoin(b.keyBy(e -> e.f0, Types.STRING))
        .between(Duration.ofMillis(-500), Duration.ofMillis(300)).upperBoundExclusive()
        .process(new ProcessJoinFunction<Tuple3<String, Long, Long>, Tuple3<String, Long, Long>, String>() {
          @Override public void processElement(Tuple3<String, Long, Long> l, Tuple3<String, Long, Long> r, Context ctx, Collector<String> out) {
            out.collect("interval|" + l.f0 + "|" + l.f1 + "|" + l.f2 + "|" + r.f1 + "|" + r.f2 + "|" + ctx.getLeftTimestamp() + "|" + ctx.getRightTimestamp());
          }
        });

    // Broadcast state: the latest right value per key; each left key reports it from a timer at the end of time.
    MapStateDescriptor<String, Long> latest = new MapStateDescriptor<>("latest", Types.STRING, Types.LONG);
    DataStream<String> broadcast = a.keyBy(e -> e.f0, Types.STRING).connect(b.broadcast(latest))
        .process(new KeyedBroadcastProcessFunction<String, Tuple3<String, Long, Long>, Tuple3<String, Long, Long>, String>() {
          @Override public void processElement(Tuple3<String, Long, Long> e, ReadOnlyContext ctx, Collector<String> out) {
            ctx.timerService().registerEventTimeTimer(END_OF_TIME);
          }
          @Override public void processBroadcastElement(Tuple3<String, Long, Long> e, Context ctx, Collector<String> out) throws Exception {
            ctx.getBroadcastState(latest).put(e.f0, e.f2);
          }
          @Override public void onTimer(long ts, OnTimerContext ctx, Collector<String> out) throws Exception {
            long n = 0, sum = 0;
            for (var entry : ctx.getBroadcastState(latest).immutableEntries()) { n++; sum += entry.getValue(); }
            out.collect("broadcast|" + ctx.getCurrentKey() + "|" + ctx.getBroadcastState(latest).get(ctx.getCurrentKey()) + "|" + n + "|" + sum);
          }
        }).returns(Types.STRING);

    List<String> lines = new ArrayList<>();
    try (var it = join.union(sliding, sessions, interval, broadcast).process(new WithTimestamp()).executeAndCollect("joins differential")) {
      while (it.hasNext()) lines.add(it.next());
    }
    Files.write(Path.of(args[2]), lines, StandardCharsets.UTF_8);
  }
}
