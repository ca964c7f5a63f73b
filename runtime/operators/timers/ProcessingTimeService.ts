/**
 * Processing-time callbacks of one task. Callbacks are not run from the timer directly but
 * handed to the task's mailbox, so they never interleave with record processing and their
 * exceptions fail the task.
 */
export interface ProcessingTimeService {
  getCurrentProcessingTime(): number;
  registerTimer(timestamp: number, callback: (timestamp: number) => void): { cancel(): void };
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export type MailboxExecutor = (mail: () => void | Promise<void>) => void;

export class TaskProcessingTimeService implements ProcessingTimeService {
  private readonly timers = new Set<NodeJS.Timeout>();
  private quiesced = false;
  constructor(private readonly mailbox: MailboxExecutor) {}
  getCurrentProcessingTime(): number { return Date.now(); }
  registerTimer(timestamp: number, callback: (timestamp: number) => void): { cancel(): void } {
    if (this.quiesced) return { cancel() {} };
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      // setTimeout caps delays at 2^31-1 ms (and fires at once above that): re-arm far-future timers.
      const delay = Math.min(MAX_TIMEOUT_MS, Math.max(0, timestamp - Date.now()));
      handle = setTimeout(() => {
        this.timers.delete(handle);
        if (this.quiesced) return;
        if (Date.now() < timestamp) { arm(); return; }
        this.mailbox(() => callback(timestamp));
      }, delay);
      this.timers.add(handle);
    };
    arm();
    return { cancel: () => { clearTimeout(handle); this.timers.delete(handle); } };
  }
  /** Stops all pending timers (end of input or cancellation). */
  quiesce(): void {
    this.quiesced = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
