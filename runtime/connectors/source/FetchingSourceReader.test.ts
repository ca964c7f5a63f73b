import { describe, it, expect } from 'vitest';
import { FetchingSourceReader, type PositionedSplit } from './FetchingSourceReader.js';
import { SourceOperator } from '../../operators/SourceOperator.js';
import { OneInputStreamOperatorTestHarness, type HarnessOutput } from '../../testing/OneInputStreamOperatorTestHarness.js';
import type { Source, SourceReaderContext, SplitEnumerator, InputStatus } from '../../api/connector/Source.js';
import { WatermarkStrategy, MAX_WATERMARK, type WatermarkGenerator, type WatermarkOutput } from '../../api/eventtime/WatermarkStrategy.js';

// Flink's SourceReaderBaseTest#testPerSplitWatermark and SourceOperatorEventTimeTest's per-split cases,
// on the reader that file and socket sources use: each split's records come from a script the test
// releases batch by batch (a split ends when the test says so), through a real SourceOperator.

interface Split { splitId: string }

/** A split's batches arrive when the test pushes them; `end` finishes the split. */
class Script {
  readonly batches: number[][] = [];
  ended = false;
  wake: (() => void) | null = null;
  push(...b: number[]): void { this.batches.push(b); this.wake?.(); }
  end(): void { this.ended = true; this.wake?.(); }
}

class ScriptedFetchingReader extends FetchingSourceReader<number, Split> {
  constructor(ctx: SourceReaderContext, private readonly scripts: Map<string, Script>) { super(ctx); }
  protected async readSplit(split: Split, emit: (batch: number[]) => Promise<void>): Promise<void> {
    const s = this.scripts.get(split.splitId)!;
    for (;;) {
      const b = s.batches.shift();
      if (b) { await emit(b); continue; }
      if (s.ended) return;
      await new Promise<void>((r) => { s.wake = r; });
      s.wake = null;
    }
  }
}

/** Watermark = the event itself (Flink's OnEventWatermarkGenerator). */
const onEvent = (): WatermarkGenerator<number> => ({
  onEvent(e: number, _ts: number, out: WatermarkOutput) { out.emitWatermark(e); },
  onPeriodicEmit() {},
});

const noEnumerator: SplitEnumerator<Split, null> = { start() {}, handleSplitRequest() {}, addSplitsBack() {}, addReader() {}, snapshotState: () => null, close() {} };

async function setup(strategy: WatermarkStrategy<number>, scripts: Record<string, Script>) {
  const map = new Map(Object.entries(scripts));
  let reader!: ScriptedFetchingReader;
  const source: Source<number, Split> = {
    getBoundedness: () => 'BOUNDED',
    createReader: (ctx) => (reader = new ScriptedFetchingReader(ctx, map)),
    createEnumerator: () => noEnumerator, restoreEnumerator: () => noEnumerator,
  };
  const op = new SourceOperator<number>(source as Source<number, unknown>, strategy);
  const h = new OneInputStreamOperatorTestHarness<number>(op as never, undefined, { autoWatermarkInterval: 100 });
  await h.open();
  /** Polls until `n` records came out (the fetch loop runs on promises), or the input ends. */
  const pollUntil = async (n: number): Promise<InputStatus> => {
    for (let i = 0; i < 1000; i++) {
      const status = op.emitNext();
      if (status === 'END_OF_INPUT' || records(h.getOutput()).length >= n) return status;
      if (status === 'NOTHING_AVAILABLE') await Promise.race([op.isAvailable(), new Promise((r) => setTimeout(r, 5))]);
    }
    throw new Error(`only ${records(h.getOutput()).length} of ${n} records came out`);
  };
  return { h, op, reader: () => reader, pollUntil };
}

const records = (out: HarnessOutput[]): number[] => out.filter((o) => o.kind === 'record').map((o) => (o as { value: number }).value);
const watermarks = (out: HarnessOutput[]): Array<number | string> =>
  out.filter((o) => o.kind !== 'record').map((o) => (o.kind === 'watermark' ? o.timestamp : o.idle ? 'IDLE' : 'ACTIVE'));

