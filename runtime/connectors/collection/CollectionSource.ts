import type { Source, SourceReaderContext, SplitEnumeratorContext } from '../../api/connector/Source.js';
import type { Boundedness } from '../../api/connector/Boundedness.js';
import { IteratorSourceReader, StaticSplitEnumerator, type IndexRangeSplit } from '../source/IteratorSourceReader.js';

/**
 * fromElements / fromCollection: the elements live in the job (rebuilt with main in every
 * slot), splits are index ranges into them. Non-parallel, like Flink's.
 */
export class CollectionSource<T> implements Source<T, IndexRangeSplit, IndexRangeSplit[]> {
  constructor(private readonly elements: readonly T[]) {}
  getBoundedness(): Boundedness { return 'BOUNDED'; }
  createReader(ctx: SourceReaderContext): IteratorSourceReader<T> {
    const els = this.elements;
    return new IteratorSourceReader<T>(ctx, (i) => els[i]);
  }
  createEnumerator(ctx: SplitEnumeratorContext<IndexRangeSplit>): StaticSplitEnumerator<IndexRangeSplit> {
    return new StaticSplitEnumerator(ctx, this.elements.length > 0 ? [{ splitId: '0', from: 0, to: this.elements.length }] : []);
  }
  restoreEnumerator(ctx: SplitEnumeratorContext<IndexRangeSplit>, cp: IndexRangeSplit[]): StaticSplitEnumerator<IndexRangeSplit> {
    return new StaticSplitEnumerator(ctx, [...cp]);
  }
}
