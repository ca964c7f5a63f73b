import type { Output, OneInputStreamOperator } from '../operators/StreamOperator.js';

/** Hands records to the next operator of the chain as JS values (no copy). */
export class ChainingOutput implements Output<unknown> {
  constructor(private readonly op: OneInputStreamOperator<unknown>) {}
  collect(value: unknown, timestamp: number | undefined): void { this.op.processElement(value, timestamp); }
  collectSide(): void { /* routed by OperatorChain */ }
  emitWatermark(watermark: number): void { this.op.processWatermark(watermark); }
  emitWatermarkStatus(idle: boolean): void { this.op.processWatermarkStatus?.(idle); }
}

/** Fans one operator's output out to several outputs, and routes side outputs by tag. */
export class BroadcastingOutput implements Output<unknown> {
  constructor(private readonly main: Output<unknown>[], private readonly sides: Map<string, Output<unknown>[]>) {}
  collect(value: unknown, timestamp: number | undefined): void {
    const m = this.main;
    for (let i = 0; i < m.length; i++) m[i].collect(value, timestamp);
  }
  collectSide(tag: string, value: unknown, timestamp: number | undefined): void {
    const outs = this.sides.get(tag);
    if (outs) for (let i = 0; i < outs.length; i++) outs[i].collect(value, timestamp);
  }
  emitWatermark(w: number): void {
    for (const o of this.main) o.emitWatermark(w);
    for (const l of this.sides.values()) for (const o of l) o.emitWatermark(w);
  }
  emitWatermarkStatus(idle: boolean): void {
    for (const o of this.main) o.emitWatermarkStatus(idle);
    for (const l of this.sides.values()) for (const o of l) o.emitWatermarkStatus(idle);
  }
}

/** An operator with nowhere to send (a sink): drops everything. */
export class NoOutput implements Output<unknown> {
  collect(): void {}
  collectSide(): void {}
  emitWatermark(): void {}
  emitWatermarkStatus(): void {}
}
