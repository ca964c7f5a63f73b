// Flink's CompletedOperationCache behind its asynchronous REST operations (manual checkpoints,
// savepoints, stop-with-savepoint, savepoint disposal): a POST answers a trigger id at once, GETs
// poll IN_PROGRESS until COMPLETED with the operation's result or failure.
import { randomBytes } from 'node:crypto';

/** A new trigger id: 32 hexadecimal characters, like Flink's TriggerId. */
export function newTriggerId(): string { return randomBytes(16).toString('hex'); }

export type AsynchronousOperationStatus<O> = { status: { id: 'IN_PROGRESS' } } | { status: { id: 'COMPLETED' }; operation: O };

interface Operation<O> { result: O | undefined; timer: NodeJS.Timeout | undefined; fetched: boolean }

/**
 * Operations by key: one stays until `retentionMs` after it completed (Flink's
 * rest.async.store-duration, 5 min). Registering a key again is a no-op, as in Flink (idempotent
 * retries with a client-chosen triggerId). Bounded: the oldest completed operation makes room.
 */
export class AsynchronousOperations<O> {
  private readonly ops = new Map<string, Operation<O>>();

  constructor(private readonly retentionMs = 5 * 60_000, private readonly maxOperations = 10_000) {}

  /** Starts `run` under `key` unless an operation with that key exists; false if it did. */
  protected startOperation(key: string, run: () => Promise<O>, failed: (e: unknown) => O): boolean {
    if (this.ops.has(key)) return false;
    if (this.ops.size >= this.maxOperations) this.evictOldestCompleted();
    const op: Operation<O> = { result: undefined, timer: undefined, fetched: false };
    this.ops.set(key, op);
    const finish = (result: O): void => {
      op.result = result;
      op.timer = setTimeout(() => this.ops.delete(key), this.retentionMs);
      op.timer.unref();
    };
    // A synchronous throw counts as a failed operation too.
    void Promise.resolve().then(run).then(finish, (e: unknown) => finish(failed(e)));
    return true;
  }

  /** undefined: no such operation (never triggered, or expired). */
  protected operationStatus(key: string): AsynchronousOperationStatus<O> | undefined {
    const op = this.ops.get(key);
    if (!op) return undefined;
    if (op.result === undefined) return { status: { id: 'IN_PROGRESS' } };
    op.fetched = true;
    return { status: { id: 'COMPLETED' }, operation: op.result };
  }

  /** Operations still running, or completed without anybody having read the result yet. */
  get unfetched(): number {
    let n = 0;
    for (const op of this.ops.values()) if (!op.fetched) n++;
    return n;
  }

  close(): void {
    for (const op of this.ops.values()) if (op.timer) clearTimeout(op.timer);
    this.ops.clear();
  }

  private evictOldestCompleted(): void {
    for (const [key, op] of this.ops) {
      if (op.result !== undefined) {
        if (op.timer) clearTimeout(op.timer);
        this.ops.delete(key);
        return;
      }
    }
  }
}
