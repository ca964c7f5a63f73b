import { RpcProxy, IpcClient, type RpcEndpoint } from '../ipc/client.js';
import { HadoopSiteConfig, parseHostPort, rmSchedulerEndpoint } from '../ipc/config.js';
import { AMRM_TOKEN_KIND, findToken, readContainerCredentials, tokenFromProto, type HadoopToken } from '../ipc/credentials.js';
import {
  containerFromProto,
  containerIdToProto,
  containerStatusFromProto,
  nmTokenFromProto,
  nodeIdKey,
  nodeReportFromProto,
  pbArray,
  pbObj,
  resourceFromProto,
  resourceRequestToProto,
  type Container,
  type ContainerId,
  type ContainerStatus,
  type FinalApplicationStatus,
  type NMToken,
  type NodeId,
  type NodeReport,
  type Resource,
  type ResourceRequest,
} from './records.js';

export const APPLICATION_MASTER_PROTOCOL = 'org.apache.hadoop.yarn.api.ApplicationMasterProtocolPB';

/**
 * Environment variable a tsflink client sets in the AM's launch context so the AM can find
 * the RM scheduler (YARN does not inject it; Java AMs read yarn-site.xml from their classpath).
 */
export const RM_SCHEDULER_ADDRESS_ENV = 'TSFLINK_RM_SCHEDULER_ADDRESS';

/** NMTokens by NodeManager `host:port`; the RM sends one only the first time a node is used (per attempt). */
export class NMTokenCache {
  private readonly tokens = new Map<string, HadoopToken>();
  set(nodeId: NodeId | string, token: HadoopToken): void {
    this.tokens.set(typeof nodeId === 'string' ? nodeId : nodeIdKey(nodeId), token);
  }
  get(nodeId: NodeId | string): HadoopToken | undefined {
    return this.tokens.get(typeof nodeId === 'string' ? nodeId : nodeIdKey(nodeId));
  }
  get size(): number {
    return this.tokens.size;
  }
}

export interface AMRMClientOptions {
  /** RM scheduler address (yarn.resourcemanager.scheduler.address). */
  endpoint: RpcEndpoint;
  /** The attempt's AMRMToken (kind YARN_AM_RM_TOKEN). */
  amrmToken: HadoopToken;
  callTimeoutMs?: number;
  connectAttempts?: number;
  connectRetryDelayMs?: number;
  nmTokens?: NMTokenCache;
}

export interface RegisterResponse {
  maximumCapability: Resource;
  queue: string;
  containersFromPreviousAttempts: Container[];
  nmTokensFromPreviousAttempts: NMToken[];
}

export interface AllocateRequest {
  /** Outstanding asks (totals per (priority, resourceName, capability)). */
  ask?: ResourceRequest[];
  release?: ContainerId[];
  /** 0..1 */
  progress?: number;
  blacklistAdditions?: string[];
  blacklistRemovals?: string[];
}

export interface AllocateResponse {
  /** RM's command: RESYNC (re-register) or SHUTDOWN (stop now). */
  amCommand: 'RESYNC' | 'SHUTDOWN' | undefined;
  responseId: number;
  allocatedContainers: Container[];
  completedContainerStatuses: ContainerStatus[];
  limit: Resource | undefined;
  updatedNodes: NodeReport[];
  numClusterNodes: number;
  nmTokens: NMToken[];
  /** True when the RM rolled the AMRMToken in this response (already applied to the client). */
  amrmTokenRolled: boolean;
}

const P = 'hadoop.yarn.';

/**
 * Client side of ApplicationMasterProtocol (AM → RM scheduler), TOKEN auth with the AMRMToken.
 * Keeps the allocate `response_id` sequence, caches NMTokens and switches to a rolled-over
 * AMRMToken for the next connection.
 */
export class AMRMClient {
  private readonly rpc: RpcProxy;
  private responseId = 0;
  private allocateChain: Promise<void> = Promise.resolve();
  readonly nmTokens: NMTokenCache;

  constructor(opts: AMRMClientOptions) {
    const o: ConstructorParameters<typeof RpcProxy>[0] = {
      endpoint: opts.endpoint,
      protocol: APPLICATION_MASTER_PROTOCOL,
      auth: { method: 'TOKEN', token: opts.amrmToken },
      callTimeoutMs: opts.callTimeoutMs ?? 60_000,
    };
    if (opts.connectAttempts !== undefined) o.connectAttempts = opts.connectAttempts;
    if (opts.connectRetryDelayMs !== undefined) o.connectRetryDelayMs = opts.connectRetryDelayMs;
    this.rpc = new RpcProxy(o, new IpcClient());
    this.nmTokens = opts.nmTokens ?? new NMTokenCache();
  }

  /**
   * For an AM running in a YARN container: AMRMToken from $HADOOP_TOKEN_FILE_LOCATION; RM scheduler
   * address from `endpoint`, else $TSFLINK_RM_SCHEDULER_ADDRESS, else yarn-site.xml in $HADOOP_CONF_DIR.
   */
  static fromEnvironment(opts: { endpoint?: RpcEndpoint; env?: NodeJS.ProcessEnv; conf?: HadoopSiteConfig; callTimeoutMs?: number } = {}): AMRMClient {
    const env = opts.env ?? process.env;
    const creds = readContainerCredentials(env);
    const token = findToken(creds, AMRM_TOKEN_KIND);
    if (!token) {
      const kinds = [...creds.tokens.values()].map((t) => t.kind).join(', ');
      throw new Error(`no ${AMRM_TOKEN_KIND} token in ${env['HADOOP_TOKEN_FILE_LOCATION']} (found: ${kinds || 'none'})`);
    }
    let endpoint = opts.endpoint;
    if (!endpoint && env[RM_SCHEDULER_ADDRESS_ENV]) {
      endpoint = { ...parseHostPort(env[RM_SCHEDULER_ADDRESS_ENV]!, 8030), source: `$${RM_SCHEDULER_ADDRESS_ENV}` };
    }
    endpoint ??= rmSchedulerEndpoint(opts.conf ?? HadoopSiteConfig.load(env['HADOOP_CONF_DIR']));
    const o: AMRMClientOptions = { endpoint, amrmToken: token };
    if (opts.callTimeoutMs !== undefined) o.callTimeoutMs = opts.callTimeoutMs;
    return new AMRMClient(o);
  }

