// Local pre-aggregation before a keyed exchange in BATCH (beyond Flink's DataStream API; Flink's DataSet API
// combined reduce inputs the same way, ChainedReduceCombineDriver): chained to the producer, it folds the records
// of each key with the keyed operator's own reduce function and sends one partial value per key and flush to the
// keyed sum/min/max/reduce, which folds the partials into the final value. Memory is bounded by flushing every
// partial once `maxKeys` distinct keys are held. Records keep their key; timestamps are dropped (a BATCH
// reduce emits its final values without one).
import { AbstractUdfStreamOperator } from '../AbstractStreamOperator.js';
import type { OneInputStreamOperator } from '../StreamOperator.js';
import { keyToMapKey } from '../../util/KeyEncoding.js';
import type { FieldCombiner } from './FieldCombiner.js';

export class BatchCombineOperator<T> extends AbstractUdfStreamOperator<T, unknown> implements OneInputStreamOperator<T> {
  // A box per key: one Map lookup per record (get), not two (get + set).
  private partials = new Map<string | number | bigint | boolean, { v: T }>();

  constructor(
    fnObject: unknown,
    private readonly reducer: (a: T, b: T) => T,
    private readonly keySelector: (v: T) => unknown,
    private readonly maxKeys: number,
    /** sum/min/max on a field: partials in a numeric table instead of boxes (FieldCombiner). */
    private readonly fields?: FieldCombiner<T>,
  ) { super(fnObject); }

  processElement(value: T): void {
    const k = keyToMapKey(this.keySelector(value));
    const f = this.fields;
    if (f !== undefined) {
      if (f.size >= this.maxKeys) this.flush();
      f.add(k, value);
      return;
    }
    const box = this.partials.get(k);
    if (box === undefined) {
      if (this.partials.size >= this.maxKeys) this.flush();
      this.partials.set(k, { v: value });
    } else {
      box.v = this.reducer(box.v, value);
    }
  }

  override finish(): void | Promise<void> {
    this.flush();
    return super.finish();
  }

  private flush(): void {
    const out = this.output;
    if (this.fields !== undefined) { this.fields.drain((v) => out.collect(v, undefined)); return; }
    for (const b of this.partials.values()) out.collect(b.v, undefined);
    this.partials = new Map();
  }
}
