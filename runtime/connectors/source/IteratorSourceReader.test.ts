import { describe, it, expect } from 'vitest';
import { IteratorSourceReader, type IndexRangeSplit } from './IteratorSourceReader.js';
import { SourceOperator } from '../../operators/SourceOperator.js';
import { OneInputStreamOperatorTestHarness, type HarnessOutput } from '../../testing/OneInputStreamOperatorTestHarness.js';
import type { Source, SplitEnumerator } from '../../api/connector/Source.js';
import { WatermarkStrategy, MAX_WATERMARK } from '../../api/eventtime/WatermarkStrategy.js';

// The reader behind DataGeneratorSource, fromSequence and collections with several splits at once
// (a restore or a rescale hands a reader more than one): every assigned split's watermark counts
// from its assignment (Flink's SourceOperator#handleAddSplitsEvent), so reading one split to its end
// does not make the records of a split still waiting late.

const noEnumerator: SplitEnumerator<IndexRangeSplit, null> = { start() {}, handleSplitRequest() {}, addSplitsBack() {}, addReader() {}, snapshotState: () => null, close() {} };
/** Index i: split [0, 2000) is 100 s ahead of split [2000, 4000) in event time; both are longer than one poll (1,024 records). */
const N = 2000;
const ts = (i: number): number => (i < N ? 100_000 + i : i - N);

async function setup() {
  const source: Source<number, IndexRangeSplit> = {
    getBoundedness: () => 'BOUNDED',
    createReader: (ctx) => new IteratorSourceReader<number>(ctx, (i) => i),
    createEnumerator: () => noEnumerator, restoreEnumerator: () => noEnumerator,
  };
  const op = new SourceOperator<number>(source as Source<number, unknown>, WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner(ts));
  const h = new OneInputStreamOperatorTestHarness<number>(op as never, undefined, { autoWatermarkInterval: 100 });
  await h.open();
  return { h, op };
}

const watermarks = (out: HarnessOutput[]): number[] => out.filter((o) => o.kind === 'watermark').map((o) => (o as { timestamp: number }).timestamp);

describe('IteratorSourceReader per-split watermarks', () => {
  it('two splits assigned together: the one read first does not advance the watermark past the one waiting', async () => {
    const { h, op } = await setup();
    op.handleOperatorEvent({ type: 'AddSplits', splits: [{ splitId: 'ahead', from: 0, to: N }, { splitId: 'behind', from: N, to: 2 * N }] });
    op.handleOperatorEvent({ type: 'NoMoreSplits' });
    op.emitNext(); // 1,024 records of 'ahead'
    h.setProcessingTime(100);
    expect(watermarks(h.getOutput())).toEqual([]); // 'behind' waits at MIN
    op.emitNext(); // the rest of 'ahead': done and released
    op.emitNext(); // 1,024 records of 'behind'
    h.setProcessingTime(200);
    expect(watermarks(h.getOutput())).toEqual([ts(N + 1023) - 1]);
    // No record came after a watermark at or beyond its timestamp (none late).
    let last = -Infinity;
    for (const o of h.getOutput()) {
      if (o.kind === 'watermark') last = o.timestamp;
      else if (o.kind === 'record') expect(o.timestamp!).toBeGreaterThan(last);
    }
    while (op.emitNext() !== 'END_OF_INPUT');
    await h.endInput();
    expect(watermarks(h.getOutput())).toEqual([ts(N + 1023) - 1, MAX_WATERMARK]);
    await h.close();
  });
});