  get endpoint(): RpcEndpoint {
    return this.rpc.endpoint;
  }

  /** The AMRMToken currently used (changes after a roll-over). */
  get amrmToken(): HadoopToken {
    const a = this.rpc.currentAuth;
    if (a.method !== 'TOKEN') throw new Error('unreachable');
    return a.token;
  }

  async registerApplicationMaster(req: { host: string; rpcPort?: number; trackingUrl?: string }): Promise<RegisterResponse> {
    const r = await this.rpc.call(
      'registerApplicationMaster',
      P + 'RegisterApplicationMasterRequestProto',
      { host: req.host, rpc_port: req.rpcPort ?? -1, tracking_url: req.trackingUrl ?? '' },
      P + 'RegisterApplicationMasterResponseProto',
    );
    const prevTokens = pbArray(r['nm_tokens_from_previous_attempts']).map(nmTokenFromProto);
    for (const t of prevTokens) this.nmTokens.set(t.nodeId, t.token);
    this.responseId = 0;
    return {
      maximumCapability: resourceFromProto(r['maximumCapability']),
      queue: String(r['queue'] ?? ''),
      containersFromPreviousAttempts: pbArray(r['containers_from_previous_attempts']).map(containerFromProto),
      nmTokensFromPreviousAttempts: prevTokens,
    };
  }

  /**
   * One heartbeat. Call at least every few seconds while running (it is also the AM liveness signal).
   * Concurrent calls are serialized: each must carry the response_id of the previous answer.
   */
  allocate(req: AllocateRequest = {}): Promise<AllocateResponse> {
    const run = this.allocateChain.then(() => this.allocateNow(req));
    this.allocateChain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async allocateNow(req: AllocateRequest): Promise<AllocateResponse> {
    const body: Record<string, unknown> = {
      ask: (req.ask ?? []).map(resourceRequestToProto),
      release: (req.release ?? []).map(containerIdToProto),
      response_id: this.responseId,
      progress: req.progress ?? 0,
    };
    if (req.blacklistAdditions?.length || req.blacklistRemovals?.length) {
      body['blacklist_request'] = { blacklist_additions: req.blacklistAdditions ?? [], blacklist_removals: req.blacklistRemovals ?? [] };
    }
    // Idempotent: a resend with the same response_id gets the RM's cached last response.
    const r = await this.rpc.call('allocate', P + 'AllocateRequestProto', body, P + 'AllocateResponseProto', { idempotent: true });
    this.responseId = Number(r['response_id'] ?? this.responseId);
    const nmTokens = pbArray(r['nm_tokens']).map(nmTokenFromProto);
    for (const t of nmTokens) this.nmTokens.set(t.nodeId, t.token);
    let rolled = false;
    if (r['am_rm_token']) {
      // Master key roll-over: the current connection stays valid; new connections must use the new token.
      this.rpc.setToken(tokenFromProto(pbObj(r['am_rm_token'])));
      rolled = true;
    }
    const cmd = r['a_m_command'] === undefined ? undefined : Number(r['a_m_command']);
    return {
      amCommand: cmd === 1 ? 'RESYNC' : cmd === 2 ? 'SHUTDOWN' : undefined,
      responseId: this.responseId,
      allocatedContainers: pbArray(r['allocated_containers']).map(containerFromProto),
      completedContainerStatuses: pbArray(r['completed_container_statuses']).map(containerStatusFromProto),
      limit: r['limit'] ? resourceFromProto(r['limit']) : undefined,
      updatedNodes: pbArray(r['updated_nodes']).map(nodeReportFromProto),
      numClusterNodes: Number(r['num_cluster_nodes'] ?? 0),
      nmTokens,
      amrmTokenRolled: rolled,
    };
  }

  /** Unregisters; retries (as AMRMClientImpl does) until the RM confirms. */
  async finishApplicationMaster(req: { finalStatus: Exclude<FinalApplicationStatus, 'UNDEFINED' | 'ENDED'>; diagnostics?: string; trackingUrl?: string; timeoutMs?: number }): Promise<void> {
    const status = { SUCCEEDED: 1, FAILED: 2, KILLED: 3 }[req.finalStatus];
    const body: Record<string, unknown> = { final_application_status: status, diagnostics: req.diagnostics ?? '' };
    if (req.trackingUrl !== undefined) body['tracking_url'] = req.trackingUrl;
    const deadline = Date.now() + (req.timeoutMs ?? 30_000);
    for (;;) {
      const r = await this.rpc.call('finishApplicationMaster', P + 'FinishApplicationMasterRequestProto', body, P + 'FinishApplicationMasterResponseProto', {
        idempotent: true,
      });
      if (r['isUnregistered']) return;
      if (Date.now() > deadline) throw new Error('finishApplicationMaster: RM did not confirm unregistration in time');
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  close(): void {
    this.rpc.close();
  }
}
