import { RpcProxy, IpcClient, type RpcEndpoint } from '../ipc/client.js';
import { currentHadoopUser } from '../ipc/connection.js';
import { HadoopSiteConfig, rmClientEndpoint } from '../ipc/config.js';
import {
  applicationIdFromProto,
  applicationIdToProto,
  applicationReportFromProto,
  attemptIdToProto,
  attemptReportFromProto,
  clusterMetricsFromProto,
  formatApplicationId,
  nodeReportFromProto,
  NODE_STATES,
  pbArray,
  resourceFromProto,
  submissionContextToProto,
  YARN_APPLICATION_STATES,
  type ApplicationAttemptId,
  type ApplicationAttemptReport,
  type ApplicationId,
  type ApplicationReport,
  type ApplicationSubmissionContext,
  type ClusterMetrics,
  type NodeReport,
  type NodeState,
  type Resource,
  type YarnApplicationState,
} from './records.js';

export const APPLICATION_CLIENT_PROTOCOL = 'org.apache.hadoop.yarn.api.ApplicationClientProtocolPB';

export interface YarnClientOptions {
  /** RM client address (yarn.resourcemanager.address). */
  endpoint: RpcEndpoint;
  /** SIMPLE-auth user; default HADOOP_USER_NAME or the OS user. */
  user?: string;
  callTimeoutMs?: number;
  connectAttempts?: number;
  connectRetryDelayMs?: number;
}

export interface ApplicationsFilter {
  applicationTypes?: string[];
  states?: YarnApplicationState[];
  users?: string[];
  queues?: string[];
  tags?: string[];
  limit?: number;
}

const P = 'hadoop.yarn.';

/**
 * Client side of ApplicationClientProtocol (client → ResourceManager, SIMPLE auth).
 * Errors surface as RemoteException subclasses (e.g. ApplicationNotFoundException,
 * InvalidResourceRequestException) or IpcConnectError naming the RM address and its source.
 */
export class YarnClient {
  private readonly rpc: RpcProxy;

  constructor(opts: YarnClientOptions) {
    const o: ConstructorParameters<typeof RpcProxy>[0] = {
      endpoint: opts.endpoint,
      protocol: APPLICATION_CLIENT_PROTOCOL,
      auth: { method: 'SIMPLE', user: opts.user ?? currentHadoopUser() },
      callTimeoutMs: opts.callTimeoutMs ?? 60_000,
    };
    if (opts.connectAttempts !== undefined) o.connectAttempts = opts.connectAttempts;
    if (opts.connectRetryDelayMs !== undefined) o.connectRetryDelayMs = opts.connectRetryDelayMs;
    this.rpc = new RpcProxy(o, new IpcClient());
  }

  /** Client for `yarn.resourcemanager.address` from $HADOOP_CONF_DIR/yarn-site.xml (or the given config). */
  static fromConfiguration(conf: HadoopSiteConfig = HadoopSiteConfig.load(), opts: Omit<YarnClientOptions, 'endpoint'> = {}): YarnClient {
    return new YarnClient({ ...opts, endpoint: rmClientEndpoint(conf) });
  }

  get endpoint(): RpcEndpoint {
    return this.rpc.endpoint;
  }

  async getNewApplication(): Promise<{ applicationId: ApplicationId; maximumCapability: Resource }> {
    const r = await this.rpc.call('getNewApplication', P + 'GetNewApplicationRequestProto', {}, P + 'GetNewApplicationResponseProto');
    return { applicationId: applicationIdFromProto(r['application_id']), maximumCapability: resourceFromProto(r['maximumCapability']) };
  }

