/** Accumulators are merged across subtasks into JobExecutionResult.getAccumulatorResult(name). */
export interface Accumulator<V, R> {
  add(value: V): void;
  getLocalValue(): R;
  resetLocal(): void;
  /** Merges another subtask's local value (plain data) into this one. */
  mergeValue(other: R): void;
}

export class IntCounter implements Accumulator<number, number> {
  constructor(private value = 0) {}
  add(v: number): void { this.value += v; }
  getLocalValue(): number { return this.value; }
  resetLocal(): void { this.value = 0; }
  mergeValue(other: number): void { this.value += other; }
}
export { IntCounter as LongCounter, IntCounter as DoubleCounter };

export class ListAccumulator<T> implements Accumulator<T, T[]> {
  private values: T[] = [];
  add(v: T): void { this.values.push(v); }
  getLocalValue(): T[] { return this.values; }
  resetLocal(): void { this.values = []; }
  mergeValue(other: T[]): void { for (const v of other) this.values.push(v); }
}

export class AverageAccumulator implements Accumulator<number, { sum: number; count: number }> {
  private sum = 0; private count = 0;
  add(v: number): void { this.sum += v; this.count++; }
  getLocalValue(): { sum: number; count: number } { return { sum: this.sum, count: this.count }; }
  resetLocal(): void { this.sum = 0; this.count = 0; }
  mergeValue(o: { sum: number; count: number }): void { this.sum += o.sum; this.count += o.count; }
}
