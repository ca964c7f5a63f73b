import { AbstractUdfStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator } from './StreamOperator.js';

export class StreamFilter<IN> extends AbstractUdfStreamOperator<IN, unknown> implements OneInputStreamOperator<IN> {
  constructor(fnObject: unknown, private readonly fn: (v: IN) => boolean) { super(fnObject); }
  processElement(value: IN, timestamp: number | undefined): void {
    if (this.keySelector1 !== undefined) this.params.keyedStateBackend!.setCurrentKey(this.keySelector1(value));
    if (this.fn(value)) this.output.collect(value, timestamp);
  }
}
