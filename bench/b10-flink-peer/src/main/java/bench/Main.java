package bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The Apache Flink side of B10/B11 (bench/b10-keyed.ts, bench/b11-keyed-latency.ts): the same jobs on a
 * local MiniCluster in this JVM. Prints one line per measured job: "RESULT <json>".
 *   keyed   <p> <records> <keys> <objectReuse> <runs>       fromSequence → map → keyBy → sum(1) → discard
 *   latency <p> <records> <keys> <rate> <bufferTimeoutMs|-> <sampleEvery>
 */
public final class Main {
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "keyed": keyed(args); break;
      case "latency": latency(args); break;
      default: throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  private static StreamExecutionEnvironment env(int p, boolean objectReuse) {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, p);
    conf.set(PipelineOptions.OBJECT_REUSE, objectReuse);
    return StreamExecutionEnvironment.createLocalEnvironment(p, conf);
  }

  private static long keyedJob(int p, long n, long keys, boolean reuse) throws Exception {
    StreamExecutionEnvironment env = env(p, reuse);
    env.fromSequence(1, n)
        .map(x -> Tuple2.of(x % keys, 1L)).returns(Types.TUPLE(Types.LONG, Types.LONG))
        .keyBy(t -> t.f0, Types.LONG)
        .sum(1)
        .sinkTo(new DiscardingSink<>());
    return env.execute("B10 keyed sum").getNetRuntime(TimeUnit.MILLISECONDS);
  }

  private static void keyed(String[] a) throws Exception {
    int p = Integer.parseInt(a[1]);
    long n = Long.parseLong(a[2]);
    long keys = Long.parseLong(a[3]);
    boolean reuse = Boolean.parseBoolean(a[4]);
    int runs = Integer.parseInt(a[5]);
    keyedJob(p, Math.min(n, 2_000_000L), keys, reuse); // warm-up: JIT, class loading
    for (int r = 0; r < runs; r++) {
      long ms = keyedJob(p, n, keys, reuse);
      System.out.println("RESULT {\"ms\":" + ms + "}");
    }
  }

  /** Receives the keyed records and samples the latency since they were generated (nanoTime is one clock in this JVM). */
  public static final class Probe extends RichMapFunction<Tuple2<Long, Long>, Tuple2<Long, Long>> {
    private final int every;
    private transient ListAccumulator<Long> lat;
    private transient long i;
    private transient long first;
    public Probe(int every) { this.every = every; }
    @Override public void open(OpenContext ctx) {
      lat = new ListAccumulator<>();
      first = Long.MIN_VALUE;
      getRuntimeContext().addAccumulator("latencies", lat);
    }
    @Override public Tuple2<Long, Long> map(Tuple2<Long, Long> r) {
      // The first half second (start-up, JIT) is not sampled.
      if (first == Long.MIN_VALUE) first = r.f1;
      if (r.f1 - first > 500_000_000L && ++i % every == 0) lat.add(System.nanoTime() - r.f1);
      return r;
    }
  }

  private static void latency(String[] a) throws Exception {
    int p = Integer.parseInt(a[1]);
    long n = Long.parseLong(a[2]);
    long keys = Long.parseLong(a[3]);
    double rate = Double.parseDouble(a[4]);
    String bufferTimeout = a[5];
    int every = Integer.parseInt(a[6]);
    StreamExecutionEnvironment env = env(p, false);
    if (!bufferTimeout.equals("-")) env.setBufferTimeout(Long.parseLong(bufferTimeout));
    GeneratorFunction<Long, Tuple2<Long, Long>> gen = i -> Tuple2.of(i % keys, System.nanoTime());
    TypeInformation<Tuple2<Long, Long>> type = Types.TUPLE(Types.LONG, Types.LONG);
    DataGeneratorSource<Tuple2<Long, Long>> src = new DataGeneratorSource<>(gen, n, RateLimiterStrategy.perSecond(rate), type);
    env.fromSource(src, WatermarkStrategy.noWatermarks(), "Generator")
        .keyBy(t -> t.f0, Types.LONG)
        .map(new Probe(every)).returns(type)
        .sinkTo(new DiscardingSink<>());
    JobExecutionResult r = env.execute("B11 keyed latency");
    List<Long> lat = r.getAccumulatorResult("latencies");
    StringBuilder sb = new StringBuilder("RESULT {\"ms\":").append(r.getNetRuntime(TimeUnit.MILLISECONDS)).append(",\"latenciesNs\":[");
    List<Long> l = lat == null ? new ArrayList<>() : lat;
    for (int k = 0; k < l.size(); k++) { if (k > 0) sb.append(','); sb.append(l.get(k)); }
    System.out.println(sb.append("]}"));
  }
}
