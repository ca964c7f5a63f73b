import type { Source, SourceReaderContext, SplitEnumeratorContext } from '../../api/connector/Source.js';
import type { Boundedness } from '../../api/connector/Boundedness.js';
import { IteratorSourceReader, StaticSplitEnumerator, splitRange, type IndexRangeSplit } from '../source/IteratorSourceReader.js';

/** Every integer of [from, to], split into ranges across the readers (Flink's NumberSequenceSource). */
export class NumberSequenceSource implements Source<number, IndexRangeSplit, IndexRangeSplit[]> {
  readonly name = 'NumberSequenceSource';
  constructor(readonly from: number, readonly to: number) {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new RangeError(`fromSequence(${from}, ${to}): both ends must be safe integers.`);
    if (to < from) throw new RangeError(`fromSequence(${from}, ${to}): 'to' must not be smaller than 'from'.`);
  }
  getBoundedness(): Boundedness { return 'BOUNDED'; }
  createReader(ctx: SourceReaderContext): IteratorSourceReader<number> {
    const base = this.from;
    return new IteratorSourceReader<number>(ctx, (i) => base + i);
  }
  createEnumerator(ctx: SplitEnumeratorContext<IndexRangeSplit>): StaticSplitEnumerator<IndexRangeSplit> {
    return new StaticSplitEnumerator(ctx, splitRange(this.to - this.from + 1, ctx.currentParallelism()));
  }
  restoreEnumerator(ctx: SplitEnumeratorContext<IndexRangeSplit>, cp: IndexRangeSplit[]): StaticSplitEnumerator<IndexRangeSplit> {
    return new StaticSplitEnumerator(ctx, [...cp]);
  }
}
