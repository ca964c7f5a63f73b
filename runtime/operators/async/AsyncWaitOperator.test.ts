import { describe, it, expect } from 'vitest';
import { AsyncWaitOperator, type OutputMode } from './AsyncWaitOperator.js';
import { OneInputStreamOperatorTestHarness, type HarnessOutput, type OperatorSnapshot } from '../../testing/OneInputStreamOperatorTestHarness.js';
import type { AsyncFunctionObject } from '../../api/functions/AsyncFunction.js';
import { AsyncRetryStrategies, RetryPredicates, type AsyncRetryStrategy } from '../../api/functions/AsyncRetryStrategy.js';

// Flink's AsyncWaitOperatorTest, with requests the test answers by hand (instead of latches and
// executor threads) and a harness mailbox the test drains, as the task does between batches.

interface Deferred<T> { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void }
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
}

/** Every call waits until the test answers it. */
class ControlledAsyncFunction implements AsyncFunctionObject<number, number> {
  readonly calls: Array<{ input: number; d: Deferred<number[]> }> = [];
  asyncInvoke(input: number): Promise<number[]> {
    const d = deferred<number[]>();
    this.calls.push({ input, d });
    return d.promise;
  }
  /** Answers the pending call(s) for `input` with [input * 2]. */
  answer(input: number, results: number[] = [input * 2]): void {
    const c = this.calls.find((x) => x.input === input);
    if (!c) throw new Error(`no call for ${input}`);
    this.calls.splice(this.calls.indexOf(c), 1);
    c.d.resolve(results);
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

async function harness(fn: AsyncFunctionObject<number, number>, mode: OutputMode, opts: { timeout?: number; capacity?: number; retry?: AsyncRetryStrategy<number> } = {},
  restore?: OperatorSnapshot): Promise<OneInputStreamOperatorTestHarness<number, number>> {
  const op = new AsyncWaitOperator<number, number>(fn, opts.timeout ?? 0, opts.capacity ?? 10, mode, opts.retry);
  const h = new OneInputStreamOperatorTestHarness<number, number>(op, undefined, { queuedMailbox: true }, restore);
  await h.open();
  return h;
}

/** Lets answered promises post their mails, then runs the mailbox. */
async function settle(h: OneInputStreamOperatorTestHarness<number, number>): Promise<void> {
  await flush();
  await h.runMailbox();
}

const rec = (value: number, timestamp?: number): HarnessOutput => ({ kind: 'record', value, timestamp });
const wm = (timestamp: number): HarnessOutput => ({ kind: 'watermark', timestamp });

describe('AsyncWaitOperator (Flink AsyncWaitOperatorTest)', () => {
  it('testEventTimeOrdered: results leave in input order with their timestamps, the watermark after the records before it', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'ORDERED');
    h.processElement(1, 1); h.processElement(2, 2); h.processWatermark(2); h.processElement(3, 3);
    f.answer(3); f.answer(2);
    await settle(h);
    expect(h.getOutput()).toEqual([]);
    f.answer(1);
    await settle(h);
    expect(h.getOutput()).toEqual([rec(2, 1), rec(4, 2), wm(2), rec(6, 3)]);
    await h.close();
  });

  it('testEventTimeUnordered: results leave as they complete, but never across a watermark', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'UNORDERED');
    h.processElement(1, 1); h.processElement(2, 2); h.processWatermark(2); h.processElement(3, 3);
    f.answer(2);
    await settle(h);
    expect(h.getOutput()).toEqual([rec(4, 2)]);
    f.answer(3);
    await settle(h);
    expect(h.getOutput()).toEqual([rec(4, 2)]);
    f.answer(1);
    await settle(h);
    expect(h.getOutput()).toEqual([rec(4, 2), rec(2, 1), wm(2), rec(6, 3)]);
    await h.close();
  });

  it('a watermark with nothing in flight before it leaves at once', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'UNORDERED');
    h.processWatermark(5);
    expect(h.getOutput()).toEqual([wm(5)]);
    h.processElement(1, 6); h.processWatermark(7); h.processWatermark(8);
    f.answer(1);
    await settle(h);
    expect(h.getOutput()).toEqual([wm(5), rec(2, 6), wm(7), wm(8)]);
    await h.close();
  });

  it.each(['ORDERED', 'UNORDERED'] as const)('testProcessingTime (%s): records without timestamps', async (mode) => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, mode);
    for (let i = 1; i <= 4; i++) h.processElement(i);
    for (const i of [3, 1, 4, 2]) { f.answer(i); await settle(h); }
    expect(h.extractOutputValues()).toEqual(mode === 'ORDERED' ? [2, 4, 6, 8] : [6, 2, 8, 4]);
    expect(h.getOutput().every((o) => o.kind === 'record' && o.timestamp === undefined)).toBe(true);
    await h.close();
  });

  it('emits several results per input, none for an empty array', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'ORDERED');
    h.processElement(1, 10); h.processElement(2, 20);
    f.answer(2, []); f.answer(1, [7, 8, 9]);
    await settle(h);
    expect(h.getOutput()).toEqual([rec(7, 10), rec(8, 10), rec(9, 10)]);
    await h.close();
  });

  it('results reach the output only when the mailbox runs (on the task thread), never from the promise callback', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'UNORDERED');
    h.processElement(1);
    f.answer(1);
    await flush();
    expect(h.getOutput()).toEqual([]);
    expect(h.mails.length).toBe(1);
    await h.runMailbox();
    expect(h.extractOutputValues()).toEqual([2]);
    await h.close();
  });

  it('testTimeoutCleanup: a completed request cancels its timeout timer', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'ORDERED', { timeout: 1000 });
    h.processElement(1);
    expect(h.processingTimeService.numActiveTimers()).toBe(1);
    f.answer(1);
    await settle(h);
    expect(h.processingTimeService.numActiveTimers()).toBe(0);
    expect(h.extractOutputValues()).toEqual([2]);
    await h.close();
  });

  it('testAsyncTimeoutFailure: a timed-out request without timeout() fails with TimeoutException', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'ORDERED', { timeout: 100 });
    h.setProcessingTime(0);
    h.processElement(1, 5);
    expect(() => h.setProcessingTime(100)).toThrow(/could not complete the stream element \(value 1, timestamp 5\): TimeoutException: Async function call has timed out/);
    await h.close();
  });

  it('testAsyncTimeoutIgnore: timeout() answers in place of the request; its late result is ignored', async () => {
    const f = new (class extends ControlledAsyncFunction { timeout(input: number): number[] { return [-input]; } })();
    const h = await harness(f, 'ORDERED', { timeout: 100 });
    h.processElement(1); h.processElement(2);
    f.answer(2);
    await settle(h);
    h.setProcessingTime(100);
    expect(h.extractOutputValues()).toEqual([-1, 4]);
    f.answer(1);
    await settle(h);
    expect(h.extractOutputValues()).toEqual([-1, 4]);
    await h.close();
  });

  it('a timeout() returning a Promise is awaited', async () => {
    const f = new (class extends ControlledAsyncFunction { timeout(input: number): Promise<number[]> { return Promise.resolve([input + 100]); } })();
    const h = await harness(f, 'UNORDERED', { timeout: 50 });
    h.processElement(1);
    h.setProcessingTime(50);
    await settle(h);
    expect(h.extractOutputValues()).toEqual([101]);
    await h.close();
  });

  it.each(['ORDERED', 'UNORDERED'] as const)('testUserExceptionHandling (%s): a rejected request fails the task with its cause', async (mode) => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, mode);
    h.processElement(1);
    f.calls[0]!.d.reject(new Error('lookup failed'));
    await flush();
    await expect(h.runMailbox()).rejects.toThrow(/could not complete the stream element \(value 1\): Error: lookup failed/);
    await h.close();
  });

  it('a function that does not return a Promise is a clear error', async () => {
    const h = await harness({ asyncInvoke: ((x: number) => [x]) as unknown as (x: number) => Promise<number[]> }, 'ORDERED');
    expect(() => h.processElement(1)).toThrow(/asyncInvoke must return a Promise of an array of results, got an object \(Array\)/);
    await h.close();
  });

  it('a Promise that resolves to a non-array is a clear error', async () => {
    const h = await harness({ asyncInvoke: (x: number) => Promise.resolve(x as unknown as number[]) }, 'ORDERED');
    h.processElement(1);
    await flush();
    await expect(h.runMailbox()).rejects.toThrow(/asyncInvoke must resolve to an array of results \(use \[\] to emit nothing\), got number/);
    await h.close();
  });

  it('capacity: at most `capacity` requests in flight; the operator refuses input while full and issues waiting elements as slots free', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'ORDERED', { capacity: 2 });
    expect(h.operator.isInputAvailable!()).toBe(true);
    h.processElement(1);
    expect(h.operator.isInputAvailable!()).toBe(true);
    h.processElement(2);
    expect(h.operator.isInputAvailable!()).toBe(false);
    // The rest of an input batch waits un-issued.
    h.processElement(3); h.processWatermark(3); h.processElement(4);
    expect(f.calls.map((c) => c.input)).toEqual([1, 2]);
    f.answer(2);
    await settle(h);
    expect(f.calls.map((c) => c.input)).toEqual([1]);
    f.answer(1);
    await settle(h);
    // 1 and 2 left; 3 and the watermark took their slots, 4 still waits.
    expect(h.getOutput()).toEqual([rec(2), rec(4)]);
    expect(f.calls.map((c) => c.input)).toEqual([3]);
    expect(h.operator.isInputAvailable!()).toBe(false);
    f.answer(3);
    await settle(h);
    expect(h.getOutput()).toEqual([rec(2), rec(4), rec(6), wm(3)]);
    expect(f.calls.map((c) => c.input)).toEqual([4]);
    expect(h.operator.isInputAvailable!()).toBe(true);
    f.answer(4);
    await settle(h);
    expect(h.extractOutputValues()).toEqual([2, 4, 6, 8]);
    await h.close();
  });

  it('the unordered queue counts watermarks against capacity too (Flink: a watermark is a queue entry)', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'UNORDERED', { capacity: 2 });
    h.processElement(1); h.processWatermark(1); h.processElement(2);
    expect(f.calls.map((c) => c.input)).toEqual([1]);
    f.answer(1);
    await settle(h);
    expect(h.getOutput()).toEqual([rec(2), wm(1)]);
    expect(f.calls.map((c) => c.input)).toEqual([2]);
    await h.close();
  });

  it.each(['ORDERED', 'UNORDERED'] as const)('testStateSnapshotAndRestore (%s): every queued element, answered or not, is issued again after a restore', async (mode) => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, mode, { capacity: 10 });
    h.processElement(1, 1); h.processElement(2, 2); h.processWatermark(2); h.processElement(3, 3); h.processElement(4, 4);
    f.answer(2); f.answer(4);
    await settle(h);
    const before = [...h.getOutput()];
    const snap = await h.snapshot(1);
    await h.close();

    const g = new ControlledAsyncFunction();
    const r = await harness(g, mode, { capacity: 10 }, snap);
    // Unordered: 4@2 left before the checkpoint; 8@4 was answered but waits behind the watermark, so it is in it.
    const reissued = g.calls.map((c) => c.input);
    expect(reissued).toEqual(mode === 'ORDERED' ? [1, 2, 3, 4] : [1, 3, 4]);
    for (const i of reissued) g.answer(i);
    await settle(r);
    expect(before).toEqual(mode === 'ORDERED' ? [] : [rec(4, 2)]);
    expect(r.getOutput()).toEqual(mode === 'ORDERED'
      ? [rec(2, 1), rec(4, 2), wm(2), rec(6, 3), rec(8, 4)]
      : [rec(2, 1), wm(2), rec(6, 3), rec(8, 4)]);
    await r.close();
  });

  it('testRestartWithFullQueue: elements waiting behind a full queue are in the checkpoint and restored behind it', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'ORDERED', { capacity: 2 });
    for (let i = 1; i <= 5; i++) h.processElement(i, i);
    expect(f.calls.length).toBe(2);
    const snap = await h.snapshot(1);
    await h.close();
    const g = new ControlledAsyncFunction();
    const r = await harness(g, 'ORDERED', { capacity: 2 }, snap);
    expect(g.calls.map((c) => c.input)).toEqual([1, 2]);
    expect(r.operator.isInputAvailable!()).toBe(false);
    for (let i = 1; i <= 5; i++) { g.answer(i); await settle(r); }
    expect(r.extractOutputValues()).toEqual([2, 4, 6, 8, 10]);
    await r.close();
  });

  it('endInput waits (running mails) until every in-flight result left', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'ORDERED', { capacity: 1 });
    h.processElement(1); h.processElement(2); h.processWatermark(2);
    let finished = false;
    const done = h.endInput().then(() => { finished = true; });
    await flush();
    expect(finished).toBe(false);
    f.answer(1);
    await flush(); await flush();
    expect(finished).toBe(false);
    f.answer(2);
    await done;
    expect(h.getOutput()).toEqual([rec(2), rec(4), wm(2)]);
    await h.close();
  });

  it('a restore with no in-flight elements issues nothing', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'UNORDERED');
    h.processElement(1);
    f.answer(1);
    await settle(h);
    const snap = await h.snapshot(1);
    await h.close();
    const g = new ControlledAsyncFunction();
    const r = await harness(g, 'UNORDERED', {}, snap);
    expect(g.calls).toEqual([]);
    await r.close();
  });
});

