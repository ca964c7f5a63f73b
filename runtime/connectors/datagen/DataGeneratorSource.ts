import type { Source, SourceReaderContext, SplitEnumeratorContext } from '../../api/connector/Source.js';
import type { Boundedness } from '../../api/connector/Boundedness.js';
import { IteratorSourceReader, StaticSplitEnumerator, splitRange, type IndexRangeSplit } from '../source/IteratorSourceReader.js';

/**
 * Generates `generator(index)` for index 0..count-1, in parallel, optionally rate-limited
 * (records per second over all readers). count = Infinity makes it unbounded.
 */
export class DataGeneratorSource<T> implements Source<T, IndexRangeSplit, IndexRangeSplit[]> {
  readonly name = 'DataGeneratorSource';
  constructor(private readonly generator: (index: number) => T, private readonly count: number, private readonly rateLimitPerSecond?: number) {
    if (typeof generator !== 'function') throw new TypeError('DataGeneratorSource: the generator must be a function (index) => record.');
    if (!(count >= 0) || (count !== Infinity && !Number.isSafeInteger(count))) throw new RangeError(`DataGeneratorSource: count must be a non-negative integer or Infinity, got ${count}.`);
    if (rateLimitPerSecond !== undefined && !(rateLimitPerSecond > 0)) throw new RangeError(`DataGeneratorSource: rateLimitPerSecond must be positive, got ${rateLimitPerSecond}.`);
  }
  getBoundedness(): Boundedness { return this.count === Infinity ? 'CONTINUOUS_UNBOUNDED' : 'BOUNDED'; }
  createReader(ctx: SourceReaderContext): IteratorSourceReader<T> { return new IteratorSourceReader<T>(ctx, this.generator, this.rateLimitPerSecond); }
  createEnumerator(ctx: SplitEnumeratorContext<IndexRangeSplit>): StaticSplitEnumerator<IndexRangeSplit> {
    const n = ctx.currentParallelism();
    if (this.count === Infinity) {
      // Unbounded: each reader gets a disjoint arithmetic-free block of the index space.
      const block = Math.floor(Number.MAX_SAFE_INTEGER / n);
      return new StaticSplitEnumerator(ctx, Array.from({ length: n }, (_, i) => ({ splitId: String(i), from: i * block, to: (i + 1) * block })));
    }
    return new StaticSplitEnumerator(ctx, splitRange(this.count, n));
  }
  restoreEnumerator(ctx: SplitEnumeratorContext<IndexRangeSplit>, cp: IndexRangeSplit[]): StaticSplitEnumerator<IndexRangeSplit> {
    return new StaticSplitEnumerator(ctx, [...cp]);
  }
}
