import type { Collector } from '../../api/functions/Collector.js';
import type { AggregateFunction } from '../../api/functions/Functions.js';
import type { Window } from '../../api/windowing/windows/Window.js';
import type { RuntimeContext, OpenContext } from '../../api/functions/RuntimeContext.js';
import type { AbstractRichFunction } from '../../api/functions/RichFunction.js';
import type {
  ProcessWindowContext, ProcessWindowFunctionLike, ProcessAllWindowFunctionLike,
} from '../../api/windowing/functions/ProcessWindowFunction.js';

/**
 * The window operator's view of the user's window function (Flink's InternalWindowFunction):
 * `contents` is what the window state holds, a single value after reduce/aggregate or all
 * elements otherwise. `userFunctions` are opened and closed by the operator.
 */
export interface InternalWindowFunction<ACC, OUT, K, W extends Window> {
  process(key: K, window: W, ctx: ProcessWindowContext<W>, contents: ACC, out: Collector<OUT>): void;
  clear(window: W, ctx: ProcessWindowContext<W>): void;
  readonly userFunctions: readonly unknown[];
}

type Apply<IN, OUT, K, W> = (key: K, window: W, elements: Iterable<IN>, out: Collector<OUT>) => void;

/** Emits the pre-aggregated value as is (reduce/aggregate without a window function). */
export function passThroughWindowFunction<T>(): InternalWindowFunction<T, T, unknown, Window> {
  return { process: (_k, _w, _c, v, out) => out.collect(v), clear: () => {}, userFunctions: [] };
}

/** A ProcessWindowFunction over all elements (Flink's InternalIterableProcessWindowFunction). */
export function iterableProcessWindowFunction<IN, OUT, K, W extends Window>(f: ProcessWindowFunctionLike<IN, OUT, K, W>): InternalWindowFunction<Iterable<IN>, OUT, K, W> {
  return { process: (k, _w, c, v, out) => f.process(k, c, v, out), clear: (_w, c) => f.clear?.(c), userFunctions: [f] };
}

/** A ProcessWindowFunction after reduce/aggregate: one element, the pre-aggregated value (Flink's InternalSingleValueProcessWindowFunction). */
export function singleValueProcessWindowFunction<IN, OUT, K, W extends Window>(f: ProcessWindowFunctionLike<IN, OUT, K, W>): InternalWindowFunction<IN, OUT, K, W> {
  return { process: (k, _w, c, v, out) => f.process(k, c, [v], out), clear: (_w, c) => f.clear?.(c), userFunctions: [f] };
}

export function iterableWindowFunction<IN, OUT, K, W extends Window>(apply: Apply<IN, OUT, K, W>, fn: unknown): InternalWindowFunction<Iterable<IN>, OUT, K, W> {
  return { process: (k, w, _c, v, out) => apply(k, w, v, out), clear: () => {}, userFunctions: [fn] };
}
export function singleValueWindowFunction<IN, OUT, K, W extends Window>(apply: Apply<IN, OUT, K, W>, fn: unknown): InternalWindowFunction<IN, OUT, K, W> {
  return { process: (k, w, _c, v, out) => apply(k, w, [v], out), clear: () => {}, userFunctions: [fn] };
}

/** Non-keyed process functions ignore the key (Flink's InternalIterableProcessAllWindowFunction). */
export function allWindowProcess<IN, OUT, W extends Window>(f: ProcessAllWindowFunctionLike<IN, OUT, W>): ProcessWindowFunctionLike<IN, OUT, unknown, W> & { readonly inner: unknown } {
  return { process: (_k, c, els, out) => f.process(c, els, out), clear: (c) => f.clear?.(c), inner: f };
}

/** With an evictor all elements are kept: reduce them when the window fires (Flink's ReduceApplyProcessWindowFunction). */
export function reduceThen<T, OUT, K, W extends Window>(reduce: (a: T, b: T) => T, inner: InternalWindowFunction<T, OUT, K, W>): InternalWindowFunction<Iterable<T>, OUT, K, W> {
  return {
    process: (k, w, c, elements, out) => {
      let acc: T | undefined;
      let first = true;
      for (const e of elements) { acc = first ? e : reduce(acc as T, e); first = false; }
      if (!first) inner.process(k, w, c, acc as T, out);
    },
    clear: (w, c) => inner.clear(w, c),
    userFunctions: inner.userFunctions,
  };
}

/** With an evictor: aggregate all elements when the window fires (Flink's AggregateApplyWindowFunction). */
export function aggregateThen<IN, ACC, R, OUT, K, W extends Window>(agg: AggregateFunction<IN, ACC, R>, inner: InternalWindowFunction<R, OUT, K, W>): InternalWindowFunction<Iterable<IN>, OUT, K, W> {
  return {
    process: (k, w, c, elements, out) => {
      let acc = agg.createAccumulator();
      for (const e of elements) acc = agg.add(e, acc);
      inner.process(k, w, c, agg.getResult(acc), out);
    },
    clear: (w, c) => inner.clear(w, c),
    userFunctions: inner.userFunctions,
  };
}

/** Gives the window function's rich user functions their runtime context and opens them (operator open()). */
export async function openUserFunctions(fns: readonly unknown[], ctx: RuntimeContext, open: OpenContext): Promise<void> {
  for (const f of fns) {
    const rf = f as Partial<AbstractRichFunction> | null;
    if (rf && typeof rf === 'object') {
      if (typeof rf.setRuntimeContext === 'function') rf.setRuntimeContext(ctx);
      if (typeof rf.open === 'function') await rf.open(open);
    }
  }
}

export async function closeUserFunctions(fns: readonly unknown[]): Promise<void> {
  for (const f of fns) {
    const rf = f as Partial<AbstractRichFunction> | null;
    if (rf && typeof rf === 'object' && typeof rf.close === 'function') await rf.close();
  }
}
