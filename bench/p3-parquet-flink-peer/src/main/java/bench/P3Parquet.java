package bench;

import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.avro.AvroParquetReaders;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;

/**
 * The Apache Flink side of P3's group-by over Parquet (bench/p3-parquet-groupby.ts): Parquet files on HDFS read
 * with AvroParquetReaders (projected to the columns key, amount), keyBy(key), sum(amount), "key\tsum" files, on a
 * local MiniCluster in this JVM; the same job as bench/fixtures/p3-parquet-job.ts. A warm-up job on <warmup input>
 * first, then prints "RESULT {"ms": net runtime}".
 *   groupby <p> <input dir> <output dir> <warmup input> <warmup output dir>
 */
public final class P3Parquet {
  // The records' schema and Parquet's column projection (id and tag are not read). AvroParquetRecordFormat
  // passes no read schema to parquet-avro: without "parquet.avro.projection" it reads the file's full schema
  // and the GenericRecord serializer (built from this schema) then maps the fields by position (key <- id).
  private static final Schema PROJECTION = SchemaBuilder.record("Row").fields().requiredInt("key").requiredLong("amount").endRecord();

  public static void main(String[] a) throws Exception {
    if (!"groupby".equals(a[0])) throw new IllegalArgumentException("unknown mode " + a[0]);
    int p = Integer.parseInt(a[1]);
    groupBy(p, a[4], a[5]);
    long ms = groupBy(p, a[2], a[3]);
    System.out.println("RESULT {\"ms\": " + ms + "}");
  }

  private static long groupBy(int p, String input, String output) throws Exception {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, p);
    // flink.hadoop.* reaches the reader's Hadoop Configuration (HadoopUtils.getHadoopConfiguration).
    conf.setString("flink.hadoop.parquet.avro.projection", PROJECTION.toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(p, conf);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.fromSource(FileSource.forRecordStreamFormat(AvroParquetReaders.forGenericRecord(PROJECTION), new Path(input)).build(), WatermarkStrategy.noWatermarks(), "Parquet")
        .map((GenericRecord r) -> Tuple2.of(((Number) r.get("key")).intValue(), ((Number) r.get("amount")).longValue())).returns(Types.TUPLE(Types.INT, Types.LONG))
        .name("Project")
        .keyBy(t -> t.f0, Types.INT)
        .sum(1)
        .map(t -> t.f0 + "\t" + t.f1).returns(Types.STRING)
        .sinkTo(FileSink.forRowFormat(new Path(output), new SimpleStringEncoder<String>()).withBucketAssigner(new BasePathBucketAssigner<>()).build());
    return env.execute("P3 Parquet group-by").getNetRuntime(TimeUnit.MILLISECONDS);
  }
}
