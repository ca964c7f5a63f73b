// Client of the JobManager's REST API (Flink's RestClusterClient): submits jobs with their bundle,
// queries and cancels them, and waits for results. Used by `tsflink run -m`, `list` and `cancel`.
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type RestClientTlsOptions, loadRestClientTls } from '../security/SSLUtils.js';
import { tlsErrorCode } from '../security/InternalTlsContext.js';
import { Readable } from 'node:stream';
import type { JobSubmissionInfo } from '../jobmanager/gateways.js';
import type { JobClient, JobStatus } from '../api/environment/JobClient.js';
import { JobExecutionResult } from '../api/environment/JobClient.js';
import { JobExecutionException } from '../jobmanager/jobmaster/JobResult.js';
import type { SerializedThrowable } from '../taskmanager/TaskDeploymentDescriptor.js';
import { type Configuration, JobManagerOptions, RestOptions, describeSource } from '../configuration/index.js';
import { type JobBundle, tsflinkRuntimeEntry } from '../usercode/JobBundle.js';
import { pathToFileURL } from 'node:url';
import type { JobDetailsInfo } from '../rest/messages/JobDetailsInfo.js';
import type { JobDetails, MultipleJobsDetails } from '../rest/messages/MultipleJobsDetails.js';
import type { JobExceptionsInfoWithHistory } from '../rest/messages/JobExceptionsInfo.js';
import { type JobExecutionResultResponseBody, decodeSerializedThrowable } from '../rest/messages/JobExecutionResultResponseBody.js';
import { type JobSubmitRequestBody, type JobSubmitResponseBody, REQUEST_PART } from '../rest/messages/JobSubmitRequestBody.js';
import type { ErrorResponseBody } from '../rest/messages/ErrorResponseBody.js';
import type { SerializedFailureCause, TriggerResponse } from '../rest/messages/CheckpointTrigger.js';
import type { DisposalStatus, SavepointFormatType, SavepointStatus } from '../rest/messages/SavepointTrigger.js';
import { type ClientCoordinationRequestBody, type ClientCoordinationResponseBody, type CollectCoordinationResult, decodeCoordination, encodeCoordination } from '../rest/messages/ClientCoordination.js';

export interface RestClusterClientOptions {
  address: string;
  port: number;
  /** Where the address came from, named in errors (e.g. "-m 127.0.0.1:8081"). */
  source?: string;
  /** Per request; default 60 s. */
  requestTimeoutMs?: number;
  /** Longest pause between status polls while waiting for a result; default 500 ms. */
  maxPollIntervalMs?: number;
  /** Bearer token of the cluster (restTokenOf(secret), runtime/security/RestAuthentication.ts); sent with every request. */
  token?: string | undefined;
  /** Local address to connect from (a client "host" in multi-host tests). */
  localAddress?: string;
  /** HTTPS (security.ssl.rest.enabled): the CA to verify the server with, the client certificate for mutual TLS. */
  tls?: RestClientTlsOptions | undefined;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** The REST endpoint could not be reached. `code` is the network error's (ECONNREFUSED…), also kept in the cause chain. */
export class ClusterUnreachableException extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { cause });
    this.name = 'ClusterUnreachableException';
    this.code = code;
  }
}

/** The server answered with an error status; `errors` is Flink's {"errors": [...]} body. */
export class RestClientException extends Error {
  constructor(readonly status: number, readonly errors: string[], message: string) {
    super(message);
    this.name = 'RestClientException';
  }
}

/** A savepoint operation failed on the cluster: the message is the cause's first line, the stack the server's. */
export class SavepointOperationException extends Error {
  constructor(readonly failureCause: SerializedFailureCause) {
    super((failureCause['stack-trace'].split('\n')[0] ?? failureCause.class).replace(/^[\w.$]+: /, ''));
    this.name = failureCause.class;
    this.stack = failureCause['stack-trace'];
  }
}

/** The job was cancelled (the CLI exits with its "cancelled" code). */
export class JobCancellationException extends Error {
  constructor(readonly jobId: string, jobName: string) {
    super(`Job '${jobName}' (${jobId}) was cancelled.`);
    this.name = 'JobCancellationException';
  }
}

const TERMINAL = new Set<JobStatus>(['FINISHED', 'FAILED', 'CANCELED']);
export const JOB_ID_PATTERN = /^[0-9a-fA-F]{32}$/;

