// The synchronous face of one LevelDB instance. classic-level 3 reads synchronously (getSync) but
// writes only asynchronously, so the store is a write-back cache: writes stay in memory (`dirty`)
// until the dirty share of the cache budget is used up or a snapshot needs them; then the dirty
// entries are sealed (an O(1) swap) and written in batches of write-batch-size bytes, one batch in
// flight at a time (two could land out of order). Reads go through a byte-bounded cache of current
// entries; only a miss looks at the sealed entries not yet written, then LevelDB.
//
// Entries live in *spaces*: space 0 holds entries by their LevelDB key string (map entries, keys
// that are not plain numbers or strings); space 1 + state id holds a state's own entries by the
// current key itself (a number or string), so the common access needs no key encoding and hashes a
// number or the key string the record already carries. The LevelDB key of such an entry is built
// only when it is written to or read from LevelDB (`levelKey`).
//
// A slot is null (absent), a Buffer (the serialized value: objects are copied through bytes, so a
// value handed to user code is always a fresh copy, as on RocksDB), or an immutable primitive kept
// decoded (numbers, strings, booleans, bigints need no copy; they are serialized only when written).
import type { ClassicLevel } from 'classic-level';
import { KeyBloomFilter } from './KeyBloomFilter.js';

/** An absent entry (deleted, or known missing from LevelDB). */
export const ABSENT = null;
export type Slot = unknown;
/** One Map per space, created on first use. */
type Spaces = Array<Map<unknown, Slot> | undefined>;

/** A Map entry's slots and its share of the hash table (V8 OrderedHashMap), beyond key and value. */
const ENTRY_OVERHEAD = 40;
function slotBytes(v: Slot): number {
  if (v === null) return 0;
  if (v instanceof Uint8Array) return v.length;
  return typeof v === 'string' ? v.length : 8;
}
const weigh = (ck: unknown, v: Slot): number => (typeof ck === 'string' ? ck.length : 8) + slotBytes(v) + ENTRY_OVERHEAD;

export type LevelSnapshot = ReturnType<ClassicLevel<string, Buffer>['snapshot']>;

export interface WriteBackStoreOptions {
  /** Bytes of dirty plus cached entries the store aims to hold (dirty may exceed its share while a batch is written). */
  readonly cacheSize: number;
  /** Bytes per LevelDB write batch. */
  readonly writeBatchSize: number;
  /** Names the instance in errors. */
  readonly where: string;
  /** Incremental checkpoints: told of every key written or deleted, when its entry is sealed. */
  readonly changes?: { mark(k: string): void };
  /** The LevelDB key of entry `ck` of space `space` > 0. */
  levelKey(space: number, ck: unknown): string;
  /** The bytes of a decoded (primitive) slot. */
  encode(v: unknown): Buffer;
}

export class WriteBackStore {
  private dirty: Spaces = [];
  private dirtyBytes = 0;
  /** Dirty entries sealed for writing, oldest first; the first is being written while `inFlight` is set. */
  private readonly sealed: Array<{ id: number; entries: Spaces }> = [];
  /**
   * Clean entries in two generations (a segmented LRU without per-access reordering): new ones go
   * to `young`; a hit in `old` is promoted; when young holds its share it becomes old and the
   * previous old is dropped at once (evicting by iterating a Map is slow once it has holes).
   */
  private young: Spaces = [];
  private youngBytes = 0;
  private old: Spaces = [];
  private readonly youngLimit: number;
  private readonly dirtyLimit: number;
  /** The last hit in young (a read-modify-write then needs no second lookup); reset by every change of young. */
  private hitMap: Map<unknown, Slot> | undefined = undefined;
  private hitKey: unknown = undefined;
  private hitSlot: Slot = undefined;
  private inFlight = false;
  private sealedCount = 0;
  private landed = 0;
  /** Snapshot requests, each waiting for the entries sealed at its moment. */
  private readonly snapshotWaiters: Array<{ upTo: number; resolve: (s: LevelSnapshot) => void; reject: (e: Error) => void }> = [];
  private failure: Error | null = null;
  private closed = false;
  /** Every key ever written to LevelDB: reads of other keys need no getSync. */
  private readonly written = new KeyBloomFilter();
  /** Counters for the bench and the docs' numbers. */
  readonly stats = { gets: 0, diskGets: 0, batches: 0, batchedEntries: 0 };

