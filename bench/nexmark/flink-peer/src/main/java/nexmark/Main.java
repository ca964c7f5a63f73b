package nexmark;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Runs one Nexmark query on a local MiniCluster in this JVM (bench/nexmark/run.ts starts one JVM per query):
 *   <query> <events> <rate> <seed> <parallelism> <objectReuse> <runs> <warmupEvents>
 * and prints per measured run: RESULT {"query","ms","cpuMs","records","checksum"}; cpuMs is this JVM's CPU
 * time (all threads: tasks, JIT, GC) over the job.
 */
public final class Main {
  public static void main(String[] a) throws Exception {
    String q = a[0];
    long events = Long.parseLong(a[1]);
    NexmarkGenerator.Config config = new NexmarkGenerator.Config();
    config.rate = Long.parseLong(a[2]);
    config.seed = Long.parseLong(a[3]);
    int p = Integer.parseInt(a[4]);
    boolean reuse = Boolean.parseBoolean(a[5]);
    int runs = Integer.parseInt(a[6]);
    long warmup = Long.parseLong(a[7]);
    if (warmup > 0) run(q, warmup, config, p, reuse); // JIT and class loading
    for (int r = 0; r < runs; r++) {
      long[] m = run(q, events, config, p, reuse);
      System.out.println("RESULT {\"query\":\"" + q + "\",\"ms\":" + m[0] + ",\"cpuMs\":" + m[1] + ",\"records\":" + m[2] + ",\"checksum\":" + m[3] + "}");
    }
    System.exit(0);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static long[] run(String q, long events, NexmarkGenerator.Config config, int p, boolean reuse) throws Exception {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, p);
    conf.set(PipelineOptions.OBJECT_REUSE, reuse);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(p, conf);
    // nexmark's DDL: WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND; the source stamps each event with its dateTime.
    DataStream<Event> source = env.fromSource(new NexmarkSource(config, events), WatermarkStrategy.<Event>forBoundedOutOfOrderness(Duration.ofMillis(4000)), "Nexmark source");
    DataStream result = Queries.query(q, source);
    result.map(new Queries.ChecksumMap(q)).returns(result.getType()).sinkTo(new DiscardingSink<>());
    long cpu0 = cpuNanos();
    JobExecutionResult r = env.execute("Nexmark " + q);
    long cpu = cpuNanos() - cpu0;
    Long records = r.getAccumulatorResult(Queries.COUNT);
    Long sum = r.getAccumulatorResult(Queries.CHECKSUM);
    return new long[] {r.getNetRuntime(TimeUnit.MILLISECONDS), cpu / 1_000_000, records == null ? 0 : records, sum == null ? 0 : sum & 0xffffffffL};
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
