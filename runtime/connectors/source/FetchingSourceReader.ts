import type { SourceReader, ReaderOutput, SourceOutput, InputStatus, SourceReaderContext } from '../../api/connector/Source.js';

/**
 * Base for readers whose splits are read with async I/O (files, sockets): a fetch loop fills a
 * small bounded queue of record batches; pollNext drains it without blocking (the shape of
 * Flink's SourceReaderBase + SplitFetcher).
 *
 * Per-split watermarks (Flink's SourceOperator + SourceReaderBase): every assigned split, also one
 * still waiting to be read, gets its own output (watermark generator) when it is added, and
 * releases it once its last record is emitted, so a waiting split holds the source's watermark
 * back and a finished one no longer does. Outputs are opened and released only inside pollNext
 * (the task's thread of control), never from the fetch loop.
 */
/** A split with its checkpointed position: the number of its records already emitted (Flink's CheckpointedPosition recordsToSkip). */
export type PositionedSplit<S> = S & { recordsToSkip?: number };

/** A split being read or with records still queued: how many of its records were emitted so far. */
interface InFlightSplit<S> { split: PositionedSplit<S>; emitted: number; fetched: boolean; queued: number }

export abstract class FetchingSourceReader<T, S extends { splitId: string }> implements SourceReader<T, S> {
  private readonly pendingSplits: PositionedSplit<S>[] = [];
  private readonly batches: T[][] = [];
  /** The split each queued batch belongs to (same order as `batches`). */
  private readonly batchSplits: InFlightSplit<S>[] = [];
  /** Splits started and not yet completely emitted, in reading order. */
  private readonly inFlight: InFlightSplit<S>[] = [];
  private batchIndex = 0;
  private noMoreSplits = false;
  private fetching = false;
  private requested = false;
  private error: Error | null = null;
  private wakeReader: (() => void) | null = null;
  private wakeFetcher: (() => void) | null = null;
  private closed = false;
  /** Split outputs by split id; the ReaderOutput itself when the source has no watermark strategy. */
  private readonly outputs = new Map<string, SourceOutput<T>>();
  /** Splits added whose output pollNext has not opened yet. */
  private readonly toOpen: string[] = [];
  /** Splits finished in the fetch loop with nothing queued, to release in pollNext. */
  private readonly toRelease: string[] = [];
  protected static readonly MAX_QUEUED_BATCHES = 4;

  constructor(protected readonly ctx: SourceReaderContext) {}

  /** Reads one split, calling `emit` with batches of records; resolves at the split's end. */
  protected abstract readSplit(split: S, emit: (batch: T[]) => Promise<void>): Promise<void>;

  start(): void { this.request(); }

  private request(): void {
    if (this.requested || this.noMoreSplits) return;
    this.requested = true;
    this.ctx.sendSplitRequest();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.error) throw this.error;
    if (this.toOpen.length > 0) this.openOutputs(output);
    if (this.toRelease.length > 0) { for (const id of this.toRelease.splice(0)) this.releaseOutput(output, id); }
    const b = this.batches[0];
    if (b !== undefined) {
      const f = this.batchSplits[0]!;
      const id = f.split.splitId;
      const out = this.outputs.get(id) ?? output;
      for (let i = this.batchIndex; i < b.length; i++) out.collect(b[i]);
      this.batches.shift();
      this.batchSplits.shift();
      this.batchIndex = 0;
      f.emitted += b.length;
      f.queued--;
      if (f.fetched && f.queued === 0) { this.inFlight.splice(this.inFlight.indexOf(f), 1); this.releaseOutput(output, id); }
      this.signalFetcher();
      return 'MORE_AVAILABLE';
    }
    if (!this.fetching && this.pendingSplits.length === 0) {
      if (this.noMoreSplits) return 'END_OF_INPUT';
      this.request();
    }
    return 'NOTHING_AVAILABLE';
  }

  private openOutputs(output: ReaderOutput<T>): void {
    for (const id of this.toOpen.splice(0)) if (!this.outputs.has(id)) this.outputs.set(id, output.createOutputForSplit?.(id) ?? output);
  }

  private releaseOutput(output: ReaderOutput<T>, id: string): void {
    if (this.outputs.delete(id)) output.releaseOutputForSplit?.(id);
  }

  isAvailable(): Promise<void> {
    if (this.batches.length > 0 || this.toRelease.length > 0 || this.error || (this.noMoreSplits && !this.fetching && this.pendingSplits.length === 0)) return Promise.resolve();
    return new Promise((r) => { this.wakeReader = r; });
  }

  private signalReader(): void { const w = this.wakeReader; this.wakeReader = null; w?.(); }
  private signalFetcher(): void { const w = this.wakeFetcher; this.wakeFetcher = null; w?.(); }

  addSplits(splits: PositionedSplit<S>[]): void {
    this.requested = false;
    this.pendingSplits.push(...splits);
    for (const s of splits) this.toOpen.push(s.splitId);
    if (!this.fetching) void this.fetchLoop();
  }

  notifyNoMoreSplits(): void { this.requested = false; this.noMoreSplits = true; this.signalReader(); }

  private async fetchLoop(): Promise<void> {
    this.fetching = true;
    try {
      let s: PositionedSplit<S> | undefined;
      while (!this.closed && (s = this.pendingSplits.shift()) !== undefined) {
        const f: InFlightSplit<S> = { split: s, emitted: 0, fetched: false, queued: 0 };
        this.inFlight.push(f);
        // Restored from a checkpoint: the records emitted before it are read again and dropped.
        let skip = s.recordsToSkip ?? 0;
        await this.readSplit(s, async (read) => {
          let batch = read;
          if (skip > 0) { const n = Math.min(skip, batch.length); skip -= n; batch = n === batch.length ? [] : batch.slice(n); }
          if (batch.length === 0) return;
          while (this.batches.length >= FetchingSourceReader.MAX_QUEUED_BATCHES && !this.closed) {
            await new Promise<void>((r) => { this.wakeFetcher = r; });
          }
          this.batches.push(batch);
          this.batchSplits.push(f);
          f.queued++;
          this.signalReader();
        });
        f.fetched = true;
        if (f.queued === 0) {
          // Nothing of it left to emit (empty, or all records skipped after a restore): its output goes at the next poll.
          this.inFlight.splice(this.inFlight.indexOf(f), 1);
          this.toRelease.push(s.splitId);
          this.signalReader();
        }
      }
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
    } finally {
      this.fetching = false;
      if (!this.error && !this.closed && this.pendingSplits.length === 0 && !this.noMoreSplits) this.request();
      this.signalReader();
    }
  }

  /** Splits being read keep their position (records emitted so far); queued batches not yet emitted are read again after a restore. */
  snapshotState(): S[] {
    const started = this.inFlight.map((f) => ({ ...f.split, recordsToSkip: (f.split.recordsToSkip ?? 0) + f.emitted }));
    return [...started, ...this.pendingSplits];
  }
  close(): void | Promise<void> { this.closed = true; this.signalFetcher(); this.signalReader(); }
}
