// Flink's metric REST handlers (JobManagerMetricsHandler, TaskManagerMetricsHandler,
// JobMetricsHandler, JobVertexMetricsHandler, AggregatingSubtasksMetricsHandler,
// SubtaskMetricsHandler, JobVertexWatermarksHandler, JobVertexBackPressureHandler).
import { RestHandlerException } from '../../messages/ErrorResponseBody.js';
import { type RestHandlerContext, jobParams, param, query, taskManagerParams, taskManagerOf, vertexOf, vertexParams } from '../RestHandlerContext.js';
import type { MetricFetcher } from './MetricFetcher.js';
import type { ComponentMetrics } from './MetricStore.js';
import { type ReporterEndpoint, reachableHost } from '../../../metrics/MetricRegistry.js';
import { JobManagerOptions } from '../../../configuration/index.js';

type MetricEntry = { id: string; value?: string };
type AggregatedMetric = { id: string; min?: number; max?: number; avg?: number; sum?: number };
const AGGREGATIONS = ['min', 'max', 'avg', 'sum'] as const;
type Aggregation = (typeof AGGREGATIONS)[number];

/** Flink's AbstractMetricsHandler: no `get` lists the ids; `get=a,b` answers the known ones (unknown ones are left out). */
export function selectMetrics(metrics: ReadonlyMap<string, string>, get: string | undefined): MetricEntry[] {
  if (get === undefined) return [...metrics.keys()].sort().map((id) => ({ id }));
  return names(get).filter((id) => metrics.has(id)).map((id) => ({ id, value: metrics.get(id)! }));
}

function names(get: string): string[] { return [...new Set(get.split(',').map((n) => n.trim()).filter((n) => n !== ''))]; }

export function registerMetricHandlers(ctx: RestHandlerContext, fetcher: MetricFetcher, reporters: () => readonly ReporterEndpoint[]): void {
  ctx.route('GET', '/jobmanager/metrics', {}, async (req) => selectMetrics((await fetcher.update()).jobManager, query(req, 'get')));
  // tsflink: the JobManager's reporter ports (a port of a range on YARN); TaskManagers' are in /taskmanagers.
  ctx.route('GET', '/jobmanager/metric-reporters', {}, async () => {
    const advertised = ctx.configuration.get(JobManagerOptions.ADDRESS);
    return { reporters: reporters().map((r) => ({ name: r.name, host: reachableHost(r.host, advertised), port: r.port })) };
  });

  ctx.route('GET', '/taskmanagers/:taskmanagerid/metrics', { params: taskManagerParams }, async (req) => {
    const te = taskManagerOf(ctx, req);
    const store = await fetcher.update();
    return selectMetrics(store.taskManagers.get(te.gateway.taskManagerId) ?? new Map(), query(req, 'get'));
  });

  ctx.route('GET', '/jobs/:jobid/metrics', { params: jobParams }, async (req) => {
    const { master } = ctx.view(param(req, 'jobid'));
    return selectMetrics((await fetcher.update()).jobs.get(master.jobId)?.metrics ?? new Map(), query(req, 'get'));
  });

  ctx.route('GET', '/jobs/:jobid/vertices/:vertexid/metrics', { params: vertexParams }, async (req) => {
    const { view, vertex } = vertexOf(ctx, req);
    const task = (await fetcher.update()).jobs.get(view.master.jobId)?.tasks.get(vertex.id);
    return selectMetrics(task?.metrics ?? new Map(), query(req, 'get'));
  });

  ctx.route('GET', '/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics', {
    params: { ...vertexParams, required: [...vertexParams.required, 'subtaskindex'], properties: { ...vertexParams.properties, subtaskindex: { type: 'integer', minimum: 0 } } },
  }, async (req) => {
    const { view, vertex } = vertexOf(ctx, req);
    const i = Number(param(req, 'subtaskindex'));
    if (i >= vertex.parallelism) throw new RestHandlerException(404, `Subtask ${i} of vertex ${vertex.id} does not exist: its parallelism is ${vertex.parallelism} (subtasks 0-${vertex.parallelism - 1}).`);
    const st = (await fetcher.update()).jobs.get(view.master.jobId)?.tasks.get(vertex.id)?.subtasks.get(i);
    return selectMetrics(st?.metrics ?? new Map(), query(req, 'get'));
  });

  ctx.route('GET', '/jobs/:jobid/vertices/:vertexid/subtasks/metrics', { params: vertexParams }, async (req) => {
    const { view, vertex } = vertexOf(ctx, req);
    const task = (await fetcher.update()).jobs.get(view.master.jobId)?.tasks.get(vertex.id);
    const wanted = parseSubtasks(query(req, 'subtasks'), vertex.parallelism);
    const stores: ComponentMetrics[] = [];
    for (const [i, st] of task?.subtasks ?? []) if (!wanted || wanted.has(i)) stores.push(st.metrics);
    return aggregateOrList(stores, query(req, 'get'), query(req, 'agg'));
  });

  // Flink's AggregatingTaskManagersMetricsHandler / AggregatingJobsMetricsHandler: one metric over many components.
  ctx.route('GET', '/taskmanagers/metrics', {}, async (req) => {
    const store = await fetcher.update();
    const wanted = idList(query(req, 'taskmanagers'));
    const stores = [...store.taskManagers].filter(([id]) => !wanted || wanted.has(id)).map(([, m]) => m);
    return aggregateOrList(stores, query(req, 'get'), query(req, 'agg'));
  });
  ctx.route('GET', '/jobs/metrics', {}, async (req) => {
    const store = await fetcher.update();
    const wanted = idList(query(req, 'jobs'));
    const stores = [...store.jobs].filter(([id]) => !wanted || wanted.has(id)).map(([, j]) => j.metrics);
    return aggregateOrList(stores, query(req, 'get'), query(req, 'agg'));
  });

  ctx.route('GET', '/jobs/:jobid/vertices/:vertexid/watermarks', { params: vertexParams }, async (req) => {
    const { view, vertex } = vertexOf(ctx, req);
    const task = (await fetcher.update()).jobs.get(view.master.jobId)?.tasks.get(vertex.id);
    const out: MetricEntry[] = [];
    for (let i = 0; i < vertex.parallelism; i++) {
      const v = task?.subtasks.get(i)?.metrics.get('currentInputWatermark');
      if (v !== undefined) out.push({ id: `${i}.currentInputWatermark`, value: v });
    }
    return out;
  });

  ctx.route('GET', '/jobs/:jobid/vertices/:vertexid/backpressure', { params: vertexParams }, async (req) => {
    const { view, vertex } = vertexOf(ctx, req);
    const task = (await fetcher.update()).jobs.get(view.master.jobId)?.tasks.get(vertex.id);
    const subtasks = [];
    let max = 0;
    for (const ev of vertex.taskVertices) {
      const m = task?.subtasks.get(ev.subtaskIndex)?.metrics;
      const bp = num(m?.get('backPressuredTimeMsPerSecond'));
      if (m === undefined || bp === undefined) continue;
      const ratio = bp / 1000;
      max = Math.max(max, ratio);
      subtasks.push({
        subtask: ev.subtaskIndex, 'attempt-number': ev.currentExecution.attemptNumber, backpressureLevel: level(ratio), ratio,
        idleRatio: (num(m.get('idleTimeMsPerSecond')) ?? 0) / 1000, busyRatio: (num(m.get('busyTimeMsPerSecond')) ?? 0) / 1000,
      });
    }
    // Flink answers "deprecated" while no subtask reported its back-pressure metrics yet.
    if (subtasks.length === 0) return { status: 'deprecated' };
    return { status: 'ok', backpressureLevel: level(max), 'end-timestamp': Date.now(), subtasks };
  });
}

