import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StreamExecutionEnvironment, DataGeneratorSource, DiscardingSink, WatermarkStrategy, type DataStream, type JobClient, type SingleOutputStreamOperator } from 'tsflink';
import { waitFor } from '../testing/waitFor.js';
import { loadSnapshot } from './SavepointLoader.js';

// Flink's UnalignedCheckpointRescaleITCase idea: a retained unaligned checkpoint holding in-flight
// data in front of a slow stage restores at another parallelism. A keyed input's records go to
// every new subtask whose key groups overlap the old subtask's, each keeping only its own; a
// rebalanced input's go to one subtask each. Exactly-once: every key's final sum is the sum of its
// inputs (nothing lost in flight, nothing replayed twice).
const N = 4000;
const KEYS = 13;
const dirs: string[] = [];
const tmp = (prefix: string): string => { const d = mkdtempSync(join(tmpdir(), prefix)); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const slow = (t: [number, number]): [number, number] => {
  const until = performance.now() + 0.1; // buffers queue up in front of this stage
  while (performance.now() < until) { /* busy */ }
  return t;
};

function pipeline(p: number, conf: Record<string, unknown>, exchange: 'keyed' | 'rebalance'): { env: StreamExecutionEnvironment; sums: SingleOutputStreamOperator<[number, number]> } {
  const env = StreamExecutionEnvironment.createLocalEnvironment(p, {
    'restart-strategy.type': 'none', 'execution.checkpointing.unaligned.enabled': true, 'execution.checkpointing.aligned-checkpoint-timeout': '0 ms',
    'execution.buffer-timeout.interval': '5 ms', 'pipeline.max-parallelism': 16, ...conf,
  });
  const pairs = env.fromSource(new DataGeneratorSource((i) => i, N, conf['execution.state-recovery.path'] ? 1e9 : 2500), WatermarkStrategy.noWatermarks(), 'gen').uid('gen')
    .map((v: number): [number, number] => [v % KEYS, v]).uid('pair');
  const before: DataStream<[number, number]> = exchange === 'keyed' ? pairs.keyBy((t) => t[0]) : pairs.rebalance();
  return { env, sums: before.map(slow).uid('slow').keyBy((t) => t[0]).sum(1).uid('sums') };
}

function finalSums(out: ReadonlyArray<[number, number]>): Map<number, number> {
  const max = new Map<number, number>();
  for (const [k, s] of out) max.set(k, Math.max(max.get(k) ?? 0, s));
  return max;
}
function expectedSums(): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < N; i++) m.set(i % KEYS, (m.get(i % KEYS) ?? 0) + i);
  return m;
}

/** Completed checkpoints of the run in `chk` whose _metadata holds in-flight data. */
async function withInFlightData(chk: string): Promise<string[]> {
  const out: string[] = [];
  for (const job of existsSync(chk) ? readdirSync(chk) : []) {
    for (const d of readdirSync(join(chk, job)).filter((f) => f.startsWith('chk-') && existsSync(join(chk, job, f, '_metadata')))) {
      const { metadata } = await loadSnapshot(join(chk, job, d)).catch(() => ({ metadata: undefined }));
      if (metadata && Object.values(metadata.operators).some((op) => Object.values(op.subtasks).some((s) => (s.inputChannel?.length ?? 0) > 0))) out.push(join(chk, job, d));
    }
  }
  return out;
}

describe('unaligned checkpoints restored at another parallelism (in-flight data redistributed)', () => {
  for (const [exchange, from, to] of [['keyed', 2, 3], ['keyed', 3, 1], ['rebalance', 3, 2]] as const) {
    it(`${exchange} input, parallelism ${from} → ${to}: every key's sum exact`, async () => {
      const chk = tmp('tsflink-uc-rescale-');
      const { env, sums } = pipeline(from, {
        'execution.checkpointing.interval': 40, 'execution.checkpointing.dir': `file://${chk}`, 'execution.checkpointing.num-retained': 1000,
        'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
      }, exchange);
      sums.sinkTo(new DiscardingSink<[number, number]>());
      const first: JobClient = await env.executeAsync('uc-rescale-first');
      // Cancel the first run (its checkpoints are retained) once one with in-flight data completed.
      const found = await waitFor('a completed checkpoint with in-flight data', async () => (await withInFlightData(chk))[0], 30_000, 50)
        .finally(() => first.cancel().catch(() => undefined));
      await first.getJobExecutionResult().catch(() => undefined);
      const restored = await pipeline(to, { 'execution.state-recovery.path': found }, exchange).sums.executeAndCollect();
      expect(finalSums(restored)).toEqual(expectedSums());
    }, 90_000);
  }
});
