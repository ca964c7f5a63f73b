// The JobManager's REST API (Flink's DispatcherRestEndpoint): Flink's paths and JSON keys, served
// with fastify. Handlers read the Dispatcher, JobMasters and the SlotManager directly; the JSON
// shapes live in ./messages (one file per response type).
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, win32 } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import { lookup } from 'node:dns/promises';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify';
import multipart from '@fastify/multipart';
import { repinBundleCode, tsflinkRuntimeUrl } from '../usercode/JobBundle.js';
import type { Dispatcher } from '../jobmanager/dispatcher/Dispatcher.js';
import type { ResourceManager } from '../jobmanager/resourcemanager/ResourceManager.js';
import { CheckpointingOptions, Configuration, CoreOptions, RestOptions } from '../configuration/index.js';
import type { JobMaster } from '../jobmanager/jobmaster/JobMaster.js';
import { type RestLogger, consoleRestLogger } from './RestLogger.js';
import { type RestAuthenticationOptions, RestAuthenticator, restAuthenticationRequired } from '../security/RestAuthentication.js';
import { type RestServerTlsOptions, loadRestServerTls } from '../security/SSLUtils.js';
import { RestHandlerException, internalServerError } from './messages/ErrorResponseBody.js';
import { registerScheduleHandlers } from './handlers/schedules.js';
import type { EtlScheduler } from '../schedule/EtlScheduler.js';
import { SavepointHandlers } from './SavepointHandlers.js';
import { type JobView, isGloballyTerminal, jobState } from './messages/common.js';
import { dashboardConfiguration } from './messages/DashboardConfiguration.js';
import { configurationInfo } from './messages/ConfigurationInfo.js';
import { clusterOverview } from './messages/ClusterOverview.js';
import { jobIdsWithStatus } from './messages/JobIdsWithStatusOverview.js';
import { multipleJobsDetails } from './messages/MultipleJobsDetails.js';
import { jobDetailsInfo } from './messages/JobDetailsInfo.js';
import { jobPlanInfo } from './messages/JobPlanInfo.js';
import { jobVertexDetailsInfo } from './messages/JobVertexDetailsInfo.js';
import { jobExceptionsInfo } from './messages/JobExceptionsInfo.js';
import { jobExecutionResult } from './messages/JobExecutionResultResponseBody.js';
import { taskManagerDetailsInfo, taskManagersInfo } from './messages/TaskManagersInfo.js';
import { type ClientCoordinationRequestBody, type ClientCoordinationResponseBody, type CollectCoordinationRequest, type CollectCoordinationResult, clientCoordinationRequestSchema, decodeCoordination, encodeCoordination, parseCollectRequest } from './messages/ClientCoordination.js';
import { type JobSubmitRequestBody, type JobSubmitResponseBody, REQUEST_PART, jobSubmitRequestSchema } from './messages/JobSubmitRequestBody.js';
import { type CheckpointConfigInfo, checkpointConfigInfo } from './messages/CheckpointConfigInfo.js';
import { type CheckpointTriggerStatus, type TriggerResponse, CheckpointTriggerOperations, parseCheckpointTriggerRequest } from './messages/CheckpointTrigger.js';
import { MetricRegistry } from '../metrics/MetricRegistry.js';
import { type LogLocation, resolveLogLocation } from '../metrics/logs/LogFiles.js';
import { JobManagerOptions, MetricOptions } from '../configuration/index.js';
import type { RestHandlerContext } from './handlers/RestHandlerContext.js';
import { JobManagerMetrics } from './handlers/metrics/JobManagerMetrics.js';
import { MetricFetcher } from './handlers/metrics/MetricFetcher.js';
import { registerMetricHandlers } from './handlers/metrics/MetricHandlers.js';
import { registerJobHandlers } from './handlers/job/JobHandlers.js';
import { registerLogHandlers } from './handlers/logs/LogHandlers.js';
import { WebMonitor, isWebAssetRequest } from '../webmonitor/WebMonitor.js';

export interface RestServerEndpointOptions {
  dispatcher: Dispatcher;
  resourceManager: ResourceManager;
  configuration: Configuration;
  /** Where uploaded job bundles are stored (created if missing); default <io.tmp.dirs[0]>/tsflink-web-upload. */
  uploadDir?: string;
  /** Default: lines on stderr. Pass silentRestLogger in tests. */
  logger?: RestLogger;
  /** Log URL of a TaskManager by resource id (`logUrl` of /taskmanagers entries), if the deployment knows it (YARN). */
  taskManagerLogUrl?: (resourceId: string) => string | undefined;
  /**
   * Bearer-token authentication (docs/deployment.md). Beyond loopback (rest.bind-address other
   * than localhost/127.0.0.1/::1) every request needs the token, so start() refuses to bind such an
   * address without one; `required` demands it on loopback too (YARN).
   */
  authentication?: RestAuthenticationOptions;
  /** The schedules service (scheduled batch ETL): /schedules… are served when it is given. */
  schedules?: EtlScheduler;
  /** The JobManager process's metric registry (its reporters read it too); default: one of the endpoint's own. */
  metricRegistry?: MetricRegistry;
}

