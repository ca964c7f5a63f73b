import { describe, it, expect } from 'vitest';
import { StreamExecutionEnvironment, DataGeneratorSource, DiscardingSink, WatermarkStrategy, TumblingEventTimeWindows } from 'tsflink';
import { waitFor } from '../testing/waitFor.js';
import { CoStreamMap } from './CoStreamMap.js';
import { TwoInputStreamOperatorTestHarness } from '../testing/TwoInputStreamOperatorTestHarness.js';
import type { HarnessOutput } from '../testing/OneInputStreamOperatorTestHarness.js';

// Flink's AbstractStreamOperatorTest#testIdleWatermarkHandling / #testIdlenessForwarding for two
// inputs: the operator's watermark is the minimum over its active inputs, an idle input leaves the
// minimum, and the operator reports idle only while both inputs are.

const marks = (out: HarnessOutput[]): Array<number | string> =>
  out.filter((o) => o.kind !== 'record').map((o) => (o.kind === 'watermark' ? o.timestamp : o.idle ? 'IDLE' : 'ACTIVE'));

async function harness(): Promise<TwoInputStreamOperatorTestHarness<number, number>> {
  const h = new TwoInputStreamOperatorTestHarness<number, number>(new CoStreamMap<number, number, number>({ map1: (v) => v, map2: (v) => v }));
  await h.open();
  return h;
}

describe('AbstractStreamOperator with two inputs', () => {
  it('testIdleWatermarkHandling: an idle input leaves the minimum; back active, it counts again from its next watermark', async () => {
    const h = await harness();
    h.processWatermark1(1);
    expect(marks(h.getOutput())).toEqual([]); // input 2 has none yet
    h.processWatermarkStatus2(true);
    expect(marks(h.getOutput())).toEqual([1]);
    h.processWatermark1(3);
    expect(marks(h.getOutput())).toEqual([1, 3]);
    h.processWatermarkStatus2(false);
    h.processWatermark1(5);
    expect(marks(h.getOutput())).toEqual([1, 3]); // input 2 (still at MIN) holds it again
    h.processWatermark2(4);
    expect(marks(h.getOutput())).toEqual([1, 3, 4]);
    h.processWatermark2(2); // behind the operator's watermark: never backwards
    h.processWatermarkStatus1(true);
    expect(marks(h.getOutput())).toEqual([1, 3, 4]);
    h.processWatermark2(7);
    expect(marks(h.getOutput())).toEqual([1, 3, 4, 7]);
    await h.close();
  });

  it('testIdlenessForwarding: idle only when both inputs are, active as soon as one is', async () => {
    const h = await harness();
    h.processWatermarkStatus1(true);
    expect(marks(h.getOutput())).toEqual([]);
    h.processWatermarkStatus2(true);
    expect(marks(h.getOutput())).toEqual(['IDLE']);
    h.processWatermarkStatus1(true); // no change: nothing forwarded
    h.processWatermarkStatus2(false);
    expect(marks(h.getOutput())).toEqual(['IDLE', 'ACTIVE']);
    h.processWatermarkStatus1(false);
    expect(marks(h.getOutput())).toEqual(['IDLE', 'ACTIVE']);
    await h.close();
  });
});

class Fired { static windows: number[] = []; }

describe('AbstractStreamOperator with two inputs at the end of input', () => {
  it('+∞ counts on an input marked idle: an operator idle on both inputs turns active and takes it', async () => {
    const h = await harness();
    h.processWatermark1(5); h.processWatermark2(7);
    h.processWatermarkStatus1(true); h.processWatermarkStatus2(true);
    expect(marks(h.getOutput())).toEqual([5, 7, 'IDLE']); // input 1 idle: input 2's 7 alone decides
    h.processWatermark1(Number.MAX_SAFE_INTEGER); // input 1 ended while idle; input 2 is idle: it holds nothing back
    expect(marks(h.getOutput())).toEqual([5, 7, 'IDLE', 'ACTIVE', Number.MAX_SAFE_INTEGER]);
    h.processWatermark2(Number.MAX_SAFE_INTEGER);
    expect(marks(h.getOutput())).toEqual([5, 7, 'IDLE', 'ACTIVE', Number.MAX_SAFE_INTEGER]);
    await h.close();
  });
});

describe('two-input operators in a job', () => {
  it('an idle second input (withIdleness, no records) does not hold back the windows after a connect', async () => {
    Fired.windows = [];
    const env = StreamExecutionEnvironment.createLocalEnvironment(1, { 'pipeline.auto-watermark-interval': 20 });
    const data = env.fromSource(new DataGeneratorSource((i) => i, 100), WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((i) => i * 10), 'data');
    // Unbounded and silent for its first 1,000 s: only idleness lets the join's watermark move.
    const silent = env.fromSource(new DataGeneratorSource((i) => -1 - i, Infinity, 0.001),
      WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner(() => 0).withIdleness(100), 'silent');
    data.connect(silent).map({ map1: (v: number) => v, map2: (v: number) => v })
      .windowAll(TumblingEventTimeWindows.of(500)).reduce((a, b) => a + b)
      .map((s: number) => { Fired.windows.push(s); return s; }).sinkTo(new DiscardingSink<number>());
    const job = await env.executeAsync('idle-second-input');
    try {
      // Records 0..99 at 10 ms: two windows of 50 records each.
      await waitFor('both windows fired', () => (Fired.windows.length >= 2 ? true : undefined), 20_000, 20);
      expect(Fired.windows.sort((a, b) => a - b)).toEqual([1225, 3725]);
    } finally {
      await job.cancel();
      await job.getJobExecutionResult().catch(() => undefined);
    }
  }, 30_000);
});
