// The synchronous face of one LevelDB instance. classic-level 3 reads synchronously (getSync) but
// writes only asynchronously, so writes go to a write-back layer (`dirty`) that is written in
// batches, one batch in flight at a time (two batches in flight could land out of order). Reads and
// writes go through a byte-bounded cache of current entries (one Map lookup on a hit); only a miss
// looks at the batches not yet written, then LevelDB. Values are serialized bytes, so a value handed
// to user code is always a fresh copy (as on RocksDB) and memory is bounded by bytes.
import type { ClassicLevel } from 'classic-level';
import { KeyBloomFilter } from './KeyBloomFilter.js';

/** An absent entry (deleted, or known missing from LevelDB). */
export const ABSENT = null;
type Slot = Buffer | null;

const ENTRY_OVERHEAD = 48;
const weigh = (k: string, v: Slot): number => k.length + (v === null ? 0 : v.length) + ENTRY_OVERHEAD;

export type LevelSnapshot = ReturnType<ClassicLevel<string, Buffer>['snapshot']>;

export interface WriteBackStoreOptions {
  /** Bytes of dirty plus cached entries the store aims to hold (dirty may exceed it while a batch is written). */
  readonly cacheSize: number;
  /** Dirty bytes after which a batch is written. */
  readonly writeBatchSize: number;
  /** Names the instance in errors. */
  readonly where: string;
  /** Incremental checkpoints: told of every key written or deleted. */
  readonly changes?: { mark(k: string): void };
}

export class WriteBackStore {
  private dirty = new Map<string, Slot>();
  private dirtyBytes = 0;
  /** Batches sealed for writing, oldest first; the first is in flight while `inFlight` is set. */
  private readonly sealed: Array<{ id: number; entries: Map<string, Slot> }> = [];
  /**
   * Clean entries in two generations (a segmented LRU without per-access reordering): new ones go
   * to `young`; a hit in `old` is promoted; when young holds half the budget it becomes old and
   * the previous old is dropped at once (evicting by iterating a Map is slow once it has holes).
   */
  private young = new Map<string, Slot>();
  private youngBytes = 0;
  private old = new Map<string, Slot>();
  private inFlight = false;
  private sealedCount = 0;
  private landed = 0;
  /** Snapshot requests, each waiting for the batch sealed at its moment. */
  private readonly snapshotWaiters: Array<{ upTo: number; resolve: (s: LevelSnapshot) => void; reject: (e: Error) => void }> = [];
  private failure: Error | null = null;
  private closed = false;
  /** Every key ever put: reads of other keys need no getSync. */
  private readonly written = new KeyBloomFilter();
  /** Counters for the bench and the docs' numbers. */
  readonly stats = { gets: 0, diskGets: 0, batches: 0, batchedEntries: 0 };

  constructor(private readonly db: ClassicLevel<string, Buffer>, private readonly opts: WriteBackStoreOptions) {}

  get(k: string): Slot {
    this.stats.gets++;
    // Writes update the cache too, so the cache is current; dirty and sealed batches only matter for
    // entries the cache dropped before their batch landed.
    let v = this.young.get(k);
    if (v !== undefined) return v;
    v = this.old.get(k);
    if (v !== undefined) { this.remember(k, v); return v; }
    v = this.dirty.get(k);
    if (v !== undefined) return v;
    for (let i = this.sealed.length - 1; i >= 0; i--) { v = this.sealed[i]!.entries.get(k); if (v !== undefined) return v; }
    this.check();
    if (!this.written.mightContain(k)) { this.remember(k, ABSENT); return ABSENT; }
    this.stats.diskGets++;
    const d = this.db.getSync(k);
    const slot = d === undefined ? ABSENT : d;
    this.remember(k, slot);
    return slot;
  }

  /** The current bytes of `k` without caching them (background scans must not evict hot entries). */
  peek(k: string): Slot {
    let v = this.young.get(k);
    if (v !== undefined) return v;
    v = this.old.get(k);
    if (v !== undefined) return v;
    v = this.dirty.get(k);
    if (v !== undefined) return v;
    for (let i = this.sealed.length - 1; i >= 0; i--) { v = this.sealed[i]!.entries.get(k); if (v !== undefined) return v; }
    this.check();
    const d = this.db.getSync(k);
    return d === undefined ? ABSENT : d;
  }

