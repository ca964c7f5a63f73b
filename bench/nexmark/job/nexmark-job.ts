// One Nexmark query as a job (the file bench/nexmark/run.ts bundles and runs on the embedded cluster, and
// `tsflink run` accepts): Nexmark source → query → checksum → discarding sink (nexmark's blackhole).
// Args: <query> <events> [rate events/s of event time = 10000000] [seed = 0].
import { StreamExecutionEnvironment, WatermarkStrategy, DiscardingSink } from 'tsflink';
import { NexmarkSource } from './NexmarkSource.js';
import { nexmarkConfig } from './generator.js';
import { query, ChecksumMap, QUERIES, COUNT_ACCUMULATOR, CHECKSUM_ACCUMULATOR, type QueryName } from './queries.js';
import { foldChecksum } from './checksum.js';
import type { NexmarkEvent } from './model.js';

/** What the last run of this job in this process measured (read by the runner). */
export interface NexmarkJobResult { query: QueryName; events: number; netRuntimeMs: number; records: number; checksum: number }

export default async function main(args: string[]): Promise<void> {
  const q = args[0] as QueryName;
  if (!QUERIES.includes(q)) throw new Error(`nexmark-job: unknown query '${String(args[0])}'; expected one of ${QUERIES.join(', ')}.`);
  const events = Number(args[1] ?? 1_000_000);
  const config = nexmarkConfig({ rate: Number(args[2] ?? 10_000_000), seed: Number(args[3] ?? 0) });
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  // nexmark's DDL: WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND; the source stamps each event with its dateTime.
  const source = env.fromSource(new NexmarkSource(config, events), WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(4000), 'Nexmark source');
  query(q, source).map(new ChecksumMap(q)).sinkTo(new DiscardingSink());
  const r = await env.execute(`Nexmark ${q}`);
  const result: NexmarkJobResult = {
    query: q, events, netRuntimeMs: r.getNetRuntime(),
    records: Number(r.getAccumulatorResult(COUNT_ACCUMULATOR) ?? 0), checksum: foldChecksum(Number(r.getAccumulatorResult(CHECKSUM_ACCUMULATOR) ?? 0)),
  };
  (globalThis as { __nexmarkResult?: NexmarkJobResult }).__nexmarkResult = result;
}
