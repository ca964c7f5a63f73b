import type { SourceReader, ReaderOutput, InputStatus, SourceReaderContext } from '../../api/connector/Source.js';

/**
 * Base for readers whose splits are read with async I/O (files, sockets): a fetch loop fills a
 * small bounded queue of record batches; pollNext drains it without blocking (the shape of
 * Flink's SourceReaderBase + SplitFetcher).
 */
export abstract class FetchingSourceReader<T, S extends { splitId: string }> implements SourceReader<T, S> {
  private readonly pendingSplits: S[] = [];
  private readonly batches: T[][] = [];
  private batchIndex = 0;
  private noMoreSplits = false;
  private fetching = false;
  private requested = false;
  private error: Error | null = null;
  private wakeReader: (() => void) | null = null;
  private wakeFetcher: (() => void) | null = null;
  private closed = false;
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
    const b = this.batches[0];
    if (b !== undefined) {
      for (let i = this.batchIndex; i < b.length; i++) output.collect(b[i]);
      this.batches.shift();
      this.batchIndex = 0;
      this.signalFetcher();
      return 'MORE_AVAILABLE';
    }
    if (!this.fetching && this.pendingSplits.length === 0) {
      if (this.noMoreSplits) return 'END_OF_INPUT';
      this.request();
    }
    return 'NOTHING_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    if (this.batches.length > 0 || this.error || (this.noMoreSplits && !this.fetching && this.pendingSplits.length === 0)) return Promise.resolve();
    return new Promise((r) => { this.wakeReader = r; });
  }

  private signalReader(): void { const w = this.wakeReader; this.wakeReader = null; w?.(); }
  private signalFetcher(): void { const w = this.wakeFetcher; this.wakeFetcher = null; w?.(); }

  addSplits(splits: S[]): void {
    this.requested = false;
    this.pendingSplits.push(...splits);
    if (!this.fetching) void this.fetchLoop();
  }

  notifyNoMoreSplits(): void { this.requested = false; this.noMoreSplits = true; this.signalReader(); }

  private async fetchLoop(): Promise<void> {
    this.fetching = true;
    try {
      let s: S | undefined;
      while (!this.closed && (s = this.pendingSplits.shift()) !== undefined) {
        await this.readSplit(s, async (batch) => {
          if (batch.length === 0) return;
          while (this.batches.length >= FetchingSourceReader.MAX_QUEUED_BATCHES && !this.closed) {
            await new Promise<void>((r) => { this.wakeFetcher = r; });
          }
          this.batches.push(batch);
          this.signalReader();
        });
      }
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
    } finally {
      this.fetching = false;
      if (!this.error && !this.closed && this.pendingSplits.length === 0 && !this.noMoreSplits) this.request();
      this.signalReader();
    }
  }

  snapshotState(): S[] { return [...this.pendingSplits]; }
  close(): void | Promise<void> { this.closed = true; this.signalFetcher(); this.signalReader(); }
}
