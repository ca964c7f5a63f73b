// Flink's component metric groups: JobManager, JobManager job, TaskManager, TaskManager job,
// task and operator — each with Flink's logical scope and scope variables.
import type { QueryScopeInfo } from '../dump/MetricDump.js';
import type { MetricRegistry } from '../MetricRegistry.js';
import { AbstractMetricGroup } from './AbstractMetricGroup.js';

type Query = { info: QueryScopeInfo; scope: string };

/** `jobmanager`, variables `<host>`. */
export class JobManagerMetricGroup extends AbstractMetricGroup {
  private readonly jobs = new Map<string, JobManagerJobMetricGroup>();
  constructor(registry: MetricRegistry, readonly host: string) { super(registry, null); }
  protected get logicalName(): string { return 'jobmanager'; }
  protected ownVariables(): Record<string, string> { return { '<host>': this.host }; }
  queryInfo(): Query { return { info: { category: 'jm' }, scope: '' }; }

  addJob(jobId: string, jobName: string): JobManagerJobMetricGroup {
    let g = this.jobs.get(jobId);
    if (!g || g.isClosed) { g = new JobManagerJobMetricGroup(this.registry, this, jobId, jobName); this.jobs.set(jobId, g); }
    return g;
  }
  removeJob(jobId: string): void { this.jobs.get(jobId)?.close(); this.jobs.delete(jobId); }
  override close(): void { for (const g of this.jobs.values()) g.close(); this.jobs.clear(); super.close(); }
}

/** `jobmanager.job`, variables `<job_id>`, `<job_name>`. */
export class JobManagerJobMetricGroup extends AbstractMetricGroup {
  constructor(registry: MetricRegistry, parent: JobManagerMetricGroup, readonly jobId: string, readonly jobName: string) { super(registry, parent); }
  protected get logicalName(): string { return 'job'; }
  protected ownVariables(): Record<string, string> { return { '<job_id>': this.jobId, '<job_name>': this.jobName }; }
  queryInfo(): Query { return { info: { category: 'job', jobId: this.jobId }, scope: '' }; }
}

/** `taskmanager`, variables `<host>`, `<tm_id>`. */
export class TaskManagerMetricGroup extends AbstractMetricGroup {
  private readonly jobs = new Map<string, TaskManagerJobMetricGroup>();
  constructor(registry: MetricRegistry, readonly host: string, readonly taskManagerId: string) { super(registry, null); }
  protected get logicalName(): string { return 'taskmanager'; }
  protected ownVariables(): Record<string, string> { return { '<host>': this.host, '<tm_id>': this.taskManagerId }; }
  queryInfo(): Query { return { info: { category: 'tm', taskManagerId: this.taskManagerId }, scope: '' }; }

  /** The job's group, shared by its tasks here; it closes with the last of them. */
  addJob(jobId: string, jobName: string): TaskManagerJobMetricGroup {
    let g = this.jobs.get(jobId);
    if (!g || g.isClosed) { g = new TaskManagerJobMetricGroup(this.registry, this, jobId, jobName, () => this.jobs.delete(jobId)); this.jobs.set(jobId, g); }
    return g;
  }
  override close(): void { for (const g of [...this.jobs.values()]) g.close(); this.jobs.clear(); super.close(); }
}

/** `taskmanager.job`, variables `<job_id>`, `<job_name>`. */
export class TaskManagerJobMetricGroup extends AbstractMetricGroup {
  private readonly tasks = new Set<TaskMetricGroup>();
  constructor(registry: MetricRegistry, parent: TaskManagerMetricGroup, readonly jobId: string, readonly jobName: string, private readonly onClose: () => void) { super(registry, parent); }
  protected get logicalName(): string { return 'job'; }
  protected ownVariables(): Record<string, string> { return { '<job_id>': this.jobId, '<job_name>': this.jobName }; }
  queryInfo(): Query { return { info: { category: 'job', jobId: this.jobId }, scope: '' }; }

  addTask(t: { vertexId: string; executionAttemptId: string; taskName: string; subtaskIndex: number; attemptNumber: number }): TaskMetricGroup {
    const g = new TaskMetricGroup(this.registry, this, t, () => { this.tasks.delete(g); if (this.tasks.size === 0) this.close(); });
    this.tasks.add(g);
    return g;
  }
  override close(): void { for (const t of [...this.tasks]) t.close(); super.close(); this.onClose(); }
}

/** `taskmanager.job.task`, variables `<task_id>`, `<task_name>`, `<task_attempt_id>`, `<task_attempt_num>`, `<subtask_index>`. */
export class TaskMetricGroup extends AbstractMetricGroup {
  private readonly operators = new Map<string, OperatorMetricGroup>();
  constructor(registry: MetricRegistry, private readonly job: TaskManagerJobMetricGroup,
    readonly task: { vertexId: string; executionAttemptId: string; taskName: string; subtaskIndex: number; attemptNumber: number },
    private readonly onClose: () => void) { super(registry, job); }
  get jobId(): string { return this.job.jobId; }
  protected get logicalName(): string { return 'task'; }
  protected ownVariables(): Record<string, string> {
    const t = this.task;
    return { '<task_id>': t.vertexId, '<task_name>': t.taskName, '<task_attempt_id>': t.executionAttemptId, '<task_attempt_num>': String(t.attemptNumber), '<subtask_index>': String(t.subtaskIndex) };
  }
  queryInfo(): Query {
    const t = this.task;
    return { info: { category: 'task', jobId: this.job.jobId, vertexId: t.vertexId, subtaskIndex: t.subtaskIndex, attemptNumber: t.attemptNumber }, scope: '' };
  }

  /** One operator of the chain; operators of one name share the group (Flink dedupes by name too). */
  getOrAddOperator(operatorId: string, operatorName: string): OperatorMetricGroup {
    let g = this.operators.get(operatorName);
    if (!g) { g = new OperatorMetricGroup(this.registry, this, operatorId, operatorName); this.operators.set(operatorName, g); }
    return g;
  }
  override close(): void {
    if (this.isClosed) return;
    for (const g of this.operators.values()) g.close();
    super.close();
    this.onClose();
  }
}

/** `taskmanager.job.task.operator`, variables `<operator_id>`, `<operator_name>`. */
export class OperatorMetricGroup extends AbstractMetricGroup {
  constructor(registry: MetricRegistry, private readonly taskGroup: TaskMetricGroup, readonly operatorId: string, readonly operatorName: string) { super(registry, taskGroup); }
  protected get logicalName(): string { return 'operator'; }
  protected ownVariables(): Record<string, string> { return { '<operator_id>': this.operatorId, '<operator_name>': this.operatorName }; }
  queryInfo(): Query {
    const t = this.taskGroup.task;
    return { info: { category: 'operator', jobId: this.taskGroup.jobId, vertexId: t.vertexId, subtaskIndex: t.subtaskIndex, attemptNumber: t.attemptNumber, operatorName: this.operatorName }, scope: '' };
  }
}
