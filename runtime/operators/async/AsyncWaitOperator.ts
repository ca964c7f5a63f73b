import { AbstractUdfStreamOperator } from '../AbstractStreamOperator.js';
import type { OneInputStreamOperator, StreamOperatorParameters, StateSnapshotContext } from '../StreamOperator.js';
import type { ListState } from '../../api/state/State.js';
import { ListStateDescriptor } from '../../api/state/StateDescriptor.js';
import { type AsyncFunction, type ResolvedAsyncFunction, resolveAsyncFunction, TimeoutException } from '../../api/functions/AsyncFunction.js';
import { type AsyncRetryStrategy, AsyncRetryStrategies, isRetryEnabled } from '../../api/functions/AsyncRetryStrategy.js';
import { describe } from '../../api/functions/Functions.js';
import {
  type StreamElement, type StreamElementQueue, type QueueEntry, type ElementOutput,
  OrderedStreamElementQueue, UnorderedStreamElementQueue,
} from './StreamElementQueue.js';

export type OutputMode = 'ORDERED' | 'UNORDERED';

/** Flink's state name: the in-flight input elements, re-issued on restore. */
const STATE_NAME = '_async_wait_operator_state_';

/** A checkpointed element: plain data (msgpack), records with their timestamp. */
type StoredElement = readonly ['r', unknown, number | null] | readonly ['w', number];

interface Timer { cancel(): void }

/** One record's request: its attempts, timeout and retry timers (Flink's ResultHandler + RetryableResultHandlerDelegator). */
interface Handler<IN, OUT> {
  readonly entry: QueueEntry<IN, OUT>;
  readonly value: IN;
  readonly timestamp: number | undefined;
  attempts: number;
  completed: boolean;
  timedOut: boolean;
  timeoutTimer: Timer | null;
  retryTimer: Timer | null;
}

/**
 * Async I/O (Flink's AsyncWaitOperator): each record starts a request; results come back as mails
 * and are emitted on the task thread, ordered or unordered (watermarks are barriers). At most
 * `capacity` elements are in flight; when full the operator refuses input (isInputAvailable) so the
 * task stops reading and runs mails until results free a slot. Elements that arrive while full
 * (the rest of one input batch) wait un-issued. Every queued and waiting element is operator state,
 * re-issued on restore, so a checkpoint never loses a request whose input the source already passed.
 */
export class AsyncWaitOperator<IN, OUT> extends AbstractUdfStreamOperator<OUT, AsyncFunction<IN, OUT>> implements OneInputStreamOperator<IN> {
  private fn!: ResolvedAsyncFunction<IN, OUT>;
  private queue!: StreamElementQueue<IN, OUT>;
  private elementOutput!: ElementOutput<OUT>;
  /** Elements that came while the queue was full, in arrival order (from pendingHead on). */
  private pending: StreamElement<IN>[] = [];
  private pendingHead = 0;
  private readonly inFlight = new Set<Handler<IN, OUT>>();
  private readonly delayedRetries = new Set<Handler<IN, OUT>>();
  private readonly retryEnabled: boolean;
  private readonly retryResult: ((r: OUT[]) => boolean) | undefined;
  private readonly retryException: ((e: unknown) => boolean) | undefined;
  private retryDisabledOnFinish = false;
  private closed = false;
  private recovered: StreamElement<IN>[] | null = null;

