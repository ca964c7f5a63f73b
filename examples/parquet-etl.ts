// Batch ETL: JSON Lines orders (local files or hdfs://) → valid orders → revenue per customer and
// day → Parquet files; malformed orders go to a side output written as JSON Lines "rejects".
//   npx tsflink run examples/parquet-etl.ts <orders path> --output <dir> [--rejects <dir>] [--bad-lines <dir>]
// --bad-lines: lines that are not JSON at all go there ({file, line, reason, text}) instead of failing the job.
// An order line: {"id": 1, "customer": "c-7", "amount": 12.5, "ts": "2026-11-24T10:00:00Z"}
import { StreamExecutionEnvironment, FileSource, FileSink, JsonLinesFormat, ParquetWriters, ProcessFunction, OutputTag, WatermarkStrategy, BasePathBucketAssigner, type Collector, type ProcessContext } from 'tsflink';

interface Order { id: number; customer: string; amount: number; ts: string }
interface DailyRevenue { customer: string; day: string; orders: number; revenue: number }

const REJECTS = new OutputTag<string>('rejects');

/** Keeps well-formed orders; everything else goes to the rejects side output with the reason. */
class ValidateOrders extends ProcessFunction<Record<string, unknown>, Order> {
  processElement(o: Record<string, unknown>, ctx: ProcessContext, out: Collector<Order>): void {
    const problem =
      typeof o['id'] !== 'number' ? 'id is not a number'
        : typeof o['customer'] !== 'string' || o['customer'] === '' ? 'customer is missing'
          : typeof o['amount'] !== 'number' || !Number.isFinite(o['amount']) || o['amount'] < 0 ? 'amount is not a non-negative number'
            : typeof o['ts'] !== 'string' || Number.isNaN(Date.parse(o['ts'])) ? 'ts is not a date'
              : null;
    if (problem !== null) ctx.output(REJECTS, JSON.stringify({ reason: problem, order: o }));
    else out.collect({ id: o['id'] as number, customer: o['customer'] as string, amount: o['amount'] as number, ts: o['ts'] as string });
  }
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export default async function main(args: string[]): Promise<void> {
  const input = args[0];
  const output = arg(args, '--output');
  if (!input || input.startsWith('--') || !output) throw new Error('usage: parquet-etl.ts <orders path> --output <dir> [--rejects <dir>] [--bad-lines <dir>]');
  const rejectsDir = arg(args, '--rejects');
  const badLines = arg(args, '--bad-lines');

  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setRuntimeMode('BATCH');

  const orders = env
    .fromSource(FileSource.forRecordStreamFormat(badLines ? new JsonLinesFormat().withRejects({ dir: badLines }) : new JsonLinesFormat(), input).build(), WatermarkStrategy.noWatermarks(), 'Orders')
    .process(new ValidateOrders())
    .name('Validate');

  orders
    .map((o: Order): DailyRevenue => ({ customer: o.customer, day: new Date(o.ts).toISOString().slice(0, 10), orders: 1, revenue: o.amount }))
    .name('Per day')
    .keyBy((r) => `${r.customer}|${r.day}`)
    .reduce((a, b) => ({ customer: a.customer, day: a.day, orders: a.orders + b.orders, revenue: a.revenue + b.revenue }))
    .name('Revenue')
    .sinkTo(FileSink.forBulkFormat(output, ParquetWriters.forRows<DailyRevenue>({
      customer: { type: 'UTF8' }, day: { type: 'UTF8' }, orders: { type: 'INT64' }, revenue: { type: 'DOUBLE' },
    })).withBucketAssigner(new BasePathBucketAssigner<DailyRevenue>()).build())
    .name('Sink: revenue (Parquet)');

  const rejects = orders.getSideOutput(REJECTS);
  if (rejectsDir) {
    rejects.sinkTo(FileSink.forRowFormat<string>(rejectsDir, (s) => s).withBucketAssigner(new BasePathBucketAssigner<string>()).build()).name('Sink: rejects');
  } else {
    rejects.print('rejected');
  }
  await env.execute('Parquet ETL');
}