  constructor(private readonly db: ClassicLevel<string, Buffer>, private readonly opts: WriteBackStoreOptions) {
    // A quarter of the budget for dirty entries (mostly the same values young holds), 3/8 for each clean generation.
    this.dirtyLimit = Math.max(opts.writeBatchSize, opts.cacheSize / 4);
    this.youngLimit = (opts.cacheSize * 3) / 8;
  }

  get(space: number, ck: unknown): Slot {
    this.stats.gets++;
    // Writes update the cache too, so the cache is current; dirty and sealed entries only matter for
    // entries the cache dropped.
    const y = this.young[space];
    let v = y?.get(ck);
    if (v !== undefined) { this.hitMap = y; this.hitKey = ck; this.hitSlot = v; return v; }
    v = this.old[space]?.get(ck);
    if (v === undefined) v = this.below(space, ck);
    this.remember(space, ck, v, undefined);
    return v;
  }

  /** The current slot of an entry without caching it (background scans must not evict hot entries). */
  peek(space: number, ck: unknown): Slot {
    const v = this.young[space]?.get(ck) ?? this.old[space]?.get(ck);
    return v !== undefined ? v : this.below(space, ck, false);
  }

  /** Dirty, sealed, then LevelDB. */
  private below(space: number, ck: unknown, bloom = true): Slot {
    let v = this.dirty[space]?.get(ck);
    if (v !== undefined) return v;
    for (let i = this.sealed.length - 1; i >= 0; i--) { v = this.sealed[i]!.entries[space]?.get(ck); if (v !== undefined) return v; }
    this.check();
    const k = space === 0 ? (ck as string) : this.opts.levelKey(space, ck);
    if (bloom && !this.written.mightContain(k)) return ABSENT;
    this.stats.diskGets++;
    const d = this.db.getSync(k);
    return d === undefined ? ABSENT : d;
  }

  /** Writes `v` (not null); returns whether the entry existed before (the caller counts keys). */
  put(space: number, ck: unknown, v: Slot): boolean {
    // A read-modify-write (value() then update()) found the entry in young a moment ago.
    const y = this.young[space];
    let prev = y !== undefined && y === this.hitMap && ck === this.hitKey ? this.hitSlot : y?.get(ck);
    const inYoung = prev !== undefined;
    if (!inYoung) { prev = this.old[space]?.get(ck); if (prev === undefined) prev = this.below(space, ck); }
    this.write(space, ck, v, inYoung ? prev : undefined);
    return prev !== ABSENT;
  }
  /** A key written to LevelDB past this store (restore). */
  noteWritten(k: string): void { this.written.add(k); }
  /** Deletes the entry; returns whether there was one. */
  del(space: number, ck: unknown): boolean {
    if (this.get(space, ck) === ABSENT) return false;
    this.write(space, ck, ABSENT, this.young[space]?.get(ck));
    return true;
  }

  /** `young`: the entry's slot in young, if it is there (then dirty holds the same slot, if the entry is dirty). */
  private write(space: number, ck: unknown, v: Slot, young: Slot | undefined): void {
    this.check();
    const d = this.dirty[space] ??= new Map();
    const n = d.size;
    d.set(ck, v);
    // An overwrite of a dirty entry young no longer holds is counted in full: sealed a little early.
    if (d.size === n && young !== undefined) this.dirtyBytes -= weigh(ck, young);
    this.dirtyBytes += weigh(ck, v);
    this.remember(space, ck, v, young);
    // While a batch is in flight dirty keeps growing (the API cannot wait); the next seal takes it all.
    if (this.dirtyBytes >= this.dirtyLimit && !this.inFlight) { this.seal(); this.pump(); }
  }

