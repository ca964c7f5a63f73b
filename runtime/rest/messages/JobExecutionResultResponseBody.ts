// GET /jobs/:jobid/execution-result (Flink's JobExecutionResultResponseBody): what a client waits for.
import type { JobResult } from '../../jobmanager/jobmaster/JobResult.js';
import type { SerializedThrowable } from '../../taskmanager/TaskDeploymentDescriptor.js';

export interface JobExecutionResultInfo {
  id: string;
  'application-status': 'SUCCEEDED' | 'FAILED' | 'CANCELED';
  'accumulator-results': Record<string, unknown>;
  'net-runtime': number;
  /**
   * Flink's 'serialized-throwable' is a base64 Java-serialized exception; tsflink's is base64 of
   * the JSON SerializedThrowable {name, message, stack, location}, so clients rebuild the user's error.
   */
  'failure-cause'?: { class: string; 'stack-trace': string; 'serialized-throwable': string };
}
export interface JobExecutionResultResponseBody {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  'job-execution-result'?: JobExecutionResultInfo;
}

const APP_STATUS = { FINISHED: 'SUCCEEDED', FAILED: 'FAILED', CANCELED: 'CANCELED' } as const;

export function jobExecutionResult(result: JobResult | undefined): JobExecutionResultResponseBody {
  if (!result) return { status: { id: 'IN_PROGRESS' } };
  const info: JobExecutionResultInfo = {
    id: result.jobId,
    'application-status': APP_STATUS[result.status],
    // Accumulator values are plain data in tsflink: sent as JSON, not serialized.
    'accumulator-results': result.accumulators,
    'net-runtime': result.endTime - result.startTime,
  };
  if (result.error) {
    const e = result.error;
    info['failure-cause'] = {
      class: e.name,
      'stack-trace': e.stack ?? `${e.name}: ${e.message}`,
      'serialized-throwable': Buffer.from(JSON.stringify(e), 'utf8').toString('base64'),
    };
  }
  return { status: { id: 'COMPLETED' }, 'job-execution-result': info };
}

/** Decodes a tsflink 'serialized-throwable' (undefined if it is not one). */
export function decodeSerializedThrowable(s: string | undefined): SerializedThrowable | undefined {
  if (!s) return undefined;
  try {
    const v = JSON.parse(Buffer.from(s, 'base64').toString('utf8')) as Partial<SerializedThrowable>;
    if (typeof v.name !== 'string' || typeof v.message !== 'string') return undefined;
    return {
      name: v.name, message: v.message,
      ...(typeof v.stack === 'string' ? { stack: v.stack } : {}),
      ...(typeof v.location === 'string' ? { location: v.location } : {}),
    };
  } catch {
    return undefined;
  }
}
