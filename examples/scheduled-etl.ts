// Scheduled batch ETL: one day of JSON Lines orders → orders and revenue per customer, written as
// CSV lines into the run's output directory; lines that are not JSON go to a rejects directory
// (file, line, reason) instead of failing the run, unless more than 1 % of them are bad.
// Meant to run from a schedule (schedules/daily-orders.yaml), which passes the data interval:
//   args: ["hdfs:///logs/orders/dt={{ds}}", "{{output}}", "{{rejects}}"]
// and commits {{output}} as the dt=<ds> partition with _SUCCESS when the job succeeded.
// By hand:  npx tsflink run examples/scheduled-etl.ts <orders dir> <output dir> <rejects dir>
import { StreamExecutionEnvironment, FileSource, FileSink, JsonLinesFormat, WatermarkStrategy, BasePathBucketAssigner } from 'tsflink';

interface Order { id: number; customer: string; amount: number }

export default async function main(args: string[]): Promise<void> {
  const [input, output, rejects] = args;
  if (!input || !output || !rejects) throw new Error('usage: scheduled-etl.ts <orders dir> <output dir> <rejects dir>');
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setRuntimeMode('BATCH');
  const format = new JsonLinesFormat<Order>().withRejects({ dir: rejects, maxRejectedFraction: 0.01 });
  env.fromSource(FileSource.forRecordStreamFormat(format, input).build(), WatermarkStrategy.noWatermarks(), 'orders')
    .filter((o) => typeof o.customer === 'string' && typeof o.amount === 'number')
    .map((o) => [o.customer, 1, o.amount] as [string, number, number])
    .keyBy((t) => t[0])
    .reduce((a, b) => [a[0], a[1] + b[1], a[2] + b[2]])
    .sinkTo(FileSink.forRowFormat(output, (t: [string, number, number]) => `${t[0]},${t[1]},${t[2].toFixed(2)}`)
      .withBucketAssigner(new BasePathBucketAssigner()).build());
  await env.execute('scheduled-etl');
}