function networkCode(e: unknown): string | undefined {
  for (let cur: unknown = e, d = 0; typeof cur === 'object' && cur !== null && d < 8; cur = (cur as { cause?: unknown }).cause, d++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
    const name = (cur as { name?: unknown }).name;
    if (name === 'TimeoutError') return 'ETIMEDOUT';
  }
  return undefined;
}

/** The message of an exception from its stack trace ("Name: message\n    at …"). */
function messageFromStack(name: string, stack: string): string {
  const lines = stack.split('\n');
  const end = lines.findIndex((l, i) => i > 0 && /^\s+at /.test(l));
  const head = (end < 0 ? lines : lines.slice(0, end)).join('\n');
  return head.startsWith(`${name}: `) ? head.slice(name.length + 2) : head;
}

export class RestClusterClient {
  readonly address: string;
  readonly port: number;
  readonly source: string;
  private readonly timeoutMs: number;
  private readonly maxPollMs: number;
  private readonly token: string | undefined;
  private readonly localAddress: string | undefined;
  private readonly tls: RestClientTlsOptions | undefined;

  constructor(opts: RestClusterClientOptions) {
    this.address = opts.address;
    this.port = opts.port;
    this.source = opts.source ?? `${opts.address}:${opts.port}`;
    this.timeoutMs = opts.requestTimeoutMs ?? 60_000;
    this.maxPollMs = opts.maxPollIntervalMs ?? 500;
    this.token = opts.token;
    this.localAddress = opts.localAddress;
    this.tls = opts.tls;
  }

  /** rest.address (else jobmanager.rpc.address) and rest.port, naming where they were set. */
  static fromConfiguration(conf: Configuration, source?: string, token?: string): RestClusterClient {
    const restAddress = conf.getOptional(RestOptions.ADDRESS);
    const address = restAddress ?? conf.get(JobManagerOptions.ADDRESS) ?? 'localhost';
    const port = conf.get(RestOptions.PORT);
    const addrKey = restAddress !== undefined ? 'rest.address' : 'jobmanager.rpc.address';
    const where = (key: string, value: unknown): string => {
      const src = conf.getSource(key);
      return src === undefined && !conf.containsKey(key) ? `${key} default ${String(value)}` : `${key}=${String(value)} ${describeSource(src, key, value)}`;
    };
    return new RestClusterClient({ address, port, source: source ?? `${where(addrKey, address)}, ${where('rest.port', port)}`, token, tls: loadRestClientTls(conf) });
  }

  get baseUrl(): string {
    const host = this.address.includes(':') && !this.address.startsWith('[') ? `[${this.address}]` : this.address;
    return `${this.tls ? 'https' : 'http'}://${host}:${this.port}`;
  }

  private async request<T>(method: string, path: string, form?: FormData | object): Promise<T> {
    let res: { status: number; statusText: string; text: string };
    try {
      res = await this.send(method, path, form);
    } catch (e) {
      const code = networkCode(e);
      const tlsCode = tlsErrorCode(e);
      if (tlsCode !== undefined) {
        throw new ClusterUnreachableException(
          `Could not reach the JobManager REST endpoint at ${this.baseUrl} (${this.source}): TLS: ${(e as Error).message} (${tlsCode}). ` +
          (this.tls ? "Check security.ssl.rest.truststore (it must hold the server's certificate or its CA), security.ssl.verify-hostname, " +
            'and with security.ssl.rest.authentication-enabled the client keystore security.ssl.rest.keystore.'
            : 'The endpoint does not speak plain HTTP here.'),
          tlsCode, e);
      }
      const why = code ?? (e instanceof Error ? e.message : String(e));
      const hint = !this.tls && (code === 'ECONNRESET' || (e as Error).message === 'socket hang up')
        ? ' If the REST endpoint uses HTTPS, set security.ssl.rest.enabled=true (and security.ssl.rest.truststore).' : '';
      throw new ClusterUnreachableException(
        `Could not reach the JobManager REST endpoint at ${this.baseUrl} (${this.source}): ${why}. Is the cluster running, and are the address and port right?${hint}`,
        code, e);
    }
    const { status, text } = res;
    let json: unknown;
    try { json = text ? JSON.parse(text) : {}; } catch { json = undefined; }
    if (status < 200 || status >= 300) {
      const errors = Array.isArray((json as ErrorResponseBody | undefined)?.errors) ? (json as ErrorResponseBody).errors : [text || res.statusText];
      throw new RestClientException(status, errors, `${method} ${path} failed with HTTP ${status}: ${errors.join(' ')}`);
    }
    if (json === undefined) throw new RestClientException(status, [], `${method} ${path}: the server answered with malformed JSON`);
    return json as T;
  }

