/**
 * Actions for a task that must not run concurrently with record processing: timers, operator
 * events, (later) checkpoint triggers. The task loop drains it between batches.
 */
export class TaskMailbox {
  private mails: Array<() => void | Promise<void>> = [];
  private waiter: (() => void) | null = null;
  private waiting: Promise<void> | null = null;

  put = (mail: () => void | Promise<void>): void => {
    this.mails.push(mail);
    const w = this.waiter;
    if (w) { this.waiter = null; this.waiting = null; w(); }
  };

  get hasMail(): boolean { return this.mails.length > 0; }

  /** Runs every queued mail (and those they enqueue). */
  async drain(): Promise<void> {
    while (this.mails.length > 0) {
      const batch = this.mails;
      this.mails = [];
      for (const m of batch) {
        const r = m();
        if (r && typeof (r as Promise<void>).then === 'function') await r;
      }
    }
  }

  /** Resolves when a mail arrives. */
  whenMail(): Promise<void> {
    if (this.mails.length > 0) return Promise.resolve();
    // One shared promise per wait, so idle loops do not pile up waiters.
    if (!this.waiting) this.waiting = new Promise((resolve) => { this.waiter = resolve; });
    return this.waiting;
  }
}