  constructor(asyncFunction: AsyncFunction<IN, OUT>, private readonly timeout: number, private readonly capacity: number,
    private readonly outputMode: OutputMode, private readonly retryStrategy: AsyncRetryStrategy<OUT> = AsyncRetryStrategies.NO_RETRY_STRATEGY) {
    super(asyncFunction);
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`The number of concurrent async operations (capacity) must be a positive integer, got ${capacity}.`);
    if (!Number.isFinite(timeout)) throw new RangeError(`The async timeout must be a number of milliseconds (<= 0: none), got ${timeout}.`);
    this.retryEnabled = isRetryEnabled(retryStrategy);
    if (this.retryEnabled && !(timeout > 0)) throw new RangeError('Timeout should be configured when do async with retry: the timeout bounds all attempts of a request.');
    const p = retryStrategy.getRetryPredicate();
    this.retryResult = p.resultPredicate();
    this.retryException = p.exceptionPredicate();
  }

  override setup(params: StreamOperatorParameters): void {
    super.setup(params);
    this.fn = resolveAsyncFunction(this.userFunction, `Async function of '${params.operatorName}'`);
    this.queue = this.outputMode === 'ORDERED' ? new OrderedStreamElementQueue<IN, OUT>(this.capacity) : new UnorderedStreamElementQueue<IN, OUT>(this.capacity);
    this.elementOutput = {
      collect: (v, ts) => this.output.collect(v, ts),
      emitWatermark: (wm) => { this.currentWatermark = wm; this.output.emitWatermark(wm); },
    };
  }

  private state(): ListState<StoredElement> {
    return this.params.operatorStateStore.getListState(new ListStateDescriptor<StoredElement>(STATE_NAME));
  }

  override async initializeState(): Promise<void> {
    await super.initializeState();
    if (!this.params.operatorStateStore.isRestored()) return;
    this.recovered = [...this.state().get()].map((s): StreamElement<IN> => s[0] === 'r'
      ? { kind: 'record', value: s[1] as IN, timestamp: s[2] ?? undefined }
      : { kind: 'watermark', timestamp: s[1] });
  }

  /** Re-issues the restored in-flight elements, in their order (Flink's AsyncWaitOperator#open). */
  override async open(): Promise<void> {
    await super.open();
    const r = this.recovered;
    this.recovered = null;
    if (r) for (const e of r) { if (e.kind === 'record') this.processElement(e.value, e.timestamp); else this.processWatermark(e.timestamp); }
  }

  processElement(value: IN, timestamp: number | undefined): void {
    const el: StreamElement<IN> = { kind: 'record', value, timestamp };
    if (this.pendingHead < this.pending.length) { this.pending.push(el); return; }
    const entry = this.queue.tryPut(el);
    if (entry) this.start(entry, value, timestamp); else this.pending.push(el);
  }

  override processWatermark(mark: number): void {
    const el: StreamElement<IN> = { kind: 'watermark', timestamp: mark };
    if (this.pendingHead < this.pending.length || !this.queue.tryPut(el)) this.pending.push(el);
    // Watermarks are complete at once: with nothing before it, it leaves now.
    this.outputCompleted();
  }

  isInputAvailable(): boolean { return this.pendingHead === this.pending.length && this.queue.size() < this.capacity; }

  override async snapshotState(ctx: StateSnapshotContext): Promise<void> {
    const stored: StoredElement[] = [];
    const add = (e: StreamElement<IN>): void => { stored.push(e.kind === 'record' ? ['r', e.value, e.timestamp ?? null] : ['w', e.timestamp]); };
    for (const e of this.queue.values()) add(e);
    for (let i = this.pendingHead; i < this.pending.length; i++) add(this.pending[i]!);
    this.state().update(stored);
    await super.snapshotState(ctx);
  }

  /** End of input: delayed retries fire now and no new ones start; then wait until every result left. */
  override async finish(): Promise<void> {
    this.retryDisabledOnFinish = true;
    for (const h of [...this.delayedRetries]) {
      h.retryTimer?.cancel();
      h.retryTimer = null;
      this.delayedRetries.delete(h);
      h.attempts++;
      this.invoke(h);
    }
    const yieldToMailbox = this.params.yieldToMailbox ?? ((): Promise<void> => new Promise((r) => setImmediate(r)));
    while (!this.queue.isEmpty() || this.pendingHead < this.pending.length) await yieldToMailbox();
  }

  override async close(): Promise<void> {
    this.closed = true;
    for (const h of this.inFlight) { h.timeoutTimer?.cancel(); h.retryTimer?.cancel(); }
    this.inFlight.clear();
    this.delayedRetries.clear();
    await super.close();
  }

  private start(entry: QueueEntry<IN, OUT>, value: IN, timestamp: number | undefined): void {
    const h: Handler<IN, OUT> = { entry, value, timestamp, attempts: 1, completed: false, timedOut: false, timeoutTimer: null, retryTimer: null };
    this.inFlight.add(h);
    if (this.timeout > 0) {
      const pts = this.params.processingTimeService;
      h.timeoutTimer = pts.registerTimer(pts.getCurrentProcessingTime() + this.timeout, () => this.timerTriggered(h));
    }
    this.invoke(h);
  }

  private invoke(h: Handler<IN, OUT>): void {
    const attempt = h.attempts;
    const p = this.fn.asyncInvoke(h.value);
    if (!isPromiseLike(p)) throw new TypeError(`${this.where()}: asyncInvoke must return a Promise of an array of results, got ${describe(p)}.`);
    // Results only queue a mail: they reach the chain on the task thread, between batches.
    p.then((r) => this.post(() => this.onResult(h, attempt, r, false, undefined)),
      (e: unknown) => this.post(() => this.onResult(h, attempt, undefined, true, e)));
  }

  private post(mail: () => void): void {
    if (!this.closed) this.params.mailbox(() => { if (!this.closed) mail(); });
  }

  private onResult(h: Handler<IN, OUT>, attempt: number, results: OUT[] | undefined, failed: boolean, error: unknown): void {
    // A late answer to an attempt that timed out, was retried or already completed is ignored.
    if (h.completed || h.timedOut || attempt !== h.attempts) return;
    if (!failed) this.checkResults(results, 'asyncInvoke');
    if (this.retryEnabled && !this.retryDisabledOnFinish) {
      const satisfy = failed ? (this.retryException?.(error) ?? false) : (this.retryResult?.(results!) ?? false);
      if (satisfy && this.retryStrategy.canRetry(h.attempts)) {
        const pts = this.params.processingTimeService;
        h.retryTimer = pts.registerTimer(pts.getCurrentProcessingTime() + this.retryStrategy.getBackoffTimeMillis(h.attempts), () => this.doRetry(h));
        this.delayedRetries.add(h);
        return;
      }
    }
    if (failed) this.fail(h, error);
    this.complete(h, results!);
  }

  private doRetry(h: Handler<IN, OUT>): void {
    h.retryTimer = null;
    if (h.completed || h.timedOut || !this.delayedRetries.delete(h)) return;
    h.attempts++;
    this.invoke(h);
  }

  /** The timeout covers all attempts: a waiting retry is dropped and the function's timeout() answers (or the job fails). */
  private timerTriggered(h: Handler<IN, OUT>): void {
    h.timeoutTimer = null;
    if (h.completed || h.timedOut) return;
    h.timedOut = true;
    h.retryTimer?.cancel();
    h.retryTimer = null;
    this.delayedRetries.delete(h);
    const t = this.fn.timeout;
    if (!t) this.fail(h, new TimeoutException('Async function call has timed out.'));
    const r = t(h.value);
    if (isPromiseLike(r)) r.then((res) => this.post(() => this.completeTimedOut(h, res)), (e: unknown) => this.post(() => this.fail(h, e)));
    else this.completeTimedOut(h, r);
  }

  private completeTimedOut(h: Handler<IN, OUT>, results: OUT[]): void {
    if (h.completed) return;
    this.checkResults(results, 'timeout');
    this.complete(h, results);
  }

  private complete(h: Handler<IN, OUT>, results: OUT[]): void {
    h.completed = true;
    h.timeoutTimer?.cancel();
    h.retryTimer?.cancel();
    this.delayedRetries.delete(h);
    this.inFlight.delete(h);
    this.queue.complete(h.entry, results);
    this.outputCompleted();
  }

  /** Emits what may leave, then lets waiting elements in as slots free up, until neither moves. */
  private outputCompleted(): void {
    for (;;) {
      while (this.queue.hasCompletedElements()) this.queue.emitCompletedElement(this.elementOutput);
      if (!this.admitPending()) return;
    }
  }

  private admitPending(): boolean {
    let moved = false;
    while (this.pendingHead < this.pending.length) {
      const el = this.pending[this.pendingHead]!;
      const entry = this.queue.tryPut(el);
      if (!entry) break;
      this.pendingHead++;
      moved = true;
      if (el.kind === 'record') this.start(entry, el.value, el.timestamp);
    }
    if (this.pendingHead === this.pending.length && this.pendingHead > 0) { this.pending = []; this.pendingHead = 0; }
    return moved;
  }

  /** Fails the task (thrown in a mail or timer callback), as Flink's failExternally does. */
  private fail(h: Handler<IN, OUT>, error: unknown): never {
    const cause = error instanceof Error ? error : new Error(String(error));
    const ts = h.timestamp === undefined ? '' : `, timestamp ${h.timestamp}`;
    throw new Error(`${this.where()}: could not complete the stream element (value ${preview(h.value)}${ts}): ${cause.name}: ${cause.message}`, { cause });
  }

  private checkResults(results: unknown, what: string): void {
    if (!Array.isArray(results)) throw new TypeError(`${this.where()}: ${what} must resolve to an array of results (use [] to emit nothing), got ${describe(results)}.`);
  }

  private where(): string { return `AsyncWaitOperator '${this.params.operatorName}'`; }
}

function isPromiseLike<T>(p: unknown): p is PromiseLike<T> {
  return p !== null && typeof p === 'object' && typeof (p as PromiseLike<T>).then === 'function';
}

function preview(v: unknown): string {
  let s: string;
  try { s = JSON.stringify(v) ?? String(v); } catch { s = String(v); }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
