import { AbstractUdfStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator } from './StreamOperator.js';

export class StreamMap<IN, OUT> extends AbstractUdfStreamOperator<OUT, unknown> implements OneInputStreamOperator<IN> {
  constructor(fnObject: unknown, private readonly fn: (v: IN) => OUT) { super(fnObject); }
  processElement(value: IN, timestamp: number | undefined): void {
    if (this.keySelector1 !== undefined) this.params.keyedStateBackend!.setCurrentKey(this.keySelector1(value));
    this.output.collect(this.fn(value), timestamp);
  }
}
