import type { SourceReader, ReaderOutput, SourceOutput, InputStatus, SourceReaderContext, SplitEnumerator, SplitEnumeratorContext } from '../../api/connector/Source.js';

/** A split that is a range of indexes [from, to) of some generator. */
export interface IndexRangeSplit { splitId: string; from: number; to: number }

/** Records per pollNext call: large enough to amortize the loop, small enough to stay responsive. */
export const POLL_BATCH = 1024;

/**
 * Reads index-range splits, emitting `record(i)` for each index (Flink's IteratorSourceReader).
 * Optional rate limit: a per-reader records-per-second budget.
 */
export class IteratorSourceReader<T> implements SourceReader<T, IndexRangeSplit> {
  private splits: IndexRangeSplit[] = [];
  private current: IndexRangeSplit | null = null;
  /** The current split's output: its own watermarks when the source has a watermark strategy. */
  private currentOut: SourceOutput<T> | null = null;
  private next = 0;
  private noMoreSplits = false;
  private awaitingSplit = false;
  private wake: (() => void) | null = null;
  private availability: Promise<void> | null = null;
  private readonly permitsPerMs: number;
  private rateStart = 0;
  private emitted = 0;
  /** Splits added whose output pollNext has not opened yet. */
  private readonly toOpen: IndexRangeSplit[] = [];

  constructor(private readonly ctx: SourceReaderContext, private readonly record: (index: number) => T, ratePerSecond?: number) {
    this.permitsPerMs = ratePerSecond && ratePerSecond > 0 ? ratePerSecond / ctx.currentParallelism() / 1000 : 0;
  }

  start(): void { this.requestSplit(); }

  private requestSplit(): void {
    if (this.awaitingSplit || this.noMoreSplits) return;
    this.awaitingSplit = true;
    this.ctx.sendSplitRequest();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    // Every assigned split's watermark counts from its assignment, also while it waits (Flink's SourceOperator#handleAddSplitsEvent).
    if (this.toOpen.length > 0) for (const s of this.toOpen.splice(0)) output.createOutputForSplit?.(s.splitId);
    if (this.current === null) {
      const s = this.splits.shift();
      if (!s) {
        if (this.noMoreSplits) return 'END_OF_INPUT';
        this.requestSplit();
        return 'NOTHING_AVAILABLE';
      }
      this.current = s;
      this.next = s.from;
    }
    let budget = POLL_BATCH;
    if (this.permitsPerMs > 0) {
      const now = Date.now();
      if (this.rateStart === 0) this.rateStart = now;
      const allowed = Math.floor((now - this.rateStart + 1) * this.permitsPerMs) - this.emitted;
      if (allowed <= 0) { this.sleepUntilPermits(); return 'NOTHING_AVAILABLE'; }
      budget = Math.min(budget, allowed);
    }
    const end = Math.min(this.current.to, this.next + budget);
    const record = this.record;
    const out = this.currentOut ??= output.createOutputForSplit?.(this.current.splitId) ?? output;
    for (let i = this.next; i < end; i++) out.collect(record(i));
    this.emitted += end - this.next;
    this.next = end;
    if (end >= this.current.to) {
      output.releaseOutputForSplit?.(this.current.splitId);
      this.current = null;
      this.currentOut = null;
      if (this.splits.length === 0) this.requestSplit();
    }
    return 'MORE_AVAILABLE';
  }

  private sleepUntilPermits(): void {
    const ms = Math.max(1, Math.ceil(1 / this.permitsPerMs));
    this.availability = new Promise((r) => setTimeout(r, Math.min(ms, 100)));
  }

  isAvailable(): Promise<void> {
    if (this.availability) { const a = this.availability; this.availability = null; return a; }
    if (this.splits.length > 0 || this.noMoreSplits) return Promise.resolve();
    return new Promise((r) => { this.wake = r; });
  }

  private signal(): void { const w = this.wake; this.wake = null; w?.(); }
  addSplits(splits: IndexRangeSplit[]): void { this.awaitingSplit = false; this.splits.push(...splits); this.toOpen.push(...splits); this.signal(); }
  notifyNoMoreSplits(): void { this.awaitingSplit = false; this.noMoreSplits = true; this.signal(); }
  snapshotState(): IndexRangeSplit[] {
    const rest = this.current ? [{ ...this.current, from: this.next }] : [];
    return [...rest, ...this.splits];
  }
  close(): void { this.signal(); }
}

/** Hands out a fixed list of splits, one per request (Flink's IteratorSourceEnumerator). */
export class StaticSplitEnumerator<S> implements SplitEnumerator<S, S[]> {
  constructor(private readonly ctx: SplitEnumeratorContext<S>, private readonly remaining: S[]) {}
  start(): void {}
  handleSplitRequest(subtask: number): void {
    const s = this.remaining.shift();
    if (s !== undefined) this.ctx.assignSplit(s, subtask);
    else this.ctx.signalNoMoreSplits(subtask);
  }
  addSplitsBack(splits: S[]): void { this.remaining.push(...splits); }
  addReader(): void {}
  snapshotState(): S[] { return [...this.remaining]; }
  close(): void {}
}

/** Splits [0, count) into `n` nearly equal ranges. */
export function splitRange(count: number, n: number): IndexRangeSplit[] {
  const out: IndexRangeSplit[] = [];
  const parts = Math.max(1, Math.min(n, count));
  for (let i = 0; i < parts; i++) {
    const from = Math.floor((i * count) / parts);
    const to = Math.floor(((i + 1) * count) / parts);
    if (to > from) out.push({ splitId: String(i), from, to });
  }
  return out;
}
