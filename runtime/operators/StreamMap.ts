import { AbstractUdfStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator } from './StreamOperator.js';

export class StreamMap<IN, OUT> extends AbstractUdfStreamOperator<OUT, unknown> implements OneInputStreamOperator<IN> {
  constructor(fnObject: unknown, private readonly fn: (v: IN) => OUT) { super(fnObject); }
  processElement(value: IN, timestamp: number | undefined): void {
    this.output.collect(this.fn(value), timestamp);
  }
}