  /** `prev`: the entry's slot in young, or undefined when it is not there. */
  private remember(space: number, ck: unknown, v: Slot, prev: Slot | undefined): void {
    this.hitMap = undefined;
    const w = weigh(ck, v);
    if (w > this.youngLimit) { this.young[space]?.delete(ck); this.old[space]?.delete(ck); if (prev !== undefined) this.youngBytes -= weigh(ck, prev); return; }
    const y = this.young[space] ??= new Map();
    if (prev !== undefined) this.youngBytes -= weigh(ck, prev);
    y.set(ck, v);
    this.youngBytes += w;
    if (this.youngBytes > this.youngLimit) { this.old = this.young; this.young = []; this.youngBytes = 0; }
  }

  private seal(): void {
    if (this.dirty.every((m) => m === undefined || m.size === 0)) return;
    const entries = this.dirty;
    const changes = this.opts.changes;
    // Marked now, not when written: the checkpoint that seals them captures them.
    if (changes) for (let s = 0; s < entries.length; s++) for (const ck of entries[s]?.keys() ?? []) changes.mark(s === 0 ? (ck as string) : this.opts.levelKey(s, ck));
    this.sealed.push({ id: ++this.sealedCount, entries });
    this.dirty = [];
    this.dirtyBytes = 0;
  }

  /**
   * Writes the oldest sealed entries unless some are being written, in batches of write-batch-size
   * bytes, each after the previous one landed: sealed entries land in the order they were sealed.
   */
  private pump(): void {
    if (this.inFlight || this.failure || this.closed || this.sealed.length === 0) return;
    const { id, entries } = this.sealed[0]!;
    this.inFlight = true;
    let space = 0;
    let it: Iterator<[unknown, Slot]> | undefined;
    let count = 0;
    const slice = (): void => {
      if (this.closed) { this.inFlight = false; return; }
      const chained = this.db.batch();
      let bytes = 0;
      let done = false;
      while (bytes < this.opts.writeBatchSize) {
        if (it === undefined) {
          while (space < entries.length && entries[space] === undefined) space++;
          if (space >= entries.length) { done = true; break; }
          it = entries[space]!.entries();
        }
        const r = it.next();
        if (r.done) { it = undefined; space++; continue; }
        const [ck, v] = r.value;
        const k = space === 0 ? (ck as string) : this.opts.levelKey(space, ck);
        if (v === null) chained.del(k);
        else {
          const b = v instanceof Uint8Array ? (v as Buffer) : this.opts.encode(v);
          chained.put(k, b);
          this.written.add(k);
          bytes += b.length;
        }
        bytes += k.length;
        count++;
      }
      this.stats.batches++;
      chained.write().then(
        () => {
          if (!done) { slice(); return; }
          this.stats.batchedEntries += count;
          this.landed = id;
          this.sealed.shift();
          this.inFlight = false;
          // Taken before any later entries are written: the snapshot holds exactly the writes up to its request.
          this.resolveSnapshots();
          if (this.dirtyBytes >= this.dirtyLimit) this.seal();
          this.pump();
        },
        (e: unknown) => {
          this.inFlight = false;
          this.failure = new Error(`${this.opts.where}: writing a batch of state entries to LevelDB failed: ${(e as Error).message}. ` +
            'Check that the local state directory is writable and has free space.', { cause: e });
          for (const w of this.snapshotWaiters.splice(0)) w.reject(this.failure);
        },
      );
    };
    slice();
  }

  private resolveSnapshots(): void {
    for (let i = 0; i < this.snapshotWaiters.length;) {
      const w = this.snapshotWaiters[i]!;
      if (w.upTo <= this.landed) { this.snapshotWaiters.splice(i, 1); w.resolve(this.db.snapshot()); } else i++;
    }
  }

  /**
   * A LevelDB snapshot holding exactly the writes made up to now; processing goes on meanwhile
   * (later writes stay in memory until the snapshot's entries have landed).
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
    const count = (sp: Spaces): void => { for (const m of sp) if (m) for (const [k, v] of m) n += weigh(k, v); };
    count(this.old);
    for (const b of this.sealed) count(b.entries);
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
