// POST /jobs/:jobid/savepoints, POST /jobs/:jobid/stop, GET /jobs/:jobid/savepoints/:triggerid and
// POST /savepoint-disposal + GET /savepoint-disposal/:triggerid (Flink's SavepointTriggerRequestBody,
// StopWithSavepointRequestBody, SavepointDisposalRequest, AsynchronousOperationResult<SavepointInfo>).
import { AsynchronousOperations, type AsynchronousOperationStatus } from './AsynchronousOperations.js';
import { type SerializedFailureCause, TRIGGER_ID_PATTERN, serializeFailureCause } from './CheckpointTrigger.js';

/** Flink's SavepointFormatType. tsflink's heap backend writes one format: NATIVE is the same bytes as CANONICAL. */
export type SavepointFormatType = 'CANONICAL' | 'NATIVE';
const FORMATS: readonly SavepointFormatType[] = ['CANONICAL', 'NATIVE'];

/** Flink's SavepointInfo: exactly one of the two is set. */
export type SavepointInfo = { location: string } | { 'failure-cause': SerializedFailureCause };
export type SavepointStatus = AsynchronousOperationStatus<SavepointInfo>;
/** Flink's AsynchronousOperationInfo of a disposal: empty when it succeeded. */
export type DisposalInfo = Record<string, never> | { 'failure-cause': SerializedFailureCause };
export type DisposalStatus = AsynchronousOperationStatus<DisposalInfo>;

export interface SavepointTriggerRequest { targetDirectory: string | undefined; cancelJob: boolean; formatType: SavepointFormatType; triggerId: string | undefined }
export interface StopWithSavepointRequest { targetDirectory: string | undefined; drain: boolean; formatType: SavepointFormatType; triggerId: string | undefined }

function objectBody(body: unknown, fields: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new Error(`the body must be a JSON object with the fields ${fields.map((f) => JSON.stringify(f)).join(', ')}`);
  const b = body as Record<string, unknown>;
  // Unknown fields are refused (a typo like "targetDir" must not silently mean the default directory).
  const unknown = Object.keys(b).filter((k) => !fields.includes(k));
  if (unknown.length > 0) throw new Error(`unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}: the body takes only ${fields.map((f) => JSON.stringify(f)).join(', ')}`);
  return b;
}

function optionalString(b: Record<string, unknown>, field: string): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new Error(`${field} must be a non-empty string (a file:// or hdfs:// directory), got ${JSON.stringify(v)}`);
  return v;
}

function optionalBoolean(b: Record<string, unknown>, field: string): boolean {
  const v = b[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new Error(`${field} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function formatType(b: Record<string, unknown>): SavepointFormatType {
  const v = b['formatType'] ?? 'CANONICAL';
  if (typeof v !== 'string' || !FORMATS.includes(v as SavepointFormatType)) throw new Error(`formatType must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(v)}`);
  return v as SavepointFormatType;
}

function triggerId(b: Record<string, unknown>): string | undefined {
  const v = b['triggerId'];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !TRIGGER_ID_PATTERN.test(v)) throw new Error(`triggerId must be 32 hexadecimal characters, got ${JSON.stringify(v)}`);
  return v.toLowerCase();
}

/** POST /jobs/:jobid/savepoints {"target-directory"?, "cancel-job"?, "formatType"?, "triggerId"?}; throws saying what is wrong. */
export function parseSavepointTriggerRequest(body: unknown): SavepointTriggerRequest {
  const b = objectBody(body, ['target-directory', 'cancel-job', 'formatType', 'triggerId']);
  return { targetDirectory: optionalString(b, 'target-directory'), cancelJob: optionalBoolean(b, 'cancel-job'), formatType: formatType(b), triggerId: triggerId(b) };
}

/** POST /jobs/:jobid/stop {"targetDirectory"?, "drain"?, "formatType"?, "triggerId"?}. */
export function parseStopWithSavepointRequest(body: unknown): StopWithSavepointRequest {
  const b = objectBody(body, ['targetDirectory', 'drain', 'formatType', 'triggerId']);
  return { targetDirectory: optionalString(b, 'targetDirectory'), drain: optionalBoolean(b, 'drain'), formatType: formatType(b), triggerId: triggerId(b) };
}

/** POST /savepoint-disposal {"savepoint-path"}. */
export function parseSavepointDisposalRequest(body: unknown): { savepointPath: string; triggerId: string | undefined } {
  const b = objectBody(body, ['savepoint-path', 'triggerId']);
  const savepointPath = optionalString(b, 'savepoint-path');
  if (savepointPath === undefined) throw new Error('"savepoint-path" is required: the savepoint directory (or its _metadata file) to dispose');
  return { savepointPath, triggerId: triggerId(b) };
}

/** Savepoint and stop-with-savepoint operations, both polled at GET /jobs/:jobid/savepoints/:triggerid. */
export class SavepointOperations extends AsynchronousOperations<SavepointInfo> {
  start(jobId: string, triggerId: string, run: () => Promise<string>): boolean {
    return this.startOperation(`${jobId}/${triggerId}`, async () => ({ location: await run() }), (e) => ({ 'failure-cause': serializeFailureCause(e) }));
  }

  status(jobId: string, triggerId: string): SavepointStatus | undefined { return this.operationStatus(`${jobId}/${triggerId.toLowerCase()}`); }
}

/** Savepoint disposals, by trigger id (not per job: the savepoint may belong to a job long gone). */
export class SavepointDisposalOperations extends AsynchronousOperations<DisposalInfo> {
  start(triggerId: string, run: () => Promise<void>): boolean {
    return this.startOperation(triggerId, async () => { await run(); return {}; }, (e) => ({ 'failure-cause': serializeFailureCause(e) }));
  }

  status(triggerId: string): DisposalStatus | undefined { return this.operationStatus(triggerId.toLowerCase()); }
}
