import { AbstractRichFunction } from './RichFunction.js';
import { describe } from './Functions.js';

/**
 * Async I/O (API.md §4, Flink's AsyncFunction): `asyncInvoke` starts the request for one input and
 * resolves with its results (an empty array emits nothing). `timeout`, if given, is called instead
 * of failing the job when a request (with all its retries) took longer than the operator's timeout;
 * its results are emitted in place of the request's. Without it a timeout fails the job with
 * TimeoutException, as Flink's default AsyncFunction#timeout does.
 */
export interface AsyncFunctionObject<IN, OUT> {
  asyncInvoke(input: IN): Promise<OUT[]>;
  timeout?(input: IN): Promise<OUT[]> | OUT[];
}

/** A function `(input) => Promise<OUT[]>`, or an object/class with asyncInvoke (and optional timeout). */
export type AsyncFunction<IN, OUT> = ((input: IN) => Promise<OUT[]>) | AsyncFunctionObject<IN, OUT>;

/** Flink's RichAsyncFunction: an async function with open/close and the runtime context. */
export abstract class RichAsyncFunction<IN, OUT> extends AbstractRichFunction implements AsyncFunctionObject<IN, OUT> {
  abstract asyncInvoke(input: IN): Promise<OUT[]>;
}

/** Thrown (and failing the job) when a request timed out and the function has no timeout(). */
export class TimeoutException extends Error {
  constructor(message: string) { super(message); this.name = 'TimeoutException'; }
}

/** The two calls the operator makes, bound to the user's object. */
export interface ResolvedAsyncFunction<IN, OUT> {
  asyncInvoke(input: IN): Promise<OUT[]>;
  timeout: ((input: IN) => Promise<OUT[]> | OUT[]) | undefined;
}

export function resolveAsyncFunction<IN, OUT>(f: AsyncFunction<IN, OUT>, where: string): ResolvedAsyncFunction<IN, OUT> {
  if (typeof f === 'function') return { asyncInvoke: f, timeout: undefined };
  if (f !== null && typeof f === 'object' && typeof (f as AsyncFunctionObject<IN, OUT>).asyncInvoke === 'function') {
    const o = f as AsyncFunctionObject<IN, OUT>;
    return { asyncInvoke: (v) => o.asyncInvoke(v), timeout: typeof o.timeout === 'function' ? (v) => o.timeout!(v) : undefined };
  }
  throw new TypeError(`${where}: expected an async function (input) => Promise<OUT[]> or an object with asyncInvoke(input), got ${describe(f)}.`);
}
