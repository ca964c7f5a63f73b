// Savepoint REST handlers (Flink's SavepointHandlers, StopWithSavepointHandler,
// SavepointDisposalHandlers): triggered asynchronously, polled by trigger id.
import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { getFileSystem } from '../../hdfs/index.js';
import { loadSnapshot } from '../checkpoint/SavepointLoader.js';
import { RestHandlerException } from './messages/ErrorResponseBody.js';
import { type JobView, isGloballyTerminal, jobState } from './messages/common.js';
import { newTriggerId } from './messages/AsynchronousOperations.js';
import type { TriggerResponse } from './messages/CheckpointTrigger.js';
import {
  type DisposalStatus, type SavepointStatus, SavepointDisposalOperations, SavepointOperations,
  parseSavepointDisposalRequest, parseSavepointTriggerRequest, parseStopWithSavepointRequest,
} from './messages/SavepointTrigger.js';

export interface SavepointRouteContext {
  route(method: HTTPMethods, path: string, schema: Record<string, unknown>, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void;
  view(jobId: string): JobView;
}

const hex32 = { type: 'string', pattern: '^[0-9a-fA-F]{32}$' };
const jobIdParams = { type: 'object', required: ['jobid'], properties: { jobid: hex32 } };
const triggerParams = { type: 'object', required: ['jobid', 'triggerid'], properties: { jobid: hex32, triggerid: hex32 } };
const disposalParams = { type: 'object', required: ['triggerid'], properties: { triggerid: hex32 } };

const param = (req: FastifyRequest, name: string): string => (req.params as Record<string, string>)[name]!;

/** The savepoint operations of one REST endpoint; close() clears their expiry timers. */
export class SavepointHandlers {
  private readonly savepoints = new SavepointOperations();
  private readonly disposals = new SavepointDisposalOperations();

  register(ctx: SavepointRouteContext): void {
    ctx.route('POST', '/jobs/:jobid/savepoints', { params: jobIdParams }, async (req, reply) => this.trigger(ctx, req, reply, 'savepoints', 'savepoint',
      () => parseSavepointTriggerRequest(req.body), '{"target-directory"?: <dir>, "cancel-job"?: boolean, "formatType"?: "CANONICAL" | "NATIVE", "triggerId"?: <32 hex>}',
      (v, r) => v.master.triggerSavepoint(r.targetDirectory, r.cancelJob)));
    ctx.route('POST', '/jobs/:jobid/stop', { params: jobIdParams }, async (req, reply) => this.trigger(ctx, req, reply, 'stop', 'stop-with-savepoint',
      () => parseStopWithSavepointRequest(req.body), '{"targetDirectory"?: <dir>, "drain"?: boolean, "formatType"?: "CANONICAL" | "NATIVE", "triggerId"?: <32 hex>}',
      (v, r) => v.master.stopWithSavepoint(r.targetDirectory, r.drain)));
    ctx.route('GET', '/jobs/:jobid/savepoints/:triggerid', { params: triggerParams }, async (req): Promise<SavepointStatus> => {
      const { master } = ctx.view(param(req, 'jobid'));
      const triggerId = param(req, 'triggerid').toLowerCase();
      const status = this.savepoints.status(master.jobId, triggerId);
      if (!status) throw new RestHandlerException(404, `There is no savepoint operation with triggerId=${triggerId} for job ${master.jobId}.`);
      return status;
    });
    ctx.route('POST', '/savepoint-disposal', {}, async (req, reply) => {
      const r = this.parse(() => parseSavepointDisposalRequest(req.body), 'POST /savepoint-disposal', '{"savepoint-path": <savepoint directory>}');
      const triggerId = r.triggerId ?? newTriggerId();
      this.disposals.start(triggerId, () => disposeSavepoint(r.savepointPath));
      reply.code(202);
      return { 'request-id': triggerId } satisfies TriggerResponse;
    });
    ctx.route('GET', '/savepoint-disposal/:triggerid', { params: disposalParams }, async (req): Promise<DisposalStatus> => {
      const triggerId = param(req, 'triggerid').toLowerCase();
      const status = this.disposals.status(triggerId);
      if (!status) throw new RestHandlerException(404, `There is no savepoint disposal operation with triggerId=${triggerId}.`);
      return status;
    });
  }

  /**
   * Waits (up to `timeoutMs`) until every savepoint operation's result was read: an application
   * cluster ends with its job, and a stop-with-savepoint client still has to learn the path.
   */
  async awaitResultsFetched(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.savepoints.unfetched > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  close(): void {
    this.savepoints.close();
    this.disposals.close();
  }

  /** POST /jobs/:jobid/<path>: validates the body, starts the operation, answers its trigger id (202). */
  private trigger<R extends { triggerId: string | undefined }>(ctx: SavepointRouteContext, req: FastifyRequest, reply: FastifyReply, path: string, what: string,
    parse: () => R, expected: string, run: (v: JobView, r: R) => Promise<string>): TriggerResponse {
    const v = ctx.view(param(req, 'jobid'));
    const r = this.parse(parse, `POST /jobs/${v.master.jobId}/${path}`, expected);
    this.checkRunning(v, what);
    const triggerId = r.triggerId ?? newTriggerId();
    this.savepoints.start(v.master.jobId, triggerId, () => run(v, r));
    reply.code(202);
    return { 'request-id': triggerId };
  }

  private parse<T>(f: () => T, what: string, expected: string): T {
    try {
      return f();
    } catch (e) {
      throw new RestHandlerException(400, `Invalid body of ${what}: ${(e as Error).message}. Expected ${expected} or no body.`);
    }
  }

  private checkRunning(v: JobView, what: string): void {
    const state = jobState(v);
    if (isGloballyTerminal(state)) throw new RestHandlerException(409, `Job ${v.master.jobId} has already reached the terminal state ${state}; it takes no ${what}.`);
  }
}

/**
 * Deletes a savepoint: only a directory holding a readable `_metadata` (so a mistyped path never
 * deletes an arbitrary directory).
 */
export async function disposeSavepoint(path: string): Promise<void> {
  const { directory } = await loadSnapshot(path);
  await getFileSystem(directory).delete(directory, true);
}
