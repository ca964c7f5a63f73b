import type { Collector } from '../api/functions/Collector.js';
import type { Output } from './StreamOperator.js';

/** The user's Collector: emits with the timestamp of the element being processed. */
export class TimestampedCollector<T> implements Collector<T> {
  timestamp: number | undefined = undefined;
  constructor(private readonly output: Output<T>) {}
  collect(record: T): void { this.output.collect(record, this.timestamp); }
  close(): void {}
}
