package differential;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The windowed pipelines of runtime/api/windowing/differential/WindowingDifferential.test.ts on Apache Flink:
 *   <events.csv (key,timestamp,value per line)> <output file>
 * Every result is one line; the test sorts both engines' lines and compares them byte for byte.
 */
public final class Main {
  /** Punctuated bounded out-of-orderness: after every event, watermark = max timestamp - 1000 - 1. */
  static final class Punctuated implements WatermarkGenerator<Tuple3<String, Long, Long>> {
    private long max = Long.MIN_VALUE + 1001;
    @Override public void onEvent(Tuple3<String, Long, Long> e, long ts, WatermarkOutput out) {
      max = Math.max(max, ts);
      out.emitWatermark(new Watermark(max - 1000 - 1));
    }
    @Override public void onPeriodicEmit(WatermarkOutput out) {}
  }

  static final class CountSum implements AggregateFunction<Tuple3<String, Long, Long>, long[], long[]> {
    @Override public long[] createAccumulator() { return new long[2]; }
    @Override public long[] add(Tuple3<String, Long, Long> v, long[] acc) { acc[0]++; acc[1] += v.f2; return acc; }
    @Override public long[] getResult(long[] acc) { return acc; }
    @Override public long[] merge(long[] a, long[] b) { return new long[] {a[0] + b[0], a[1] + b[1]}; }
  }

  static final class Emit extends ProcessWindowFunction<long[], String, String, TimeWindow> {
    private final String name;
    Emit(String name) { this.name = name; }
    @Override public void process(String key, Context ctx, Iterable<long[]> results, Collector<String> out) {
      for (long[] r : results) out.collect(name + "|" + key + "|" + ctx.window().getStart() + "|" + ctx.window().getEnd() + "|" + r[0] + "|" + r[1]);
    }
  }

  public static void main(String[] args) throws Exception {
    List<Tuple3<String, Long, Long>> events = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
      String[] f = line.split(",");
      events.add(Tuple3.of(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DataStream<Tuple3<String, Long, Long>> in = env.fromData(events).setParallelism(1)
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<String, Long, Long>>forGenerator(ctx -> new Punctuated()).withTimestampAssigner((e, ts) -> e.f1))
        .setParallelism(1);
    OutputTag<Tuple3<String, Long, Long>> lateTumble = new OutputTag<>("late-tumble", Types.TUPLE(Types.STRING, Types.LONG, Types.LONG));
    OutputTag<Tuple3<String, Long, Long>> lateSession = new OutputTag<>("late-session", Types.TUPLE(Types.STRING, Types.LONG, Types.LONG));

    SingleOutputStreamOperator<String> tumble = in.keyBy(e -> e.f0, Types.STRING).window(TumblingEventTimeWindows.of(Duration.ofSeconds(5)))
        .allowedLateness(Duration.ofSeconds(2)).sideOutputLateData(lateTumble).aggregate(new CountSum(), new Emit("tumble"));
    DataStream<String> slide = in.keyBy(e -> e.f0, Types.STRING).window(SlidingEventTimeWindows.of(Duration.ofSeconds(6), Duration.ofSeconds(2)))
        .aggregate(new CountSum(), new Emit("slide"));
    SingleOutputStreamOperator<String> session = in.keyBy(e -> e.f0, Types.STRING).window(EventTimeSessionWindows.withGap(Duration.ofSeconds(3)))
        .allowedLateness(Duration.ofSeconds(1)).sideOutputLateData(lateSession).aggregate(new CountSum(), new Emit("session"));
    DataStream<String> all = in.windowAll(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
        .reduce((a, b) -> a.f2 >= b.f2 ? a : b)
        .map(e -> "all|max|" + e.f0 + "|" + e.f1 + "|" + e.f2).returns(Types.STRING);
    DataStream<String> counts = in.keyBy(e -> e.f0, Types.STRING).countWindow(3)
        .process(new ProcessWindowFunction<Tuple3<String, Long, Long>, String, String, GlobalWindow>() {
          @Override public void process(String key, Context ctx, Iterable<Tuple3<String, Long, Long>> els, Collector<String> out) {
            StringBuilder sb = new StringBuilder("count3|" + key);
            for (Tuple3<String, Long, Long> e : els) sb.append('|').append(e.f1).append(':').append(e.f2);
            out.collect(sb.toString());
          }
        });
    DataStream<String> late = tumble.getSideOutput(lateTumble).map(e -> "late-tumble|" + e.f0 + "|" + e.f1 + "|" + e.f2).returns(Types.STRING)
        .union(session.getSideOutput(lateSession).map(e -> "late-session|" + e.f0 + "|" + e.f1 + "|" + e.f2).returns(Types.STRING));

    List<String> lines = new ArrayList<>();
    try (var it = tumble.union(slide, session, all, counts, late).executeAndCollect("windowing differential")) {
      while (it.hasNext()) lines.add(it.next());
    }
    Files.write(Path.of(args[1]), lines, StandardCharsets.UTF_8);
  }
}
