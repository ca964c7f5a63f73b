import { AbstractUdfStreamOperator } from './AbstractStreamOperator.js';
import type { OneInputStreamOperator } from './StreamOperator.js';
import { ValueStateDescriptor } from '../api/state/StateDescriptor.js';
import type { ValueState } from '../api/state/State.js';
import type { KeyedStateBackend } from '../state/KeyedStateBackend.js';

/**
 * Rolling keyed reduce (also behind sum/min/max/minBy/maxBy). STREAMING emits every update;
 * BATCH emits only the final value of each key, when the key's input is complete.
 */
export class StreamGroupedReduceOperator<T> extends AbstractUdfStreamOperator<T, unknown> implements OneInputStreamOperator<T> {
  private state!: ValueState<T>;
  private backend!: KeyedStateBackend;
  private batch = false;
  constructor(fnObject: unknown, private readonly reducer: (a: T, b: T) => T) { super(fnObject); }

  override async open(): Promise<void> {
    await super.open();
    this.state = this.runtimeContext.getState(new ValueStateDescriptor<T>('_op_state'));
    this.backend = this.keyedBackend;
    this.batch = this.params.runtimeMode === 'BATCH';
  }

  processElement(value: T, timestamp: number | undefined): void {
    this.setKeyContextElement1(value);
    this.reduce(value, timestamp);
  }

  /** The key came with the record (in-thread keyBy): no second key selection. */
  processKeyedElement(value: T, key: unknown, timestamp: number | undefined): void {
    this.backend.setCurrentKey(key);
    this.reduce(value, timestamp);
  }

  private reduce(value: T, timestamp: number | undefined): void {
    const cur = this.state.value();
    const next = cur === undefined ? value : this.reducer(cur, value);
    this.state.update(next);
    if (!this.batch) this.output.collect(next, timestamp);
  }

  override endKey(): void {
    const v = this.state.value();
    if (v !== undefined) this.output.collect(v, undefined);
    super.endKey();
  }
}
