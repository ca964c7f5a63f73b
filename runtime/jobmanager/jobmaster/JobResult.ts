import type { SerializedThrowable } from '../../taskmanager/TaskDeploymentDescriptor.js';

export interface JobResult {
  jobId: string;
  jobName: string;
  status: 'FINISHED' | 'FAILED' | 'CANCELED';
  startTime: number;
  endTime: number;
  accumulators: Record<string, unknown>;
  error?: SerializedThrowable;
  /** executeAndCollect results by collect sink node id. */
  collected: Record<number, unknown[]>;
}

/** The client-side failure of a job: the user's message and stack, and where it was thrown. */
export class JobExecutionException extends Error {
  readonly jobId: string;
  readonly location: string | undefined;
  readonly userStack: string | undefined;
  constructor(result: Pick<JobResult, 'jobId' | 'jobName' | 'status' | 'error'>) {
    const e = result.error;
    const where = e?.location ? ` in ${e.location}` : '';
    const what = result.status === 'CANCELED' ? 'was canceled' : `failed${where}`;
    super(`Job '${result.jobName}' (${result.jobId}) ${what}${e ? `: ${e.name}: ${e.message}` : ''}`);
    this.name = 'JobExecutionException';
    this.jobId = result.jobId;
    this.location = e?.location;
    this.userStack = e?.stack;
    if (e?.stack) this.stack = `${this.name}: ${this.message}\nCaused by: ${e.stack}`;
  }
}

/** Merges accumulator values of all subtasks: counters add up, lists concatenate. */
export function mergeAccumulators(parts: Array<Record<string, { type: string; value: unknown }>>): Record<string, unknown> {
  const merged: Record<string, { type: string; value: unknown }> = {};
  for (const part of parts) {
    for (const [name, { type, value }] of Object.entries(part)) {
      const cur = merged[name];
      if (!cur) { merged[name] = { type, value: Array.isArray(value) ? [...value] : value && typeof value === 'object' ? { ...value } : value }; continue; }
      if (typeof cur.value === 'number' && typeof value === 'number') cur.value += value;
      else if (Array.isArray(cur.value) && Array.isArray(value)) (cur.value as unknown[]).push(...value);
      else if (type === 'AverageAccumulator') {
        const a = cur.value as { sum: number; count: number }, b = value as { sum: number; count: number };
        cur.value = { sum: a.sum + b.sum, count: a.count + b.count };
      } else cur.value = value;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, { type, value }] of Object.entries(merged)) {
    if (type === 'AverageAccumulator') { const a = value as { sum: number; count: number }; out[k] = a.count === 0 ? 0 : a.sum / a.count; }
    else out[k] = value;
  }
  return out;
}
