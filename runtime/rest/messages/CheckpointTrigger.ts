// POST /jobs/:jobid/checkpoints and GET /jobs/:jobid/checkpoints/:triggerid (Flink's
// CheckpointTriggerRequestBody, TriggerResponse, AsynchronousOperationResult<CheckpointInfo>): a
// manual checkpoint is triggered asynchronously and polled by its trigger id.
import { AsynchronousOperations, newTriggerId } from './AsynchronousOperations.js';

/** FULL: a checkpoint of the full state (no incremental parts); CONFIGURED: as the job is configured. */
export type CheckpointTriggerType = 'CONFIGURED' | 'FULL' | 'INCREMENTAL';
export interface CheckpointTriggerRequestBody { checkpointType?: CheckpointTriggerType; triggerId?: string }
export interface TriggerResponse { 'request-id': string }

/** Flink's SerializedThrowable JSON; 'serialized-throwable' is base64 of tsflink's JSON {name, message, stack}. */
export interface SerializedFailureCause { class: string; 'stack-trace': string; 'serialized-throwable': string }
/** Flink's CheckpointInfo: exactly one of the two is set. */
export type CheckpointInfo = { checkpointId: number } | { failureCause: SerializedFailureCause };
export type CheckpointTriggerStatus =
  | { status: { id: 'IN_PROGRESS' } }
  | { status: { id: 'COMPLETED' }; operation: CheckpointInfo };

export const TRIGGER_ID_PATTERN = /^[0-9a-fA-F]{32}$/;
const TYPES: readonly CheckpointTriggerType[] = ['CONFIGURED', 'FULL', 'INCREMENTAL'];

/** Validates the (optional) body; throws an Error saying what is wrong. */
export function parseCheckpointTriggerRequest(body: unknown): { checkpointType: CheckpointTriggerType; triggerId: string | undefined } {
  if (body === undefined || body === null || body === '') return { checkpointType: 'CONFIGURED', triggerId: undefined };
  if (typeof body !== 'object' || Array.isArray(body)) throw new Error('the body must be a JSON object {"checkpointType"?, "triggerId"?}');
  const b = body as Record<string, unknown>;
  // Flink refuses unknown fields too (Jackson's default; a typo must not silently mean CONFIGURED).
  const unknown = Object.keys(b).filter((k) => k !== 'checkpointType' && k !== 'triggerId');
  if (unknown.length > 0) throw new Error(`unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}: the body takes only "checkpointType" and "triggerId"`);
  const type = b['checkpointType'] ?? 'CONFIGURED';
  if (typeof type !== 'string' || !TYPES.includes(type as CheckpointTriggerType)) {
    throw new Error(`checkpointType must be one of ${TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  const triggerId = b['triggerId'];
  if (triggerId !== undefined && triggerId !== null && (typeof triggerId !== 'string' || !TRIGGER_ID_PATTERN.test(triggerId))) {
    throw new Error(`triggerId must be 32 hexadecimal characters, got ${JSON.stringify(triggerId)}`);
  }
  return { checkpointType: type as CheckpointTriggerType, triggerId: typeof triggerId === 'string' ? triggerId.toLowerCase() : undefined };
}

export function serializeFailureCause(e: unknown): SerializedFailureCause {
  const err = e instanceof Error ? e : new Error(String(e));
  const json = { name: err.name, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) };
  return {
    class: err.name,
    'stack-trace': err.stack ?? `${err.name}: ${err.message}`,
    'serialized-throwable': Buffer.from(JSON.stringify(json), 'utf8').toString('base64'),
  };
}

/**
 * Manual checkpoint operations by job and trigger id (Flink's CompletedOperationCache; see
 * AsynchronousOperations): the result is the checkpoint id or the failure.
 */
export class CheckpointTriggerOperations extends AsynchronousOperations<CheckpointInfo> {
  static newTriggerId(): string { return newTriggerId(); }

  /** Starts `run` under (jobId, triggerId) unless an operation with that key exists; false if it did. */
  start(jobId: string, triggerId: string, run: () => Promise<number>): boolean {
    return this.startOperation(`${jobId}/${triggerId}`, async () => ({ checkpointId: await run() }), (e) => ({ failureCause: serializeFailureCause(e) }));
  }

  /** undefined: no such operation (never triggered, or expired). */
  status(jobId: string, triggerId: string): CheckpointTriggerStatus | undefined {
    return this.operationStatus(`${jobId}/${triggerId.toLowerCase()}`);
  }
}
