// What the handlers of runtime/rest/handlers get from the RestServerEndpoint: route registration
// (Flink's paths, also under /v1) and the lookups every handler needs.
import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { JobView } from '../messages/common.js';
import type { SlotManager, RegisteredTaskExecutor } from '../../jobmanager/resourcemanager/SlotManager.js';
import type { ExecutionJobVertex } from '../../graph/executiongraph/ExecutionGraph.js';
import type { Configuration } from '../../configuration/index.js';
import { RestHandlerException } from '../messages/ErrorResponseBody.js';

export type RouteHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface RestHandlerContext {
  route(method: HTTPMethods, path: string, schema: Record<string, unknown>, handler: RouteHandler): void;
  /** The job, or a 404 naming it. */
  view(jobId: string): JobView;
  slotManager: SlotManager;
  configuration: Configuration;
}

export function param(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string>)[name] ?? '';
}

export function query(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, string | string[] | undefined> | undefined)?.[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function vertexOf(ctx: RestHandlerContext, req: FastifyRequest): { view: JobView; vertex: ExecutionJobVertex } {
  const view = ctx.view(param(req, 'jobid'));
  const vertexId = param(req, 'vertexid').toLowerCase();
  const vertex = view.master.executionGraph.jobVertices.get(vertexId);
  if (!vertex) throw new RestHandlerException(404, `Vertex ${vertexId} not found in job ${view.master.jobId}`, [`GET /jobs/${view.master.jobId} lists its vertices.`]);
  return { view, vertex };
}

export function taskManagerOf(ctx: RestHandlerContext, req: FastifyRequest): RegisteredTaskExecutor {
  const id = param(req, 'taskmanagerid');
  const te = ctx.slotManager.getRegistration(id);
  if (!te) throw new RestHandlerException(404, `Could not find TaskExecutor ${id}.`, ['GET /taskmanagers lists the registered TaskManagers.']);
  return te;
}

export const jobIdParam = { type: 'string', pattern: '^[0-9a-fA-F]{32}$' } as const;
export const vertexParams = {
  type: 'object', required: ['jobid', 'vertexid'],
  properties: { jobid: jobIdParam, vertexid: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' } },
} as const;
export const jobParams = { type: 'object', required: ['jobid'], properties: { jobid: jobIdParam } } as const;
export const taskManagerParams = {
  type: 'object', required: ['taskmanagerid'],
  properties: { taskmanagerid: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,256}$' } },
} as const;
