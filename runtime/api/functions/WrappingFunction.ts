import type { RuntimeContext, OpenContext } from './RuntimeContext.js';
import { copyUserFunction } from '../../operators/AbstractStreamOperator.js';

/**
 * A function the API puts around the user's function (Flink's WrappingFunction): the operator
 * opens and closes the wrapper, which forwards to the user's object. The wrapper is made once when
 * the job is built, so each subtask wraps its own copy of the user's object (see `rewrap`).
 */
export abstract class WrappingFunction<F> {
  protected wrapped: F;
  constructor(private readonly original: F) { this.wrapped = original; }

  /** The subtask's copy of the user's function is in `wrapped` now: take its methods from it. */
  protected abstract rewrap(f: F): void;

  /** Called once per subtask before any record. */
  setRuntimeContext(ctx: RuntimeContext): void {
    this.wrapped = copyUserFunction(this.original);
    this.rewrap(this.wrapped);
    const rf = this.wrapped as { setRuntimeContext?: (c: RuntimeContext) => void } | null;
    if (rf !== null && typeof rf === 'object' && typeof rf.setRuntimeContext === 'function') rf.setRuntimeContext(ctx);
  }
  async open(ctx: OpenContext): Promise<void> {
    const rf = this.wrapped as { open?: (c: OpenContext) => unknown } | null;
    if (rf !== null && typeof rf === 'object' && typeof rf.open === 'function') await rf.open(ctx);
  }
  async close(): Promise<void> {
    const rf = this.wrapped as { close?: () => unknown } | null;
    if (rf !== null && typeof rf === 'object' && typeof rf.close === 'function') await rf.close();
  }
}
