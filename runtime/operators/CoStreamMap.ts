import { AbstractUdfStreamOperator } from './AbstractStreamOperator.js';
import type { TwoInputStreamOperator, StreamOperatorParameters } from './StreamOperator.js';
import type { CoMapFunction, CoFlatMapFunction } from '../api/functions/Functions.js';
import { TimestampedCollector } from './TimestampedCollector.js';
import { emitIterable } from './StreamFlatMap.js';

export class CoStreamMap<I1, I2, OUT> extends AbstractUdfStreamOperator<OUT, CoMapFunction<I1, I2, OUT>> implements TwoInputStreamOperator<I1, I2> {
  processElement1(v: I1, ts: number | undefined): void { this.output.collect(this.userFunction.map1(v), ts); }
  processElement2(v: I2, ts: number | undefined): void { this.output.collect(this.userFunction.map2(v), ts); }
}

export class CoStreamFlatMap<I1, I2, OUT> extends AbstractUdfStreamOperator<OUT, CoFlatMapFunction<I1, I2, OUT>> implements TwoInputStreamOperator<I1, I2> {
  private collector!: TimestampedCollector<OUT>;
  override setup(p: StreamOperatorParameters): void { super.setup(p); this.collector = new TimestampedCollector(this.output); }
  processElement1(v: I1, ts: number | undefined): void {
    this.collector.timestamp = ts;
    const r = this.userFunction.flatMap1(v, this.collector);
    if (r !== undefined && r !== null) emitIterable(r, this.collector);
  }
  processElement2(v: I2, ts: number | undefined): void {
    this.collector.timestamp = ts;
    const r = this.userFunction.flatMap2(v, this.collector);
    if (r !== undefined && r !== null) emitIterable(r, this.collector);
  }
}