const jobIdParams = {
  type: 'object',
  required: ['jobid'],
  properties: { jobid: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' } },
} as const;
const coordinatorParams = {
  type: 'object',
  required: ['jobid', 'operatorid'],
  properties: { jobid: jobIdParams.properties.jobid, operatorid: { type: 'string', pattern: '^[0-9]{1,9}$' } },
} as const;
const vertexParams = {
  type: 'object',
  required: ['jobid', 'vertexid'],
  properties: { jobid: jobIdParams.properties.jobid, vertexid: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' } },
} as const;
const checkpointParams = {
  type: 'object',
  required: ['jobid', 'checkpointid'],
  properties: { jobid: jobIdParams.properties.jobid, checkpointid: { type: 'string', pattern: '^[0-9]{1,15}$' } },
} as const;
const checkpointVertexParams = {
  type: 'object',
  required: ['jobid', 'checkpointid', 'vertexid'],
  properties: { ...checkpointParams.properties, vertexid: vertexParams.properties.vertexid },
} as const;
const triggerParams = {
  type: 'object',
  required: ['jobid', 'triggerid'],
  properties: { jobid: jobIdParams.properties.jobid, triggerid: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' } },
} as const;
/** What a malformed path parameter is told (400), by parameter name. */
const PARAM_ERRORS: Record<string, (value: string) => string> = {
  jobid: (v) => `Invalid job id '${v}': a job id is 32 hexadecimal characters.`,
  vertexid: (v) => `Invalid vertex id '${v}': a vertex id is 32 hexadecimal characters.`,
  checkpointid: (v) => `Invalid checkpoint id '${v}': a checkpoint id is a non-negative integer (the "id" of an entry in GET /jobs/<jobid>/checkpoints).`,
  triggerid: (v) => `Invalid trigger id '${v}': a trigger id is 32 hexadecimal characters (the "request-id" answered by POST /jobs/<jobid>/checkpoints).`,
};
const tmIdParams = {
  type: 'object',
  required: ['taskmanagerid'],
  properties: { taskmanagerid: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,256}$' } },
} as const;

interface Route { method: HTTPMethods; pattern: RegExp }

/** Hashes what flows through (the uploaded bundle) while it is written to disk. */
class HashingTransform extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
}

/** Rejects names that could point outside the upload directory (the name is never used as a path anyway). */
function checkUploadFileName(name: string): void {
  if (!name) throw new RestHandlerException(400, 'The job bundle part has no file name.');
  if (name.includes('\0') || isAbsolute(name) || win32.isAbsolute(name) || /[\\/]/.test(name) || name === '.' || name === '..') {
    throw new RestHandlerException(400, `Illegal file name '${name}' of the job bundle part: expected a plain file name without directories.`);
  }
}

export class RestServerEndpoint {
  private readonly dispatcher: Dispatcher;
  private readonly rm: ResourceManager;
  private readonly conf: Configuration;
  private readonly uploadDir: string;
  private readonly log: RestLogger;
  private readonly maxContentLength: number;
  private readonly routes: Route[] = [];
  private app: FastifyInstance | null = null;
  private readonly taskManagerLogUrl: ((resourceId: string) => string | undefined) | undefined;
  /** Manual checkpoint triggers by job and trigger id, kept after completion for polling (Flink's CompletedOperationCache). */
  private readonly checkpointTriggers = new CheckpointTriggerOperations();
  private readonly savepointHandlers = new SavepointHandlers();
  private readonly authOptions: RestAuthenticationOptions | undefined;
  private readonly schedules: EtlScheduler | undefined;
  private authenticator: RestAuthenticator | null = null;
  /** JobManager metrics and the store REST reads TaskManagers' metrics from (Flink's MetricFetcher). */
  private readonly jobManagerMetrics: JobManagerMetrics;
  private readonly metricFetcher: MetricFetcher;
  private readonly ownMetricRegistry: MetricRegistry | null;
  private readonly metricRegistry: MetricRegistry;
  private logLocation: Promise<LogLocation> | null = null;
  /** The web dashboard's files and job-file submission (runtime/webmonitor). */
  private readonly webMonitor: WebMonitor;
  private tls: RestServerTlsOptions | undefined;

  constructor(opts: RestServerEndpointOptions) {
    this.dispatcher = opts.dispatcher;
    this.rm = opts.resourceManager;
    this.conf = opts.configuration;
    this.uploadDir = opts.uploadDir ?? join(this.conf.get(CoreOptions.TMP_DIRS)[0] ?? tmpdir(), 'tsflink-web-upload');
    this.log = opts.logger ?? consoleRestLogger;
    this.maxContentLength = this.conf.get(RestOptions.SERVER_MAX_CONTENT_LENGTH);
    this.taskManagerLogUrl = opts.taskManagerLogUrl;
    this.authOptions = opts.authentication;
    this.schedules = opts.schedules;
    this.ownMetricRegistry = opts.metricRegistry ? null : new MetricRegistry();
    const registry = opts.metricRegistry ?? this.ownMetricRegistry!;
    this.metricRegistry = registry;
    // Process metrics only where the registry is the process's own (an entrypoint's), not in test clusters sharing a thread.
    this.jobManagerMetrics = new JobManagerMetrics(registry, this.conf.get(JobManagerOptions.ADDRESS), this.dispatcher, this.rm.slotManager, opts.metricRegistry !== undefined);
    this.metricFetcher = new MetricFetcher(registry, this.rm.slotManager, this.conf.get(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL),
      () => new Set(this.dispatcher.allJobs().map((m) => m.jobId)));
    this.webMonitor = new WebMonitor(this.dispatcher, this.uploadDir, this.log);
  }

  /** 'https' with security.ssl.rest.enabled (known once started). */
  get scheme(): 'http' | 'https' { return this.tls ? 'https' : 'http'; }

  /** Whether requests must present the bearer token (known once started). */
  get authenticationRequired(): boolean { return this.authenticator?.required ?? false; }

  /** Binds rest.bind-address and rest.bind-port (a port or range) / rest.port; 0 = any free port. */
  async start(): Promise<{ address: string; port: number }> {
    if (this.app) throw new Error('RestServerEndpoint already started');
    await mkdir(this.uploadDir, { recursive: true, mode: 0o700 });
    const host = this.conf.get(RestOptions.BIND_ADDRESS);
    this.tls = loadRestServerTls(this.conf); // a bad keystore fails start-up, naming the key
    this.authenticator = await this.createAuthenticator(host);
    const ports = this.candidatePorts();
    let lastError: unknown;
    for (const port of ports) {
      const app = await this.buildApp();
      try {
        await app.listen({ host, port });
      } catch (e) {
        await app.close().catch(() => undefined);
        lastError = e;
        if ((e as { code?: string }).code === 'EADDRINUSE') continue;
        throw e;
      }
      this.app = app;
      const a = app.server.address() as AddressInfo;
      const tlsNote = this.tls ? (this.tls.requestCert ? '; HTTPS, client certificates required' : '; HTTPS') : '';
      this.log.info(`REST endpoint listening at ${this.scheme}://${a.address}:${a.port} (uploads in ${this.uploadDir}; ${this.authenticator.required ? 'every request needs the bearer token' : 'loopback only, no credential needed'}${tlsNote})`);
      return { address: a.address, port: a.port };
    }
    throw new Error(`Could not bind the REST endpoint to ${host} on port(s) ${ports.join(', ')}: ${(lastError as Error | undefined)?.message ?? 'no port'}`, { cause: lastError });
  }

  /** Before an application cluster ends: lets clients read the results of their savepoint operations (at most `timeoutMs`). */
  awaitOperationResultsFetched(timeoutMs: number): Promise<void> { return this.savepointHandlers.awaitResultsFetched(timeoutMs); }

  async close(): Promise<void> {
    const app = this.app;
    this.app = null;
    if (app) await app.close();
    this.checkpointTriggers.close();
    this.jobManagerMetrics.close();
    this.ownMetricRegistry?.close();
    this.savepointHandlers.close();
  }

  private async createAuthenticator(bindAddress: string): Promise<RestAuthenticator> {
    const opts = this.authOptions ?? {};
    const required = restAuthenticationRequired(bindAddress, opts);
    if (required && !opts.token) {
      throw new Error(`The REST endpoint would listen on ${bindAddress} (rest.bind-address), beyond localhost, without authentication: it accepts job bundles, i.e. runs code. ` +
        'Start it with the cluster secret (tsflink jobmanager does), or bind it to 127.0.0.1 (rest.bind-address=127.0.0.1).');
    }
    const proxies: string[] = [];
    for (const h of opts.proxyHosts ?? []) {
      try {
        for (const a of await lookup(h, { all: true })) proxies.push(a.address);
      } catch (e) {
        this.log.warn(`YARN web proxy host ${h} does not resolve (${(e as Error).message}); requests through it need the token`);
      }
    }
    return new RestAuthenticator(opts, required, proxies);
  }

  private candidatePorts(): number[] {
    const bind = this.conf.get(RestOptions.BIND_PORT);
    if (bind === undefined || bind.trim() === '') return [this.conf.get(RestOptions.PORT)];
    const out: number[] = [];
    for (const part of bind.split(',')) {
      const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
      if (!m) throw new Error(`Invalid rest.bind-port '${bind}': expected a port, a range 'from-to', or a comma-separated list of them.`);
      const from = Number(m[1]), to = m[2] !== undefined ? Number(m[2]) : from;
      for (let p = from; p <= to && out.length < 10_000; p++) out.push(p);
    }
    return out;
  }

  private views(): JobView[] {
    return this.dispatcher.allJobs().map((master) => ({ master, result: this.dispatcher.getJobResult(master.jobId) }));
  }

  private view(jobId: string): JobView {
    const id = jobId.toLowerCase();
    const master = this.dispatcher.getJob(id);
    if (!master) throw new RestHandlerException(404, `Job ${id} not found`);
    return { master, result: this.dispatcher.getJobResult(id) };
  }

  private async buildApp(): Promise<FastifyInstance> {
    this.routes.length = 0;
    // security.ssl.rest.enabled: the same routes over HTTPS (Fastify then types the server as https.Server).
    const app = Fastify({ logger: false, bodyLimit: this.maxContentLength, ...(this.tls ? { https: this.tls } : {}) }) as unknown as FastifyInstance;
    await app.register(multipart, {
      // Busboy would strip directories from file names, hiding a traversal attempt: keep them to reject it.
      preservePath: true,
      limits: { fileSize: this.maxContentLength, fieldSize: this.maxContentLength, files: 1, fields: 8, parts: 16, fieldNameSize: 200, headerPairs: 100 },
    });

    // Before anything reads the body: an unauthenticated upload is never stored.
    const auth = this.authenticator!;
    app.addHook('onRequest', async (req, reply) => {
      // The dashboard's own files carry no cluster data; the page must load to ask for the token.
      if (isWebAssetRequest(req.method, req.url)) return;
      const r = auth.check({ method: req.method, authorization: req.headers.authorization, remoteAddress: req.socket.remoteAddress });
      if (r.ok) return;
      // Close rather than drain what the client may still be sending (a job bundle).
      reply.header('connection', 'close').header('www-authenticate', 'Bearer realm="tsflink"');
      return reply.code(401).send({ errors: [r.message] });
    });

    // Refuse an oversized body before reading it (Flink: 413 from its HTTP aggregator).
    app.addHook('onRequest', async (req, reply) => {
      const len = Number(req.headers['content-length']);
      if (Number.isFinite(len) && len > this.maxContentLength) {
        reply.header('connection', 'close');
        await reply.code(413).send({ errors: [this.tooLargeMessage()] });
      }
    });

    app.setErrorHandler((err: FastifyError, req, reply) => {
      const { status, body } = this.toErrorResponse(err, req);
      if (status >= 500) this.log.error(`${req.method} ${req.url} failed`, err);
      void reply.code(status).send(body);
    });

    app.setNotFoundHandler((req, reply) => {
      const path = (req.url.split('?')[0] ?? '').replace(/^\/v1(?=\/)/, '');
      const allowed = [...new Set(this.routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
      if (allowed.length > 0) {
        void reply.code(405).header('allow', allowed.join(', ')).send({ errors: [`Method ${req.method} is not allowed for ${path} (allowed: ${allowed.join(', ')}).`] });
        return;
      }
      void reply.code(404).send({ errors: [`Not found: ${path}`] });
    });

    this.route(app, 'GET', '/config', {}, async () => dashboardConfiguration(this.conf));
    if (this.schedules) registerScheduleHandlers((method, path, schema, handler) => this.route(app, method, path, schema, handler), this.schedules);
    this.route(app, 'GET', '/jobmanager/config', {}, async () => configurationInfo(this.conf));
    this.route(app, 'GET', '/overview', {}, async () => clusterOverview(this.rm.slotManager, this.views()));
    this.route(app, 'GET', '/jobs', {}, async () => jobIdsWithStatus(this.views()));
    this.route(app, 'GET', '/jobs/overview', {}, async () => multipleJobsDetails(this.views()));
    this.route(app, 'POST', '/jobs', {}, async (req, reply) => { reply.code(202); return this.submitJob(req); });
    this.route(app, 'GET', '/jobs/:jobid', { params: jobIdParams }, async (req) => jobDetailsInfo(this.view(param(req, 'jobid'))));
    this.route(app, 'PATCH', '/jobs/:jobid', {
      params: jobIdParams,
      querystring: { type: 'object', properties: { mode: { type: 'string', enum: ['cancel'] } } },
    }, async (req, reply) => { await this.cancelJob(param(req, 'jobid')); reply.code(202); return {}; });
    this.route(app, 'GET', '/jobs/:jobid/plan', { params: jobIdParams }, async (req) => jobPlanInfo(this.view(param(req, 'jobid')).master.job.jobGraph));
    this.route(app, 'GET', '/jobs/:jobid/exceptions', {
      params: jobIdParams,
      querystring: { type: 'object', properties: { maxExceptions: { type: 'integer', minimum: 0 } } },
    }, async (req) => {
      const max = (req.query as { maxExceptions?: number }).maxExceptions;
      return jobExceptionsInfo(this.view(param(req, 'jobid')), this.rm.slotManager, max ?? 20);
    });
    this.route(app, 'GET', '/jobs/:jobid/vertices/:vertexid', { params: vertexParams }, async (req) => {
      const { master } = this.view(param(req, 'jobid'));
      const vertexId = param(req, 'vertexid').toLowerCase();
      const jv = master.executionGraph.jobVertices.get(vertexId);
      if (!jv) throw new RestHandlerException(404, `Vertex ${vertexId} not found in job ${master.jobId}`);
      return jobVertexDetailsInfo(master, jv, this.rm.slotManager);
    });
    this.route(app, 'POST', '/jobs/:jobid/coordinators/:operatorid', { params: coordinatorParams, body: clientCoordinationRequestSchema }, async (req) => {
      const view = this.view(param(req, 'jobid'));
      const nodeId = Number(param(req, 'operatorid'));
      let request: CollectCoordinationRequest;
      try {
        request = parseCollectRequest(decodeCoordination((req.body as ClientCoordinationRequestBody).serializedCoordinationRequest));
      } catch (e) {
        throw new RestHandlerException(400, `Bad coordination request for operator ${nodeId} of job ${view.master.jobId}: ${(e as Error).message}`);
      }
      const all = view.master.collectedValues(nodeId);
      if (!all) throw new RestHandlerException(404, `Job ${view.master.jobId} has no coordinator for operator ${nodeId} (only collect sinks, by stream node id, take client requests).`);
      // done: globally terminal and archived, so the values are final.
      const done = view.result !== undefined;
      const values = all.slice(request.offset, request.offset + request.maxValues);
      const result: CollectCoordinationResult = { values, offset: request.offset, total: all.length, done, jobStatus: jobState(view) };
      const body: ClientCoordinationResponseBody = { serializedCoordinationResult: encodeCoordination(result) };
      return body;
    });
    this.route(app, 'GET', '/jobs/:jobid/execution-result', { params: jobIdParams }, async (req) => jobExecutionResult(this.view(param(req, 'jobid')).result));
    this.checkpointRoutes(app);
    // Metrics, job configuration, subtask times, logs and thread dumps (runtime/rest/handlers).
    const ctx: RestHandlerContext = {
      route: (method, path, schema, handler) => this.route(app, method, path, schema, handler),
      view: (id) => this.view(id), slotManager: this.rm.slotManager, configuration: this.conf,
    };
    registerMetricHandlers(ctx, this.metricFetcher, () => this.metricRegistry.reporterEndpoints);
    registerJobHandlers(ctx);
    registerLogHandlers(ctx, () => (this.logLocation ??= resolveLogLocation('jobmanager', this.conf.getOptional(MetricOptions.LOG_DIR))));
    this.webMonitor.register(app, ctx);
    this.route(app, 'GET', '/taskmanagers', {}, async () => taskManagersInfo(this.rm.slotManager.registered(), this.taskManagerLogUrl));
    this.route(app, 'GET', '/taskmanagers/:taskmanagerid', { params: tmIdParams }, async (req) => {
      const id = param(req, 'taskmanagerid');
      const te = this.rm.slotManager.getRegistration(id);
      if (!te) throw new RestHandlerException(404, `Could not find TaskExecutor ${id}.`);
      return taskManagerDetailsInfo(te, this.taskManagerLogUrl);
    });
    return app;
  }

  /** /jobs/:jobid/checkpoints…: statistics, configuration, and manual triggers polled by trigger id. */
  private checkpointRoutes(app: FastifyInstance): void {
    // Statistics exist for every job (zeros without checkpointing), as in Flink ≥ 1.17 where the
    // scheduler always has a checkpoint stats tracker.
    this.route(app, 'GET', '/jobs/:jobid/checkpoints', { params: jobIdParams }, async (req) => this.view(param(req, 'jobid')).master.checkpointStats.checkpointingStatistics());
    this.route(app, 'GET', '/jobs/:jobid/checkpoints/config', { params: jobIdParams }, async (req) => this.checkpointConfig(this.view(param(req, 'jobid'))));
    this.route(app, 'GET', '/jobs/:jobid/checkpoints/details/:checkpointid', { params: checkpointParams }, async (req) => {
      const { master } = this.view(param(req, 'jobid'));
      const id = Number(param(req, 'checkpointid'));
      const details = master.checkpointStats.checkpointDetails(id);
      if (!details) throw unknownCheckpoint(master.jobId, id);
      return details;
    });
    this.route(app, 'GET', '/jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid', { params: checkpointVertexParams }, async (req) => {
      const { master } = this.view(param(req, 'jobid'));
      const id = Number(param(req, 'checkpointid'));
      const vertexId = param(req, 'vertexid').toLowerCase();
      if (!master.checkpointStats.checkpointDetails(id)) throw unknownCheckpoint(master.jobId, id);
      const details = master.checkpointStats.taskCheckpointStatisticsWithSubtaskDetails(id, vertexId);
      // Flink's TaskCheckpointStatisticDetailsHandler message, with where to look.
      if (!details) throw new RestHandlerException(404, `There is no checkpoint statistics for task ${vertexId} in checkpoint ${id} of job ${master.jobId} (the vertex ids are the keys of "tasks" in GET /jobs/${master.jobId}/checkpoints/details/${id}).`);
      return details;
    });
    this.savepointHandlers.register({ route: (method, path, schema, handler) => this.route(app, method, path, schema, handler), view: (id) => this.view(id) });
    this.route(app, 'POST', '/jobs/:jobid/checkpoints', { params: jobIdParams }, async (req, reply) => {
      const body = this.triggerCheckpoint(this.view(param(req, 'jobid')), req.body);
      reply.code(202);
      return body;
    });
    this.route(app, 'GET', '/jobs/:jobid/checkpoints/:triggerid', { params: triggerParams }, async (req): Promise<CheckpointTriggerStatus> => {
      const { master } = this.view(param(req, 'jobid'));
      const triggerId = param(req, 'triggerid').toLowerCase();
      const status = this.checkpointTriggers.status(master.jobId, triggerId);
      // Flink's CheckpointStatusHandler message for an unknown (or expired) operation.
      if (!status) throw new RestHandlerException(404, `There is no checkpoint operation with triggerId=${triggerId} for job ${master.jobId}.`);
      return status;
    });
  }

  /** The job's configuration as its JobMaster merged it: the cluster's, overridden by what the job set. */
  private jobConfiguration(master: JobMaster): Configuration {
    return this.conf.clone().addAll(Configuration.fromMap(master.job.jobGraph.configuration));
  }

  /** Whether the JobMaster creates a checkpoint coordinator for the job (it does when the job starts). */
  private checkpointingConfigured(master: JobMaster): boolean {
    return master.job.jobGraph.runtimeMode === 'STREAMING' && this.jobConfiguration(master).getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL) !== undefined;
  }

  /** Why the job has no checkpoint coordinator, with how to get one. */
  private checkpointingDisabledReason(master: JobMaster): string {
    if (master.job.jobGraph.runtimeMode === 'BATCH') return 'it runs in BATCH mode (execution.runtime-mode), which takes no checkpoints';
    return 'execution.checkpointing.interval is not set; set it (e.g. -D execution.checkpointing.interval=10s, or env.enableCheckpointing(ms)) to enable checkpoints';
  }

  /** GET /jobs/:jobid/checkpoints/config: the running coordinator's settings; Flink's 404 without checkpointing. */
  private checkpointConfig(v: JobView): CheckpointConfigInfo {
    const { master } = v;
    const cc = periodicCoordinator(master);
    if (cc) return checkpointConfigInfo(this.jobConfiguration(master), cc);
    // Not started yet (INITIALIZING/CREATED): the coordinator will use exactly this configuration.
    if (this.checkpointingConfigured(master)) return checkpointConfigInfo(this.jobConfiguration(master));
    throw new RestHandlerException(404, `Checkpointing is not enabled for this job (${master.jobId}).`, [`Reason: ${this.checkpointingDisabledReason(master)}.`]);
  }

  /**
   * POST /jobs/:jobid/checkpoints: starts a manual checkpoint and answers its trigger id at once
   * (202); GET /jobs/:jobid/checkpoints/:triggerid reports the checkpoint id or the failure.
   */
  private triggerCheckpoint(v: JobView, body: unknown): TriggerResponse {
    const { master } = v;
    let request: ReturnType<typeof parseCheckpointTriggerRequest>;
    try {
      request = parseCheckpointTriggerRequest(body);
    } catch (e) {
      throw new RestHandlerException(400, `Invalid body of POST /jobs/${master.jobId}/checkpoints: ${(e as Error).message}. Expected {"checkpointType"?: "CONFIGURED" | "FULL" | "INCREMENTAL", "triggerId"?: <32 hexadecimal characters>} or no body.`);
    }
    const state = jobState(v);
    if (isGloballyTerminal(state)) {
      throw new RestHandlerException(409, `Job ${master.jobId} has already reached the terminal state ${state}; it takes no more checkpoints.`);
    }
    const cc = periodicCoordinator(master);
    if (!cc) {
      // Flink fails the operation ("Job … is not a streaming job."); a direct 409 tells the client without a poll.
      if (this.checkpointingConfigured(master)) {
        throw new RestHandlerException(409, `Job ${master.jobId} is ${state}: its checkpoint coordinator starts when the job runs; trigger the checkpoint once the job is RUNNING.`);
      }
      throw new RestHandlerException(409, `Checkpointing is not enabled for this job (${master.jobId}): ${this.checkpointingDisabledReason(master)}.`);
    }
    const triggerId = request.triggerId ?? CheckpointTriggerOperations.newTriggerId();
    // Flink's CheckpointCoordinator.triggerCheckpoint(CheckpointType): CONFIGURED is the configured
    // kind (tsflink's heap backend always writes full state), INCREMENTAL a regular checkpoint.
    const type = request.checkpointType === 'FULL' ? 'FULL_CHECKPOINT' : 'CHECKPOINT';
    // The same triggerId again is a no-op (idempotent client retries), as in Flink.
    this.checkpointTriggers.start(master.jobId, triggerId, async () => (await cc.triggerCheckpoint(type, false)).checkpointId);
    return { 'request-id': triggerId };
  }

  /** Registers a route under its path and the optional /v1 prefix, and remembers it for 405 answers. */
  private route(
    app: FastifyInstance, method: HTTPMethods, path: string, schema: Record<string, unknown>,
    handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ): void {
    for (const url of [path, `/v1${path}`]) app.route({ method, url, schema, handler });
    this.routes.push({ method, pattern: new RegExp(`^${path.replace(/:[^/]+/g, '[^/]+')}/?$`) });
  }

  private tooLargeMessage(): string {
    return `Request too large: it exceeds rest.server.max-content-length (${this.maxContentLength} bytes).`;
  }

  private toErrorResponse(err: FastifyError, req: FastifyRequest): { status: number; body: { errors: string[] } } {
    if (err instanceof RestHandlerException) return { status: err.status, body: err.body() };
    if (err.validation) {
      const v = err.validation[0];
      const params = req.params as Record<string, string> | undefined;
      const name = v?.instancePath.slice(1) ?? '';
      const paramError = err.validationContext === 'params' ? PARAM_ERRORS[name] : undefined;
      if (paramError) return { status: 400, body: { errors: [paramError(params?.[name] ?? '')] } };
      return { status: 400, body: { errors: [`Bad request: ${err.validationContext ?? 'request'}${v?.instancePath ?? ''} ${v?.message ?? err.message}`] } };
    }
    switch (err.code) {
      case 'FST_REQ_FILE_TOO_LARGE':
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return { status: 413, body: { errors: [this.tooLargeMessage()] } };
      case 'FST_FILES_LIMIT':
        return { status: 400, body: { errors: ['POST /jobs takes exactly one file part (the job bundle).'] } };
      case 'FST_PARTS_LIMIT':
      case 'FST_FIELDS_LIMIT':
        return { status: 400, body: { errors: ['Too many parts in the multipart request.'] } };
      case 'FST_INVALID_JSON_FIELD_ERROR':
        return { status: 400, body: { errors: [`Malformed JSON in part '${REQUEST_PART}'.`] } };
      case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
        return { status: 400, body: { errors: ['Expected a multipart/form-data request.'] } };
      case 'FST_PROTO_VIOLATION':
        return { status: 400, body: { errors: ['Illegal part name in the multipart request.'] } };
      default:
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status < 500) return { status, body: { errors: [err.message] } };
    return { status: 500, body: internalServerError(err) };
  }

  private async cancelJob(jobId: string): Promise<void> {
    const v = this.view(jobId);
    const state = jobState(v);
    if (isGloballyTerminal(state)) {
      if (state === 'CANCELED') return;
      // Flink: FlinkJobTerminatedWithoutCancellationException → 409.
      throw new RestHandlerException(409, `Job ${v.master.jobId} has already reached the terminal state ${state}; it cannot be cancelled.`);
    }
    // Like Flink, the answer acknowledges the cancel request; the job reaches CANCELED asynchronously.
    void this.dispatcher.cancelJob(v.master.jobId).catch((e: unknown) => this.log.warn(`Cancelling job ${v.master.jobId}: ${(e as Error).message}`));
  }

  /** POST /jobs: stores the bundle, checks it against its hash, and hands the job to the Dispatcher. */
  private async submitJob(req: FastifyRequest): Promise<JobSubmitResponseBody> {
    if (!req.isMultipart()) {
      throw new RestHandlerException(400, `POST /jobs expects multipart/form-data: a JSON part '${REQUEST_PART}' and the job bundle file part.`);
    }
    let raw: unknown;
    let sawRequest = false;
    let upload: { tmp: string; fileName: string; hash: string; size: number } | undefined;
    const tmpFiles: string[] = [];
    try {
      try {
        for await (const part of req.parts()) {
          if (part.type === 'file') {
            if (upload) { part.file.resume(); throw new RestHandlerException(400, 'POST /jobs takes exactly one file part (the job bundle).'); }
            try { checkUploadFileName(part.filename); } catch (e) { part.file.resume(); throw e; }
            // Never the client's name: a generated one inside uploadDir.
            const tmp = join(this.uploadDir, `${randomUUID()}.upload`);
            tmpFiles.push(tmp);
            const hasher = new HashingTransform();
            await pipeline(part.file, hasher, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
            if (part.file.truncated) throw new RestHandlerException(413, this.tooLargeMessage());
            upload = { tmp, fileName: part.filename, hash: hasher.hash.digest('hex'), size: hasher.size };
          } else if (part.fieldname === REQUEST_PART) {
            if (sawRequest) throw new RestHandlerException(400, `Duplicate part '${REQUEST_PART}'.`);
            sawRequest = true;
            raw = part.value;
          } else {
            throw new RestHandlerException(400, `Unexpected part '${part.fieldname}': POST /jobs takes a JSON part '${REQUEST_PART}' and the job bundle file part.`);
          }
        }
      } catch (e) {
        if (e instanceof RestHandlerException || (e as FastifyError).code?.startsWith('FST_')) throw e;
        // Busboy's parse errors ("Unexpected end of form", "Malformed part header") are the client's.
        throw new RestHandlerException(400, `Malformed multipart request: ${(e as Error).message}`);
      }
      if (!sawRequest) throw new RestHandlerException(400, `Missing part '${REQUEST_PART}' (the JSON job submission).`);
      if (!upload) throw new RestHandlerException(400, 'Missing the job bundle file part.');
      const body = this.parseRequest(req, raw);
      if (body.bundleFileName !== undefined && body.bundleFileName !== upload.fileName) {
        throw new RestHandlerException(400, `The request names bundle file '${body.bundleFileName}' but the uploaded file is '${upload.fileName}'.`);
      }
      if (upload.hash !== body.bundleHash) {
        throw new RestHandlerException(400, `The uploaded job bundle (${upload.size} bytes) has sha256 ${upload.hash}, not the bundleHash ${body.bundleHash} of the request.`);
      }
      checkGraph(body);
      // .mjs: the JobManager and TaskManager slots import it as an ES module.
      const path = join(this.uploadDir, `${randomUUID()}.mjs`);
      tmpFiles.push(path);
      const hash = await this.storeBundle(upload.tmp, path, upload.hash, body.tsflinkRuntime);
      const jobId = body.jobGraph.jobId;
      let master;
      try {
        master = await this.dispatcher.submitJobFromBundle({
          jobGraph: body.jobGraph,
          args: body.args,
          defaultParallelism: body.defaultParallelism,
          baseConfiguration: body.baseConfiguration,
          bundle: { entry: body.bundleEntry ?? upload.fileName, path, hash, runtime: tsflinkRuntimeUrl() },
        });
      } catch (e) {
        throw submissionError(jobId, e);
      }
      tmpFiles.length = 0;
      // The bundle is needed until the job ends (slots load it when tasks deploy, also on restarts).
      void master.result.finally(() => rm(path, { force: true }));
      this.log.info(`Job '${body.jobGraph.jobName}' (${jobId}) submitted.`);
      return { jobUrl: `/jobs/${jobId}`, jobid: jobId };
    } finally {
      for (const f of tmpFiles) await rm(f, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Moves the verified upload to its final name. A bundle pins 'tsflink' to the client's runtime
   * file; if that is not this process's runtime, the import is re-pinned here (new hash).
   */
  private async storeBundle(tmp: string, path: string, hash: string, clientRuntime: string | undefined): Promise<string> {
    if (clientRuntime === undefined || clientRuntime === tsflinkRuntimeUrl()) {
      await rename(tmp, path);
      return hash;
    }
    const code = repinBundleCode(await readFile(tmp, 'utf8'), clientRuntime);
    await writeFile(path, code, { flag: 'wx', mode: 0o600 });
    await rm(tmp, { force: true });
    return createHash('sha256').update(code).digest('hex');
  }

  private parseRequest(req: FastifyRequest, raw: unknown): JobSubmitRequestBody {
    let value = raw;
    if (typeof raw === 'string') {
      try { value = JSON.parse(raw) as unknown; } catch (e) {
        throw new RestHandlerException(400, `Malformed JSON in part '${REQUEST_PART}': ${(e as Error).message}`);
      }
    }
    const validate = req.compileValidationSchema(jobSubmitRequestSchema);
    if (!validate(value)) {
      const errs = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
      throw new RestHandlerException(400, `Invalid part '${REQUEST_PART}': ${errs.join('; ')}`);
    }
    return value as JobSubmitRequestBody;
  }
}

function param(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string>)[name] ?? '';
}

/** Flink's AbstractCheckpointHandler message, and why an id seen before may be gone. */
/** The coordinator of a job with periodic checkpointing (every STREAMING job has one; savepoints need no more). */
function periodicCoordinator(master: JobMaster): JobMaster['checkpointCoordinator'] {
  const cc = master.checkpointCoordinator;
  return cc?.isPeriodicCheckpointingConfigured ? cc : undefined;
}

function unknownCheckpoint(jobId: string, checkpointId: number): RestHandlerException {
  return new RestHandlerException(404, `Could not find checkpointing statistics for checkpoint ${checkpointId}.`,
    [`Job ${jobId} keeps the statistics of its latest checkpoints only (GET /jobs/${jobId}/checkpoints lists them).`]);
}

/** Structural checks the JSON schema cannot express: unique vertices, edges between them. */
function checkGraph(body: JobSubmitRequestBody): void {
  const g = body.jobGraph;
  const ids = new Set<string>();
  for (const v of g.vertices) {
    if (ids.has(v.id)) throw new RestHandlerException(400, `Invalid job graph: vertex ${v.id} appears twice.`);
    ids.add(v.id);
  }
  for (const e of g.edges) {
    if (!ids.has(e.sourceVertexId) || !ids.has(e.targetVertexId)) throw new RestHandlerException(400, `Invalid job graph: edge ${e.id} connects unknown vertices.`);
  }
}

/** Errors of Dispatcher.submitJobFromBundle: the job's own problems are 400, duplicates 409. */
function submissionError(jobId: string, e: unknown): RestHandlerException | unknown {
  const msg = e instanceof Error ? e.message : String(e);
  if (msg.startsWith('DuplicateJobSubmissionException')) return new RestHandlerException(409, msg);
  const name = e instanceof Error ? e.name : '';
  if (name === 'JobBundleError' || /job graph rebuilt|Rebuilding job|main threw|without calling execute/.test(msg)) {
    return new RestHandlerException(400, `Job ${jobId} was rejected: ${msg}`);
  }
  return e;
}
