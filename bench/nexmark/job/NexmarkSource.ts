// The Nexmark generator as a FLIP-27 source: one split per generator timeline (nexmark's
// GeneratorConfig.split(parallelism)); a split's state is its position, so a checkpoint restores
// each generator exactly where it stopped, and splits move between readers like any other.
import type { Source, SourceReader, SourceReaderContext, SplitEnumerator, SplitEnumeratorContext, ReaderOutput, InputStatus } from 'tsflink';
import { NexmarkGenerator, splitGenerators, BASE_TIME, type NexmarkConfig, type GeneratorSplit } from './generator.js';
import type { NexmarkEvent } from './model.js';

export interface NexmarkSplit extends GeneratorSplit {
  readonly splitId: string;
  /** Events of this split already emitted (nexmark's eventsCountSoFar). */
  readonly next: number;
}

/** Events per pollNext call. */
const BATCH = 1024;

export interface NexmarkSourceOptions {
  /** Generator timelines (default: the source's parallelism, as nexmark's GeneratorConfig.split(parallelism)). */
  readonly splits?: number;
  /**
   * nexmark's max-emit-speed (default true). False: each split emits its events when they are due on the wall
   * clock (its first event at the reader's start), so event time follows real time at the configured rate.
   */
  readonly maxEmitSpeed?: boolean;
}

export class NexmarkSource implements Source<NexmarkEvent, NexmarkSplit, NexmarkSplit[]> {
  readonly name = 'NexmarkSource';
  /** @param events total events over all splits */
  constructor(readonly config: NexmarkConfig, readonly events: number, readonly options: NexmarkSourceOptions = {}) {
    if (!Number.isSafeInteger(events) || events < 0) throw new RangeError(`NexmarkSource: events must be a non-negative integer, got ${events}.`);
    const splits = options.splits;
    if (splits !== undefined && !(Number.isSafeInteger(splits) && splits > 0)) throw new RangeError(`NexmarkSource: splits must be a positive integer, got ${splits}.`);
  }
  getBoundedness(): 'BOUNDED' { return 'BOUNDED'; }
  createReader(ctx: SourceReaderContext): SourceReader<NexmarkEvent, NexmarkSplit> { return new NexmarkReader(ctx, this.config, this.options.maxEmitSpeed ?? true); }
  createEnumerator(ctx: SplitEnumeratorContext<NexmarkSplit>): SplitEnumerator<NexmarkSplit, NexmarkSplit[]> {
    const parts = splitGenerators(this.events, this.options.splits ?? ctx.currentParallelism());
    return new NexmarkEnumerator(ctx, this.events === 0 ? [] : parts.map((g, i) => ({ ...g, splitId: String(i), next: 0 })));
  }
  restoreEnumerator(ctx: SplitEnumeratorContext<NexmarkSplit>, cp: NexmarkSplit[]): SplitEnumerator<NexmarkSplit, NexmarkSplit[]> {
    return new NexmarkEnumerator(ctx, [...cp]);
  }
}

/** Hands out the remaining splits, one per request. */
class NexmarkEnumerator implements SplitEnumerator<NexmarkSplit, NexmarkSplit[]> {
  constructor(private readonly ctx: SplitEnumeratorContext<NexmarkSplit>, private readonly remaining: NexmarkSplit[]) {}
  start(): void {}
  handleSplitRequest(subtask: number): void {
    const s = this.remaining.shift();
    if (s) this.ctx.assignSplit(s, subtask);
    else this.ctx.signalNoMoreSplits(subtask);
  }
  addSplitsBack(splits: NexmarkSplit[]): void { this.remaining.push(...splits); }
  addReader(): void {}
  snapshotState(): NexmarkSplit[] { return [...this.remaining]; }
  close(): void {}
}

class NexmarkReader implements SourceReader<NexmarkEvent, NexmarkSplit> {
  private readonly queue: NexmarkSplit[] = [];
  private current: { split: NexmarkSplit; gen: NexmarkGenerator; next: number } | null = null;
  private noMoreSplits = false;
  private awaiting = false;
  private wake: (() => void) | null = null;
  private sleeping: Promise<void> | null = null;
  /** Wall clock (ms) at which this reader's event time began, when not at max emit speed. */
  private wallStart = 0;

  constructor(private readonly ctx: SourceReaderContext, private readonly config: NexmarkConfig, private readonly maxEmitSpeed: boolean) {}

  start(): void { this.request(); }

  private request(): void {
    if (this.awaiting || this.noMoreSplits) return;
    this.awaiting = true;
    this.ctx.sendSplitRequest();
  }

  pollNext(output: ReaderOutput<NexmarkEvent>): InputStatus {
    let cur = this.current;
    if (cur === null) {
      const s = this.queue.shift();
      if (!s) {
        if (this.noMoreSplits) return 'END_OF_INPUT';
        this.request();
        return 'NOTHING_AVAILABLE';
      }
      cur = this.current = { split: s, gen: new NexmarkGenerator(this.config, s), next: s.next };
    }
    const gen = cur.gen;
    let end = Math.min(cur.split.maxEvents, cur.next + BATCH);
    if (!this.maxEmitSpeed) {
      // Only the events already due (nexmark's wallclockTimestamp = wallclock base + event time since the base time).
      const now = Date.now();
      if (this.wallStart === 0) this.wallStart = now - (gen.timestampForEvent(cur.next) - BASE_TIME);
      const elapsed = now - this.wallStart;
      while (end > cur.next && gen.timestampForEvent(end - 1) - BASE_TIME > elapsed) end = cur.next + Math.floor((end - cur.next) / 2);
      if (end === cur.next) {
        const wait = gen.timestampForEvent(cur.next) - BASE_TIME - elapsed;
        this.sleeping = new Promise((r) => setTimeout(r, Math.max(1, Math.min(wait, 100))));
        return 'NOTHING_AVAILABLE';
      }
    }
    for (let n = cur.next; n < end; n++) {
      const e = gen.event(n);
      output.collect(e, e.type === 2 ? e.bid!.dateTime : e.type === 1 ? e.auction!.dateTime : e.person!.dateTime);
    }
    cur.next = end;
    if (end >= cur.split.maxEvents) {
      this.current = null;
      if (this.queue.length === 0) this.request();
    }
    return 'MORE_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    if (this.sleeping) { const s = this.sleeping; this.sleeping = null; return s; }
    // Pending only while there is nothing to read: a task may ask at any time, not just after NOTHING_AVAILABLE.
    if (this.current !== null || this.queue.length > 0 || this.noMoreSplits) return Promise.resolve();
    return new Promise((r) => { this.wake = r; });
  }

  private signal(): void { const w = this.wake; this.wake = null; w?.(); }
  addSplits(splits: NexmarkSplit[]): void { this.awaiting = false; this.queue.push(...splits); this.signal(); }
  notifyNoMoreSplits(): void { this.awaiting = false; this.noMoreSplits = true; this.signal(); }
  snapshotState(): NexmarkSplit[] {
    const cur = this.current ? [{ ...this.current.split, next: this.current.next }] : [];
    return [...cur, ...this.queue];
  }
  close(): void { this.signal(); }
}
