import type { Task } from './Task.js';
import type { TaskMetricsReport } from './TaskDeploymentDescriptor.js';

/**
 * Sends the IO counters of a TaskExecutor's running tasks every `intervalMs` (the heartbeat
 * cadence) while it has tasks; final counters travel with each task's terminal state instead.
 * Shared by the in-thread TaskExecutor and the slot workers.
 */
export class RunningTaskMetrics {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly tasks: ReadonlyMap<string, Task>,
    private readonly intervalMs: number,
    private readonly send: (reports: TaskMetricsReport[]) => void,
  ) {}

  /** A task was added: report periodically from now on. */
  taskAdded(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.report(), this.intervalMs);
    this.timer.unref();
  }

  /** A task was removed: stop once none is left. */
  taskRemoved(): void {
    if (this.tasks.size === 0) this.stop();
  }

  report(): void {
    const reports: TaskMetricsReport[] = [];
    for (const t of this.tasks.values()) if (t.state === 'RUNNING') reports.push({ jobId: t.tdd.jobId, executionAttemptId: t.executionAttemptId, io: t.ioMetrics() });
    if (reports.length > 0) this.send(reports);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