  /** node:http rather than fetch: fetch refuses "bad ports" (e.g. 1) without trying, hiding the real connection error. */
  private async send(method: string, path: string, body?: FormData | object): Promise<{ status: number; statusText: string; text: string }> {
    // Response serializes a form (boundary, file parts) as a stream; other bodies are JSON.
    const form = body instanceof FormData ? body : undefined;
    const json = body !== undefined && !form ? JSON.stringify(body) : undefined;
    const encoded = form ? new Response(form) : undefined;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    if (encoded) headers['content-type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
    if (json !== undefined) headers['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const options = { method, headers, timeout: this.timeoutMs, ...(this.localAddress !== undefined ? { localAddress: this.localAddress } : {}) };
      const onResponse = (res: import('node:http').IncomingMessage): void => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
      };
      const req = this.tls ? httpsRequest(`${this.baseUrl}${path}`, { ...options, ...this.tls }, onResponse) : httpRequest(`${this.baseUrl}${path}`, options, onResponse);
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      if (encoded?.body) {
        const stream = Readable.fromWeb(encoded.body as import('node:stream/web').ReadableStream<Uint8Array>);
        stream.on('error', (e) => req.destroy(e));
        stream.pipe(req);
      } else if (json !== undefined) {
        req.end(json);
      } else {
        req.end();
      }
    });
  }

  /** Uploads the bundle and submits the job (POST /jobs); resolves with the job id once the JobManager accepted it. */
  async submitJob(info: Omit<JobSubmissionInfo, 'bundle'>, bundle: JobBundle): Promise<string> {
    const fileName = basename(bundle.path);
    const request: JobSubmitRequestBody = {
      jobGraph: info.jobGraph,
      args: info.args ?? [],
      defaultParallelism: info.defaultParallelism,
      baseConfiguration: info.baseConfiguration ?? {},
      bundleHash: bundle.hash,
      bundleFileName: fileName,
      bundleEntry: bundle.entry,
      // What bundleJob pinned 'tsflink' to; the JobManager re-pins it to its own runtime if needed.
      tsflinkRuntime: pathToFileURL(tsflinkRuntimeEntry()).href,
    };
    const form = new FormData();
    form.set(REQUEST_PART, JSON.stringify(request));
    form.set('bundle', await openAsBlob(bundle.path, { type: 'text/javascript' }), fileName);
    const res = await this.request<JobSubmitResponseBody>('POST', '/jobs', form);
    return res.jobid ?? res.jobUrl.replace(/^.*\//, '');
  }

  getJobDetails(jobId: string): Promise<JobDetailsInfo> { return this.request('GET', `/jobs/${encodeURIComponent(jobId)}`); }

  async getJobStatus(jobId: string): Promise<JobStatus> { return (await this.getJobDetails(jobId)).state; }

  /** POST /jobs/:jobid/savepoints, then polls until it completed; resolves with the savepoint's directory. */
  async triggerSavepoint(jobId: string, dir?: string, opts: { cancelJob?: boolean; formatType?: SavepointFormatType; timeoutMs?: number } = {}): Promise<string> {
    const body = { ...(dir !== undefined ? { 'target-directory': dir } : {}), 'cancel-job': opts.cancelJob ?? false, formatType: opts.formatType ?? 'CANONICAL' };
    const { 'request-id': triggerId } = await this.request<TriggerResponse>('POST', `/jobs/${encodeURIComponent(jobId)}/savepoints`, body);
    return this.awaitSavepoint(jobId, triggerId, opts.timeoutMs ?? Infinity);
  }

  /** POST /jobs/:jobid/stop (stop-with-savepoint), then polls until the savepoint completed and the job finished. */
  async stopWithSavepoint(jobId: string, drain: boolean, dir?: string, opts: { formatType?: SavepointFormatType; timeoutMs?: number } = {}): Promise<string> {
    const body = { ...(dir !== undefined ? { targetDirectory: dir } : {}), drain, formatType: opts.formatType ?? 'CANONICAL' };
    const { 'request-id': triggerId } = await this.request<TriggerResponse>('POST', `/jobs/${encodeURIComponent(jobId)}/stop`, body);
    return this.awaitSavepoint(jobId, triggerId, opts.timeoutMs ?? Infinity);
  }

  /** POST /savepoint-disposal, then polls until the savepoint was deleted. */
  async disposeSavepoint(path: string, timeoutMs = Infinity): Promise<void> {
    const { 'request-id': triggerId } = await this.request<TriggerResponse>('POST', '/savepoint-disposal', { 'savepoint-path': path });
    const op = await this.poll<DisposalStatus>(`/savepoint-disposal/${triggerId}`, timeoutMs, `the disposal of ${path}`);
    if ('failure-cause' in op) throw new SavepointOperationException(op['failure-cause']);
  }

  private async awaitSavepoint(jobId: string, triggerId: string, timeoutMs: number): Promise<string> {
    const op = await this.poll<SavepointStatus>(`/jobs/${encodeURIComponent(jobId)}/savepoints/${triggerId}`, timeoutMs, `the savepoint of job ${jobId}`);
    if ('failure-cause' in op) throw new SavepointOperationException(op['failure-cause']);
    return op.location;
  }

  /** Polls an asynchronous operation (20 ms doubling to 500 ms) until COMPLETED; its operation. */
  private async poll<S extends { status: { id: string } }>(path: string, timeoutMs: number, what: string): Promise<Extract<S, { operation: unknown }>['operation']> {
    const deadline = Date.now() + timeoutMs;
    let pause = 20;
    for (;;) {
      const s = await this.request<S>('GET', path);
      if (s.status.id === 'COMPLETED' && 'operation' in s) return (s as Extract<S, { operation: unknown }>).operation;
      if (Date.now() > deadline) throw new Error(`${what} did not complete within ${timeoutMs / 1000} s (still in progress; poll GET ${path}).`);
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(500, pause * 2);
    }
  }

  /** GET /jobs/overview: every job the cluster knows, running and finished. */
  async listJobs(): Promise<JobDetails[]> { return (await this.request<MultipleJobsDetails>('GET', '/jobs/overview')).jobs; }

  getJobExceptions(jobId: string): Promise<JobExceptionsInfoWithHistory> { return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/exceptions`); }

  getJobExecutionResult(jobId: string): Promise<JobExecutionResultResponseBody> { return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/execution-result`); }

  /** PATCH /jobs/:id?mode=cancel: acknowledged at once; the job reaches CANCELED asynchronously. */
  async cancelJob(jobId: string): Promise<void> { await this.request('PATCH', `/jobs/${encodeURIComponent(jobId)}?mode=cancel`); }
  /** Any JSON endpoint (the `tsflink schedule` verbs use /schedules…); errors as for the typed calls. */
  async requestJson<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: object): Promise<T> { return this.request<T>(method, path, body); }

  /**
   * What the collect sink `sinkId` of a job received (executeAndCollect), page by page through
   * its coordinator (POST /jobs/:id/coordinators/:sinkId); waits until the job is terminal.
   */
  async fetchCollected(jobId: string, sinkId: number, pageSize = 10_000): Promise<unknown[]> {
    const out: unknown[] = [];
    let pause = 20;
    for (;;) {
      const request: ClientCoordinationRequestBody = { serializedCoordinationRequest: encodeCoordination({ type: 'collect', offset: out.length, maxValues: pageSize }) };
      const res = await this.request<ClientCoordinationResponseBody>('POST', `/jobs/${encodeURIComponent(jobId)}/coordinators/${sinkId}`, request);
      const r = decodeCoordination(res.serializedCoordinationResult) as CollectCoordinationResult;
      for (const v of r.values) out.push(v);
      if (r.done && out.length >= r.total) return out;
      if (r.values.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(this.maxPollMs, pause * 2);
      } else {
        pause = 20;
      }
    }
  }

  /** Polls until the job is globally terminal; resolves with its final details. */
  async waitForTermination(jobId: string, timeoutMs = Infinity): Promise<JobDetailsInfo> {
    const deadline = Date.now() + timeoutMs;
    let pause = 20;
    for (;;) {
      const d = await this.getJobDetails(jobId);
      if (TERMINAL.has(d.state)) return d;
      if (Date.now() > deadline) throw new Error(`Job ${jobId} did not end within ${timeoutMs} ms (state ${d.state}).`);
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(this.maxPollMs, pause * 2);
    }
  }

  /**
   * Waits for the job's end. FINISHED resolves with its runtime and accumulators; FAILED rejects
   * with a JobExecutionException carrying the user's error, stack and location; CANCELED rejects
   * with a JobCancellationException.
   */
  async waitForResult(jobId: string): Promise<JobExecutionResult> {
    const details = await this.waitForTermination(jobId);
    let res = await this.getJobExecutionResult(jobId);
    // The terminal state is visible a moment before the result is recorded.
    for (let i = 0; res.status.id !== 'COMPLETED' && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      res = await this.getJobExecutionResult(jobId);
    }
    const r = res['job-execution-result'];
    if (details.state === 'CANCELED') throw new JobCancellationException(jobId, details.name);
    if (details.state === 'FAILED') {
      let error: SerializedThrowable | undefined = decodeSerializedThrowable(r?.['failure-cause']?.['serialized-throwable']);
      const root = (await this.getJobExceptions(jobId)).exceptionHistory.entries[0];
      if (root) {
        const location = root.operatorLocation ?? root.taskName ?? undefined;
        error ??= { name: root.exceptionName, message: messageFromStack(root.exceptionName, root.stacktrace), stack: root.stacktrace };
        if (error.location === undefined && location !== undefined) error.location = location;
      }
      throw new JobExecutionException({ jobId, jobName: details.name, status: 'FAILED', ...(error ? { error } : {}) });
    }
    return new JobExecutionResult(jobId, r?.['net-runtime'] ?? details.duration, r?.['accumulator-results'] ?? {});
  }
}

