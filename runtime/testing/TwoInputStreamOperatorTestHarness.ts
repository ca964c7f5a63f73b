import type { OneInputStreamOperator, StreamOperatorParameters, StateSnapshotContext, TwoInputStreamOperator } from '../operators/StreamOperator.js';
import { OneInputStreamOperatorTestHarness, type HarnessOptions, type HarnessOutput, type OperatorSnapshot } from './OneInputStreamOperatorTestHarness.js';

type Tagged = readonly [1 | 2, unknown];

/** Presents a two-input operator to the one-input harness: elements arrive tagged with their input. */
class TwoInputAdapter implements OneInputStreamOperator<Tagged> {
  constructor(readonly operator: TwoInputStreamOperator<unknown, unknown>, private readonly keySelectors: ReadonlyArray<((v: unknown) => unknown) | undefined>) {}
  setup(p: StreamOperatorParameters): void { this.operator.setup({ ...p, keySelectors: this.keySelectors }); }
  initializeState(): void | Promise<void> { return this.operator.initializeState(); }
  open(): void | Promise<void> { return this.operator.open(); }
  finish(): void | Promise<void> { return this.operator.finish(); }
  close(): void | Promise<void> { return this.operator.close(); }
  snapshotState(ctx: StateSnapshotContext): void | Promise<void> { return this.operator.snapshotState?.(ctx); }
  notifyCheckpointComplete(id: number): void | Promise<void> { return this.operator.notifyCheckpointComplete?.(id); }
  processElement(v: Tagged, ts: number | undefined): void {
    if (v[0] === 1) this.operator.processElement1(v[1], ts); else this.operator.processElement2(v[1], ts);
  }
  processWatermark(_wm: number): void { throw new Error('TwoInputStreamOperatorTestHarness: use processWatermark1/processWatermark2.'); }
}

/**
 * Runs one two-input operator outside a task (Flink's TwoInputStreamOperatorTestHarness and, with
 * key selectors, KeyedTwoInputStreamOperatorTestHarness; for a keyed broadcast operator give only
 * the first). Built on the one-input harness, so output, side outputs, processing time and
 * snapshot/restore work the same way.
 */
export class TwoInputStreamOperatorTestHarness<IN1, IN2> {
  private readonly harness: OneInputStreamOperatorTestHarness<Tagged>;
  private readonly adapter: TwoInputAdapter;

  constructor(readonly operator: TwoInputStreamOperator<IN1, IN2>, keySelector1?: (v: IN1) => unknown, private readonly keySelector2?: (v: IN2) => unknown,
    options: HarnessOptions = {}, restoreFrom?: OperatorSnapshot) {
    const ks: Array<((v: unknown) => unknown) | undefined> = [keySelector1 as ((v: unknown) => unknown) | undefined, keySelector2 as ((v: unknown) => unknown) | undefined];
    this.adapter = new TwoInputAdapter(operator as TwoInputStreamOperator<unknown, unknown>, ks);
    // The harness sets the key before each element; elements of an unkeyed (broadcast) second input bypass it.
    const tagged = keySelector1 ? (v: Tagged): unknown => (v[0] === 1 ? ks[0]!(v[1]) : ks[1]!(v[1])) : undefined;
    this.harness = new OneInputStreamOperatorTestHarness<Tagged>(this.adapter, tagged, options, restoreFrom);
  }

  get output(): HarnessOutput[] { return this.harness.output; }
  get sideOutputs(): Map<string, Array<{ value: unknown; timestamp: number | undefined }>> { return this.harness.sideOutputs; }
  get keyedStateBackend(): OneInputStreamOperatorTestHarness<Tagged>['keyedStateBackend'] { return this.harness.keyedStateBackend; }
  get operatorStateStore(): OneInputStreamOperatorTestHarness<Tagged>['operatorStateStore'] { return this.harness.operatorStateStore; }

  open(): Promise<void> { return this.harness.open(); }
  processElement1(value: IN1, timestamp?: number): void { this.harness.processElement([1, value], timestamp); }
  processElement2(value: IN2, timestamp?: number): void {
    if (this.keySelector2 || !this.harness.keyedStateBackend) this.harness.processElement([2, value], timestamp);
    else this.adapter.processElement([2, value], timestamp);
  }
  processWatermark1(watermark: number): void { this.operator.processWatermark1(watermark); }
  processWatermark2(watermark: number): void { this.operator.processWatermark2(watermark); }
  processWatermarkStatus1(idle: boolean): void { this.operator.processWatermarkStatus1?.(idle); }
  processWatermarkStatus2(idle: boolean): void { this.operator.processWatermarkStatus2?.(idle); }
  setProcessingTime(time: number): void { this.harness.setProcessingTime(time); }
  snapshot(checkpointId = 1): Promise<OperatorSnapshot> { return this.harness.snapshot(checkpointId); }
  extractOutputValues<OUT>(): OUT[] { return this.harness.extractOutputValues() as OUT[]; }
  getOutput(): HarnessOutput[] { return this.harness.getOutput(); }
  clearOutput(): void { this.harness.clearOutput(); }
  endInput(): Promise<void> { return this.harness.endInput(); }
  close(): Promise<void> { return this.harness.close(); }
}
