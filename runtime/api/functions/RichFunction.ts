import type { OpenContext, RuntimeContext } from './RuntimeContext.js';

/** Base of rich functions: lifecycle plus access to the runtime context. */
export abstract class AbstractRichFunction {
  private runtimeContext: RuntimeContext | undefined;
  setRuntimeContext(ctx: RuntimeContext): void { this.runtimeContext = ctx; }
  getRuntimeContext(): RuntimeContext {
    if (!this.runtimeContext) throw new Error('The runtime context is only available from open() on, while the function runs in a task.');
    return this.runtimeContext;
  }
  open(_ctx: OpenContext): void | Promise<void> {}
  close(): void | Promise<void> {}
}

export abstract class RichMapFunction<IN, OUT> extends AbstractRichFunction {
  abstract map(value: IN): OUT;
}
export abstract class RichFlatMapFunction<IN, OUT> extends AbstractRichFunction {
  abstract flatMap(value: IN, out: import('./Collector.js').Collector<OUT>): void | Iterable<OUT>;
}
export abstract class RichFilterFunction<IN> extends AbstractRichFunction {
  abstract filter(value: IN): boolean;
}
export abstract class RichReduceFunction<T> extends AbstractRichFunction {
  abstract reduce(a: T, b: T): T;
}

/** Duck-typed: anything with setRuntimeContext/open/close is treated as rich. */
export interface RichFunctionLike {
  setRuntimeContext?(ctx: RuntimeContext): void;
  open?(ctx: OpenContext): void | Promise<void>;
  close?(): void | Promise<void>;
}