  /**
   * Submits the application. Like Hadoop's YarnClientImpl, by default waits until the RM has
   * accepted it (state past NEW/NEW_SAVING/SUBMITTED), because some rejections are asynchronous:
   * an unknown queue, for example, turns the app FAILED right after a successful RPC. Such a
   * rejection is thrown as ApplicationRejectedError (UnknownQueueError for a bad queue) carrying
   * YARN's diagnostics. Synchronous rejections (e.g. InvalidResourceRequestException for an AM
   * larger than the scheduler maximum) are RemoteExceptions from the RPC itself.
   */
  async submitApplication(ctx: ApplicationSubmissionContext, opts: { waitForAccepted?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await this.rpc.call(
      'submitApplication',
      P + 'SubmitApplicationRequestProto',
      { application_submission_context: submissionContextToProto(ctx) },
      P + 'SubmitApplicationResponseProto',
    );
    if (opts.waitForAccepted === false) return;
    const r = await this.waitForApplication(ctx.applicationId, {
      until: (rep) => rep.state !== 'NEW' && rep.state !== 'NEW_SAVING' && rep.state !== 'SUBMITTED',
      timeoutMs: opts.timeoutMs ?? 60_000,
      pollMs: 100,
    });
    if ((r.state === 'FAILED' || r.state === 'KILLED') && !r.currentApplicationAttemptId) {
      // Failed before any attempt was created: the RM rejected the submission.
      throw /unknown queue|does not exist|not a leaf queue/i.test(r.diagnostics) ? new UnknownQueueError(r) : new ApplicationRejectedError(r);
    }
  }

  async getApplicationReport(applicationId: ApplicationId): Promise<ApplicationReport> {
    const r = await this.rpc.call(
      'getApplicationReport',
      P + 'GetApplicationReportRequestProto',
      { application_id: applicationIdToProto(applicationId) },
      P + 'GetApplicationReportResponseProto',
      { idempotent: true },
    );
    return applicationReportFromProto(r['application_report']);
  }

  async getApplicationAttemptReport(attemptId: ApplicationAttemptId): Promise<ApplicationAttemptReport> {
    const r = await this.rpc.call(
      'getApplicationAttemptReport',
      P + 'GetApplicationAttemptReportRequestProto',
      { application_attempt_id: attemptIdToProto(attemptId) },
      P + 'GetApplicationAttemptReportResponseProto',
      { idempotent: true },
    );
    return attemptReportFromProto(r['application_attempt_report']);
  }

  /** Asks the RM to kill the app; returns whether the kill already completed (else poll the report). */
  async forceKillApplication(applicationId: ApplicationId, diagnostics?: string): Promise<boolean> {
    const req: Record<string, unknown> = { application_id: applicationIdToProto(applicationId) };
    if (diagnostics !== undefined) req['diagnostics'] = diagnostics;
    const r = await this.rpc.call('forceKillApplication', P + 'KillApplicationRequestProto', req, P + 'KillApplicationResponseProto', { idempotent: true });
    return Boolean(r['is_kill_completed']);
  }

  /** Kills and waits until the RM reports the app KILLED (or otherwise terminal). */
  async killApplication(applicationId: ApplicationId, opts: { diagnostics?: string; timeoutMs?: number } = {}): Promise<ApplicationReport> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const done = await this.forceKillApplication(applicationId, opts.diagnostics);
      if (done) return this.getApplicationReport(applicationId);
      if (Date.now() > deadline) throw new Error(`kill of ${formatApplicationId(applicationId)} not completed after ${opts.timeoutMs ?? 60_000} ms`);
      await sleep(250);
    }
  }

  async getClusterNodes(states: NodeState[] = ['RUNNING']): Promise<NodeReport[]> {
    const r = await this.rpc.call(
      'getClusterNodes',
      P + 'GetClusterNodesRequestProto',
      { nodeStates: states.map((s) => NODE_STATES.indexOf(s) + 1) },
      P + 'GetClusterNodesResponseProto',
      { idempotent: true },
    );
    return pbArray(r['nodeReports']).map(nodeReportFromProto);
  }

  async getApplications(filter: ApplicationsFilter = {}): Promise<ApplicationReport[]> {
    const req: Record<string, unknown> = {
      application_types: filter.applicationTypes ?? [],
      application_states: (filter.states ?? []).map((s) => YARN_APPLICATION_STATES.indexOf(s) + 1),
      users: filter.users ?? [],
      queues: filter.queues ?? [],
      applicationTags: filter.tags ?? [],
    };
    if (filter.limit !== undefined) req['limit'] = filter.limit;
    const r = await this.rpc.call('getApplications', P + 'GetApplicationsRequestProto', req, P + 'GetApplicationsResponseProto', { idempotent: true });
    return pbArray(r['applications']).map(applicationReportFromProto);
  }

  async getClusterMetrics(): Promise<ClusterMetrics> {
    const r = await this.rpc.call('getClusterMetrics', P + 'GetClusterMetricsRequestProto', {}, P + 'GetClusterMetricsResponseProto', { idempotent: true });
    return clusterMetricsFromProto(r['cluster_metrics']);
  }

  /**
   * Polls the report until `until(report)` holds (default: a terminal state FINISHED/FAILED/KILLED).
   * Throws with the last report's state and diagnostics on timeout.
   */
  async waitForApplication(
    applicationId: ApplicationId,
    opts: { until?: (r: ApplicationReport) => boolean; timeoutMs?: number; pollMs?: number } = {},
  ): Promise<ApplicationReport> {
    const until = opts.until ?? ((r: ApplicationReport) => r.state === 'FINISHED' || r.state === 'FAILED' || r.state === 'KILLED');
    const timeout = opts.timeoutMs ?? 120_000;
    const deadline = Date.now() + timeout;
    for (;;) {
      const r = await this.getApplicationReport(applicationId);
      if (until(r)) return r;
      if (Date.now() > deadline) {
        throw new Error(`${formatApplicationId(applicationId)} still ${r.state} after ${timeout} ms (diagnostics: ${r.diagnostics || 'none'})`);
      }
      await sleep(opts.pollMs ?? 500);
    }
  }

  close(): void {
    this.rpc.close();
  }
}

/** The RM accepted the submit RPC but then rejected the application (state FAILED/KILLED before any attempt). */
export class ApplicationRejectedError extends Error {
  readonly applicationId: ApplicationId;
  readonly state: YarnApplicationState;
  /** YARN's diagnostics, e.g. "... submitted by user root to unknown queue: nosuchqueue". */
  readonly diagnostics: string;
  readonly report: ApplicationReport;
  constructor(report: ApplicationReport) {
    super(`YARN rejected ${formatApplicationId(report.applicationId)} (queue "${report.queue}"): ${report.diagnostics}`);
    this.name = new.target.name;
    this.applicationId = report.applicationId;
    this.state = report.state;
    this.diagnostics = report.diagnostics;
    this.report = report;
  }
}

/** Submission to a queue the scheduler does not know. */
export class UnknownQueueError extends ApplicationRejectedError {}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