describe('AsyncWaitOperator retries (Flink AsyncWaitOperatorTest *WithRetry)', () => {
  const fixed = (attempts: number, delay: number): AsyncRetryStrategy<number> =>
    new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<number>(attempts, delay)
      .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE).ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE).build();

  it.each(['ORDERED', 'UNORDERED'] as const)('testProcessingTimeWithRetry (%s): an empty result is retried after the fixed delay', async (mode) => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, mode, { timeout: 10_000, retry: fixed(3, 100) });
    h.setProcessingTime(0);
    h.processElement(1);
    f.answer(1, []);
    await settle(h);
    expect(f.calls).toEqual([]);
    h.setProcessingTime(99);
    expect(f.calls).toEqual([]);
    h.setProcessingTime(100);
    expect(f.calls.map((c) => c.input)).toEqual([1]);
    f.calls[0]!.d.reject(new Error('flaky'));
    f.calls.length = 0;
    await settle(h);
    h.setProcessingTime(200);
    f.answer(1);
    await settle(h);
    expect(h.extractOutputValues()).toEqual([2]);
    expect(h.processingTimeService.numActiveTimers()).toBe(0);
    await h.close();
  });

  it('after the last allowed attempt the result stands: an empty result emits nothing, an error fails the task', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'ORDERED', { timeout: 10_000, retry: fixed(2, 10) });
    h.setProcessingTime(0);
    h.processElement(1); h.processElement(2);
    for (let t = 10; t <= 30; t += 10) {
      f.answer(1, []);
      await settle(h);
      h.setProcessingTime(t);
    }
    // Attempts 1, 2, 3 (2 retries) for input 1, then its empty result stands.
    expect(f.calls.map((c) => c.input)).toEqual([2]);
    f.answer(2);
    await settle(h);
    expect(h.extractOutputValues()).toEqual([4]);

    h.processElement(3);
    for (let t = 40; t <= 50; t += 10) {
      f.calls.splice(0).forEach((c) => c.d.reject(new Error('down')));
      await settle(h);
      h.setProcessingTime(t);
    }
    f.calls[0]!.d.reject(new Error('still down'));
    await flush();
    await expect(h.runMailbox()).rejects.toThrow(/still down/);
    await h.close();
  });

  it('the timeout covers all attempts: a waiting retry is dropped and timeout() answers', async () => {
    const f = new (class extends ControlledAsyncFunction { timeout(input: number): number[] { return [-input]; } })();
    const h = await harness(f, 'ORDERED', { timeout: 150, retry: fixed(10, 100) });
    h.setProcessingTime(0);
    h.processElement(1);
    f.answer(1, []); await settle(h);
    h.setProcessingTime(100);
    f.answer(1, []); await settle(h);
    // The second retry would start at 200.
    h.setProcessingTime(150);
    expect(h.extractOutputValues()).toEqual([-1]);
    h.setProcessingTime(1000);
    expect(f.calls).toEqual([]);
    expect(h.processingTimeService.numActiveTimers()).toBe(0);
    await h.close();
  });

  it('end of input fires waiting retries at once and takes their results without further retries (finishInFlightDelayedRetry)', async () => {
    const f = new ControlledAsyncFunction();
    const h = await harness(f, 'ORDERED', { timeout: 10_000, retry: fixed(5, 1000) });
    h.setProcessingTime(0);
    h.processElement(1);
    f.answer(1, []);
    await settle(h);
    expect(f.calls).toEqual([]);
    const done = h.endInput();
    await flush();
    expect(f.calls.map((c) => c.input)).toEqual([1]);
    f.answer(1, []);
    await done;
    expect(h.getOutput()).toEqual([]);
    expect(f.calls).toEqual([]);
    await h.close();
  });

  it('ExponentialBackoffDelayRetryStrategy: delays grow by the multiplier up to the maximum', () => {
    const s = new AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategyBuilder<number>(5, 100, 500, 2).ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE).build();
    expect([1, 2, 3, 4, 5].map((n) => s.getBackoffTimeMillis(n))).toEqual([100, 200, 400, 500, 500]);
    expect(s.canRetry(5)).toBe(true);
    expect(s.canRetry(6)).toBe(false);
  });

  it('invalid parameters are clear errors', () => {
    const f = new ControlledAsyncFunction();
    expect(() => new AsyncWaitOperator(f, 100, 0, 'ORDERED')).toThrow(/capacity\) must be a positive integer, got 0/);
    expect(() => new AsyncWaitOperator(f, 0, 10, 'ORDERED', fixed(3, 10))).toThrow(/Timeout should be configured when do async with retry/);
    expect(() => new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder(0, 10)).toThrow(/maxAttempts must be a positive integer, got 0/);
    expect(() => new AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategyBuilder(3, 100, 50, 2)).toThrow(/maxRetryDelay \(50\) must be >= initialDelay \(100\)/);
    // No predicate: not a retry strategy (as in Flink), so no timeout is needed.
    expect(() => new AsyncWaitOperator(f, 0, 10, 'ORDERED', new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<number>(3, 10).build())).not.toThrow();
  });
});
