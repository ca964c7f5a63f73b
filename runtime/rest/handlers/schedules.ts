// REST of the schedules service (scheduled batch ETL, docs/scheduling.md): /schedules and
// /schedules/:name[/runs[/:runid]], with POST/PATCH/DELETE for the CLI verbs. Errors are Flink's
// {"errors": [...]} with 400 for bad input and 404 for unknown schedules or runs.
import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { RestHandlerException } from '../messages/ErrorResponseBody.js';
import { EtlScheduler, RunNotFoundError, ScheduleNotFoundError, type Reprocess } from '../../schedule/EtlScheduler.js';
import { ScheduleSpecError, parseScheduleYaml, validateScheduleSpec } from '../../schedule/ScheduleSpec.js';
import { runSummary, runView } from '../../schedule/ScheduleRun.js';
import { prometheusText } from '../../schedule/ScheduleMetrics.js';

type Route = (method: HTTPMethods, path: string, schema: Record<string, unknown>, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => void;

/** POST /schedules: the schedule as YAML text or a JSON object, and the job bundle the CLI built. */
export interface CreateScheduleRequest {
  yaml?: string;
  spec?: Record<string, unknown>;
  /** Base64 of the job bundle (one ESM file); without it the JobManager bundles `job` itself. */
  bundle?: string;
  /** The runtime URL the bundle imports (re-pinned on the JobManager). */
  tsflinkRuntime?: string;
  /** Names the source in errors (the client's file path). */
  source?: string;
}

const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' } } } as const;
const runParams = { type: 'object', required: ['name', 'runid'], properties: { name: nameParams.properties.name, runid: { type: 'string', pattern: '^[A-Za-z0-9_]{1,80}$' } } } as const;

function p(req: FastifyRequest, key: string): string { return (req.params as Record<string, string>)[key] ?? ''; }

/** Maps the scheduler's errors onto HTTP statuses. */
async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError || e instanceof RunNotFoundError) throw new RestHandlerException(404, e.message);
    if (e instanceof ScheduleSpecError) throw new RestHandlerException(400, e.message);
    throw e;
  }
}

export function registerScheduleHandlers(route: Route, scheduler: EtlScheduler): void {
  route('GET', '/schedules', {}, async () => ({ schedules: scheduler.schedules() }));
  route('POST', '/schedules', {}, async (req, reply) => guarded(async () => {
    const body = (req.body ?? {}) as CreateScheduleRequest;
    const source = typeof body.source === 'string' ? body.source : 'POST /schedules';
    if (typeof body.yaml !== 'string' && (body.spec === undefined || typeof body.spec !== 'object')) throw new ScheduleSpecError(`${source}: the request needs 'yaml' (the schedule file's text) or 'spec' (the schedule as JSON).`);
    const spec = typeof body.yaml === 'string' ? parseScheduleYaml(body.yaml, source) : validateScheduleSpec(body.spec, source);
    const bundle = typeof body.bundle === 'string' ? { code: Buffer.from(body.bundle, 'base64'), runtime: body.tsflinkRuntime ?? '' } : undefined;
    const result = await scheduler.upsert(spec, bundle);
    reply.code(result === 'created' ? 201 : 200);
    return { name: spec.name, result, schedule: scheduler.status(spec.name) };
  }));
  route('GET', '/schedules/-/metrics', {}, async (_req, reply) => {
    reply.header('content-type', 'text/plain; version=0.0.4');
    return prometheusText(scheduler);
  });
  route('GET', '/schedules/:name', { params: nameParams }, async (req) => guarded(() => ({ ...scheduler.status(p(req, 'name')), spec: scheduler.spec(p(req, 'name')) })));
  route('PATCH', '/schedules/:name', { params: nameParams }, async (req) => guarded(async () => {
    const paused = (req.body as { paused?: unknown } | undefined)?.paused;
    if (typeof paused !== 'boolean') throw new ScheduleSpecError(`PATCH /schedules/${p(req, 'name')} takes {"paused": true} (pause) or {"paused": false} (resume).`);
    await scheduler.setPaused(p(req, 'name'), paused);
    return scheduler.status(p(req, 'name'));
  }));
  route('DELETE', '/schedules/:name', { params: nameParams }, async (req) => guarded(async () => { await scheduler.delete(p(req, 'name')); return {}; }));
  route('POST', '/schedules/:name/trigger', { params: nameParams }, async (req) => guarded(async () => runView(await scheduler.trigger(p(req, 'name')))));
  route('POST', '/schedules/:name/backfill', { params: nameParams }, async (req) => guarded(async () => {
    const b = (req.body ?? {}) as { from?: unknown; to?: unknown; reprocess?: unknown; backwards?: unknown };
    if (typeof b.from !== 'string' || typeof b.to !== 'string') throw new ScheduleSpecError(`POST /schedules/${p(req, 'name')}/backfill takes {"from": "2026-01-01", "to": "2026-01-05", "reprocess": "none|failed|all", "backwards": false}.`);
    const reprocess = b.reprocess ?? 'none';
    if (reprocess !== 'none' && reprocess !== 'failed' && reprocess !== 'all') throw new ScheduleSpecError(`reprocess must be none, failed or all, got ${JSON.stringify(reprocess)}.`);
    const runs = await scheduler.backfill(p(req, 'name'), b.from, b.to, reprocess as Reprocess, b.backwards === true);
    return { runs: runs.map(runView) };
  }));
  // API.md: { runs: [{ runId, intervalStart, intervalEnd, state, attempt, jobId }] }; ?details=true adds kind, times, error, attempts.
  route('GET', '/schedules/:name/runs', { params: nameParams }, async (req) => guarded(() => {
    const details = (req.query as Record<string, string> | undefined)?.['details'] === 'true';
    return { runs: scheduler.runs(p(req, 'name')).map((r) => (details ? runView(r) : runSummary(r))) };
  }));
  route('GET', '/schedules/:name/runs/:runid', { params: runParams }, async (req) => guarded(() => runView(scheduler.run(p(req, 'name'), p(req, 'runid')))));
  route('POST', '/schedules/:name/runs/:runid/rerun', { params: runParams }, async (req) => guarded(async () => runView(await scheduler.rerun(p(req, 'name'), p(req, 'runid')))));
}