  /** Writes `v`; returns whether the key had an entry before (the caller counts keys). */
  put(k: string, v: Buffer): boolean {
    const existed = this.get(k) !== ABSENT;
    if (!existed) this.written.add(k);
    this.write(k, v);
    return existed;
  }
  /** A key written to LevelDB past this store (restore). */
  noteWritten(k: string): void { this.written.add(k); }
  /** Deletes the entry; returns whether there was one. */
  del(k: string): boolean {
    if (this.get(k) === ABSENT) return false;
    this.write(k, ABSENT);
    return true;
  }

  private write(k: string, v: Slot): void {
    this.check();
    this.opts.changes?.mark(k);
    // Overwrites are counted again (no lookup for the old size): a batch is sealed a little early.
    this.dirty.set(k, v);
    this.dirtyBytes += weigh(k, v);
    this.remember(k, v);
    // While a batch is in flight dirty keeps growing (the API cannot wait); the next batch takes it all.
    if (this.dirtyBytes >= this.opts.writeBatchSize && !this.inFlight) { this.seal(); this.pump(); }
  }

  private remember(k: string, v: Slot): void {
    const half = this.opts.cacheSize / 2;
    const w = weigh(k, v);
    if (w > half) { this.young.delete(k); this.old.delete(k); return; }
    const prev = this.young.get(k);
    if (prev !== undefined) this.youngBytes -= weigh(k, prev);
    this.young.set(k, v);
    this.youngBytes += w;
    if (this.youngBytes > half) { this.old = this.young; this.young = new Map(); this.youngBytes = 0; }
  }

  private seal(): void {
    if (this.dirty.size === 0) return;
    this.sealed.push({ id: ++this.sealedCount, entries: this.dirty });
    this.dirty = new Map();
    this.dirtyBytes = 0;
  }

  /** Writes the oldest sealed batch unless one is in flight: batches land in the order they were sealed. */
  private pump(): void {
    if (this.inFlight || this.failure || this.closed || this.sealed.length === 0) return;
    const { id, entries } = this.sealed[0]!;
    this.inFlight = true;
    const chained = this.db.batch();
    for (const [k, v] of entries) { if (v === null) chained.del(k); else chained.put(k, v); }
    this.stats.batches++;
    this.stats.batchedEntries += entries.size;
    chained.write().then(
      () => {
        this.landed = id;
        this.sealed.shift();
        this.inFlight = false;
        // Taken before any later batch starts: the snapshot holds exactly the writes up to its request.
        this.resolveSnapshots();
        if (this.dirtyBytes >= this.opts.writeBatchSize) this.seal();
        this.pump();
      },
      (e: unknown) => {
        this.inFlight = false;
        this.failure = new Error(`${this.opts.where}: writing a batch of ${entries.size} state entries to LevelDB failed: ${(e as Error).message}. ` +
          'Check that the local state directory is writable and has free space.', { cause: e });
        for (const w of this.snapshotWaiters.splice(0)) w.reject(this.failure);
      },
    );
  }

  private resolveSnapshots(): void {
    for (let i = 0; i < this.snapshotWaiters.length;) {
      const w = this.snapshotWaiters[i]!;
      if (w.upTo <= this.landed) { this.snapshotWaiters.splice(i, 1); w.resolve(this.db.snapshot()); } else i++;
    }
  }

  /**
   * A LevelDB snapshot holding exactly the writes made up to now; processing goes on meanwhile
   * (later writes stay in memory until the snapshot's batch has landed).
   */
  snapshot(): Promise<LevelSnapshot> {
    this.check();
    this.seal();
    const upTo = this.sealedCount;
    if (upTo <= this.landed) return Promise.resolve(this.db.snapshot());
    return new Promise((resolve, reject) => {
      this.snapshotWaiters.push({ upTo, resolve, reject });
      this.pump();
    });
  }

  /** Waits until every write made so far is in LevelDB. */
  async drain(): Promise<void> {
    const s = await this.snapshot();
    await s.close();
  }

  /** Bytes held in memory now: dirty, sealed and cached entries. */
  get memoryBytes(): number {
    let n = this.dirtyBytes + this.youngBytes;
    for (const [k, v] of this.old) n += weigh(k, v);
    for (const b of this.sealed) for (const [k, v] of b.entries) n += weigh(k, v);
    return n;
  }

  private check(): void { if (this.failure) throw this.failure; }

  /** The DB is closing (the task ended): nothing more is written; waiting snapshots fail. */
  close(): void {
    this.closed = true;
    const e = new Error(`${this.opts.where}: the state backend was closed.`);
    for (const w of this.snapshotWaiters.splice(0)) w.reject(e);
  }
}
