/** Emits records from user functions. */
export interface Collector<T> {
  collect(record: T): void;
  close?(): void;
}

/** Names a side output; `id` must be unique within a job. */
export class OutputTag<X> {
  /** Phantom field so OutputTag<A> and OutputTag<B> stay distinct types. */
  declare readonly __type?: X;
  constructor(readonly id: string) {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('OutputTag id must be a non-empty string.');
  }
  toString(): string { return `OutputTag(${this.id})`; }
}
