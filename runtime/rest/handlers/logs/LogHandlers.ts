// Flink's log and thread-dump handlers: /jobmanager/{logs,log,stdout,logs/:name,thread-dump} read
// this process's files; /taskmanagers/:id/{…} ask the TaskManager over its RPC connection.
import type { FastifyReply } from 'fastify';
import { RestHandlerException } from '../../messages/ErrorResponseBody.js';
import { type LogLocation, LogFileException, listLogs, mainThreadInfo, readLog } from '../../../metrics/logs/LogFiles.js';
import type { RegisteredTaskExecutor } from '../../../jobmanager/resourcemanager/SlotManager.js';
import { type RestHandlerContext, param, taskManagerOf, taskManagerParams } from '../RestHandlerContext.js';

/** How much of a log file one request returns (its end): large logs stay readable in a browser. */
export const MAX_LOG_BYTES = 8 * 1024 * 1024;
const nameParams = { type: 'object', required: ['filename'], properties: { filename: { type: 'string', minLength: 1, maxLength: 255 } } } as const;
const tmNameParams = { type: 'object', required: ['taskmanagerid', 'filename'], properties: { ...taskManagerParams.properties, ...nameParams.properties } } as const;

export function registerLogHandlers(ctx: RestHandlerContext, jobManagerLogs: () => Promise<LogLocation>): void {
  const text = (reply: FastifyReply, body: string): string => { reply.type('text/plain; charset=utf-8'); return body; };
  const local = async (name: string): Promise<string> => {
    try { return await readLog(await jobManagerLogs(), name, MAX_LOG_BYTES); } catch (e) { throw asRest(e); }
  };
  ctx.route('GET', '/jobmanager/logs', {}, async () => ({ logs: await listLogs(await jobManagerLogs()) }));
  ctx.route('GET', '/jobmanager/log', {}, async (_req, reply) => text(reply, await local('log')));
  ctx.route('GET', '/jobmanager/stdout', {}, async (_req, reply) => text(reply, await local('stdout')));
  ctx.route('GET', '/jobmanager/logs/:filename', { params: nameParams }, async (req, reply) => text(reply, await local(param(req, 'filename'))));
  ctx.route('GET', '/jobmanager/thread-dump', {}, async () => ({ threadInfos: [mainThreadInfo()] }));

  const remote = async (te: RegisteredTaskExecutor, name: string): Promise<string> => {
    const ask = te.gateway.requestLogFile;
    if (!ask) throw noLogs(te);
    try { return await ask.call(te.gateway, name, MAX_LOG_BYTES); } catch (e) { throw asRest(e); }
  };
  ctx.route('GET', '/taskmanagers/:taskmanagerid/logs', { params: taskManagerParams }, async (req) => {
    const te = taskManagerOf(ctx, req);
    return { logs: te.gateway.requestLogList ? await te.gateway.requestLogList() : [] };
  });
  ctx.route('GET', '/taskmanagers/:taskmanagerid/log', { params: taskManagerParams }, async (req, reply) => text(reply, await remote(taskManagerOf(ctx, req), 'log')));
  ctx.route('GET', '/taskmanagers/:taskmanagerid/stdout', { params: taskManagerParams }, async (req, reply) => text(reply, await remote(taskManagerOf(ctx, req), 'stdout')));
  ctx.route('GET', '/taskmanagers/:taskmanagerid/logs/:filename', { params: tmNameParams }, async (req, reply) =>
    text(reply, await remote(taskManagerOf(ctx, req), param(req, 'filename'))));
  ctx.route('GET', '/taskmanagers/:taskmanagerid/thread-dump', { params: taskManagerParams }, async (req) => {
    const te = taskManagerOf(ctx, req);
    // In-process TaskManagers share the JobManager's thread.
    return te.gateway.requestThreadDump ? te.gateway.requestThreadDump() : { threadInfos: [mainThreadInfo(['(TaskManager slots run in this thread)'])] };
  });
}

function noLogs(te: RegisteredTaskExecutor): RestHandlerException {
  return new RestHandlerException(404, `TaskManager ${te.gateway.taskManagerId} runs inside the JobManager process and has no log files of its own; see GET /jobmanager/log.`);
}

/** LogFileException (local, or by name from a TaskManager's RPC answer) → its status; the rest is the server's fault. */
function asRest(e: unknown): unknown {
  if (e instanceof LogFileException) return new RestHandlerException(e.status, e.message);
  const err = e as { name?: string; remoteName?: string; message?: string };
  if (err.name === 'LogFileException' || err.remoteName === 'LogFileException') {
    const msg = (err.message ?? '').replace(/^LogFileException:\s*/, '');
    return new RestHandlerException(/Illegal log file name/.test(msg) ? 400 : 404, msg);
  }
  return e;
}
