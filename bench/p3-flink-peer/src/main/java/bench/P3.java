package bench;

import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.util.Collector;

/**
 * The Apache Flink side of P3 (bench/p3-batch-wordcount.ts): a BATCH word count over a text file on a local
 * MiniCluster in this JVM, the same job as bench/fixtures/p3-wordcount-job.ts (split on ' ', keyBy, sum,
 * "word\tcount" files). Runs a warm-up job on <warmup input> first, then prints "RESULT {"ms": net runtime}".
 *   wordcount <p> <input> <output dir> <warmup input> <warmup output dir>
 */
public final class P3 {
  public static void main(String[] a) throws Exception {
    if (!"wordcount".equals(a[0])) throw new IllegalArgumentException("unknown mode " + a[0]);
    int p = Integer.parseInt(a[1]);
    wordCount(p, a[4], a[5]);
    long ms = wordCount(p, a[2], a[3]);
    System.out.println("RESULT {\"ms\": " + ms + "}");
  }

  private static long wordCount(int p, String input, String output) throws Exception {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, p);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(p, conf);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.fromSource(FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(input)).build(), WatermarkStrategy.noWatermarks(), "Lines")
        .flatMap((String line, Collector<Tuple2<String, Long>> out) -> {
          for (String w : line.split(" ")) if (!w.isEmpty()) out.collect(Tuple2.of(w, 1L));
        }).returns(Types.TUPLE(Types.STRING, Types.LONG))
        .name("Tokenizer")
        .keyBy(t -> t.f0, Types.STRING)
        .sum(1)
        .map(t -> t.f0 + "\t" + t.f1).returns(Types.STRING)
        .sinkTo(FileSink.forRowFormat(new Path(output), new SimpleStringEncoder<String>()).withBucketAssigner(new BasePathBucketAssigner<>()).build());
    return env.execute("P3 word count").getNetRuntime(TimeUnit.MILLISECONDS);
  }
}