/** Without `get`: the ids any of the stores has; with it: the aggregates of those names. */
function aggregateOrList(stores: readonly ComponentMetrics[], get: string | undefined, agg: string | undefined): Array<{ id: string }> | AggregatedMetric[] {
  if (get === undefined) {
    const ids = new Set<string>();
    for (const s of stores) for (const k of s.keys()) ids.add(k);
    return [...ids].sort().map((id) => ({ id }));
  }
  return aggregate(stores, names(get), parseAggregations(agg));
}

function idList(spec: string | undefined): Set<string> | undefined { return spec === undefined ? undefined : new Set(names(spec)); }

/** Flink's JobVertexBackPressureInfo levels: ratio of time back-pressured, ok ≤ 0.10 < low ≤ 0.5 < high. */
export function level(ratio: number): 'ok' | 'low' | 'high' {
  return ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high';
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v === 'true' ? 1 : v === 'false' ? 0 : v);
  return Number.isFinite(n) ? n : undefined;
}

function parseAggregations(agg: string | undefined): readonly Aggregation[] {
  if (agg === undefined) return AGGREGATIONS;
  const out: Aggregation[] = [];
  for (const a of names(agg)) {
    if (!(AGGREGATIONS as readonly string[]).includes(a)) throw new RestHandlerException(400, `Invalid agg '${a}': expected a comma-separated list of ${AGGREGATIONS.join(', ')}.`);
    out.push(a as Aggregation);
  }
  return out;
}

/** Flink's SubtasksFilterQueryParameter: '1,3,5-9'. */
function parseSubtasks(spec: string | undefined, parallelism: number): Set<number> | undefined {
  if (spec === undefined) return undefined;
  const out = new Set<number>();
  for (const part of names(spec)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new RestHandlerException(400, `Invalid subtasks '${spec}': expected subtask indexes and ranges such as 1,3,5-9 (0-${parallelism - 1}).`);
    const from = Number(m[1]), to = m[2] !== undefined ? Number(m[2]) : from;
    for (let i = from; i <= to && i < parallelism; i++) out.add(i);
  }
  return out;
}

function aggregate(stores: readonly ComponentMetrics[], ids: readonly string[], aggs: readonly Aggregation[]): AggregatedMetric[] {
  const out: AggregatedMetric[] = [];
  for (const id of ids) {
    let min = Infinity, max = -Infinity, sum = 0, n = 0;
    for (const s of stores) {
      const v = num(s.get(id));
      if (v === undefined) continue;
      min = Math.min(min, v); max = Math.max(max, v); sum += v; n++;
    }
    if (n === 0) continue; // unknown everywhere: left out, as Flink does
    const e: AggregatedMetric = { id };
    for (const a of aggs) e[a] = a === 'min' ? min : a === 'max' ? max : a === 'sum' ? sum : sum / n;
    out.push(e);
  }
  return out;
}