// ---- JobClient of a remote job (Flink's ClusterClientJobClientAdapter) ----------------------

/** What execute() returns in detached mode: the job runs on; its results are not available here (Flink's DetachedJobExecutionResult). */
export class DetachedJobExecutionResult extends JobExecutionResult {
  constructor(private readonly id: string) { super(id, -1, {}); }
  private unavailable(): never {
    throw new Error('Job was submitted in detached mode. Results of job execution, such as accumulators, runtime, etc. are not available.');
  }
  override getNetRuntime(): number { return this.unavailable(); }
  override getAccumulatorResult<T = unknown>(_name: string): T | undefined { return this.unavailable(); }
  override getAllAccumulatorResults(): Record<string, unknown> { return this.unavailable(); }
  override getJobID(): string { return this.id; }
}

export class RemoteJobClient implements JobClient {
  constructor(private readonly client: RestClusterClient, private readonly jobId: string, private readonly attached: boolean) {}
  getJobID(): string { return this.jobId; }
  getJobStatus(): Promise<JobStatus> { return this.client.getJobStatus(this.jobId); }
  cancel(): Promise<void> { return this.client.cancelJob(this.jobId); }

  async getJobExecutionResult(): Promise<JobExecutionResult> {
    if (!this.attached) return new DetachedJobExecutionResult(this.jobId);
    const r = await this.client.waitForResult(this.jobId);
    // Flink's client prints the JobExecutionResult of an attached run.
    const acc = Object.entries(r.getAllAccumulatorResults());
    process.stdout.write(`Program execution finished\nJob with JobID ${this.jobId} has finished.\nJob Runtime: ${r.getNetRuntime()} ms\n` +
      (acc.length > 0 ? `Accumulator Results: \n${acc.map(([k, v]) => `- ${k}: ${JSON.stringify(v)}`).join('\n')}\n` : ''));
    return r;
  }

  /** executeAndCollect(): the collect sink's values, fetched from its coordinator in the JobMaster. */
  async collected(sinkId: number): Promise<unknown[]> {
    if (!this.attached) throw new Error('executeAndCollect() needs an attached submission: the job was submitted detached (-d), so its results are not fetched.');
    return this.client.fetchCollected(this.jobId, sinkId);
  }

  triggerSavepoint(dir?: string): Promise<string> { return this.client.triggerSavepoint(this.jobId, dir); }
  stopWithSavepoint(drain = false, dir?: string): Promise<string> { return this.client.stopWithSavepoint(this.jobId, drain, dir); }
}
