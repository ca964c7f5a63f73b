import { describe, it, expect } from 'vitest';
import {
  StreamExecutionEnvironment, WatermarkStrategy,
  type Source, type SourceReader, type ReaderOutput, type InputStatus, type SplitEnumerator,
} from 'tsflink';

// Two sources in one in-process job: "slow" emits timestamps only up to a limit the test moves,
// "fast" as quickly as it is polled (ten records a poll). Watermarks are punctuated (one per
// record), so a source's watermark is exactly its progress. In one alignment group the fast source
// stops within the drift of the slow one and follows it when the limit moves; without alignment it
// runs to its end. The assertions look at a settled state, not at timing.

const N = 30_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !cond();) { if (Date.now() > end) throw new Error(`timed out waiting for ${what}`); await sleep(10); }
}

class CountingReader implements SourceReader<number, { splitId: string }> {
  next = 0;
  constructor(private readonly limit: () => number) {}
  start(): void {}
  pollNext(output: ReaderOutput<number>): InputStatus {
    if (this.next >= N) return 'END_OF_INPUT';
    const end = Math.min(this.next + 10, this.limit() + 1, N);
    if (end <= this.next) return 'NOTHING_AVAILABLE';
    for (; this.next < end; this.next++) output.collect(this.next);
    return 'MORE_AVAILABLE';
  }
  isAvailable(): Promise<void> { return sleep(5); }
  addSplits(): void {}
  notifyNoMoreSplits(): void {}
  snapshotState(): Array<{ splitId: string }> { return []; }
  close(): void {}
}

function source(reader: CountingReader): Source<number, { splitId: string }> {
  const en: SplitEnumerator<{ splitId: string }, null> = { start() {}, handleSplitRequest() {}, addSplitsBack() {}, addReader() {}, snapshotState: () => null, close() {} };
  return { getBoundedness: () => 'BOUNDED', createReader: () => reader, createEnumerator: () => en, restoreEnumerator: () => en };
}

const DRIFT = 500;

type Progress = { fast(): number; slow(): number; setSlow(ts: number): void };

async function run(align: boolean, check: (p: Progress) => Promise<void>): Promise<void> {
  let slowLimit = -1;
  const slow = new CountingReader(() => slowLimit);
  const fast = new CountingReader(() => N);
  const strategy = (): WatermarkStrategy<number> => {
    const s = WatermarkStrategy.forGenerator<number>(() => ({ onEvent: (_e, ts, out) => out.emitWatermark(ts), onPeriodicEmit() {} }))
      .withTimestampAssigner((ts) => ts);
    return align ? s.withWatermarkAlignment('pair', DRIFT, 20) : s;
  };
  const env = StreamExecutionEnvironment.createLocalEnvironment(1);
  const job = env.fromSource(source(slow), strategy(), 'slow').union(env.fromSource(source(fast), strategy(), 'fast')).executeAndCollect();
  await check({ fast: () => fast.next - 1, slow: () => slow.next - 1, setSlow: (ts) => { slowLimit = ts; } });
  slowLimit = N;
  expect((await job).length).toBe(2 * N);
}

describe('withWatermarkAlignment in a job', () => {
  it('the fast source of a group stops within the drift of the slow one and follows it', async () => {
    await run(true, async (p) => {
      for (const limit of [1000, 5000]) {
        p.setSlow(limit);
        await until(`slow at ${limit}`, () => p.slow() === limit);
        await until(`fast within the drift of ${limit}`, () => p.fast() >= limit + DRIFT);
        // Settled: a few report/announce rounds (20 ms) later it has not moved on. The reader stops once its
        // watermark passed slow's + drift, so at most one poll (10 records) beyond.
        await sleep(300);
        expect(p.fast()).toBeLessThanOrEqual(limit + DRIFT + 10);
      }
    });
  }, 30_000);

  it('without alignment the fast source runs to its end meanwhile', async () => {
    await run(false, async (p) => {
      p.setSlow(1000);
      await until('fast at its end', () => p.fast() === N - 1, 20_000);
      expect(p.slow()).toBe(1000);
    });
  }, 30_000);
});
