import { AbstractUdfStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator, StreamOperatorParameters } from './StreamOperator.js';
import { TimestampedCollector } from './TimestampedCollector.js';
import type { Collector } from '../api/functions/Collector.js';

export class StreamFlatMap<IN, OUT> extends AbstractUdfStreamOperator<OUT, unknown> implements OneInputStreamOperator<IN> {
  private collector!: TimestampedCollector<OUT>;
  constructor(fnObject: unknown, private readonly fn: (v: IN, out: Collector<OUT>) => void | Iterable<OUT>) { super(fnObject); }
  override setup(p: StreamOperatorParameters): void {
    super.setup(p);
    this.collector = new TimestampedCollector(this.output);
  }
  processElement(value: IN, timestamp: number | undefined): void {
    if (this.keySelector1 !== undefined) this.params.keyedStateBackend!.setCurrentKey(this.keySelector1(value));
    this.collector.timestamp = timestamp;
    const r = this.fn(value, this.collector);
    // A flatMap may return an iterable instead of using the collector (API.md §2).
    if (r !== undefined && r !== null) emitIterable(r, this.collector);
  }
}

export function emitIterable<T>(r: Iterable<T>, out: Collector<T>): void {
  if (Array.isArray(r)) { for (let i = 0; i < r.length; i++) out.collect(r[i] as T); return; }
  if (typeof (r as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`flatMap returned ${typeof r}; return nothing (and use the collector) or an iterable of records.`);
  }
  for (const x of r) out.collect(x);
}