describe('FetchingSourceReader per-split watermarks (Flink SourceReaderBaseTest / SourceOperatorEventTimeTest)', () => {
  for (const emitRecordBeforeSplitAddition of [true, false]) {
    it(`testPerSplitWatermark (poll before the splits are added: ${emitRecordBeforeSplitAddition})`, async () => {
      const a = new Script();
      const b = new Script();
      const { h, op, reader, pollUntil } = await setup(WatermarkStrategy.forGenerator(onEvent).withTimestampAssigner((e) => e), { A: a, B: b });
      if (emitRecordBeforeSplitAddition) expect(op.emitNext()).toBe('NOTHING_AVAILABLE');
      op.handleOperatorEvent({ type: 'AddSplits', splits: [{ splitId: 'A' }, { splitId: 'B' }] });
      a.push(100, 200, 300);
      await pollUntil(3);
      // B is assigned but not read yet: its watermark (MIN) holds the source back.
      expect(watermarks(h.getOutput())).toEqual([]);
      a.end();
      b.push(150, 250, 350);
      await pollUntil(6);
      // A finished and released: B alone decides.
      expect(watermarks(h.getOutput())).toEqual([150, 250, 350]);
      expect(records(h.getOutput())).toEqual([100, 200, 300, 150, 250, 350]);
      b.end();
      op.handleOperatorEvent({ type: 'NoMoreSplits' });
      expect(await pollUntil(Infinity)).toBe('END_OF_INPUT');
      await h.endInput();
      expect(watermarks(h.getOutput())).toEqual([150, 250, 350, MAX_WATERMARK]);
      expect(reader()).toBeDefined();
      await h.close();
    });
  }

  it('a split still being read holds the watermark at its own: periodic watermarks are the minimum over the assigned splits', async () => {
    const a = new Script();
    const b = new Script();
    const { h, op, pollUntil } = await setup(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((e) => e), { A: a, B: b });
    op.handleOperatorEvent({ type: 'AddSplits', splits: [{ splitId: 'A' }] });
    a.push(1000, 2000);
    await pollUntil(2);
    h.setProcessingTime(100);
    expect(watermarks(h.getOutput())).toEqual([1999]);
    // B arrives while A is read: from now on B (nothing read, MIN) holds the watermark.
    op.handleOperatorEvent({ type: 'AddSplits', splits: [{ splitId: 'B' }] });
    a.push(3000);
    await pollUntil(3);
    h.setProcessingTime(200);
    expect(watermarks(h.getOutput())).toEqual([1999]);
    a.end();
    b.push(2500);
    await pollUntil(4);
    h.setProcessingTime(300);
    // A released; B's 2500 is not late: the source never got past 1999.
    expect(watermarks(h.getOutput())).toEqual([1999, 2499]);
    await h.close();
  });

  it('an empty split and a restored split with every record skipped release their outputs (they do not hold the watermark at MIN)', async () => {
    const empty = new Script();
    const done = new Script();
    const c = new Script();
    const { h, op, pollUntil } = await setup(WatermarkStrategy.forGenerator(onEvent).withTimestampAssigner((e) => e), { E: empty, D: done, C: c });
    empty.end();
    done.push(5, 6);
    done.end();
    const restored: PositionedSplit<Split> = { splitId: 'D', recordsToSkip: 2 };
    op.handleOperatorEvent({ type: 'AddSplits', splits: [{ splitId: 'E' }, restored, { splitId: 'C' }] });
    c.push(700, 800);
    await pollUntil(2);
    expect(records(h.getOutput())).toEqual([700, 800]);
    expect(watermarks(h.getOutput())).toEqual([700, 800]);
    await h.close();
  });

  it('without a watermark strategy records go through the plain output', async () => {
    const a = new Script();
    const { h, op, pollUntil } = await setup(WatermarkStrategy.noWatermarks<number>(), { A: a });
    op.handleOperatorEvent({ type: 'AddSplits', splits: [{ splitId: 'A' }] });
    a.push(1, 2, 3);
    a.end();
    op.handleOperatorEvent({ type: 'NoMoreSplits' });
    expect(await pollUntil(Infinity)).toBe('END_OF_INPUT');
    expect(records(h.getOutput())).toEqual([1, 2, 3]);
    expect(watermarks(h.getOutput())).toEqual([]);
    await h.close();
  });

  it('the last split finishing ends the input, and finish emits +∞ (every window fires)', async () => {
    const a = new Script();
    const { h, op, pollUntil } = await setup(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((e) => e), { A: a });
    op.handleOperatorEvent({ type: 'AddSplits', splits: [{ splitId: 'A' }] });
    op.handleOperatorEvent({ type: 'NoMoreSplits' });
    a.push(10, 20);
    a.end();
    expect(await pollUntil(Infinity)).toBe('END_OF_INPUT');
    await h.endInput();
    expect(watermarks(h.getOutput())).toEqual([MAX_WATERMARK]);
    await h.close();
  });
});
