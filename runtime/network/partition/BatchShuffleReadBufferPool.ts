// The TaskManager-wide budget for reading blocking shuffle files (Flink's BatchShuffleReadBufferPool,
// taskmanager.memory.framework.off-heap.batch-shuffle.size). Every subpartition reader reserves the bytes of
// the chunk it reads before the read and gives them back once the chunk is decoded into network buffers, so
// however many consumers read at once, the file bytes held in memory stay within the budget. The counter
// lives in a SharedArrayBuffer handed to every slot worker of the TaskManager, so the budget spans threads.
// A reservation is held only for one read + decode (never while waiting on a consumer), so waiting for
// budget cannot deadlock: it only delays readers.

// Node 20 has Atomics.waitAsync; the project's TypeScript lib (es2022) does not declare it yet.
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/** Flink's default of taskmanager.memory.framework.off-heap.batch-shuffle.size. */
export const DEFAULT_BATCH_SHUFFLE_READ_MEMORY = 64 * 1024 * 1024;

/** Counted in KiB so that an Int32 counter covers budgets up to 2 TiB. */
const UNIT = 1024;

export interface BatchShuffleReadBudget {
  /** Budget in bytes. */
  readonly bytes: number;
  /** One Int32: KiB reserved now. Shared by the slots of a TaskManager; absent = a budget of this stack alone. */
  readonly shared?: SharedArrayBuffer;
}

export function newBatchShuffleReadBudget(bytes: number): BatchShuffleReadBudget {
  return { bytes, shared: new SharedArrayBuffer(4) };
}

export class BatchShuffleReadBufferPool {
  private readonly counter: Int32Array;
  private readonly capacity: number;
  /** Bytes this thread's readers hold right now (tests, metrics). */
  reservedHere = 0;

  constructor(budget: BatchShuffleReadBudget, readChunkSize: number) {
    if (!(budget.bytes >= readChunkSize)) {
      throw new RangeError(`taskmanager.memory.framework.off-heap.batch-shuffle.size (${budget.bytes} bytes) is smaller than one shuffle read chunk (${readChunkSize} bytes); set it to at least ${readChunkSize} bytes (Flink's default: 64m).`);
    }
    this.counter = new Int32Array(budget.shared ?? new SharedArrayBuffer(4));
    this.capacity = Math.floor(budget.bytes / UNIT);
  }

  /** KiB units reserved by all readers sharing the budget. */
  get reservedUnits(): number { return Atomics.load(this.counter, 0); }

  /**
   * Waits until `bytes` fit in the budget and takes them; returns the token to give back with release().
   * A read larger than the whole budget (an oversized record) waits for the budget to be free and takes all of it.
   */
  async reserve(bytes: number): Promise<number> {
    const want = Math.min(this.capacity, Math.max(1, Math.ceil(bytes / UNIT)));
    for (;;) {
      const cur = Atomics.load(this.counter, 0);
      if (cur + want <= this.capacity) {
        if (Atomics.compareExchange(this.counter, 0, cur, cur + want) === cur) {
          this.reservedHere += want * UNIT;
          return want;
        }
        continue;
      }
      // Woken by release(); the timeout covers a notify that raced with this wait's start.
      const w = waitAsync(this.counter, 0, cur, 50);
      if (w.async) await w.value;
    }
  }

  release(token: number): void {
    Atomics.sub(this.counter, 0, token);
    this.reservedHere -= token * UNIT;
    Atomics.notify(this.counter, 0);
  }
}
